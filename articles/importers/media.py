"""Images named by imported stories, fetched into our media storage (``import_articles --fetch-media``).

Runs between parsing and saving, outside any database transaction, so a slow server never holds one open.

Fetching follows the rules of a server that takes addresses from strangers (an export names any URL it likes):

- only ``http`` and ``https``; at most MAX_REDIRECTS redirects, each one checked again from the start;
- the host name is resolved once, every address it resolves to is checked, and the connection goes to a checked
  address (the TLS certificate is still verified against the name), so DNS rebinding cannot swap in another;
- loopback, private, link-local, shared, reserved, multicast and unspecified addresses are refused, and cloud
  metadata addresses always, unless the address is in ``IMPORT_MEDIA_ALLOWED_NETWORKS`` (empty by default; the
  tests allow 127.0.0.1/32 for their local server, a desk may allow the network of its own WordPress);
- ``IMPORT_MEDIA_TIMEOUT`` seconds to connect and for each wait on the server, TOTAL_TIMEOUTS times that for the
  whole download; the body is streamed and given up as soon as it passes ``IMAGE_MAX_UPLOAD_BYTES``;
- the bytes then pass the very checks an upload does (``articles.images.inspect_image``: a real JPEG, PNG, WebP
  or GIF, within the pixel limit, no decompression bomb) and are stored clean (``clean_copy``).

A featured image becomes the story's hero image (stored and given renditions as an upload is). An image in the
body is stored once per content as ``imports/<sha256>.<ext>`` and its ``src`` rewritten to that file's URL, with
its width and height. An image that cannot be fetched never costs the story: the story is imported, the remote
``src`` stays (the CSP allows ``https:`` images), and the report carries a ``path:item: image URL: reason`` line.
"""

import contextlib
import hashlib
import html
import http.client
import ipaddress
import re
import socket
import ssl
import threading
import time
from dataclasses import dataclass
from urllib.parse import unquote, urljoin, urlsplit

from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.files.base import ContentFile
from django.core.files.storage import default_storage
from django.template.defaultfilters import filesizeformat

from ..images import clean_copy, inspect_image, max_upload_bytes
from ..sanitize import clean_html

MAX_REDIRECTS = 3
TOTAL_TIMEOUTS = 6  # a whole download may take this many IMPORT_MEDIA_TIMEOUTs
FOLDER = "imports"
USER_AGENT = "Newsroom-importer/1 (fetching the images of stories being imported)"
REDIRECTS = {301, 302, 303, 307, 308}
# Where clouds answer with instance credentials: never fetched, whatever IMPORT_MEDIA_ALLOWED_NETWORKS says.
METADATA_ADDRESSES = {
    ipaddress.ip_address(address)
    for address in ("169.254.169.254", "169.254.170.2", "100.100.100.200", "fd00:ec2::254")
}
# What nh3 writes (clean_html runs first): double-quoted attributes, `"` escaped inside them.
IMAGE_TAG = re.compile(r"<img\b[^>]*>")
SRC = re.compile(r'\ssrc="([^"]*)"')
URL = re.compile(r"^[a-z][a-z0-9+.-]*://", re.IGNORECASE)


class MediaError(Exception):
    """Why one image was not fetched, in words for the report."""


@dataclass(frozen=True)
class Fetched:
    """An image fetched and checked: the bytes to store (already clean) and what the page needs to know."""

    url: str
    name: str  # a file name for it, from the URL, with the extension of its real type
    data: bytes
    width: int
    height: int

    @property
    def stored_name(self):
        """Where a body image is kept: named by its content, so the same picture is stored once."""
        return f"{FOLDER}/{hashlib.sha256(self.data).hexdigest()}.{self.name.rsplit('.', 1)[-1]}"


class MediaFetcher:
    """Fetches the images of stories; with ``store`` off (a dry run) nothing is written.

    Each URL is tried once per run. What is remembered is small: the reason a URL failed, or where a body image
    was stored. A featured image's bytes stay with its story only until the story is saved."""

    def __init__(self, store=True, storage=None):
        self.store = store
        self.storage = storage or default_storage
        self._failed = {}  # URL → MediaError
        self._stored = {}  # URL of a body image → (URL of our copy, width, height)

    def apply(self, story):
        """Fetch the story's featured and body images and point the story at our copies; returns the warnings,
        one ``path:item: …`` line per image that could not be fetched (the story keeps what it had)."""
        warnings = []
        if URL.match(story.hero_image):
            # A JSON story may name its hero image by URL: fetched like a featured image, never read as a path.
            story.hero_image_url, story.hero_image = story.hero_image, ""
        if story.hero_image_url:
            try:
                fetched = self.fetch(story.hero_image_url)
                story.hero_fetched = (fetched.name, fetched.data)
            except MediaError as error:
                warnings.append(
                    f"{story.location}: featured image {story.hero_image_url}: {error}; "
                    "the story is imported without it"
                )
        if "<img" in story.body:
            story.body = IMAGE_TAG.sub(
                lambda match: self._local_image(match[0], story, warnings), clean_html(story.body)
            )
        return warnings

    def fetch(self, url):
        """A Fetched, or the MediaError this URL gave before or gives now."""
        if url in self._failed:
            raise self._failed[url]
        try:
            return fetch_image(url)
        except MediaError as error:
            self._failed[url] = error
            raise

    def _local_image(self, tag, story, warnings):
        """The <img> tag pointing at our stored copy; the tag as it was if the image cannot be fetched."""
        found = SRC.search(tag)
        if not found:
            return tag
        url = html.unescape(found[1])
        if story.source_url:
            url = urljoin(story.source_url, url)  # WordPress may write /wp-content/… for its own files
        if urlsplit(url).scheme not in ("http", "https"):
            return tag  # a relative path with no page to resolve it against stays as it is
        if url not in self._stored:
            try:
                fetched = self.fetch(url)
            except MediaError as error:
                kept = "the remote image is kept"
                if url.startswith("http:"):
                    kept += " (an http: address: browsers load it over https or not at all)"
                warnings.append(f"{story.location}: image {url}: {error}; {kept}")
                # Absolute, so a site-relative address keeps naming the remote file rather than one of ours.
                return _with_src(tag, found, url)
            name = fetched.stored_name
            if self.store and not self.storage.exists(name):
                name = self.storage.save(name, ContentFile(fetched.data))
            self._stored[url] = (self.storage.url(name), fetched.width, fetched.height)
        local, width, height = self._stored[url]
        tag = _with_src(tag, found, local)
        if " width=" not in tag and " height=" not in tag:
            # Without them the column jumps as each image arrives.
            tag = f'{tag[:-1].rstrip("/").rstrip()} width="{width}" height="{height}">'
        return tag


def _with_src(tag, found, url):
    """The <img> tag with the src attribute that `found` matched replaced by `url`."""
    return f'{tag[: found.start()]} src="{html.escape(url)}"{tag[found.end() :]}'


def fetch_image(url):
    """Download `url` under the rules above and check it as an upload; a Fetched, or MediaError saying why not."""
    data, final_url = download(url)
    stem = unquote(urlsplit(final_url).path.rsplit("/", 1)[-1]).rsplit(".", 1)[0] or "image"
    try:
        image = inspect_image(ContentFile(data), "The file")
        width, height = image.size
        clean, extension = clean_copy(image, data)
    except ValidationError as error:
        raise MediaError(_sentence(error.messages[0])) from None
    return Fetched(url=final_url, name=f"{stem[:80]}.{extension}", data=clean, width=width, height=height)


def download(url):
    """The body of `url` and the URL it finally came from, following at most MAX_REDIRECTS redirects."""
    timeout = settings.IMPORT_MEDIA_TIMEOUT
    total = timeout * TOTAL_TIMEOUTS
    deadline = time.monotonic() + total
    for _hop in range(MAX_REDIRECTS + 1):
        connection, target = _connection(url, timeout)
        watchdog = Watchdog(connection, deadline - time.monotonic())
        try:
            location, data = _get(connection, target)
        except TimeoutError:
            raise MediaError(f"the server did not answer within {timeout:g} seconds") from None
        except (OSError, http.client.HTTPException) as error:
            if watchdog.expired:
                raise MediaError(f"the download took longer than {total:g} seconds") from None
            raise MediaError(f"the download failed ({type(error).__name__}: {error})") from None
        finally:
            watchdog.stop()
            connection.close()
        if watchdog.expired:
            raise MediaError(f"the download took longer than {total:g} seconds")
        if location is None:
            return data, url
        url = urljoin(url, location)
    raise MediaError(f"more than {MAX_REDIRECTS} redirects")


def _get(connection, target):
    """(where a redirect points, None) or (None, the body of a 200 answer)."""
    connection.request(
        "GET", target, headers={"User-Agent": USER_AGENT, "Accept": "image/*", "Accept-Encoding": "identity"}
    )
    response = connection.getresponse()
    if response.status in REDIRECTS:
        location = (response.getheader("Location") or "").strip()
        if not location:
            raise MediaError(f"the server redirected ({response.status}) without saying where to")
        return location, None
    if response.status != 200:
        raise MediaError(f"the server answered {response.status} {response.reason}".rstrip())
    limit = max_upload_bytes()
    too_large = f"larger than {filesizeformat(limit)}, the most an image may be"
    length = response.getheader("Content-Length", "")
    if length.isdigit() and int(length) > limit:
        raise MediaError(f"the file is {filesizeformat(int(length))}, {too_large}")
    chunks, size = [], 0
    while chunk := response.read1(65536):
        size += len(chunk)
        if size > limit:
            raise MediaError(f"the file is {too_large}")
        chunks.append(chunk)
    return None, b"".join(chunks)


class Watchdog:
    """Cuts a connection once the whole download has taken too long, wherever it is waiting: a socket timeout
    only bounds each wait, and a server sending a byte at a time (headers included) never trips it."""

    def __init__(self, connection, seconds):
        self.expired = False
        self._timer = threading.Timer(max(seconds, 0), self._cut, args=(connection,))
        self._timer.daemon = True
        self._timer.start()

    def _cut(self, connection):
        self.expired = True
        # The socket as opened: http.client forgets its own once a response that closes the connection has begun.
        if connection.opened is not None:
            with contextlib.suppress(OSError):
                # Wakes the importing thread from recv() at once; close() from another thread would not.
                connection.opened.shutdown(socket.SHUT_RDWR)

    def stop(self):
        self._timer.cancel()


def _connection(url, timeout):
    """An unopened connection to a checked address of the URL's host, and the request target (path and query)."""
    try:
        parts = urlsplit(url)
        port = parts.port
    except ValueError as error:
        raise MediaError(f"not a valid address ({error})") from None
    if parts.scheme not in ("http", "https"):
        raise MediaError(f"a {parts.scheme or 'relative'}: address; only http and https images are fetched")
    if not parts.hostname:
        raise MediaError("the address names no host")
    port = port or (443 if parts.scheme == "https" else 80)
    addresses = checked_addresses(parts.hostname, port)
    kind = PinnedHTTPSConnection if parts.scheme == "https" else PinnedHTTPConnection
    target = (parts.path or "/") + (f"?{parts.query}" if parts.query else "")
    return kind(parts.hostname, port, addresses, timeout), target


def checked_addresses(host, port):
    """Every address `host` resolves to, or MediaError if any of them is one we never fetch from."""
    try:
        found = socket.getaddrinfo(host, port, type=socket.SOCK_STREAM)
    except (socket.gaierror, UnicodeError) as error:
        raise MediaError(f"the host {host} could not be found ({error})") from None
    addresses = list(dict.fromkeys(info[4][0].split("%")[0] for info in found))
    for address in addresses:
        if reason := refusal(ipaddress.ip_address(address)):
            # A name with any internal address is an internal name: refused whole, not tried elsewhere.
            raise MediaError(f"{host} is at {address}, {reason}: refused")
    return addresses


def refusal(address):
    """Why we never connect to `address` (in words), or None when it is a public address or an allowed one."""
    if address.version == 6 and address.ipv4_mapped:
        address = address.ipv4_mapped
    if address in METADATA_ADDRESSES:
        return "a cloud metadata address"
    if any(address in network for network in allowed_networks()):
        return None
    for test, words in (
        ("is_loopback", "a loopback address"),
        ("is_link_local", "a link-local address"),
        ("is_multicast", "a multicast address"),
        ("is_unspecified", "an unspecified address"),
        ("is_reserved", "a reserved address"),
        ("is_private", "a private address"),
    ):
        if getattr(address, test):
            return words
    if not address.is_global:
        return "not a public address"
    return None


def allowed_networks():
    return [ipaddress.ip_network(network) for network in settings.IMPORT_MEDIA_ALLOWED_NETWORKS]


def _open_socket(addresses, port, timeout):
    error = None
    for address in addresses:
        try:
            return socket.create_connection((address, port), timeout)
        except OSError as failure:
            error = failure
    if isinstance(error, TimeoutError):
        raise error
    raise MediaError(f"could not connect ({error})")


class PinnedHTTPConnection(http.client.HTTPConnection):
    """Talks to the host named in the URL (Host header), but connects only to addresses checked beforehand."""

    def __init__(self, host, port, addresses, timeout):
        super().__init__(host, port, timeout=timeout)
        self.addresses, self.opened = addresses, None

    def connect(self):
        self.sock = self.opened = _open_socket(self.addresses, self.port, self.timeout)


class PinnedHTTPSConnection(http.client.HTTPSConnection):
    """As PinnedHTTPConnection, over TLS verified against the host name, not the address."""

    def __init__(self, host, port, addresses, timeout):
        self.tls = ssl.create_default_context()
        super().__init__(host, port, timeout=timeout, context=self.tls)
        self.addresses, self.opened = addresses, None

    def connect(self):
        sock = _open_socket(self.addresses, self.port, self.timeout)
        # wrap_socket takes over the plain socket's descriptor: the TLS one is what the watchdog must cut.
        self.sock = self.opened = self.tls.wrap_socket(sock, server_hostname=self.host)


def _sentence(message):
    return message[:1].lower() + message[1:].rstrip(".")
