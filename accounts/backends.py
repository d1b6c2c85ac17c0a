"""Django's model backend, loading with each request's user what the staff checks need, in the same query."""

from django.contrib.auth.backends import ModelBackend
from django.contrib.auth.models import Group
from django.db.models import Exists, OuterRef, Subquery
from django_otp.plugins.otp_totp.models import TOTPDevice

from .models import SessionCutoff

EDITOR = "Editor"


class StaffBackend(ModelBackend):
    def get_user(self, user_id):
        user = self.staff_users().filter(pk=user_id).first()
        return user if user is not None and self.user_can_authenticate(user) else None

    @staticmethod
    def staff_users():
        from django.contrib.auth import get_user_model

        return get_user_model()._default_manager.annotate(
            # Read by accounts.sessions and accounts.second_factor.
            logged_out_everywhere_at=Subquery(
                SessionCutoff.objects.filter(user=OuterRef("pk")).values("not_before")[:1]
            ),
            has_authenticator=Exists(TOTPDevice.objects.filter(user=OuterRef("pk"), confirmed=True)),
            is_editor=Exists(Group.objects.filter(user=OuterRef("pk"), name=EDITOR)),
        )
