"""PageCacheApplication (config.wsgi): page-cache hits answered before Django's handler, with the
same answer the middleware would give, and everything else left to Django."""

import datetime as dt
import io
import sys
from urllib.parse import unquote

import pytest
from django.core.signals import request_finished, request_started
from django.db import close_old_connections

from articles import caching
from articles.tests.factories import freeze_clock, make_article, make_author, make_category_path
from config.wsgi import application, django_application

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("page_cache_on")]

NOW = dt.datetime(2025, 6, 1, 12, 0, tzinfo=dt.UTC)


@pytest.fixture(autouse=True)
def clock(monkeypatch):
    return freeze_clock(monkeypatch, NOW)


@pytest.fixture(autouse=True)
def _test_transaction_kept():
    """As Django's test client does: the handler must not close the connection that holds the
    test's transaction."""
    request_started.disconnect(close_old_connections)
    request_finished.disconnect(close_old_connections)
    yield
    request_started.connect(close_old_connections)
    request_finished.connect(close_old_connections)


@pytest.fixture
def handled_by_django():
    """The requests Django's handler saw (it sends request_started for each)."""
    seen = []

    def record(environ=None, **kwargs):
        seen.append(environ["PATH_INFO"])

    request_started.connect(record)
    yield seen
    request_started.disconnect(record)


@pytest.fixture
def article(clock):
    made = make_article(
        "缓存前端的文章", author=make_author("小周"), categories=[make_category_path("科技", "芯片")], tags=["芯片"]
    )
    clock.advance(dt.timedelta(minutes=1))
    return made


def call(app, path, method="GET", query="", **environ):
    """(status, headers, body) of a WSGI call, as gunicorn makes it."""
    wsgi_path = unquote(path).encode().decode("iso-8859-1")  # PEP 3333: bytes as latin-1
    full = {
        "REQUEST_METHOD": method, "PATH_INFO": wsgi_path, "QUERY_STRING": query, "SERVER_NAME": "testserver",
        "SERVER_PORT": "80", "HTTP_HOST": "testserver", "wsgi.input": io.BytesIO(), "wsgi.url_scheme": "http",
        "SERVER_PROTOCOL": "HTTP/1.1", "REMOTE_ADDR": "127.0.0.1", "wsgi.errors": sys.stderr, **environ,
    }  # fmt: skip
    answer = []
    body = app(full, lambda status, headers, *rest: answer.append((status, headers)))
    try:
        content = b"".join(body)
    finally:
        getattr(body, "close", lambda: None)()
    status, headers = answer[0]
    return status, headers, content


def pages(article):
    tag = article.tags.get()
    return [article.get_absolute_url(), "/", article.categories.get().get_absolute_url(), "/feed/", f"/tag/{tag.slug}/"]


def test_a_hit_is_answered_without_djangos_handler_or_a_query(article, handled_by_django, django_assert_num_queries):
    url = article.get_absolute_url()
    status, headers, first = call(application, url)
    assert status == "200 OK" and ("X-Cache", "miss") in headers
    assert handled_by_django == [url]
    with django_assert_num_queries(0):
        status, headers, second = call(application, url)
    assert status == "200 OK" and ("X-Cache", "hit") in headers
    assert second == first
    assert handled_by_django == [url]  # the hit never reached Django


def test_a_miss_asks_the_cache_once_for_the_version_and_once_for_the_page(article, monkeypatch):
    """The front's lookup is handed to the middleware, which does not repeat it."""
    asked = []
    read_version, get_page = caching._read_content_version, caching.pages.get
    monkeypatch.setattr(caching, "_read_content_version", lambda: asked.append("version") or read_version())
    monkeypatch.setattr(caching.pages, "get", lambda key: asked.append("page") or get_page(key))
    status, headers, _ = call(application, article.get_absolute_url())
    assert status == "200 OK" and ("X-Cache", "miss") in headers
    assert asked == ["version", "page"]


@pytest.mark.parametrize("index", range(5))
@pytest.mark.parametrize(
    "conditions",
    [{}, {"REQUEST_METHOD": "HEAD"}, {"etag": True}, {"last_modified": True}, {"HTTP_IF_NONE_MATCH": '"other"'}],
    ids=["plain", "head", "if-none-match", "if-modified-since", "if-none-match-other"],
)
def test_a_hit_is_the_answer_the_middleware_gives(article, index, conditions):
    """Status, headers in order and body, byte for byte, against Django's handler alone."""
    url = pages(article)[index]
    _, stored_headers, _ = call(application, url)  # stored by the middleware
    stored = dict(stored_headers)
    environ = {key: value for key, value in conditions.items() if key.isupper()}
    if conditions.get("etag"):
        environ["HTTP_IF_NONE_MATCH"] = stored["ETag"]
    if conditions.get("last_modified"):
        environ["HTTP_IF_MODIFIED_SINCE"] = stored["Last-Modified"]
    front = call(application, url, **environ)
    middleware = call(django_application, url, **environ)
    assert front == middleware
    assert ("X-Cache", "hit") in front[1]
    expected = "304 Not Modified" if conditions.get("etag") or conditions.get("last_modified") else "200 OK"
    assert front[0] == expected


def test_a_304_keeps_the_pages_policy_and_security_headers(article):
    url = article.get_absolute_url()
    _, headers, _ = call(application, url)
    stored = dict(headers)
    status, headers, body = call(application, url, HTTP_IF_NONE_MATCH=stored["ETag"])
    answered = dict(headers)
    assert status == "304 Not Modified" and body == b""
    for header in ("Content-Security-Policy", "X-Content-Type-Options", "Referrer-Policy", "X-Frame-Options", "ETag"):
        assert answered[header] == stored[header], header
    assert "Content-Type" not in answered and "Content-Length" not in answered


def test_a_change_is_served_fresh_through_the_front(article, handled_by_django):
    url = article.get_absolute_url()
    call(application, url)
    call(application, url)
    article.title = "缓存前端的文章（改）"
    article.save()
    status, headers, body = call(application, url)
    assert ("X-Cache", "miss") in headers and "（改）" in body.decode()
    assert handled_by_django == [url, url]


@pytest.mark.parametrize(
    "request_kind",
    [
        {"REQUEST_METHOD": "POST"},
        {"HTTP_COOKIE": "sessionid=abc"},
        {"HTTP_COOKIE": "messages=abc"},
        {"wsgi.url_scheme": "https"},  # stored for http: its HSTS header differs
        {"HTTP_HOST": "evil.example"},  # not an allowed host: Django answers 400
    ],
    ids=["post", "session", "messages", "other-scheme", "host-not-allowed"],
)
def test_what_a_stored_page_may_not_answer_goes_to_django(article, handled_by_django, request_kind):
    url = article.get_absolute_url()
    call(application, url)
    call(application, url, **request_kind)
    assert handled_by_django == [url, url]


@pytest.mark.parametrize("host", ["localhost", "TESTSERVER", "testserver:80", "LocalHost:80"])
def test_every_spelling_of_an_allowed_host_is_answered_by_the_one_stored_page(article, handled_by_django, host):
    """Pages name no host but NEWSROOM["SITE_URL"]'s, so they are kept under that one alone."""
    url = article.get_absolute_url()
    _, _, stored = call(application, url)
    status, headers, body = call(application, url, HTTP_HOST=host)
    assert status == "200 OK" and ("X-Cache", "hit") in headers
    assert body == stored
    assert handled_by_django == [url]


def test_unknown_parameters_are_answered_by_the_stored_page_and_never_store_one(article, handled_by_django):
    status, headers, _ = call(application, "/", query="utm_source=newsletter")
    assert status == "200 OK" and ("X-Cache", "miss") in headers
    status, headers, _ = call(application, "/")
    assert ("X-Cache", "miss") in headers  # the request with a parameter stored nothing
    _, _, stored = call(application, "/")
    front = call(application, "/", query="utm_source=newsletter&fbclid=x")
    assert front == call(django_application, "/", query="utm_source=newsletter&fbclid=x")
    assert front[0] == "200 OK" and ("X-Cache", "hit") in front[1] and front[2] == stored
    # Rendered with the parameter, then without; the third is the comparison through Django alone.
    assert handled_by_django == ["/", "/", "/"]


def test_an_editors_address_and_the_page_cache_off_go_to_django(article, handled_by_django, settings):
    call(application, "/admin/login/")
    call(application, "/admin/login/")
    assert handled_by_django == ["/admin/login/"] * 2
    settings.NEWSROOM = {**settings.NEWSROOM, "PAGE_CACHE": False}
    call(application, "/")
    call(application, "/")
    assert handled_by_django[2:] == ["/", "/"]


def test_a_path_that_is_not_ascii_reaches_django_as_the_server_sent_it(article, handled_by_django):
    """The front reads the request without changing the environ Django's handler gets."""
    status, _, body = call(application, "/没有这一页/")
    assert status.startswith("404")
    assert handled_by_django == ["/没有这一页/".encode().decode("iso-8859-1")]


def test_a_host_not_allowed_gets_djangos_400(article):
    url = article.get_absolute_url()
    call(application, url)
    status, _, body = call(application, url, HTTP_HOST="evil.example")
    assert status.startswith("400")
    assert "缓存前端的文章".encode() not in body


def test_with_the_cache_server_gone_django_serves_the_page(article, redis_gone, handled_by_django):
    url = article.get_absolute_url()
    for _ in range(3):
        status, headers, body = call(application, url)
        assert status == "200 OK"
        assert "缓存前端的文章" in body.decode()
    assert handled_by_django == [url] * 3
    assert caching.known_unreachable()
