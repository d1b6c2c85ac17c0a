"""Staff sessions: an idle timeout, an absolute lifetime, and logged out everywhere after a password change."""

from datetime import timedelta

import pytest
import time_machine
from django.test import Client
from django.utils import timezone

from accounts.models import AuditEntry

from .logins import PASSWORD, log_in

pytestmark = pytest.mark.django_db

ADMIN = "/admin/"


def later(**delta):
    return time_machine.travel(timezone.now() + timedelta(**delta))


def test_idle_sessions_end(client, editor):
    log_in(client, editor.username)
    with later(minutes=59):
        assert client.get(ADMIN).status_code == 200
    with later(minutes=59 + 61):
        response = client.get(ADMIN, follow=True)
    assert response.redirect_chain[-1][0].startswith("/admin/login/")
    assert "logged out after 60 minutes without activity" in response.content.decode()


def test_activity_keeps_a_session_until_its_absolute_lifetime(client, settings, editor):
    settings.STAFF_SESSION_MAX_HOURS = 3
    log_in(client, editor.username)
    for minutes in range(50, 180, 50):
        with later(minutes=minutes):
            assert client.get(ADMIN).status_code == 200, minutes
    with later(minutes=181):
        response = client.get(ADMIN, follow=True)
    assert response.redirect_chain[-1][0].startswith("/admin/login/")
    assert "Sessions last at most 3 hours" in response.content.decode()


def test_the_idle_timeout_is_configurable(client, settings, editor):
    settings.STAFF_SESSION_IDLE_MINUTES = 5
    log_in(client, editor.username)
    with later(minutes=6):
        assert client.get(ADMIN).status_code == 302


def test_a_password_change_logs_out_every_other_session(editor):
    here, elsewhere = Client(), Client()
    log_in(here, editor.username)
    log_in(elsewhere, editor.username)
    response = here.post(
        "/admin/password_change/",
        {
            "old_password": PASSWORD,
            "new_password1": "a new long passphrase 7",
            "new_password2": "a new long passphrase 7",
        },
    )
    assert response.status_code == 302
    assert here.get(ADMIN).status_code == 200
    assert elsewhere.get(ADMIN).status_code == 302
    assert AuditEntry.objects.filter(action=AuditEntry.Action.PASSWORD_CHANGED, actor=editor).exists()


def test_reader_pages_do_not_touch_the_session(client):
    response = client.get("/")
    assert "Cookie" not in response.get("Vary", "")
    assert "sessionid" not in response.cookies
