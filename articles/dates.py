"""The one range every date a story holds must lie in, from the admin or an import.

Outside it, dates stop being news and start breaking things: a year-1 time in a +14:00 zone is stored as a BC
date that PostgreSQL returns and Python can't hold, and a year-9999 embargo overflows when moved to UTC.
"""

from datetime import UTC, datetime

from django.core.exceptions import ValidationError
from django.db.models import Q

EARLIEST = datetime(1900, 1, 1, tzinfo=UTC)
LATEST = datetime(2200, 1, 1, tzinfo=UTC)
RANGE_TEXT = "between 1900 and 2199"


def out_of_range(moment):
    """Why `moment` (an aware datetime, or None) can't be stored, or "" when it can."""
    if moment is None:
        return ""
    try:
        inside = EARLIEST <= moment < LATEST
    except OverflowError:
        inside = False
    return "" if inside else f"{moment.isoformat()} is not {RANGE_TEXT}"


def validate_in_range(moment):
    """A model field validator: the admin's forms show it as the field's error."""
    if reason := out_of_range(moment):
        raise ValidationError(f"Give a date {RANGE_TEXT}.", code="date_range", params={"reason": reason})


def in_range(field_name):
    """The database's own check on a date column, so nothing written around the forms escapes it."""
    return Q(**{f"{field_name}__isnull": True}) | Q(
        **{f"{field_name}__gte": EARLIEST, f"{field_name}__lt": LATEST}
    )
