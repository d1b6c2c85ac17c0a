"""Staff accounts: the audit trail, recovery codes (stored hashed), and "log out everywhere"."""

import hashlib
import secrets

from django.conf import settings
from django.contrib.auth import get_user_model
from django.db import models
from django.utils import timezone
from django_otp.models import Device, ThrottlingMixin, TimestampMixin


class AuditEntry(models.Model):
    """One thing a person (or the system) did that an Editor may need to trace later. Never edited."""

    class Action(models.TextChoices):
        LOGIN = "login", "Logged in"
        LOGIN_FAILED = "login_failed", "Login failed"
        LOCKED_OUT = "locked_out", "Locked out"
        SECOND_FACTOR_FAILED = "2fa_failed", "Second factor failed"
        RECOVERY_CODE_USED = "recovery_code_used", "Recovery code used"
        SECOND_FACTOR_ENROLLED = "2fa_enrolled", "Second factor set up"
        SECOND_FACTOR_RESET = "2fa_reset", "Second factor reset"
        PASSWORD_CHANGED = "password_changed", "Password changed"
        PASSWORD_RESET_REQUESTED = "password_reset_requested", "Password reset requested"
        LOGGED_OUT_EVERYWHERE = "logged_out_everywhere", "Logged out everywhere"
        PUBLISHED = "published", "Published"
        SCHEDULED = "scheduled", "Scheduled"
        UNPUBLISHED = "unpublished", "Unpublished"
        REVERTED = "reverted", "Reverted"
        GROUPS_CHANGED = "groups_changed", "Groups changed"
        PERMISSIONS_CHANGED = "permissions_changed", "Permissions changed"
        ACCOUNT_CHANGED = "account_changed", "Account changed"
        SHARE_LINK_MADE = "share_link_made", "Share link made"
        SHARE_LINK_REVOKED = "share_link_revoked", "Share link revoked"
        IMPORT_RUN = "import_run", "Import run"

    happened_at = models.DateTimeField("when", default=timezone.now, db_index=True)
    actor = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    actor_name = models.CharField(
        "who", max_length=150, help_text="The username at the time, or who ran it outside the site."
    )
    action = models.CharField(max_length=32, choices=Action.choices)
    article = models.ForeignKey(
        "articles.Article",
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        verbose_name="story",
    )
    target = models.CharField("on", max_length=200, blank=True)
    detail = models.TextField(blank=True)
    ip_address = models.GenericIPAddressField("address", null=True, blank=True)

    class Meta:
        ordering = ["-happened_at", "-pk"]
        verbose_name = "audit entry"
        verbose_name_plural = "audit trail"
        indexes = [
            models.Index(fields=["actor", "-happened_at"], name="audit_actor_time"),
            models.Index(fields=["article", "-happened_at"], name="audit_story_time"),
        ]

    def __str__(self):
        return f"{self.actor_name} · {self.get_action_display()} · {self.target}".rstrip(" ·")


def _digest(code):
    """Recovery codes carry 80 random bits, so one SHA-256 is enough: nothing to gain from a slow hash."""
    return hashlib.sha256(code.replace("-", "").replace(" ", "").lower().encode()).hexdigest()


class RecoveryCodeDevice(TimestampMixin, ThrottlingMixin, Device):
    """One-time recovery codes, for when the authenticator is not at hand.

    django-otp's own static tokens are stored as written; these keep only a SHA-256 of each code, so a
    copy of the database does not hand anyone a way past the second factor.
    """

    COUNT = 10

    def get_throttle_factor(self):
        return getattr(settings, "OTP_STATIC_THROTTLE_FACTOR", 1)

    def replace_codes(self):
        """Throw away the old codes and return new ones: the only time they exist in the clear."""
        codes = [secrets.token_hex(10) for _ in range(self.COUNT)]
        self.codes.all().delete()
        RecoveryCode.objects.bulk_create(RecoveryCode(device=self, digest=_digest(code)) for code in codes)
        return ["-".join(code[i : i + 5] for i in range(0, 20, 5)) for code in codes]

    def verify_token(self, token):
        allowed, _ = self.verify_is_allowed()
        if not allowed:
            return False
        deleted, _ = self.codes.filter(digest=_digest(str(token))).delete()
        if deleted:
            self.throttle_reset(commit=False)
            self.set_last_used_timestamp(commit=False)
            self.save()
        else:
            self.throttle_increment()
        return bool(deleted)


class RecoveryCode(models.Model):
    device = models.ForeignKey(RecoveryCodeDevice, on_delete=models.CASCADE, related_name="codes")
    digest = models.CharField(max_length=64, db_index=True)

    def __str__(self):
        return f"recovery code {self.pk}"


class SessionCutoff(models.Model):
    """A user's sessions that began before `not_before` end at their next request ("log out everywhere")."""

    user = models.OneToOneField(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, primary_key=True, related_name="+"
    )
    not_before = models.DateTimeField()

    def __str__(self):
        return f"{self.user} logged out everywhere before {self.not_before:%Y-%m-%d %H:%M}"

    @classmethod
    def log_out_everywhere(cls, user):
        cls.objects.update_or_create(user=user, defaults={"not_before": timezone.now()})


class StaffAccount(get_user_model()):
    """Staff logins as Editors see them: who has a second factor, with a reset for a lost device."""

    class Meta:
        proxy = True
        verbose_name = "staff login"
        permissions = [("reset_second_factor", "Can reset a colleague's second factor")]
