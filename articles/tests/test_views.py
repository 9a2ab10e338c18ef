import datetime as dt
import re

import pytest
from django.core.cache import cache
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from articles.tests.factories import make_article, make_author, make_category_path, make_image

pytestmark = pytest.mark.django_db

# A first view: which article is live at the address, then (its parts not yet kept, see
# articles.fragments) the article with its categories and tags, related articles, its approved
# comments (test_comments.py: whatever their number), the category tree, the schedule and (until
# editors choose the header's sections) the sections with the most live articles. A second view
# asks one query (test_fragments.py).
ARTICLE_PAGE_BUDGET = 9
LIST_PAGE_BUDGET = 8


@pytest.fixture
def newsroom():
    """Articles with three tags, a three-level category path, a thumbnail and a shared author."""
    author = make_author("36kr")
    leaves = [make_category_path("新媒体", "36kr", "资讯"), make_category_path("科技", "芯片", "制造")]
    start = timezone.now() - dt.timedelta(days=1)
    articles = [
        make_article(
            f"文章{i}",
            author=author,
            categories=[leaves[i % 2]],
            tags=["电商", f"标签{i}", "AI"],
            thumbnail=make_image(),
            hero_image=make_image(),
            published_at=start - dt.timedelta(hours=i),
        )
        for i in range(25)
    ]
    return {"author": author, "leaves": leaves, "articles": articles}


def list_urls(newsroom):
    article = newsroom["articles"][0]
    day = timezone.localdate(article.published_at)
    return [
        "/",
        "/?page=2",
        newsroom["leaves"][0].get_absolute_url(),
        newsroom["leaves"][0].get_ancestors_and_self()[0].get_absolute_url(),
        "/tag/dian-shang/",
        newsroom["author"].get_absolute_url(),
        f"/{day.year}/",
        f"/{day.year}/{day.month:02d}/",
    ]


def query_count(client, url):
    # From an empty cache: what pages keep (whole, or a card at a time) must not hide growth.
    cache.clear()
    with CaptureQueriesContext(connection) as queries:
        response = client.get(url)
    assert response.status_code == 200, url
    return len(queries)


def test_article_page_stays_within_its_query_budget(client, newsroom, settings, django_assert_max_num_queries):
    settings.NEWSROOM = {**settings.NEWSROOM, "PAGE_CACHE": False}  # the view's own queries
    article = newsroom["articles"][0]
    with django_assert_max_num_queries(ARTICLE_PAGE_BUDGET):
        response = client.get(article.get_absolute_url())
    assert response.status_code == 200


def test_list_pages_stay_within_their_query_budget(client, newsroom, django_assert_max_num_queries):
    for url in list_urls(newsroom):
        with django_assert_max_num_queries(LIST_PAGE_BUDGET, info=url):
            assert client.get(url).status_code == 200


def test_list_page_queries_do_not_grow_with_the_number_of_articles(client, newsroom):
    before = {url: query_count(client, url) for url in list_urls(newsroom)}
    for i in range(15):
        make_article(
            f"更多{i}",
            author=newsroom["author"],
            categories=newsroom["leaves"],
            tags=["电商", f"新标签{i}", "芯片", "云"],
            thumbnail=make_image(),
        )
    after = {url: query_count(client, url) for url in list_urls(newsroom)}
    assert after == before


def test_home_lists_newest_first_and_paginates(client, newsroom):
    first = client.get("/")
    titles = [a.title for a in first.context["articles"]]
    assert titles == [f"文章{i}" for i in range(20)]
    second = client.get("/?page=2")
    assert [a.title for a in second.context["articles"]] == [f"文章{i}" for i in range(20, 25)]
    assert 'rel="next"' in first.content.decode()
    assert 'rel="prev"' in second.content.decode()


def test_a_page_past_the_end_answers_404(client, newsroom):
    assert client.get("/?page=9").status_code == 404


def test_article_page_shows_breadcrumbs_tags_and_the_stored_body(client):
    leaf = make_category_path("新媒体", "36kr", "资讯")
    article = make_article(
        "抖音电商新举措",
        categories=[leaf],
        tags=["电商"],
        body='<p>正文<a href="https://example.org/x" target="_blank">链接</a></p>',
    )
    html = client.get(article.get_absolute_url()).content.decode()
    crumbs = re.search(r'<nav class="breadcrumbs[^"]*".*?</nav>', html, re.S).group(0)
    assert re.findall(r">([^<>]+)</a>", crumbs) == ["首页", "新媒体", "36kr", "资讯"]
    assert "<h1>抖音电商新举措</h1>" in html
    assert 'href="/tag/dian-shang/"' in html
    assert 'rel="noopener noreferrer nofollow" target="_blank"' in html


def test_category_page_lists_articles_of_descendants_with_breadcrumbs(client):
    leaf = make_category_path("科技", "芯片", "制造")
    other = make_category_path("商业")
    inside, outside = make_article("芯片厂扩产", categories=[leaf]), make_article("电商", categories=[other])
    response = client.get("/category/ke-ji/")
    assert list(response.context["articles"]) == [inside]
    response = client.get("/category/ke-ji/xin-pian/zhi-zao/")
    assert list(response.context["articles"]) == [inside]
    assert [c.name for c in response.context["breadcrumbs"]] == ["科技", "芯片", "制造"]
    assert outside.title not in response.content.decode()


def test_tag_and_author_pages_list_only_their_articles(client):
    author = make_author("李明")
    tagged = make_article("带标签", author=author, tags=["芯片"])
    make_article("无标签")
    assert list(client.get("/tag/xin-pian/").context["articles"]) == [tagged]
    assert list(client.get(author.get_absolute_url()).context["articles"]) == [tagged]
    assert author.get_absolute_url() == "/author/li-ming/"


def test_year_and_month_archives_use_local_dates(client):
    # 31 Dec 2024 17:00 UTC is 1 Jan 2025 in Shanghai.
    article = make_article("跨年", published_at=dt.datetime(2024, 12, 31, 17, tzinfo=dt.UTC))
    assert list(client.get("/2025/").context["articles"]) == [article]
    assert list(client.get("/2025/01/").context["articles"]) == [article]
    assert client.get("/2024/").status_code == 404


@pytest.mark.parametrize(
    "fields",
    [
        {"published": False},
        {"published_at": timezone.now() + dt.timedelta(days=1)},
    ],
    ids=["draft", "scheduled"],
)
def test_unpublished_and_future_articles_answer_404_everywhere(client, fields):
    leaf = make_category_path("科技")
    author = make_author("王")
    hidden = make_article("隐藏文章", author=author, categories=[leaf], tags=["秘密"], **fields)
    if hidden.published_at is None:
        hidden.published_at = timezone.now() - dt.timedelta(hours=1)
    assert client.get(hidden.get_absolute_url()).status_code == 404
    day = timezone.localdate(hidden.published_at)
    for url in ["/", leaf.get_absolute_url(), "/tag/mi-mi/", author.get_absolute_url(), f"/{day.year}/"]:
        response = client.get(url)
        assert "隐藏文章" not in response.content.decode(), url


def test_article_at_a_wrong_date_answers_404(client):
    article = make_article("日期", published_at=dt.datetime(2024, 5, 1, 4, tzinfo=dt.UTC))
    assert client.get(article.get_absolute_url()).status_code == 200
    assert client.get(f"/2024/05/02/{article.slug}/").status_code == 404


def test_unknown_category_tag_author_answer_404(client):
    for url in ["/category/nope/", "/tag/nope/", "/author/nope/", "/1999/"]:
        assert client.get(url).status_code == 404, url


def test_plain_text_fields_are_escaped(client):
    author = make_author("<b>作者</b>")
    article = make_article('标题 <img src=x onerror=alert(1)> & "引号"', author=author, summary="<i>摘要</i>")
    html = client.get(article.get_absolute_url()).content.decode()
    assert "标题 &lt;img src=x onerror=alert(1)&gt; &amp; &quot;引号&quot;" in html
    assert "&lt;b&gt;作者&lt;/b&gt;" in html
    assert "<i>摘要</i>" not in html


def test_pages_are_semantic_and_self_contained(client, newsroom):
    for url in [*list_urls(newsroom), newsroom["articles"][0].get_absolute_url()]:
        html = client.get(url).content.decode()
        assert '<html lang="zh-Hans">' in html, url
        assert html.count("<h1") == 1, url
        # The JSON-LD data block (articles.seo) is not a script: it is never executed.
        assert "<script" not in re.sub(r'<script type="application/ld\+json">.*?</script>', "", html, flags=re.S), url
        assert "style=" not in html, url
        stylesheets = re.findall(r'<link rel="stylesheet" href="([^"]+)"', html)
        assert stylesheets == ["/static/css/site.css"], url


def test_home_renders_with_no_articles(client):
    response = client.get("/")
    assert response.status_code == 200
    assert "暂无文章" in response.content.decode()
