"""Whole-page caching for anonymous readers, exact across app instances, and HTTP caching headers.

Why a cached page is never stale:
- Each cached page records the *content version* it was rendered under. The version lives in the shared cache
  (Redis in production), so every instance sees the same one, and a page whose version is not the current one is
  a miss.
- Any SQL write to a table of the apps in ``PAGE_CACHE_APPS`` (articles and taggit: stories, bylines, quotes,
  citations, tags, and any model added to those apps later) bumps the version: once when the statement runs and
  again when its transaction commits, which retires pages rendered from the old rows in between. This watches SQL
  rather than model signals because ``QuerySet.update()``, ``bulk_create()`` and ``bulk_update()`` (the admin's
  unpublish action, importers) send no signals.
- No page is kept past the next moment at which the clock alone changes what ``published()`` returns, so a
  scheduled story appears on time (see ``next_publication_change``).

Who gets cached pages: GET and HEAD requests carrying no session or messages cookie, so never staff or anyone
logged in, and only for the URL names in ``CACHED_PAGES`` (no drafts or previews). A response is stored only if
it is a 200 that sets no cookie and does not say private, no-cache or no-store.
"""

import hashlib
import math
import time
import uuid

from django.apps import apps
from django.conf import settings
from django.core.cache import cache
from django.db import models, transaction
from django.db.models import Min, Q
from django.http import HttpResponse
from django.utils import timezone
from django.utils.cache import get_conditional_response, patch_cache_control
from django.utils.http import http_date

VERSION_KEY = "pagecache:version"
SCHEDULE_KEY = "pagecache:schedule:{version}"
PAGE_KEY = "pagecache:page:{digest}"

# Public reader pages, by URL name. Anything not named here (admin, previews, forms) is never cached.
CACHED_PAGES = frozenset(
    {
        "articles:home",
        "articles:detail",
        "articles:section",
        "articles:tag",
        "articles:author",
        "articles:speaker",
        "articles:search",
        "articles:cite",
        "articles:feed-rss",
        "articles:feed-atom",
        "articles:section-rss",
        "articles:section-atom",
        "articles:tag-rss",
        "articles:tag-atom",
        "articles:author-rss",
        "articles:author-atom",
        "articles:corrections",
        "articles:corrections_feed",
        "sitemap-index",
        "django.contrib.sitemaps.views.sitemap",
        "news-sitemap",
        "robots",
    }
)
# Pages that also change with the clock in ways the schedule does not foresee (the news sitemap drops stories
# 48 hours after publication) are kept at most this many seconds.
CLOCK_PAGES = {"news-sitemap": 60}

# A reader with either cookie may see something personal: a logged-in page, or a one-off message.
BYPASS_COOKIES = (settings.SESSION_COOKIE_NAME, "messages")

SQL_WRITES = ("INSERT", "UPDATE", "DELETE", "TRUNCATE", "REPLACE")


# --- The content version --------------------------------------------------------------------------------------


def bump_content_version():
    """Make every cached page stale, on every instance sharing the cache."""
    cache.set(VERSION_KEY, uuid.uuid4().hex, timeout=None)


def current_content_version():
    """The shared version, created if the cache has none yet; None while the cache is unreachable."""
    version = cache.get(VERSION_KEY)
    if version is None:
        cache.add(VERSION_KEY, uuid.uuid4().hex, timeout=None)
        version = cache.get(VERSION_KEY)
    return version


def content_changed(using):
    bump_content_version()
    connection = transaction.get_connection(using)
    if connection.in_atomic_block:
        transaction.on_commit(bump_content_version, using=using)


class ContentWriteWatcher:
    """A database execute wrapper that reports writes to the watched tables (see the module docstring)."""

    def __init__(self, connection):
        self.alias = connection.alias
        quote = connection.ops.quote_name
        self.tables = tuple(
            quote(model._meta.db_table)
            for label in settings.PAGE_CACHE_APPS
            for model in apps.get_app_config(label).get_models(include_auto_created=True)
        )

    def __call__(self, execute, sql, params, many, context):
        result = execute(sql, params, many, context)
        if (
            isinstance(sql, str)
            and sql.lstrip()[:8].upper().startswith(SQL_WRITES)
            and any(table in sql for table in self.tables)
        ):
            content_changed(self.alias)
        return result


def watch_connection(sender, connection, **kwargs):
    """connection_created receiver: install the watcher once per connection object."""
    if not any(isinstance(wrapper, ContentWriteWatcher) for wrapper in connection.execute_wrappers):
        connection.execute_wrappers.append(ContentWriteWatcher(connection))


# --- Scheduled publication ------------------------------------------------------------------------------------


def next_publication_change(now):
    """The earliest future moment at which the clock alone can change what ``published()`` returns.

    ``published()`` compares the story's datetimes with now(), so its result can only change when now() passes one
    of them. Taking the earliest future value of every editable datetime on Article (publication time, embargo,
    any expiry added later) is therefore never later than the next change, without re-spelling the rule here.
    """
    from .models import Article

    fields = [
        field.name
        for field in Article._meta.concrete_fields
        if isinstance(field, models.DateTimeField) and not (field.auto_now or field.auto_now_add)
    ]
    upcoming = Article.objects.aggregate(
        **{name: Min(name, filter=Q(**{f"{name}__gt": now})) for name in fields}
    ).values()
    return min((moment for moment in upcoming if moment is not None), default=None)


def cache_deadline(version, now):
    """Epoch seconds after which pages rendered under this version may be out of date (None: no deadline)."""
    key = SCHEDULE_KEY.format(version=version)
    known = cache.get(key)
    if known is None or (known["at"] is not None and known["at"] <= now):
        change = next_publication_change(timezone.now())
        known = {"at": change.timestamp() if change else None}
        cache.set(key, known, timeout=settings.PAGE_CACHE_SECONDS)
    return known["at"]


# --- The middleware -------------------------------------------------------------------------------------------


def is_anonymous_read(request):
    return request.method in ("GET", "HEAD") and not any(name in request.COOKIES for name in BYPASS_COOKIES)


def is_public_page(request):
    match = getattr(request, "resolver_match", None)
    return match is not None and match.view_name in CACHED_PAGES


def is_storable(request, response):
    if response.status_code != 200 or response.streaming or response.cookies:
        return False
    cache_control = response.get("Cache-Control", "")
    return is_public_page(request) and not any(
        word in cache_control for word in ("private", "no-cache", "no-store")
    )


class PageCacheMiddleware:
    """Serves and stores public pages for anonymous readers; adds ETag, Last-Modified and Cache-Control.

    Sits after the security, CSP and static-file middleware, so those headers are added fresh to every response,
    and before sessions and authentication, so a cache hit costs one round trip to the cache and nothing else.
    """

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        if not is_anonymous_read(request):
            response = self.get_response(request)
            if is_public_page(request):
                # A logged-in view of a public page (it may show drafts or edit links) must not reach a CDN.
                patch_cache_control(response, private=True)
            return response
        if not settings.PAGE_CACHE_SECONDS:
            return self.get_response(request)

        key = PAGE_KEY.format(digest=hashlib.md5(request.build_absolute_uri().encode()).hexdigest())
        found = cache.get_many([VERSION_KEY, key])
        version, entry = found.get(VERSION_KEY), found.get(key)
        now = time.time()
        if (
            version is not None
            and entry is not None
            and entry["version"] == version
            and entry["expires"] > now
        ):
            return self.conditional(request, self.replay(entry), entry, now)

        # The version must be read before rendering: labelling old content with a newer version would keep it.
        version = version or current_content_version()
        response = self.get_response(request)
        if not is_storable(request, response):
            return response
        if version is None:
            # The cache is down: serve the page as rendered, and let clients revalidate every time.
            patch_cache_control(response, public=True, max_age=0)
            return response

        fresh = self.record(request, response, version, previous=entry, now=now)
        if fresh["expires"] - now >= 1:
            cache.set(key, fresh, timeout=math.ceil(fresh["expires"] - now))
        return self.conditional(request, response, fresh, now)

    def record(self, request, response, version, previous, now):
        deadline = min(
            cache_deadline(version, now) or math.inf,
            now + CLOCK_PAGES.get(request.resolver_match.view_name, math.inf),
        )
        etag = f'"{hashlib.md5(response.content).hexdigest()}"'
        # An unchanged page keeps its Last-Modified, so clients revalidating by date still get a 304.
        unchanged = previous is not None and previous["etag"] == etag
        return {
            "version": version,
            "expires": min(now + settings.PAGE_CACHE_SECONDS, deadline),
            "etag": etag,
            "last_modified": previous["last_modified"] if unchanged else int(now),
            "status": response.status_code,
            "headers": list(response.items()),
            "content": response.content,
        }

    def replay(self, entry):
        response = HttpResponse(entry["content"], status=entry["status"])
        for name, value in entry["headers"]:
            response.headers[name] = value
        return response

    def conditional(self, request, response, entry, now):
        response.headers["ETag"] = entry["etag"]
        response.headers["Last-Modified"] = http_date(entry["last_modified"])
        max_age = max(0, min(settings.PAGE_CACHE_MAX_AGE, int(entry["expires"] - now)))
        patch_cache_control(response, public=True, max_age=max_age)
        return get_conditional_response(
            request, etag=entry["etag"], last_modified=entry["last_modified"], response=response
        )
