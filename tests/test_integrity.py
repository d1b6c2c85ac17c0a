"""Nothing unpublished, stale or broken reaches a reader: one test per defect found by attacking a production-like
deployment (dates, tags, imports, XML, revert, NUL bytes, drafts leaking through people and tags, history)."""

import json
from datetime import UTC, datetime, timedelta

import pytest
from defusedxml.ElementTree import fromstring
from django.db import IntegrityError, connection, transaction
from django.utils import timezone
from reversion.models import Version
from taggit.models import Tag

from articles.models import Article, Status
from articles.sanitize import clean_html
from articles.search import attach_snippets

from .admin_client import edit
from .factories import (
    ArticleFactory,
    BylineFactory,
    CitationFactory,
    CorrectionFactory,
    QuoteFactory,
    SpeakerFactory,
)
from .importing import Run, row_counts

pytestmark = pytest.mark.django_db

PUBLIC_PAGES = [
    "/",
    "/robots.txt",
    "/feeds/rss/",
    "/feeds/atom/",
    "/corrections/",
    "/corrections/feed/",
    "/sitemap.xml",
    "/sitemap-stories.xml",
    "/sitemap-tags.xml",
    "/sitemap-sections.xml",
    "/sitemap-authors.xml",
    "/news-sitemap.xml",
]


def write_json(tmp_path, *stories):
    path = tmp_path / "stories.json"
    path.write_text(json.dumps(list(stories)), encoding="utf-8")
    return path


class TestDateRange:
    def test_an_import_from_year_one_is_refused_by_field(self, tmp_path, client):
        path = write_json(
            tmp_path,
            {
                "headline": "From the dawn of time",
                "status": "published",
                "published_at": "0001-01-01T00:00:00+14:00",
            },
        )
        before = row_counts()
        run = Run(path)
        assert not run.ok
        assert run.errors == [
            f"{path}:item 1: published_at: 0001-01-01T00:00:00+14:00 is not between 1900 and 2199"
        ]
        assert row_counts() == before

    def test_a_year_9999_embargo_is_refused_in_the_admin_and_by_the_database(self, editor_client):
        article = ArticleFactory(draft=True)
        response = edit(editor_client, article, embargo_until=datetime(9999, 12, 30, tzinfo=UTC))
        assert response.status_code == 200
        assert response.context["adminform"].form.errors["embargo_until"] == [
            "Give a date between 1900 and 2199."
        ]
        with pytest.raises(IntegrityError), transaction.atomic():
            Article.objects.filter(pk=article.pk).update(embargo_until=datetime(9999, 12, 30, tzinfo=UTC))
        with pytest.raises(IntegrityError), transaction.atomic():
            CorrectionFactory(article=article, created_at=datetime(1, 1, 2, tzinfo=UTC))

    def test_every_page_answers_with_dates_at_both_ends_of_the_range(self, client):
        ArticleFactory(published_at=datetime(1900, 1, 1, tzinfo=UTC), tags=["old"])
        ArticleFactory(draft=True, embargo_until=datetime(2199, 12, 31, 23, tzinfo=UTC))
        for page in PUBLIC_PAGES:
            assert client.get(page).status_code == 200, page


class TestTagsWithoutLetters:
    @pytest.mark.parametrize("name", ["!!!", "🐋🐋", "-"])
    def test_a_punctuation_tag_gets_a_working_slug(self, client, name):
        story = ArticleFactory(tags=[name])
        tag = Tag.objects.get(name=name)
        assert tag.slug.startswith("tag-")
        assert client.get(story.get_absolute_url()).status_code == 200
        assert client.get("/sitemap-tags.xml").status_code == 200
        assert client.get(f"/tag/{tag.slug}/").status_code == 200

    def test_through_import(self, tmp_path, client):
        run = Run(write_json(tmp_path, {"headline": "Whales", "status": "published", "tags": ["???"]}))
        assert run.ok, run.err
        assert client.get(Article.objects.get().get_absolute_url()).status_code == 200


class TestImports:
    def test_published_with_a_future_embargo_is_refused(self, tmp_path):
        embargo = (timezone.now() + timedelta(days=3)).isoformat()
        path = write_json(tmp_path, {"headline": "Too soon", "status": "published", "embargo_until": embargo})
        run = Run(path)
        assert not run.ok and run.errors[0].startswith(
            f"{path}:item 1: embargo_until: the story is published but "
        )
        assert not Article.objects.published().exists() and not Article.objects.exists()

    def test_the_status_option_counts_too(self, tmp_path):
        embargo = (timezone.now() + timedelta(days=3)).isoformat()
        run = Run(
            write_json(tmp_path, {"headline": "Too soon", "embargo_until": embargo}), "--status", "published"
        )
        assert not run.ok and not Article.objects.exists()

    def test_symlinks_inside_a_folder_are_refused_by_name(self, tmp_path):
        folder = tmp_path / "in"
        folder.mkdir()
        secret = tmp_path / "secret.txt"
        secret.write_text("Password: hunter2\n\nDATABASE_URL=postgres://prod\n")
        (folder / "passwd.txt").symlink_to(secret)
        (folder / "elsewhere").symlink_to(tmp_path, target_is_directory=True)
        (folder / "real.txt").write_text("A real story\n\nIts body.\n")
        run = Run(folder)
        assert sorted(run.errors) == [
            f"{folder / 'elsewhere'}: a symbolic link: refused, because an import reads only the files inside "
            "the folders it is given",
            f"{folder / 'passwd.txt'}: a symbolic link: refused, because an import reads only the files inside "
            "the folders it is given",
        ]
        assert list(Article.objects.values_list("headline", flat=True)) == ["A real story"]
        assert not Article.objects.filter(body__contains="hunter2").exists()

    def test_a_password_protected_wordpress_post_stays_a_draft_with_a_note(self, tmp_path):
        path = tmp_path / "wp.xml"
        path.write_text(
            '<?xml version="1.0" encoding="UTF-8"?><rss version="2.0" '
            'xmlns:content="http://purl.org/rss/1.0/modules/content/" xmlns:wp="http://wordpress.org/export/1.2/">'
            "<channel><title>Blog</title><link>https://blog.example.org</link><item><title>Members only</title>"
            "<content:encoded><![CDATA[<p>Secret.</p>]]></content:encoded><wp:post_id>7</wp:post_id>"
            "<wp:post_date_gmt>2025-01-01 00:00:00</wp:post_date_gmt><wp:status>publish</wp:status>"
            "<wp:post_type>post</wp:post_type><wp:post_password>letmein</wp:post_password></item></channel></rss>"
        )
        run = Run(path, "--status", "published")
        assert run.ok, run.err
        assert Article.objects.get().status == Status.DRAFT
        assert (
            f"{path}:item 1 (post 7): “Members only” kept as a draft: password-protected in WordPress"
            in run.out
        )


class TestControlCharacters:
    def test_every_feed_and_sitemap_survives_a_vertical_tab(self, client):
        story = ArticleFactory(headline="Pasted\x0bfrom Word", standfirst="Also\x0chere", tags=["ta\x0bg"])
        CorrectionFactory(article=story, text="An earlier version\x0b misspelt it.")
        for page in [*PUBLIC_PAGES, "/tag/tag/rss/", f"/section/{story.section.slug}/atom/"]:
            response = client.get(page)
            assert response.status_code in (200, 404), page
            if response.status_code == 200 and "xml" in response["Content-Type"]:
                fromstring(response.content)  # well-formed
        assert "\x0b" not in client.get("/corrections/feed/").content.decode()


class TestRevert:
    def test_reverting_a_published_story_to_an_unpublishable_version_is_refused(self, editor_client):
        story = ArticleFactory(draft=True, standfirst="")
        edit(editor_client, story, headline="Bare draft")  # the first version: no standfirst, no byline
        BylineFactory(article=story)
        story.refresh_from_db()
        assert edit(editor_client, story, standfirst="Ready now.", status=Status.PUBLISHED).status_code == 302
        bare = Version.objects.get_for_object(story).order_by("pk").first()
        response = editor_client.post(f"/admin/articles/article/{story.pk}/history/{bare.pk}/", follow=True)
        assert "Could not revert: that version can&#x27;t be published as it stands (Add a standfirst." in (
            response.content.decode()
        )
        story.refresh_from_db()
        assert story.is_public and story.standfirst == "Ready now." and story.bylines.count() == 1


class TestNulBytes:
    @pytest.mark.parametrize(
        "page",
        [
            "/story/a%00b/",
            "/tag/%00/",
            "/author/%00/",
            "/speaker/%00/",
            "/tag/%00/rss/",
            "/author/%00/atom/",
            "/story/a%00b/cite.bib",
            "/section/%00/",
        ],
    )
    def test_a_nul_in_any_part_of_an_address_is_a_404(self, client, page):
        assert client.get(page).status_code == 404


class TestDraftsDoNotLeak:
    def test_a_speaker_quoted_only_in_drafts_has_no_page(self, client):
        speaker = QuoteFactory(
            article=ArticleFactory(draft=True), speaker=SpeakerFactory(name="Dr Secret")
        ).speaker
        embargoed = ArticleFactory(published_at=timezone.now() + timedelta(days=1))
        other = QuoteFactory(article=embargoed, speaker=SpeakerFactory(name="Prof Embargo")).speaker
        for person in (speaker, other):
            assert client.get(person.get_absolute_url()).status_code == 404
        QuoteFactory(article=ArticleFactory(), speaker=speaker)
        assert client.get(speaker.get_absolute_url()).status_code == 200

    def test_tags_sections_and_authors_only_of_drafts_have_no_pages_feeds_or_sitemap_entries(self, client):
        story = ArticleFactory(draft=True, tags=["secret-project"])
        byline = BylineFactory(article=story)
        for page in [
            "/tag/secret-project/",
            "/tag/secret-project/rss/",
            f"/section/{story.section.slug}/",
            f"/section/{story.section.slug}/atom/",
            f"/author/{byline.author.slug}/",
            f"/author/{byline.author.slug}/rss/",
        ]:
            assert client.get(page).status_code == 404, page
        for sitemap in ("/sitemap-tags.xml", "/sitemap-sections.xml", "/sitemap-authors.xml"):
            body = client.get(sitemap).content.decode()
            assert (
                "secret-project" not in body
                and story.section.slug not in body
                and byline.author.slug not in body
            )


class TestHistoryPage:
    def test_its_styles_are_a_file_the_csp_allows_and_the_body_diff_shows_words(self, editor_client):
        story = ArticleFactory(draft=True, body="<p>The whale sang at dawn.</p>")
        edit(editor_client, story, body="<p>The whale sang at noon.</p>")
        story.refresh_from_db()
        edit(editor_client, story, body="<p>The whale sang at dusk.</p>")
        first = Version.objects.get_for_object(story).order_by("pk").first()
        html = editor_client.get(f"/admin/articles/article/{story.pk}/history/{first.pk}/").content.decode()
        assert "<style>" not in html and "css/history.css" in html
        assert "<del>noon.</del>" in html and "&lt;p&gt;" not in html


class TestSmallOnes:
    @pytest.mark.skipif(connection.vendor != "postgresql", reason="the database's snippets are PostgreSQL's")
    def test_private_use_marks_in_a_body_never_become_tags(self, client):
        ArticleFactory(
            standfirst="", body="<p>whale \ue000<script>x</script>\ue001 and &#xe000;song&#xe001;</p>"
        )
        html = client.get("/search/?q=whale").content.decode()
        assert html.count("<mark>") == html.count("</mark>") == 1

    def test_private_use_marks_in_the_fallback_snippets_never_become_tags(self):
        story = ArticleFactory(standfirst="whale \ue000song\ue001 &#xe000;b&#xe001;")
        [snippet] = [a.snippet for a in attach_snippets([story], "whale")]
        assert snippet.count("<mark>") == 1

    def test_blockquote_cite_is_http_only(self):
        assert (
            clean_html('<blockquote cite="javascript:alert(1)">Q</blockquote>')
            == "<blockquote>Q</blockquote>"
        )
        kept = '<blockquote cite="https://example.org/">Q</blockquote>'
        assert clean_html(kept) == kept

    def test_pmids_are_ascii_digits(self):
        citation = CitationFactory.build(article=ArticleFactory(), pmid="١٢٣")
        with pytest.raises(Exception, match="PMID"):
            citation.full_clean()
        CitationFactory.build(article=citation.article, pmid="123").full_clean()
