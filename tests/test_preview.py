"""Seeing unpublished stories: staff at the story's own URL, reviewers through an Editor's share link."""

import os
import re
import uuid
from datetime import timedelta

import pytest
import time_machine
from django.test import Client
from django.urls import reverse
from django.utils import timezone

from articles import workflow
from articles.models import ShareLink

from .external import redis_client
from .factories import ArticleFactory, UserFactory, full_story

pytestmark = pytest.mark.django_db


def assert_kept_out_of_caches(response):
    cache_control = response["Cache-Control"]
    assert "private" in cache_control and "no-store" in cache_control
    assert response["X-Robots-Tag"] == "noindex, nofollow"


class TestStaffPreview:
    def test_staff_see_a_draft_at_its_own_url_with_a_banner(
        self, editor_client, django_assert_max_num_queries
    ):
        article = full_story(status="draft", published_at=None, headline="Draft about comets")
        # Session, user and two permission look-ups, then the same 8 queries as the public page.
        with django_assert_max_num_queries(12):
            response = editor_client.get(article.get_absolute_url())
        assert response.status_code == 200
        html = response.content.decode()
        assert "Draft about comets" in html
        assert "<strong>Not published.</strong> This story is a draft" in html
        assert '<meta name="robots" content="noindex, nofollow">' in html
        assert "application/ld+json" not in html
        assert_kept_out_of_caches(response)

    def test_writers_preview_too(self, writer_client):
        article = ArticleFactory(draft=True)
        assert writer_client.get(article.get_absolute_url()).status_code == 200

    def test_scheduled_banner_names_the_time(self, editor_client):
        article = ArticleFactory(published_at=timezone.now() + timedelta(days=1))
        html = editor_client.get(article.get_absolute_url()).content.decode()
        assert "This story is scheduled, going live" in html

    @pytest.mark.parametrize("who", ["anonymous", "reader", "inactive-staff"])
    def test_everyone_else_gets_404(self, client, who):
        article = ArticleFactory(draft=True, headline="Secret comets")
        if who == "reader":
            client.force_login(UserFactory())
        elif who == "inactive-staff":
            client.force_login(UserFactory(is_staff=True, is_superuser=True, is_active=False))
        response = client.get(article.get_absolute_url())
        assert response.status_code == 404
        assert "Secret comets" not in response.content.decode()

    def test_published_story_has_no_banner_and_may_be_cached(self, editor_client):
        article = ArticleFactory()
        response = editor_client.get(article.get_absolute_url())
        assert "Not published" not in response.content.decode()
        assert "no-store" not in response.get("Cache-Control", "")


class TestShareLinks:
    def share_link(self, editor_client, article, days=7):
        """The link as an Editor makes it on the story's admin page: absolute, for pasting into an e-mail."""
        html = editor_client.post(
            reverse("admin:articles_article_share_make", args=[article.pk]), {"days": days}
        ).content.decode()
        return re.search(r'value="(http://testserver/preview/[^"]+)"', html).group(1)

    def test_reviewer_without_login_reads_the_draft(
        self, editor_client, client, django_assert_max_num_queries
    ):
        article = full_story(status="review", published_at=None, headline="Review me")
        url = self.share_link(editor_client, article)
        editor_client.logout()
        with django_assert_max_num_queries(7):
            response = client.get(url)
        assert response.status_code == 200
        html = response.content.decode()
        assert "Review me" in html and "You are reading it through a share link" in html
        assert response["Referrer-Policy"] == "no-referrer"
        assert_kept_out_of_caches(response)

    def test_embargo_does_not_stop_a_share_link(self, client):
        article = ArticleFactory(draft=True, embargo_until=timezone.now() + timedelta(days=2))
        response = client.get(workflow.make_preview_link(article).url)
        assert response.status_code == 200
        assert ", embargoed until " in response.content.decode()

    def test_read_only(self, client):
        link = workflow.make_preview_link(ArticleFactory(draft=True))
        assert client.post(link.url, {"headline": "Hacked"}).status_code == 405

    def test_expires(self, client, settings):
        settings.PREVIEW_LINK_DAYS = 3
        article = ArticleFactory(draft=True)
        link = workflow.make_preview_link(article)
        assert link.expires_at.date() == (timezone.now() + timedelta(days=3)).date()
        with time_machine.travel(link.expires_at - timedelta(seconds=1), tick=False):
            assert client.get(link.url).status_code == 200
        with time_machine.travel(link.expires_at, tick=False):
            response = client.get(link.url)
        assert response.status_code == 410
        assert "The link has expired" in response.content.decode()
        assert article.headline not in response.content.decode()
        assert_kept_out_of_caches(response)

    def test_stops_working_once_published(self, client, editor):
        article = ArticleFactory(draft=True, headline="Soon public")
        link = workflow.make_preview_link(article)
        article.status = "published"
        article.save()
        response = client.get(link.url)
        assert response.status_code == 410
        assert f'href="{article.get_absolute_url()}"' in response.content.decode()

    @pytest.mark.parametrize(
        "tamper",
        [
            lambda token: token[:-2] + ("AA" if not token.endswith("AA") else "BB"),
            lambda token: token[:-1],
            lambda token: "<script>alert(1)<script>",
        ],
        ids=["changed", "cut-short", "garbage"],
    )
    def test_tampered_links_are_404(self, client, tamper):
        article = ArticleFactory(draft=True, headline="Tamper target")
        token = workflow.make_preview_link(article).key
        response = client.get(reverse("articles:preview", kwargs={"token": tamper(token)}))
        assert response.status_code == 404
        assert "Tamper target" not in response.content.decode()

    def test_editor_chooses_the_lifetime_and_revokes(self, editor_client, client):
        article = ArticleFactory(draft=True, headline="Revocable")
        url = self.share_link(editor_client, article, days=1)
        link = ShareLink.objects.get()
        assert link.expires_at.date() == (timezone.now() + timedelta(days=1)).date()
        assert client.get(url).status_code == 200
        response = editor_client.post(
            reverse("admin:articles_article_share_revoke", args=[article.pk, link.pk])
        )
        assert "No working link." in response.content.decode()
        link.refresh_from_db()
        assert link.revoked_by is not None
        response = client.get(url)
        assert response.status_code == 410
        assert "has withdrawn it" in response.content.decode()
        assert "Revocable" not in response.content.decode()

    def test_writers_cannot_make_or_revoke_links(self, writer_client):
        article = ArticleFactory(draft=True)
        link = workflow.make_preview_link(article)
        make = reverse("admin:articles_article_share_make", args=[article.pk])
        assert writer_client.post(make, {"days": 7}).status_code == 403
        revoke = reverse("admin:articles_article_share_revoke", args=[article.pk, link.pk])
        assert writer_client.post(revoke).status_code == 403
        link.refresh_from_db()
        assert link.revoked_at is None and ShareLink.objects.count() == 1

    def test_link_for_a_deleted_story_is_404(self, client):
        article = ArticleFactory(draft=True)
        link = workflow.make_preview_link(article)
        article.delete()
        assert client.get(link.url).status_code == 404


class TestDraftsStayPrivate:
    def test_drafts_never_listed_even_after_staff_viewed_them(self, editor_client, client):
        draft = ArticleFactory(
            draft=True,
            headline="Unlisted draft",
            slug="unlisted-draft",
            tags=["comets"],
            body="<p>Zyxcomet.</p>",
        )
        scheduled = ArticleFactory(
            published_at=timezone.now() + timedelta(hours=2), headline="Unlisted later"
        )
        for story in (draft, scheduled):
            assert editor_client.get(story.get_absolute_url()).status_code == 200
        editor_client.logout()
        # A section or tag only drafts use has no page at all.
        for url in (draft.section.get_absolute_url(), "/tag/comets/"):
            assert client.get(url).status_code == 404, url
        urls = [
            "/",
            reverse("articles:corrections"),
            reverse("articles:corrections_feed"),
            reverse("articles:feed-rss"),
            reverse("articles:feed-atom"),
            "/search/?q=zyxcomet",
            "/sitemap-stories.xml",
            "/news-sitemap.xml",
        ]
        for url in urls:
            response = client.get(url)
            assert response.status_code == 200, url
            body = response.content.decode()
            assert "Unlisted" not in body and "unlisted-draft" not in body, url


@pytest.fixture
def redis_page_cache(settings):
    """A cache that obeys HTTP headers (Django's cache middleware, standing in for a CDN) in front of the site,
    stored in a real Redis; yields the pages it stored. The site's own page cache is tested in
    test_production_cache.py."""
    url = os.environ.get("REDIS_TEST_URL", "redis://127.0.0.1:6379/9")
    server = redis_client(url)
    prefix = f"newsroom-test-{uuid.uuid4().hex}"
    settings.CACHES = {
        "default": {
            "BACKEND": "django.core.cache.backends.redis.RedisCache",
            "LOCATION": url,
            "KEY_PREFIX": prefix,
        }
    }
    settings.MIDDLEWARE = [
        "django.middleware.cache.UpdateCacheMiddleware",
        *settings.MIDDLEWARE,
        "django.middleware.cache.FetchFromCacheMiddleware",
    ]
    settings.CACHE_MIDDLEWARE_SECONDS = 300
    yield lambda: server.keys(f"{prefix}:*views.decorators.cache.*")
    for key in server.scan_iter(f"{prefix}:*"):
        server.delete(key)


def test_unpublished_pages_never_enter_a_shared_cache(editor_client, redis_page_cache):
    draft = ArticleFactory(draft=True, headline="Cached draft?")
    assert editor_client.get(draft.get_absolute_url()).status_code == 200
    reviewer = Client()
    assert reviewer.get(workflow.make_preview_link(draft).url).status_code == 200
    assert redis_page_cache() == []
    response = reviewer.get(draft.get_absolute_url())
    assert response.status_code == 404 and "Cached draft?" not in response.content.decode()
    # The cache does work: a published story read by a reader is stored.
    assert reviewer.get(ArticleFactory().get_absolute_url()).status_code == 200
    assert redis_page_cache() != []
