"""What the page cache (the ``pagecache`` app) needs to know about stories: when the clock alone changes pages."""

from django.db import models
from django.db.models import Min, Q
from django.utils import timezone

from .models import Article


def next_publication_change():
    """The earliest future moment at which the clock alone can change what ``published()`` returns.

    ``published()`` compares the story's datetimes with now(), so its result can only change when now() passes one
    of them. Taking the earliest future value of every editable datetime on Article (publication time, embargo,
    any expiry added later) is therefore never later than the next change, without re-spelling the rule here.
    """
    now = timezone.now()
    fields = [
        field.name
        for field in Article._meta.concrete_fields
        if isinstance(field, models.DateTimeField) and not (field.auto_now or field.auto_now_add)
    ]
    upcoming = Article.objects.aggregate(
        **{name: Min(name, filter=Q(**{f"{name}__gt": now})) for name in fields}
    ).values()
    return min((moment for moment in upcoming if moment is not None), default=None)
