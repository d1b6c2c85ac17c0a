"""A story's parts (bylines with authors, tags, quotes with speakers, references, corrections) fetched inside the
story's own query, one JSON array per kind, instead of one prefetch query each.

Each array holds every concrete column of its rows (and of the author or speaker they point to), so the story's row
plus these arrays are everything its fragments show: articles/fragments.py keys fragments on exactly that text.
"""

import functools
import json
from datetime import UTC, date, datetime

from django.apps import apps
from django.conf import settings
from django.contrib.contenttypes.models import ContentType
from django.db import connections, models
from django.db.models import TextField
from django.db.models.expressions import RawSQL
from django.db.models.query import ModelIterable
from django.utils.dateparse import parse_date, parse_datetime
from taggit.models import Tag, TaggedItem

ANNOTATION_PREFIX = "parts_"
_SQL = {}  # (part, database vendor) -> its subquery


class Part:
    """One kind of part: which table, which rows joined to it, how to order them and build instances from them."""

    def __init__(self, name, model, joined=None, order=None, owner="article_id", where=""):
        self.name, self.model, self.owner, self.where = name, model, owner, where
        self.joined = joined or {}  # foreign key name -> model whose row comes along (a byline's author)
        self.order = order

    def sql(self, connection):
        """A correlated subquery giving this story's rows as the text of one JSON array.

        Written out once per database instead of composed from ORM expressions: compiling a JSON object of every
        column through the ORM cost more CPU than the queries it saved. It names the story table by its own name,
        as the top-level queries of for_teasers() and for_detail() do (a queryset used inside another, e.g. with
        `pk__in=`, selects only its pk, so the annotation is not written there)."""
        quote = connection.ops.quote_name
        pairs = [(field.attname, f"p.{quote(field.column)}") for field in self.model._meta.concrete_fields]
        joins = []
        for n, (name, model) in enumerate(self.joined.items()):
            alias, foreign_key = f"j{n}", self.model._meta.get_field(name)
            pairs += [
                (f"{name}__{field.attname}", f"{alias}.{quote(field.column)}")
                for field in model._meta.concrete_fields
            ]
            joins.append(
                f"INNER JOIN {quote(model._meta.db_table)} {alias} "
                f"ON {alias}.{quote(model._meta.pk.column)} = p.{quote(foreign_key.column)}"
            )
        story = _article()._meta
        if connection.vendor == "postgresql":
            build, agg, cast = "jsonb_build_object", "jsonb_agg", "::text"
            keys = ", ".join(f"'{key}'::text, {column}" for key, column in pairs)
        else:
            build, agg, cast = "json_object", "json_group_array", ""
            keys = ", ".join(f"'{key}', {column}" for key, column in pairs)
        return (
            f"(SELECT {agg}({build}({keys})){cast} FROM {quote(self.model._meta.db_table)} p {' '.join(joins)} "
            f"WHERE p.{quote(self.owner)} = {quote(story.db_table)}.{quote(story.pk.column)}{self.where})"
        )

    def expression(self, connection):
        params = (ContentType.objects.get_for_model(_article()).pk,) if self.where else ()
        key = (self.name, connection.vendor)
        if key not in _SQL:
            _SQL[key] = self.sql(connection)
        return RawSQL(_SQL[key], params, output_field=TextField())

    def build(self, article, rows, vendor):
        """Model instances from the decoded rows, in the order the page prints them."""
        built = []
        for row in rows:
            instance = _instance(self.model, row, vendor)
            for name, model in self.joined.items():
                setattr(instance, name, _instance(model, row, vendor, f"{name}__"))
            if self.name != "tags":
                instance.article = article
            built.append(instance)
        built.sort(key=self.order)
        return built


def _article():
    # From the app registry, not an import: article.py imports this module.
    return apps.get_model("articles", "Article")


@functools.cache
def _parts():
    Byline, Author, Citation, Correction, Quote, Speaker = (
        apps.get_model("articles", name)
        for name in ("Byline", "Author", "Citation", "Correction", "Quote", "Speaker")
    )

    return {
        "bylines": Part("bylines", Byline, {"author": Author}, order=lambda b: (b.position, b.pk)),
        "tags": Part(
            "tags",
            TaggedItem,
            {"tag": Tag},
            order=lambda t: t.pk,
            owner="object_id",
            where=" AND p.content_type_id = %s",
        ),
        "quotes": Part("quotes", Quote, {"speaker": Speaker}, order=lambda q: (q.position, q.pk)),
        "citations": Part("citations", Citation, order=lambda c: (c.position, c.pk)),
        "corrections": Part("corrections", Correction, order=lambda c: (-c.created_at.timestamp(), -c.pk)),
    }


def _aware(value):
    parsed = value if isinstance(value, datetime) else parse_datetime(value)
    if settings.USE_TZ and parsed.tzinfo is None:
        parsed = parsed.replace(tzinfo=UTC)  # SQLite stores UTC without an offset
    return parsed


def _converter(field, vendor):
    """How a column's value as JSON carried it becomes what the database adapter would have returned, or None
    when it already is."""
    if isinstance(field, models.JSONField):
        # SQLite keeps JSON as text, so json_object() embeds it as a string; PostgreSQL embeds the value.
        return json.loads if vendor == "sqlite" else None
    if isinstance(field, models.DateTimeField):
        return _aware
    if isinstance(field, models.DateField):
        return lambda value: value if isinstance(value, date) else parse_date(value)
    if isinstance(field, models.BooleanField):
        return bool  # SQLite's 0 and 1
    return None


@functools.cache
def _columns(model, vendor, prefix):
    """(key in the JSON row, converter) for each concrete field, in the order from_db() takes them."""
    return [(f"{prefix}{field.attname}", _converter(field, vendor)) for field in model._meta.concrete_fields]


def _instance(model, row, vendor, prefix=""):
    values = [
        row[key] if convert is None or row[key] is None else convert(row[key])
        for key, convert in _columns(model, vendor, prefix)
    ]
    return model.from_db(model.objects.db, None, values)


def row_sql(connection, model, key):
    """A subquery giving the row of `model` whose primary key is `key` (an outer column, written out) as the text
    of one JSON object, every concrete column by attname, as the parts' arrays carry their rows; `row()` makes
    the instance."""
    quote = connection.ops.quote_name
    pairs = [(field.attname, f"p.{quote(field.column)}") for field in model._meta.concrete_fields]
    if connection.vendor == "postgresql":
        build, cast = "jsonb_build_object", "::text"
        keys = ", ".join(f"'{name}'::text, {column}" for name, column in pairs)
    else:
        build, cast = "json_object", ""
        keys = ", ".join(f"'{name}', {column}" for name, column in pairs)
    return (
        f"(SELECT {build}({keys}){cast} FROM {quote(model._meta.db_table)} p "
        f"WHERE p.{quote(model._meta.pk.column)} = {key})"
    )


def row(model, text, vendor):
    """The instance of `model` from row_sql()'s JSON text, as a query would have loaded it (None for NULL)."""
    return None if text is None else _instance(model, json.loads(text), vendor)


def annotations(connection, *names):
    """The annotations that bring `names` (keys of _parts()) along with each story from `connection`."""
    parts = _parts()
    return {f"{ANNOTATION_PREFIX}{name}": parts[name].expression(connection) for name in names}


class PartsCache(dict):
    """The story's prefetched rows, by relation name, as prefetch_related() keeps them; parts that came as JSON
    are turned into model instances only when first read, so a page that takes a story's fragment from the store
    never builds the rows the fragment shows."""

    def __init__(self, article, vendor):
        super().__init__()
        self.article, self.vendor, self.pending = article, vendor, {}

    def __contains__(self, name):
        return super().__contains__(name) or name in self.pending

    def __missing__(self, name):
        text = self.pending.pop(name)  # KeyError when neither fetched nor pending, as a plain dict
        part = _parts()[name]
        built = part.build(self.article, json.loads(text), self.vendor)
        if name == "tags":
            built = [item.tag for item in built]
        queryset = getattr(self.article, name).get_queryset()
        # Django's own prefetch keeps the rows on the related manager's queryset this way.
        queryset._result_cache, queryset._prefetch_done = built, True
        self[name] = queryset
        return queryset


def attach(article):
    """Make the JSON the story's query brought the story's prefetched parts: `article.bylines.all()`,
    `article.tags.all()` and the rest then read them without a query, and anything chained on them (`.filter()`,
    `.count()` on a new queryset) still queries the database with the right filter. `article.parts_text` keeps
    the JSON text by part, for fragments.py's keys."""
    texts = {}
    for name in _parts():
        text = article.__dict__.pop(f"{ANNOTATION_PREFIX}{name}", False)
        if text is not False:
            texts[name] = text or "[]"  # PostgreSQL's jsonb_agg over no rows is NULL
    if not texts:
        return
    cache = article.__dict__.get("_prefetched_objects_cache")
    if not isinstance(cache, PartsCache):
        cache = PartsCache(article, connections[article._state.db].vendor)
        cache.update(article.__dict__.get("_prefetched_objects_cache", {}))
        article._prefetched_objects_cache = cache
    cache.pending.update(texts)
    article.parts_text = {**article.__dict__.get("parts_text", {}), **texts}


class StoryIterable(ModelIterable):
    """Stories with their parts attached (see attach())."""

    def __iter__(self):
        for article in super().__iter__():
            attach(article)
            yield article
