"""Bring stories into Newsroom: one entry point over one parser per format and one shared saver.

``import_paths`` finds the inputs (files, folders searched recursively, ``-`` for stdin), works out each
one's format from its extension or content, runs the matching parser and hands every story to the
Saver. Failures never stop the run unless ``fail_fast``: each becomes a ``path[:line or item]: reason``
line in the report.
"""

import sys
from collections import Counter, defaultdict
from dataclasses import dataclass, field
from itertools import batched
from pathlib import Path

from django.core.exceptions import ValidationError
from django.db import DatabaseError, transaction

from ..models import Article
from . import feed, json_file, text, wxr
from .media import MediaFetcher
from .saver import UPDATED, Options, Saver
from .story import ArticleImportError, Ignored, Source, Story, check_story

__all__ = [
    "FORMATS",
    "ArticleImportError",
    "Options",
    "Report",
    "collect_paths",
    "detect_format",
    "import_paths",
]

BATCH_SIZE = 100
ANALYZE_AFTER = 500  # rows written
PARSERS = {"text": text.parse, "json": json_file.parse, "wxr": wxr.parse, "feed": feed.parse}
FORMATS = list(PARSERS)
EXTENSIONS = {
    ".txt": "text", ".text": "text", ".md": "text", ".json": "json",
    ".xml": "xml", ".wxr": "wxr", ".rss": "feed", ".atom": "feed", ".rdf": "feed",
}  # fmt: skip


@dataclass
class Report:
    counts: dict = field(default_factory=lambda: defaultdict(Counter))
    ignored: dict = field(default_factory=lambda: defaultdict(Counter))
    errors: list = field(default_factory=list)
    changes: list = field(default_factory=list)  # (where, headline, changed fields) of updates
    notes: list = field(default_factory=list)  # "path:item: why it came in as a draft", for the editor
    warnings: list = field(default_factory=list)  # "path:item: image URL: why it was not fetched"

    @property
    def failed(self):
        return sum(counter["failed"] for counter in self.counts.values())


def import_paths(
    paths, options=None, *, format=None, fail_fast=False, on_error=None, on_story=None, stdin=None
):
    """Import every story under ``paths``; returns a Report (per-format counts, ignored items, errors)."""
    saver = Saver(options)
    report = Report()
    # Stories are committed a batch at a time, which spares a disk sync per story, and each table gets one
    # insert per batch. If any story fails once it has started writing, the whole batch is rolled back and
    # written again story by story, each in its own savepoint, so only that story is lost. Parsing happens
    # between batches, outside any transaction.
    fast = not (saver.options.dry_run or fail_fast)
    fetcher = MediaFetcher(store=not saver.options.dry_run) if saver.options.fetch_media else None
    for batch in batched(_items(paths, format, stdin, saver.options.status), BATCH_SIZE):
        if fetcher:
            report.warnings.extend(_fetch_media(fetcher, batch, saver.options))
        outcomes = (fast and _save_batch(saver, batch)) or _save_batch_story_by_story(saver, batch, fail_fast)
        for kind, source, item, read, outcome in outcomes:
            if isinstance(item, Ignored):
                report.ignored[kind][item.kind] += item.count
            elif isinstance(outcome, ArticleImportError):
                report.counts[kind]["failed"] += 1
                report.errors.append(str(outcome))
                if on_error:
                    on_error(outcome)
                if fail_fast:
                    return report
            else:
                report.counts[kind][outcome.outcome] += 1
                if item.draft_reason:
                    report.notes.append(
                        f"{item.location}: “{item.headline}” kept as a draft: {item.draft_reason}"
                    )
                if outcome.outcome == UPDATED:
                    report.changes.append((item.location, item.headline, outcome.changed))
                if on_story:
                    on_story(source, outcome, read)
    analyze(saver.written)
    return report


def _fetch_media(fetcher, batch, options):
    """Parse, fetch, save: a batch's images are fetched before its transaction opens, so a slow server never
    holds one open. Stories that will be skipped, as imported before, are not fetched for."""
    stories = [item for _kind, _source, item, _read in batch if isinstance(item, Story)]
    known = set()
    if not options.update:
        ids = [story.external_id for story in stories]
        known = set(Article.objects.filter(external_id__in=ids).values_list("external_id", flat=True))
    return [
        warning for story in stories if story.external_id not in known for warning in fetcher.apply(story)
    ]


def _save_batch(saver, batch):
    """Save one batch in one transaction, a few statements in all: (kind, source, item, read, Result or error)
    each, or None when a story failed half-way and the batch must be redone story by story."""
    stories = [item for _kind, _source, item, _read in batch if isinstance(item, Story)]
    saver.prepare(stories)
    checkpoint = saver.checkpoint()
    try:
        with transaction.atomic():
            outcomes = iter(saver.save_all(stories))
    except (ArticleImportError, ValidationError, DatabaseError):
        saver.rollback_to(checkpoint)
        return None
    return [
        (kind, source, item, read, next(outcomes) if isinstance(item, Story) else item)
        for kind, source, item, read in batch
    ]


def _save_batch_story_by_story(saver, batch, fail_fast):
    """Save one batch in one transaction, each story in its own savepoint."""
    saver.prepare([item for _kind, _source, item, _read in batch if isinstance(item, Story)])
    outcomes = []
    with transaction.atomic():
        for kind, source, item, read in batch:
            outcome = item
            if isinstance(item, Story):
                try:
                    outcome = saver.save(item)
                except ArticleImportError as error:
                    outcome = error
            outcomes.append((kind, source, item, read, outcome))
            if fail_fast and isinstance(outcome, ArticleImportError):
                break
    return outcomes


def analyze(written):
    """After a large import, refresh PostgreSQL's statistics of the tables filled: until autovacuum gets to
    them, the planner would keep choosing plans for the tables as they were (a few rows where there are now
    thousands)."""
    connection = transaction.get_connection()
    if connection.vendor != "postgresql" or sum(written.values()) <= ANALYZE_AFTER:
        return
    tables = [model._meta.db_table for model, rows in written.items() if rows]
    with connection.cursor() as cursor:
        cursor.execute(f"ANALYZE {', '.join(connection.ops.quote_name(table) for table in tables)}")


def _items(paths, format, stdin, status=None):
    """(format, source, story / Ignored / ArticleImportError, bytes of the source read so far) for every input.

    Every story passes check_story (`status` is the import's override) before it reaches the saver."""
    for source in collect_sources(paths, stdin=stdin):
        if isinstance(source, ArticleImportError):
            yield "unknown", None, source, 0
            continue
        kind = format or detect_format(source)
        try:
            for item in PARSERS[kind](source):
                yield kind, source, _checked(item, status), source.position
        except ArticleImportError as error:
            yield kind, source, error, 0
        except (RecursionError, MemoryError, ValueError, LookupError, TypeError, OSError) as error:
            # Third-party parsers meeting input nobody planned for: still one line naming the file.
            yield (
                kind,
                source,
                ArticleImportError(source.label, f"could not be read ({type(error).__name__}: {error})"),
                0,
            )


def _checked(item, status):
    if isinstance(item, Story):
        try:
            check_story(item, status)
        except ArticleImportError as error:
            return error
    return item


def collect_sources(paths, stdin=None):
    """Sources for the given paths, folders searched recursively; missing paths come back as errors."""
    for raw in paths:
        if raw == "-":
            stream = stdin if stdin is not None else sys.stdin.buffer
            yield Source(label="<stdin>", base_dir=Path.cwd(), data=stream.read())
            continue
        path = Path(raw)
        if path.is_dir():
            for child in _files_in(path):
                if child.is_symlink():
                    yield ArticleImportError(child, SYMLINK_REFUSED)
                else:
                    yield Source(label=str(child), base_dir=path, path=child)
        elif path.is_file():
            yield Source(label=str(path), base_dir=path.parent, path=path)
        else:
            yield ArticleImportError(raw, "no such file or folder")


def collect_paths(paths):
    """The files an import of ``paths`` would read (stdin and missing paths left out), for sizing the work."""
    for raw in paths:
        path = Path(raw)
        if raw != "-" and path.is_dir():
            yield from (child for child in _files_in(path) if not child.is_symlink())
        elif raw != "-" and path.is_file():
            yield path


SYMLINK_REFUSED = (
    "a symbolic link: refused, because an import reads only the files inside the folders it is given"
)


def _files_in(folder):
    """Importable files under a folder, in name order: known extensions only, hidden files and folders skipped.

    Symbolic links come too (rglob never follows them into folders), for the caller to refuse by name."""
    for child in sorted(folder.rglob("*")):
        relative = child.relative_to(folder)
        if _hidden(relative):
            continue
        if child.is_symlink() or (child.is_file() and child.suffix.lower() in EXTENSIONS):
            yield child


def detect_format(source):
    """The format from the extension, or from the first bytes when the extension does not say."""
    kind = EXTENSIONS.get(source.path.suffix.lower()) if source.path else None
    if kind in ("text", "json", "wxr", "feed"):
        return kind
    head = source.head().lstrip(b"\xef\xbb\xbf").lstrip()
    if kind == "xml" or head.startswith(b"<"):
        return "wxr" if b"wordpress.org/export/" in source.head(65536) else "feed"
    if head[:1] in (b"{", b"["):
        return "json"
    return "text"


def _hidden(relative):
    return any(part.startswith(".") for part in relative.parts)
