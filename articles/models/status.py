"""A story's place in the workflow: the one status enum, used by stories and by their state-change log."""

from django.db import models


class Status(models.TextChoices):
    """Stories store draft, in review or published; "scheduled" is derived (published, with a time still to
    come) and appears only in the state-change log and the admin's filter."""

    DRAFT = "draft", "Draft"
    IN_REVIEW = "review", "In review"
    SCHEDULED = "scheduled", "Scheduled"
    PUBLISHED = "published", "Published"

    @property
    def as_complement(self):
        """What follows “This story is”: “a draft”, “in review”, “scheduled” or “published”."""
        return "a draft" if self == Status.DRAFT else self.label.lower()

    @classmethod
    def stored(cls):
        """The statuses a story row can hold, in workflow order."""
        return [cls.DRAFT, cls.IN_REVIEW, cls.PUBLISHED]

    @classmethod
    def stored_choices(cls):
        return [(status.value, status.label) for status in cls.stored()]
