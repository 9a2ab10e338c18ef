"""Category pages (in_category()): a category with many articles below it is read newest first on
SQLite, a rarer one from its links; readers see the same list either way."""

import datetime as dt

import pytest
from django.core.cache import cache
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from articles import querysets
from articles.models import Article, Category
from articles.navigation import categories_by_path
from articles.tests.factories import make_article, make_author, make_category_path
from articles.views import ArticleListView

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def small_pages(monkeypatch):
    """Two articles a page, counting two pages ahead: a few articles make many pages."""
    monkeypatch.setattr(ArticleListView, "paginate_by", 2)
    monkeypatch.setattr(ArticleListView, "pages_ahead", 2)


def filed_archive():
    """Under 科技 › 芯片: six live articles in the leaf 制造, one in 芯片 itself and one in both,
    a draft and a scheduled one; under 商业, one article. Returns 芯片's address."""
    author, now = make_author(), timezone.now()
    chips = make_category_path("科技", "芯片")
    fab = make_category_path("科技", "芯片", "制造")
    business = make_category_path("商业")
    hours = iter(range(1, 100))

    def filed(title, *categories, **fields):
        fields.setdefault("published_at", now - dt.timedelta(hours=next(hours)))
        make_article(title, author=author, categories=categories, **fields)

    for i in range(3):
        filed(f"制造{i}", fab)
        filed(f"商业{i}", business)
        filed(f"制造{i}b", fab)
    filed("芯片本身", chips)
    filed("两处都有", chips, fab)
    filed("芯片草稿", fab, published=False)
    filed("芯片定时", fab, status="published", published_at=now + dt.timedelta(days=1))
    return chips.get_absolute_url()


def titles(response):
    return [article.title for article in response.context["articles"]]


def listings(captured):
    """The queries of articles by category (not the tree's, the cards' categories, nor the
    subcategories' counts)."""
    return [
        q["sql"]
        for q in captured
        if 'FROM "articles_article"' in q["sql"]
        and "articles_article_categories" in q["sql"]
        and not q["sql"].startswith("SELECT (SELECT COUNT(*)")
    ]


def test_categories_with_many_articles_below_them_are_told_from_rare_ones(monkeypatch):
    monkeypatch.setattr(querysets, "COMMON_CATEGORY_ARTICLES", 9)
    filed_archive()
    common = {category.name: category.is_common for category in categories_by_path().values()}
    # 制造 holds 9 links (the draft and the scheduled one count: the probe counts links); 芯片,
    # with its own two, and 科技, with none, hold 11 below them; 商业 3.
    assert common == {"科技": True, "芯片": True, "制造": True, "商业": False}
    cache.clear()
    monkeypatch.setattr(querysets, "COMMON_CATEGORY_ARTICLES", 10)
    common = {category.name: category.is_common for category in categories_by_path().values()}
    assert common == {"科技": True, "芯片": True, "制造": False, "商业": False}


@pytest.mark.parametrize("page", ["1", "2", "4", "last"])
def test_a_common_category_lists_what_a_rare_one_would(client, monkeypatch, page):
    url = filed_archive()
    monkeypatch.setattr(querysets, "COMMON_CATEGORY_ARTICLES", 10**6)
    with CaptureQueriesContext(connection) as fetched_queries:
        fetched = client.get(url, {"page": page})
    cache.clear()  # neither the page nor the category tree as fetched is served again
    monkeypatch.setattr(querysets, "COMMON_CATEGORY_ARTICLES", 1)
    with CaptureQueriesContext(connection) as walked_queries:
        walked = client.get(url, {"page": page})
    assert walked.context["category"].is_common and not fetched.context["category"].is_common
    assert titles(walked) == titles(fetched) and titles(walked)
    assert walked.context["paginator"].count == fetched.context["paginator"].count
    assert len(walked_queries) == len(fetched_queries)


def test_a_common_category_page_is_read_newest_first(client, monkeypatch):
    monkeypatch.setattr(querysets, "COMMON_CATEGORY_ARTICLES", 1)
    url = filed_archive()
    with CaptureQueriesContext(connection) as captured:
        first = client.get(url)  # the page's ids and its bounded count: one ordered, sliced read
        client.get(url + "?page=last")  # the run's ids, which give the count and the last page
    listing = [sql for sql in listings(captured) if "ORDER BY" in sql]
    assert titles(first) == ["制造0", "制造0b"]
    assert len(listing) == 2 and not [sql for sql in listings(captured) if "COUNT(*)" in sql]
    # SQLite would list every link below the category and sort the articles: it is asked row by
    # row instead, and stops at the page. PostgreSQL chooses between the two plans itself.
    assert all(("EXISTS" in sql) == (connection.vendor == "sqlite") for sql in listing)


def test_a_rare_category_is_still_read_from_its_links(client):
    url = filed_archive()
    with CaptureQueriesContext(connection) as captured:
        response = client.get(url)
    assert titles(response) == ["制造0", "制造0b"]
    listing = listings(captured)
    assert listing and not any("EXISTS" in sql for sql in listing)


def test_categories_from_the_tree_know_their_subtrees_and_list_what_they_list_from_the_database():
    filed_archive()
    known = categories_by_path()
    ids = {path: category.pk for path, category in known.items()}
    assert sorted(known["ke-ji/xin-pian"].subtree_ids) == sorted([ids["ke-ji/xin-pian"], ids["ke-ji/xin-pian/zhi-zao"]])
    assert known["shang-ye"].subtree_ids == [ids["shang-ye"]]
    for path, category in known.items():
        from_database = Category.objects.get(path=path)
        assert list(Article.objects.published().in_category(category)) == list(
            Article.objects.published().in_category(from_database)
        )
