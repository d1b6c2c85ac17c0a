"""The public page cache: a hit costs one small query (the content version), every kind of edit shows on the next
request, scheduled stories appear on time, pages are compressed and HTTP revalidation answers 304, staff are never
served or stored, and Redis going away, even in the middle of an unpublish, costs only speed. Each behaviour runs
against the local-memory tier alone and with the real Redis on 127.0.0.1 behind it.

The tests commit for real (transactional database), because the content version moves after commits."""

import gzip
import logging
import threading
import time
import uuid
from datetime import timedelta

import brotli
import pytest
import time_machine
from django.core.cache import caches
from django.db import connection, transaction
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone
from django.utils.http import http_date
from taggit.models import Tag

from articles import workflow
from articles.models import (
    Article,
    Author,
    Byline,
    Citation,
    Correction,
    Quote,
    ShareLink,
    Speaker,
    Status,
    WorkingCopy,
)
from newsroom.health import cache_ok
from pagecache.versions import current_content_version

from .external import redis_client
from .factories import ArticleFactory, AuthorFactory, BylineFactory, UserFactory, full_story

pytestmark = pytest.mark.django_db(transaction=True)

REDIS_TEST_URL = "redis://127.0.0.1:6379/5"
CLOSED_PORT_URL = "redis://127.0.0.1:8199/5"


def redis_cache_settings(location, prefix):
    return {
        "default": {
            "BACKEND": "django_redis.cache.RedisCache",
            "LOCATION": location,
            "KEY_PREFIX": prefix,
            "OPTIONS": {"SOCKET_CONNECT_TIMEOUT": 0.5, "SOCKET_TIMEOUT": 0.5, "IGNORE_EXCEPTIONS": True},
        },
        "pages": {"BACKEND": "django.core.cache.backends.locmem.LocMemCache", "LOCATION": "pages"},
    }


@pytest.fixture(params=["locmem", "redis"])
def page_cache(request, settings):
    """The page cache switched on, over local memory or the real Redis (skipped when Redis is not running)."""
    settings.PAGE_CACHE_SECONDS = 600
    settings.PAGE_CACHE_MAX_AGE = 60
    if request.param == "locmem":
        yield request.param
        return
    client = redis_client(REDIS_TEST_URL)
    prefix = f"nr-test-{uuid.uuid4().hex[:12]}"
    settings.CACHES = redis_cache_settings(REDIS_TEST_URL, prefix)
    settings.PAGE_CACHE_TIERS = ["pages", "default"]
    yield request.param
    for key in client.scan_iter(f"{prefix}:*"):
        client.delete(key)


def html(response):
    return response.content.decode()


class TestHits:
    def test_second_anonymous_request_costs_one_version_read(
        self, client, page_cache, django_assert_num_queries
    ):
        article = full_story()
        for url in ["/", article.get_absolute_url(), reverse("articles:tag", args=["tag-0"])]:
            first = client.get(url)
            with django_assert_num_queries(1):
                second = client.get(url)
            assert second.status_code == 200
            assert second.content == first.content
            assert article.headline in html(second)

    def test_public_page_headers(self, client, page_cache):
        article = ArticleFactory()
        for attempt in range(2):  # rendered, then from the cache
            response = client.get(article.get_absolute_url())
            assert response["ETag"].startswith('"'), attempt
            assert response["Last-Modified"]
            assert "public" in response["Cache-Control"]
            assert "max-age=60" in response["Cache-Control"]
            assert response["X-Content-Type-Options"] == "nosniff"
            assert "script-src 'self'" in response["Content-Security-Policy"]
        for attempt in range(2):  # over HTTPS (a key of its own): HSTS is stored and replayed too
            response = client.get(article.get_absolute_url(), secure=True)
            assert response["Strict-Transport-Security"].startswith("max-age="), attempt
            assert response["Referrer-Policy"] == "strict-origin-when-cross-origin"

    def test_query_string_is_a_different_page(self, client, page_cache):
        ArticleFactory.create_batch(21)
        first, second = client.get("/"), client.get("/?page=2")
        assert first.content != second.content
        assert "Page 2 of 2" in html(client.get("/?page=2"))


def rendered(client, url, **kwargs):
    """Fetch url and report whether the view ran (read the stories; a kept home page reads nothing else) rather
    than the cache."""
    with CaptureQueriesContext(connection) as queries:
        response = client.get(url, **kwargs)
    return response, any(Article._meta.db_table in query["sql"] for query in queries)


class TestNeverCached:
    def test_staff_are_never_served_a_cached_page(self, client, page_cache):
        article = ArticleFactory()
        client.get(article.get_absolute_url())  # cached for anonymous readers
        client.force_login(UserFactory(is_staff=True))
        response, ran = rendered(client, article.get_absolute_url())
        assert ran
        assert "private" in response["Cache-Control"] and "public" not in response["Cache-Control"]

    def test_logged_in_render_is_not_stored_for_anonymous_readers(self, client, page_cache):
        article = ArticleFactory()
        client.force_login(UserFactory(is_staff=True))
        client.get(article.get_absolute_url())
        client.get(article.get_absolute_url())
        client.logout()
        _response, ran = rendered(client, article.get_absolute_url())
        assert ran

    def test_any_session_cookie_bypasses_the_cache(self, client, page_cache):
        article = ArticleFactory()
        client.get(article.get_absolute_url())
        client.cookies["sessionid"] = "not-a-real-session"
        _response, ran = rendered(client, article.get_absolute_url())
        assert ran

    def test_missing_pages_and_other_verbs_are_not_cached(self, client, page_cache):
        draft = ArticleFactory(draft=True)
        for _ in range(2):
            response, ran = rendered(client, draft.get_absolute_url())
            assert response.status_code == 404 and ran
        assert "public" not in client.post("/").get("Cache-Control", "")

    def test_share_preview_links_are_never_cached(self, client, page_cache):
        draft = full_story(status=Status.DRAFT, published_at=None, headline="Unpublished comet story")
        link = workflow.make_preview_link(draft)
        for _ in range(2):
            response, ran = rendered(client, link.url)
            assert response.status_code == 200 and ran
            assert "Unpublished comet story" in html(response)
            assert "public" not in response["Cache-Control"]

    def test_staff_render_of_a_draft_is_never_stored(self, client, page_cache):
        draft = full_story(status=Status.DRAFT, published_at=None)
        client.force_login(UserFactory(is_staff=True, is_superuser=True))
        assert client.get(draft.get_absolute_url()).status_code == 200
        client.logout()
        assert client.get(draft.get_absolute_url()).status_code == 404

    def test_admin_is_not_cached(self, client, page_cache):
        client.get(reverse("admin:login"))
        response = client.get(reverse("admin:login"))
        assert "ETag" not in response
        assert "public" not in response.get("Cache-Control", "")

    def test_page_cache_off(self, client, settings):
        settings.PAGE_CACHE_SECONDS = 0
        ArticleFactory()
        client.get("/")
        response, ran = rendered(client, "/")
        assert ran
        assert "ETag" not in response


def change_headline(article):
    article.headline = "Changed headline"
    article.save()
    return "Changed headline"


def unpublish_with_update(article):
    Article.objects.filter(pk=article.pk).update(status=Status.DRAFT)
    return None


def delete_story(article):
    article.delete()
    return None


def change_quote(article):
    Quote.objects.filter(article=article).update(text="A completely new quotation")
    return "A completely new quotation"


def add_quote(article):
    Quote.objects.create(
        article=article, position=99, text="Freshly added words", speaker=Speaker.objects.first()
    )
    return "Freshly added words"


def change_speaker(article):
    speaker = article.quotes.first().speaker
    speaker.name = "Renamed Speaker"
    speaker.save()
    return "Renamed Speaker"


def change_citation(article):
    citation = article.citations.first()
    citation.journal = "Journal of Fresh Results"
    citation.save()
    return "Journal of Fresh Results"


def bulk_add_citation(article):
    Citation.objects.bulk_create([Citation(article=article, position=50, title="Bulk-created reference")])
    return "Bulk-created reference"


def rename_author(article):
    Author.objects.filter(bylines__article=article).update(name="Renamed Author")
    return "Renamed Author"


def add_byline(article):
    BylineFactory(article=article, author=AuthorFactory(name="Newly Credited Author"), position=9)
    return "Newly Credited Author"


def remove_bylines(article):
    names = [author.name for author in article.byline_authors]
    Byline.objects.filter(article=article).delete()
    return lambda page: not any(name in page for name in names)


def add_tag(article):
    article.tags.add("freshly-tagged")
    return "freshly-tagged"


def remove_tags(article):
    article.tags.clear()
    return lambda page: "tag-0" not in page


def rename_tag(article):
    Tag.objects.filter(name="tag-0").update(name="renamed tag")
    return "renamed tag"


def add_correction(article):
    Correction.objects.create(article=article, text="An earlier version misstated the trial size.")
    return "An earlier version misstated the trial size."


EDITS = [
    change_headline,
    unpublish_with_update,
    delete_story,
    change_quote,
    add_quote,
    change_speaker,
    change_citation,
    bulk_add_citation,
    rename_author,
    add_byline,
    remove_bylines,
    add_tag,
    remove_tags,
    rename_tag,
    add_correction,
]


class TestInvalidation:
    @pytest.mark.parametrize("edit", EDITS, ids=lambda edit: edit.__name__)
    def test_every_edit_shows_on_the_next_request(self, client, page_cache, edit):
        article = full_story(quotes=2, citations=1)
        url = article.get_absolute_url()
        before = client.get(url)
        assert client.get(url).content == before.content  # now served from the cache

        expected = edit(article)

        after = client.get(url)
        if expected is None:
            assert after.status_code == 404
        elif callable(expected):
            assert expected(html(after))
        else:
            assert expected in html(after)

    def test_home_shows_a_new_story_and_drops_an_unpublished_one(self, client, page_cache):
        old = ArticleFactory(headline="An older story")
        assert "An older story" in html(client.get("/"))
        ArticleFactory(headline="A brand-new story")
        Article.objects.filter(pk=old.pk).update(status=Status.DRAFT)
        page = html(client.get("/"))
        assert "A brand-new story" in page
        assert "An older story" not in page

    def test_commit_retires_pages_rendered_before_it(self, client, page_cache):
        """A page rendered between a write and its commit shows the old rows; the commit must make it stale."""
        article = ArticleFactory(headline="Before the transaction")
        before = current_content_version()
        with transaction.atomic():
            article.headline = "Edited in a transaction"
            article.save()
            article.tags.add("one", "two")  # more statements, same transaction
            assert current_content_version() == before, "no bump (and no lock) before the commit"
        assert current_content_version() == before + 1, "one bump at commit, however many statements"

    def test_rolled_back_writes_do_not_bump(self, client, page_cache):
        article = ArticleFactory()
        before = current_content_version()
        with pytest.raises(RuntimeError), transaction.atomic():
            Article.objects.filter(pk=article.pk).update(headline="Never committed")
            raise RuntimeError
        assert current_content_version() == before

    def test_write_from_another_connection_retires_cached_pages(self, client, page_cache):
        """Another process (a gunicorn worker, manage.py shell) shares nothing with this one but the database."""
        article = ArticleFactory()
        assert client.get(article.get_absolute_url()).status_code == 200

        def unpublish_elsewhere():
            Article.objects.filter(pk=article.pk).update(status=Status.DRAFT)
            connection.close()

        worker = threading.Thread(target=unpublish_elsewhere)
        worker.start()
        worker.join()
        assert client.get(article.get_absolute_url()).status_code == 404

    def test_unrelated_writes_keep_pages_cached(self, client, page_cache, django_assert_num_queries):
        article = ArticleFactory()
        client.get(article.get_absolute_url())
        UserFactory()  # not story content
        with django_assert_num_queries(1):
            client.get(article.get_absolute_url())

    def test_an_editors_autosave_and_share_links_keep_pages_cached(self, client, page_cache):
        article = ArticleFactory()
        editor = UserFactory(is_staff=True)
        client.get(article.get_absolute_url())
        before = current_content_version()
        # The editor page's presence heartbeat and its autosave both write the editor's working copy.
        copy = WorkingCopy.objects.create(article=article, user=editor, seen_at=timezone.now())
        copy.data = [["headline", "Typing more"]]
        copy.save()
        link = ShareLink.objects.create(article=article, created_by=editor, expires_at=timezone.now())
        link.delete()
        assert current_content_version() == before
        article.headline = "Saved for real"
        article.save()
        assert current_content_version() > before
        assert "Saved for real" in html(client.get(article.get_absolute_url()))


class TestSchedule:
    def test_scheduled_story_appears_on_time(self, client, page_cache):
        ArticleFactory(headline="Already out")
        start = timezone.now()
        ArticleFactory(headline="Embargoed discovery", published_at=start + timedelta(minutes=5))
        with time_machine.travel(start, tick=False):
            page = client.get("/")
            assert "Embargoed discovery" not in html(page)
            assert "Already out" in html(page)
            assert "max-age=60" in page["Cache-Control"]
        with time_machine.travel(start + timedelta(minutes=4, seconds=30), tick=False):
            page = client.get("/")
            assert "Embargoed discovery" not in html(page)
            # Browsers and CDNs are not told to keep it past the publication either.
            assert "max-age=30" in page["Cache-Control"]
        with time_machine.travel(start + timedelta(minutes=5, seconds=1), tick=False):
            assert "Embargoed discovery" in html(client.get("/"))

    def test_far_scheduled_story_does_not_shorten_a_short_lifetime(self, client, page_cache):
        ArticleFactory(published_at=timezone.now() + timedelta(days=3))
        ArticleFactory()
        assert "max-age=60" in client.get("/")["Cache-Control"]


class TestConditionalRequests:
    def test_etag_and_last_modified_answer_304(self, client, page_cache):
        article = ArticleFactory()
        first = client.get(article.get_absolute_url())
        by_etag = client.get(article.get_absolute_url(), headers={"if-none-match": first["ETag"]})
        assert by_etag.status_code == 304
        assert by_etag.content == b""
        by_date = client.get(
            article.get_absolute_url(), headers={"if-modified-since": first["Last-Modified"]}
        )
        assert by_date.status_code == 304

    def test_an_edit_ends_the_304s(self, client, page_cache):
        article = ArticleFactory()
        first = client.get(article.get_absolute_url())
        article.headline = "A corrected headline"
        article.save()
        again = client.get(article.get_absolute_url(), headers={"if-none-match": first["ETag"]})
        assert again.status_code == 200
        assert again["ETag"] != first["ETag"]

    def test_unchanged_page_keeps_its_validators_across_unrelated_edits(self, client, page_cache):
        article, other = ArticleFactory(), ArticleFactory()
        first = client.get(article.get_absolute_url())
        other.disclosure = "Funded by a grant."
        other.save()
        again = client.get(article.get_absolute_url(), headers={"if-none-match": first["ETag"]})
        assert again.status_code == 304
        assert again["Last-Modified"] == first["Last-Modified"]

    def test_old_date_gets_the_page(self, client, page_cache):
        article = ArticleFactory()
        client.get(article.get_absolute_url())
        stale = http_date((timezone.now() - timedelta(days=1)).timestamp())
        assert client.get(article.get_absolute_url(), headers={"if-modified-since": stale}).status_code == 200


class TestRedisDown:
    @pytest.fixture
    def dead_redis(self, settings):
        settings.PAGE_CACHE_SECONDS = 600
        settings.CACHES = redis_cache_settings(CLOSED_PORT_URL, "nr-test-dead")
        settings.PAGE_CACHE_TIERS = ["pages", "default"]

    def test_pages_are_served_from_memory_with_a_warning(self, client, dead_redis, caplog):
        article = full_story()
        with caplog.at_level(logging.ERROR, logger="newsroom.cache"):
            for url in ["/", article.get_absolute_url(), "/", article.get_absolute_url()]:
                response = client.get(url)
                assert response.status_code == 200
                assert article.headline in html(response)
        assert any(record.name == "newsroom.cache" for record in caplog.records)
        _response, ran = rendered(client, "/")
        assert not ran, "this process's memory tier still serves it, checked against the database's version"

    def test_edits_still_save(self, client, dead_redis):
        article = full_story()
        article.headline = "Saved while Redis is down"
        article.save()
        article.tags.add("outage")
        assert "Saved while Redis is down" in html(client.get(article.get_absolute_url()))

    def test_healthz_reports_the_cache_down(self, client, dead_redis):
        response = client.get("/healthz")
        assert response.status_code == 503
        assert response.json() == {"status": "unavailable", "database": "ok", "cache": "down"}


class TestRedisBlip:
    """Redis stops answering while an Editor unpublishes; the save succeeds; Redis comes back."""

    @pytest.mark.parametrize("page_cache", ["redis"], indirect=True)
    def test_unpublished_story_is_gone_once_redis_answers_again(self, client, page_cache):
        old = ArticleFactory(headline="An older story")
        article = ArticleFactory(headline="Soon to be withdrawn")
        for url in (article.get_absolute_url(), "/"):
            assert client.get(url).status_code == 200
        caches["pages"].clear()  # as another worker or instance would be: only Redis holds the pages

        pauser = redis_client(REDIS_TEST_URL)
        pauser.execute_command("CLIENT", "PAUSE", 1500, "ALL")
        started = time.monotonic()
        Article.objects.filter(pk=article.pk).update(status=Status.DRAFT)
        assert time.monotonic() - started < 1.5, "the save must not wait for Redis"
        time.sleep(max(0, 1.6 - (time.monotonic() - started)))

        assert client.get(article.get_absolute_url()).status_code == 404
        home = html(client.get("/"))
        assert "Soon to be withdrawn" not in home
        assert old.headline in home


class TestTiers:
    @pytest.mark.parametrize("page_cache", ["redis"], indirect=True)
    def test_a_page_from_redis_is_kept_in_this_process(self, client, page_cache, django_assert_num_queries):
        article = ArticleFactory()
        first = client.get(article.get_absolute_url())
        caches["pages"].clear()
        with django_assert_num_queries(1):
            assert client.get(article.get_absolute_url()).content == first.content
        caches["default"].clear()
        with django_assert_num_queries(1):
            assert client.get(article.get_absolute_url()).content == first.content


class TestCompression:
    def test_gzip_and_brotli_where_accepted(self, client, page_cache):
        article = full_story()
        plain = client.get(article.get_absolute_url())
        assert "Content-Encoding" not in plain
        assert "Accept-Encoding" in plain["Vary"]
        for _attempt in range(2):  # rendered, then from the cache
            zipped = client.get(article.get_absolute_url(), headers={"accept-encoding": "gzip, deflate"})
            assert zipped["Content-Encoding"] == "gzip"
            assert gzip.decompress(zipped.content) == plain.content
            assert int(zipped["Content-Length"]) == len(zipped.content) < len(plain.content)
            squeezed = client.get(article.get_absolute_url(), headers={"accept-encoding": "gzip, br"})
            assert squeezed["Content-Encoding"] == "br"
            assert brotli.decompress(squeezed.content) == plain.content
            refused = client.get(article.get_absolute_url(), headers={"accept-encoding": "br;q=0, gzip"})
            assert refused["Content-Encoding"] == "gzip"
        assert len({plain["ETag"], zipped["ETag"], squeezed["ETag"]}) == 3

    def test_compressed_pages_answer_304(self, client, page_cache):
        article = ArticleFactory()
        zipped = client.get(article.get_absolute_url(), headers={"accept-encoding": "gzip"})
        again = client.get(
            article.get_absolute_url(),
            headers={"accept-encoding": "gzip", "if-none-match": zipped["ETag"]},
        )
        assert again.status_code == 304
        # The identity representation does not match the gzip one's validator.
        plain = client.get(article.get_absolute_url(), headers={"if-none-match": zipped["ETag"]})
        assert plain.status_code == 200


def test_concurrent_health_probes_never_report_a_false_503(page_cache):
    """Four probers at once, as several balancers would: each probe must read back its own value."""
    failures = []

    def probe():
        failures.extend(result for result in (cache_ok() for _ in range(100)) if not result)

    probers = [threading.Thread(target=probe) for _ in range(4)]
    for prober in probers:
        prober.start()
    for prober in probers:
        prober.join()
    assert failures == []


def test_healthz_ok(client, page_cache):
    response = client.get("/healthz")
    assert response.status_code == 200
    assert response.json() == {"status": "ok", "database": "ok", "cache": "ok"}
    assert "no-cache" in response["Cache-Control"]


class TestReaderPages:
    """Search, feeds, sitemaps, robots.txt and citation downloads are cached and invalidated like the rest."""

    def urls(self, article):
        citation = article.citations.first()
        return [
            reverse("articles:search") + "?q=science",
            reverse("articles:feed-rss"),
            reverse("articles:feed-atom"),
            reverse("articles:tag-rss", args=["tag-0"]),
            reverse("sitemap-index"),
            reverse("django.contrib.sitemaps.views.sitemap", args=["stories"]),
            reverse("news-sitemap"),
            reverse("articles:cite", args=[citation.pk, "bib"]),
        ]

    def test_cached_then_fresh_after_an_edit(self, client, page_cache, django_assert_num_queries):
        article = full_story(headline="Science of sleeping whales", citations=1)
        for url in self.urls(article):
            first = client.get(url)
            assert first.status_code == 200, url
            with django_assert_num_queries(1):
                assert client.get(url).content == first.content, url
        Article.objects.filter(pk=article.pk).update(status=Status.DRAFT)
        for url in self.urls(article)[:-1]:
            content = client.get(url).content
            assert article.headline.encode() not in content and article.slug.encode() not in content, url
        assert client.get(self.urls(article)[-1]).status_code == 404

    def test_news_sitemap_drops_a_story_on_time(self, client, page_cache):
        start = timezone.now()
        ArticleFactory(slug="two-days-old", published_at=start - timedelta(hours=47, minutes=59))
        with time_machine.travel(start, tick=False):
            response = client.get(reverse("news-sitemap"))
            assert b"two-days-old" in response.content
            assert "max-age=60" in response["Cache-Control"]
        with time_machine.travel(start + timedelta(minutes=2), tick=False):
            assert b"two-days-old" not in client.get(reverse("news-sitemap")).content
