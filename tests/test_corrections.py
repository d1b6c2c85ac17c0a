"""Corrections at the foot of a story, on /corrections/ and in its feed; the science context on the page."""

from datetime import timedelta

import feedparser
import pytest
from django.urls import reverse
from django.utils import timezone

from articles.models import Article, Correction, CorrectionKind

from .admin_client import edit
from .factories import ArticleFactory, BylineFactory, CitationFactory, CorrectionFactory

pytestmark = pytest.mark.django_db

ATTACK = '<script>alert("x")</script><img src=x onerror=alert(1)>'


class TestCorrections:
    def test_added_in_the_admin_shown_at_the_foot_and_dated(self, editor_client, client):
        article = ArticleFactory(headline="Trial results")
        BylineFactory(article=article)
        before = Article.objects.get(pk=article.pk).updated_at
        response = edit(
            editor_client,
            article,
            **{
                "corrections-TOTAL_FORMS": "1",
                "corrections-0-kind": "clarification",
                "corrections-0-text": "The trial was in mice, not people.",
                "corrections-0-created_at_0": timezone.localtime().strftime("%d/%m/%Y"),
                "corrections-0-created_at_1": timezone.localtime().strftime("%H:%M:%S"),
            },
        )
        assert response.status_code == 302, response.context["errors"]
        correction = Correction.objects.get()
        assert correction.kind == CorrectionKind.CLARIFICATION
        assert Article.objects.get(pk=article.pk).updated_at > before
        html = client.get(article.get_absolute_url()).content.decode()
        assert f'<li id="correction-{correction.pk}"><strong>Clarification</strong>' in html
        assert "The trial was in mice, not people." in html
        assert f'<a href="#corrections">Clarification {timezone.localtime():%-d %B %Y}</a>' in html

    def test_saving_a_correction_bumps_the_modified_date_only(self):
        article = ArticleFactory()
        stamp, version = article.updated_at, article.lock_version
        CorrectionFactory(article=article)
        article.refresh_from_db()
        assert article.updated_at > stamp
        assert article.lock_version == version  # nobody's open form is made stale by a correction

    def test_page_lists_corrections_on_published_stories_only(self, client, django_assert_max_num_queries):
        shown = [CorrectionFactory(text=f"Fix number {n}.") for n in range(30)]
        CorrectionFactory(article=ArticleFactory(draft=True), text="On a draft.")
        CorrectionFactory(
            article=ArticleFactory(published_at=timezone.now() + timedelta(days=1)), text="Later."
        )
        with django_assert_max_num_queries(2):
            response = client.get(reverse("articles:corrections"))
        html = response.content.decode()
        assert html.count("Fix number") == 30
        assert "On a draft." not in html and "Later." not in html
        assert shown[0].article.headline in html
        assert f'href="{shown[0].get_absolute_url()}"' in html

    def test_feed(self, client, django_assert_max_num_queries):
        correction = CorrectionFactory(kind=CorrectionKind.UPDATE, text="Now peer-reviewed.")
        CorrectionFactory(article=ArticleFactory(draft=True), text="On a draft.")
        with django_assert_max_num_queries(2):
            response = client.get(reverse("articles:corrections_feed"))
        assert response["Content-Type"].startswith("application/rss+xml")
        feed = feedparser.parse(response.content)
        assert not feed.bozo
        assert feed.feed.title == "Newsroom: corrections"
        [entry] = feed.entries
        assert entry.title.startswith("Update: ")
        assert entry.summary == "Now peer-reviewed."
        assert entry.link == f"http://testserver{correction.get_absolute_url()}"

    def test_hostile_text_is_inert_on_page_and_in_feed(self, client):
        CorrectionFactory(text=ATTACK, article=ArticleFactory(headline=f"Headline {ATTACK}"))
        for url in [reverse("articles:corrections"), Article.objects.get().get_absolute_url()]:
            html = client.get(url).content.decode()
            assert "<script>" not in html and "&lt;script&gt;" in html
        feed = client.get(reverse("articles:corrections_feed")).content.decode()
        assert "<script>" not in feed and "&lt;script&gt;" in feed  # escaped in the XML, kept as text
        assert not feedparser.parse(feed).bozo


class TestScienceContext:
    def test_study_status_and_disclosure_are_on_the_page(self, client):
        article = ArticleFactory(disclosure="Funded by the Wellcome Trust.\nOne author consults for Acme.")
        CitationFactory(article=article, study_status="preprint", title="A preprint about whales")
        CitationFactory(article=article, title="A paper about whales")
        html = client.get(article.get_absolute_url()).content.decode()
        # Every reference card carries its status badge, so a preprint stands out beside a peer-reviewed paper.
        assert '<p class="study-status status-preprint">Preprint (not yet peer-reviewed)</p>' in html
        assert '<p class="study-status status-peer_reviewed">Peer-reviewed paper</p>' in html
        assert '<h2 id="disclosure-heading">Funding and conflicts of interest</h2>' in html
        assert "Funded by the Wellcome Trust.<br>One author consults for Acme." in html


def test_workflow_pages_are_valid_html(client, editor, tmp_path):
    """The Nu HTML checker finds no error on the pages this workflow adds or changes."""
    from articles import workflow

    from .test_html_validity import nu_errors, vnu_command

    command = vnu_command()
    story = ArticleFactory(disclosure="Funded by the Wellcome Trust.\nNo conflicts.")
    CitationFactory(article=story, study_status="preprint")
    CorrectionFactory(article=story, text="A fix & a <note>.")
    CorrectionFactory(article=story, kind=CorrectionKind.UPDATE)
    draft = ArticleFactory(draft=True, embargo_until=timezone.now() + timedelta(days=1))
    expired = workflow.make_preview_link(ArticleFactory(draft=True), days=-1)
    published_since = workflow.make_preview_link(story)
    pages = {
        "corrections": (client, reverse("articles:corrections"), 200),
        "corrected-story": (client, story.get_absolute_url(), 200),
        "share-link": (client, workflow.make_preview_link(draft).url, 200),
        "share-link-expired": (client, expired.url, 410),
        "share-link-published": (client, published_since.url, 410),
    }
    files = []
    for name, (browser, url, status) in pages.items():
        response = browser.get(url)
        assert response.status_code == status, url
        path = tmp_path / f"{name}.html"
        path.write_bytes(response.content)
        files.append(str(path))
    client.force_login(editor)
    path = tmp_path / "staff-draft.html"
    path.write_bytes(client.get(draft.get_absolute_url()).content)
    files.append(str(path))
    assert nu_errors(command, files) == []
