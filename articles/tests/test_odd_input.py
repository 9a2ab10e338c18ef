"""Odd input at every public address and in every query parameter is answered as a page, a
redirect or a client error (200, 301, 400, 404, 410), never a server error."""

import pytest
from django.urls import URLPattern, reverse

from articles import urls as article_urls
from articles.tests.factories import make_article

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("page_cache_on")]

ANSWERS = {200, 301, 400, 404, 410}
# Patterns that only take a form's POST, with the fields they read.
POST_ONLY = {"comment_post": ("name", "email", "body", "parent", "stamp", "leave_empty")}

# Written as they travel in a URL: %00 is a NUL, %FF and %E4%B8 are not UTF-8.
ODD_VALUES = {
    "nul": "%00",
    "nul-inside": "ab%00cd",
    "huge": "9" * 30,
    "zero": "0",
    "year-0": "0000",
    "year-1": "0001",
    "year-9999": "9999",
    "year-10000": "10000",
    "negative": "-1",
    "invalid-utf8": "%FF",
    "truncated-utf8": "%E4%B8",
    "long": "a" * 10_000,
    "unicode": "科技",
    "other-digits": "%D9%A2%D9%A0%D9%A2%D9%A4",  # ٢٠٢٤: digits to Python, not to a URL
    "control": "%01%1F",
    "quote": "%22%27",
    "space": "%20",
}
# The parameters pages read (articles.urls.QUERY_PARAMETERS), and one that none does.
PARAMETERS = sorted({name for names in article_urls.QUERY_PARAMETERS.values() for name in names} | {"utm_source"})


def sample_kwargs(pattern, site):
    """The pattern's keyword arguments, each from `site` (tag and author patterns take their own slug)."""
    names = pattern.pattern.regex.groupindex
    kwargs = {name: site[name] for name in names}
    if "slug" in kwargs and pattern.name.startswith("tag"):
        kwargs["slug"] = "odd-tag"
    if "slug" in kwargs and pattern.name.startswith("author"):
        kwargs["slug"] = "odd-author"
    return kwargs


def public_patterns():
    return [pattern for pattern in article_urls.urlpatterns if isinstance(pattern, URLPattern)]


def odd_addresses(pattern, site):
    """The pattern's real address, then each of its segments replaced by each odd value."""
    kwargs = sample_kwargs(pattern, site)
    address = reverse(f"articles:{pattern.name}", kwargs=kwargs)
    yield "real", address
    segments = address.split("/")
    for name, value in kwargs.items():
        value = str(value).split("/")[0]  # a category path: its first segment
        # The segment that is the value, else the one holding it (sitemap-articles.xml).
        index = segments.index(value) if value in segments else next(i for i, s in enumerate(segments) if value in s)
        for odd_name, odd in ODD_VALUES.items():
            varied = segments[:index] + [segments[index].replace(value, odd, 1)] + segments[index + 1 :]
            yield f"{name}={odd_name}", "/".join(varied)


@pytest.fixture
def editor_client(client, django_user_model):
    client.force_login(django_user_model.objects.create_superuser("odd-editor", password="x-long-password"))
    return client


@pytest.mark.parametrize("pattern", public_patterns(), ids=lambda pattern: pattern.name)
def test_odd_path_segments_and_parameters_never_fail(pattern, every_subject_site, client, editor_client, settings):
    settings.DEBUG = False
    # Previews are for the newsroom: asked by an editor, so that the view itself is reached.
    asker = editor_client if pattern.name.startswith("preview") else client
    asker.raise_request_exception = False
    failures = []
    if pattern.name in POST_ONLY:
        # A form's target: asked as the form asks it, every field odd; refusals are 4xx.
        for case, address in odd_addresses(pattern, every_subject_site):
            fields = {name: odd for name, odd in zip(POST_ONLY[pattern.name], ODD_VALUES.values())}
            origin = settings.NEWSROOM["SITE_URL"].rstrip("/")  # the form's own site: judged by its fields
            status = asker.post(address, fields, HTTP_ORIGIN=origin).status_code
            if status not in ANSWERS | {302, 303, 403, 405}:
                failures.append((case, status))
        assert failures == []
        return
    for case, address in odd_addresses(pattern, every_subject_site):
        status = asker.get(address).status_code
        if status not in ANSWERS:
            failures.append((case, status))
    real = reverse(f"articles:{pattern.name}", kwargs=sample_kwargs(pattern, every_subject_site))
    for parameter in PARAMETERS:
        for odd_name, odd in ODD_VALUES.items():
            status = asker.get(f"{real}?{parameter}={odd}").status_code
            if status not in ANSWERS:
                failures.append((f"?{parameter}={odd_name}", status))
    assert failures == []


def test_every_public_pattern_is_varied():
    """A new pattern is covered without being listed here: its arguments need only a sample."""
    names = {name for pattern in public_patterns() for name in pattern.pattern.regex.groupindex}
    assert names <= {"year", "month", "day", "slug", "path", "section", "token", "pk", "version_id"}


def test_a_search_with_a_nul_is_a_bad_request(client):
    make_article("搜索的文章")
    response = client.get("/search/?q=ab%00")
    assert response.status_code == 400 and "请求无效" in response.content.decode()


def test_an_archive_at_the_calendars_ends_is_not_found(client):
    make_article("有日期的文章")
    for address in ("/0001/", "/0001/01/", "/9999/", "/9999/12/", "/0/", "/10000/"):
        assert client.get(address).status_code == 404, address


@pytest.mark.parametrize("address", ["/2024/05/08/a%00b/", "/category/ke%00ji/", "/?page=%00", "/search/?q=ab%00"])
def test_a_nul_anywhere_is_a_bad_request_with_the_security_headers(client, settings, address):
    # PostgreSQL refuses a NUL in any compared string: answered before any view asks the database.
    settings.DEBUG = False
    client.raise_request_exception = False
    response = client.get(address)
    assert response.status_code == 400
    assert response["Content-Security-Policy"] and response["X-Content-Type-Options"] == "nosniff"
