"""RSS 0.9x/1.0/2.0 and Atom feed files, read with feedparser.

Encodings: feedparser honours the declared one; when the bytes contradict it (or nothing is declared and
they are not UTF-8) it reports an override, and the text is re-decoded with what charset-normalizer
detects. A feed that is not well-formed XML is refused with the line, rather than imported from
feedparser's best guess; leading blank space before the XML declaration is forgiven. An entry without a
title fails on its own (a story needs a headline); an entry without a date imports as a draft.
"""

import hashlib
import re
from calendar import timegm
from datetime import UTC, datetime
from xml.sax import SAXParseException

import feedparser
from charset_normalizer import from_bytes
from django.utils.text import Truncator
from feedparser.exceptions import CharacterEncodingOverride

from ..models import Status
from ..sanitize import clean_html
from .story import ArticleImportError, Story, StoryAuthor, plain_text, valid_url

XML_DECLARATION = re.compile(rb"^<\?xml[^>]*\?>")
WESTERN = ("cp1252", "latin_1", "iso8859_15")


def parse(source):
    data = source.read().lstrip(b"\xef\xbb\xbf").lstrip()
    if not data:
        raise ArticleImportError(source.label, "the file is empty")
    parsed = feedparser.parse(data)
    if isinstance(parsed.get("bozo_exception"), CharacterEncodingOverride):
        parsed = feedparser.parse(_as_utf8(data, source))
    _check(parsed, source)
    feed = parsed.feed
    base = feed.get("link") or feed.get("id") or feed.get("title") or source.label
    for number, entry in enumerate(parsed.entries, start=1):
        yield _story(entry, number, feed, base, source)


def _as_utf8(data, source):
    """The feed re-encoded as UTF-8 from what its bytes really are, with a declaration saying so."""
    matches = list(from_bytes(data))
    if not matches:
        raise ArticleImportError(source.label, "cannot tell which character encoding the feed uses")
    # Single-byte Western code pages all decode Latin text without “chaos”; charset-normalizer then picks
    # by language guesses (cp1257 for Portuguese). Windows-1252, what browsers assume, wins those ties.
    least = min(match.chaos for match in matches)
    tied = [match for match in matches if match.chaos <= least]
    best = next((match for match in tied if match.encoding in WESTERN), matches[0])  # results come best first
    text = str(best).encode("utf-8")
    return b'<?xml version="1.0" encoding="utf-8"?>' + XML_DECLARATION.sub(b"", text.lstrip())


def _check(parsed, source):
    error = parsed.get("bozo_exception")
    if isinstance(error, SAXParseException):
        raise ArticleImportError(
            source.label,
            f"feed is not well-formed XML ({error.getMessage()}, column {error.getColumnNumber()})",
            where=error.getLineNumber(),
        )
    if error is not None and not isinstance(error, CharacterEncodingOverride):
        raise ArticleImportError(source.label, f"feed could not be read: {error}")
    if not parsed.get("version"):
        raise ArticleImportError(source.label, "not an RSS or Atom feed")
    if not parsed.entries:
        raise ArticleImportError(source.label, "the feed has no entries")


def _story(entry, number, feed, base, source):
    where = f"entry {number}"
    title = plain_text(entry.get("title", ""))
    if not title:
        return ArticleImportError(
            source.label, "the entry has no title (a story needs a headline)", where=where
        )
    content = entry.get("content") or []
    html = next(
        (c.value for c in content if "html" in c.get("type", "")), content[0].value if content else ""
    )
    summary = entry.get("summary", "")
    body = clean_html(html or summary)
    standfirst = plain_text(summary) if html and summary else ""
    # dict.get skips FeedParserDict's deprecated updated→published fallback (and its warning).
    published = entry.get("published_parsed") or dict.get(entry, "updated_parsed")
    link = entry.get("link", "")
    names = [a.get("name", "") for a in entry.get("authors", [])] or [entry.get("author", "")]
    return Story(
        format="feed",
        path=source.label,
        where=where,
        external_id=_external_id(entry, base, title, body),
        headline=title,
        standfirst=Truncator(standfirst).chars(1000),
        body=body,
        status=Status.PUBLISHED if published else Status.DRAFT,
        published_at=datetime.fromtimestamp(timegm(published), tz=UTC) if published else None,
        authors=[StoryAuthor(plain_text(name)[:150]) for name in names if plain_text(name)],
        tags=[
            plain_text(tag.get("term", ""))
            for tag in entry.get("tags", [])
            if plain_text(tag.get("term", ""))
        ],
        base_dir=source.base_dir,
        hero_image_url=_featured_image(entry),
        source_name=plain_text(feed.get("title", ""))[:200],
        source_url=link if valid_url(link) else "",
    )


def _featured_image(entry):
    """The entry's picture, as feeds give one: Media RSS content or thumbnail, or an image enclosure."""
    candidates = [
        *(m for m in entry.get("media_content", []) if m.get("medium") == "image" or _is_image(m)),
        *(link for link in entry.get("enclosures", []) if _is_image(link)),
        *entry.get("media_thumbnail", []),
    ]
    return next(
        (c.get("url") or c.get("href") for c in candidates if valid_url(c.get("url") or c.get("href") or "")),
        "",
    )


def _is_image(item):
    return (item.get("type") or "").startswith("image/")


def _external_id(entry, base, title, body):
    """The entry's own id or link when it has one; otherwise a hash of what it says."""
    key = entry.get("id") or entry.get("link")
    if key and ":" not in key:
        key = f"{base}#{key}"  # an RSS guid like “news123” is only unique within its feed
    if not key:
        key = "sha1:" + hashlib.sha1(f"{base}\n{title}\n{body}".encode()).hexdigest()
    if len(key) > 240:
        key = "sha1:" + hashlib.sha1(key.encode()).hexdigest()
    return f"feed:{key}"
