"""A story's parts (bylines with authors, tags, quotes with speakers, references, corrections) fetched inside the
story's own query, one JSON array per kind, instead of one prefetch query each.

Each array holds every concrete column of its rows (and of the author or speaker they point to), so the story's row
plus these arrays are everything its fragments show: articles/fragments.py keys fragments on exactly that text.
"""

import functools
import json
from datetime import UTC, date, datetime

from django.conf import settings
from django.contrib.contenttypes.models import ContentType
from django.db import connections, models
from django.db.models import Aggregate, F, OuterRef, Subquery, TextField
from django.db.models.functions import JSONObject
from django.db.models.query import ModelIterable
from django.utils.dateparse import parse_date, parse_datetime
from taggit.models import Tag, TaggedItem

ANNOTATION_PREFIX = "parts_"


class JSONRows(Aggregate):
    """The aggregated rows as the text of one JSON array: json_group_array on SQLite, jsonb_agg on PostgreSQL."""

    function = "JSON_GROUP_ARRAY"
    output_field = TextField()

    def as_postgresql(self, compiler, connection, **extra_context):
        sql, params = self.as_sql(compiler, connection, function="JSONB_AGG", **extra_context)
        return f"({sql})::text", params


def _columns(model, prefix=""):
    return {
        f"{prefix}{field.attname}": F(f"{prefix}{field.attname}") for field in model._meta.concrete_fields
    }


class Part:
    """One kind of part: which rows, which columns, how to order them and how to build instances from them."""

    def __init__(self, name, model, rows, joined=None, order=None, owner="article"):
        self.name, self.model, self.rows, self.owner = name, model, rows, owner
        self.joined = joined or {}  # foreign key name -> model whose row comes along (a byline's author)
        self.order = order

    def expression(self):
        columns = _columns(self.model)
        for name, model in self.joined.items():
            columns.update(_columns(model, f"{name}__"))
        # Grouped by the story: one row, every part of this story in it.
        grouped = self.rows(OuterRef("pk")).order_by().values(self.owner)
        return Subquery(grouped.annotate(rows=JSONRows(JSONObject(**columns))).values("rows"))

    def build(self, article, rows):
        """Model instances from the decoded rows, in the order the page prints them."""
        built = []
        for row in rows:
            instance = _instance(self.model, row)
            for name, model in self.joined.items():
                setattr(instance, name, _instance(model, row, f"{name}__"))
            if self.name != "tags":
                instance.article = article
            built.append(instance)
        built.sort(key=self.order)
        return built


def _tagged_rows(story_pk):
    from .article import Article  # late: article.py imports this module

    return TaggedItem.objects.filter(
        content_type=ContentType.objects.get_for_model(Article), object_id=story_pk
    )


@functools.cache
def _parts():
    from .article import Byline
    from .author import Author
    from .citation import Citation
    from .correction import Correction
    from .quote import Quote
    from .speaker import Speaker

    return {
        "bylines": Part(
            "bylines",
            Byline,
            lambda pk: Byline.objects.filter(article=pk),
            {"author": Author},
            order=lambda b: (b.position, b.pk),
        ),
        "tags": Part("tags", TaggedItem, _tagged_rows, {"tag": Tag}, order=lambda t: t.pk, owner="object_id"),
        "quotes": Part(
            "quotes",
            Quote,
            lambda pk: Quote.objects.filter(article=pk),
            {"speaker": Speaker},
            order=lambda q: (q.position, q.pk),
        ),
        "citations": Part(
            "citations",
            Citation,
            lambda pk: Citation.objects.filter(article=pk),
            order=lambda c: (c.position, c.pk),
        ),
        "corrections": Part(
            "corrections",
            Correction,
            lambda pk: Correction.objects.filter(article=pk),
            order=lambda c: (-c.created_at.timestamp(), -c.pk),
        ),
    }


def _value(field, value, vendor):
    """A column's value as JSON carried it, as the database adapter would have returned it."""
    if value is None:
        return None
    if isinstance(field, models.JSONField):
        # SQLite keeps JSON as text, so json_object() embeds it as a string; PostgreSQL embeds the value.
        return json.loads(value) if vendor == "sqlite" else value
    if isinstance(field, models.DateTimeField):
        parsed = value if isinstance(value, datetime) else parse_datetime(value)
        if settings.USE_TZ and parsed.tzinfo is None:
            parsed = parsed.replace(tzinfo=UTC)  # SQLite stores UTC without an offset
        return parsed
    if isinstance(field, models.DateField):
        return value if isinstance(value, date) else parse_date(value)
    if isinstance(field, models.BooleanField):
        return bool(value)  # SQLite's 0 and 1
    return value


def _instance(model, row, prefix=""):
    vendor = connections[model.objects.db].vendor
    fields = model._meta.concrete_fields
    values = [_value(field, row[f"{prefix}{field.attname}"], vendor) for field in fields]
    return model.from_db(model.objects.db, [field.attname for field in fields], values)


def annotations(*names):
    """The annotations that bring `names` (keys of PARTS) along with each story."""
    parts = _parts()
    return {f"{ANNOTATION_PREFIX}{name}": parts[name].expression() for name in names}


def attach(article):
    """Turn the JSON the story's query brought into the story's prefetched parts, as prefetch_related() would leave
    them: `article.bylines.all()`, `article.tags.all()` and the rest then read them without a query, and anything
    chained on them (`.filter()`, `.count()` on a new queryset) still queries the database with the right filter.
    """
    parts = _parts()
    cache = article.__dict__.setdefault("_prefetched_objects_cache", {})
    for name, part in parts.items():
        text = article.__dict__.pop(f"{ANNOTATION_PREFIX}{name}", False)
        if text is False:
            continue
        article.__dict__.setdefault("parts_text", {})[name] = text or "[]"
        built = part.build(article, json.loads(text) if text else [])
        if name == "tags":
            built = [item.tag for item in built]
        queryset = getattr(article, name).get_queryset() if name not in cache else cache[name]
        # Django's own prefetch keeps the rows on the related manager's queryset this way.
        queryset._result_cache, queryset._prefetch_done = built, True
        cache[name] = queryset


class StoryIterable(ModelIterable):
    """Stories with their parts attached (see attach())."""

    def __iter__(self):
        for article in super().__iter__():
            attach(article)
            yield article
