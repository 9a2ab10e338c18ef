"""The image fetcher against a local HTTP server: what it brings back, what it refuses, and why.

No database. The server listens on 127.0.0.1 only; tests that play a public host resolve a
made-up name to a public address and route that address's connections to the local server.
"""

import http.server
import socket
import threading
import time

import pytest

from articles.images import download
from articles.images.download import Fetched, FetchFailed, RemoteImageFetcher, non_public_kind
from articles.tests.pictures import decompression_bomb_png, make_jpeg, make_png

PUBLIC_ADDRESS = "93.184.216.34"  # any global unicast address; no packet is ever sent to it
SLOW_DRIP_SECONDS = 3


class LocalImageServer:
    """A threaded HTTP server on 127.0.0.1 with fixed routes; counts the requests per path.

    `routes` maps a path to (status, headers, body); a body of None drips a byte every 0.1 s
    into the body, or, when the status is None too, into a header line before a good JPEG.
    Tests may add routes.
    """

    def __init__(self):
        self.routes = {}
        self.requests = []
        self.abandoned = []  # paths whose client hung up while a drip was still going
        self._abandoned_changed = threading.Condition()
        self._stopping = threading.Event()
        server = self

        class Handler(http.server.BaseHTTPRequestHandler):
            def do_GET(self):  # noqa: N802 (http.server's name)
                server.requests.append((self.path, self.headers.get("Host")))
                status, headers, body = server.routes.get(self.path, (404, {}, b"not found"))
                if status is None:
                    # Headers that take SLOW_DRIP_SECONDS to arrive, then a good picture.
                    self.wfile.write(b"HTTP/1.0 200 OK\r\nX-Drip: ")
                    if self._drip(b"a"):
                        self.wfile.write(b"\r\nContent-Type: image/jpeg\r\n\r\n" + GOOD_JPEG)
                    return None
                self.send_response(status)
                for name, value in headers.items():
                    self.send_header(name, value)
                if body is not None and "Content-Length" not in headers:
                    self.send_header("Content-Length", str(len(body)))
                self.end_headers()
                if body is not None:
                    self.wfile.write(body)
                    return
                self._drip(b"\xff")

            def _drip(self, byte):
                try:
                    deadline = time.monotonic() + SLOW_DRIP_SECONDS
                    while time.monotonic() < deadline and not server._stopping.is_set():
                        self.wfile.write(byte)
                        self.wfile.flush()
                        time.sleep(0.1)
                    return True
                except OSError:  # the client gave up, as it should
                    with server._abandoned_changed:
                        server.abandoned.append(self.path)
                        server._abandoned_changed.notify_all()
                    return False

            def log_message(self, *args):
                pass

        self.httpd = http.server.ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.httpd.daemon_threads = True
        self.port = self.httpd.server_address[1]
        self._thread = threading.Thread(target=self.httpd.serve_forever, args=(0.05,), daemon=True)

    def url(self, path, host="127.0.0.1"):
        return f"http://{host}:{self.port}{path}"

    def was_abandoned(self, path):
        """Whether the client hung up on `path` mid-drip (waiting a moment for the server to notice)."""
        with self._abandoned_changed:
            return self._abandoned_changed.wait_for(lambda: path in self.abandoned, timeout=SLOW_DRIP_SECONDS)

    def count(self, path):
        return sum(1 for requested, _host in self.requests if requested == path)

    def __enter__(self):
        self._thread.start()
        return self

    def __exit__(self, *exc_info):
        self._stopping.set()
        self.httpd.shutdown()
        self.httpd.server_close()


GOOD_JPEG = make_jpeg(40, 30)
GOOD_PNG = make_png(12, 8)
BOMB_PNG = decompression_bomb_png(10_000, 10_000)  # a few kilobytes, 100 million pixels


def standard_routes():
    return {
        "/good.jpg": (200, {"Content-Type": "image/jpeg"}, GOOD_JPEG),
        "/good.png": (200, {"Content-Type": "image/png"}, GOOD_PNG),
        "/slow.jpg": (200, {"Content-Type": "image/jpeg", "Content-Length": "5000"}, None),
        "/slow-headers.jpg": (None, {}, None),
        "/fake.jpg": (200, {"Content-Type": "image/jpeg"}, b"<!DOCTYPE html><html><body>Not found</body></html>"),
        "/page.jpg": (200, {"Content-Type": "text/html; charset=utf-8"}, b"<p>Hello</p>"),
        "/big.jpg": (200, {"Content-Type": "image/jpeg"}, GOOD_JPEG + b"\0" * 20_000),
        "/bomb.png": (200, {"Content-Type": "image/png"}, BOMB_PNG),
        "/redirect.jpg": (302, {"Location": "/good.jpg"}, b""),
    }


@pytest.fixture
def image_server():
    with LocalImageServer() as server:
        server.routes.update(standard_routes())
        yield server


@pytest.fixture
def fetcher():
    with RemoteImageFetcher(allow_private=True, timeout=1.0, max_bytes=10_000, threads=2) as fetcher:
        yield fetcher


@pytest.fixture
def public_host(monkeypatch, image_server):
    """`images.example.com` resolves to a public address whose connections reach the local server.

    Returns the addresses each connection was made to, so tests see where the fetcher went.
    """
    connected = []
    real_getaddrinfo, real_connect = socket.getaddrinfo, socket.create_connection

    def getaddrinfo(host, port, *args, **kwargs):
        if host == "images.example.com":
            return [(socket.AF_INET, socket.SOCK_STREAM, 6, "", (PUBLIC_ADDRESS, port))]
        return real_getaddrinfo(host, port, *args, **kwargs)

    def create_connection(address, *args, **kwargs):
        connected.append(address[0])
        if address[0] == PUBLIC_ADDRESS:
            address = ("127.0.0.1", address[1])
        return real_connect(address, *args, **kwargs)

    monkeypatch.setattr(download.socket, "getaddrinfo", getaddrinfo)
    monkeypatch.setattr(download.socket, "create_connection", create_connection)
    return connected


def fetch_one(fetcher, url):
    return fetcher.fetch_many([url])[url]


# --- what comes back -----------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("path", "data", "image_format", "name"),
    [("/good.jpg", GOOD_JPEG, "JPEG", "good.jpg"), ("/good.png", GOOD_PNG, "PNG", "good.png")],
    ids=["jpeg", "png"],
)
def test_good_image_is_fetched_with_its_facts(image_server, fetcher, path, data, image_format, name):
    result = fetch_one(fetcher, image_server.url(path))
    assert isinstance(result, Fetched), result
    assert result.data == data
    assert result.info.format == image_format
    assert result.name == name
    assert result.content_type.startswith("image/")


def test_redirect_to_an_allowed_url_is_followed(image_server, fetcher):
    url = image_server.url("/redirect.jpg")
    result = fetch_one(fetcher, url)
    assert isinstance(result, Fetched), result
    assert result.data == GOOD_JPEG
    assert result.url == url and result.final_url == image_server.url("/good.jpg")


def test_a_url_is_fetched_once_per_run_failures_included(image_server, fetcher):
    urls = [image_server.url("/good.jpg"), image_server.url("/missing.jpg")]
    first = fetcher.fetch_many(urls + urls)
    second = fetcher.fetch_many(urls)
    assert first == second
    assert image_server.count("/good.jpg") == 1 and image_server.count("/missing.jpg") == 1


def test_released_bytes_are_dropped_but_the_outcome_is_kept(image_server, fetcher):
    url = image_server.url("/good.jpg")
    fetch_one(fetcher, url)
    fetcher.release([url])
    result = fetch_one(fetcher, url)
    assert isinstance(result, Fetched) and result.data is None
    assert image_server.count("/good.jpg") == 1


def test_request_names_the_host_and_sends_no_referrer(image_server, fetcher, public_host):
    result = fetch_one(fetcher, "http://images.example.com:%d/good.jpg" % image_server.port)
    assert isinstance(result, Fetched), result
    assert image_server.requests[-1] == ("/good.jpg", f"images.example.com:{image_server.port}")


# --- what fails, and the reason given ------------------------------------------------------------


@pytest.mark.parametrize(
    ("path", "reason"),
    [
        ("/missing.jpg", "HTTP 404 Not Found"),
        ("/fake.jpg", "not an image: the content is HTML"),
        ("/page.jpg", "not an image: the content is HTML"),
        ("/big.jpg", "over 10000 bytes"),
    ],
)
def test_bad_response_fails_with_its_reason(image_server, fetcher, path, reason):
    result = fetch_one(fetcher, image_server.url(path))
    assert isinstance(result, FetchFailed)
    assert result.reason.startswith(reason), result.reason


@pytest.mark.parametrize("path", ["/slow.jpg", "/slow-headers.jpg"])
def test_slow_drip_ends_at_the_timeout(image_server, fetcher, path):
    result = fetch_one(fetcher, image_server.url(path))
    assert isinstance(result, FetchFailed) and result.reason == "timed out after 1.0 s"
    assert image_server.was_abandoned(path)  # the fetcher hung up rather than wait the drip out


def test_oversized_file_without_a_length_stops_at_the_limit(image_server, fetcher):
    image_server.routes["/unsized.jpg"] = (200, {"Content-Length": "", "Connection": "close"}, b"\xff" * 50_000)
    result = fetch_one(fetcher, image_server.url("/unsized.jpg"))
    assert isinstance(result, FetchFailed) and result.reason.startswith("over "), result


def test_decompression_bomb_is_refused_by_pillow(image_server):
    assert len(BOMB_PNG) < 100_000
    with RemoteImageFetcher(allow_private=True, timeout=5) as fetcher:
        result = fetch_one(fetcher, image_server.url("/bomb.png"))
    assert isinstance(result, FetchFailed)
    assert result.reason.startswith("not a usable image:") and "像素" in result.reason, result.reason


def test_too_many_redirects_fail(image_server, fetcher):
    for hop in range(7):
        image_server.routes[f"/loop{hop}"] = (302, {"Location": f"/loop{hop + 1}"}, b"")
    result = fetch_one(fetcher, image_server.url("/loop0"))
    assert isinstance(result, FetchFailed) and result.reason == "more than 5 redirects"
    assert image_server.count("/loop6") == 0


# --- where it will not go ------------------------------------------------------------------------


@pytest.mark.parametrize("url", ["file:///etc/passwd", "ftp://images.example.com/a.jpg", "gopher://x/1"])
def test_only_http_and_https_are_fetched(url, monkeypatch):
    monkeypatch.setattr(download.socket, "getaddrinfo", pytest.fail)
    with RemoteImageFetcher(allow_private=True) as fetcher:
        result = fetch_one(fetcher, url)
    assert isinstance(result, FetchFailed)
    assert "only http and https URLs are fetched" in result.reason


def test_loopback_server_is_refused_without_the_option(image_server):
    with RemoteImageFetcher(timeout=1.0) as fetcher:
        result = fetch_one(fetcher, image_server.url("/good.jpg"))
    assert isinstance(result, FetchFailed)
    assert result.reason == "address 127.0.0.1 is a loopback address (use --allow-private-image-hosts)"
    assert image_server.requests == []


def test_host_resolving_to_a_private_address_is_refused_without_connecting(monkeypatch):
    monkeypatch.setattr(
        download.socket,
        "getaddrinfo",
        lambda host, port, *a, **k: [(socket.AF_INET, socket.SOCK_STREAM, 6, "", ("10.0.0.1", port))],
    )
    monkeypatch.setattr(download.socket, "create_connection", pytest.fail)
    with RemoteImageFetcher() as fetcher:
        result = fetch_one(fetcher, "https://cdn.intranet.example/a.jpg")
    assert isinstance(result, FetchFailed)
    assert result.reason == (
        "address cdn.intranet.example (10.0.0.1) is a private address (use --allow-private-image-hosts)"
    )


def test_one_private_address_among_public_ones_is_enough_to_refuse(monkeypatch):
    answers = [PUBLIC_ADDRESS, "::ffff:192.168.1.20"]
    monkeypatch.setattr(
        download.socket,
        "getaddrinfo",
        lambda host, port, *a, **k: [(socket.AF_INET6, socket.SOCK_STREAM, 6, "", (a, port)) for a in answers],
    )
    monkeypatch.setattr(download.socket, "create_connection", pytest.fail)
    with RemoteImageFetcher() as fetcher:
        result = fetch_one(fetcher, "https://images.example.com/a.jpg")
    assert isinstance(result, FetchFailed) and "192.168.1.20" in result.reason and "private" in result.reason


def test_redirect_to_a_private_address_is_refused(image_server, public_host):
    image_server.routes["/out.jpg"] = (302, {"Location": image_server.url("/good.jpg")}, b"")
    with RemoteImageFetcher(timeout=1.0) as fetcher:
        result = fetch_one(fetcher, f"http://images.example.com:{image_server.port}/out.jpg")
    assert isinstance(result, FetchFailed)
    assert result.reason == (
        f"redirected to {image_server.url('/good.jpg')}: "
        "address 127.0.0.1 is a loopback address (use --allow-private-image-hosts)"
    )
    assert image_server.count("/good.jpg") == 0


def test_connection_goes_to_the_checked_address_not_a_new_lookup(image_server, public_host, monkeypatch):
    """DNS rebinding: after the checked answer, the name resolves to 127.0.0.1; it must not matter."""
    checked_lookup = download.socket.getaddrinfo
    answered = []

    def rebinding_lookup(host, port, *args, **kwargs):
        if host == "images.example.com" and answered:
            return [(socket.AF_INET, socket.SOCK_STREAM, 6, "", ("127.0.0.1", port))]
        answered.append(host)
        return checked_lookup(host, port, *args, **kwargs)

    monkeypatch.setattr(download.socket, "getaddrinfo", rebinding_lookup)
    with RemoteImageFetcher(timeout=1.0) as fetcher:
        result = fetch_one(fetcher, f"http://images.example.com:{image_server.port}/good.jpg")
    assert isinstance(result, Fetched), result
    assert public_host == [PUBLIC_ADDRESS]


@pytest.mark.parametrize(
    ("address", "kind"),
    [
        ("127.0.0.1", "a loopback address"),
        ("::1", "a loopback address"),
        ("10.0.0.1", "a private address"),
        ("172.16.5.4", "a private address"),
        ("192.168.0.1", "a private address"),
        ("fd00::1", "a private address"),
        ("169.254.169.254", "a link-local address"),
        ("fe80::1", "a link-local address"),
        ("0.0.0.0", "an unspecified address"),
        ("224.0.0.251", "a multicast address"),
        ("240.0.0.1", "a private address"),  # reserved; Python counts it as private too
        ("100.64.0.1", "not a public address"),
        ("::ffff:10.0.0.1", "a private address"),
        ("64:ff9b::7f00:1", "a loopback address"),
        ("2002:c0a8:101::1", "a private address"),  # 6to4 of 192.168.1.1
        (PUBLIC_ADDRESS, ""),
        ("2606:4700::1111", ""),
    ],
)
def test_non_public_addresses_are_named(address, kind):
    assert non_public_kind(address) == kind
