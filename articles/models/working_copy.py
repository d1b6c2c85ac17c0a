"""Working copies: what a person has typed into a story's form and not saved yet, autosaved every few seconds.

One per person and story (and one per person for a story not saved yet). It is not a revision: the story and
its history are untouched until the person saves, so autosave never publishes anything nor overwrites anyone.
The row also says that its owner has the story open (seen_at), which is how editors see each other.
"""

from django.conf import settings
from django.db import models
from django.db.models import Q


class WorkingCopy(models.Model):
    article = models.ForeignKey(
        "articles.Article", on_delete=models.CASCADE, null=True, blank=True, related_name="working_copies"
    )
    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="+")
    data = models.JSONField(
        null=True,
        blank=True,
        help_text="The form's fields as [name, value] pairs; empty when nothing is unsaved.",
    )
    loaded_version = models.PositiveIntegerField(
        null=True, blank=True, help_text="The story's lock_version when its owner opened it."
    )
    saved_at = models.DateTimeField(null=True, blank=True, help_text="When the data was last autosaved.")
    seen_at = models.DateTimeField(help_text="When the owner's page last said it was open.")

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["article", "user"], name="working_copy_one_per_person"),
            models.UniqueConstraint(
                fields=["user"],
                condition=Q(article__isnull=True),
                name="working_copy_one_new_story_per_person",
            ),
        ]
        indexes = [models.Index(fields=["article", "seen_at"], name="working_copy_presence")]

    def __str__(self):
        return f"{self.user}'s working copy of {self.article or 'a new story'}"

    @property
    def has_changes(self):
        return self.data is not None
