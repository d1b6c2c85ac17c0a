from django.apps import AppConfig
from django.contrib.admin import apps as admin_apps


class AccountsConfig(AppConfig):
    # This module also holds the admin's config (below): this one is what "accounts" in INSTALLED_APPS means.
    default = True
    name = "accounts"
    verbose_name = "Staff accounts"

    def ready(self):
        from . import signals

        signals.connect()


class StaffAdminConfig(admin_apps.AdminConfig):
    """Django's admin, on a site that asks staff for their second factor (accounts/admin_site.py)."""

    default = False
    default_site = "accounts.admin_site.StaffAdminSite"
