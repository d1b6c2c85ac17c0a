"""Whole-page caching for anonymous readers, and the HTTP caching headers of public pages.

A page is served from the cache only when it was rendered under the current content version (versions.py) and
before the next moment at which the clock alone changes what the public may see (``PAGE_CACHE_NEXT_CHANGE``), so
a scheduled story appears on time. Pages are looked for in the tiers of ``PAGE_CACHE_TIERS`` in order: this
process's memory first, then the cache shared by all instances when there is one; a page found further down is
copied up. Each is stored with its gzip and Brotli encodings, made once when rendered.

Who gets cached pages: GET and HEAD requests carrying no session or messages cookie, so never staff or anyone
logged in, and only for the URL names in ``PAGE_CACHE_URL_NAMES`` (no drafts or previews). A response is stored only
if it is a 200 that sets no cookie and does not say private, no-cache or no-store.
"""

import gzip
import hashlib
import math
import time

import brotli
from django.conf import settings
from django.core.cache import caches
from django.http import HttpResponse
from django.utils.cache import get_conditional_response, patch_cache_control, patch_vary_headers
from django.utils.http import http_date
from django.utils.module_loading import import_string

from .versions import current_content_version

PAGE_KEY = "pagecache:page:{digest}"
SCHEDULE_KEY = "pagecache:schedule:{version}"
# Where the middleware leaves the entry it served or stored, current under the version it read, for the WSGI fast
# path (wsgi.py) to serve the next identical request without Django.
SERVED_ENTRY = "pagecache.entry"

# A reader with either cookie may see something personal: a logged-in page, or a one-off message.
BYPASS_COOKIES = (settings.SESSION_COOKIE_NAME, "messages")

# Encodings stored beside each page, in the order preferred when a client accepts several.
ENCODINGS = {
    "br": lambda content: brotli.compress(content, quality=5),
    "gzip": lambda content: gzip.compress(content, mtime=0),
}
# Below this, compressing saves less than the header costs.
MIN_COMPRESSED_LENGTH = 200
COMPRESSIBLE_TYPES = (
    "text/",
    "application/xml",
    "application/rss+xml",
    "application/atom+xml",
    "application/json",
)


def tiers():
    return [caches[alias] for alias in settings.PAGE_CACHE_TIERS]


def cache_deadline(version, now):
    """Epoch seconds after which pages rendered under this version may be out of date (None: no deadline)."""
    local = tiers()[0]
    key = SCHEDULE_KEY.format(version=version)
    known = local.get(key)
    if known is None or (known["at"] is not None and known["at"] <= now):
        change = import_string(settings.PAGE_CACHE_NEXT_CHANGE)()
        known = {"at": change.timestamp() if change else None}
        local.set(key, known, timeout=settings.PAGE_CACHE_SECONDS)
    return known["at"]


def parse_accept_encoding(header):
    """The content codings an Accept-Encoding header accepts (q=0 means refused)."""
    accepted = set()
    for item in header.split(","):
        name, _, params = item.strip().partition(";")
        if params.replace(" ", "") not in ("q=0", "q=0.0", "q=0.00", "q=0.000"):
            accepted.add(name.strip().lower())
    return frozenset(accepted)


def accepted_encodings(request):
    return parse_accept_encoding(request.headers.get("Accept-Encoding", ""))


def chosen_encoding(entry, accepted):
    """The stored encoding sent to a client accepting these codings (None: the page as rendered)."""
    return next((name for name in entry["encoded"] if name in accepted), None)


def max_age(entry, now):
    """What browsers and CDNs may keep the page for: never past the entry's own expiry."""
    return max(0, min(settings.PAGE_CACHE_MAX_AGE, int(entry["expires"] - now)))


def is_anonymous_read(request):
    return request.method in ("GET", "HEAD") and not any(name in request.COOKIES for name in BYPASS_COOKIES)


def is_public_page(request):
    match = getattr(request, "resolver_match", None)
    return match is not None and match.view_name in settings.PAGE_CACHE_URL_NAMES


def is_storable(request, response):
    if response.status_code != 200 or response.streaming or response.cookies:
        return False
    cache_control = response.get("Cache-Control", "")
    return is_public_page(request) and not any(
        word in cache_control for word in ("private", "no-cache", "no-store")
    )


def replay(entry):
    """A stored page as a response, before respond() picks its encoding and adds the validators."""
    response = HttpResponse(entry["content"], status=entry["status"])
    for name, value in entry["headers"]:
        response.headers[name] = value
    return response


def respond(request, response, entry, now):
    """The page in the best encoding the client accepts, with validators for that encoding, or a 304."""
    etag = f'"{entry["etag"]}"'
    encoding = chosen_encoding(entry, accepted_encodings(request))
    if encoding is not None:
        response.content = entry["encoded"][encoding]
        response.headers["Content-Encoding"] = encoding
        # Each encoding is a different representation, so it needs its own strong validator.
        etag = f'"{entry["etag"]}-{encoding}"'
    if entry["encoded"]:
        patch_vary_headers(response, ["Accept-Encoding"])
    response.headers["Content-Length"] = str(len(response.content))
    response.headers["ETag"] = etag
    response.headers["Last-Modified"] = http_date(entry["last_modified"])
    patch_cache_control(response, public=True, max_age=max_age(entry, now))
    return get_conditional_response(
        request, etag=etag, last_modified=entry["last_modified"], response=response
    )


class PageCacheMiddleware:
    """Serves and stores public pages for anonymous readers; adds ETag, Last-Modified, Vary and Cache-Control.

    Comes first in MIDDLEWARE, so a cache hit costs one small query and a memory lookup, and nothing else; the
    headers the security and CSP middleware add are stored with the page (for anonymous readers they never vary,
    as public pages use no CSP nonce). Static files are left to WhiteNoise. Each entry served or stored is left in
    the WSGI environ (``SERVED_ENTRY``), from which the fast path (wsgi.py) answers the same request next time
    without reaching Django.
    """

    def __init__(self, get_response):
        self.get_response = get_response
        self.static_prefix = "/" + settings.STATIC_URL.lstrip("/")

    def __call__(self, request):
        if request.path_info.startswith(self.static_prefix):
            return self.get_response(request)
        if not is_anonymous_read(request):
            response = self.get_response(request)
            if is_public_page(request):
                # A logged-in view of a public page (it may show drafts or edit links) must not reach a CDN.
                patch_cache_control(response, private=True)
            return response
        if not settings.PAGE_CACHE_SECONDS:
            return self.get_response(request)

        # The version must be read before rendering: labelling old content with a newer version would keep it.
        version = current_content_version()
        key = PAGE_KEY.format(digest=hashlib.md5(request.build_absolute_uri().encode()).hexdigest())
        now = time.time()
        entry, previous = self.lookup(key, version, now)
        if entry is not None:
            request.environ[SERVED_ENTRY] = entry
            return respond(request, replay(entry), entry, now)

        response = self.get_response(request)
        if not is_storable(request, response):
            return response
        fresh = self.record(request, response, version, previous=previous, now=now)
        if fresh["expires"] - now >= 1:
            for tier in tiers():
                tier.set(key, fresh, timeout=math.ceil(fresh["expires"] - now))
            request.environ[SERVED_ENTRY] = fresh
        return respond(request, response, fresh, now)

    def lookup(self, key, version, now):
        """(entry, None) for a current page, copied into the tiers above the one holding it; else (None, the
        outdated entry if any, whose validators an unchanged page keeps)."""
        outdated = None
        searched = []
        for tier in tiers():
            entry = tier.get(key)
            if entry is not None and entry["version"] == version and entry["expires"] > now:
                for upper in searched:
                    upper.set(key, entry, timeout=math.ceil(entry["expires"] - now))
                return entry, None
            outdated = outdated or entry
            searched.append(tier)
        return None, outdated

    def record(self, request, response, version, previous, now):
        clock_limit = settings.PAGE_CACHE_CLOCK_PAGES.get(request.resolver_match.view_name, math.inf)
        deadline = min(cache_deadline(version, now) or math.inf, now + clock_limit)
        content = response.content
        etag = hashlib.md5(content).hexdigest()
        # An unchanged page keeps its Last-Modified, so clients revalidating by date still get a 304.
        unchanged = previous is not None and previous["etag"] == etag
        bodies = {}
        if len(content) >= MIN_COMPRESSED_LENGTH and response.get("Content-Type", "").startswith(
            COMPRESSIBLE_TYPES
        ):
            bodies = {name: compress(content) for name, compress in ENCODINGS.items()}
        return {
            "version": version,
            "expires": min(now + settings.PAGE_CACHE_SECONDS, deadline),
            "etag": etag,
            "last_modified": previous["last_modified"] if unchanged else int(now),
            "status": response.status_code,
            "headers": [(name, value) for name, value in response.items() if name != "Content-Length"],
            "content": content,
            "encoded": bodies,
        }
