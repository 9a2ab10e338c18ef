"""Fetching legacy images over HTTP(S): bounded in time and size, and never into our own network.

No ORM. `RemoteImageFetcher.fetch_many(urls)` answers each URL with `Fetched` (the bytes, checked
by Pillow) or `FetchFailed` (a reason for people). The guard against server-side request forgery
resolves each host once, refuses it when any of its addresses is not public, and then connects
to that checked address itself, so that a second DNS answer (rebinding) cannot send the request
elsewhere; redirects are followed by hand through the same check.
"""

import http.client
import ipaddress
import os
import socket
import ssl
import threading
import time
from concurrent.futures import Future, ThreadPoolExecutor
from dataclasses import dataclass, replace
from urllib.parse import quote, urljoin, urlsplit

from django.conf import settings

from .processing import PreparedImage, prepare_image
from .validation import ImageInfo, ImageRejected

MAX_REDIRECTS = 5
REDIRECT_STATUSES = {301, 302, 303, 307, 308}
CHUNK_BYTES = 64 * 1024
USER_AGENT = "newsroom-image-import/1.0"
ALLOW_PRIVATE_HINT = "use --allow-private-image-hosts"
# Characters that may stay as they are in a path and query; anything else (Chinese file names,
# spaces) is percent-encoded, and existing %XX escapes are kept.
_URL_SAFE = "/?&=%:@!$'()*+,;~-._"


@dataclass(frozen=True)
class Fetched:
    url: str
    data: bytes | None  # None once released (see RemoteImageFetcher.release)
    content_type: str
    final_url: str
    info: ImageInfo | None = None
    prepared: PreparedImage | None = None  # ready for library.store_image(prepared=...)

    @property
    def name(self):
        """A file name for the picture: the URL's last segment, with the extension of its real format."""
        stem = os.path.splitext(os.path.basename(urlsplit(self.final_url).path))[0]
        return (stem or "image") + (self.info.extension if self.info else "")


@dataclass(frozen=True)
class FetchFailed:
    url: str
    reason: str


class _Refused(Exception):
    """A URL this fetcher will not or could not fetch; the message is the reason."""


class RemoteImageFetcher:
    """Downloads images in a small thread pool, each URL at most once per fetcher (one per run).

    Use it as a context manager (or call close()) so that its threads end with the run.
    """

    def __init__(self, *, allow_private=False, timeout=None, max_bytes=None, threads=None, max_redirects=MAX_REDIRECTS):
        limits = settings.NEWSROOM_IMAGES
        self.allow_private = allow_private
        self.timeout = float(limits["DOWNLOAD_TIMEOUT"] if timeout is None else timeout)
        self.max_bytes = int(limits["MAX_BYTES"] if max_bytes is None else max_bytes)
        self.max_redirects = max_redirects
        self._pool = ThreadPoolExecutor(
            max_workers=max(1, limits["DOWNLOAD_THREADS"] if threads is None else threads),
            thread_name_prefix="image-download",
        )
        self._futures = {}
        self._lock = threading.Lock()
        self._ssl_context = ssl.create_default_context()

    def __enter__(self):
        return self

    def __exit__(self, *exc_info):
        self.close()

    def close(self):
        """Stop the threads; downloads not yet started are dropped."""
        self._pool.shutdown(wait=True, cancel_futures=True)

    def prefetch(self, urls):
        """Start downloading `urls` in the background (those not asked for before) and return."""
        with self._lock:
            for url in urls:
                if url not in self._futures:
                    self._futures[url] = self._pool.submit(self.fetch, url)

    def fetch_many(self, urls):
        """{url: Fetched | FetchFailed} for `urls`, waiting for downloads still running."""
        urls = list(dict.fromkeys(urls))
        self.prefetch(urls)
        with self._lock:
            futures = {url: self._futures[url] for url in urls}
        return {url: future.result() for url, future in futures.items()}

    def release(self, urls):
        """Forget the bytes fetched for `urls` (the caller has stored them), keeping the outcome."""
        with self._lock:
            for url in urls:
                future = self._futures.get(url)
                if future is None or not future.done():
                    continue
                outcome = future.result()
                if isinstance(outcome, Fetched) and outcome.data is not None:
                    released = Future()
                    released.set_result(replace(outcome, data=None, prepared=None))
                    self._futures[url] = released

    def fetch(self, url):
        """Download one URL now, without the cache: Fetched or FetchFailed, never an exception."""
        deadline = time.monotonic() + self.timeout
        try:
            fetched = self._follow(url, deadline)
        except _Refused as refusal:
            return FetchFailed(url, str(refusal))
        except Exception as error:  # whatever a remote server does, it fails only this URL
            if isinstance(error, TimeoutError) or time.monotonic() >= deadline:
                return FetchFailed(url, self._timed_out())
            return FetchFailed(url, f"cannot download: {type(error).__name__}: {error}")
        try:
            # Validation, normalisation and renditions here, in the download thread: Pillow
            # releases the GIL, so this work runs beside the import's writes.
            prepared = prepare_image(fetched.data, max_bytes=self.max_bytes, deadline=deadline)
        except ImageRejected as rejection:
            return FetchFailed(url, f"not a usable image: {rejection}")
        return Fetched(url, fetched.data, fetched.content_type, fetched.final_url, prepared.info, prepared)

    # --- one URL ---------------------------------------------------------------------------

    def _follow(self, url, deadline):
        current = url
        for hop in range(self.max_redirects + 1):
            try:
                status, location, content_type, data = self._request(current, deadline)
            except _Refused as refusal:
                if current == url:
                    raise
                raise _Refused(f"redirected to {current}: {refusal}") from None
            if status in REDIRECT_STATUSES and location:
                if hop == self.max_redirects:
                    raise _Refused(f"more than {self.max_redirects} redirects")
                current = urljoin(current, location)
                continue
            if status != 200:
                reason = f"HTTP {status} {http.client.responses.get(status, '')}".rstrip()
                raise _Refused(reason if current == url else f"redirected to {current}: {reason}")
            return Fetched(url, data, content_type, current)
        raise AssertionError("unreachable")  # pragma: no cover

    def _request(self, url, deadline):
        """(status, Location, Content-Type, body or None) for one GET of `url`, not following redirects."""
        parts = urlsplit(url)
        scheme = parts.scheme.lower()
        if scheme not in ("http", "https"):
            raise _Refused(f"{scheme or 'no'} scheme: only http and https URLs are fetched")
        if not parts.hostname:
            raise _Refused(f"no host in {url!r}")
        try:
            host = parts.hostname.encode("idna").decode("ascii")
            port = parts.port or (443 if scheme == "https" else 80)
        except (UnicodeError, ValueError) as error:
            raise _Refused(f"bad host or port in {url!r}: {error}") from None
        addresses = self._checked_addresses(host, port, url, deadline)
        target = quote(parts.path or "/", safe=_URL_SAFE) + (
            "?" + quote(parts.query, safe=_URL_SAFE) if parts.query else ""
        )
        connection = self._connect(scheme, host, port, addresses, deadline)
        # The per-operation socket timeout cannot stop a server that sends a byte now and then;
        # this watchdog ends the connection at the deadline whatever it is doing.
        watchdog = threading.Timer(max(deadline - time.monotonic(), 0), _abort, (connection.pinned_sock,))
        watchdog.daemon = True
        watchdog.start()
        response = None
        try:
            connection.putrequest("GET", target, skip_accept_encoding=True)
            connection.putheader("User-Agent", USER_AGENT)
            connection.putheader("Accept", "image/*")
            connection.endheaders()
            response = connection.getresponse()
            status = response.status
            location = response.getheader("Location")
            content_type = response.getheader("Content-Type", "")
            if status != 200:
                return status, location, content_type, None
            body = self._read_body(response, connection.pinned_sock, content_type, deadline)
            return status, location, content_type, body
        finally:
            watchdog.cancel()
            if response is not None:
                response.close()
            connection.close()
            connection.pinned_sock.close()

    def _checked_addresses(self, host, port, url, deadline):
        """The addresses `host` resolves to, all of them public unless private ones are allowed."""
        if time.monotonic() >= deadline:
            raise _Refused(self._timed_out())
        try:
            infos = socket.getaddrinfo(host, port, type=socket.SOCK_STREAM)
        except socket.gaierror as error:
            raise _Refused(f"cannot resolve {host}: {error.strerror or error}") from None
        addresses = list(dict.fromkeys(info[4][0] for info in infos))
        if not addresses:
            raise _Refused(f"cannot resolve {host}: no address")
        if not self.allow_private:
            for address in addresses:
                kind = non_public_kind(address)
                if kind:
                    shown = host if host == address else f"{host} ({address})"
                    raise _Refused(f"address {shown} is {kind} ({ALLOW_PRIVATE_HINT})")
        return addresses

    def _connect(self, scheme, host, port, addresses, deadline):
        """A connection to the first of the checked `addresses` that answers, speaking to `host`."""
        last_error = None
        for address in addresses:
            remaining = deadline - time.monotonic()
            if remaining <= 0:
                break
            if scheme == "https":
                connection = _PinnedHTTPSConnection(host, port, address, remaining, self._ssl_context)
            else:
                connection = _PinnedHTTPConnection(host, port, address, remaining)
            try:
                connection.connect()
                return connection
            except TimeoutError:
                connection.close()
                raise _Refused(self._timed_out()) from None
            except OSError as error:
                connection.close()
                last_error = error
        if last_error is None:
            raise _Refused(self._timed_out())
        raise _Refused(f"cannot connect to {host}: {last_error.strerror or last_error}")

    def _read_body(self, response, sock, content_type, deadline):
        if content_type.split(";")[0].strip().lower() in ("text/html", "application/xhtml+xml"):
            raise _Refused("not an image: the content is HTML")
        length = response.getheader("Content-Length")
        if length and length.isdigit() and int(length) > self.max_bytes:
            raise _Refused(f"over {_size_text(self.max_bytes)} (Content-Length {int(length)})")
        chunks, size = [], 0
        while True:
            remaining = deadline - time.monotonic()
            if remaining <= 0:
                raise _Refused(self._timed_out())
            sock.settimeout(remaining)
            try:
                chunk = response.read1(CHUNK_BYTES)
            except (TimeoutError, OSError, http.client.IncompleteRead):
                if time.monotonic() >= deadline:
                    raise _Refused(self._timed_out()) from None
                raise
            if not chunk:
                break
            size += len(chunk)
            if size > self.max_bytes:
                raise _Refused(f"over {_size_text(self.max_bytes)}")
            chunks.append(chunk)
        if time.monotonic() >= deadline:
            # The watchdog closed the connection: what arrived is a truncated file.
            raise _Refused(self._timed_out())
        data = b"".join(chunks)
        if _looks_like_html(data):
            raise _Refused("not an image: the content is HTML")
        return data

    def _timed_out(self):
        return f"timed out after {self.timeout:.1f} s"


def non_public_kind(address):
    """'a loopback address', … for an address no import may reach by default; '' for a public one.

    IPv4 addresses written as IPv6 (::ffff:10.0.0.1, and the NAT64 and 6to4 forms) are judged as
    the IPv4 address they carry.
    """
    ip = ipaddress.ip_address(address.split("%")[0])
    if ip.version == 6:
        embedded = ip.ipv4_mapped or ip.sixtofour
        if embedded is None and ip in _NAT64:
            embedded = ipaddress.IPv4Address(int(ip) & 0xFFFFFFFF)
        if embedded is not None:
            return non_public_kind(str(embedded))
    for kind, flag in (
        ("a loopback address", ip.is_loopback),
        ("an unspecified address", ip.is_unspecified),
        ("a link-local address", ip.is_link_local),
        ("a multicast address", ip.is_multicast),
        ("a private address", ip.is_private),
        ("a reserved address", ip.is_reserved),
        ("not a public address", not ip.is_global),  # e.g. 100.64.0.0/10, shared by carriers
    ):
        if flag:
            return kind
    return ""


_NAT64 = ipaddress.ip_network("64:ff9b::/96")


class _PinnedHTTPConnection(http.client.HTTPConnection):
    """HTTP to `address` while naming `host` in the request (the address was checked, the name was not)."""

    def __init__(self, host, port, address, timeout):
        super().__init__(host, port, timeout=timeout)
        self._address = address

    def connect(self):
        self.sock = self.pinned_sock = socket.create_connection((self._address, self.port), self.timeout)
        self.sock.setsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)


class _PinnedHTTPSConnection(http.client.HTTPSConnection):
    """HTTPS to `address`, with `host` as the name in SNI, the certificate check and Host."""

    def __init__(self, host, port, address, timeout, context):
        super().__init__(host, port, timeout=timeout, context=context)
        self._address = address

    def connect(self):
        sock = socket.create_connection((self._address, self.port), self.timeout)
        sock.setsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)
        self.sock = self.pinned_sock = self._context.wrap_socket(sock, server_hostname=self.host)


def _abort(sock):
    try:
        sock.shutdown(socket.SHUT_RDWR)  # wakes a thread blocked in recv(); close() would not
    except OSError:
        pass


def _looks_like_html(data):
    head = data[:512].lstrip(b"\xef\xbb\xbf \t\r\n").lower()
    return head.startswith((b"<!doctype html", b"<html", b"<head", b"<body"))


def _size_text(size):
    return f"{size / (1024 * 1024):.1f} MB" if size >= 1024 * 1024 else f"{size} bytes"
