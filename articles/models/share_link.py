"""Share links: read-only addresses an Editor hands a reviewer without a login, each with its own lifetime,
revocable one by one."""

import secrets

from django.conf import settings
from django.db import models
from django.urls import reverse
from django.utils import timezone

# What an Editor may choose, in days; the default is settings.PREVIEW_LINK_DAYS.
LIFETIME_DAYS = [1, 3, 7, 14, 30]


def new_key():
    return secrets.token_urlsafe(24)


class ShareLinkQuerySet(models.QuerySet):
    def working(self):
        """Links that still open their story: not revoked, not expired (the story may still be published since)."""
        return self.filter(revoked_at__isnull=True, expires_at__gt=timezone.now())


class ShareLink(models.Model):
    article = models.ForeignKey("articles.Article", on_delete=models.CASCADE, related_name="share_links")
    key = models.CharField(max_length=64, unique=True, default=new_key, editable=False)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    created_at = models.DateTimeField(default=timezone.now)
    expires_at = models.DateTimeField()
    revoked_at = models.DateTimeField(null=True, blank=True)
    revoked_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )

    objects = ShareLinkQuerySet.as_manager()

    class Meta:
        ordering = ["-created_at", "-pk"]

    def __str__(self):
        return f"Share link to “{self.article}”"

    def get_absolute_url(self):
        return reverse("articles:preview", kwargs={"token": self.key})

    @property
    def url(self):
        return self.get_absolute_url()

    @property
    def is_expired(self):
        return self.expires_at <= timezone.now()
