"""The page cache's WSGI fast path (pagecache/wsgi.py) in front of the real Django application, on the real
database: it answers with Django's own bytes and headers, learns of every bump (from this process at once, from
another connection as soon as the notification arrives), and goes back to Django whenever it cannot be sure:
cookies, conditional requests, expiry, a scheduled story's time, a listener that lost its connection, a Host
Django never answered.

The tests commit for real (transactional database), because the content version moves after commits."""

import logging
import threading
from datetime import timedelta

import pytest
import time_machine
from django.core.handlers.wsgi import WSGIHandler
from django.db import connection
from django.test import RequestFactory
from django.utils import timezone

from articles.models import Article, Status
from pagecache.known import NotifiedVersion, version_source
from pagecache.wsgi import PageCacheFastPath

from .factories import ArticleFactory, full_story
from .waiting import wait_until

pytestmark = pytest.mark.django_db(transaction=True)

on_postgresql = pytest.mark.skipif(connection.vendor != "postgresql", reason="LISTEN/NOTIFY is PostgreSQL's")


class Site:
    """The fast path in front of Django's WSGI handler, as newsroom/wsgi.py builds it, counting the requests that
    reached Django."""

    def __init__(self, versions):
        self.django = WSGIHandler()
        self.reached_django = 0
        self.versions = versions
        self.app = PageCacheFastPath(self.counting, versions=versions)

    def counting(self, environ, start_response):
        self.reached_django += 1
        return self.django(environ, start_response)

    def call(self, app, path, method="GET", headers=None):
        environ = RequestFactory().generic(method, path, headers=headers or {}).environ
        answer = {}

        def start_response(status, response_headers, exc_info=None):
            answer["status"], answer["headers"] = status, list(response_headers)

        body = app(environ, start_response)
        answer["body"] = b"".join(body)
        if hasattr(body, "close"):
            body.close()
        return answer

    def get(self, path, method="GET", **headers):
        """(answer, whether Django handled it)."""
        before = self.reached_django
        answer = self.call(self.app, path, method, headers)
        return answer, self.reached_django > before

    def from_django(self, path, method="GET", **headers):
        """The same request through Django alone (no fast path), for comparison."""
        return self.call(self.django, path, method, headers)

    def warm(self, path, **headers):
        """Request path until the fast path answers it (the listener connects on first use)."""
        return wait_until(lambda: not self.get(path, **headers)[1])


@pytest.fixture
def site(settings):
    settings.PAGE_CACHE_SECONDS = 600
    settings.PAGE_CACHE_MAX_AGE = 60
    settings.PAGE_CACHE_TIERS = ["pages"]
    settings.ALLOWED_HOSTS = ["testserver"]
    versions = version_source()
    yield Site(versions)
    if isinstance(versions, NotifiedVersion):
        versions.stop()


ENCODINGS = ["", "gzip, deflate", "gzip, deflate, br", "br;q=0, gzip"]


class TestSameBytes:
    @pytest.mark.parametrize("accept", ENCODINGS)
    def test_a_hit_is_djangos_answer_byte_for_byte(self, site, accept):
        article = full_story()
        for path in ["/", article.get_absolute_url(), "/?page=1"]:
            assert site.warm(path, accept_encoding=accept), path
            fast, ran = site.get(path, accept_encoding=accept)
            assert not ran
            assert fast == site.from_django(path, accept_encoding=accept), path
            assert fast["status"] == "200 OK"

    def test_each_encoding_has_its_own_body_and_validator(self, site):
        article = full_story()
        url = article.get_absolute_url()
        answers = {}
        for accept in ["", "gzip", "br"]:
            assert site.warm(url, accept_encoding=accept)
            answers[accept] = dict(site.get(url, accept_encoding=accept)[0]["headers"])
        assert "Content-Encoding" not in answers[""]
        assert answers["gzip"]["Content-Encoding"] == "gzip" and answers["br"]["Content-Encoding"] == "br"
        assert len({headers["ETag"] for headers in answers.values()}) == 3
        assert all("Accept-Encoding" in headers["Vary"] for headers in answers.values())

    def test_head(self, site):
        article = ArticleFactory()
        url = article.get_absolute_url()
        assert site.warm(url)
        head, ran = site.get(url, method="HEAD")
        assert not ran
        # The same as Django's HEAD answer (the server drops the body), with the GET's Content-Length.
        assert head == site.from_django(url, method="HEAD")
        assert dict(head["headers"])["Content-Length"] == str(len(site.get(url)[0]["body"]))


class TestDjangoAnswers:
    def test_session_and_messages_cookies(self, site):
        article = ArticleFactory()
        url = article.get_absolute_url()
        assert site.warm(url)
        for cookie in ["sessionid=abc", "messages=xyz", "a=1; sessionid=abc", "csrftoken=1;messages=2"]:
            assert site.get(url, cookie=cookie)[1], cookie
        # Other cookies (a CSRF token from an earlier form, analytics) do not stop the fast path.
        assert not site.get(url, cookie="csrftoken=abc")[1]

    @pytest.mark.parametrize("accept", ["", "gzip, br"])
    def test_conditional_requests_get_djangos_answers(self, site, accept):
        article = ArticleFactory()
        url = article.get_absolute_url()
        assert site.warm(url, accept_encoding=accept)
        first = dict(site.get(url, accept_encoding=accept)[0]["headers"])
        old_date = "Mon, 01 Jan 2001 00:00:00 GMT"
        cases = [
            ({"if_none_match": first["ETag"]}, "304 Not Modified"),
            ({"if_modified_since": first["Last-Modified"]}, "304 Not Modified"),
            # An ETag that differs wins over a date that would match.
            ({"if_none_match": '"other"', "if_modified_since": first["Last-Modified"]}, "200 OK"),
            ({"if_modified_since": old_date}, "200 OK"),
            ({"if_match": '"something-else"'}, "412 Precondition Failed"),
            ({"if_unmodified_since": old_date}, "412 Precondition Failed"),
        ]
        for headers, status in cases:
            for _ in range(2):
                answer, ran = site.get(url, accept_encoding=accept, **headers)
            assert not ran, headers
            assert answer == site.from_django(url, accept_encoding=accept, **headers), headers
            assert answer["status"] == status, headers
        # Another encoding's validator does not match this one.
        other = site.get(url, accept_encoding="gzip" if not accept else "", if_none_match=first["ETag"])[0]
        assert other["status"] == "200 OK"

    def test_a_host_django_refuses_is_never_answered_here(self, site):
        article = ArticleFactory()
        url = article.get_absolute_url()
        assert site.warm(url)
        for _ in range(3):
            refused, ran = site.get(url, host="attacker.example")
            assert ran and refused["status"].startswith("400")
        # Nor another spelling of an allowed host that Django has not answered yet.
        assert site.get(url, host="testserver:80")[1]

    def test_other_methods_and_uncached_pages(self, site):
        ArticleFactory()
        assert site.warm("/")
        assert site.get("/", method="POST")[1]
        for _ in range(3):
            assert site.get("/admin/login/")[1]
            assert site.get("/no-such-page/")[1]

    def test_a_logged_in_render_is_never_kept(self, site, admin_client):
        article = full_story(status=Status.DRAFT, published_at=None, headline="Not out yet")
        url = article.get_absolute_url()
        cookie = f"sessionid={admin_client.cookies['sessionid'].value}"
        for _ in range(3):
            answer, ran = site.get(url, cookie=cookie)
            assert ran and b"Not out yet" in answer["body"]
        for _ in range(3):
            answer, ran = site.get(url)
            assert ran and answer["status"].startswith("404")


def unpublish(article):
    Article.objects.filter(pk=article.pk).update(status=Status.DRAFT)


class TestFreshness:
    def test_a_write_in_this_process_shows_on_the_next_request(self, site):
        article = ArticleFactory(headline="First words")
        url = article.get_absolute_url()
        assert site.warm(url)
        article.headline = "Second thoughts"
        article.save()
        assert b"Second thoughts" in site.get(url)[0]["body"]
        unpublish(article)
        assert site.get(url)[0]["status"].startswith("404")

    def test_a_write_from_another_connection_is_seen(self, site):
        article = ArticleFactory()
        url = article.get_absolute_url()
        assert site.warm(url)

        def elsewhere():
            unpublish(article)
            connection.close()

        worker = threading.Thread(target=elsewhere)
        worker.start()
        worker.join()
        assert wait_until(lambda: site.get(url)[0]["status"].startswith("404"))
        for _ in range(5):
            assert site.get(url)[0]["status"].startswith("404")

    def test_expired_pages_go_to_django(self, site):
        article = ArticleFactory()
        url = article.get_absolute_url()
        start = timezone.now()
        with time_machine.travel(start, tick=False):
            assert site.warm(url)
        with time_machine.travel(start + timedelta(seconds=601), tick=False):
            assert site.get(url)[1]

    def test_a_scheduled_story_appears_on_time(self, site):
        ArticleFactory(headline="Already out")
        start = timezone.now()
        ArticleFactory(headline="Embargoed discovery", published_at=start + timedelta(minutes=5))
        with time_machine.travel(start, tick=False):
            assert site.warm("/")
            assert b"Embargoed discovery" not in site.get("/")[0]["body"]
        with time_machine.travel(start + timedelta(minutes=4, seconds=30), tick=False):
            page, ran = site.get("/")
            assert not ran and b"Embargoed discovery" not in page["body"]
            # Browsers and CDNs are not told to keep it past the publication either, as Django would say.
            assert "max-age=30" in dict(page["headers"])["Cache-Control"]
            assert page == site.from_django("/")
        with time_machine.travel(start + timedelta(minutes=5, seconds=1), tick=False):
            page, ran = site.get("/")
            assert ran and b"Embargoed discovery" in page["body"]


@on_postgresql
class TestListener:
    def test_a_killed_listener_falls_back_to_django_then_recovers(self, site, caplog):
        article = ArticleFactory(headline="Before the outage")
        url = article.get_absolute_url()
        assert site.warm(url)
        dead = site.versions.backend_pid
        with caplog.at_level(logging.WARNING, logger="pagecache.known"):
            with connection.cursor() as cursor:
                cursor.execute("SELECT pg_terminate_backend(%s)", [dead])
            assert wait_until(lambda: any("listener disconnected" in r.getMessage() for r in caplog.records))

        # A bump while no one listens is not heard; the next request must still not be stale, whether it finds the
        # listener still down (Django's query) or back (it reads the value after listening).
        def elsewhere():
            Article.objects.filter(pk=article.pk).update(headline="During the outage")
            connection.close()

        worker = threading.Thread(target=elsewhere)
        worker.start()
        worker.join()
        assert b"During the outage" in site.get(url)[0]["body"]

        assert wait_until(lambda: site.versions.backend_pid not in (None, dead))
        assert site.warm(url)
        answer, ran = site.get(url)
        assert not ran and b"During the outage" in answer["body"]

    def test_until_the_listener_has_connected_every_hit_goes_to_django(self, site):
        article = ArticleFactory()
        url = article.get_absolute_url()
        assert site.warm(url)
        site.versions.stop()
        # This request starts a new listener, which trusts nothing until its first probe has come back.
        assert site.get(url)[1]
        assert site.warm(url)
