"""Logging in as a person does: the admin's login form, then (when asked) the code from an authenticator."""

from django.urls import reverse
from django_otp.oath import totp

PASSWORD = "correct horse battery staple"


def log_in(client, username, password=PASSWORD, **request):
    """POST the admin login form; `request` carries REMOTE_ADDR or headers, as a proxy would send them."""
    return client.post(
        reverse("admin:login"), {"username": username, "password": password, "next": "/admin/"}, **request
    )


def current_code(device, offset=0):
    """The six digits the authenticator shows now (or `offset` steps of 30 seconds away)."""
    return f"{totp(device.bin_key, step=device.step, t0=device.t0, digits=device.digits, drift=offset):06d}"


def give_code(client, code, next_url="/admin/"):
    return client.post(reverse("admin:second_factor"), {"code": code, "next": next_url})
