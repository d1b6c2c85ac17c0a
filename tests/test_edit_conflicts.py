"""Two people on one story: the conflict check covers the story's inline rows as well as its own fields."""

import pytest
from django.contrib import admin
from django.test import Client

from articles.models import Article, Quote

from .admin_client import change_url, read_form
from .factories import ArticleFactory, BylineFactory, QuoteFactory, desk_user

pytestmark = pytest.mark.django_db


@pytest.fixture
def writer_story(writer):
    article = ArticleFactory(draft=True, created_by=writer, headline="Whales sing at dawn")
    BylineFactory(article=article, author=writer.author_profile)
    for position, text in enumerate(["First words.", "Second words.", "Third words."]):
        QuoteFactory(article=article, position=position, text=text)
    return article


def logged_in(user):
    client = Client()
    client.force_login(user)
    return client


def all_errors(response):
    return [str(error) for error in response.context["errors"]]


def quote_row(form, text):
    """The form prefix of the quote row showing `text`."""
    return next(
        key.removesuffix("-text") for key, value in form.items() if key.endswith("-text") and value == text
    )


class TestInlineRowsInConflicts:
    def test_a_quote_changed_meanwhile_is_named_and_the_second_text_kept(self, writer, writer_story):
        editor = logged_in(desk_user("Editor"))
        b_form = read_form(editor.get(change_url(writer_story)))  # B opens the story first

        a = logged_in(writer)
        a_form = read_form(a.get(change_url(writer_story)))
        a_form[f"{quote_row(a_form, 'Second words.')}-text"] = "Second words, as A corrected them."
        assert a.post(change_url(writer_story), a_form).status_code == 302

        b_form["headline"] = "Whales sing at noon"
        refused = editor.post(change_url(writer_story), b_form)
        assert refused.status_code == 200
        errors = all_errors(refused)
        assert any("it differs from the saved one in: Headline." in error for error in errors), errors
        assert any("quote 2 (" in error and "differs" in error for error in errors), errors
        assert "Whales sing at noon" in refused.content.decode()  # B's text is kept
        writer_story.refresh_from_db()
        assert writer_story.headline == "Whales sing at dawn"
        assert writer_story.quotes.filter(text="Second words, as A corrected them.").exists()

    def test_a_quote_deleted_meanwhile_is_named_and_saving_again_works(self, writer, writer_story):
        editor = logged_in(desk_user("Editor"))
        b_form = read_form(editor.get(change_url(writer_story)))

        a = logged_in(writer)
        a_form = read_form(a.get(change_url(writer_story)))
        a_form[f"{quote_row(a_form, 'Second words.')}-DELETE"] = "on"
        assert a.post(change_url(writer_story), a_form).status_code == 302
        assert writer_story.quotes.count() == 2

        b_form[f"{quote_row(b_form, 'Third words.')}-text"] = "Third words, as B put them."
        refused = editor.post(change_url(writer_story), b_form)
        assert refused.status_code == 200
        errors = all_errors(refused)
        assert any("quote 2 was deleted since you opened the story" in error for error in errors), errors
        # Having read the refusal, B saves the form as shown: it saves, with B's rows.
        again = editor.post(change_url(writer_story), read_form(refused))
        assert again.status_code == 302, all_errors(again)
        assert sorted(writer_story.quotes.values_list("text", flat=True)) == [
            "First words.",
            "Second words.",
            "Third words, as B put them.",
        ]

    def test_a_post_without_loaded_version_is_refused(self, editor, writer_story):
        client = logged_in(editor)
        form = read_form(client.get(change_url(writer_story)))
        del form["loaded_version"]
        form["headline"] = "Saved over anything"
        refused = client.post(change_url(writer_story), form)
        assert refused.status_code == 200
        assert any("did not say which version" in error for error in all_errors(refused))
        writer_story.refresh_from_db()
        assert writer_story.headline == "Whales sing at dawn"

    def test_an_unchanged_form_saved_twice_is_not_a_conflict(self, editor, writer_story):
        client = logged_in(editor)
        assert (
            client.post(change_url(writer_story), read_form(client.get(change_url(writer_story)))).status_code
            == 302
        )
        assert (
            client.post(change_url(writer_story), read_form(client.get(change_url(writer_story)))).status_code
            == 302
        )


class TestFormsPerRequest:
    def test_each_request_gets_its_own_form_class_with_its_user(self, rf, writer, editor, writer_story):
        model_admin = admin.site._registry[Article]
        forms = []
        for user in (writer, editor):
            request = rf.get(change_url(writer_story))
            request.user = user
            forms.append(model_admin.get_form(request, writer_story, change=True)(instance=writer_story))
        assert forms[0].user == writer and forms[1].user == editor
        assert [c for c, _label in forms[0].fields["status"].choices] == ["draft", "review"]
        assert "published" in [c for c, _label in forms[1].fields["status"].choices]

    def test_no_admin_overrides_private_hooks(self):
        """Public hooks only: an underscore method breaks on the next Django release."""
        for model_admin in admin.site._registry.values():
            for klass in type(model_admin).__mro__:
                if klass.__module__.startswith("articles"):
                    private = [
                        name for name in vars(klass) if name.startswith("_") and not name.startswith("__")
                    ]
                    assert not private, f"{klass.__name__} overrides {private}"
                    for inline in model_admin.inlines:
                        for cls in inline.__mro__:
                            if cls.__module__.startswith("articles"):
                                assert not [
                                    n for n in vars(cls) if n.startswith("_") and not n.startswith("__")
                                ]


def test_quotes_survive_unchanged_saves(editor, writer_story):
    client = logged_in(editor)
    client.post(change_url(writer_story), read_form(client.get(change_url(writer_story))))
    assert Quote.objects.filter(article=writer_story).count() == 3
