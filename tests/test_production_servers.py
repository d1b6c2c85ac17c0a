"""Two real gunicorn instances with production settings, sharing the test database and the real Redis, as they
would behind a load balancer: an edit through one shows through the other on the next request; hits answered in
front of Django (the page cache's fast path) are Django's answers and still see edits made elsewhere; static files
are compressed, hashed and cached for a year; a dropped database connection is replaced without a restart.

The tests that watch PostgreSQL's connections skip on SQLite; all skip when Redis or gunicorn is not available."""

import http.client
import json
import os
import random
import re
import shutil
import signal
import socket
import subprocess
import sys
import time
import uuid
from pathlib import Path
from urllib.parse import urlencode

import pytest
import redis
from django.contrib.auth.hashers import PBKDF2PasswordHasher
from django.db import connection

from articles.models import Article, Status

from .external import redis_client, unavailable
from .factories import UserFactory, full_story
from .waiting import wait_until

ROOT = Path(__file__).resolve().parent.parent
REDIS_TEST_URL = "redis://127.0.0.1:6379/5"
# The site's public name, as the load balancer forwards it to every instance.
PUBLIC_HOST = "127.0.0.1"
PASSWORD = "correct horse battery staple"
PORTS = range(8150, 8200)

# The instances share the test database: PostgreSQL, or SQLite's test file (newsroom/test_settings.py), which is
# the embedded default a newcomer deploys with.
pytestmark = pytest.mark.django_db(transaction=True)


def free_port():
    for port in random.sample(PORTS, len(PORTS)):
        with socket.socket() as probe:
            try:
                probe.bind(("127.0.0.1", port))
            except OSError:
                continue
            return port
    unavailable("no free port in 8150-8199")


class Instance:
    """One gunicorn instance, spoken to as a TLS-terminating load balancer would (Host, X-Forwarded-Proto)."""

    def __init__(self, env, port, log):
        self.port = port
        self.process = subprocess.Popen(
            [sys.executable, "-m", "gunicorn", "-c", "gunicorn.conf.py"],
            cwd=ROOT,
            env={**env, "GUNICORN_BIND": f"127.0.0.1:{port}"},
            stdout=log,
            stderr=subprocess.STDOUT,
            start_new_session=True,
        )
        self.cookies = {}

    def request(self, method, path, body=None, headers=None):
        conn = http.client.HTTPConnection("127.0.0.1", self.port, timeout=10)
        sent = {"Host": PUBLIC_HOST, "X-Forwarded-Proto": "https", **(headers or {})}
        if self.cookies:
            sent["Cookie"] = "; ".join(f"{name}={value}" for name, value in self.cookies.items())
        conn.request(method, path, body=body, headers=sent)
        response = conn.getresponse()
        content = response.read()
        for header in response.headers.get_all("Set-Cookie") or []:
            name, value = header.split(";", 1)[0].split("=", 1)
            self.cookies[name] = value
        conn.close()
        return response, content

    def get(self, path, **headers):
        return self.request("GET", path, headers=headers)

    def post_form(self, path, data):
        origin = f"https://{PUBLIC_HOST}"
        data = {"csrfmiddlewaretoken": self.cookies["csrftoken"], **data}
        return self.request(
            "POST",
            path,
            body=urlencode(data, doseq=True),
            headers={
                "Content-Type": "application/x-www-form-urlencoded",
                "Origin": origin,
                "Referer": origin + path,
            },
        )

    def wait_until_up(self, seconds=20):
        deadline = time.monotonic() + seconds
        while time.monotonic() < deadline:
            if self.process.poll() is not None:
                return False
            try:
                response, _ = self.get("/healthz")
                return response.status == 200
            except OSError:
                time.sleep(0.1)
        return False

    def stop(self):
        if self.process.poll() is None:
            os.killpg(self.process.pid, signal.SIGTERM)
            try:
                self.process.wait(timeout=15)
            except subprocess.TimeoutExpired:
                os.killpg(self.process.pid, signal.SIGKILL)
                self.process.wait()


def database_url(db):
    """The address of the database under test, for another process."""
    if db["ENGINE"].endswith("sqlite3"):
        assert not connection.is_in_memory_db(), "instances cannot share an in-memory SQLite database"
        return f"sqlite:///{db['NAME']}"
    return f"postgres://{db['USER']}@{db['HOST']}:{db['PORT']}/{db['NAME']}"


def production_env(workdir, db, **overrides):
    """The environment of a production instance on this machine, with static files collected for it."""
    env = {
        **{key: value for key, value in os.environ.items() if key not in {"DJANGO_SETTINGS_MODULE", "DEBUG"}},
        "DJANGO_SETTINGS_MODULE": "newsroom.settings",
        "DEBUG": "0",
        "SECRET_KEY": "two-instances-test-secret-key-aX93kq-not-used-anywhere-else",
        "ALLOWED_HOSTS": PUBLIC_HOST,
        "SECURE_SSL_REDIRECT": "0",
        "DATABASE_URL": database_url(db),
        "STATIC_ROOT": str(workdir / "static"),
        "MEDIA_ROOT": str(workdir / "media"),
        # These tests are about the page cache; logins with a second factor have their own.
        "TWO_FACTOR_REQUIRED_FOR_EDITORS": "0",
        **overrides,
    }
    if db.get("PASSWORD"):
        env["PGPASSWORD"] = db["PASSWORD"]
    collected = subprocess.run(
        [sys.executable, "manage.py", "collectstatic", "--noinput", "-v0"],
        cwd=ROOT,
        env=env,
        capture_output=True,
        text=True,
    )
    assert collected.returncode == 0, collected.stderr
    return env


def require_gunicorn():
    if shutil.which("gunicorn", path=str(Path(sys.executable).parent)) is None:
        unavailable("gunicorn is not installed beside this Python")


@pytest.fixture(scope="module")
def instances(django_db_setup, django_db_blocker, tmp_path_factory):
    """Two instances on their own ports, one gunicorn worker each, sharing PostgreSQL and Redis."""
    redis_client(REDIS_TEST_URL)
    require_gunicorn()
    with django_db_blocker.unblock():
        db = connection.settings_dict
    workdir = tmp_path_factory.mktemp("instances")
    prefix = f"nr-test-{uuid.uuid4().hex[:12]}"
    env = production_env(workdir, db, REDIS_URL=REDIS_TEST_URL, CACHE_KEY_PREFIX=prefix, WEB_CONCURRENCY="1")
    log_path = workdir / "gunicorn.log"
    with log_path.open("w") as log:
        started = [Instance(env, free_port(), log) for _ in range(2)]
        try:
            if not all(instance.wait_until_up() for instance in started):
                unavailable(f"gunicorn did not start: {log_path.read_text()[-2000:]}")
            yield started
        finally:
            for instance in started:
                instance.stop()
            client = redis.Redis.from_url(REDIS_TEST_URL)
            for key in client.scan_iter(f"{prefix}:*"):
                client.delete(key)


@pytest.fixture(scope="module")
def embedded_instance(django_db_setup, django_db_blocker, tmp_path_factory):
    """The default setup: no REDIS_URL, so each of the three gunicorn workers caches pages in its own memory."""
    require_gunicorn()
    with django_db_blocker.unblock():
        db = connection.settings_dict
    workdir = tmp_path_factory.mktemp("embedded")
    env = production_env(workdir, db, WEB_CONCURRENCY="3")
    env.pop("REDIS_URL", None)
    log_path = workdir / "gunicorn.log"
    with log_path.open("w") as log:
        instance = Instance(env, free_port(), log)
        try:
            if not instance.wait_until_up():
                unavailable(f"gunicorn did not start: {log_path.read_text()[-2000:]}")
            yield instance
        finally:
            instance.stop()


@pytest.fixture(autouse=True)
def anonymous(request):
    """Each test on the two instances starts as an anonymous reader on both."""
    if "instances" in request.fixturenames:
        for instance in request.getfixturevalue("instances"):
            instance.cookies.clear()


def log_in(instance, user):
    # The instances run the production password hashers; the test settings' fast MD5 hash would not verify there.
    user.password = PBKDF2PasswordHasher().encode(PASSWORD, "testsalt", iterations=1000)
    user.save()
    instance.get("/admin/login/")
    response, _ = instance.post_form(
        "/admin/login/", {"username": user.username, "password": PASSWORD, "next": "/admin/"}
    )
    assert response.status == 302, "admin login failed"
    assert "sessionid" in instance.cookies


def test_an_edit_through_one_instance_shows_through_the_other(instances):
    editor_side, reader_side = instances
    story = full_story(headline="Octopuses dream in colour")
    url = story.get_absolute_url()
    for _ in range(2):  # rendered once, then served from the shared cache
        response, body = reader_side.get(url)
        assert response.status == 200 and b"Octopuses dream in colour" in body
        assert "public" in response.headers["Cache-Control"]

    log_in(editor_side, UserFactory(is_staff=True, is_superuser=True))
    changelist = "/admin/articles/article/"
    response, _ = editor_side.post_form(changelist, {"action": "unpublish", "_selected_action": [story.pk]})
    assert response.status == 302
    assert not Article.objects.published().filter(pk=story.pk).exists()

    assert shown(lambda: reader_side.get(url)[0].status == 404)
    assert b"Octopuses dream in colour" not in reader_side.get("/")[1]

    response, _ = editor_side.post_form(changelist, {"action": "publish", "_selected_action": [story.pk]})
    assert response.status == 302

    def republished():
        response, body = reader_side.get(url)
        return response.status == 200 and b"Octopuses dream in colour" in body

    assert shown(republished)


def shown(check):
    """Whether an edit made elsewhere shows: on the next request on SQLite (each hit reads the version), and on
    PostgreSQL once the instance's listener has heard the NOTIFY, which a loaded machine can delay past the next
    request (docs/performance.md, "How stale can a page be?")."""
    if connection.vendor == "postgresql":
        return wait_until(check)
    return check()


def test_conditional_request_through_the_other_instance(instances):
    first, second = instances
    story = full_story()
    response, _ = first.get(story.get_absolute_url())
    etag = response.headers["ETag"]
    again, body = second.get(story.get_absolute_url(), **{"If-None-Match": etag})
    assert again.status == 304 and body == b""


def test_static_files_are_hashed_compressed_and_cached_for_a_year(instances):
    full_story()
    _response, body = instances[0].get("/")
    stylesheet = re.search(rb'href="(/static/css/site\.[0-9a-f]{12}\.css)"', body)
    assert stylesheet, "the page does not link the hashed stylesheet"
    response, content = instances[1].get(stylesheet.group(1).decode(), **{"Accept-Encoding": "gzip"})
    assert response.status == 200
    assert response.headers["Content-Encoding"] == "gzip"
    assert content[:2] == b"\x1f\x8b"
    cache_control = response.headers["Cache-Control"]
    assert "immutable" in cache_control and "max-age=315360000" in cache_control


def test_security_headers_from_a_real_instance(instances):
    response, _ = instances[0].get("/")
    assert response.headers["Strict-Transport-Security"].startswith("max-age=31536000")
    assert "script-src 'self'" in response.headers["Content-Security-Policy"]
    assert response.headers["X-Content-Type-Options"] == "nosniff"


@pytest.mark.skipif(connection.vendor != "postgresql", reason="about PostgreSQL's server connections")
def test_a_dropped_database_connection_is_replaced_without_a_restart(instances):
    """What a PostgreSQL restart does to the app's persistent connections, done without restarting the server."""
    for instance in instances:
        assert instance.get("/healthz")[0].status == 200  # each worker now holds an open connection
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT count(pg_terminate_backend(pid)) FROM pg_stat_activity "
            "WHERE datname = current_database() AND pid <> pg_backend_pid()"
        )
        assert cursor.fetchone()[0] >= len(instances)
    for instance in instances:
        response, body = instance.get("/healthz")
        assert response.status == 200
        assert json.loads(body) == {"status": "ok", "database": "ok", "cache": "ok"}
        assert instance.process.poll() is None


def test_every_worker_of_the_default_setup_sees_an_unpublish(embedded_instance):
    """Without Redis each worker keeps its own pages; they must still all drop a story unpublished elsewhere."""
    story = full_story(headline="Withdrawn before lunch")
    url = story.get_absolute_url()
    # Enough requests that every worker has rendered and stored the page, and answers it from its fast path.
    assert {embedded_instance.get(url)[0].status for _ in range(40)} == {200}
    Article.objects.filter(pk=story.pk).update(status=Status.DRAFT)
    assert shown(lambda: embedded_instance.get(url)[0].status == 404)
    assert [embedded_instance.get(url)[0].status for _ in range(20)] == [404] * 20


LISTENER = "newsroom-pagecache-listener"


def django_connections():
    """The instances' own database connections (not their version listeners, nor this test's)."""
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT pid FROM pg_stat_activity WHERE datname = current_database() AND pid <> pg_backend_pid() "
            "AND application_name <> %s",
            [LISTENER],
        )
        return [row[0] for row in cursor.fetchall()]


def drop_django_connections():
    with connection.cursor() as cursor:
        for pid in django_connections():
            cursor.execute("SELECT pg_terminate_backend(%s)", [pid])
    assert wait_until(lambda: django_connections() == [])


@pytest.mark.skipif(
    connection.vendor != "postgresql", reason="observes the instances' PostgreSQL connections"
)
def test_hits_skip_django_and_still_see_an_edit_made_elsewhere(instances):
    """A hit answered in front of Django opens no database connection; it is Django's answer; and an unpublish
    made by another process (this one) reaches it."""
    reader = instances[1]
    story = full_story(headline="Glaciers sing at night")
    url = story.get_absolute_url()

    def answered_without_django():
        drop_django_connections()
        response, _ = reader.get(url, **{"Accept-Encoding": "gzip, br"})
        return response.status == 200 and django_connections() == []

    assert wait_until(answered_without_django), "the fast path never answered"
    fast, fast_body = reader.get(url, **{"Accept-Encoding": "gzip, br"})
    # A validator that matches nothing sends the request through Django, which answers the same page.
    django, django_body = reader.get(url, **{"Accept-Encoding": "gzip, br", "If-None-Match": '"other"'})
    assert fast_body == django_body and fast.headers["Content-Encoding"] == "br"
    assert [item for item in fast.getheaders() if item[0] != "Date"] == [
        item for item in django.getheaders() if item[0] != "Date"
    ]
    head, head_body = reader.request("HEAD", url, headers={"Accept-Encoding": "gzip, br"})
    assert head.status == 200 and head_body == b""
    assert head.headers["Content-Length"] == str(len(fast_body))

    Article.objects.filter(pk=story.pk).update(status=Status.DRAFT)
    assert shown(lambda: reader.get(url)[0].status == 404)
    assert [reader.get(url)[0].status for _ in range(10)] == [404] * 10


@pytest.mark.skipif(connection.vendor != "postgresql", reason="about PostgreSQL's server connections")
def test_an_edit_made_while_the_listeners_are_cut_off_still_shows(instances):
    """Every connection dropped, the version listeners' too, then an unpublish before they reconnect: they read
    the version again when they do, and until then hits go through Django's query."""
    story = full_story(headline="Bees count to four")
    url = story.get_absolute_url()
    for instance in instances:
        assert {instance.get(url)[0].status for _ in range(5)} == {200}
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT pg_terminate_backend(pid) FROM pg_stat_activity "
            "WHERE datname = current_database() AND pid <> pg_backend_pid()"
        )
    Article.objects.filter(pk=story.pk).update(status=Status.DRAFT)
    for instance in instances:
        assert shown(lambda instance=instance: instance.get(url)[0].status == 404)
        assert [instance.get(url)[0].status for _ in range(10)] == [404] * 10
