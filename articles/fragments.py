"""Rendered fragments of stories (a teaser, the story block), kept in this process and keyed by their content.

A fragment's key is a digest of everything its template can read: the story's row, its section's row and the JSON
text of the parts its query brought along (articles/models/parts.py: every column of the bylines and their
authors, tags, quotes and their speakers, references and corrections), whether the story is public now, the time
zone and the options the page asked for. So a fragment can never be stale, whoever changed what and however (admin,
import, shell, another process): a renamed author or section, an edited quote or a new correction changes the key
of exactly the fragments that show it, and nothing else. Nothing is invalidated; fragments no page asks for any
more age out of the store.

The store is this process's memory, not Redis: templates can change with a deploy, and new processes start with
an empty store, so a fragment never outlives the code that rendered it. A fragment is rendered with its own
context (the story, the options, the site name), never the page's, so it is the same wherever it is shown.

Only saved stories fetched with their parts are kept. Anything else (the editor's preview of unsaved changes, a
story fetched without its parts) is rendered each time, the same way.
"""

import hashlib
import threading
from collections import OrderedDict

from django.conf import settings
from django.core.signals import setting_changed
from django.dispatch import receiver
from django.template.loader import render_to_string
from django.urls import get_script_prefix
from django.utils import timezone
from django.utils.safestring import mark_safe

from .cache import content_state, kept
from .models import Article
from .navigation import load_section_links, section_links
from .structured_data import news_article, to_script_json

TEASER_TEMPLATE = "articles/teaser.html"
RELATED_TEMPLATE = "articles/includes/related.html"
LISTING_TEMPLATE = "articles/includes/listing.html"
HEAD_TEMPLATE = "includes/head.html"
HEADER_TEMPLATE = "includes/header.html"
FOOTER_TEMPLATE = "includes/footer.html"
STORY_TEMPLATE = "articles/includes/story.html"
SOCIAL_TEMPLATE = "articles/includes/story_social.html"
# What each fragment reads besides the story's own row and its section.
TEASER_PARTS = ("bylines",)
COMPACT_TEASER_PARTS = ()
STORY_PARTS = ("bylines", "tags", "quotes", "citations", "corrections")


class Store:
    """A least-recently-used map bounded by the characters it holds, shared by this process's threads; counts
    renders, for tests and measuring."""

    def __init__(self, max_chars):
        self.max_chars, self.chars = max_chars, 0
        self.items = OrderedDict()
        self.lock = threading.Lock()
        self.hits = self.renders = 0

    def get(self, key):
        with self.lock:
            html = self.items.get(key)
            if html is not None:
                self.items.move_to_end(key)
                self.hits += 1
            return html

    def put(self, key, html):
        with self.lock:
            old = self.items.pop(key, None)
            self.chars += len(html) - (len(old) if old is not None else 0)
            self.items[key] = html
            while self.chars > self.max_chars and len(self.items) > 1:
                _key, dropped = self.items.popitem(last=False)
                self.chars -= len(dropped)

    def kept(self, key, make):
        """The HTML stored under `key`, or `make()`'s, stored when there is a key (None: render every time)."""
        html = self.get(key) if key is not None else None
        if html is None:
            html = make()
            if key is not None:
                self.put(key, html)
        return html

    def clear(self):
        with self.lock:
            self.items.clear()
            self.chars = self.hits = self.renders = 0


# About 50 MB per process at most (a teaser is ~1,000 characters, a story block 5,000-30,000).
store = Store(getattr(settings, "FRAGMENT_STORE_CHARS", 25_000_000))
# The page's frame (fragments.frame()): a few variants (one per section marked current in the header).
frames = Store(2_000_000)


@receiver(setting_changed)
def _settings_changed(**kwargs):
    """Settings shape fragments too (the house citation style, the site's name, storage URLs); they change only
    under override_settings() in tests, and then nothing kept before may be served."""
    store.clear()
    frames.clear()


def _row(instance):
    if instance is None:
        return None
    deferred = instance.get_deferred_fields()
    return [getattr(instance, f.attname) for f in instance._meta.concrete_fields if f.attname not in deferred]


def _key(kind, article, parts, options):
    """None when the story can't be keyed by content: not an Article, not saved, or fetched without its parts."""
    if type(article) is not Article or article.pk is None:
        return None
    texts = article.__dict__.get("parts_text", {})
    if any(name not in texts for name in parts):
        return None
    if article.section_id is not None and not Article.section.is_cached(article):
        return None  # reading the section would cost a query per story: fetched without select_related
    material = (
        kind,
        sorted(options.items()),
        _row(article),
        _row(article.section),
        [texts[name] for name in parts],
        article.is_public,
        getattr(article, "snippet", None),
        timezone.get_current_timezone_name(),
    )
    return hashlib.blake2b(repr(material).encode(), digest_size=20).hexdigest()


def _kept(kind, article, parts, options, make):
    """The fragment from the store, or made by `make()` (and stored when the story can be keyed)."""

    def counted():
        with store.lock:
            store.renders += 1
        return make()

    return store.kept(_key(kind, article, parts, options), counted)


def _template(template, article, **context):
    return lambda: render_to_string(
        template, {"article": article, "site_name": settings.SITE_NAME, **context}
    )


def teaser(article, **options):
    """The teaser partial for `article` with its options (lead, compact, level, loading)."""
    parts = COMPACT_TEASER_PARTS if options.get("compact") else TEASER_PARTS
    return _kept("teaser", article, parts, options, _template(TEASER_TEMPLATE, article, **options))


def story(article):
    """The story's own block (headline, byline, hero, body with pull quotes, people, references, tags,
    corrections)."""
    return _kept("story", article, STORY_PARTS, {}, _template(STORY_TEMPLATE, article))


def social(article, request):
    """Link-preview and reference-manager metadata: absolute URLs, so keyed by the site's address too."""
    site = request.build_absolute_uri("/")
    return _kept(
        "social", article, STORY_PARTS, {"site": site}, _template(SOCIAL_TEMPLATE, article, request=request)
    )


def structured_data(article, request):
    """The story's schema.org NewsArticle as a <script type="application/ld+json"> element."""
    site = request.build_absolute_uri("/")

    def make():
        script = to_script_json(news_article(article, request))
        return mark_safe(f'<script type="application/ld+json">{script}</script>')

    return _kept("structured_data", article, STORY_PARTS, {"site": site}, make)


def listing(stories, front, heading, heading_kind):
    """A list page's stories as laid out: the front page's lead, latest and rails (`front`, on first pages of home
    and sections, None elsewhere), or the grid; `heading` and its kind as the page has them (None on home).

    Kept under the digests of its stories, taken as their teasers' keys are (every column a teaser or the front
    page's layout reads), so a page listing the same stories in the same order uses it without running the
    template's loops; after an edit, the listing is laid out again from kept teasers, one of them re-rendered."""
    stories = list(stories)
    digests = [_key("listed", story, TEASER_PARTS, {}) for story in stories]
    key = None
    if all(digest is not None for digest in digests):
        material = ("listing", digests, front is not None, heading_kind, str(heading) if heading else "")
        key = hashlib.blake2b(repr(material).encode(), digest_size=20).hexdigest()
    context = {"articles": stories, "front": front, "heading": heading, "heading_kind": heading_kind}
    return store.kept(key, _template(LISTING_TEMPLATE, None, **context))


def related(article, limit):
    """The story's related stories (ArticleQuerySet.related_to()) as their rendered block, "" when there are none.

    They depend on other stories, so unlike the fragments above they cannot be keyed by the story's own content:
    the block is kept under the content state the story's query read (articles/cache.py), so a kept article page
    costs no query for them."""

    def make():
        stories = Article.objects.published().related_to(article, limit=limit)
        if not stories:
            return ""
        return render_to_string(RELATED_TEMPLATE, {"related": stories, "site_name": settings.SITE_NAME})

    key = ("related", article.pk, limit, timezone.get_current_timezone_name())
    return kept.get(content_state(article), key, make)


def frame(template, **context):
    """A part of every page's frame (the head's links, the header, the footer), rendered from `context` alone
    (plain values) and kept, keyed by it and the script prefix its URLs begin with: each costs about a dozen
    URL reversals and static lookups, as much as the rest of a kept page's template."""
    material = ("frame", template, sorted(context.items()), get_script_prefix())
    key = hashlib.blake2b(repr(material).encode(), digest_size=20).hexdigest()
    return frames.kept(key, lambda: render_to_string(template, {"site_name": settings.SITE_NAME, **context}))


def header(request, query, state):
    """The site's header: the search box (holding `query`) and the section links, the current one marked.

    Under a content state the page's query read (`state`), the links are read from the database once per state
    and kept, so they are exact like the rest of the page: a section renamed with update(), or by another worker
    whose write-through reached only its own cache, shows on the next page. A page that read no state takes them
    from the navigation cache. A header with a search query is rendered each time: readers' queries are not worth
    keeping."""
    links = kept.get(state, ("section links",), load_section_links) if state is not None else section_links()
    path = request.path
    current = path if path == "/" or any(link["url"] == path for link in links) else ""
    if query:
        context = {"site_name": settings.SITE_NAME, "section_links": links, "current_path": current}
        return render_to_string(HEADER_TEMPLATE, {**context, "query": query})
    return frame(HEADER_TEMPLATE, section_links=links, current_path=current)
