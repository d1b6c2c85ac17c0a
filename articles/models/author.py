from django.conf import settings
from django.db import models
from django.urls import reverse

from ..images import CleanImageField


class Author(models.Model):
    """A byline: usually a staff member, sometimes a contributor with no login."""

    name = models.CharField(max_length=150)
    slug = models.SlugField(max_length=150, unique=True, allow_unicode=True)
    role = models.CharField(
        max_length=150, blank=True, help_text="Shown under the byline, e.g. “Science correspondent”."
    )
    bio = models.TextField(blank=True, help_text="A short paragraph for the author page. Plain text.")
    photo = CleanImageField(
        upload_to="authors/",
        blank=True,
        help_text="JPEG, PNG, WebP or GIF. Turned upright and stripped of location data when stored.",
    )
    user = models.OneToOneField(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="author_profile",
        help_text="The staff login that writes under this byline, if any.",
    )
    website = models.URLField(blank=True)

    class Meta:
        ordering = ["name"]

    def __str__(self):
        return self.name

    def get_absolute_url(self):
        return reverse("articles:author", kwargs={"slug": self.slug})
