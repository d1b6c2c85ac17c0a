"""Editing in the admin: the rich-text body, pasting a reference into a citation, quotes checked against the body."""

import re

import pytest
from django.contrib.messages import WARNING
from django.contrib.staticfiles import finders
from django.urls import reverse
from django_prose_editor.config import allowlist_from_extensions, expand_extensions

from articles.editing import (
    BODY_EDITOR_EXTENSIONS,
    EDITOR_STYLE_HASH,
    normalise_for_matching,
    quote_in_body,
)
from articles.forms import ArticleEditingForm
from articles.house_style import render_text
from articles.models import Article, Citation, Status
from articles.sanitize import ALLOWED_ATTRIBUTES, ALLOWED_TAGS

from .admin_client import inline_management
from .factories import ArticleFactory, CitationFactory, QuoteFactory, SpeakerFactory

pytestmark = pytest.mark.django_db

SEED_REFERENCE = (
    "Reference: Ganesh, K., Basnet, H., Kaygusuz, Y. et al. L1CAM defines the regenerative origin of "
    "metastasis-initiating cells in colorectal cancer. Nature Cancer 1, 28-45 (2020),"
)


def story_post(**fields):
    return {
        "headline": "Metastasis starts with cells that hijack wound healing",
        "slug": "metastasis-wound-healing",
        "body": "<p>Cancer spreads.</p>",
        "status": Status.DRAFT,
        **inline_management("bylines"),
        **inline_management("quotes"),
        **inline_management("citations"),
        **inline_management("corrections"),
        **fields,
    }


def errors_of(response):
    if response.status_code == 302:
        return None
    context = response.context
    return context["adminform"].form.errors, [f.errors for f in context["inline_admin_formsets"][2].formset]


class TestBodyEditor:
    def test_admin_body_uses_the_prose_editor_with_local_assets(self, admin_client):
        html = admin_client.get(reverse("admin:articles_article_add")).content.decode()
        textarea = re.search(r'<textarea name="body"[^>]*>', html)[0]
        assert "data-django-prose-editor-configurable=" in textarea
        assert '<script type="importmap"' in html
        assets = re.findall(r'(?:src|href)="/static/(django_prose_editor/[^"]+)"', html)
        assert "django_prose_editor/editor.js" in assets and "django_prose_editor/editor.css" in assets
        # Everything the editor loads ships in the wheel: nothing is fetched from elsewhere at run time.
        for asset in assets:
            assert finders.find(asset), asset
        media = str(ArticleEditingForm().media)
        assert "http://" not in media and "https://" not in media

    def test_only_editor_pages_allow_the_editors_style_element(self, admin_client, client):
        add_page = admin_client.get(reverse("admin:articles_article_add"))
        assert EDITOR_STYLE_HASH in add_page["Content-Security-Policy"]
        assert "'nonce-" in add_page["Content-Security-Policy"]  # everything else still needs the nonce
        story = ArticleFactory()
        change_page = admin_client.get(reverse("admin:articles_article_change", args=[story.pk]))
        assert EDITOR_STYLE_HASH in change_page["Content-Security-Policy"]
        changelist = admin_client.get(reverse("admin:articles_article_changelist"))
        story_page = client.get(story.get_absolute_url())
        for response in (changelist, story_page):
            assert response.status_code == 200
            assert "style-src 'self'" in response["Content-Security-Policy"]
            assert EDITOR_STYLE_HASH not in response["Content-Security-Policy"]

    def test_editor_offers_only_markup_the_sanitiser_keeps(self):
        """Whatever the toolbar can make survives nh3 on save: nothing an editor formats silently vanishes."""
        editor = allowlist_from_extensions(expand_extensions(BODY_EDITOR_EXTENSIONS))
        assert editor["tags"] <= ALLOWED_TAGS
        # rel is the sanitiser's own (noopener noreferrer); data-type is the editor's bookkeeping.
        deliberate = {"a": {"rel"}, "ol": {"data-type"}}
        for tag, attributes in editor["attributes"].items():
            assert attributes - deliberate.get(tag, set()) <= ALLOWED_ATTRIBUTES.get(tag, set()), tag

    def test_editor_tables_and_numbered_lists_survive_saving(self, admin_client):
        body = (
            '<ol start="3"><li><p>Third step</p></li></ol><table><tbody><tr><th colspan="2"><p>Dose</p></th></tr>'
            '<tr><td rowspan="2"><p>5 mg</p></td><td><p>day 1</p></td></tr></tbody></table>'
        )
        response = admin_client.post(reverse("admin:articles_article_add"), story_post(body=body))
        assert response.status_code == 302, errors_of(response)
        assert Article.objects.get().body == body

    def test_body_is_sanitised_on_save_through_the_admin(self, admin_client):
        hostile = (
            '<p onclick="steal()">Cells <strong>spread</strong> <a href="javascript:alert(1)">here</a> '
            '<a href="https://doi.org/10.1038/x">paper</a></p><script>alert(1)</script>'
            '<style>p{}</style><iframe src="https://evil.example"></iframe><h1>Big</h1><h2>Sub</h2>'
        )
        response = admin_client.post(reverse("admin:articles_article_add"), story_post(body=hostile))
        assert response.status_code == 302, errors_of(response)
        body = Article.objects.get().body
        assert "onclick" not in body and "<script" not in body and "<style" not in body
        assert "javascript:" not in body and "<iframe" not in body and "<h1>" not in body
        assert "<strong>spread</strong>" in body and "<h2>Sub</h2>" in body
        assert '<a href="https://doi.org/10.1038/x" rel="noopener noreferrer">paper</a>' in body

    def test_editor_empty_paragraph_is_an_empty_body(self, admin_client):
        response = admin_client.post(reverse("admin:articles_article_add"), story_post(body="<p></p>"))
        assert response.status_code == 302
        assert Article.objects.get().body == ""


def citation_fields(index=0, **fields):
    base = {"position": str(index), "kind": "journal_article", "study_status": "peer_reviewed"}
    return {f"citations-{index}-{name}": value for name, value in {**base, **fields}.items()}


class TestPasteReference:
    def test_seed_reference_fills_the_citation(self, admin_client):
        data = story_post(
            **inline_management("citations", 1), **citation_fields(paste_reference=SEED_REFERENCE)
        )
        response = admin_client.post(reverse("admin:articles_article_add"), data)
        assert response.status_code == 302, errors_of(response)
        citation = Citation.objects.get()
        assert citation.authors == ["Ganesh, K.", "Basnet, H.", "Kaygusuz, Y."]
        assert citation.et_al
        assert citation.title.startswith("L1CAM defines the regenerative origin")
        assert (citation.journal, citation.volume, citation.year) == ("Nature Cancer", "1", 2020)
        assert (citation.first_page, citation.last_page) == ("28", "45")
        assert "Reference:" not in citation.raw and "Ganesh, K., Basnet, H." in citation.raw
        assert render_text(citation).endswith("Nature Cancer 1, 28–45 (2020).")

    def test_fields_typed_by_the_editor_win(self, admin_client):
        data = story_post(
            **inline_management("citations", 1),
            **citation_fields(
                paste_reference=SEED_REFERENCE,
                journal="Nat. Cancer",
                doi="10.1038/s43018-019-0006-x",
                study_status="preprint",
            ),
        )
        response = admin_client.post(reverse("admin:articles_article_add"), data)
        assert response.status_code == 302, errors_of(response)
        citation = Citation.objects.get()
        assert citation.journal == "Nat. Cancer"
        assert citation.doi == "10.1038/s43018-019-0006-x"
        assert citation.study_status == "preprint"
        assert citation.volume == "1" and citation.year == 2020

    def test_paste_into_an_existing_citation_replaces_untyped_fields(self, admin_client):
        article = ArticleFactory(status=Status.DRAFT, published_at=None)
        old = CitationFactory(
            article=article, position=0, title="Old title", journal="Cell", year=1999, doi="10.1016/old"
        )
        url = reverse("admin:articles_article_change", args=[article.pk])
        data = story_post(
            headline=article.headline,
            slug=article.slug,
            loaded_version=str(article.lock_version),
            **inline_management("citations", 1, initial=1),
            **citation_fields(
                id=str(old.pk),
                article=str(article.pk),
                authors="\n".join(old.authors),
                title=old.title,
                journal=old.journal,
                year="1999",
                doi="10.1016/old",
                paste_reference=SEED_REFERENCE,
            ),
        )
        response = admin_client.post(url, data)
        assert response.status_code == 302, errors_of(response)
        old.refresh_from_db()
        assert (old.journal, old.year, old.doi) == ("Nature Cancer", 2020, "")
        assert old.title.startswith("L1CAM")

    def test_form_with_an_error_comes_back_filled_for_correction(self, admin_client):
        data = story_post(
            **inline_management("citations", 1),
            **citation_fields(paste_reference=SEED_REFERENCE, doi="not-a-doi"),
        )
        response = admin_client.post(reverse("admin:articles_article_add"), data)
        assert response.status_code == 200
        assert not Article.objects.exists()
        html = response.content.decode()
        # The editor sees what was read next to the problem, and corrects it before anything is saved.
        assert 'name="citations-0-journal" value="Nature Cancer"' in html
        assert 'name="citations-0-year" value="2020"' in html
        assert "Ganesh, K.\nBasnet, H.\nKaygusuz, Y.</textarea>" in html
        assert 'name="citations-0-doi" value="not-a-doi"' in html
        assert "A DOI looks like" in str(errors_of(response)[1])

    def test_unreadable_paste_is_named(self, admin_client):
        data = story_post(
            **inline_management("citations", 1), **citation_fields(paste_reference="Reference: ,,,")
        )
        response = admin_client.post(reverse("admin:articles_article_add"), data)
        assert response.status_code == 200
        assert "No reference could be read from this text" in str(errors_of(response)[1])
        assert not Citation.objects.exists()

    def test_citation_admin_has_the_paste_field_too(self, admin_client):
        article = ArticleFactory()
        response = admin_client.post(
            reverse("admin:articles_citation_add"),
            {
                "article": str(article.pk),
                "position": "0",
                "kind": "journal_article",
                "study_status": "preprint",
                "paste_reference": SEED_REFERENCE,
            },
        )
        assert response.status_code == 302
        assert Citation.objects.get().journal == "Nature Cancer"

    def test_fill_endpoint_gives_the_values_the_inputs_take(self, admin_client):
        url = reverse("admin:articles_citation_parse_reference")
        reply = admin_client.get(url, {"text": SEED_REFERENCE})
        assert reply.status_code == 200
        fields = reply.json()["fields"]
        assert fields["authors"] == "Ganesh, K.\nBasnet, H.\nKaygusuz, Y."
        assert fields["et_al"] is True
        assert (fields["journal"], fields["year"], fields["first_page"]) == ("Nature Cancer", "2020", "28")
        reply = admin_client.get(url, {"text": "???"})
        assert reply.status_code == 400
        assert reply.json() == {
            "error": "No reference could be read from this text: fill in the fields below."
        }

    def test_fill_endpoint_is_for_staff_who_may_edit_citations(self, client, django_user_model):
        url = reverse("admin:articles_citation_parse_reference")
        assert client.get(url, {"text": SEED_REFERENCE}).status_code == 302  # to the admin login
        client.force_login(django_user_model.objects.create_user("intern", is_staff=True))
        assert client.get(url, {"text": SEED_REFERENCE}).status_code == 403


class TestQuoteWarning:
    def post_with_quote(self, admin_client, body, quote_text):
        speaker = SpeakerFactory(name="Joan Massagué")
        data = story_post(
            body=body,
            **inline_management("quotes", 1),
            **{
                "quotes-0-position": "0",
                "quotes-0-text": quote_text,
                "quotes-0-speaker": str(speaker.pk),
            },
        )
        return admin_client.post(reverse("admin:articles_article_add"), data, follow=True)

    def warnings(self, response):
        return [str(m) for m in response.context["messages"] if m.level == WARNING]

    def test_quote_missing_from_body_warns_but_saves(self, admin_client):
        response = self.post_with_quote(
            admin_client,
            "<p>Metastasis is a disease of spreading cells, researchers said.</p>",
            "Metastasis looks like tissue regeneration happening in the wrong place.",
        )
        assert Article.objects.exists()
        assert self.warnings(response) == [
            "The quote “Metastasis looks like tissue regeneration happening in the wrong place.” "
            "(Joan Massagué) is not in the body as written: check the wording matches."
        ]

    def test_quote_in_body_with_other_marks_markup_and_spacing_is_fine(self, admin_client):
        body = (
            "<p>“Metastasis looks like <em>tissue regeneration</em>\n happening in the wrong "
            "place,” Massagué said. It&#8217;s new.</p>"
        )
        response = self.post_with_quote(
            admin_client, body, '"Metastasis looks like tissue regeneration happening in the wrong place."'
        )
        assert self.warnings(response) == []

    def test_matching_rules(self):
        assert normalise_for_matching("<p>It&#8217;s “Quoted”&nbsp;text — ok</p>") == "its quoted text - ok"
        assert quote_in_body("It's a find.", "<p>‘It’s a find,’ she said.</p>")
        assert not quote_in_body("It's a find.", "<p>It is a find.</p>")
        assert not quote_in_body("...", "<p>Anything.</p>")

    def test_existing_quotes_are_checked_on_every_save(self, admin_client):
        quote = QuoteFactory(text="Words never said.")
        article = quote.article
        data = story_post(
            headline=article.headline,
            slug=article.slug,
            status=Status.DRAFT,
            loaded_version=str(article.lock_version),
            **inline_management("quotes", 1, initial=1),
            **{
                "quotes-0-id": str(quote.pk),
                "quotes-0-article": str(article.pk),
                "quotes-0-position": "0",
                "quotes-0-text": quote.text,
                "quotes-0-speaker": str(quote.speaker.pk),
            },
        )
        url = reverse("admin:articles_article_change", args=[article.pk])
        response = admin_client.post(url, data, follow=True)
        assert len(self.warnings(response)) == 1
