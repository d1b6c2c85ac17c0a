"""Production configuration: the deploy checklist, security headers, the Content Security Policy on reader pages
and in the admin (in a real browser too), database timeouts, and object storage chosen by the environment."""

import os
import subprocess
import sys
from html.parser import HTMLParser
from pathlib import Path

import pytest
from django.db import connection
from django.urls import reverse

from .external import chromium
from .factories import SpeakerFactory, UserFactory, full_story

pytestmark = pytest.mark.django_db

ROOT = Path(__file__).resolve().parent.parent
PRODUCTION_ENV = {
    "DEBUG": "0",
    "SECRET_KEY": "k3Jx9-production-like-secret-for-the-check-only-Qz81mVw4pT6yR0aHs2Lc7",
    "ALLOWED_HOSTS": "news.example.org",
}


def manage(*args, env):
    """Run manage.py in a fresh interpreter with only the given settings environment (no test settings)."""
    clean = {
        key: value for key, value in os.environ.items() if key not in {"DJANGO_SETTINGS_MODULE", "DEBUG"}
    }
    clean.pop("REDIS_URL", None)
    return subprocess.run(
        [sys.executable, "manage.py", *args],
        cwd=ROOT,
        env={**clean, **env},
        capture_output=True,
        text=True,
        timeout=60,
    )


class TestDeploySettings:
    def test_check_deploy_has_no_warnings(self):
        result = manage("check", "--deploy", "--fail-level", "WARNING", env=PRODUCTION_ENV)
        assert result.returncode == 0, result.stdout + result.stderr
        assert "System check identified no issues" in result.stdout
        assert "WARNINGS" not in result.stdout + result.stderr

    def test_missing_secret_key_fails_loudly(self):
        result = manage("check", env={**PRODUCTION_ENV, "SECRET_KEY": ""})
        assert result.returncode != 0
        assert "SECRET_KEY must be set" in result.stderr

    def test_s3_storage_from_the_environment(self):
        """Setting a bucket switches uploads to S3-compatible storage: no code change, URLs on the media domain."""
        script = (
            "from django.core.files.storage import storages; s = storages['default'];"
            "print(type(s).__module__, type(s).__name__);"
            "print(s.url('heroes/2026/11/whale.jpg'))"
        )
        env = {
            **PRODUCTION_ENV,
            "AWS_STORAGE_BUCKET_NAME": "newsroom-media",
            "AWS_S3_ENDPOINT_URL": "https://s3.example.net",
            "MEDIA_DOMAIN": "media.example.org",
        }
        result = manage("shell", "--no-imports", "-c", script, env=env)
        assert result.returncode == 0, result.stderr
        lines = result.stdout.split("\n")
        assert lines[0] == "storages.backends.s3 S3Storage"
        assert lines[1] == "https://media.example.org/heroes/2026/11/whale.jpg"


class TestSecurityHeaders:
    def test_reader_page_headers(self, client):
        article = full_story()
        response = client.get(article.get_absolute_url(), secure=True)
        assert response["X-Content-Type-Options"] == "nosniff"
        assert response["Referrer-Policy"] == "strict-origin-when-cross-origin"
        assert response["X-Frame-Options"] == "DENY"
        assert response["Strict-Transport-Security"] == "max-age=31536000; includeSubDomains; preload"
        policy = response["Content-Security-Policy"]
        assert "script-src 'self'" in policy and "unsafe-inline" not in policy
        assert "frame-ancestors 'none'" in policy and "object-src 'none'" in policy

    def test_login_cookies_are_secure_and_http_only(self, client):
        UserFactory(username="editor", is_staff=True)
        client.get(reverse("admin:login"), secure=True)
        response = client.post(
            reverse("admin:login"),
            {"username": "editor", "password": "correct horse battery staple"},
            secure=True,
            headers={"referer": "https://testserver/admin/login/"},
        )
        assert response.status_code == 302
        session = response.cookies["sessionid"]
        assert session["secure"] and session["httponly"]
        assert response.cookies["csrftoken"]["secure"]


SCRIPT_TYPES = {None, "", "text/javascript", "application/javascript", "module", "importmap"}


class InlineCode(HTMLParser):
    """Collects what a CSP without 'unsafe-inline' would block unless it carries the nonce."""

    def __init__(self):
        super().__init__()
        self.blocks = []  # (tag, nonce) of inline <script> and <style>
        self.attributes = []  # style="..." and on*="..." attributes

    def handle_starttag(self, tag, attrs):
        attrs = dict(attrs)
        # Data blocks (JSON, JSON-LD) are never executed, so CSP leaves them alone; import maps it does not.
        executable_script = tag == "script" and "src" not in attrs and attrs.get("type") in SCRIPT_TYPES
        if executable_script or tag == "style":
            self.blocks.append((tag, attrs.get("nonce")))
        self.attributes += [f"<{tag} {name}>" for name in attrs if name == "style" or name.startswith("on")]


def inline_code(response):
    parser = InlineCode()
    parser.feed(response.content.decode())
    return parser


class TestContentSecurityPolicy:
    def test_reader_pages_need_nothing_inline(self, client):
        article = full_story()
        speaker = article.quotes.first().speaker
        author = article.byline_authors[0]
        urls = [
            "/",
            article.get_absolute_url(),
            article.section.get_absolute_url(),
            reverse("articles:tag", args=["tag-0"]),
            author.get_absolute_url(),
            speaker.get_absolute_url(),
            "/no-such-page/",
        ]
        for url in urls:
            found = inline_code(client.get(url))
            assert found.blocks == [], url
            assert found.attributes == [], url

    def test_admin_inline_code_carries_the_nonce(self, admin_client):
        article = full_story()
        SpeakerFactory()
        urls = [
            reverse("admin:index"),
            reverse("admin:articles_article_changelist"),
            reverse("admin:articles_article_add"),
            reverse("admin:articles_article_change", args=[article.pk]),
        ]
        for url in urls:
            response = admin_client.get(url)
            assert response.status_code == 200, url
            policy = response["Content-Security-Policy"]
            found = inline_code(response)
            assert found.attributes == [], url
            for tag, nonce in found.blocks:
                assert nonce and f"'nonce-{nonce}'" in policy, (url, tag)


@pytest.mark.browser
def test_admin_scripts_run_under_the_policy_in_a_real_browser(live_server, admin_user, client):
    """Headless Chromium enforces the policy: the admin's slug prefill (JavaScript) works, nothing is blocked."""
    driver = chromium(browser_log=True)
    try:
        client.force_login(admin_user)
        driver.get(live_server.url + "/healthz")
        driver.add_cookie({"name": "sessionid", "value": client.cookies["sessionid"].value, "path": "/"})
        driver.get(live_server.url + reverse("admin:articles_article_add"))
        driver.find_element("id", "id_headline").send_keys("Whales sing in dialects")
        slug = driver.find_element("id", "id_slug").get_attribute("value")
        assert slug == "whales-sing-in-dialects"
        violations = [
            entry["message"]
            for entry in driver.get_log("browser")
            if "Content Security Policy" in entry["message"] or "Refused to" in entry["message"]
        ]
        assert violations == []
    finally:
        driver.quit()


@pytest.mark.skipif(connection.vendor != "postgresql", reason="PostgreSQL timeouts")
def test_postgresql_sessions_have_timeouts():
    with connection.cursor() as cursor:
        cursor.execute("SHOW statement_timeout")
        assert cursor.fetchone() == ("15s",)
        cursor.execute("SHOW max_parallel_workers_per_gather")
        assert cursor.fetchone() == ("0",)
    assert connection.settings_dict["OPTIONS"]["connect_timeout"] == 5
    assert connection.settings_dict["CONN_HEALTH_CHECKS"] is True
