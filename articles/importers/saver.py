"""The one saver every format shares: validate a Story, then write it and everything it owns atomically.

Idempotent through ``Article.external_id``: a story seen before is skipped, or with ``update`` rewritten
when something differs (and the differing fields are reported, which is what ``--dry-run --update``
prints). A dry run performs the very same writes inside a transaction and rolls it back, so it validates
against the real database and writes nothing.
"""

import hashlib
import re
from collections import Counter
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path, PurePosixPath

from django.contrib.contenttypes.models import ContentType
from django.contrib.postgres.search import SearchVectorField
from django.core.exceptions import ValidationError
from django.core.files.base import ContentFile
from django.db import DatabaseError, connection, transaction
from django.db.models import Func, Value
from django.utils.text import slugify
from PIL import Image, UnidentifiedImageError
from taggit.models import Tag, TaggedItem

from ..images import stored_form
from ..models import Article, Author, Byline, Citation, Quote, Section, Speaker, Status
from ..models.speaker import normalise_name
from ..sanitize import clean_html
from .story import CITATION_FIELDS, MARKUP, ArticleImportError, Story, StoryAuthor, StorySection

CREATED, UPDATED, SKIPPED = "created", "updated", "skipped"
IMAGE_FORMATS = {"JPEG", "PNG", "GIF", "WEBP"}
TAG_LIMIT = Tag._meta.get_field("name").max_length
# Embedding, override and isolate controls (U+202A–U+202E, U+2066–U+2069) and the stray byte-order mark.
BIDI_CONTROLS = dict.fromkeys([*range(0x202A, 0x202F), *range(0x2066, 0x206A), 0xFEFF])


@dataclass
class Options:
    dry_run: bool = False
    update: bool = False
    status: str | None = None  # overrides every story's status
    author: str = ""  # byline for stories that have none
    section: str = ""  # section for stories that have none
    tags: list[str] = field(default_factory=list)  # added to every story
    fetch_media: bool = False  # fetch featured and body images from the web (importers/media.py)


@dataclass
class Result:
    outcome: str
    changed: list[str] = field(default_factory=list)


@dataclass(eq=False)  # one story's plan: compared by identity
class Planned:
    """A story ready to write: its article (unsaved when new) and the rows it owns, related rows resolved."""

    story: Story
    article: Article
    new: bool
    image: tuple | None
    changed: list[str]
    authors: list[Author]
    quotes: list[Quote]
    citations: list[Citation]
    tags: list[Tag]


class Saver:
    def __init__(self, options=None):
        self.options = options or Options()
        # Rows known to exist, so a long import does not ask for the same author or tag every story.
        # Filled only from committed transactions: a rolled-back story must not leave ghosts here.
        self._cache = {"author": {}, "speaker": {}, "tag": {}, "section": {}}
        self._pending = {}
        self._seen_ids, self._seen_slugs = {}, {}
        self._existing, self._free_slugs, self._claimed = {}, set(), set()
        self._done = set()  # external ids this run has saved or skipped
        self._stored = []  # image files written, so a rolled-back batch can take them back
        self.written = Counter()  # rows inserted per table, for ANALYZE after a large import

    def prepare(self, stories):
        """Look up for a whole batch, one query per kind, what each story would otherwise ask on its own:
        which stories exist, which slugs are free, and the authors and speakers not met before."""
        ids = [story.external_id for story in stories]
        self._existing = {id: None for id in ids} | Article.objects.filter(external_id__in=ids).in_bulk(
            field_name="external_id"
        )
        slugs = {_wanted_slug(story) for story in stories} - {""}
        self._free_slugs = slugs - set(Article.objects.filter(slug__in=slugs).values_list("slug", flat=True))
        self._claimed = set()
        authors = {_author_slug(entry) for story in stories for entry in self._wanted_authors(story)}
        if authors := authors - self._cache["author"].keys():
            self._cache["author"].update(Author.objects.in_bulk(authors, field_name="slug"))
        speakers = {_speaker_key(quote.speaker) for story in stories for quote in story.quotes}
        if speakers := speakers - self._cache["speaker"].keys():
            self._cache["speaker"].update(Speaker.objects.in_bulk(speakers, field_name="normalised_name"))

    def checkpoint(self):
        """What this saver has learnt so far, to return to if the batch under way is rolled back."""
        return (
            {kind: dict(rows) for kind, rows in self._cache.items()},
            set(self._done),
            dict(self._seen_ids),
            dict(self._seen_slugs),
            len(self._stored),
            Counter(self.written),
        )

    def rollback_to(self, checkpoint):
        """Forget what a rolled-back batch taught, and delete the image files it stored."""
        cache, self._done, self._seen_ids, self._seen_slugs, stored, self.written = checkpoint
        self._cache = cache
        for storage, name in self._stored[stored:]:
            storage.delete(name)
        del self._stored[stored:]

    def save(self, story):
        """Write one story in its own savepoint (or, in a dry run, pretend to). Raises ArticleImportError with a
        plain reason, and then nothing of the story is written."""
        decided = self._decide(story)
        if isinstance(decided, Result):
            return decided
        self._pending = {kind: {} for kind in self._cache}
        try:
            article, citations = self._validated(story, *decided)
            with transaction.atomic():
                planned = self._plan(story, article, citations, *decided)
                self._write([planned])
                if self.options.dry_run:
                    transaction.set_rollback(True)
        except ValidationError as error:
            raise story.error(_describe(error)) from None
        except DatabaseError as error:
            raise story.error(f"the database refused the story ({error})") from None
        if not self.options.dry_run:
            self._learn()
        return self._saved(planned)

    def save_all(self, stories):
        """Write a batch of stories with a few statements in all; a Result or ArticleImportError for each.

        Runs in the caller's transaction, without savepoints. A story refused before it writes anything (bad
        fields, a bad citation) costs only itself. Anything failing later (a new author or speaker that is
        invalid, the database refusing a row) is raised and leaves the transaction marked for rollback: the
        caller must roll the batch back and write it again story by story with ``save``, to lose only that story.
        """
        outcomes, planned = [], []
        for story in stories:
            try:
                decided = self._decide(story)
                if not isinstance(decided, Result):
                    article, citations = self._validated(story, *decided)
            except ArticleImportError as error:
                outcomes.append(error)
                continue
            except ValidationError as error:
                outcomes.append(story.error(_describe(error)))
                continue
            if isinstance(decided, Result):
                outcomes.append(decided)
                continue
            self._pending = {kind: {} for kind in self._cache}
            planned.append(self._plan(story, article, citations, *decided))
            self._learn()  # the batch's later stories reuse the authors and tags this one created
            self._done.add(story.external_id)  # and a second copy of the story is skipped
            outcomes.append(None)
        self._write(planned)
        results = iter(self._saved(plan) for plan in planned)
        return [outcome or next(results) for outcome in outcomes]

    def _decide(self, story):
        """Result(SKIPPED), or what writing the story needs: (the existing article or None, image, changes)."""
        self._check(story)
        if story.external_id in self._done:
            # Another file of this run already brought this story in (two exports of one site).
            return Result(SKIPPED)
        if story.external_id in self._existing:
            existing = self._existing.pop(story.external_id)
        else:
            existing = Article.objects.filter(external_id=story.external_id).first()
        if existing and not self.options.update:
            self._done.add(story.external_id)
            return Result(SKIPPED)
        image = self._hero_image(story)
        changed = []
        if existing:
            changed = self._changes(existing, story, image)
            if not changed:
                self._done.add(story.external_id)
                return Result(SKIPPED)
        return existing, image, changed

    def _saved(self, planned):
        self._done.add(planned.story.external_id)
        return Result(CREATED) if planned.new else Result(UPDATED, planned.changed)

    def _learn(self):
        for kind, rows in self._pending.items():
            self._cache[kind].update(rows)

    # Validation that needs no database ------------------------------------------------------------

    def _check(self, story):
        if not story.headline.strip():
            raise story.error("the story has no headline")
        fields = list(_plain_fields(story))
        if found := [name for name, value in [*fields, ("body", story.body)] if value and "\x00" in value]:
            # PostgreSQL cannot store NUL in text, and no story needs one.
            raise story.error(f"NUL character (\\x00) in: {', '.join(found)}")
        if found := [name for name, value in fields if value and MARKUP.search(value)]:
            raise story.error(f"HTML markup is not allowed in plain-text fields: {', '.join(found)}")
        for name, value in self._article_values(story).items():
            # Model validation skips max_length on TextFields (the standfirst), so every limit is checked here.
            limit = Article._meta.get_field(name).max_length
            if limit and isinstance(value, str) and len(value) > limit:
                raise story.error(
                    f"{name}: Ensure this value has at most {limit} characters (it has {len(value)})."
                )
        if too_long := [tag for tag in self._tags(story) if len(tag) > TAG_LIMIT]:
            raise story.error(f"tag “{too_long[0][:40]}…” is longer than {TAG_LIMIT} characters")
        if story.slug:
            key = (story.path, story.slug)
            if (other := self._seen_slugs.get(key)) is not None:
                raise story.error(f"duplicate slug “{story.slug}” within the file (first at {other})")
            self._seen_slugs[key] = story.location
        if (other := self._seen_ids.get(story.external_id)) is not None and other[0] == story.path:
            raise story.error(f"the same story ({story.external_id}) appears twice in the file: {other[1]}")
        self._seen_ids.setdefault(story.external_id, (story.path, story.location))

    def _hero_image(self, story):
        """(file name, bytes) of a hero image inside the import's folder, checked by Pillow, or fetched from the
        web (already checked and cleaned by importers/media.py); or None."""
        if story.hero_fetched:
            return story.hero_fetched
        if not story.hero_image:
            return None
        name = story.hero_image
        if re.match(r"^[a-z][a-z0-9+.-]*:", name, re.IGNORECASE):
            raise story.error(f"hero_image “{name}” is a URL; images are only taken from the import's folder")
        relative = PurePosixPath(name.replace("\\", "/"))
        if relative.is_absolute() or ".." in relative.parts:
            raise story.error(f"hero_image “{name}” points outside the import's folder")
        base = Path(story.base_dir or ".").resolve()
        path = (base / relative).resolve()
        if not path.is_relative_to(base):
            raise story.error(f"hero_image “{name}” points outside the import's folder")
        if not path.is_file():
            raise story.error(f"hero_image “{name}” does not exist in the import's folder")
        data = path.read_bytes()
        try:
            with Image.open(path) as picture:
                kind = picture.format
                picture.verify()
        except (
            UnidentifiedImageError,
            Image.DecompressionBombError,
            OSError,
            SyntaxError,
            ValueError,
        ) as error:
            raise story.error(f"hero_image “{name}” is not a readable image ({error})") from None
        if kind not in IMAGE_FORMATS:
            raise story.error(f"hero_image “{name}” is a {kind} image; use JPEG, PNG, GIF or WebP")
        try:
            # The bytes the image field will store (upright, no location data): updates compare like with like.
            return path.name, stored_form(data, f"hero_image “{name}”")
        except ValidationError as error:
            raise story.error(error.messages[0]) from None

    # Writing ---------------------------------------------------------------------------------------

    def _validated(self, story, existing, image, changed):
        """The article with the story's fields, and its citations, both validated: nothing is written yet."""
        article = existing or Article(external_id=story.external_id)
        for name, value in self._article_values(story, existing).items():
            setattr(article, name, value)
        if story.slug or existing is None:
            article.slug = self._slug(article, story)
        if not image and _hero_given_by_file(story):
            article.hero_image = ""
        # The section is set later, once found or created: full_clean need not query that it exists.
        article.full_clean(exclude=["section"], validate_unique=False, validate_constraints=False)
        return article, self._citations(story)

    def _slug(self, article, story):
        """The story's own slug when free, else a numbered one; never one another story of the batch took."""
        wanted = _wanted_slug(story)
        if wanted in self._free_slugs:
            self._free_slugs.discard(wanted)  # from now on, ask the database
        elif (
            not wanted
            or wanted in self._claimed
            or Article.objects.filter(slug=wanted).exclude(pk=article.pk).exists()
        ):
            base = Article.unique_slug(wanted or story.headline, exclude_pk=article.pk)
            wanted, n = base, 2
            while wanted in self._claimed:
                wanted, n = f"{base}-{n}", n + 1
        self._claimed.add(wanted)
        return wanted

    def _plan(self, story, article, citations, existing, image, changed):
        """Find or create the section, authors, speakers and tags the story needs; the story's own rows wait."""
        article.section = self._section(story)
        authors = self._authors(story)
        quotes = self._quotes(story)
        tags = [self._tag(name) for name in self._tags(story)]
        return Planned(story, article, existing is None, image, changed, authors, quotes, citations, tags)

    def _write(self, planned):
        """Insert (or rewrite) the planned stories and every row they own, a statement per table."""
        fresh = [plan for plan in planned if plan.new and not plan.image]
        given = connection.vendor == "postgresql"
        for plan in fresh:
            # What Article.save() does to a new row without an image; bulk_create does not call it.
            plan.article.body = clean_html(plan.article.body)
            if given:
                plan.article.search_vector = _search_vector(plan.article, plan.quotes)
        Article.objects.bulk_create([plan.article for plan in fresh])
        for plan in planned:
            if plan in fresh:
                continue
            image, article = plan.image, plan.article
            if image and not self.options.dry_run and (plan.new or _image_bytes(article) != image[1]):
                article.hero_image.save(image[0], ContentFile(image[1]), save=False)
                self._stored.append((article.hero_image.storage, article.hero_image.name))
            article.save()
        if rewritten := [plan.article.pk for plan in planned if not plan.new]:
            for model in (Byline, Quote, Citation):
                model.objects.filter(article__in=rewritten).delete()
        rows = {
            Article: [plan.article for plan in planned if plan.new],
            Byline: [
                Byline(article=plan.article, author=author, position=position)
                for plan in planned
                for position, author in enumerate(plan.authors)
            ],
            Quote: [quote for plan in planned for quote in plan.quotes],
            Citation: [citation for plan in planned for citation in plan.citations],
        }
        for plan in planned:
            for owned in (*plan.quotes, *plan.citations):
                owned.article = plan.article
        Byline.objects.bulk_create(rows[Byline])
        Citation.objects.bulk_create(rows[Citation])
        if given:
            with _quotes_in_search_vector():
                Quote.objects.bulk_create([quote for plan in fresh for quote in plan.quotes])
        Quote.objects.bulk_create(
            [quote for plan in planned if not (given and plan in fresh) for quote in plan.quotes]
        )
        kind = ContentType.objects.get_for_model(Article)
        # One insert for new stories' tags, where taggit's add() costs four queries a tag. No one listens for
        # m2m_changed on tags, which taggit would send.
        rows[TaggedItem] = [
            TaggedItem(tag=tag, content_type=kind, object_id=plan.article.pk)
            for plan in planned
            if plan.new
            for tag in plan.tags
        ]
        TaggedItem.objects.bulk_create(rows[TaggedItem])
        for plan in planned:
            if not plan.new:
                plan.article.tags.set(plan.tags)
        if not self.options.dry_run:
            self.written.update({model: len(objects) for model, objects in rows.items()})

    def _article_values(self, story, existing=None):
        status = Status.DRAFT if story.draft_reason else (self.options.status or story.status or Status.DRAFT)
        values = {
            "headline": tidy(story.headline),
            "standfirst": tidy(story.standfirst),
            "body": story.body,
            "status": status,
            "published_at": story.published_at,
            "embargo_until": story.embargo_until,
            "hero_alt": story.hero_alt,
            "hero_caption": story.hero_caption,
            "hero_credit": story.hero_credit,
            "disclosure": story.disclosure,
            "source_name": story.source_name,
            "source_url": story.source_url,
        }
        if story.hero_image_url and not story.hero_fetched:
            # A featured image left on the web (not fetched, or failed): its alt text and caption describe a
            # picture the story does not have, so the article keeps the ones it has.
            for name in ("hero_alt", "hero_caption", "hero_credit"):
                values[name] = getattr(existing, name) if existing else ""
        return values

    def _wanted_authors(self, story):
        return story.authors or ([StoryAuthor(self.options.author)] if self.options.author else [])

    def _authors(self, story):
        authors, seen = [], set()
        for entry in self._wanted_authors(story):
            slug = _author_slug(entry)
            if slug in seen:
                continue
            seen.add(slug)
            author = self._cached("author", slug)
            if author is None:
                author = Author.objects.filter(slug=slug).first()
                if author is None:
                    author = Author(
                        name=tidy(entry.name)[:150],
                        slug=slug,
                        role=tidy(entry.role),
                        bio=entry.bio,
                        website=entry.website,
                    )
                    _clean(author, f"author “{entry.name}”")
                    author.save()
                self._pending["author"][slug] = author
            authors.append(author)
        return authors

    def _section(self, story):
        wanted = story.section or (StorySection(self.options.section) if self.options.section else None)
        if wanted is None:
            return None
        # Section slugs are ASCII; a name in another script still gets a stable one.
        slug = slugify(wanted.slug)[:80] or slugify(wanted.name)[:80] or _digest_slug("section", wanted.name)
        section = self._cached("section", slug)
        if section is None:
            section = (
                Section.objects.filter(slug=slug).first()
                or Section.objects.filter(name__iexact=wanted.name).first()
            )
            if section is None:
                section = Section(name=tidy(wanted.name)[:80], slug=slug, description=wanted.description)
                _clean(section, f"section “{wanted.name}”")
                section.save()
            self._pending["section"][slug] = section
        return section

    def _quotes(self, story):
        quotes = []
        for position, quote in enumerate(story.quotes):
            person = quote.speaker
            speaker = self._speaker(person)
            # The record keeps the first description; a story that describes them otherwise says so itself.
            role = quote.role or (person.role if person.role != speaker.role else "")
            affiliation = quote.affiliation or (
                person.affiliation if person.affiliation != speaker.affiliation else ""
            )
            quotes.append(
                Quote(
                    position=position,
                    text=quote.text,
                    speaker=speaker,
                    role=role[:150],
                    affiliation=affiliation[:200],
                    is_pull_quote=quote.is_pull_quote,
                )
            )
        return quotes

    def _speaker(self, person):
        key = _speaker_key(person)
        details = {
            "role": person.role[:150],
            "affiliation": person.affiliation[:200],
            "orcid": person.orcid,
            "url": person.url,
        }
        speaker = self._cached("speaker", key)
        if speaker is None or any(value and not getattr(speaker, name) for name, value in details.items()):
            name = tidy(person.name)[:150]
            # Validated as a new record would be, since the manager saves without asking the field validators.
            _clean(
                Speaker(name=name, **details), f"speaker “{person.name}”", exclude=["slug", "normalised_name"]
            )
            speaker, _ = Speaker.objects.get_or_create_by_name(name, **details)
            self._pending["speaker"][key] = speaker
        return speaker

    def _citations(self, story):
        citations = []
        for position, fields in enumerate(story.citations):
            citation = Citation(
                position=position, **{k: v for k, v in fields.items() if k in CITATION_FIELDS}
            )
            try:
                citation.full_clean(exclude=["article"], validate_unique=False, validate_constraints=False)
            except ValidationError as error:
                raise story.error(f"citation {position + 1}: {_describe(error)}") from None
            citations.append(citation)
        return citations

    def _tags(self, story):
        names, seen = [], set()
        for name in [*story.tags, *self.options.tags]:
            name = tidy(name)
            if name and name.casefold() not in seen:
                seen.add(name.casefold())
                names.append(name)
        return names

    def _tag(self, name):
        key = name.casefold()
        tag = self._cached("tag", key)
        if tag is None:
            tag = Tag.objects.filter(name__iexact=name).order_by("pk").first()
            if tag is None:
                tag = Tag(name=name)
                tag.save()
            self._pending["tag"][key] = tag
        return tag

    def _cached(self, kind, key):
        return self._pending[kind].get(key) or self._cache[kind].get(key)

    # Comparing, for --update -----------------------------------------------------------------------

    def _changes(self, article, story, image):
        """Names of the fields an update would change."""
        values = self._article_values(story, article)
        values["body"] = clean_html(values["body"])
        if values["status"] == Status.PUBLISHED and values["published_at"] is None:
            values["published_at"] = article.published_at
        changed = [name for name, value in values.items() if getattr(article, name) != value]
        if story.slug and slugify(story.slug, allow_unicode=True) != article.slug:
            changed.append("slug")
        section = story.section or (StorySection(self.options.section) if self.options.section else None)
        current_section = article.section.name if article.section else None
        if (section.name if section else None) != current_section:
            changed.append("section")
        wanted_authors = list(dict.fromkeys(_author_slug(a) for a in self._wanted_authors(story)))
        if wanted_authors != [byline.author.slug for byline in article.bylines.select_related("author")]:
            changed.append("authors")
        if sorted(t.casefold() for t in self._tags(story)) != sorted(
            t.casefold() for t in article.tags.names()
        ):
            changed.append("tags")
        current_quotes = [
            (q.text, q.speaker.normalised_name, q.speaker_role, q.speaker_affiliation, q.is_pull_quote)
            for q in article.quotes.select_related("speaker")
        ]
        wanted_quotes = [
            (
                q.text,
                _speaker_key(q.speaker),
                q.role or q.speaker.role,
                q.affiliation or q.speaker.affiliation,
                q.is_pull_quote,
            )
            for q in story.quotes
        ]
        if current_quotes != wanted_quotes:
            changed.append("quotes")
        defaults = {name: Citation._meta.get_field(name).get_default() for name in CITATION_FIELDS}
        current_citations = [{n: getattr(c, n) for n in CITATION_FIELDS} for c in article.citations.all()]
        wanted_citations = [
            {n: fields.get(n, defaults[n]) for n in CITATION_FIELDS} for fields in story.citations
        ]
        if current_citations != wanted_citations:
            changed.append("citations")
        if (_hero_given_by_file(story) or image) and _image_bytes(article) != (image[1] if image else None):
            changed.append("hero_image")
        return changed


def tidy(text):
    """Plain text on one line, without the bidi controls that could flip the page around it."""
    return " ".join((text or "").translate(BIDI_CONTROLS).split())


def _clean(instance, what, exclude=None):
    try:
        instance.full_clean(exclude=exclude, validate_unique=False)
    except ValidationError as error:
        raise ValidationError(f"{what}: {_describe(error)}") from None


def _digest_slug(prefix, text):
    return f"{prefix}-{hashlib.sha1(text.encode()).hexdigest()[:10]}"


def _author_slug(entry):
    return (
        entry.slug
        or slugify(tidy(entry.name), allow_unicode=True)[:150]
        or _digest_slug("author", entry.name)
    )


def _search_vector(article, quotes):
    """The article's search vector with these quotes, computed by PostgreSQL as its triggers would
    (articles/migrations/0006_search_vector_given_on_insert.py), for the INSERT to carry."""
    texts = [article.headline, article.standfirst, article.body, " ".join(quote.text for quote in quotes)]
    return Func(*map(Value, texts), function="articles_search_vector", output_field=SearchVectorField())


@contextmanager
def _quotes_in_search_vector():
    """While inserting quotes their articles' search vectors already hold, the trigger that recomputes an
    article's vector (and rewrites its row) for every quote written stays out. Local to the transaction."""
    with connection.cursor() as cursor:
        cursor.execute("SELECT set_config('articles.quotes_in_search_vector', 'on', true)")
        yield
        cursor.execute("SELECT set_config('articles.quotes_in_search_vector', 'off', true)")


def _speaker_key(person):
    """The normalised name a speaker record is found by."""
    return normalise_name(tidy(person.name)[:150])


def _wanted_slug(story):
    return slugify(story.slug or story.headline, allow_unicode=True)[:240].strip("-")


def _hero_given_by_file(story):
    """Whether the story's own file says what its hero image is, none included (JSON does, through hero_image).

    A featured image on the web that could not be fetched says nothing: the story keeps the one it has."""
    return story.format == "json" and not story.hero_image_url


def _image_bytes(article):
    if not article.hero_image:
        return None
    try:
        with article.hero_image.open("rb") as stream:
            return stream.read()
    except OSError:
        return None


def _plain_fields(story):
    """Every field of a story that is plain text (the body alone is HTML), named for error messages."""
    yield "headline", story.headline
    yield "standfirst", story.standfirst
    for name in ("hero_alt", "hero_caption", "hero_credit", "disclosure", "source_name"):
        yield name, getattr(story, name)
    if story.section:
        yield "section", f"{story.section.name} {story.section.description}"
    for i, author in enumerate(story.authors):
        yield f"authors[{i}]", f"{author.name} {author.role} {author.bio}"
    for i, tag in enumerate(story.tags):
        yield f"tags[{i}]", tag
    for i, quote in enumerate(story.quotes):
        speaker = quote.speaker
        words = [quote.text, quote.role, quote.affiliation, speaker.name, speaker.role, speaker.affiliation]
        yield f"quotes[{i}]", " ".join(words)
    for i, citation in enumerate(story.citations):
        yield f"citations[{i}]", " ".join(str(v) for v in citation.values() if isinstance(v, str | list))


def _describe(error):
    """“field: message; field: message.” from a ValidationError, one sentence however many fields."""
    if not hasattr(error, "message_dict"):
        return " ".join(error.messages)
    parts = [f"{name}: {' '.join(messages).rstrip('.')}" for name, messages in error.message_dict.items()]
    return "; ".join(parts) + "."
