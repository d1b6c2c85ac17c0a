"""The admin site, with a second step at login for staff who have (or must have) an authenticator."""

from django.contrib.admin import AdminSite
from django.http import HttpResponseRedirect
from django.urls import path, reverse
from django.utils.http import urlencode

from . import audit, second_factor, views


class StaffAdminSite(AdminSite):
    def has_permission(self, request):
        return super().has_permission(request) and second_factor.satisfied(request.user)

    def login(self, request, extra_context=None):
        user = request.user
        staff = user.is_authenticated and user.is_active and user.is_staff
        if request.method == "GET" and staff and not second_factor.satisfied(user):
            # Password accepted, second factor still to come (or to be set up).
            step = "admin:second_factor" if second_factor.has_device(user) else "admin:second_factor_setup"
            query = urlencode({"next": request.GET["next"]}) if request.GET.get("next") else ""
            return HttpResponseRedirect(f"{reverse(step, current_app=self.name)}?{query}".rstrip("?"))
        return super().login(request, extra_context)

    def password_change(self, request, extra_context=None):
        response = super().password_change(request, extra_context)
        if request.method == "POST" and response.status_code == 302:
            # Django keeps this session and ends the user's others (their password hash changed).
            audit.record(request.user, audit.Action.PASSWORD_CHANGED, target=request.user)
        return response

    def get_urls(self):
        return [
            path("second-factor/", views.verify, {"site": self}, name="second_factor"),
            path("second-factor/set-up/", views.set_up, {"site": self}, name="second_factor_setup"),
            path(
                "two-step-login/",
                self.admin_view(views.recovery_codes),
                {"site": self},
                name="two_step_login",
            ),
            *super().get_urls(),
        ]
