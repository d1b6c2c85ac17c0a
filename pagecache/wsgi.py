"""The page cache's fast path: a WSGI wrapper that answers repeated anonymous requests for cached pages from this
process's memory, without Django's request handling, middleware or database query.

    application = PageCacheFastPath(get_wsgi_application())      # newsroom/wsgi.py

It only replays what the middleware (middleware.py) produced. When the middleware serves or stores a page, it
leaves the entry in the WSGI environ; this wrapper keeps it under the raw request values the middleware's answer
depends on (scheme with the proxy's scheme header, host, script name, path, query string), so a Host that Django
refused, or a spelling of the URL it never answered, can never be served here. The next request with the same
values is answered from here when all of these hold, and otherwise goes to Django unchanged:

- GET or HEAD, carrying no cookie whose name contains the session or messages cookie's (a cheap, conservative
  check: a false alarm only costs the normal path);
- the content version is known without a query (known.py) and is the one the entry was stored under;
- the entry has not expired (its expiry already includes the next scheduled publication).

The status line, headers and body for each encoding, max-age and set of conditional headers (If-None-Match and
the rest: 304s and 412s) are made once by the middleware's own respond(), so they are the bytes Django would send.
"""

import threading
import time

from django.conf import settings
from django.http import HttpRequest

from .known import version_source
from .middleware import (
    BYPASS_COOKIES,
    SERVED_ENTRY,
    chosen_encoding,
    max_age,
    parse_accept_encoding,
    replay,
    respond,
)

CONDITIONAL_HEADERS = (
    "HTTP_IF_NONE_MATCH",
    "HTTP_IF_MODIFIED_SINCE",
    "HTTP_IF_MATCH",
    "HTTP_IF_UNMODIFIED_SINCE",
)
# Everything in the environ that Django reads to build the absolute URI the middleware keys pages by (scheme, host,
# port, script name as mod_wsgi or a proxy may give it, path, query string), whether or not the settings use it.
KEY_NAMES = (
    "wsgi.url_scheme",
    "HTTP_X_FORWARDED_PROTO",
    "HTTP_HOST",
    "HTTP_X_FORWARDED_HOST",
    "HTTP_X_FORWARDED_PORT",
    "SERVER_NAME",
    "SERVER_PORT",
    "SCRIPT_NAME",
    "SCRIPT_URL",
    "REDIRECT_URL",
    "PATH_INFO",
    "QUERY_STRING",
)
# Pages kept here, as in the local tier; the oldest is dropped first. All are dropped when the version moves.
MAX_PAGES = 500
# Distinct Accept-Encoding headers whose parse is kept (browsers send a handful).
MAX_ACCEPT_HEADERS = 256
# Answers kept per page: encodings × the max-ages of its last minute × validators clients send back.
MAX_ANSWERS = 256


class Page:
    """One entry, with the answers made from it so far, by encoding, max-age and conditional headers."""

    __slots__ = ("answers", "entry")

    def __init__(self, entry):
        self.entry = entry
        self.answers = {}

    def answer(self, encoding, age, conditions, now):
        """(status line, headers, body) as the middleware's respond() makes them for such a request."""
        made = self.answers.get((encoding, age, conditions))
        if made is None:
            request = HttpRequest()
            request.method = "GET"  # HEAD gets the same answer (the server sends no body)
            request.META["HTTP_ACCEPT_ENCODING"] = encoding or ""
            if conditions is not None:
                request.META.update(
                    (name, value)
                    for name, value in zip(CONDITIONAL_HEADERS, conditions, strict=True)
                    if value
                )
            response = respond(request, replay(self.entry), self.entry, now)
            body = response.content
            # The response holds a copy of the stored bytes: keep the entry's own instead, not a second copy.
            body = next(
                (kept for kept in (self.entry["content"], *self.entry["encoded"].values()) if kept == body),
                body,
            )
            made = (f"{response.status_code} {response.reason_phrase}", list(response.items()), body)
            # Validators come from clients, so there could be any number: keep a few (clients send back the ones
            # they were given), answer the rest without keeping them.
            if len(self.answers) < MAX_ANSWERS:
                self.answers[(encoding, age, conditions)] = made
        return made


class PageCacheFastPath:
    def __init__(self, application, versions=None):
        self.application = application
        self.versions = (
            versions if versions is not None else (version_source() if settings.PAGE_CACHE_SECONDS else None)
        )
        self.key_names = KEY_NAMES
        if getattr(settings, "SECURE_PROXY_SSL_HEADER", None):
            self.key_names += (settings.SECURE_PROXY_SSL_HEADER[0],)
        self.bypass_cookies = BYPASS_COOKIES
        self.pages = {}
        self.pages_version = None
        self.accepted = {}
        self.lock = threading.Lock()

    def __call__(self, environ, start_response):
        method = environ.get("REQUEST_METHOD")
        if self.versions is None or (method != "GET" and method != "HEAD"):
            return self.application(environ, start_response)
        cookie = environ.get("HTTP_COOKIE")
        if cookie and any(name in cookie for name in self.bypass_cookies):
            return self.application(environ, start_response)
        conditions = None
        if (
            "HTTP_IF_NONE_MATCH" in environ
            or "HTTP_IF_MODIFIED_SINCE" in environ
            or "HTTP_IF_MATCH" in environ
            or "HTTP_IF_UNMODIFIED_SINCE" in environ
        ):
            conditions = tuple(map(environ.get, CONDITIONAL_HEADERS))

        key = tuple(map(environ.get, self.key_names))
        version = self.versions.current()
        if version is not None:
            if version != self.pages_version:
                self.forget(version)
            page = self.pages.get(key)
            if page is not None:
                now = time.time()
                entry = page.entry
                if entry["expires"] > now:
                    header = environ.get("HTTP_ACCEPT_ENCODING", "")
                    accepted = self.accepted.get(header)
                    if accepted is None:
                        accepted = self.accept(header)
                    status, headers, body = page.answer(
                        chosen_encoding(entry, accepted), max_age(entry, now), conditions, now
                    )
                    start_response(status, list(headers))
                    return [body]

        response = self.application(environ, start_response)
        entry = environ.get(SERVED_ENTRY)
        if entry is not None and version is not None and entry["version"] == version:
            self.keep(key, entry, version)
        return response

    def forget(self, version):
        with self.lock:
            self.pages = {}
            self.pages_version = version

    def keep(self, key, entry, version):
        with self.lock:
            if version != self.pages_version:
                return
            if len(self.pages) >= MAX_PAGES:
                del self.pages[next(iter(self.pages))]
            self.pages[key] = Page(entry)

    def accept(self, header):
        accepted = parse_accept_encoding(header)
        if len(self.accepted) >= MAX_ACCEPT_HEADERS:
            self.accepted = {}
        self.accepted[header] = accepted
        return accepted
