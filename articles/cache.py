"""What the page cache (the ``pagecache`` app) needs to know about stories: when the clock alone changes pages; and
what reader pages keep in this process between writes (`kept`).
"""

import threading
from collections import OrderedDict

from django.core.signals import setting_changed
from django.db import connections, models
from django.db.models import Min, Q
from django.dispatch import receiver
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


def content_state(article):
    """The content state `article`'s query read (ArticleQuerySet.with_content_state()), or None when nothing may
    be kept under it: not read, or read inside a transaction, which sees its own writes before their commit
    bumps the content version."""
    if "content_version" not in article.__dict__ or connections[article._state.db].in_atomic_block:
        return None
    return (article.content_version, article.next_publication)


class Kept:
    """Values derived from published stories (a story's related stories, a list's number of stories), kept in
    this process under the content state they were read in.

    Exact for the same reasons as the page cache: every committed write to the stories' tables, from any process,
    bumps the content version, and the next scheduled publication changes when the clock makes a story public; a
    value is used only by a request whose own query read the same state. Only the newest state's values are
    held (a new state drops the rest, which no request can use again), at most `max_entries` of them."""

    def __init__(self, max_entries):
        self.max_entries = max_entries
        self.state, self.items = None, OrderedDict()
        self.lock = threading.Lock()
        self.hits = self.misses = 0

    def get(self, state, key, make):
        """The value kept for `key` under `state`, or `make()`'s (kept when `state` is not None)."""
        if state is None:
            return make()
        with self.lock:
            if state == self.state and key in self.items:
                self.items.move_to_end(key)
                self.hits += 1
                return self.items[key]
            self.misses += 1
        value = make()
        with self.lock:
            if state != self.state:
                self.state, self.items = state, OrderedDict()
            self.items[key] = value
            while len(self.items) > self.max_entries:
                self.items.popitem(last=False)
        return value

    def clear(self):
        with self.lock:
            self.state, self.items = None, OrderedDict()
            self.hits = self.misses = 0


kept = Kept(10_000)


@receiver(setting_changed)
def _settings_changed(**kwargs):
    """Kept related stories are rendered HTML, which settings shape (as fragments.py's store)."""
    kept.clear()
