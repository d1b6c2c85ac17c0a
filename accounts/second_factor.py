"""Who must give a second factor, and the desk's operations on second factors (django-otp devices)."""

from django.conf import settings
from django.db import transaction
from django.utils import timezone
from django_otp import devices_for_user, verify_token
from django_otp.plugins.otp_totp.models import TOTPDevice

from . import audit
from .backends import EDITOR
from .models import RecoveryCodeDevice, SessionCutoff

RECOVERY = "Recovery codes"


def required_for(user):
    """Editors and superusers must set up a second factor, when the setting says so."""
    if not settings.TWO_FACTOR_REQUIRED_FOR_EDITORS:
        return False
    if user.is_superuser:
        return True
    # Users loaded for a request by accounts.backends.StaffBackend know already.
    is_editor = getattr(user, "is_editor", None)
    return is_editor if is_editor is not None else user.groups.filter(name=EDITOR).exists()


def has_device(user, fresh=False):
    known = None if fresh else getattr(user, "has_authenticator", None)
    return known if known is not None else TOTPDevice.objects.filter(user=user, confirmed=True).exists()


def satisfied(user):
    """May this logged-in user act as staff yet? Yes once they gave a code in this session; else only when
    they have no authenticator and none is required of them."""
    is_verified = getattr(user, "is_verified", None)
    if is_verified is not None and is_verified():
        return True
    return not has_device(user) and not required_for(user)


def check_code(user, code):
    """(the device that accepts `code`, None) or (None, why not). Six digits are an authenticator's code;
    anything else is tried as a recovery code. Each device slows down repeated wrong codes."""
    code = code.replace(" ", "")
    is_totp = code.isdigit() and len(code) == 6
    model = TOTPDevice if is_totp else RecoveryCodeDevice
    for device in model.objects.filter(user=user, confirmed=True):
        allowed, data = device.verify_is_allowed()
        if not allowed:
            wait = max(1, int((data["locked_until"] - timezone.now()).total_seconds()))
            return None, f"Too many wrong codes: wait {wait} seconds, then try again."
        if verify_token(user, device.persistent_id, code):
            return device, None
    if is_totp:
        return None, "That code is not right: check the time on your phone, or wait for the next code."
    return None, "That is not one of your unused recovery codes."


@transaction.atomic
def enrol(user, device):
    """Confirm a newly scanned authenticator and return fresh recovery codes (shown once, stored hashed)."""
    device.confirmed = True
    device.save()
    TOTPDevice.objects.filter(user=user).exclude(pk=device.pk).delete()
    recovery, _ = RecoveryCodeDevice.objects.get_or_create(user=user, defaults={"name": RECOVERY})
    codes = recovery.replace_codes()
    audit.record(user, audit.Action.SECOND_FACTOR_ENROLLED, target=user)
    return codes


def new_recovery_codes(user):
    recovery, _ = RecoveryCodeDevice.objects.get_or_create(user=user, defaults={"name": RECOVERY})
    codes = recovery.replace_codes()
    audit.record(user, audit.Action.SECOND_FACTOR_ENROLLED, target=user, detail="new recovery codes")
    return codes


def remaining_recovery_codes(user):
    device = RecoveryCodeDevice.objects.filter(user=user).first()
    return device.codes.count() if device else 0


@transaction.atomic
def reset(user, by):
    """A lost device: remove the user's authenticator and codes, end all their sessions, and log it.

    At their next login they set up a new authenticator, as on their first.
    """
    for device in devices_for_user(user, confirmed=None):
        device.delete()
    SessionCutoff.log_out_everywhere(user)
    detail = "authenticator and recovery codes removed; logged out everywhere"
    audit.record(by, audit.Action.SECOND_FACTOR_RESET, target=user, detail=detail)
