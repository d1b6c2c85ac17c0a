"""Throttled logins (django-axes): failures counted per username at an address and per address, lockouts that
say for how long, behind the proxy header, and no way to lock an Editor out by knowing their username."""

from datetime import timedelta

import pytest
import time_machine
from django.utils import timezone

from accounts.models import AuditEntry

from .logins import log_in

pytestmark = pytest.mark.django_db

Action = AuditEntry.Action
ATTACKER, OFFICE = "203.0.113.66", "198.51.100.7"


def fail(client, username, times, **request):
    for _ in range(times):
        response = log_in(client, username, "wrong password", **request)
        assert response.status_code in {200, 429}
    return response


def test_five_failures_lock_that_username_at_that_address_and_say_for_how_long(client, editor):
    response = fail(client, editor.username, 5, REMOTE_ADDR=ATTACKER)
    assert response.status_code == 429
    page = response.content.decode()
    assert "locked for 15 minutes" in page and editor.username in page
    # Even the right password is refused while locked.
    response = log_in(client, editor.username, REMOTE_ADDR=ATTACKER)
    assert response.status_code == 429
    assert AuditEntry.objects.filter(action=Action.LOGIN_FAILED, target=editor.username).count() == 6
    lockouts = AuditEntry.objects.filter(action=Action.LOCKED_OUT, target=editor.username)
    assert lockouts.exists() and lockouts.first().ip_address == ATTACKER


def test_four_failures_do_not_lock(client, editor):
    fail(client, editor.username, 4, REMOTE_ADDR=OFFICE)
    assert log_in(client, editor.username, REMOTE_ADDR=OFFICE).status_code == 302


def test_an_attacker_who_knows_the_username_cannot_lock_the_editor_out(client, editor):
    fail(client, editor.username, 10, REMOTE_ADDR=ATTACKER)
    response = log_in(client, editor.username, REMOTE_ADDR=OFFICE)
    assert response.status_code == 302
    assert AuditEntry.objects.filter(action=Action.LOGIN, actor=editor, ip_address=OFFICE).exists()


def test_an_address_trying_many_usernames_is_locked_at_its_own_higher_threshold(client, settings, editor):
    settings.LOGIN_ADDRESS_FAILURE_LIMIT = 12
    for n in range(11):
        assert log_in(client, f"guess{n}", "wrong", REMOTE_ADDR=ATTACKER).status_code == 200
    response = log_in(client, "guess-last", "wrong", REMOTE_ADDR=ATTACKER)
    assert response.status_code == 429
    # A real login from that address is refused too, until the cool-off; from elsewhere it works.
    assert log_in(client, editor.username, REMOTE_ADDR=ATTACKER).status_code == 429
    assert log_in(client, editor.username, REMOTE_ADDR=OFFICE).status_code == 302


def test_the_lock_lifts_after_the_cool_off(client, editor):
    fail(client, editor.username, 5, REMOTE_ADDR=OFFICE)
    assert log_in(client, editor.username, REMOTE_ADDR=OFFICE).status_code == 429
    with time_machine.travel(timezone.now() + timedelta(minutes=16)):
        assert log_in(client, editor.username, REMOTE_ADDR=OFFICE).status_code == 302


class TestBehindProxies:
    """One trusted proxy at 10.0.0.2 appends the address it saw to X-Forwarded-For."""

    PROXY = "10.0.0.2"

    @pytest.fixture(autouse=True)
    def _one_proxy(self, settings):
        settings.TRUSTED_PROXIES = 1

    def via_proxy(self, client_address, claimed=""):
        forwarded = f"{claimed}, {client_address}" if claimed else client_address
        return {"REMOTE_ADDR": self.PROXY, "HTTP_X_FORWARDED_FOR": forwarded}

    def test_the_client_address_is_the_one_the_proxy_saw(self, client, editor):
        response = fail(client, editor.username, 5, **self.via_proxy(ATTACKER))
        assert response.status_code == 429
        assert AuditEntry.objects.filter(action=Action.LOCKED_OUT).get().ip_address == ATTACKER
        # Everyone arrives from the proxy's address, but the office is not locked with the attacker.
        assert log_in(client, editor.username, **self.via_proxy(OFFICE)).status_code == 302

    def test_made_up_forwarded_addresses_do_not_escape_the_lock(self, client, editor):
        for n in range(5):
            log_in(client, editor.username, "wrong", **self.via_proxy(ATTACKER, claimed=f"192.0.2.{n}"))
        response = log_in(client, editor.username, **self.via_proxy(ATTACKER, claimed="192.0.2.99"))
        assert response.status_code == 429

    def test_without_trusted_proxies_the_header_is_ignored(self, client, settings, editor):
        settings.TRUSTED_PROXIES = 0
        for n in range(5):
            log_in(
                client, editor.username, "wrong", REMOTE_ADDR=ATTACKER, HTTP_X_FORWARDED_FOR=f"192.0.2.{n}"
            )
        assert log_in(client, editor.username, REMOTE_ADDR=ATTACKER).status_code == 429
