"""The JSON interchange format: what ``export_articles`` writes and ``import_articles`` reads back.

The schema is documented in the README (“Importing”). A file holds one story object or a list of them.
Every field is checked for its type and unknown fields are refused by name, so a typo never silently
drops data.
"""

import json
import shutil
from datetime import UTC, datetime
from pathlib import Path

from django.utils import timezone
from django.utils.text import slugify

from ..extraction.references import parse_reference
from ..models import Status
from .story import (
    CITATION_FIELDS,
    ArticleImportError,
    Story,
    StoryAuthor,
    StoryQuote,
    StorySection,
    StorySpeaker,
    decode_utf8,
)

STR, BOOL, INT, LIST, DATE = "a string", "true or false", "a whole number", "a list", "a date"
STORY_FIELDS = {
    "external_id": STR, "headline": STR, "slug": STR, "standfirst": STR, "body": STR, "status": STR,
    "published_at": DATE, "embargo_until": DATE, "section": "section", "authors": LIST, "tags": LIST,
    "quotes": LIST, "citations": LIST, "hero_image": STR, "hero_alt": STR, "hero_caption": STR,
    "hero_credit": STR, "disclosure": STR, "source_name": STR, "source_url": STR,
}  # fmt: skip
SECTION_FIELDS = {"name": STR, "slug": STR, "description": STR}
AUTHOR_FIELDS = {"name": STR, "slug": STR, "role": STR, "bio": STR, "website": STR}
SPEAKER_FIELDS = {"name": STR, "role": STR, "affiliation": STR, "orcid": STR, "url": STR}
QUOTE_FIELDS = {"text": STR, "speaker": "speaker", "role": STR, "affiliation": STR, "is_pull_quote": BOOL}
CITATION_SCHEMA = {name: STR for name in CITATION_FIELDS} | {"authors": LIST, "et_al": BOOL, "year": INT}


class SchemaError(Exception):
    pass


def parse(source):
    text = decode_utf8(source)
    try:
        data = json.loads(text)
    except json.JSONDecodeError as error:
        raise ArticleImportError(
            source.label, f"not valid JSON ({error.msg}, column {error.colno})", where=error.lineno
        ) from None
    except RecursionError:
        raise ArticleImportError(source.label, "JSON nested too deeply to be a story file") from None
    items = data if isinstance(data, list) else [data]
    for number, item in enumerate(items, start=1):
        where = f"item {number}"
        try:
            yield _story(item, source, where)
        except SchemaError as error:
            yield ArticleImportError(source.label, str(error), where=where)


def _story(item, source, where):
    _check(item, STORY_FIELDS, "story")
    headline = item.get("headline")
    if not headline:
        raise SchemaError("“headline” is missing")
    status = item.get("status")
    stored = [value for value, _ in Status.stored_choices()]
    if status is not None and status not in stored:
        raise SchemaError(f"“status” must be one of {', '.join(stored)}, not “{status}”")
    return Story(
        format="json",
        path=source.label,
        where=where,
        external_id=item.get("external_id")
        or f"json:{slugify(item.get('slug') or headline, allow_unicode=True)}",
        headline=headline,
        slug=item.get("slug") or "",
        standfirst=item.get("standfirst") or "",
        body=item.get("body") or "",
        status=status,
        published_at=_date(item, "published_at"),
        embargo_until=_date(item, "embargo_until"),
        section=_section(item.get("section")),
        authors=[_author(entry, i) for i, entry in enumerate(item.get("authors") or [])],
        tags=[_string(tag, f"tags[{i}]") for i, tag in enumerate(item.get("tags") or [])],
        quotes=[_quote(entry, i) for i, entry in enumerate(item.get("quotes") or [])],
        citations=[_citation(entry, i) for i, entry in enumerate(item.get("citations") or [])],
        hero_image=item.get("hero_image") or "",
        base_dir=source.base_dir,
        hero_alt=item.get("hero_alt") or "",
        hero_caption=item.get("hero_caption") or "",
        hero_credit=item.get("hero_credit") or "",
        disclosure=item.get("disclosure") or "",
        source_name=item.get("source_name") or "",
        source_url=item.get("source_url") or "",
    )


def _check(value, spec, name):
    if not isinstance(value, dict):
        raise SchemaError(f"{name} must be an object, not {_kind(value)}")
    for key in value:
        if key not in spec:
            raise SchemaError(f"unknown field “{key}” in {name}")
        item = value[key]
        if item is None:
            continue
        ok = {
            STR: isinstance(item, str),
            BOOL: isinstance(item, bool),
            INT: isinstance(item, int) and not isinstance(item, bool),
            LIST: isinstance(item, list),
            DATE: isinstance(item, str),
            "section": isinstance(item, str | dict),
            "speaker": isinstance(item, str | dict),
        }[spec[key]]
        if not ok:
            expected = spec[key] if spec[key] not in ("section", "speaker") else "a string or an object"
            raise SchemaError(f"“{key}” in {name} must be {expected}, not {_kind(item)}")


def _kind(value):
    return {
        str: "a string", bool: "true/false", int: "a number", float: "a number", list: "a list",
        dict: "an object", type(None): "null",
    }.get(type(value), type(value).__name__)  # fmt: skip


def _string(value, name):
    if not isinstance(value, str):
        raise SchemaError(f"{name} must be a string, not {_kind(value)}")
    return value


def _date(item, key):
    value = item.get(key)
    if not value:
        return None
    try:
        moment = datetime.fromisoformat(value)
    except ValueError:
        raise SchemaError(f"“{key}” is not an ISO 8601 date and time: “{value[:40]}”") from None
    return moment if timezone.is_aware(moment) else timezone.make_aware(moment)


def _section(value):
    if not value:
        return None
    if isinstance(value, str):
        return StorySection(value)
    _check(value, SECTION_FIELDS, "section")
    if not value.get("name"):
        raise SchemaError("section needs a “name”")
    return StorySection(**{key: value.get(key) or "" for key in SECTION_FIELDS})


def _author(value, i):
    if isinstance(value, str):
        return StoryAuthor(value)
    _check(value, AUTHOR_FIELDS, f"authors[{i}]")
    if not value.get("name"):
        raise SchemaError(f"authors[{i}] needs a “name”")
    return StoryAuthor(**{key: value.get(key) or "" for key in AUTHOR_FIELDS})


def _quote(value, i):
    _check(value, QUOTE_FIELDS, f"quotes[{i}]")
    speaker = value.get("speaker")
    if not value.get("text") or not speaker:
        raise SchemaError(f"quotes[{i}] needs “text” and “speaker”")
    if isinstance(speaker, str):
        person = StorySpeaker(speaker)
    else:
        _check(speaker, SPEAKER_FIELDS, f"quotes[{i}].speaker")
        if not speaker.get("name"):
            raise SchemaError(f"quotes[{i}].speaker needs a “name”")
        person = StorySpeaker(**{key: speaker.get(key) or "" for key in SPEAKER_FIELDS})
    return StoryQuote(
        text=value["text"],
        speaker=person,
        role=value.get("role") or "",
        affiliation=value.get("affiliation") or "",
        is_pull_quote=bool(value.get("is_pull_quote")),
    )


def _citation(value, i):
    if isinstance(value, str):
        return parse_reference(value)
    _check(value, CITATION_SCHEMA, f"citations[{i}]")
    authors = value.get("authors") or []
    for author in authors:
        _string(author, f"citations[{i}].authors[]")
    return {key: item for key, item in value.items() if item is not None}


# Export -----------------------------------------------------------------------------------------------


def dump_articles(articles, image_dir=None):
    """Stories as JSON-ready dicts in the import schema, in a stable order.

    With ``image_dir``, hero images are copied into it as ``images/<slug>.<ext>`` and referenced by that
    path, relative to the folder holding the JSON file; without it the field names the stored file.
    """
    return [_dump(article, image_dir) for article in articles.for_detail().order_by("slug")]


def _dump(article, image_dir):
    return {
        "external_id": article.external_id or f"newsroom:{article.slug}",
        "headline": article.headline,
        "slug": article.slug,
        "standfirst": article.standfirst,
        "body": article.body,
        "status": article.status,
        "published_at": _iso(article.published_at),
        "embargo_until": _iso(article.embargo_until),
        "section": {key: getattr(article.section, key) for key in SECTION_FIELDS}
        if article.section
        else None,
        "authors": [{key: getattr(b.author, key) for key in AUTHOR_FIELDS} for b in article.bylines.all()],
        "tags": sorted((tag.name for tag in article.tags.all()), key=str.casefold),
        "quotes": [
            {
                "text": quote.text,
                "speaker": {key: getattr(quote.speaker, key) for key in SPEAKER_FIELDS},
                "role": quote.role,
                "affiliation": quote.affiliation,
                "is_pull_quote": quote.is_pull_quote,
            }
            for quote in article.quotes.all()
        ],
        "citations": [{name: getattr(c, name) for name in CITATION_FIELDS} for c in article.citations.all()],
        "hero_image": _dump_image(article, image_dir),
        "hero_alt": article.hero_alt,
        "hero_caption": article.hero_caption,
        "hero_credit": article.hero_credit,
        "disclosure": article.disclosure,
        "source_name": article.source_name,
        "source_url": article.source_url,
    }


def _iso(moment):
    return moment.astimezone(UTC).isoformat() if moment else None


def _dump_image(article, image_dir):
    if not article.hero_image:
        return None
    if image_dir is None:
        return article.hero_image.name
    relative = Path("images") / f"{article.slug}{Path(article.hero_image.name).suffix.lower()}"
    target = Path(image_dir) / relative
    target.parent.mkdir(parents=True, exist_ok=True)
    with article.hero_image.open("rb") as stream, target.open("wb") as out:
        shutil.copyfileobj(stream, out)
    return relative.as_posix()
