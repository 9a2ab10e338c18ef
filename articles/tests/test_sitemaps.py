import datetime as dt
import xml.etree.ElementTree as ET

import pytest
from django.utils import timezone

from articles.models import Article
from articles.sitemaps import ArticleSitemap, subtree_last_changes
from articles.tests.factories import make_article, make_author, make_category_path

pytestmark = pytest.mark.django_db

SITE = "https://news.example.com"
NS = {
    "sm": "http://www.sitemaps.org/schemas/sitemap/0.9",
    "news": "http://www.google.com/schemas/sitemap-news/0.9",
}
SECTIONS = ["articles", "categories", "tags", "authors", "news"]
# Each section: its page count and its latest change; categories find their rows in two queries.
INDEX_BUDGET = 2 * len(SECTIONS) + 1
SECTION_BUDGET = 2


@pytest.fixture(autouse=True)
def public_site(settings):
    """A public address unlike the test client's host, so links taken from the request show."""
    settings.NEWSROOM = {**settings.NEWSROOM, "SITE_URL": SITE}


def xml(client, url):
    response = client.get(url)
    assert response.status_code == 200, url
    assert response["Content-Type"] == "application/xml"
    return ET.fromstring(response.content)


def locations(client, url):
    return [loc.text for loc in xml(client, url).iterfind(".//sm:loc", NS)]


def lastmods(client, url):
    """{location: lastmod} of a sitemap page or the index."""
    found = {}
    for entry in xml(client, url):
        lastmod = entry.findtext("sm:lastmod", namespaces=NS)
        found[entry.findtext("sm:loc", namespaces=NS)] = lastmod and dt.datetime.fromisoformat(lastmod)
    return found


def test_index_lists_every_section_on_the_public_site(client):
    make_article()
    assert locations(client, "/sitemap.xml") == [f"{SITE}/sitemap-{section}.xml" for section in SECTIONS]


def test_index_paginates_long_sections_and_pages_hold_the_rest(client, monkeypatch):
    monkeypatch.setattr(ArticleSitemap, "limit", 2)
    articles = [make_article(published_at=timezone.now() - dt.timedelta(days=i + 1)) for i in range(5)]
    index = locations(client, "/sitemap.xml")
    pages = [f"{SITE}/sitemap-articles.xml", f"{SITE}/sitemap-articles.xml?p=2", f"{SITE}/sitemap-articles.xml?p=3"]
    assert index[:3] == pages
    listed = [loc for page in ("", "?p=2", "?p=3") for loc in locations(client, f"/sitemap-articles.xml{page}")]
    # Oldest first: a new article joins the last page and leaves the others as they were.
    assert listed == [SITE + article.get_absolute_url() for article in reversed(articles)]
    assert client.get("/sitemap-articles.xml?p=4").status_code == 404


def test_lastmod_is_the_articles_last_change(client):
    article = make_article()
    Article.objects.filter(pk=article.pk).update(updated_at=timezone.now() + dt.timedelta(minutes=5))
    article.refresh_from_db()
    assert lastmods(client, "/sitemap-articles.xml") == {SITE + article.get_absolute_url(): article.updated_at}
    assert lastmods(client, "/sitemap.xml")[f"{SITE}/sitemap-articles.xml"] == article.updated_at


def test_only_live_articles_are_listed(client):
    now = timezone.now()
    live = make_article("已发布", published_at=now - dt.timedelta(hours=1))
    make_article("草稿", published=False)
    make_article("定时", published_at=now + dt.timedelta(hours=1))
    make_article("已下线", published_at=now - dt.timedelta(days=1), expires_at=now - dt.timedelta(hours=1))
    assert locations(client, "/sitemap-articles.xml") == [SITE + live.get_absolute_url()]
    assert locations(client, "/sitemap-news.xml") == [SITE + live.get_absolute_url()]


def test_scheduled_article_is_listed_the_moment_it_goes_live(client, monkeypatch):
    now = timezone.now()
    article = make_article("定时", published_at=now + dt.timedelta(hours=1))
    assert locations(client, "/sitemap-articles.xml") == []
    assert locations(client, "/sitemap-news.xml") == []

    monkeypatch.setattr(timezone, "now", lambda: now + dt.timedelta(hours=2))

    url = SITE + article.get_absolute_url()
    # Saved before it went live: its page changed when it appeared.
    assert lastmods(client, "/sitemap-articles.xml") == {url: article.published_at}
    assert locations(client, "/sitemap-news.xml") == [url]


def test_news_sitemap_holds_the_last_two_days_in_the_news_namespace(client, settings):
    now = timezone.now()
    fresh = make_article("新闻 & 快讯", published_at=now - dt.timedelta(hours=47))
    make_article("旧闻", published_at=now - dt.timedelta(hours=49))
    root = xml(client, "/sitemap-news.xml")
    [url] = root.findall("sm:url", NS)
    assert url.findtext("sm:loc", namespaces=NS) == SITE + fresh.get_absolute_url()
    news = url.find("news:news", NS)
    assert news.findtext("news:publication/news:name", namespaces=NS) == settings.NEWSROOM["SITE_NAME"]
    assert news.findtext("news:publication/news:language", namespaces=NS) == "zh-cn"
    assert news.findtext("news:title", namespaces=NS) == "新闻 & 快讯"
    published = dt.datetime.fromisoformat(news.findtext("news:publication_date", namespaces=NS))
    assert published == fresh.published_at


def test_categories_with_live_articles_below_them_are_listed_with_the_latest_change(client):
    chips = make_category_path("科技", "芯片")
    make_category_path("空分类")
    make_article("草稿", published=False, categories=[make_category_path("只有草稿")])
    older = make_article(categories=[chips.parent], published_at=timezone.now() - dt.timedelta(days=3))
    newer = make_article(categories=[chips])
    Article.objects.filter(pk=older.pk).update(updated_at=timezone.now() - dt.timedelta(days=2))
    assert lastmods(client, "/sitemap-categories.xml") == {
        f"{SITE}/category/ke-ji/": newer.updated_at,
        f"{SITE}/category/ke-ji/xin-pian/": newer.updated_at,
    }


def test_tags_and_authors_with_live_articles_are_listed(client):
    author = make_author("记者甲")
    make_article(author=author, tags=["电商", "AI"])
    make_article("草稿", published=False, author=make_author("只写草稿"), tags=["未发布"])
    assert sorted(locations(client, "/sitemap-tags.xml")) == [f"{SITE}/tag/ai/", f"{SITE}/tag/dian-shang/"]
    assert locations(client, "/sitemap-authors.xml") == [SITE + author.get_absolute_url()]


def test_subject_lastmod_ignores_unpublished_articles(client):
    author = make_author("记者乙")
    live = make_article(author=author, tags=["AI"])
    draft = make_article(published=False, author=author, tags=["AI"])
    Article.objects.filter(pk=draft.pk).update(updated_at=timezone.now() + dt.timedelta(days=1))
    assert lastmods(client, "/sitemap-tags.xml") == {f"{SITE}/tag/ai/": live.updated_at}
    assert lastmods(client, "/sitemap-authors.xml") == {SITE + author.get_absolute_url(): live.updated_at}


def test_subtree_last_changes_reach_every_ancestor():
    monday, tuesday = dt.datetime(2025, 6, 2), dt.datetime(2025, 6, 3)
    assert subtree_last_changes({"a/b/c": monday, "a/d": tuesday, "e": monday}) == {
        "a": tuesday, "a/b": monday, "a/b/c": monday, "a/d": tuesday, "e": monday,
    }  # fmt: skip


def test_unknown_section_is_not_found(client):
    assert client.get("/sitemap-nothing.xml").status_code == 404


def test_robots_txt_keeps_crawlers_out_and_points_at_the_index(client):
    response = client.get("/robots.txt")
    assert response["Content-Type"] == "text/plain; charset=utf-8"
    assert response.content.decode() == (
        f"User-agent: *\nDisallow: /admin/\nDisallow: /preview/\nDisallow: /share/\n\nSitemap: {SITE}/sitemap.xml\n"
    )


def test_sitemaps_cost_a_fixed_number_of_queries(client, settings, django_assert_max_num_queries):
    settings.NEWSROOM = {**settings.NEWSROOM, "PAGE_CACHE": False}  # the view's own queries
    leaf = make_category_path("科技", "芯片")
    for i in range(12):
        make_article(author=make_author(), categories=[leaf], tags=["AI", f"标签{i}"])
    with django_assert_max_num_queries(INDEX_BUDGET):
        client.get("/sitemap.xml")
    for section in SECTIONS:
        with django_assert_max_num_queries(SECTION_BUDGET):
            assert client.get(f"/sitemap-{section}.xml").status_code == 200
