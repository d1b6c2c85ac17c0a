"""The second step of a staff login: give a code, set up an authenticator, and make new recovery codes.

Reached from the admin (accounts/admin_site.py), in the admin's look. Password resets use Django's own views.
"""

from base64 import b32encode

import segno
from django.conf import settings
from django.contrib import admin, messages
from django.contrib.auth import views as auth_views
from django.http import HttpResponseRedirect
from django.shortcuts import render
from django.urls import reverse, reverse_lazy
from django.utils.http import url_has_allowed_host_and_scheme
from django.utils.safestring import mark_safe
from django.views.decorators.cache import never_cache
from django_otp import login as otp_login
from django_otp.plugins.otp_totp.models import TOTPDevice

from . import audit, second_factor
from .forms import CodeForm

Action = audit.Action


def _next(request, site):
    url = request.POST.get("next") or request.GET.get("next") or ""
    if url and url_has_allowed_host_and_scheme(url, {request.get_host()}, request.is_secure()):
        return url
    return reverse("admin:index", current_app=site.name)


def _context(request, site, title, **extra):
    """The admin's frame, without its navigation: this user may not use the admin yet."""
    return {
        **site.each_context(request),
        "has_permission": False,
        "is_nav_sidebar_enabled": False,
        "title": title,
        "next": _next(request, site),
        **extra,
    }


def _to_login(site):
    return HttpResponseRedirect(reverse("admin:login", current_app=site.name))


def _staff(user):
    return user.is_authenticated and user.is_active and user.is_staff


def _logged_in_with(request, device):
    # A new session key for the session that now carries more trust.
    request.session.cycle_key()
    otp_login(request, device)


@never_cache
def verify(request, site):
    user = request.user
    if not _staff(user):
        return _to_login(site)
    if second_factor.satisfied(user):
        return HttpResponseRedirect(_next(request, site))
    if not second_factor.has_device(user):
        return HttpResponseRedirect(reverse("admin:second_factor_setup", current_app=site.name))
    form = CodeForm(request.POST or None)
    if form.is_valid():
        device, problem = second_factor.check_code(user, form.cleaned_data["code"])
        if device is not None:
            _logged_in_with(request, device)
            if device.name == second_factor.RECOVERY:
                left = second_factor.remaining_recovery_codes(user)
                audit.record(user, Action.RECOVERY_CODE_USED, target=user, detail=f"{left} left")
                messages.warning(
                    request,
                    f"You used a recovery code; {left} left. Make new ones under “Two-step login”, "
                    "and set up your authenticator again if you lost it.",
                )
            return HttpResponseRedirect(_next(request, site))
        audit.record(user, Action.SECOND_FACTOR_FAILED, target=user, detail=problem)
        form.add_error("code", problem)
    return render(
        request, "accounts/second_factor.html", _context(request, site, "Two-step login", form=form)
    )


@never_cache
def set_up(request, site):
    """Scan a QR code, prove it with a code, get recovery codes. Staff with an authenticator already
    must have used it in this session before they may replace it."""
    user = request.user
    if not _staff(user):
        return _to_login(site)
    if second_factor.has_device(user) and not user.is_verified():
        return HttpResponseRedirect(reverse("admin:second_factor", current_app=site.name))
    device = TOTPDevice.objects.filter(user=user, confirmed=False).first() or TOTPDevice.objects.create(
        user=user, name="Authenticator", confirmed=False
    )
    form = CodeForm(request.POST or None)
    if form.is_valid():
        if device.verify_token(form.cleaned_data["code"]):
            codes = second_factor.enrol(user, device)
            _logged_in_with(request, device)
            return _show_codes(request, site, codes)
        form.add_error("code", "That code does not match: check the time on your phone and try the next one.")
    qr = segno.make(device.config_url, error="m").svg_inline(scale=4, title="QR code for your authenticator")
    context = _context(
        request,
        site,
        "Set up two-step login",
        form=form,
        qr=mark_safe(qr),  # segno's own SVG markup, made from our URL, not user input
        key=b32encode(device.bin_key).decode(),
        replacing=second_factor.has_device(user),
    )
    return render(request, "accounts/set_up.html", context)


def recovery_codes(request, site):
    """New recovery codes (the old ones stop working), shown once."""
    if request.method == "POST":
        return _show_codes(request, site, second_factor.new_recovery_codes(request.user))
    context = _context(
        request,
        site,
        "Two-step login",
        has_permission=True,
        has_device=second_factor.has_device(request.user),
        remaining=second_factor.remaining_recovery_codes(request.user),
    )
    return render(request, "accounts/recovery_codes.html", context)


def _show_codes(request, site, codes):
    context = _context(request, site, "Your recovery codes", codes=codes, has_permission=True)
    return render(request, "accounts/codes_once.html", context)


class AdminLook:
    """Django's password-reset views with the admin's header and title."""

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        return {**admin.site.each_context(self.request), "has_permission": False, **context}


class PasswordResetView(AdminLook, auth_views.PasswordResetView):
    """Django's reset-by-email, in the admin's look; every request lands in the audit trail."""

    success_url = reverse_lazy("password_reset_done")
    extra_email_context = {"site_name": settings.SITE_NAME}

    def form_valid(self, form):
        email = form.cleaned_data["email"]
        audit.record(None, Action.PASSWORD_RESET_REQUESTED, target=email, request=self.request)
        return super().form_valid(form)


class PasswordResetDoneView(AdminLook, auth_views.PasswordResetDoneView):
    pass


class PasswordResetCompleteView(AdminLook, auth_views.PasswordResetCompleteView):
    pass


class PasswordResetConfirmView(AdminLook, auth_views.PasswordResetConfirmView):
    def form_valid(self, form):
        response = super().form_valid(form)
        audit.record(form.user, Action.PASSWORD_CHANGED, target=form.user, detail="reset by email link")
        return response


def locked_out(request, original_response=None, credentials=None):
    """django-axes' lockout response: the login page's frame, saying for how long (AXES_LOCKOUT_CALLABLE)."""
    context = {
        **admin.site.each_context(request),
        "has_permission": False,
        "title": "Login locked",
        "username": (credentials or {}).get("username", ""),
        "minutes": int(settings.AXES_COOLOFF_TIME.total_seconds() // 60),
    }
    return render(request, "accounts/locked_out.html", context, status=429)
