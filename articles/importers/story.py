"""What every parser shares: the in-memory story it produces and the saver consumes, the one error type of an
import, and the helpers for plain text, URLs and citation fields. Parsers import this module, never each other."""

import html
import re
from dataclasses import dataclass, field
from datetime import datetime
from io import BytesIO
from pathlib import Path

from django.core.exceptions import ValidationError
from django.core.validators import URLValidator
from django.utils import timezone

from ..dates import out_of_range
from ..extraction.quotes import StoryQuote, StorySpeaker
from ..models.status import Status
from ..sanitize import strip_tags

__all__ = [
    "CITATION_FIELDS",
    "MARKUP",
    "ArticleImportError",
    "Ignored",
    "Source",
    "Story",
    "StoryAuthor",
    "StoryQuote",
    "StorySection",
    "StorySpeaker",
    "check_story",
    "decode_utf8",
    "plain_text",
    "valid_url",
]

MARKUP = re.compile(r"<\s*/?\s*[a-zA-Z][a-zA-Z0-9-]*(?:\s[^<>]*)?/?\s*>|<!--")
CITATION_FIELDS = [
    "authors", "et_al", "title", "journal", "volume", "issue", "first_page", "last_page", "article_number",
    "year", "doi", "url", "pmid", "study_status", "kind", "raw",
]  # fmt: skip
_is_url = URLValidator(schemes=["http", "https"])


def plain_text(text):
    """Text of an HTML fragment; tags that were only written out as text (&lt;b&gt;) go too."""
    return " ".join(MARKUP.sub("", html.unescape(strip_tags(text or ""))).split())


def valid_url(url):
    try:
        _is_url(url)
    except ValidationError:
        return False
    return len(url) <= 1000


def location(path, where):
    """``path[:line or item]``, how every import message names where it comes from."""
    return f"{path}:{where}" if where not in (None, "") else str(path)


class ArticleImportError(Exception):
    """A plain-words failure tied to where it happened: prints as ``path[:line or item]: reason``."""

    def __init__(self, path, reason, *, where=None):
        self.path, self.reason, self.where = str(path), reason, where
        super().__init__(str(self))

    def __str__(self):
        return f"{location(self.path, self.where)}: {self.reason}"


@dataclass
class StoryAuthor:
    name: str
    slug: str = ""
    role: str = ""
    bio: str = ""
    website: str = ""


@dataclass
class StorySection:
    name: str
    slug: str = ""
    description: str = ""


@dataclass
class Story:
    """One article as read from any source, before it touches the database."""

    format: str
    path: str
    where: str | int | None  # line number or item label, for error messages
    external_id: str
    headline: str
    slug: str = ""
    standfirst: str = ""
    body: str = ""  # HTML; sanitised again on save
    status: str | None = None  # None: the import's default
    draft_reason: str = ""  # why the story must come in as a draft whatever the import's --status says
    published_at: datetime | None = None
    embargo_until: datetime | None = None
    section: StorySection | None = None
    authors: list[StoryAuthor] = field(default_factory=list)
    tags: list[str] = field(default_factory=list)
    quotes: list[StoryQuote] = field(default_factory=list)
    citations: list[dict] = field(default_factory=list)
    hero_image: str = ""  # relative to base_dir, checked by the saver
    hero_image_url: str = (
        ""  # a featured image on the web, fetched only with --fetch-media (importers/media.py)
    )
    hero_fetched: tuple[str, bytes] | None = None  # (file name, clean bytes) once fetched
    base_dir: Path | None = None
    hero_alt: str = ""
    hero_caption: str = ""
    hero_credit: str = ""
    disclosure: str = ""
    source_name: str = ""
    source_url: str = ""

    @property
    def location(self):
        return location(self.path, self.where)

    def error(self, reason):
        return ArticleImportError(self.path, reason, where=self.where)


def check_story(story, status=None):
    """Refuse, as ``path:item: field: reason``, what no format may bring in: a date outside the documented range,
    or a story that would be public before its embargo ends. `status` is the import's override, if any."""
    for name in ("published_at", "embargo_until"):
        if reason := out_of_range(getattr(story, name)):
            raise story.error(f"{name}: {reason}")
    going_public_at = story.published_at or timezone.now()
    if (
        (status or story.status) == Status.PUBLISHED
        and story.embargo_until
        and going_public_at < story.embargo_until
    ):
        raise story.error(
            f"embargo_until: the story is published but embargoed until {story.embargo_until.isoformat()}; "
            "set published_at to then or later, or import it as a draft"
        )


@dataclass
class Source:
    """One input: a file on disk or stdin, with the folder its images must come from."""

    label: str  # how error messages name it
    base_dir: Path
    path: Path | None = None  # None for stdin
    data: bytes | None = None
    position: int = 0  # bytes read so far, kept up to date by the streaming parser, for the progress bar

    @property
    def size(self):
        return self.path.stat().st_size if self.path else len(self.data or b"")

    def read(self):
        if self.data is None:
            self.data = self.path.read_bytes()
        return self.data

    def open(self):
        """A binary stream, so large files can be parsed without reading them whole."""
        if self.path is None:
            return BytesIO(self.data or b"")
        return self.path.open("rb")

    def head(self, size=4096):
        if self.data is not None:
            return self.data[:size]
        with self.path.open("rb") as stream:
            return stream.read(size)


def decode_utf8(source):
    """The source's text, refusing empty, binary and non-UTF-8 input with the byte where it went wrong."""
    data = source.read()
    if not data.strip():
        raise ArticleImportError(source.label, "the file is empty")
    if (nul := data.find(b"\x00")) >= 0:
        raise ArticleImportError(source.label, f"binary data, not text (NUL byte at byte {nul})")
    try:
        return data.decode("utf-8-sig")
    except UnicodeDecodeError as error:
        offset = error.start + (3 if data.startswith(b"\xef\xbb\xbf") else 0)
        raise ArticleImportError(source.label, f"invalid UTF-8 at byte {offset}") from None


@dataclass
class Ignored:
    """An input item that is deliberately not a story (a page, an attachment, a comment), for the tally."""

    kind: str
    count: int = 1
