"""import_articles --fetch-media: images fetched from a real local HTTP server under the rules of
articles/importers/media.py (schemes, addresses, limits, timeouts, redirects), and what a story keeps when one fails.

The server runs in a thread on 127.0.0.1, which the fetcher refuses like any loopback address unless the
test allows it through IMPORT_MEDIA_ALLOWED_NETWORKS (the `allowed` fixture)."""

import http.server
import io
import ipaddress
import json
import shutil
import ssl
import subprocess
import threading
import time
from functools import partial
from pathlib import Path
from urllib.parse import parse_qs, urlsplit

import pytest
from django.core.files.storage import default_storage
from django.db import connections
from PIL import Image

from articles.importers.media import (
    MAX_REDIRECTS,
    MediaError,
    PinnedHTTPConnection,
    fetch_image,
    refusal,
)
from articles.models import Article

from .external import unavailable
from .factories import ArticleFactory
from .image_files import decompression_bomb_png, encode, noise_png, two_tone
from .importing import Run, row_counts

TIMEOUT = 0.5
# Not under fixtures/import, which tests import whole: this export only makes sense with its server.
MEDIA_FIXTURES = Path(__file__).parent / "fixtures" / "media"


class ImageHandler(http.server.SimpleHTTPRequestHandler):
    """Files from the site folder, plus the misbehaviours a fetcher must survive, by path."""

    def trickle(self, byte):
        """One byte every 0.2 s, for up to 10 s or until the test is over."""
        for _ in range(50):
            if self.server.release.wait(0.2):
                break
            self.wfile.write(byte)
            self.wfile.flush()

    def do_GET(self):
        self.server.requests.append((self.path, self.headers.get("Host")))
        if self.server.watched is not None:
            # How deep in transactions the importing thread is while it waits for this answer.
            self.server.depths.append(len(self.server.watched.atomic_blocks))
        path, query = urlsplit(self.path).path, parse_qs(urlsplit(self.path).query)
        if path == "/redirect":
            self.send_response(302)
            self.send_header("Location", query["to"][0])
            self.send_header("Content-Length", "0")
            self.end_headers()
        elif path == "/loop":
            hops = int(query.get("n", ["0"])[0])
            self.send_response(301)
            self.send_header("Location", f"/loop?n={hops + 1}")
            self.send_header("Content-Length", "0")
            self.end_headers()
        elif path == "/stall":
            self.server.release.wait(10)  # answers nothing until the test is over
        elif path == "/trickle":
            self.send_response(200)
            self.end_headers()
            self.trickle(b"\x89")
        elif path == "/slow-headers":
            self.wfile.write(b"HTTP/1.1 200 OK\r\nX-Slow: ")
            self.trickle(b"z")
        elif path == "/endless":
            # No Content-Length: only counting the bytes as they come stops this.
            self.send_response(200)
            self.send_header("Content-Type", "image/png")
            self.end_headers()
            try:
                while not self.server.release.is_set():
                    self.wfile.write(b"\x00" * 65536)
            except OSError:
                pass
        else:
            super().do_GET()

    def log_message(self, *args):
        pass


@pytest.fixture
def server(tmp_path):
    """A real HTTP server on 127.0.0.1 serving tmp_path/site; `url(path)` gives an address on it."""
    site = tmp_path / "site" / "uploads"
    site.mkdir(parents=True)
    httpd = http.server.ThreadingHTTPServer(
        ("127.0.0.1", 0), partial(ImageHandler, directory=str(tmp_path / "site"))
    )
    httpd.daemon_threads, httpd.block_on_close = True, False
    httpd.requests, httpd.release = [], threading.Event()
    httpd.watched, httpd.depths = None, []
    httpd.site = site
    httpd.address = f"127.0.0.1:{httpd.server_address[1]}"
    httpd.url = lambda path: f"http://{httpd.address}{path}"
    thread = threading.Thread(target=httpd.serve_forever, kwargs={"poll_interval": 0.05}, daemon=True)
    thread.start()
    (site / "reef.png").write_bytes(encode(two_tone((120, 80)), "PNG"))
    (site / "diver.jpg").write_bytes(encode(two_tone((300, 200)), "JPEG", quality=85))
    (site / "not-a-photo.jpg").write_bytes(b"<!doctype html><title>Log in</title><p>Please log in.")
    (site / "bomb.png").write_bytes(decompression_bomb_png())
    (site / "noise.png").write_bytes(noise_png((200, 200)))
    yield httpd
    httpd.release.set()
    httpd.shutdown()
    httpd.server_close()


@pytest.fixture
def allowed(settings):
    """The test-only allowance: the local server may be fetched from. Short timeouts, so stalls end quickly."""
    settings.IMPORT_MEDIA_ALLOWED_NETWORKS = ["127.0.0.1/32"]
    settings.IMPORT_MEDIA_TIMEOUT = TIMEOUT


def refused_because(url):
    with pytest.raises(MediaError) as caught:
        fetch_image(url)
    return str(caught.value)


class TestAddresses:
    @pytest.mark.parametrize(
        ("address", "reason"),
        [
            ("127.0.0.1", "a loopback address"),
            ("::1", "a loopback address"),
            ("::ffff:127.0.0.1", "a loopback address"),  # IPv4-mapped IPv6 is judged as the IPv4 address
            ("10.1.2.3", "a private address"),
            ("172.16.0.1", "a private address"),
            ("192.168.1.1", "a private address"),
            ("fd12:3456::1", "a private address"),
            ("169.254.169.254", "a cloud metadata address"),
            ("fd00:ec2::254", "a cloud metadata address"),
            ("169.254.10.10", "a link-local address"),
            ("fe80::1", "a link-local address"),
            ("224.0.0.251", "a multicast address"),
            ("ff02::1", "a multicast address"),
            ("0.0.0.0", "an unspecified address"),
            ("240.0.0.1", "a reserved address"),
            ("100.64.0.1", "not a public address"),  # carrier-grade NAT, shared address space
            ("192.0.2.1", "a private address"),  # documentation range
            ("8.8.8.8", None),
            ("2606:4700:4700::1111", None),
        ],
    )
    def test_refused_unless_public(self, address, reason):
        assert refusal(ipaddress.ip_address(address)) == reason

    def test_allowance_opens_only_its_networks(self, settings):
        settings.IMPORT_MEDIA_ALLOWED_NETWORKS = ["127.0.0.1/32", "169.254.0.0/16"]
        assert refusal(ipaddress.ip_address("127.0.0.1")) is None
        assert refusal(ipaddress.ip_address("127.0.0.2")) == "a loopback address"
        assert refusal(ipaddress.ip_address("169.254.10.10")) is None
        # Cloud credentials are never an image, whatever the allowance says.
        assert refusal(ipaddress.ip_address("169.254.169.254")) == "a cloud metadata address"

    def test_the_allowance_is_empty_by_default(self):
        from newsroom import settings as project_settings

        assert project_settings.IMPORT_MEDIA_ALLOWED_NETWORKS == []


class TestFetching:
    @pytest.mark.parametrize(
        "url", ["ftp://127.0.0.1/reef.png", "file:///etc/passwd", "gopher://127.0.0.1/", "//127.0.0.1/x.png"]
    )
    def test_only_http_and_https(self, allowed, url):
        assert "only http and https images are fetched" in refused_because(url)

    def test_loopback_refused_without_the_allowance(self, server, settings):
        settings.IMPORT_MEDIA_TIMEOUT = TIMEOUT
        reason = refused_because(server.url("/uploads/reef.png"))
        assert reason == "127.0.0.1 is at 127.0.0.1, a loopback address: refused"
        assert server.requests == []  # refused before connecting

    def test_a_name_is_judged_by_every_address_it_resolves_to(self, server, settings):
        settings.IMPORT_MEDIA_TIMEOUT = TIMEOUT
        port = server.server_address[1]
        reason = refused_because(f"http://localhost:{port}/uploads/reef.png")
        assert reason.startswith("localhost is at ") and reason.endswith("a loopback address: refused")
        assert server.requests == []

    def test_an_image_within_the_allowance(self, server, allowed):
        fetched = fetch_image(server.url("/uploads/reef.png"))
        assert (fetched.width, fetched.height, fetched.name) == (120, 80, "reef.png")
        assert Image.open(io.BytesIO(fetched.data)).format == "PNG"
        assert fetched.stored_name.startswith("imports/") and fetched.stored_name.endswith(".png")

    def test_connects_to_the_address_it_checked_not_a_new_lookup(self, server):
        """DNS rebinding: the name is never resolved again; the Host header still names it."""
        connection = PinnedHTTPConnection(
            "images.example.invalid", server.server_address[1], ["127.0.0.1"], 2
        )
        connection.request("GET", "/uploads/reef.png")
        assert connection.getresponse().status == 200
        connection.close()
        assert server.requests[-1][1] == f"images.example.invalid:{server.server_address[1]}"

    def test_too_large_by_its_length(self, server, allowed, settings):
        settings.IMAGE_MAX_UPLOAD_BYTES = 10_000
        reason = refused_because(server.url("/uploads/noise.png"))
        assert reason.startswith("the file is 117.") and "larger than 9.8\xa0KB" in reason

    def test_too_large_while_streaming(self, server, allowed, settings):
        settings.IMAGE_MAX_UPLOAD_BYTES = 200_000
        started = time.monotonic()
        assert refused_because(server.url("/endless")).startswith("the file is larger than 195.3")
        assert time.monotonic() - started < 5

    def test_not_an_image(self, server, allowed):
        reason = refused_because(server.url("/uploads/not-a-photo.jpg"))
        assert reason.startswith("the file is not an image: its contents are not JPEG, PNG, WebP or GIF")

    def test_decompression_bomb(self, server, allowed):
        assert "decompression bomb" in refused_because(server.url("/uploads/bomb.png"))

    def test_a_server_that_stalls(self, server, allowed):
        started = time.monotonic()
        assert refused_because(server.url("/stall")) == "the server did not answer within 0.5 seconds"
        assert time.monotonic() - started < 3

    def test_a_server_that_trickles(self, server, allowed):
        """Each byte comes within the timeout, but the whole download has a deadline too."""
        started = time.monotonic()
        assert refused_because(server.url("/trickle")) == "the download took longer than 3 seconds"
        assert time.monotonic() - started < 6

    def test_a_server_that_trickles_its_headers(self, server, allowed):
        started = time.monotonic()
        assert refused_because(server.url("/slow-headers")) == "the download took longer than 3 seconds"
        assert time.monotonic() - started < 6

    def test_404(self, server, allowed):
        assert refused_because(server.url("/uploads/gone.png")) == "the server answered 404 File not found"

    def test_redirects_are_followed(self, server, allowed):
        fetched = fetch_image(server.url(f"/redirect?to={server.url('/uploads/reef.png')}"))
        assert fetched.url == server.url("/uploads/reef.png") and fetched.width == 120

    @pytest.mark.parametrize(
        ("target", "reason"),
        [
            (
                "http://127.0.0.2:{port}/uploads/reef.png",
                "127.0.0.2 is at 127.0.0.2, a loopback address: refused",
            ),
            ("http://10.0.0.7/chart.png", "10.0.0.7 is at 10.0.0.7, a private address: refused"),
            ("http://169.254.169.254/latest/meta-data/", "a cloud metadata address: refused"),
            ("file:///etc/passwd", "a file: address; only http and https images are fetched"),
        ],
    )
    def test_every_redirect_is_checked_again(self, server, allowed, target, reason):
        target = target.format(port=server.server_address[1])
        assert reason in refused_because(server.url(f"/redirect?to={target}"))
        assert [path for path, _host in server.requests] == [f"/redirect?to={target}"]

    def test_a_few_redirects_at_most(self, server, allowed):
        assert refused_because(server.url("/loop")) == f"more than {MAX_REDIRECTS} redirects"
        assert len(server.requests) == MAX_REDIRECTS + 1


@pytest.fixture
def tls_server(server, tmp_path):
    """The same files over HTTPS, with a self-signed certificate for the name localhost (made by openssl)."""
    if not shutil.which("openssl"):
        unavailable("the HTTPS tests make their certificate with the openssl program")
    cert, key = tmp_path / "cert.pem", tmp_path / "key.pem"
    subprocess.run(
        ["openssl", "req", "-x509", "-newkey", "rsa:2048", "-nodes", "-days", "2", "-subj", "/CN=localhost",
         "-addext", "subjectAltName=DNS:localhost", "-keyout", key, "-out", cert],
        check=True, capture_output=True,
    )  # fmt: skip
    httpsd = http.server.ThreadingHTTPServer(("127.0.0.1", 0), server.RequestHandlerClass)
    context = ssl.SSLContext(ssl.PROTOCOL_TLS_SERVER)
    context.load_cert_chain(cert, key)
    httpsd.socket = context.wrap_socket(httpsd.socket, server_side=True)
    httpsd.daemon_threads, httpsd.block_on_close = True, False
    httpsd.requests, httpsd.release, httpsd.watched = [], server.release, None
    httpsd.cert, httpsd.port = cert, httpsd.server_address[1]
    threading.Thread(target=httpsd.serve_forever, kwargs={"poll_interval": 0.05}, daemon=True).start()
    yield httpsd
    httpsd.shutdown()
    httpsd.server_close()


class TestHTTPS:
    """The connection is pinned to the checked address, but TLS is still verified against the URL's name."""

    @pytest.fixture(autouse=True)
    def _local_names(self, allowed, settings):
        settings.IMPORT_MEDIA_ALLOWED_NETWORKS = ["127.0.0.1/32", "::1/128"]  # localhost, however it resolves

    def test_a_trusted_certificate_for_the_name(self, tls_server, monkeypatch):
        monkeypatch.setenv("SSL_CERT_FILE", str(tls_server.cert))
        fetched = fetch_image(f"https://localhost:{tls_server.port}/uploads/reef.png")
        assert fetched.width == 120
        assert tls_server.requests == [("/uploads/reef.png", f"localhost:{tls_server.port}")]

    def test_a_server_that_trickles_over_tls(self, tls_server, monkeypatch):
        monkeypatch.setenv("SSL_CERT_FILE", str(tls_server.cert))
        started = time.monotonic()
        reason = refused_because(f"https://localhost:{tls_server.port}/trickle")
        assert reason == "the download took longer than 3 seconds"
        assert time.monotonic() - started < 6

    def test_an_untrusted_certificate(self, tls_server):
        reason = refused_because(f"https://localhost:{tls_server.port}/uploads/reef.png")
        assert "SSLCertVerificationError" in reason and "self-signed certificate" in reason

    def test_a_certificate_for_another_name(self, tls_server, monkeypatch):
        monkeypatch.setenv("SSL_CERT_FILE", str(tls_server.cert))
        reason = refused_because(f"https://127.0.0.1:{tls_server.port}/uploads/reef.png")
        assert "SSLCertVerificationError" in reason and "mismatch" in reason


def wordpress_site(server, tmp_path):
    """The WXR fixture, pointing at the test server."""
    text = (MEDIA_FIXTURES / "reef-notes.wordpress.xml").read_text().replace("SERVER", server.address)
    path = tmp_path / "reef-notes.xml"
    path.write_text(text)
    return path


def stored_imports():
    return sorted(default_storage.listdir("imports")[1]) if default_storage.exists("imports") else []


@pytest.mark.django_db
class TestImportWithFetchMedia:
    @pytest.fixture
    def export(self, server, tmp_path, allowed):
        return wordpress_site(server, tmp_path)

    @pytest.fixture
    def run(self, export):
        run = Run("--fetch-media", export)
        assert run.ok, run.err
        return run

    def test_featured_image_becomes_the_hero_with_its_alt_and_caption(self, run):
        story = Article.objects.get(slug="corals-glow")
        assert story.hero_image.name.startswith("heroes/") and story.hero_image.name.endswith("diver.jpg")
        assert story.hero_alt == "A diver with a torch above branching coral"
        assert story.hero_caption == "A diver over the reef at dawn."
        # Renditions come as for an upload (the test settings run background tasks at once).
        assert story.hero_picture is not None
        assert "/renditions/heroes/" in story.hero_picture.fallback_url

    def test_body_images_point_at_one_stored_copy(self, run, server):
        [name] = stored_imports()
        local = default_storage.url(f"imports/{name}")
        corals = Article.objects.get(slug="corals-glow").body
        urchins = Article.objects.get(slug="urchins-return").body
        assert corals.count(f'src="{local}"') == 2  # absolute and site-relative addresses of one file
        assert f'<img src="{local}" alt="The reef they graze" width="120" height="80">' in urchins
        fetched = [path for path, _host in server.requests if path == "/uploads/reef.png"]
        assert fetched == ["/uploads/reef.png"]  # once per run, however many stories use it

    def test_a_failed_image_keeps_the_story_and_its_remote_src_and_says_so(self, run, export, server):
        assert run.row("wxr") == {"created": 2, "updated": 0, "skipped": 0, "failed": 0}
        corals = Article.objects.get(slug="corals-glow")
        assert f'src="{server.url("/uploads/missing.png")}"' in corals.body
        assert 'src="http://10.0.0.7/chart.png"' in corals.body
        # A site-relative address is made absolute, or it would name a file on our site.
        assert f'src="{server.url("/uploads/lost.png")}"' in corals.body
        assert corals.is_public and [a.name for a in corals.byline_authors] == ["Mira Osei"]
        http_only = "the remote image is kept (an http: address: browsers load it over https or not at all)"
        assert run.errors == [
            f"{export}:item 1 (post 30): image {server.url('/uploads/missing.png')}: the server answered 404 "
            f"File not found; {http_only}",
            f"{export}:item 1 (post 30): image http://10.0.0.7/chart.png: 10.0.0.7 is at 10.0.0.7, a private "
            f"address: refused; {http_only}",
            f"{export}:item 1 (post 30): image {server.url('/uploads/lost.png')}: the server answered 404 "
            f"File not found; {http_only}",
            f"{export}:item 2 (post 33): featured image {server.url('/uploads/not-a-photo.jpg')}: the file is not "
            "an image: its contents are not JPEG, PNG, WebP or GIF, whatever its name says; the story is "
            "imported without it",
        ]
        urchins = Article.objects.get(slug="urchins-return")
        assert urchins.is_public and not urchins.hero_image and "Divers counted" in urchins.body

    def test_importing_again_fetches_nothing_and_changes_nothing(self, run, export, server):
        rows, files, requests = row_counts(), stored_imports(), len(server.requests)
        again = Run("--fetch-media", export)
        assert again.row("wxr") == {"created": 0, "updated": 0, "skipped": 2, "failed": 0}
        assert len(server.requests) == requests  # stories already imported are not fetched for
        updated = Run("--fetch-media", "--update", export)
        assert updated.row("wxr")["updated"] == 0, updated.out
        assert (row_counts(), stored_imports()) == (rows, files)

    def test_update_retries_what_failed(self, run, export, server):
        (server.site / "not-a-photo.jpg").write_bytes(encode(two_tone((90, 60)), "JPEG", quality=85))
        (server.site / "missing.png").write_bytes(encode(two_tone((40, 40)), "PNG"))
        again = Run("--fetch-media", "--update", export)
        assert again.row("wxr")["updated"] == 2, again.err
        assert Article.objects.get(slug="urchins-return").hero_image
        assert "/uploads/missing.png" not in Article.objects.get(slug="corals-glow").body
        assert len(stored_imports()) == 2

    def test_an_image_gone_from_the_web_leaves_ours_alone(self, run, export, server):
        (server.site / "diver.jpg").unlink()
        before = Article.objects.get(slug="corals-glow")
        again = Run("--fetch-media", "--update", export)
        assert again.row("wxr")["updated"] == 0 and "diver.jpg: the server answered 404" in again.err
        after = Article.objects.get(slug="corals-glow")
        assert (after.hero_image.name, after.hero_alt, after.hero_caption) == (
            before.hero_image.name,
            "A diver with a torch above branching coral",
            "A diver over the reef at dawn.",
        )

    def test_images_are_fetched_before_any_transaction_of_the_import_opens(self, export, server):
        """Parse, fetch, save: a slow image server must not hold a database transaction open."""
        server.watched = connections["default"]  # this thread's connection, not the per-thread proxy
        outside = len(server.watched.atomic_blocks)  # the test's own transaction
        assert Run("--fetch-media", export).ok
        assert len(server.depths) == 5 and set(server.depths) == {outside}

    def test_dry_run_fetches_and_checks_but_stores_nothing(self, export):
        run = Run("--fetch-media", "--dry-run", export)
        assert run.ok and "missing.png: the server answered 404" in run.err
        assert Article.objects.count() == 0 and stored_imports() == []
        assert not default_storage.exists("heroes")


@pytest.mark.django_db
class TestOtherFormats:
    def test_json_hero_image_by_url(self, server, allowed, tmp_path):
        stories = [
            {
                "headline": "Kelp forests recover",
                "hero_image": server.url("/uploads/diver.jpg"),
                "hero_alt": "A diver",
            },
            {"headline": "Seagrass spreads north", "hero_image": server.url("/uploads/gone.jpg")},
        ]
        path = tmp_path / "stories.json"
        path.write_text(json.dumps(stories))
        run = Run("--fetch-media", path)
        assert run.row("json") == {"created": 2, "updated": 0, "skipped": 0, "failed": 0}, run.err
        assert Article.objects.get(headline="Kelp forests recover").hero_image.name.endswith("diver.jpg")
        assert not Article.objects.get(headline="Seagrass spreads north").hero_image
        assert (
            f"{path}:item 2: featured image {server.url('/uploads/gone.jpg')}: the server answered 404"
            in run.err
        )

    def test_json_hero_image_by_url_needs_the_flag(self, server, allowed, tmp_path):
        path = tmp_path / "stories.json"
        path.write_text(json.dumps({"headline": "Kelp", "hero_image": server.url("/uploads/diver.jpg")}))
        run = Run(path)
        assert not run.ok and "is a URL; images are only taken from the import's folder" in run.err
        assert server.requests == []

    def test_feed_media_content(self, server, allowed, tmp_path):
        feed = f"""<?xml version="1.0" encoding="utf-8"?>
<rss version="2.0" xmlns:media="http://search.yahoo.com/mrss/"><channel><title>Reef wire</title>
<item><title>Reef sharks counted from the air</title><guid>reef-sharks</guid>
<pubDate>Tue, 01 Jul 2025 09:00:00 GMT</pubDate><description>Drones count sharks.</description>
<media:content url="{server.url("/uploads/diver.jpg")}" medium="image" /></item></channel></rss>"""
        path = tmp_path / "wire.rss"
        path.write_text(feed)
        run = Run("--fetch-media", path)
        assert run.ok, run.err
        assert Article.objects.get().hero_image.name.endswith("diver.jpg")


@pytest.mark.django_db
class TestWithoutTheFlag:
    def test_remote_images_stay_remote_and_nothing_is_fetched(self, server, allowed, tmp_path):
        run = Run(wordpress_site(server, tmp_path))
        assert run.ok, run.err
        story = Article.objects.get(slug="corals-glow")
        assert f'src="{server.url("/uploads/reef.png")}"' in story.body
        # The featured image's words stay with the picture, which stayed on the web.
        assert not story.hero_image and story.hero_alt == story.hero_caption == ""
        assert server.requests == [] and stored_imports() == []

    def test_pages_allow_https_images(self, client):
        """So those remote images show: the policy allows any https: image, still no http: or other scheme."""
        story = ArticleFactory(body='<p><img src="https://images.example.org/a.jpg" alt="A"></p>')
        response = client.get(story.get_absolute_url())
        policy = dict(
            part.strip().split(" ", 1)
            for part in response["Content-Security-Policy"].split(";")
            if part.strip()
        )
        assert policy["img-src"] == "'self' data: https:"
