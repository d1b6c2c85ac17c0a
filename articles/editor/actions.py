"""The story's action bar: explicit buttons for the moves this user may make from the story's saved state.

Each button submits the form with the status it leads to; articles/workflow.py and the admin form still decide
on the server, so a button shown by mistake could not publish anything.
"""

from dataclasses import dataclass

from django.utils import timezone

from .. import workflow
from ..models import Status


@dataclass
class Action:
    status: str
    label: str
    keeps_state: bool = False
    publish_label: str = ""
    schedule_label: str = ""


def story_actions(user, article):
    """The buttons, first the one that saves without changing state (the form's default, for Enter)."""
    if article is not None and article.pk is not None and not workflow.can_edit(user, article):
        return []
    state = article.state if article is not None and article.pk is not None else Status.DRAFT
    editor = workflow.can_publish(user)
    future = (
        article is not None and article.published_at is not None and article.published_at > timezone.now()
    )
    publish = Action(
        Status.PUBLISHED,
        "Schedule" if future else "Publish",
        publish_label="Publish",
        schedule_label="Schedule",
    )
    match state:
        case Status.DRAFT:
            actions = [
                Action(Status.DRAFT, "Save draft", True),
                Action(Status.IN_REVIEW, "Submit for review"),
            ]
            return [*actions, publish] if editor else actions
        case Status.IN_REVIEW:
            actions = [Action(Status.IN_REVIEW, "Save", True), Action(Status.DRAFT, "Back to draft")]
            return [*actions, publish] if editor else actions
        case Status.SCHEDULED:
            return [Action(Status.PUBLISHED, "Save schedule", True), Action(Status.DRAFT, "Unschedule")]
        case _:
            return [Action(Status.PUBLISHED, "Update", True), Action(Status.DRAFT, "Unpublish")]
