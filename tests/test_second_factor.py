"""The second factor: enrolment with a QR code and a real TOTP code, logins that ask for it, recovery codes
(shown once, stored hashed), the Editors' requirement, and an Editor resetting a lost device."""

import re
from base64 import b32decode

import pytest
import time_machine
from django.urls import reverse
from django.utils import timezone
from django_otp.oath import totp
from django_otp.plugins.otp_totp.models import TOTPDevice

from accounts.models import AuditEntry, RecoveryCode, RecoveryCodeDevice

from .factories import ArticleFactory, UserFactory, desk_user
from .logins import current_code, give_code, log_in

pytestmark = pytest.mark.django_db

Action = AuditEntry.Action
ADMIN = "/admin/"
SET_UP = "/admin/second-factor/set-up/"
SECOND_FACTOR = "/admin/second-factor/"
STAFF = "/admin/accounts/staffaccount/"


@pytest.fixture
def required(settings):
    settings.TWO_FACTOR_REQUIRED_FOR_EDITORS = True


def enrol(client):
    """Set up an authenticator as a person does: read the key off the page, type the app's code back."""
    page = client.get(SET_UP).content.decode()
    assert "<svg" in page  # the QR code
    key = b32decode(re.search(r'<code id="totp-key">([A-Z2-7=]+)</code>', page).group(1))
    response = client.post(SET_UP, {"code": f"{totp(key):06d}", "next": ADMIN})
    assert response.status_code == 200, response.content.decode()
    return re.findall(r"<li><code>([0-9a-f-]{23})</code></li>", response.content.decode())


def enrolled(user):
    """A user with a confirmed authenticator and recovery codes, set up through the pages."""
    from django.test import Client

    client = Client()
    client.force_login(user)
    codes = enrol(client)
    return TOTPDevice.objects.get(user=user), codes


class TestEnrolment:
    def test_editor_is_sent_to_set_up_and_gets_ten_recovery_codes(self, client, required, editor):
        assert log_in(client, editor.username).status_code == 302
        assert client.get(ADMIN, follow=True).redirect_chain[-1][0] == f"{SET_UP}?next=%2Fadmin%2F"
        codes = enrol(client)
        assert len(codes) == 10 and len(set(codes)) == 10
        assert client.get(ADMIN).status_code == 200
        device = TOTPDevice.objects.get(user=editor)
        assert device.confirmed
        assert AuditEntry.objects.filter(action=Action.SECOND_FACTOR_ENROLLED, actor=editor).exists()

    def test_a_wrong_code_does_not_enrol(self, editor_client, editor):
        editor_client.get(SET_UP)
        response = editor_client.post(SET_UP, {"code": "000000"})
        assert "That code does not match" in response.content.decode()
        assert not TOTPDevice.objects.filter(user=editor, confirmed=True).exists()

    def test_the_set_up_page_keeps_the_admin_look(self, client, required, editor):
        log_in(client, editor.username)
        page = client.get(SET_UP).content.decode()
        assert 'id="site-name"' in page and "Newsroom desk" in page and "admin/css/login.css" in page


class TestLoginWithCode:
    def test_password_then_code(self, client, writer):
        device, _codes = enrolled(writer)
        response = log_in(client, writer.username)
        # The password alone does not open the admin, nor drafts on the site.
        assert client.get(ADMIN).status_code == 302
        assert client.get(response.url, follow=True).redirect_chain[-1][0].startswith(SECOND_FACTOR)
        draft = ArticleFactory(draft=True)
        assert client.get(draft.get_absolute_url()).status_code == 404
        with time_machine.travel(timezone.now() + timezone.timedelta(seconds=60)):
            response = give_code(client, current_code(device))
            assert response.status_code == 302 and response.url == ADMIN
            assert client.get(ADMIN).status_code == 200
            assert client.get(draft.get_absolute_url()).status_code == 200

    def test_wrong_codes_are_refused_audited_and_slowed_down(self, client, writer):
        enrolled(writer)
        log_in(client, writer.username)
        response = give_code(client, "123456")
        assert "That code is not right" in response.content.decode()
        response = give_code(client, "654321")
        assert "Too many wrong codes: wait" in response.content.decode()
        assert client.get(ADMIN).status_code == 302
        assert AuditEntry.objects.filter(action=Action.SECOND_FACTOR_FAILED, actor=writer).count() == 2

    def test_a_code_works_once(self, client, writer):
        device, _codes = enrolled(writer)
        with time_machine.travel(timezone.now() + timezone.timedelta(seconds=60)):
            code = current_code(device)
            log_in(client, writer.username)
            assert give_code(client, code).status_code == 302
            client.post(reverse("admin:logout"))
            log_in(client, writer.username)
            assert "not right" in give_code(client, code).content.decode()

    def test_next_stays_on_this_site(self, client, writer):
        device, _codes = enrolled(writer)
        log_in(client, writer.username)
        with time_machine.travel(timezone.now() + timezone.timedelta(seconds=60)):
            response = give_code(client, current_code(device), next_url="https://evil.example/")
        assert response.url == ADMIN


class TestRecoveryCodes:
    def test_a_recovery_code_logs_in_once_and_is_stored_hashed(self, client, writer):
        _device, codes = enrolled(writer)
        stored = list(RecoveryCode.objects.filter(device__user=writer).values_list("digest", flat=True))
        assert len(stored) == 10
        assert not any(
            code.replace("-", "") in digest or code in digest for code in codes for digest in stored
        )

        log_in(client, writer.username)
        response = give_code(client, codes[3].upper())
        assert response.status_code == 302
        shown = [str(m) for m in client.get(ADMIN).context["messages"]]
        assert any("You used a recovery code; 9 left" in message for message in shown)
        assert AuditEntry.objects.filter(action=Action.RECOVERY_CODE_USED, detail="9 left").exists()

        client.post(reverse("admin:logout"))
        log_in(client, writer.username)
        assert "not one of your unused recovery codes" in give_code(client, codes[3]).content.decode()

    def test_new_codes_replace_the_old_ones(self, client, writer):
        device, old = enrolled(writer)
        log_in(client, writer.username)
        with time_machine.travel(timezone.now() + timezone.timedelta(seconds=60)):
            give_code(client, current_code(device))
            page = client.get(reverse("admin:two_step_login")).content.decode()
            assert "You have 10 unused recovery codes" in page
            response = client.post(reverse("admin:two_step_login"))
        new = re.findall(r"<li><code>([0-9a-f-]{23})</code></li>", response.content.decode())
        assert len(new) == 10 and not set(new) & set(old)
        assert RecoveryCodeDevice.objects.get(user=writer).verify_token(new[0])
        assert not RecoveryCodeDevice.objects.get(user=writer).verify_token(old[1])


class TestEditorRequirement:
    def test_editors_without_an_authenticator_cannot_use_the_admin(self, client, required, editor):
        log_in(client, editor.username)
        response = client.get(ADMIN, follow=True)
        assert response.redirect_chain[-1][0].startswith(SET_UP)
        assert client.get("/admin/articles/article/").status_code == 302

    def test_superusers_count_as_editors(self, client, required):
        UserFactory(username="root", is_staff=True, is_superuser=True)
        log_in(client, "root")
        assert client.get(ADMIN, follow=True).redirect_chain[-1][0].startswith(SET_UP)

    def test_writers_may_go_without(self, client, required, writer):
        log_in(client, writer.username)
        assert client.get(ADMIN).status_code == 200

    def test_off_lets_editors_in_with_a_password(self, client, settings, editor):
        settings.TWO_FACTOR_REQUIRED_FOR_EDITORS = False
        log_in(client, editor.username)
        assert client.get(ADMIN).status_code == 200


class TestResetByAnEditor:
    def test_an_editor_resets_a_lost_device_and_the_owner_is_logged_out_everywhere(
        self, editor_client, editor
    ):
        from django.test import Client

        client = Client()  # the writer's browser
        writer = desk_user("Writer", username="wes")
        device, _codes = enrolled(writer)
        log_in(client, "wes")
        with time_machine.travel(timezone.now() + timezone.timedelta(seconds=60)):
            give_code(client, current_code(device))
        assert client.get(ADMIN).status_code == 200

        listing = editor_client.get(STAFF).content.decode()
        assert "wes" in listing
        response = editor_client.post(
            STAFF, {"action": "reset_second_factor", "_selected_action": [writer.pk]}
        )
        assert response.status_code == 302
        assert not TOTPDevice.objects.filter(user=writer).exists()
        assert not RecoveryCodeDevice.objects.filter(user=writer).exists()
        assert client.get(ADMIN).status_code == 302  # their open session is over
        (reset,) = AuditEntry.objects.filter(action=Action.SECOND_FACTOR_RESET)
        assert (reset.actor, reset.target) == (editor, "wes")
        # They log in again with their password alone, and may set up a new phone.
        log_in(client, "wes")
        assert client.get(ADMIN).status_code == 200

    def test_an_editor_cannot_reset_a_superuser(self, editor_client):
        root = UserFactory(is_staff=True, is_superuser=True)
        enrolled(root)
        editor_client.post(STAFF, {"action": "reset_second_factor", "_selected_action": [root.pk]})
        assert TOTPDevice.objects.filter(user=root).exists()

    def test_writers_cannot_reset_or_see_the_list(self, writer_client):
        assert writer_client.get(STAFF).status_code == 403
