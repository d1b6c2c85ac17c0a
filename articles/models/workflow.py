"""What the desk's workflow leaves behind: state changes, corrections and old addresses of stories."""

from django.conf import settings
from django.db import models
from django.urls import reverse
from django.utils import timezone


class State(models.TextChoices):
    """A story's place in the workflow; "scheduled" is a published story whose time has not come."""

    DRAFT = "draft", "Draft"
    IN_REVIEW = "review", "In review"
    SCHEDULED = "scheduled", "Scheduled"
    PUBLISHED = "published", "Published"


class StatusChange(models.Model):
    """One step of a story through the workflow: who moved it, when, from which state to which."""

    article = models.ForeignKey("articles.Article", on_delete=models.CASCADE, related_name="status_changes")
    from_state = models.CharField(max_length=12, choices=State.choices)
    to_state = models.CharField(max_length=12, choices=State.choices)
    published_at = models.DateTimeField(
        "publication time", null=True, blank=True, help_text="The story's publication time after the change."
    )
    changed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    changed_at = models.DateTimeField(default=timezone.now, db_index=True)

    class Meta:
        ordering = ["-changed_at", "-pk"]
        verbose_name = "state change"

    def __str__(self):
        return f"{self.get_from_state_display()} → {self.get_to_state_display()}"

    @classmethod
    def record(cls, article, before, user):
        """Log the move when the story's state differs from `before`; returns the entry or None."""
        after = article.state
        if after == before:
            return None
        return cls.objects.create(
            article=article,
            from_state=before,
            to_state=after,
            published_at=article.published_at,
            changed_by=user if user is not None and user.is_authenticated else None,
        )


class CorrectionKind(models.TextChoices):
    CORRECTION = "correction", "Correction"
    CLARIFICATION = "clarification", "Clarification"
    UPDATE = "update", "Update"


class CorrectionQuerySet(models.QuerySet):
    def public(self):
        """Corrections readers may see: those on published stories (published() decides which)."""
        from .article import Article

        return self.filter(article__in=Article.objects.published())


class Correction(models.Model):
    """A note at the foot of a story saying what was wrong, unclear or has changed since publication."""

    article = models.ForeignKey("articles.Article", on_delete=models.CASCADE, related_name="corrections")
    kind = models.CharField(max_length=15, choices=CorrectionKind.choices, default=CorrectionKind.CORRECTION)
    text = models.TextField(
        help_text="Plain text, e.g. “An earlier version misstated the size of the trial: 312, not 3,120.”"
    )
    created_at = models.DateTimeField("date", default=timezone.now, db_index=True)

    objects = CorrectionQuerySet.as_manager()

    class Meta:
        ordering = ["-created_at", "-pk"]

    def __str__(self):
        return f"{self.get_kind_display()} to {self.article}"

    def save(self, *args, **kwargs):
        super().save(*args, **kwargs)
        # A correction changes what readers see, so the story's modified date moves; an update()
        # leaves lock_version alone, because nobody's open edit of the story is out of date.
        type(self.article).objects.filter(pk=self.article_id).update(updated_at=timezone.now())

    def get_absolute_url(self):
        return f"{self.article.get_absolute_url()}#correction-{self.pk}"


class ArticleRedirect(models.Model):
    """An address a published story used to have; the story page answers it with a 301."""

    old_slug = models.CharField(max_length=255, unique=True)
    article = models.ForeignKey("articles.Article", on_delete=models.CASCADE, related_name="old_slugs")
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        verbose_name = "old address"
        verbose_name_plural = "old addresses"

    def __str__(self):
        return f"{self.old_path} → {self.article.get_absolute_url()}"

    @property
    def old_path(self):
        return reverse("articles:detail", kwargs={"slug": self.old_slug})
