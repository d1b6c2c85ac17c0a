import html
import math
from dataclasses import dataclass
from datetime import UTC, datetime

from django.conf import settings
from django.contrib.contenttypes.models import ContentType
from django.contrib.postgres.search import SearchVectorField
from django.core.exceptions import ImproperlyConfigured
from django.core.validators import MaxValueValidator
from django.db import connections, models
from django.db.models import Case, Count, OuterRef, Q, Subquery, When
from django.db.models.expressions import RawSQL
from django.db.models.functions import Coalesce
from django.db.models.query import ModelIterable
from django.tasks import TaskResultStatus
from django.urls import reverse
from django.utils import timezone
from django.utils.text import Truncator, slugify
from taggit.managers import TaggableManager
from taggit.models import TaggedItem

from pagecache.versions import version_table

from ..dates import in_range, validate_in_range
from ..images import CleanImageField, Picture, images_without_alt, sync_hero_renditions
from ..sanitize import clean_html, strip_tags
from . import parts
from .quote import Quote
from .redirect import ArticleRedirect
from .section import Section
from .status import Status

WORDS_PER_MINUTE = 230
# The hero rendition that link previews (Open Graph, Twitter) and search engines are given.
SHARE_IMAGE_WIDTH = 1200
RELATED_CANDIDATES = 200
# The parts a story's page shows (for_detail()), bylines first as for_teasers() brings them.
STORY_PART_NAMES = ("bylines", "tags", "quotes", "citations", "corrections")
# How a story belongs to each kind of listing page.
LISTING_LOOKUPS = {"section": "section", "tag": "tags", "author": "bylines__author"}
# How many of the newest stories a tag page's first page looks through for the tag before reading its items
# (ArticleQuerySet.newest_ids_under_tag()).
TAG_WALK = 4000


@dataclass(frozen=True)
class BodyBlock:
    """A paragraph (or other top-level element) of the body, with the pull quote the editor placed beside it."""

    html: str
    pull_quote: Quote | None = None
    # Whether the pull quote's words are in this block, so the page shows them twice and reads them once.
    echoes_body: bool = False


@dataclass(frozen=True)
class PersonQuoted:
    """A speaker as this story describes them (its own role and affiliation win over the record's)."""

    speaker: object
    role: str
    affiliation: str


def _plain(text):
    return " ".join(html.unescape(strip_tags(text)).split()).casefold()


class ArticleQuerySet(models.QuerySet):
    def published(self, now=None):
        """What the public may see: published, and its time has come (by `now`, the present when None). The only
        spelling of this rule."""
        return self.filter(status=Status.PUBLISHED, published_at__lte=timezone.now() if now is None else now)

    def listed_under(self, heading):
        """Stories on the page (and in the feeds) of a section, a tag or an author; `heading` is that object."""
        return self.filter(**{LISTING_LOOKUPS[heading._meta.model_name]: heading})

    def newest_ids_under_tag(self, tag, count):
        """The ids of the `count` newest of these stories tagged `tag`, as SQL for ``pk__in``: a tag page's first
        page, chosen in a time that does not grow with the number of stories.

        listed_under()'s join reads every item of the tag and sorts them (2,500 at 100,000 stories, 10 ms). This
        first looks through the newest TAG_WALK stories alone, in order, probing taggit's unique (content type,
        object, tag) index for each and stopping at `count` (a tag on one story in forty: about 800 probes, 1 ms).
        Those are the tag's newest whenever `count` are found there, since every story outside is older. Only when
        fewer are (a rare tag) does the join run, and a rare tag has few items to read. EXISTS alone, unbounded,
        would let PostgreSQL walk every story for a rare tag (165 ms for a tag of three old stories at 100,000)."""
        connection = connections[self.db]
        quote = connection.ops.quote_name
        ordering = ("-published_at", "-pk")
        newest_sql, newest_params = (
            self.order_by(*ordering)
            .values("pk", "published_at")[:TAG_WALK]
            .query.get_compiler(using=self.db)
            .as_sql()
        )
        joined_sql, joined_params = (
            self.listed_under(tag)
            .order_by(*ordering)
            .values("pk")[:count]
            .query.get_compiler(using=self.db)
            .as_sql()
        )
        items = TaggedItem._meta
        column = {name: quote(items.get_field(name).column) for name in ("content_type", "object_id", "tag")}
        sql = (
            f"WITH walk AS (SELECT n.pk FROM ({newest_sql}) n WHERE EXISTS (SELECT 1 FROM {quote(items.db_table)} t "
            f"WHERE t.{column['content_type']} = %s AND t.{column['tag']} = %s AND t.{column['object_id']} = n.pk) "
            f"ORDER BY n.published_at DESC, n.pk DESC LIMIT {int(count)}) "
            f"SELECT pk FROM walk WHERE (SELECT COUNT(*) FROM walk) = {int(count)} "
            f"UNION ALL SELECT pk FROM ({joined_sql}) j WHERE (SELECT COUNT(*) FROM walk) < {int(count)}"
        )
        content_type = ContentType.objects.get_for_model(Article).pk
        return RawSQL(sql, (*newest_params, content_type, tag.pk, *joined_params))

    def count_listed_under(self, heading_model):
        """An expression for annotating sections, tags or authors (`heading_model`) with how many of these
        stories their page lists, by the same lookup as listed_under()."""
        lookup = LISTING_LOOKUPS[heading_model._meta.model_name]
        counted = self.filter(**{lookup: OuterRef("pk")}).order_by().values(lookup).annotate(n=Count("pk"))
        return Coalesce(Subquery(counted.values("n")), 0)

    def headings(self, model):
        """The sections, tags or authors (`model`) these stories are listed under: only they get pages, feeds
        and sitemap entries (of published() stories), so nothing names a heading only drafts use."""
        return model.objects.filter(pk__in=self.values(LISTING_LOOKUPS[model._meta.model_name]))

    def editable_by(self, user):
        """The stories `user` may change: workflow.can_edit's rule, as a query (for choosing a story)."""
        if not user.has_perm("articles.change_article"):
            return self.none()
        if user.has_perm("articles.change_any_article"):
            return self
        owned = Q(created_by=user) | Q(bylines__author__user=user)
        return self.exclude(status=Status.PUBLISHED).filter(pk__in=self.filter(owned).values("pk"))

    def scheduled(self):
        """Published stories whose time has not come yet; they go public by themselves."""
        return self.filter(status=Status.PUBLISHED, published_at__gt=timezone.now())

    def for_teasers(self):
        """Everything the teaser partial touches, in the stories' own query: the section joined, the bylines with
        their authors as JSON (parts.py) instead of a prefetch query. No tags: teasers do not show them."""
        # The search vector is as long as the story and no page shows it.
        return self.select_related("section").defer("search_vector").with_parts("bylines")

    def with_parts(self, *names):
        """Bring the named parts (bylines, tags, quotes, citations, corrections) along in this query, each as one
        JSON array, and hand out stories with them prefetched (parts.attach())."""
        clone = self.annotate(**parts.annotations(connections[self.db], *names))
        if issubclass(clone._iterable_class, ModelIterable):
            clone._iterable_class = parts.StoryIterable
        return clone

    def related_to(self, article, limit=4):
        """Up to `limit` other stories: among the newest stories sharing any of the article's tags, those
        sharing the most tags first, then the newest of its section; ties go to the newest.

        Two queries, each with a plan bounded whatever the planner knows: straight after an import PostgreSQL has
        no statistics, and one query taking the candidates from a LIMIT subquery was planned as a nested loop
        that re-ran the subquery for every story (328 s). The first query lists the newest RELATED_CANDIDATES
        stories sharing a tag, with their shared-tag counts; they are ranked here; the second fetches the chosen
        few by id, filling up from the section only when too few share a tag. Reads the tags from the prefetch.
        """
        # (The candidates' values_list() leaves the section join and the deferral out of its query.)
        others = self.exclude(pk=article.pk).select_related("section").defer("search_vector")
        tag_ids = [tag.pk for tag in article.tags.all()]
        ranked = []
        if tag_ids:
            tagged = TaggedItem.objects.filter(
                content_type=ContentType.objects.get_for_model(Article), tag_id__in=tag_ids
            )
            shared = tagged.filter(object_id=OuterRef("pk")).order_by().values("object_id")
            # Rank only the newest stories sharing a tag: related reading should be recent, and this keeps the
            # cost flat as the archive grows instead of counting over every story a popular tag ever had.
            candidates = (
                others.filter(pk__in=tagged.values("object_id"))
                .annotate(shared_tags=Subquery(shared.annotate(n=Count("*")).values("n")))
                .order_by("-published_at", "-pk")
                .values_list("shared_tags", "published_at", "pk")[:RELATED_CANDIDATES]
            )
            ranked = [pk for *_key, pk in sorted(candidates, reverse=True)[:limit]]
        if len(ranked) == limit:
            # No filling from the section: fetch the chosen by id and keep the ranking (cheaper to build than
            # the ranked query below, which the ORM takes several milliseconds to compile).
            order = {pk: n for n, pk in enumerate(ranked)}
            stories = others.filter(pk__in=ranked)
            return sorted(stories, key=lambda story: order[story.pk])
        # Too few share a tag: fill up from the section.
        if article.section_id is None and not ranked:
            return []
        chosen = Q(pk__in=ranked)
        if article.section_id is not None:
            chosen |= Q(section_id=article.section_id)
        stories = (
            others.filter(chosen)
            .annotate(rank=Case(*(When(pk=pk, then=-n) for n, pk in enumerate(ranked)), default=-limit))
            .order_by("-rank", "-published_at", "-pk")[:limit]
        )
        return list(stories)

    def for_detail(self):
        """Everything the full-article template touches, in one query (see with_parts())."""
        return self.for_teasers().with_parts(*STORY_PART_NAMES[1:])

    def published_story(self, slug):
        """The published story at `slug` as published().for_detail().with_content_state() fetches it, or None.

        The article page's query, written once per database (_story_sql()) and run with this request's slug and
        time: composing and compiling it through the ORM cost twice the CPU of running it, on the page readers ask
        for most. The ORM still writes its WHERE clause, from published(), once."""
        connection = connections[self.db]
        if connection.alias not in _STORY_SQL:
            _STORY_SQL[connection.alias] = _story_sql(connection)
        sql, marked = _STORY_SQL[connection.alias]
        now = connection.ops.adapt_datetimefield_value(timezone.now())
        params = [
            p
            for expression in parts.annotations(connection, *STORY_PART_NAMES).values()
            for p in expression.params
        ]
        params += [now if param is _NOW else slug if param is _SLUG else param for param in marked]
        stories = list(self.model.objects.raw(sql, params, using=self.db))
        for story in stories:
            story.section = parts.row(Section, story.__dict__.pop("section_row"), connection.vendor)
            parts.attach(story)
        return stories[0] if stories else None

    def with_content_state(self):
        """Each story also carries the content state its query read: the page cache's content version
        (`content_version`) and the next moment a scheduled story goes public (`next_publication`). What a page
        derives from published stories (related stories, a list's count) is the same while both are, so it can be
        kept per process (articles/cache.py) at the cost of two index lookups in a query the page makes anyway.
        Read in the same statement as the stories, so a value kept under a state never predates it."""
        connection = connections[self.db]
        sql = _STATE_SQL.get(connection.vendor)
        if sql is None:
            sql = _STATE_SQL[connection.vendor] = _state_sql(connection)
        now = connection.ops.adapt_datetimefield_value(timezone.now())
        return self.annotate(
            content_version=RawSQL(sql["version"], (), output_field=models.BigIntegerField()),
            next_publication=RawSQL(
                sql["next"], (Status.PUBLISHED, now), output_field=models.DateTimeField()
            ),
        )


_STATE_SQL = {}  # database vendor -> the content state's subqueries


def _state_sql(connection):
    """Written out once per database, as parts.py's subqueries are, so a request compiles none of it. The next
    publication is the earliest publication time of scheduled() stories (the only stories the clock alone makes
    public); tests/test_kept.py holds it to scheduled()."""
    quote = connection.ops.quote_name
    meta = Article._meta
    status, published_at = (quote(meta.get_field(name).column) for name in ("status", "published_at"))
    return {
        "version": f"(SELECT value FROM {version_table(connection)} WHERE id = 1)",
        "next": (
            f"(SELECT MIN(s.{published_at}) FROM {quote(meta.db_table)} s "
            f"WHERE s.{status} = %s AND s.{published_at} > %s)"
        ),
    }


_STORY_SQL = {}  # database alias -> (the published story query, its parameters after the parts', with _NOW and
# _SLUG where the request's time and slug go)
_NOW, _SLUG = object(), object()
# Stand-ins compiled into the published-story query's WHERE clause, then replaced by _NOW and _SLUG.
_STAND_IN_NOW, _STAND_IN_SLUG = datetime(2000, 1, 1, 0, 0, 1, 234567, tzinfo=UTC), "\x00story-slug"


def _story_sql(connection):
    """published().for_detail().with_content_state() for one slug, written out: the story's columns (all but
    the search vector), its parts (parts.py), the content state and its section as JSON, for the story the ORM's
    compilation of published().filter(slug=...) picks. Returns the SQL and its parameters after the parts', with
    _NOW and _SLUG where the request's values go."""
    quote = connection.ops.quote_name
    meta = Article._meta
    table = quote(meta.db_table)
    chosen = Article.objects.using(connection.alias).published(now=_STAND_IN_NOW).filter(slug=_STAND_IN_SLUG)
    chosen_sql, chosen_params = (
        chosen.order_by().values("pk").query.get_compiler(connection=connection).as_sql()
    )
    stand_in_now = connection.ops.adapt_datetimefield_value(_STAND_IN_NOW)
    chosen_params = [
        _NOW if param == stand_in_now else _SLUG if param == _STAND_IN_SLUG else param
        for param in chosen_params
    ]
    if _NOW not in chosen_params or _SLUG not in chosen_params:
        raise ImproperlyConfigured("published() no longer compiles to a query with the time and the slug.")
    columns = [
        f"{table}.{quote(field.column)}" for field in meta.concrete_fields if field.name != "search_vector"
    ]
    # The parts' own parameters (the content type of tags) are not kept here: published_story() asks for them.
    columns += [
        f"{expression.sql} AS {quote(name)}"
        for name, expression in parts.annotations(connection, *STORY_PART_NAMES).items()
    ]
    state = _state_sql(connection)
    columns += [f"{state['version']} AS content_version", f"{state['next']} AS next_publication"]
    section_key = f"{table}.{quote(meta.get_field('section').column)}"
    columns.append(f"{parts.row_sql(connection, Section, section_key)} AS section_row")
    sql = f"SELECT {', '.join(columns)} FROM {table} WHERE {table}.{quote(meta.pk.column)} IN ({chosen_sql})"
    return sql, [Status.PUBLISHED, _NOW, *chosen_params]


class Article(models.Model):
    headline = models.CharField(max_length=250)
    slug = models.SlugField(
        max_length=255, unique=True, allow_unicode=True, help_text="The last part of the story's address."
    )
    standfirst = models.TextField(
        blank=True,
        max_length=1000,
        help_text="One or two sentences under the headline and in teasers. Publishing needs one.",
    )
    body = models.TextField(
        blank=True, help_text="The story. Scripts, styles and unknown markup are removed on save."
    )
    hero_image = CleanImageField(
        "hero image",
        upload_to="heroes/%Y/%m/",
        blank=True,
        help_text="JPEG, PNG, WebP or GIF. Turned upright and stripped of location data when stored.",
    )
    hero_alt = models.CharField(
        "hero image alt text",
        max_length=300,
        blank=True,
        help_text="What the image shows, for readers who can't see it.",
    )
    hero_caption = models.CharField("hero image caption", max_length=500, blank=True)
    hero_credit = models.CharField("hero image credit", max_length=200, blank=True)
    hero_focal_x = models.PositiveSmallIntegerField(
        "focal point across (%)",
        default=50,
        validators=[MaxValueValidator(100)],
        help_text="Where the subject is, from the left edge (0) to the right (100): teaser crops keep it in view.",
    )
    hero_focal_y = models.PositiveSmallIntegerField(
        "focal point down (%)",
        default=50,
        validators=[MaxValueValidator(100)],
        help_text="Where the subject is, from the top edge (0) to the bottom (100).",
    )
    hero_renditions = models.JSONField(
        default=dict, blank=True, editable=False, help_text="Resized copies of the hero image, made on save."
    )
    authors = models.ManyToManyField(
        "articles.Author", through="articles.Byline", related_name="articles", blank=True
    )
    section = models.ForeignKey(
        "articles.Section", on_delete=models.SET_NULL, null=True, blank=True, related_name="articles"
    )
    tags = TaggableManager(blank=True)
    status = models.CharField(
        max_length=12, choices=Status.stored_choices(), default=Status.DRAFT, db_index=True
    )
    published_at = models.DateTimeField(
        "publication time",
        null=True,
        blank=True,
        db_index=True,
        help_text="Left empty, publishing sets it to now. A future time schedules the story.",
        validators=[validate_in_range],
    )
    embargo_until = models.DateTimeField(
        null=True,
        blank=True,
        help_text="The story must not be public before this time (e.g. the paper's embargo).",
        validators=[validate_in_range],
    )
    disclosure = models.TextField(
        blank=True,
        help_text="Funding and conflicts of interest of the research, shown at the foot of the story.",
    )
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        editable=False,
        related_name="+",
        help_text="Who started the story; a Writer may edit the stories they started or carry a byline on.",
    )
    lock_version = models.PositiveIntegerField(
        default=0,
        editable=False,
        help_text="Goes up on every save, so a form opened before someone else's save can be refused.",
    )
    source_name = models.CharField(max_length=200, blank=True, help_text="Where an imported story came from.")
    source_url = models.URLField(max_length=1000, blank=True)
    external_id = models.CharField(
        max_length=255,
        unique=True,
        null=True,
        blank=True,
        help_text="Stable id of an imported story, so re-imports update it instead of duplicating it.",
    )

    search_vector = SearchVectorField(
        null=True,
        editable=False,
        help_text="Full-text index of headline, standfirst, body and quotes; PostgreSQL keeps it current.",
    )

    objects = ArticleQuerySet.as_manager()

    class Meta:
        ordering = ["-published_at", "-pk"]
        get_latest_by = "published_at"
        indexes = [models.Index(fields=["status", "-published_at"], name="article_public_listing")]
        constraints = [
            models.CheckConstraint(
                condition=~Q(status=Status.PUBLISHED) | Q(published_at__isnull=False),
                name="article_published_has_time",
            ),
            models.CheckConstraint(condition=in_range("published_at"), name="article_published_at_in_range"),
            models.CheckConstraint(
                condition=in_range("embargo_until"), name="article_embargo_until_in_range"
            ),
        ]
        permissions = [
            ("publish_article", "Can publish, schedule and unpublish stories"),
            ("change_any_article", "Can edit stories by anyone"),
        ]

    def __str__(self):
        return self.headline

    def save(self, *args, **kwargs):
        self.body = clean_html(self.body)
        if not self.slug:
            self.slug = self.unique_slug(self.headline)
        if self.status == Status.PUBLISHED and self.published_at is None:
            self.published_at = timezone.now()
        renditions_due = sync_hero_renditions(self, kwargs.get("update_fields"))
        if self.pk is not None:
            self.lock_version += 1
            if kwargs.get("update_fields") is not None:
                kwargs["update_fields"] = {*kwargs["update_fields"], "lock_version"}
        super().save(*args, **kwargs)
        self._remember_old_url()
        if renditions_due:
            self.enqueue_renditions()

    def get_absolute_url(self):
        return reverse("articles:detail", kwargs={"slug": self.slug})

    def clean(self):
        # As save() does, so a form publishing with the time left empty passes the constraint check.
        if self.status == Status.PUBLISHED and self.published_at is None:
            self.published_at = timezone.now()

    @classmethod
    def from_db(cls, db, field_names, values, **kwargs):
        article = super().from_db(db, field_names, values, **kwargs)
        # What the row held when loaded: save() compares with it to keep old URLs working.
        article._loaded_slug = article.__dict__.get("slug")
        article._loaded_status = article.__dict__.get("status")
        return article

    def _remember_old_url(self):
        """A published story whose slug changed keeps answering at the old address (a 301 to the new one)."""
        old_slug = getattr(self, "_loaded_slug", None)
        if old_slug and old_slug != self.slug and getattr(self, "_loaded_status", None) == Status.PUBLISHED:
            ArticleRedirect.objects.update_or_create(old_slug=old_slug, defaults={"article": self})
            ArticleRedirect.objects.filter(old_slug=self.slug).delete()
        self._loaded_slug, self._loaded_status = self.slug, self.status

    @classmethod
    def unique_slug(cls, text, exclude_pk=None):
        base = slugify(text, allow_unicode=True)[:240].strip("-") or "story"
        slug, n = base, 2
        while cls.objects.filter(slug=slug).exclude(pk=exclude_pk).exists():
            slug, n = f"{base}-{n}", n + 1
        return slug

    @property
    def is_public(self):
        return (
            self.status == Status.PUBLISHED
            and self.published_at is not None
            and self.published_at <= timezone.now()
        )

    @property
    def is_scheduled(self):
        return (
            self.status == Status.PUBLISHED
            and self.published_at is not None
            and self.published_at > timezone.now()
        )

    @property
    def state(self):
        """Draft, in review, scheduled (published with a future time) or published."""
        return Status.SCHEDULED if self.is_scheduled else Status(self.status)

    def is_owned_by(self, user):
        """A Writer's own story: they started it, or a byline of theirs is on it (remembered per user,
        because one admin page asks for every inline)."""
        if not user.is_authenticated:
            return False
        owners = self.__dict__.setdefault("_owner_answers", {})
        if user.pk not in owners:
            owners[user.pk] = self.created_by_id == user.pk or self.bylines.filter(author__user=user).exists()
        return owners[user.pk]

    def publishing_problems(self):
        """Every reason the story, as saved with its parts, can't go public yet, each named, so they are
        fixed in one pass."""
        return [
            *self.story_problems(),
            *self.byline_problems(self.bylines.count()),
            *self.citation_problems(self.citations.all()),
        ]

    def story_problems(self):
        """What the story's own fields lack for publishing (the admin form checks these; its inlines the rest)."""
        problems = [] if self.standfirst.strip() else ["Add a standfirst."]
        return [*problems, *self.image_problems()]

    @staticmethod
    def byline_problems(byline_count):
        return [] if byline_count >= 1 else ["Add at least one byline."]

    @staticmethod
    def citation_problems(citations):
        """`citations` in their printed order, as saved or as about to be saved."""
        return [
            f"Give reference {number} a DOI or a title."
            for number, citation in enumerate(citations, 1)
            if not (citation.doi.strip() or citation.title.strip())
        ]

    def embargo_problem(self, going_public_at):
        """Why the story can't go public at that time, or "" when the embargo (if any) allows it."""
        if self.embargo_until is None or going_public_at >= self.embargo_until:
            return ""
        local = timezone.localtime(self.embargo_until)
        return (
            f"Embargoed until {local:%-d %B %Y, %H:%M} {local.tzname()}: "
            "set the publication time to then or later."
        )

    @property
    def teaser_text(self):
        """The standfirst, or the first paragraph of the body when there is none."""
        if self.standfirst:
            return self.standfirst
        first_paragraph = self.body.split("</p>", 1)[0]
        return Truncator(strip_tags(first_paragraph)).words(60)

    @property
    def reading_minutes(self):
        words = len(strip_tags(self.body).split())
        return max(1, math.ceil(words / WORDS_PER_MINUTE))

    def canonical_url(self, request=None):
        """The absolute URL search engines and feeds should use for this story."""
        path = self.get_absolute_url()
        return request.build_absolute_uri(path) if request is not None else path

    @property
    def byline_authors(self):
        """Authors in byline order, from the prefetched bylines (no query when prefetched)."""
        return [byline.author for byline in self.bylines.all()]

    @property
    def body_blocks(self):
        """The body split after each paragraph, each flagged pull quote attached to the paragraph that holds its
        words (to the second paragraph when the words are not in the body), so the page shows it beside them.

        Reads the prefetched quotes; no query.
        """
        chunks = [chunk + "</p>" for chunk in self.body.split("</p>")[:-1]]
        tail = self.body.rsplit("</p>", 1)[-1] if chunks else self.body
        if tail.strip():
            chunks.append(tail)
        placed = {}
        for quote in (quote for quote in self.quotes.all() if quote.is_pull_quote):
            # A quote ending a sentence in the record often runs on in the body ("...place," she said).
            words = _plain(quote.text).rstrip(".,;:!?… ")
            index = next((i for i, chunk in enumerate(chunks) if words and words in _plain(chunk)), None)
            echoes = index is not None
            if index is None:
                index = min(1, len(chunks) - 1)
            if index >= 0:
                placed.setdefault(index, (quote, echoes))
        return [BodyBlock(chunk, *placed.get(index, (None, False))) for index, chunk in enumerate(chunks)]

    @property
    def people_quoted(self):
        """Each person quoted, once, in order of first quote, from the prefetched quotes (no query)."""
        people = {}
        for quote in self.quotes.all():
            if quote.speaker_id not in people:
                people[quote.speaker_id] = PersonQuoted(
                    quote.speaker, quote.speaker_role, quote.speaker_affiliation
                )
        return list(people.values())

    # Images: renditions come from the stored record, so pages never open the image files.

    @property
    def share_image(self):
        """The hero rendition for link previews and search engines: the one SHARE_IMAGE_WIDTH wide, else the
        widest; {"url", "width", "height"}, or None without a hero image."""
        entries = self.hero_renditions.get("hero") if self.hero_image else None
        if not entries:
            return None
        entry = next((e for e in entries if e["width"] == SHARE_IMAGE_WIDTH), entries[-1])
        return {
            "url": self.hero_image.storage.url(entry["jpg"]),
            "width": entry["width"],
            "height": entry["height"],
        }

    @property
    def hero_is_portrait(self):
        picture = self.hero_picture
        return picture is not None and picture.height > picture.width

    @property
    def hero_picture(self):
        return Picture.from_record(self.hero_image.storage, self.hero_renditions.get("hero"))

    @property
    def teaser_picture(self):
        return Picture.from_record(self.hero_image.storage, self.hero_renditions.get("teaser"))

    def enqueue_renditions(self):
        """Have the hero image's renditions made in the background (in the transaction, so the task is queued
        only if this save commits)."""
        from ..tasks import make_hero_renditions

        result = make_hero_renditions.enqueue(self.pk)
        if result.status == TaskResultStatus.SUCCESSFUL:
            # A backend that runs tasks at once (the tests' and a script's) has already made them.
            self.hero_renditions = result.return_value

    def image_problems(self):
        """What stops this story's images being published, one message per problem (empty when none)."""
        problems = []
        if self.hero_image and not self.hero_alt.strip():
            problems.append("Add alt text for the hero image.")
        if missing := images_without_alt(self.body):
            problems.append(f"Add alt text to {missing} image(s) in the body.")
        return problems


class Byline(models.Model):
    """An author on an article, in order: bylines are printed as the desk ranked them."""

    article = models.ForeignKey(Article, on_delete=models.CASCADE, related_name="bylines")
    author = models.ForeignKey("articles.Author", on_delete=models.PROTECT, related_name="bylines")
    position = models.PositiveSmallIntegerField(default=0)

    class Meta:
        ordering = ["position", "pk"]
        constraints = [
            models.UniqueConstraint(fields=["article", "author"], name="byline_unique_author"),
        ]

    def __str__(self):
        return f"{self.author} on {self.article}"
