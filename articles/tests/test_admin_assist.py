"""Typing assistance in the article form: the slug prefilled from the title and completions for
the tag input — the admin JSON views they read, the static modules (served from our own static
files, loaded as ES modules with no inline script), and both in real headless Chromium."""

import re
from pathlib import Path

import pytest
from django.contrib.auth import get_user_model
from django.contrib.staticfiles import finders
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from articles.admin import SLUG_FROM_TITLE_JS, TAG_SUGGEST_CSS, TAG_SUGGEST_JS
from articles.models import Article, Tag
from articles.tests.browsing import browser_test
from articles.tests.factories import STAFF_PASSWORD, make_article, make_staff

SLUG_URL = reverse("admin:articles_article_slug")
SUGGEST_URL = reverse("admin:articles_tag_suggest")
ADD_ARTICLE = reverse("admin:articles_article_add")
PASSWORD = STAFF_PASSWORD


def test_the_views_live_under_their_admins():
    assert SLUG_URL == "/admin/articles/article/slug/"
    assert SUGGEST_URL == "/admin/articles/tag/suggest/"


# --- Permissions ------------------------------------------------------------------------------


@pytest.mark.parametrize("url", [SLUG_URL, SUGGEST_URL])
def test_anonymous_visitors_are_sent_to_the_login_page(client, db, url):
    response = client.get(url, {"title": "标题", "q": "电"})
    assert response.status_code == 302
    assert response.url.startswith(reverse("admin:login"))


@pytest.mark.parametrize("url", [SLUG_URL, SUGGEST_URL])
def test_staff_without_permissions_are_refused(client, db, url):
    client.force_login(make_staff("nobody"))
    assert client.get(url, {"title": "标题", "q": "电"}).status_code == 403


@pytest.mark.parametrize("url", [SLUG_URL, SUGGEST_URL])
def test_writers_may_use_both(writer_client, url):
    response = writer_client.get(url, {"title": "标题", "q": "电"})
    assert response.status_code == 200
    assert response["Content-Type"] == "application/json"


def test_tag_suggestions_need_only_view_tag_or_change_article(client, db):
    from django.contrib.auth.models import Permission

    user = make_staff("tagger")
    user.user_permissions.add(Permission.objects.get(content_type__app_label="articles", codename="view_tag"))
    client.force_login(user)
    assert client.get(SUGGEST_URL, {"q": "电"}).status_code == 200
    assert client.get(SLUG_URL, {"title": "标题"}).status_code == 403


# --- The slug ---------------------------------------------------------------------------------


def test_a_chinese_title_gives_its_pinyin(writer_client):
    response = writer_client.get(SLUG_URL, {"title": "后台文章"})
    assert response.json() == {"slug": "hou-tai-wen-zhang"}


def test_mixed_and_empty_titles(writer_client):
    assert writer_client.get(SLUG_URL, {"title": "苹果发布iPhone 16"}).json()["slug"] == ("ping-guo-fa-bu-iphone-16")
    assert writer_client.get(SLUG_URL, {"title": ""}).json()["slug"] == "article"
    assert writer_client.get(SLUG_URL).json()["slug"] == "article"


def test_the_slug_is_unique_against_existing_articles(writer_client):
    make_article("后台文章")
    make_article("后台文章")  # hou-tai-wen-zhang-2
    assert writer_client.get(SLUG_URL, {"title": "后台文章"}).json()["slug"] == "hou-tai-wen-zhang-3"


def test_the_article_being_edited_does_not_count_as_taken(writer_client):
    article = make_article("后台文章")
    assert article.slug == "hou-tai-wen-zhang"
    response = writer_client.get(SLUG_URL, {"title": "后台文章", "pk": article.pk})
    assert response.json()["slug"] == "hou-tai-wen-zhang"
    # A nonsense pk is ignored rather than an error.
    assert writer_client.get(SLUG_URL, {"title": "后台文章", "pk": "x"}).json()["slug"] == ("hou-tai-wen-zhang-2")


def test_the_slug_matches_what_saving_would_give(writer_client):
    make_article("晶圆厂扩产")
    suggested = writer_client.get(SLUG_URL, {"title": "晶圆厂扩产"}).json()["slug"]
    assert suggested == make_article("晶圆厂扩产").slug


def test_long_titles_give_slugs_that_fit_the_field(writer_client):
    slug = writer_client.get(SLUG_URL, {"title": "很长的标题" * 40}).json()["slug"]
    assert 0 < len(slug) <= Article._meta.get_field("slug").max_length


# --- Tag suggestions --------------------------------------------------------------------------


def tag_uses(name, count):
    tag = Tag.objects.create(name=name)
    for _ in range(count):
        make_article(tags=[tag])
    return tag


def test_suggestions_contain_the_query_most_used_first(writer_client):
    tag_uses("电动车", 1)
    tag_uses("电商", 3)
    tag_uses("充电桩", 2)
    tag_uses("芯片", 5)
    response = writer_client.get(SUGGEST_URL, {"q": "电"})
    assert response.json() == {"tags": ["电商", "充电桩", "电动车"]}


def test_suggestions_ignore_case(writer_client):
    tag_uses("OpenAI", 2)
    tag_uses("openSUSE", 1)
    tag_uses("Linux", 4)
    assert writer_client.get(SUGGEST_URL, {"q": "OPEN"}).json()["tags"] == ["OpenAI", "openSUSE"]
    assert writer_client.get(SUGGEST_URL, {"q": "  linux "}).json()["tags"] == ["Linux"]


def test_an_empty_query_suggests_nothing(writer_client):
    tag_uses("电商", 1)
    assert writer_client.get(SUGGEST_URL).json() == {"tags": []}
    assert writer_client.get(SUGGEST_URL, {"q": " "}).json() == {"tags": []}


def test_at_most_ten_suggestions(writer_client):
    Tag.objects.bulk_create(Tag(name=f"标签{n}", slug=f"biao-qian-{n}") for n in range(15))
    assert len(writer_client.get(SUGGEST_URL, {"q": "标签"}).json()["tags"]) == 10


def test_the_query_count_does_not_grow_with_the_tags(chief_client):
    def count_queries():
        chief_client.get(SUGGEST_URL, {"q": "标签"})  # warm the session and user caches alike
        with CaptureQueriesContext(connection) as queries:
            assert chief_client.get(SUGGEST_URL, {"q": "标签"}).status_code == 200
        return len(queries)

    tag_uses("标签甲", 1)
    few = count_queries()
    for n in range(8):
        tag_uses(f"标签{n}", n % 3)
    many = count_queries()
    assert few == many
    with CaptureQueriesContext(connection) as queries:
        chief_client.get(SUGGEST_URL, {"q": "标签"})
    assert sum('"articles_tag"' in q["sql"] for q in queries.captured_queries) == 1


# --- The form and the static modules ----------------------------------------------------------


def test_the_add_page_loads_both_modules_and_carries_the_addresses(writer_client):
    html = writer_client.get(ADD_ARTICLE).content.decode()
    # With the request's CSP nonce, as every script of the article form carries it.
    for module in (SLUG_FROM_TITLE_JS, TAG_SUGGEST_JS):
        assert re.search(rf'<script src="/static/{module}" nonce="[^"]+" type="module"></script>', html)
    assert f'href="/static/{TAG_SUGGEST_CSS}"' in html
    assert f'data-slug-url="{SLUG_URL}"' in html
    assert f'data-suggest-url="{SUGGEST_URL}"' in html
    assert "data-slug-pk" not in html


def test_the_change_page_names_the_article_for_the_slug(chief_client):
    article = make_article("草稿文章", published=False)
    html = chief_client.get(reverse("admin:articles_article_change", args=[article.pk])).content.decode()
    assert f'data-slug-pk="{article.pk}"' in html
    assert f'data-slug-url="{SLUG_URL}"' in html


def test_a_published_articles_slug_is_read_only_and_has_no_prefill(chief_client):
    article = make_article("已发布文章")
    html = chief_client.get(reverse("admin:articles_article_change", args=[article.pk])).content.decode()
    assert "data-slug-url" not in html
    assert f'data-suggest-url="{SUGGEST_URL}"' in html


def test_the_modules_are_found_by_the_staticfiles_finders():
    for asset in (SLUG_FROM_TITLE_JS, TAG_SUGGEST_JS, TAG_SUGGEST_CSS):
        found = finders.find(asset)
        assert found, asset
        text = Path(found).read_text(encoding="utf-8")
        assert "https://" not in text and "http://" not in text  # nothing fetched from outside


# --- In the browser ---------------------------------------------------------------------------


@browser_test
def test_the_slug_follows_the_title_and_tags_are_completed(page, live_server):
    get_user_model().objects.create_superuser("chief", password=PASSWORD)
    make_article("旧闻", tags=[Tag.objects.create(name="电商")])
    Tag.objects.create(name="芯片")

    page.goto(live_server.url + ADD_ARTICLE)
    page.fill("#id_username", "chief")
    page.fill("#id_password", PASSWORD)
    page.click("input[type=submit]")
    page.wait_for_url(live_server.url + ADD_ARTICLE)

    # The slug follows the title while the user has not typed one of their own.
    page.locator("#id_title").press_sequentially("后台文章")
    # Functions, not expression strings: Playwright evals those, which the admin's CSP refuses.
    page.wait_for_function("() => document.getElementById('id_slug').value === 'hou-tai-wen-zhang'")
    page.locator("#id_title").press_sequentially("测试")
    page.wait_for_function("() => document.getElementById('id_slug').value === 'hou-tai-wen-zhang-ce-shi'")
    page.fill("#id_slug", "my-own")
    page.locator("#id_title").press_sequentially("二")
    page.wait_for_timeout(800)
    assert page.input_value("#id_slug") == "my-own"

    # The last comma-separated token is completed from the tags in use, by keyboard.
    tags = page.locator("#id_tags")
    tags.click()
    tags.press_sequentially("电")
    option = page.get_by_role("option", name="电商")
    option.wait_for()
    assert page.get_by_role("listbox").get_by_role("option").count() == 1  # (the form's selects have options too)
    tags.press("ArrowDown")
    assert option.get_attribute("aria-selected") == "true"
    tags.press("Enter")
    assert tags.input_value() == "电商, "
    assert page.locator("#id_tags_suggestions").is_hidden()
    assert page.url == live_server.url + ADD_ARTICLE  # Enter chose; it did not submit

    # Escape closes the list; a click chooses too.
    tags.press_sequentially("芯")
    page.get_by_role("option", name="芯片").wait_for()
    tags.press("Escape")
    assert page.locator("#id_tags_suggestions").is_hidden()
    tags.press("Backspace")
    tags.press_sequentially("芯")
    page.get_by_role("option", name="芯片").click()
    assert tags.input_value() == "电商, 芯片, "

    assert page.errors == []
    assert page.external_requests == []
