"""Revision history with diff and revert, no lost edits between two editors, and old URLs that keep working."""

import pytest
from django.test import Client
from reversion.models import Version

from articles.models import Article, ArticleRedirect, Status

from .admin_client import change_url, edit, read_form
from .factories import ArticleFactory, BylineFactory, CitationFactory, QuoteFactory, SpeakerFactory, desk_user

pytestmark = pytest.mark.django_db


def history_url(article):
    return f"/admin/articles/article/{article.pk}/history/"


def compare_url(article, version):
    return f"/admin/articles/article/{article.pk}/history/{version.pk}/"


@pytest.fixture
def story():
    article = ArticleFactory(draft=True, body="<p>The whale sang at dawn.</p>", tags=["whales"])
    BylineFactory(article=article)
    for position, text in enumerate(["First words.", "Second words."]):
        QuoteFactory(article=article, position=position, text=text)
    CitationFactory(article=article, position=0, title="Original title")
    return article


class TestRevisions:
    def edit_everything(self, client, article):
        """Second version: new body and tags, a quote deleted, one added, a reference retitled, published."""
        data = read_form(client.get(change_url(article)))
        data.update(
            body="<p>The whale sang at noon.</p>",
            tags="sonar",
            status=Status.PUBLISHED,
            **{
                "quotes-0-DELETE": "on",
                "quotes-TOTAL_FORMS": "3",
                "quotes-2-text": "New words.",
                "quotes-2-speaker": str(SpeakerFactory().pk),
                "quotes-2-position": "5",
                "citations-0-title": "Changed title",
            },
        )
        response = client.post(change_url(article), data)
        assert response.status_code == 302, response.context["errors"]

    def test_history_diff_and_one_click_revert(self, editor_client, story, django_assert_max_num_queries):
        assert edit(editor_client, story, standfirst="First version.").status_code == 302
        self.edit_everything(editor_client, story)
        first, second = Version.objects.get_for_object(story).order_by("pk")

        history = editor_client.get(history_url(story)).content.decode()
        assert compare_url(story, first) in history and compare_url(story, second) in history

        with django_assert_max_num_queries(20):
            page = editor_client.get(compare_url(story, first))
        html = page.content.decode()
        # Words, not markup: the body's tags are not shown as text.
        assert "<del>dawn.</del>" in html and "<ins>noon.</ins>" in html and "&lt;p&gt;" not in html
        assert "− Speaker" in html and "“First words.”" in html and "“New words.”" in html
        assert "Original title" in html and "Changed title" in html
        assert '<li class="removed">− whales</li>' in html

        assert "Compared with the story as it is now" in html and f'href="?against={second.pk}"' in html
        response = editor_client.post(compare_url(story, first))
        assert response.status_code == 302
        story.refresh_from_db()
        assert story.body == "<p>The whale sang at dawn.</p>"
        assert [q.text for q in story.quotes.all()] == ["First words.", "Second words."]
        assert [c.title for c in story.citations.all()] == ["Original title"]
        assert [t.name for t in story.tags.all()] == ["whales"]
        assert story.status == Status.PUBLISHED  # the publishing state is not part of a revert
        latest = Version.objects.get_for_object(story).first()
        assert latest.revision.get_comment().startswith("Reverted to the version of")
        assert editor_client.get(compare_url(story, latest)).status_code == 200
        # Now the story is the first version again; the first and second versions still differ.
        same = editor_client.get(compare_url(story, first)).content.decode()
        assert "The words, bylines, quotes, references and tags are the same in both." in same
        between = editor_client.get(compare_url(story, first), {"against": second.pk}).content.decode()
        assert "<del>dawn.</del>" in between and "<ins>noon.</ins>" in between
        assert "Compared with the version of" in between and '<a href="?">now</a>' in between

    def test_revert_touches_only_this_story_of_a_bulk_revision(self, editor_client):
        first, second = ArticleFactory(draft=True, body="<p>One.</p>"), ArticleFactory(draft=True)
        for article in (first, second):
            BylineFactory(article=article)
        editor_client.post(
            "/admin/articles/article/", {"action": "publish", "_selected_action": [first.pk, second.pk]}
        )
        bulk = Version.objects.get_for_object(first).get()
        assert bulk.revision.version_set.filter(object_id=str(second.pk)).exists()
        assert edit(editor_client, first, body="<p>One, edited.</p>").status_code == 302
        assert edit(editor_client, second, body="<p>Two, edited.</p>").status_code == 302
        editor_client.post(compare_url(first, bulk))
        first.refresh_from_db()
        second.refresh_from_db()
        assert first.body == "<p>One.</p>" and second.body == "<p>Two, edited.</p>"

    def test_revert_of_swapped_positions(self, editor_client, story):
        assert edit(editor_client, story, standfirst="Before the swap.").status_code == 302
        first, second = story.quotes.all()
        for quote, position in [(first, 9), (second, 0), (first, 1)]:
            quote.position = position
            quote.save()
        assert [q.text for q in story.quotes.all()] == ["Second words.", "First words."]
        editor_client.post(compare_url(story, Version.objects.get_for_object(story).order_by("pk").first()))
        assert [q.text for q in story.quotes.all()] == ["First words.", "Second words."]

    def test_revert_to_a_version_naming_a_deleted_speaker_changes_nothing(self, editor_client, story):
        assert edit(editor_client, story, standfirst="Old.").status_code == 302
        old = Version.objects.get_for_object(story).get()
        gone = story.quotes.first().speaker
        assert edit(editor_client, story, standfirst="New.", **{"quotes-0-DELETE": "on"}).status_code == 302
        gone.delete()
        response = editor_client.post(compare_url(story, old), follow=True)
        assert "Could not revert: that version names an author, speaker" in response.content.decode()
        story.refresh_from_db()
        assert story.standfirst == "New." and story.quotes.count() == 1

    def test_a_form_opened_before_a_revert_is_stale(self, editor_client, story):
        assert edit(editor_client, story, standfirst="One.").status_code == 302
        assert edit(editor_client, story, standfirst="Two.").status_code == 302
        form = read_form(editor_client.get(change_url(story)))
        editor_client.post(compare_url(story, Version.objects.get_for_object(story).order_by("pk").first()))
        form["standfirst"] = "Three."
        assert editor_client.post(change_url(story), form).status_code == 200
        story.refresh_from_db()
        assert story.standfirst == "One."

    def test_writer_cannot_revert_someone_elses_story(self, client, story):
        editor = desk_user("Editor")
        editor_client = Client()
        editor_client.force_login(editor)
        edit(editor_client, story, body="<p>Editor's version.</p>")
        edit(editor_client, story, body="<p>Later version.</p>")
        version = Version.objects.get_for_object(story).order_by("pk").first()
        client.force_login(desk_user("Writer"))
        page = client.get(compare_url(story, version))
        assert page.status_code == 200 and "Revert to this version" not in page.content.decode()
        assert client.post(compare_url(story, version)).status_code == 403
        story.refresh_from_db()
        assert story.body == "<p>Later version.</p>"

    def test_recovering_deleted_stories_is_for_editors(self, client, writer, editor):
        for user, status, link_shown in [(writer, 403, False), (editor, 200, True)]:
            client.force_login(user)
            assert client.get("/admin/articles/article/recover/").status_code == status
            changelist = client.get("/admin/articles/article/").content.decode()
            assert ('href="/admin/articles/article/recover/"' in changelist) is link_shown
            assert 'href="/admin/articles/article/add/"' in changelist


class TestTwoEditorsAtOnce:
    def test_second_save_is_refused_with_their_text_shown_back(self, story):
        ada, bob = desk_user("Editor", first_name="Ada", last_name="Lovelace"), desk_user("Editor")
        first, second = Client(), Client()
        first.force_login(ada)
        second.force_login(bob)
        # Both open the story...
        ada_form = read_form(first.get(change_url(story)))
        bob_form = read_form(second.get(change_url(story)))
        # ...Ada saves first...
        ada_form["body"] = "<p>Ada's careful rewrite.</p>"
        assert first.post(change_url(story), ada_form).status_code == 302
        # ...then Bob, whose form predates Ada's save, is refused.
        bob_form["body"] = "<p>Bob's rewrite, an hour of work.</p>"
        refused = second.post(change_url(story), bob_form)
        assert refused.status_code == 200
        [message] = refused.context["adminform"].form.non_field_errors()
        assert message.startswith("Not saved: Ada Lovelace changed this story at ")
        assert "it differs from the saved one in: Body." in message
        assert "Bob&#x27;s rewrite, an hour of work." in refused.content.decode()  # nothing lost
        story.refresh_from_db()
        assert story.body == "<p>Ada's careful rewrite.</p>"
        # Having compared, Bob saves again from the form he was shown, on purpose.
        again = second.post(change_url(story), read_form(refused))
        assert again.status_code == 302
        story.refresh_from_db()
        assert story.body == "<p>Bob's rewrite, an hour of work.</p>"

    def test_a_save_outside_the_admin_is_named_as_such(self, editor_client, story):
        assert edit(editor_client, story, standfirst="Saved in the admin first.").status_code == 302
        form = read_form(editor_client.get(change_url(story)))
        story.refresh_from_db()
        story.headline = "Re-imported headline"
        story.save()
        form["headline"] = "Mine"
        refused = editor_client.post(change_url(story), form)
        [message] = refused.context["adminform"].form.non_field_errors()
        assert message.startswith("Not saved: an import or a script changed this story at ")

    def test_a_publish_action_meanwhile_also_makes_the_form_stale(self, editor_client, editor):
        article = ArticleFactory(draft=True, standfirst="Ready.")
        BylineFactory(article=article)
        form = read_form(editor_client.get(change_url(article)))
        other = Client()
        other.force_login(desk_user("Editor"))
        other.post("/admin/articles/article/", {"action": "publish", "_selected_action": [article.pk]})
        form["headline"] = "New headline"
        assert editor_client.post(change_url(article), form).status_code == 200
        article.refresh_from_db()
        assert article.status == Status.PUBLISHED  # the stale form did not put it back to draft


class TestOldUrls:
    def test_renamed_published_story_answers_at_old_urls_with_301(self, editor_client, client):
        article = ArticleFactory(slug="whales-sing")
        BylineFactory(article=article)
        old_url = article.get_absolute_url()
        assert edit(editor_client, article, slug="humpbacks-sing").status_code == 302
        assert edit(editor_client, article, slug="humpback-whales-sing").status_code == 302
        for old in [old_url, "/story/humpbacks-sing/"]:
            response = client.get(old)
            assert response.status_code == 301
            assert response["Location"] == "/story/humpback-whales-sing/"
        assert client.get("/story/humpback-whales-sing/").status_code == 200

    def test_renaming_back_removes_the_redirect(self):
        article = ArticleFactory(slug="first")
        article.slug = "second"
        article.save()
        article.slug = "first"
        article.save()
        assert list(ArticleRedirect.objects.values_list("old_slug", flat=True)) == ["second"]

    def test_drafts_leave_no_redirects(self):
        article = ArticleFactory(draft=True, slug="working-title")
        article.slug = "final-title"
        article.save()
        assert not ArticleRedirect.objects.exists()

    def test_old_url_of_an_unpublished_story_is_404(self, client):
        article = ArticleFactory(slug="was-live")
        article.slug = "renamed"
        article.save()
        Article.objects.filter(pk=article.pk).update(status=Status.DRAFT)
        assert client.get("/story/was-live/").status_code == 404

    def test_a_new_story_may_take_an_old_slug(self, client):
        article = ArticleFactory(slug="taken")
        article.slug = "moved"
        article.save()
        newcomer = ArticleFactory(slug="taken", headline="The newcomer")
        assert "The newcomer" in client.get(newcomer.get_absolute_url()).content.decode()
