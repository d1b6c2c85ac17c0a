"""The workflow's log: who moved a story from which state to which, and when."""

from django.conf import settings
from django.db import models
from django.utils import timezone

from .status import Status


class StatusChange(models.Model):
    """One step of a story through the workflow: who moved it, when, from which state to which."""

    article = models.ForeignKey("articles.Article", on_delete=models.CASCADE, related_name="status_changes")
    from_state = models.CharField(max_length=12, choices=Status.choices)
    to_state = models.CharField(max_length=12, choices=Status.choices)
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
