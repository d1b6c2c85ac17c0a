"""Password reset by email through Django's views (locmem mail): single-use, expiring links, the admin's look,
other sessions ended, and the mail backend chosen by EMAIL_URL."""

import re
from datetime import timedelta

import pytest
import time_machine
from django.core.exceptions import ImproperlyConfigured
from django.test import Client
from django.utils import timezone

from accounts.models import AuditEntry
from newsroom import mail_url

from .logins import log_in

pytestmark = pytest.mark.django_db

RESET = "/admin/password-reset/"
NEW = "a fresh long passphrase 42"


def request_link(client, mailoutbox, email):
    response = client.post(RESET, {"email": email})
    assert response.status_code == 302 and response.url == "/admin/password-reset/sent/"
    (mail,) = mailoutbox
    return re.search(r"https?://testserver(/admin/password-reset/\S+/)", mail.body).group(1)


def set_password(client, link):
    form_url = client.get(link).url  # Django swaps the token for a session marker first
    return client.post(form_url, {"new_password1": NEW, "new_password2": NEW})


class TestResetFlow:
    def test_the_login_page_offers_it(self, client):
        assert f'href="{RESET}"' in client.get("/admin/login/").content.decode()

    def test_reset_by_email_then_log_in_with_the_new_password(self, client, mailoutbox, editor):
        page = client.get(RESET).content.decode()
        assert "Newsroom desk" in page  # the admin's header, not "Django administration"
        link = request_link(client, mailoutbox, editor.email)
        assert mailoutbox[0].to == [editor.email]
        response = set_password(client, link)
        assert response.status_code == 302 and response.url == "/admin/password-reset/done/"
        assert log_in(Client(), editor.username, NEW).status_code == 302
        assert AuditEntry.objects.filter(action="password_reset_requested", target=editor.email).exists()
        assert AuditEntry.objects.filter(action="password_changed", actor=editor).exists()

    def test_a_link_works_once(self, client, mailoutbox, editor):
        link = request_link(client, mailoutbox, editor.email)
        set_password(client, link)
        again = Client().get(link, follow=True)
        assert "The password reset link was invalid" in again.content.decode()

    def test_a_link_expires(self, client, settings, mailoutbox, editor):
        link = request_link(client, mailoutbox, editor.email)
        with time_machine.travel(timezone.now() + timedelta(seconds=settings.PASSWORD_RESET_TIMEOUT + 60)):
            response = Client().get(link, follow=True)
        assert "The password reset link was invalid" in response.content.decode()

    def test_unknown_addresses_get_the_same_answer_and_no_mail(self, client, mailoutbox):
        response = client.post(RESET, {"email": "nobody@example.com"})
        assert response.url == "/admin/password-reset/sent/" and mailoutbox == []

    def test_a_reset_logs_out_every_session(self, mailoutbox, editor):
        open_session = Client()
        log_in(open_session, editor.username)
        assert open_session.get("/admin/").status_code == 200
        set_password(Client(), request_link(Client(), mailoutbox, editor.email))
        assert open_session.get("/admin/").status_code == 302


class TestMailUrl:
    def test_console(self):
        assert mail_url.mailer("console://") == {"BACKEND": "django.core.mail.backends.console.EmailBackend"}

    def test_smtp_with_starttls_and_an_encoded_password(self):
        entry = mail_url.mailer(
            "smtp://desk%40example.org:p%3Ass%2Fword@mail.example.org:2525/?tls=1&timeout=5"
        )
        assert entry["BACKEND"] == "django.core.mail.backends.smtp.EmailBackend"
        assert entry["OPTIONS"] == {
            "host": "mail.example.org",
            "port": 2525,
            "username": "desk@example.org",
            "password": "p:ss/word",
            "use_tls": True,
            "use_ssl": False,
            "timeout": 5,
        }

    def test_submission_and_smtps_schemes(self):
        assert mail_url.mailer("submission://u:p@mail.example.org")["OPTIONS"]["use_tls"] is True
        smtps = mail_url.mailer("smtps://u:p@mail.example.org")["OPTIONS"]
        assert smtps["use_ssl"] is True and smtps["use_tls"] is False and smtps["port"] is None

    @pytest.mark.parametrize(
        ("url", "message"),
        [
            ("imap://mail.example.org", "unknown scheme “imap”"),
            ("smtp://", "no mail server host"),
            ("smtp://mail.example.org:notaport", "EMAIL_URL"),
        ],
    )
    def test_bad_urls_fail_loudly(self, url, message):
        with pytest.raises(ImproperlyConfigured, match=message):
            mail_url.mailer(url)
