"""The page cache (articles.caching, PageCacheMiddleware): hits for anonymous readers, every
visible change fresh at once, nothing kept past a scheduled moment, 304 on revalidation."""

import datetime as dt

import pytest
from django.core.cache import cache
from django.http import HttpResponse
from django.urls import path, reverse
from django.utils import timezone
from django.views.decorators.cache import never_cache

from articles import caching
from articles.models import Article
from articles.preview import share_url
from articles.tests.factories import freeze_clock, make_article, make_author, make_category_path, make_image
from articles.tests.test_odd_input import public_patterns, sample_kwargs
from config.urls import urlpatterns as site_urlpatterns

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("page_cache_on")]

NOW = dt.datetime(2025, 6, 1, 12, 0, tzinfo=dt.UTC)
SECOND = dt.timedelta(seconds=1)
MINUTE = dt.timedelta(minutes=1)


# Reader paths whose views misbehave for a cache, mounted in front of the site by @pytest.mark.urls.
def _sets_cookie(request):
    response = HttpResponse("<p>个性化</p>")
    response.set_cookie("seen", "1")
    return response


def _varies_on_cookie(request):
    response = HttpResponse("<p>随 Cookie 变化</p>")
    response["Vary"] = "Cookie"
    return response


urlpatterns = [
    path("sets-cookie/", _sets_cookie),
    path("varies-on-cookie/", _varies_on_cookie),
    path("never-cached/", never_cache(lambda request: HttpResponse("<p>不缓存</p>"))),
    *site_urlpatterns,
]


@pytest.fixture(autouse=True)
def clock(monkeypatch):
    return freeze_clock(monkeypatch, NOW)


@pytest.fixture
def article(clock):
    leaf = make_category_path("科技", "芯片")
    hero = make_image(alt_text="晶圆厂外景", caption="图注一")
    made = make_article("晶圆厂扩产", author=make_author("小林"), categories=[leaf], tags=["芯片"], hero_image=hero)
    clock.advance(MINUTE)  # the pages below are rendered after the data was written
    return made


def get(client, url, **headers):
    response = client.get(url, **headers)
    assert response.status_code == 200, url
    return response


def warm(client, url):
    """Render `url` once and check that it is now served from the cache."""
    assert get(client, url)["X-Cache"] == "miss"
    assert get(client, url)["X-Cache"] == "hit"


def page_urls(article):
    return {
        "article": article.get_absolute_url(),
        "home": "/",
        "category": article.categories.get().get_absolute_url(),
        "feed": "/feed/",
    }


@pytest.mark.parametrize("page", ["article", "home", "category", "feed"])
def test_second_anonymous_view_is_a_hit_without_queries(client, article, page, django_assert_num_queries):
    url = page_urls(article)[page]
    first = get(client, url)
    assert first["X-Cache"] == "miss"
    with django_assert_num_queries(0):
        second = get(client, url)
    assert second["X-Cache"] == "hit"
    assert second.content == first.content
    assert second["Content-Type"] == first["Content-Type"]


def test_cached_page_is_public_revalidated_and_not_varying_on_cookie(client, article):
    response = get(client, "/")
    assert "public" in response["Cache-Control"] and "must-revalidate" in response["Cache-Control"]
    assert "Cookie" not in response.get("Vary", "")
    assert not response.cookies
    assert get(client, "/", HTTP_COOKIE="csrftoken=abc")["X-Cache"] == "hit"


def test_a_parameter_the_page_reads_is_part_of_the_key(client, article):
    warm(client, "/")
    assert get(client, "/?page=1")["X-Cache"] == "miss"
    assert get(client, "/?page=1")["X-Cache"] == "hit"
    warm(client, "/search/?q=晶圆")
    assert get(client, "/search/?q=扩产")["X-Cache"] == "miss"


# --- keys: only what a page reads, on the site's own host --------------------------------------


@pytest.fixture
def stored_keys(monkeypatch):
    """The keys of the pages and of the kept values stored from now on."""
    keys = {"pages": [], "values": []}
    for name in keys:
        entries = getattr(caching, name)
        set_entry = entries.set
        monkeypatch.setattr(
            entries, "set", lambda key, *rest, _set=set_entry, _keys=keys[name]: _keys.append(key) or _set(key, *rest)
        )
    return keys


def test_unknown_parameters_never_add_a_page_or_a_value(client, article, stored_keys):
    get(client, "/?utm_x=first")
    values_for_one = set(stored_keys["values"])
    for n in range(300):
        response = get(client, f"/?utm_x={n}-{n * 7919 % 1000}")
        assert response["X-Cache"] == "miss"
    assert stored_keys["pages"] == []
    assert set(stored_keys["values"]) == values_for_one  # the list's count and ids are the home page's


def test_unknown_parameters_are_answered_by_the_page_without_them(client, article, stored_keys):
    warm(client, "/")
    for url in ("/?utm_source=newsletter", "/?fbclid=abc&utm_medium=x", "/?&"):
        response = get(client, url)
        assert response["X-Cache"] == "hit", url
        assert response.content == get(client, "/").content
    warm(client, "/search/?q=晶圆")
    assert get(client, "/search/?q=晶圆&from=header")["X-Cache"] == "hit"
    # A parameter given twice: the view reads the last value, and so does the key.
    assert get(client, "/search/?q=别的&q=晶圆")["X-Cache"] == "hit"
    assert len(stored_keys["pages"]) == 2


def test_a_page_rendered_for_unknown_parameters_is_the_page_without_them(client, article, settings):
    settings.NEWSROOM = {**settings.NEWSROOM, "PAGE_CACHE": False}
    for n in range(25):
        make_article(f"填充文章 {n}")
    plain = get(client, "/?page=2").content
    assert b'href="?page=1"' in plain
    assert get(client, "/?utm_source=newsletter&page=2").content == plain
    assert get(client, "/?page=2&ref=a&ref=b").content == plain


@pytest.mark.parametrize("host", ["TESTSERVER", "testserver:80", "localhost", "LOCALHOST:80"])
def test_every_spelling_of_an_allowed_host_shares_one_page(client, article, stored_keys, host):
    warm(client, "/")
    response = get(client, "/", HTTP_HOST=host)
    assert response["X-Cache"] == "hit"
    assert response.content == get(client, "/").content
    assert len(stored_keys["pages"]) == 1


def test_pages_are_kept_under_the_site_urls_host_without_its_default_port(settings):
    settings.NEWSROOM = {**settings.NEWSROOM, "SITE_URL": "https://News.Example.com:443/"}
    assert caching.canonical_host() == "news.example.com"
    settings.NEWSROOM = {**settings.NEWSROOM, "SITE_URL": "http://127.0.0.1:8080"}
    assert caching.canonical_host() == "127.0.0.1:8080"


@pytest.mark.parametrize("pattern", public_patterns(), ids=lambda pattern: pattern.name)
def test_no_page_reads_a_query_parameter_it_does_not_declare(
    pattern, every_subject_site, client, chief_client, monkeypatch
):
    """Every name a view asks its request's query for is in articles.urls.QUERY_PARAMETERS, so
    that the page kept under those parameters alone is the page for any other query too."""
    from django.http import QueryDict

    from articles.urls import QUERY_PARAMETERS

    asked = set()
    # (Not getlist(): lists() and copy() read every name through it, as querystring does.)
    for method in ("get", "__getitem__", "__contains__"):
        original = getattr(QueryDict, method)

        def recording(self, key, *args, _original=original):
            if not self._mutable:  # a request's query once parsed (parsing asks for every name)
                asked.add(key)
            return _original(self, key, *args)

        monkeypatch.setattr(QueryDict, method, recording)
    asker = chief_client if pattern.name.startswith("preview") else client
    url = reverse(f"articles:{pattern.name}", kwargs=sample_kwargs(pattern, every_subject_site))
    asker.get(f"{url}?q=芯片&page=1&before=1&p=1&utm_source=x&sort=new")
    assert asked <= set(QUERY_PARAMETERS.get(pattern.name, ()))


def test_the_declaration_names_real_pages():
    from articles.urls import QUERY_PARAMETERS

    assert set(QUERY_PARAMETERS) <= {pattern.name for pattern in public_patterns()}


# --- every change a reader could see makes the pages fresh at once -----------------------------


def _edit(article):
    article.title = "晶圆厂扩产（更新）"
    article.save()
    return "晶圆厂扩产（更新）"


def _rename_category(article):
    category = article.categories.get()
    category.name = "半导体"
    category.save()
    return "半导体"


def _rename_author(article):
    article.author.name = "大林"
    article.author.save()
    return "大林"


def _add_tag(article):
    article.tags.add("光刻机")
    return "光刻机"


def _rename_tag(article):
    tag = article.tags.get()
    tag.name = "集成电路"
    tag.save()
    return "集成电路"


def _change_alt_text(article):
    article.hero_image.alt_text = "新的替代文字"
    article.hero_image.save()
    return "新的替代文字"


def _change_caption(article):
    article.hero_image.caption = "新的图注"
    article.hero_image.save()
    return "新的图注"


def _recategorise(article):
    article.categories.add(make_category_path("汽车"))
    return "汽车"


@pytest.mark.parametrize(
    "change",
    [_edit, _rename_category, _rename_author, _add_tag, _rename_tag, _change_alt_text, _change_caption, _recategorise],
)
def test_change_shows_on_the_next_article_view(client, article, clock, change):
    url = article.get_absolute_url()
    warm(client, url)
    shown = change(Article.objects.get(pk=article.pk))
    response = get(client, url)
    assert response["X-Cache"] == "miss"
    assert shown in response.content.decode()


def test_publishing_shows_the_article_on_the_next_home_view(client, article):
    draft = make_article("尚未发布的草稿", published=False)
    warm(client, "/")
    assert "尚未发布的草稿" not in get(client, "/").content.decode()
    draft.status, draft.published_at = Article.Status.PUBLISHED, timezone.now()
    draft.save()
    assert "尚未发布的草稿" in get(client, "/").content.decode()


@pytest.mark.parametrize("take_down", ["unpublish", "delete"])
def test_taking_an_article_down_removes_it_from_the_next_home_view(client, article, take_down):
    warm(client, "/")
    assert "晶圆厂扩产" in get(client, "/").content.decode()
    if take_down == "unpublish":
        article.status = Article.Status.UNPUBLISHED
        article.save()
    else:
        article.delete()
    response = get(client, "/")
    assert response["X-Cache"] == "miss"
    assert "晶圆厂扩产" not in response.content.decode()


def test_the_commit_retires_pages_cached_during_the_transaction(article, django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=True) as callbacks:
        article.title = "事务中的标题"
        article.save()
        # A reader rendering now still sees the old row and caches it under this version.
        during = caching.content_version()
    assert caching.bump_content_version in callbacks
    assert caching.content_version() != during


# --- scheduled publication and expiry ----------------------------------------------------------


@pytest.mark.parametrize(
    "fields",
    [
        {"published_at": NOW + 30 * MINUTE},  # scheduled: appears in 29 minutes from the render
        {"published_at": NOW - MINUTE, "expires_at": NOW + 30 * MINUTE},  # expires then
    ],
    ids=["publish", "expiry"],
)
def test_entry_timeout_never_passes_the_next_scheduled_moment(client, article, clock, settings, fields):
    settings.NEWSROOM = {**settings.NEWSROOM, "PAGE_CACHE_TIMEOUT": 3600}
    make_article("定时文章", **fields)
    clock.advance(MINUTE)
    remaining = (NOW + 30 * MINUTE - timezone.now()).total_seconds()
    assert caching.page_timeout() == remaining == 28 * 60
    get(client, "/")
    deadline, _, _ = cache.get(caching.page_key(caching.content_version(), f"http://{caching.canonical_host()}/"))
    assert deadline == timezone.now().timestamp() + remaining


def test_the_schedule_seeks_the_nearest_moments_instead_of_aggregating_every_article(article, clock):
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    make_article("已发布", published_at=NOW - 2 * MINUTE, expires_at=NOW + 5 * MINUTE)
    make_article("已过期", published_at=NOW - 3 * MINUTE, expires_at=NOW - MINUTE)
    make_article("定时", published_at=NOW + 9 * MINUTE)
    with CaptureQueriesContext(connection) as queries:
        last, upcoming = caching.schedule()
    [asked] = [q["sql"] for q in queries]
    # MAX()/MIN() over the published articles would read all of them on every content change.
    assert "MAX(" not in asked.upper() and "MIN(" not in asked.upper() and asked.count("LIMIT 1") >= 4
    assert (last, upcoming) == (NOW - MINUTE, NOW + 5 * MINUTE)


def test_timeout_is_the_default_when_nothing_is_scheduled(article):
    assert caching.page_timeout() == 600


def test_scheduled_article_appears_on_the_home_page_right_after_its_time(client, article, clock):
    make_article("定时发布的文章", published_at=timezone.now() + 10 * MINUTE)
    make_article("更晚发布的文章", published_at=timezone.now() + 90 * MINUTE)
    clock.advance(SECOND)
    warm(client, "/")
    assert "定时发布的文章" not in get(client, "/").content.decode()
    clock.advance(10 * MINUTE)
    response = get(client, "/")
    assert response["X-Cache"] == "miss"
    assert "定时发布的文章" in response.content.decode()
    assert "更晚发布的文章" not in response.content.decode()
    # The next moment is recomputed: the later article's time now bounds the entries.
    assert caching.page_timeout() == 600
    clock.advance(75 * MINUTE)
    assert caching.page_timeout() == 5 * 60 - 1


def test_expired_article_leaves_the_home_page_right_after_its_time(client, article, clock):
    make_article("限时文章", expires_at=timezone.now() + 5 * MINUTE)
    clock.advance(SECOND)
    warm(client, "/")
    clock.advance(5 * MINUTE)
    assert "限时文章" not in get(client, "/").content.decode()


# --- editors, previews and responses that must not be shared -----------------------------------


def test_logged_in_editor_gets_fresh_private_pages(chief_client, article):
    url = article.get_absolute_url()
    for _ in range(2):
        response = get(chief_client, url)
        assert "X-Cache" not in response
        assert "private" in response["Cache-Control"] and "no-cache" in response["Cache-Control"]
    Article.objects.filter(pk=article.pk).update(title="绕过信号的改动")  # no signal, no bump
    assert "绕过信号的改动" in get(chief_client, url).content.decode()


def test_previews_and_share_links_are_never_cached(client, chief_client, article):
    share = share_url(article)
    for _ in range(2):
        response = client.get(share)
        assert "X-Cache" not in response
        assert "no-store" in response["Cache-Control"]
    response = chief_client.get(f"/preview/{article.pk}/")
    assert response.status_code == 200 and "X-Cache" not in response


@pytest.mark.urls("articles.tests.test_caching")
@pytest.mark.parametrize("url", ["/sets-cookie/", "/varies-on-cookie/", "/never-cached/"])
def test_personal_responses_are_never_stored(client, url):
    assert get(client, url)["X-Cache"] == "miss"
    assert get(client, url)["X-Cache"] == "miss"


def test_not_found_is_not_stored(client, article):
    assert client.get("/tag/no-such-tag/").status_code == 404
    assert client.get("/tag/no-such-tag/")["X-Cache"] == "miss"


def test_page_cache_can_be_turned_off(client, article, settings):
    settings.NEWSROOM = {**settings.NEWSROOM, "PAGE_CACHE": False}
    assert "X-Cache" not in get(client, "/")


# --- conditional requests ----------------------------------------------------------------------


@pytest.mark.parametrize("page", ["article", "home", "category", "feed"])
def test_matching_etag_answers_304_on_miss_and_hit(client, article, page):
    url = page_urls(article)[page]
    etag = get(client, url)["ETag"]
    for _ in range(2):
        assert client.get(url, HTTP_IF_NONE_MATCH=etag).status_code == 304


@pytest.mark.parametrize("page_cache", [True, False])
def test_the_etag_is_the_pages_checksum_and_follows_its_content(client, article, settings, page_cache):
    import zlib

    settings.NEWSROOM = {**settings.NEWSROOM, "PAGE_CACHE": page_cache}
    url = page_urls(article)["article"]
    first = get(client, url)
    content = first.content
    # CRC-32 and Adler-32 of the page (articles.middleware.set_page_etag), not Django's MD5.
    assert first["ETag"] == f'"{zlib.crc32(content):08x}{zlib.adler32(content):08x}"'
    assert get(client, url)["ETag"] == first["ETag"]
    _edit(article)
    changed = get(client, url)
    assert changed.content != content and changed["ETag"] != first["ETag"]
    assert client.get(url, HTTP_IF_NONE_MATCH=first["ETag"]).status_code == 200


@pytest.mark.parametrize("page", ["article", "home", "feed"])
def test_if_modified_since_answers_304_until_the_next_change(client, article, clock, page):
    url = page_urls(article)[page]
    last_modified = get(client, url)["Last-Modified"]
    assert client.get(url, HTTP_IF_MODIFIED_SINCE=last_modified).status_code == 304
    clock.advance(MINUTE)
    _rename_author(article)
    response = client.get(url, HTTP_IF_MODIFIED_SINCE=last_modified)
    assert response.status_code == 200
    assert "大林" in response.content.decode()


def test_if_modified_since_sees_a_scheduled_publication(client, article, clock):
    make_article("定时发布的文章", published_at=timezone.now() + 10 * MINUTE)
    clock.advance(SECOND)
    last_modified = get(client, "/")["Last-Modified"]
    clock.advance(10 * MINUTE)
    response = client.get("/", HTTP_IF_MODIFIED_SINCE=last_modified)
    assert response.status_code == 200
    assert "定时发布的文章" in response.content.decode()


def test_no_last_modified_within_the_second_of_a_change(client, article):
    _rename_author(article)
    response = get(client, "/")
    assert "Last-Modified" not in response and response["ETag"]
