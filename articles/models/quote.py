from django.db import models
from django.db.models import Deferrable
from django.utils.text import Truncator


class Quote(models.Model):
    """Words a named person said in a story. The text also stays in the body, as written."""

    article = models.ForeignKey("articles.Article", on_delete=models.CASCADE, related_name="quotes")
    position = models.PositiveSmallIntegerField(default=0)
    text = models.TextField(help_text="The words as quoted, without the quotation marks.")
    speaker = models.ForeignKey("articles.Speaker", on_delete=models.PROTECT, related_name="quotes")
    role = models.CharField(
        max_length=150,
        blank=True,
        help_text="Only when this story describes the speaker differently from their record.",
    )
    affiliation = models.CharField(
        max_length=200, blank=True, help_text="Likewise, only to override the record."
    )
    is_pull_quote = models.BooleanField(
        "pull quote", default=False, help_text="Show it large beside the story."
    )

    class Meta:
        ordering = ["article", "position", "pk"]
        constraints = [
            # Deferred so editors can swap two positions in one save. SQLite cannot defer, so there only
            # model validation (which the admin formsets run) keeps positions unique.
            models.UniqueConstraint(
                fields=["article", "position"], name="quote_unique_position", deferrable=Deferrable.DEFERRED
            ),
        ]

    def __str__(self):
        # Whole words: this names the row in the history's change messages.
        return f"{self.speaker}: {Truncator(self.text).words(10)}"

    @property
    def speaker_role(self):
        return self.role or self.speaker.role

    @property
    def speaker_affiliation(self):
        return self.affiliation or self.speaker.affiliation
