"""Corrections, clarifications and updates: the public log at the foot of a story."""

from django.db import models
from django.utils import timezone

from ..dates import in_range, validate_in_range


class CorrectionKind(models.TextChoices):
    CORRECTION = "correction", "Correction"
    CLARIFICATION = "clarification", "Clarification"
    UPDATE = "update", "Update"


class CorrectionQuerySet(models.QuerySet):
    def public(self):
        """Corrections readers may see: those on published stories (published() decides which)."""
        stories = self.model._meta.get_field("article").related_model.objects
        return self.filter(article__in=stories.published())


class Correction(models.Model):
    """A note at the foot of a story saying what was wrong, unclear or has changed since publication."""

    article = models.ForeignKey("articles.Article", on_delete=models.CASCADE, related_name="corrections")
    kind = models.CharField(max_length=15, choices=CorrectionKind.choices, default=CorrectionKind.CORRECTION)
    text = models.TextField(
        help_text="Plain text, e.g. “An earlier version misstated the size of the trial: 312, not 3,120.”"
    )
    created_at = models.DateTimeField(
        "date", default=timezone.now, db_index=True, validators=[validate_in_range]
    )

    objects = CorrectionQuerySet.as_manager()

    class Meta:
        ordering = ["-created_at", "-pk"]
        constraints = [
            models.CheckConstraint(condition=in_range("created_at"), name="correction_created_at_in_range")
        ]

    def __str__(self):
        return f"{self.get_kind_display()} to {self.article}"

    def save(self, *args, **kwargs):
        super().save(*args, **kwargs)
        # A correction changes what readers see, so the story's modified date moves; an update()
        # leaves lock_version alone, because nobody's open edit of the story is out of date.
        type(self.article).objects.filter(pk=self.article_id).update(updated_at=timezone.now())

    def get_absolute_url(self):
        return f"{self.article.get_absolute_url()}#correction-{self.pk}"
