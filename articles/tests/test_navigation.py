"""The header's sections chosen by editors (Category.in_navigation, in Category.position order;
until they choose, the top-level categories with the most live articles), the category tree at
/category/ with live-article counts, and a category page's subcategories."""

import re

import pytest
from django.core.cache import cache
from django.db import connection
from django.test.utils import CaptureQueriesContext

from articles.models import Category
from articles.tests.factories import make_article, make_category_path

pytestmark = pytest.mark.django_db


def sections(html):
    nav = re.search(r'<nav class="site-nav"[^>]*>(.*?)</nav>', html, re.S).group(1)
    return re.findall(r'<li>\s*<a href="[^"]*">([^<]*)</a></li>', nav)


def live_in(*names, count=1, **fields):
    leaf = make_category_path(*names)
    for _ in range(count):
        make_article(categories=[leaf], **fields)
    return leaf


def queries_of(client, url):
    cache.clear()
    with CaptureQueriesContext(connection) as queries:
        assert client.get(url).status_code == 200
    return len(queries)


@pytest.fixture
def newsroom():
    """Sections as a Chinese newsroom has them, plus Latin-named roots that sort first by name."""
    live_in("科技", "芯片", count=3)
    live_in("科技", "手机", count=1)
    live_in("商业", count=2)
    live_in("新媒体", "36kr", "快讯", count=1)
    live_in("新媒体", "36kr", "资讯", count=2, published=False)  # drafts are not counted
    for name in ("AI", "Apple", "Blockchain"):
        make_category_path(name)  # no live article
    return Category.objects.get(path="ke-ji")


def test_until_editors_choose_the_header_shows_the_sections_with_the_most_live_articles(client, newsroom):
    assert sections(client.get("/").content.decode()) == ["科技", "商业", "新媒体"]


def test_an_article_filed_in_two_subcategories_counts_once(client):
    both = make_article(categories=[make_category_path("国际", "亚洲"), make_category_path("国际", "欧洲")])
    live_in("体育", count=2)
    assert both.categories.count() == 2
    assert sections(client.get("/").content.decode()) == ["体育", "国际"]


def test_the_header_shows_the_categories_editors_chose_in_their_order(client, newsroom):
    for path, position in (("shang-ye", 2), ("ai", 1), ("ke-ji/xin-pian", 3)):
        category = Category.objects.get(path=path)
        category.in_navigation, category.position = True, position
        category.save()
    assert sections(client.get("/").content.decode()) == ["AI", "商业", "芯片"]


def test_the_header_links_to_the_whole_category_tree(client, newsroom):
    assert '<li class="site-nav-all"><a href="/category/">全部分类</a></li>' in client.get("/").content.decode()


def test_the_header_costs_one_query_a_content_version_until_editors_choose(client, newsroom, settings):
    settings.NEWSROOM = {**settings.NEWSROOM, "PAGE_CACHE": False}
    counted = queries_of(client, "/")
    live_in("更多", "更深", count=3)  # more categories and articles: the same queries
    assert queries_of(client, "/") == counted
    Category.objects.filter(path="shang-ye").update(in_navigation=True)
    assert queries_of(client, "/") == counted - 1  # chosen: read from the kept category tree
    with CaptureQueriesContext(connection) as queries:
        client.get("/")
    assert len(queries) < counted - 1  # the next view reuses what the first kept


def test_the_category_list_shows_the_whole_tree_with_live_counts(client, newsroom):
    html = client.get("/category/").content.decode()
    tree = re.sub(r"\s+", " ", html[html.index('<ul class="category-tree">') : html.index("</main>")])
    assert '<a href="/category/ke-ji/">科技</a> <span class="category-count">4 篇</span>' in tree
    assert '<a href="/category/ke-ji/xin-pian/">芯片</a> <span class="category-count">3 篇</span>' in tree
    assert '<a href="/category/xin-mei-ti/36kr/zi-xun/">资讯</a> <span class="category-count">0 篇</span>' in tree
    assert '<a href="/category/xin-mei-ti/">新媒体</a> <span class="category-count">1 篇</span>' in tree
    assert '<a href="/category/ai/">AI</a> <span class="category-count">0 篇</span>' in tree
    # Nested: 快讯 inside 36kr inside 新媒体.
    assert re.search(r"新媒体</a>.*?<ul.*?36kr</a>.*?<ul.*?快讯</a>", tree)
    assert "<title>全部分类 · " in html


def test_the_category_list_costs_a_fixed_number_of_queries(client, newsroom, settings):
    settings.NEWSROOM = {**settings.NEWSROOM, "PAGE_CACHE": False}
    counted = queries_of(client, "/category/")
    for n in range(5):
        live_in("新分类", f"子分类{n}", count=2)
    assert queries_of(client, "/category/") == counted
    # The tree, the counts of every category, the header's ranking of the top ones, the schedule.
    assert counted == 4


def test_a_category_page_lists_its_subcategories_with_their_live_articles(client, newsroom):
    html = re.sub(r"\s+", " ", client.get(newsroom.get_absolute_url()).content.decode())
    subcategories = re.search(r'<nav class="subcategories"[^>]*>(.*?)</nav>', html).group(1)
    assert re.findall(r'<a href="([^"]+)">([^<]+)</a> <span class="category-count">(\d+)</span>', subcategories) == [
        ("/category/ke-ji/shou-ji/", "手机", "1"),
        ("/category/ke-ji/xin-pian/", "芯片", "3"),
    ]


def test_a_leaf_category_page_lists_no_subcategories(client, newsroom):
    assert 'class="subcategories"' not in client.get("/category/ke-ji/xin-pian/").content.decode()


# --- the admin ---------------------------------------------------------------------------------


def test_editors_choose_and_order_the_sections_in_the_category_list(chief_client, client, newsroom):
    changelist = chief_client.get("/admin/articles/category/").content.decode()
    assert 'name="form-0-in_navigation"' in changelist and 'name="form-0-position"' in changelist
    assert "?in_navigation__exact=1" in changelist  # the filter
    categories = list(Category.objects.order_by("path"))
    data = {"form-TOTAL_FORMS": len(categories), "form-INITIAL_FORMS": len(categories), "_save": "保存"}
    chosen = {"shang-ye": 1, "xin-mei-ti": 2}
    for index, category in enumerate(categories):
        data[f"form-{index}-id"] = category.pk
        data[f"form-{index}-position"] = chosen.get(category.path, category.position)
        if category.path in chosen:
            data[f"form-{index}-in_navigation"] = "on"
    assert chief_client.post("/admin/articles/category/", data).status_code == 302
    assert sections(client.get("/").content.decode()) == ["商业", "新媒体"]


def test_the_category_form_offers_the_navigation_choice(chief_client, newsroom):
    page = chief_client.get(f"/admin/articles/category/{newsroom.pk}/change/").content.decode()
    assert 'name="in_navigation"' in page


def test_counts_stop_at_the_cap_and_say_so(client, newsroom, monkeypatch):
    from articles import navigation

    monkeypatch.setattr(navigation, "LIVE_COUNT_CAP", 1)
    tree = re.sub(r"\s+", " ", client.get("/category/").content.decode())
    assert '<a href="/category/ke-ji/">科技</a> <span class="category-count">1+ 篇</span>' in tree
    assert '<a href="/category/xin-mei-ti/">新媒体</a> <span class="category-count">1 篇</span>' in tree
    # Past the cap, sections rank in the editors' order, then by name: 商业 (2) ties with 科技 (4).
    assert sections(client.get("/").content.decode()) == ["商业", "科技", "新媒体"]
