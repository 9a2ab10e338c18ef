"""The read-only JSON API (articles.api): what it says of an article, what it lists and in which
order, what it refuses, and how it is cached, throttled and opened to other sites."""

import datetime as dt
import io
from urllib.parse import urlsplit

import pytest
from django.core.files.storage import default_storage
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone
from PIL import Image as PILImage

from articles import seo, text
from articles.api import urls as api_urls
from articles.api.pagination import decode, encode
from articles.api.parameters import parse_moment
from articles.images.library import store_image
from articles.models import Article, Category, LegacyURL
from articles.tests.factories import freeze_clock, make_article, make_author, make_category_path, make_image
from articles.tests.pictures import make_jpeg
from articles.tests.test_page_cache_front import _test_transaction_kept, call  # noqa: F401 - a fixture
from config.wsgi import application

pytestmark = pytest.mark.django_db

SITE = "http://127.0.0.1:8000"
LIST = "/api/v1/articles/"


@pytest.fixture(autouse=True)
def _site_url(settings):
    settings.NEWSROOM = {**settings.NEWSROOM, "SITE_URL": SITE}


def local(url):
    """A link the API gave (absolute on SITE_URL) as the test client asks for it."""
    parts = urlsplit(url)
    assert f"{parts.scheme}://{parts.netloc}" == SITE
    return f"{parts.path}?{parts.query}" if parts.query else parts.path


def walk(client, url):
    """Every item of a paginated list, following `next` to the end; and the pages' sizes."""
    items, sizes = [], []
    while url:
        answer = client.get(url)
        assert answer.status_code == 200, answer.content
        page = answer.json()
        items += page["results"]
        sizes.append(len(page["results"]))
        url = local(page["next"]) if page["next"] else None
    return items, sizes


def newest_first(articles):
    return [a.pk for a in sorted(articles, key=lambda a: (a.published_at, a.pk), reverse=True)]


# --- an article, every field ---------------------------------------------------------------------


@pytest.fixture
def full_article():
    hero = store_image(
        make_jpeg(1200, 675), name="hero.jpg", alt_text="发布会现场", caption="发布会", credit="本报摄影"
    ).image
    return make_article(
        "芯片发布会 <现场>",
        author=make_author("李明", bio="科技记者"),
        categories=[make_category_path("科技", "芯片"), make_category_path("商业")],
        tags=["芯片", "发布会"],
        hero_image=hero,
        summary="一场发布会的摘要。",
        body='<p>第一段，<a href="https://example.org/">链接</a>。</p><h2>小标题</h2><p>第二段 &amp; 结尾。</p>',
        seo_title="搜索结果里的标题",
        language="zh-Hant",
    )


def expected_image(image):
    renditions = []
    for width, webp, fallback in image.rendition_sources():
        with default_storage.open(urlsplit(fallback).path.removeprefix("/media/")) as stored:
            size = PILImage.open(io.BytesIO(stored.read())).size  # the file's own size, not a formula's
        renditions.append({"width": width, "height": size[1], "webp": SITE + webp, "fallback": SITE + fallback})
    card = seo.social_image(image)
    return {
        "url": SITE + image.url,
        "width": image.width,
        "height": image.height,
        "alt": image.alt_text,
        "caption": image.caption,
        "credit": image.credit,
        "renditions": renditions,
        "social_card": {"url": card["url"], "width": card["width"], "height": card["height"]},
    }


def expected_summary(article):
    article = Article.objects.get(pk=article.pk)
    return {
        "id": article.pk,
        "title": article.title,
        "summary": article.summary,
        "url": SITE + article.get_absolute_url(),
        "api_url": f"{SITE}/api/v1/articles/{article.pk}/",
        "language": article.language,
        "published_at": timezone.localtime(article.published_at).isoformat(),
        "modified_at": timezone.localtime(seo.modified_time(article)).isoformat(),
        "author": {
            "name": article.author.name,
            "slug": article.author.slug,
            "url": f"{SITE}/author/{article.author.slug}/",
        },
        "categories": [
            {"name": category.name, "path": category.path, "url": f"{SITE}/category/{category.path}/"}
            for category in article.categories.order_by("path")
        ],
        "tags": [
            {"name": tag.name, "slug": tag.slug, "url": f"{SITE}/tag/{tag.slug}/"}
            for tag in article.tags.order_by("name")
        ],
        "hero_image": expected_image(article.hero_image) if article.hero_image else None,
    }


def expected_whole(article):
    stored = Article.objects.get(pk=article.pk)
    return {
        **expected_summary(article),
        "body_html": stored.body,
        "plain_text": text.plain_text(stored.body),
        "seo_title": seo.article_title(stored),
        "seo_description": seo.article_description(stored),
    }


def in_model_order(data):
    """The answer with its categories and tags in the order expected_summary() lists them."""
    return {
        **data,
        "categories": sorted(data["categories"], key=lambda c: c["path"]),
        "tags": sorted(data["tags"], key=lambda t: t["name"]),
    }


def test_an_article_says_every_field_the_model_holds(client, full_article):
    data = client.get(f"/api/v1/articles/{full_article.pk}/").json()

    assert in_model_order(data) == expected_whole(full_article)
    assert data["published_at"].endswith("+08:00")
    assert data["seo_title"] == "搜索结果里的标题" and data["title"] == "芯片发布会 <现场>"
    assert data["language"] == "zh-Hant"
    assert data["plain_text"] == "第一段，链接。小标题第二段 & 结尾。"
    assert data["hero_image"]["social_card"]["width"] == 1200
    assert [r["width"] for r in data["hero_image"]["renditions"]] == [320, 640, 960, 1200]


def test_the_list_gives_each_article_but_its_body(client, full_article):
    (listed,) = client.get(LIST).json()["results"]

    assert in_model_order(listed) == expected_summary(full_article)


def test_the_site_address_answers_the_same_article(client, full_article):
    by_path = client.get("/api/v1/articles/by-path/", {"path": full_article.get_absolute_url()})
    by_url = client.get("/api/v1/articles/by-path/", {"path": SITE + full_article.get_absolute_url()})

    assert by_path.status_code == by_url.status_code == 200
    assert by_path.json() == by_url.json() == client.get(f"/api/v1/articles/{full_article.pk}/").json()


def test_a_remote_hero_image_has_no_renditions(client):
    article = make_article(hero_image=make_image("https://img.example.com/legacy.jpg", alt_text="旧图"))

    image = client.get(f"/api/v1/articles/{article.pk}/").json()["hero_image"]

    assert image["url"] == "https://img.example.com/legacy.jpg"
    assert image["renditions"] == []
    assert image["social_card"] == {"url": "https://img.example.com/legacy.jpg", "width": None, "height": None}


# --- only what readers may see: 404 and 410 ------------------------------------------------------

PAST = dict(published_at=timezone.now() - dt.timedelta(days=3))


@pytest.mark.parametrize(
    "fields",
    [
        dict(published=False),  # a draft
        dict(published=False, status=Article.Status.REVIEW),
        dict(published_at=timezone.now() + dt.timedelta(days=1)),  # scheduled
    ],
    ids=["draft", "in-review", "scheduled"],
)
def test_an_article_never_published_is_not_found(client, fields):
    article = make_article(**fields)

    assert client.get(f"/api/v1/articles/{article.pk}/").status_code == 404
    assert client.get("/api/v1/articles/by-path/", {"path": article.get_absolute_url()}).status_code == 404
    assert client.get(LIST).json()["results"] == []
    assert client.get(f"/api/v1/articles/{article.pk + 1000}/").status_code == 404


@pytest.mark.parametrize(
    "fields",
    [
        dict(status=Article.Status.UNPUBLISHED, **PAST),
        dict(status=Article.Status.ARCHIVED, **PAST),
        dict(expires_at=timezone.now() - dt.timedelta(days=1), **PAST),
    ],
    ids=["unpublished", "archived", "expired"],
)
def test_an_article_no_longer_public_is_gone(client, fields):
    article = make_article(**fields)
    LegacyURL.objects.create(path="/p/old.html", article=article)

    by_id = client.get(f"/api/v1/articles/{article.pk}/")

    assert by_id.status_code == 410
    assert by_id.json() == {"detail": "这篇文章已不再公开。"}
    assert client.get("/api/v1/articles/by-path/", {"path": article.get_absolute_url()}).status_code == 410
    assert client.get("/api/v1/articles/by-path/", {"path": "/p/old.html"}).status_code == 410
    assert client.get(LIST).json()["results"] == []
    # As the site answers these addresses.
    assert client.get(article.get_absolute_url()).status_code == 410
    assert client.get("/p/old.html").status_code == 410


def test_an_old_address_answers_301_to_the_article_in_the_api(client):
    article = make_article("改过地址的文章", **PAST)
    LegacyURL.objects.create(path="/p/123.html", article=article)
    moved_from = article.get_absolute_url()
    article.slug = "new-slug"
    article.save()  # the old address is kept (Article.keep_moved_address)

    for old in ("/p/123.html", moved_from):
        answer = client.get("/api/v1/articles/by-path/", {"path": old})
        assert answer.status_code == 301
        assert answer["Location"] == answer.json()["location"] == f"{SITE}/api/v1/articles/{article.pk}/"
    assert client.get("/api/v1/articles/by-path/", {"path": "/nowhere/"}).status_code == 404
    assert client.get("/api/v1/articles/by-path/", {"path": "/category/ke-ji/"}).status_code == 404
    assert client.get("/api/v1/articles/by-path/").json() == {"path": ["请给出文章的地址，如 /2024/05/08/slug/。"]}


def test_an_article_address_with_another_date_is_not_found(client):
    article = make_article(published_at=timezone.make_aware(dt.datetime(2024, 5, 8, 10)))
    wrong_day = article.get_absolute_url().replace("/08/", "/09/")

    assert client.get("/api/v1/articles/by-path/", {"path": wrong_day}).status_code == 404


# --- the cursor ----------------------------------------------------------------------------------


def bulk_articles(count, start, author, step=dt.timedelta(hours=1), ties=3):
    """`count` published articles, `ties` at a time sharing one publication time."""
    return Article.objects.bulk_create(
        Article(
            title=f"批量文章 {start:%H%M}-{i}", slug=f"bulk-{start:%Y%m%d%H%M}-{i}", author=author, body=f"<p>第 {i} 篇</p>",
            status=Article.Status.PUBLISHED, published_at=start - step * (i // ties),
        )
        for i in range(count)
    )  # fmt: skip


def test_the_cursor_walks_250_articles_without_gaps_or_repeats(client):
    made = bulk_articles(250, timezone.now() - dt.timedelta(minutes=1), make_author())

    items, sizes = walk(client, f"{LIST}?limit=7")

    assert [item["id"] for item in items] == newest_first(made)
    assert sizes == [7] * 35 + [5]


def test_the_cursor_holds_still_while_articles_are_published_between_pages(client):
    author = make_author()
    now = timezone.now()
    made = bulk_articles(250, now - dt.timedelta(days=1), author)
    oldest = min(a.published_at for a in made)
    seen, added_behind, url = [], [], f"{LIST}?limit=20"
    while url:
        page = client.get(url).json()
        seen += [item["id"] for item in page["results"]]
        url = local(page["next"]) if page["next"] else None
        # News arrives at the top, and an older story is backdated below the pages still to come.
        make_article("刚发布的", author=author, published_at=timezone.now())
        added_behind.append(
            make_article("补发的旧闻", author=author, published_at=oldest - dt.timedelta(hours=len(seen))).pk
        )

    assert len(seen) == len(set(seen))  # nothing twice
    assert [pk for pk in seen if pk not in added_behind] == newest_first(made)  # no gap, same order
    assert set(added_behind[:-1]) <= set(seen)  # what was added ahead of the cursor came in its turn


def test_ties_in_time_are_ordered_by_id_across_pages(client):
    moment = timezone.now() - dt.timedelta(hours=1)
    made = [make_article(published_at=moment) for _ in range(5)]

    items, sizes = walk(client, f"{LIST}?limit=2")

    assert [item["id"] for item in items] == sorted((a.pk for a in made), reverse=True)
    assert sizes == [2, 2, 1]


def test_the_next_link_keeps_the_filters_and_the_page_size(client):
    tech = make_category_path("科技")
    for _ in range(3):
        make_article(categories=[tech])
    make_article()

    first = client.get(LIST, {"category": "ke-ji", "limit": "2", "utm_source": "app"}).json()
    query = dict(pair.split("=") for pair in urlsplit(first["next"]).query.split("&"))

    assert set(query) == {"category", "limit", "cursor"}
    assert (query["category"], query["limit"]) == ("ke-ji", "2")
    assert len(client.get(local(first["next"])).json()["results"]) == 1


def test_page_size_is_bounded(client, settings):
    for _ in range(4):
        make_article()
    settings.NEWSROOM_API = {**settings.NEWSROOM_API, "PAGE_SIZE": 2, "MAX_PAGE_SIZE": 3}

    assert len(client.get(LIST).json()["results"]) == 2
    assert len(client.get(LIST, {"limit": "1000"}).json()["results"]) == 3


def test_cursors_are_opaque_text_that_round_trips():
    assert decode(encode("1715134200000000.42")) == "1715134200000000.42"
    with pytest.raises(ValueError):
        decode("%%%")


# --- filters ------------------------------------------------------------------------------------


@pytest.fixture
def tree():
    """科技 › 芯片 › 手机芯片, with 商业 beside it; one article in each and one in two at once."""
    tech = make_category_path("科技")
    chips = make_category_path("科技", "芯片")
    phones = make_category_path("科技", "芯片", "手机芯片")
    business = make_category_path("商业")
    return {
        "tech": make_article("科技新闻", categories=[tech]),
        "chips": make_article("芯片新闻", categories=[chips]),
        "phones": make_article("手机芯片新闻", categories=[phones]),
        "business": make_article("商业新闻", categories=[business]),
        "both": make_article("跨两级的新闻", categories=[chips, phones]),
        "draft": make_article("草稿", categories=[phones], published=False),
    }


def listed(client, **query):
    answer = client.get(LIST, query)
    assert answer.status_code == 200, answer.content
    return {item["id"] for item in answer.json()["results"]}


def test_a_category_lists_its_articles_and_those_below_it(client, tree):
    assert listed(client, category="ke-ji") == {tree[k].pk for k in ("tech", "chips", "phones", "both")}
    assert listed(client, category="ke-ji/xin-pian") == {tree[k].pk for k in ("chips", "phones", "both")}
    assert listed(client, category="/ke-ji/xin-pian/shou-ji-xin-pian/") == {tree[k].pk for k in ("phones", "both")}
    assert listed(client, category="shang-ye") == {tree["business"].pk}
    # Each article once, though filed twice below the category.
    ids = [item["id"] for item in client.get(LIST, {"category": "ke-ji"}).json()["results"]]
    assert len(ids) == len(set(ids)) == 4


def test_tag_author_and_period_narrow_the_list(client):
    li = make_author("李明")
    may = timezone.make_aware(dt.datetime(2024, 5, 8, 23, 30))  # Asia/Shanghai
    on_may_8 = make_article(author=li, tags=["芯片"], published_at=may)
    on_may_9 = make_article(tags=["芯片"], published_at=may + dt.timedelta(hours=1))
    later = make_article(author=li, published_at=may + dt.timedelta(days=30))

    assert listed(client, tag="xin-pian") == {on_may_8.pk, on_may_9.pk}
    assert listed(client, author=li.slug) == {on_may_8.pk, later.pk}
    assert listed(client, author=li.slug, tag="xin-pian") == {on_may_8.pk}
    assert listed(client, until="2024-05-08") == {on_may_8.pk}  # the whole local day
    assert listed(client, since="2024-05-09") == {on_may_9.pk, later.pk}
    assert listed(client, since="2024-05-08T15:30:00Z", until="2024-05-09T00:30:00+08:00") == {on_may_8.pk, on_may_9.pk}
    # A "+" the client left unencoded arrives as a space.
    assert client.get(LIST + "?since=2024-05-09T00:30:00+08:00").json()["results"][-1]["id"] == on_may_9.pk


def test_search_uses_the_sites_chinese_search_newest_first(client):
    older = make_article(
        "大模型的旧闻", body="<p>人工智能芯片的故事。</p>", published_at=timezone.now() - dt.timedelta(days=2)
    )
    newer = make_article("另一篇", body="<p>讲人工智能。</p>", published_at=timezone.now() - dt.timedelta(days=1))
    tagged = make_article("标签命中", tags=["人工智能"], published_at=timezone.now() - dt.timedelta(days=3))
    make_article("无关的文章", body="<p>天气。</p>")
    make_article("草稿里的人工智能", published=False)

    answer = client.get(LIST, {"q": "人工智能"}).json()

    assert [item["id"] for item in answer["results"]] == [newer.pk, older.pk, tagged.pk]
    assert listed(client, q="人工智能 芯片") == {older.pk}
    assert listed(client, q="人工智能", limit="1") == {newer.pk}
    items, _sizes = walk(client, f"{LIST}?q=%E4%BA%BA%E5%B7%A5%E6%99%BA%E8%83%BD&limit=1")
    assert [item["id"] for item in items] == [newer.pk, older.pk, tagged.pk]


@pytest.mark.parametrize(
    "query, name, message",
    [
        ({"since": "yesterday"}, "since", "不是 ISO 8601 日期或时间"),
        ({"until": "2024-02-30"}, "until", "不是 ISO 8601 日期或时间"),
        ({"since": "2024-05-08T10:00:00"}, "since", "时间须带时区"),
        ({"until": "9999-12-31"}, "until", "日期超出范围"),
        ({"limit": "0"}, "limit", "须是从 1 起的整数"),
        ({"limit": "ten"}, "limit", "须是从 1 起的整数"),
        ({"cursor": "not-a-cursor"}, "cursor", "无效的游标"),
        ({"cursor": encode("99999999999999999999.1")}, "cursor", "无效的游标"),
        ({"category": "nowhere"}, "category", "没有路径为 nowhere 的分类"),
        ({"tag": "nothing"}, "tag", "没有 URL 名称为 nothing 的标签"),
        ({"author": "nobody"}, "author", "没有 URL 名称为 nobody 的作者"),
        ({"q": "人工\x00智能"}, "q", "空字符"),
    ],
)
def test_a_bad_parameter_is_refused_with_a_message_naming_it(client, query, name, message):
    make_article()

    answer = client.get(LIST, query)

    assert answer.status_code == 400
    assert list(answer.json()) == [name]
    assert message in answer.json()[name][0]


def test_a_date_is_a_whole_day_in_the_sites_zone():
    since, until = parse_moment("since", "2024-05-08"), parse_moment("until", "2024-05-08", until=True)

    assert since.children == [("published_at__gte", dt.datetime(2024, 5, 7, 16, tzinfo=dt.UTC))]
    assert until.children == [("published_at__lt", dt.datetime(2024, 5, 8, 16, tzinfo=dt.UTC))]


# --- categories, tags and authors ----------------------------------------------------------------


def test_the_category_tree_counts_live_articles_below_each_category_once(client, tree):
    Category.objects.create(name="空分类")  # a root with nothing in it

    roots = client.get("/api/v1/categories/").json()
    by_path = {}

    def index(nodes):
        for node in nodes:
            by_path[node["path"]] = node
            index(node["children"])

    index(roots)
    assert {path: node["article_count"] for path, node in by_path.items()} == {
        "ke-ji": 4, "ke-ji/xin-pian": 3, "ke-ji/xin-pian/shou-ji-xin-pian": 2, "shang-ye": 1, "kong-fen-lei": 0,
    }  # fmt: skip
    assert [child["path"] for child in by_path["ke-ji"]["children"]] == ["ke-ji/xin-pian"]
    assert by_path["ke-ji/xin-pian"]["url"] == f"{SITE}/category/ke-ji/xin-pian/"
    assert set(by_path["ke-ji"]) == {
        "name",
        "slug",
        "path",
        "url",
        "description",
        "position",
        "article_count",
        "children",
    }


def test_the_category_tree_follows_a_withdrawal(client, tree):
    client.get("/api/v1/categories/")
    tree["business"].status = Article.Status.UNPUBLISHED
    tree["business"].save()

    roots = {root["path"]: root for root in client.get("/api/v1/categories/").json()}

    assert roots["shang-ye"]["article_count"] == 0


def test_tags_list_those_on_live_articles_with_their_counts(client):
    make_article(tags=["芯片", "手机"])
    make_article(tags=["芯片"])
    make_article(tags=["未发布的话题"], published=False)

    items, _sizes = walk(client, "/api/v1/tags/?limit=1")

    assert [(t["slug"], t["article_count"]) for t in items] == [("shou-ji", 1), ("xin-pian", 2)]
    assert items[0] == {"name": "手机", "slug": "shou-ji", "url": f"{SITE}/tag/shou-ji/", "article_count": 1}


def test_authors_list_those_with_live_articles_with_their_counts(client):
    li, wang = make_author("李明", bio="科技记者"), make_author("王晓雯")
    make_author("还没发表的作者")
    make_article(author=li)
    make_article(author=li)
    make_article(author=wang)
    make_article(author=wang, published=False)

    items, sizes = walk(client, "/api/v1/authors/?limit=1")

    assert [(a["slug"], a["article_count"]) for a in items] == [("li-ming", 2), ("wang-xiao-wen", 1)]
    assert items[0] == {
        "name": "李明",
        "slug": "li-ming",
        "url": f"{SITE}/author/li-ming/",
        "bio": "科技记者",
        "article_count": 2,
    }
    assert sizes == [1, 1]


# --- a fixed number of queries ------------------------------------------------------------------


@pytest.fixture
def sixty_articles(no_page_cache):
    hero = store_image(make_jpeg(800, 450), name="hero.jpg", alt_text="图").image
    tech, chips = make_category_path("科技"), make_category_path("科技", "芯片")
    authors = [make_author(f"作者{i}") for i in range(3)]
    for i in range(60):
        make_article(
            f"文章 {i} 人工智能", author=authors[i % 3], categories=[chips if i % 2 else tech],
            tags=["芯片", f"话题{i % 7}"], hero_image=hero,
        )  # fmt: skip


def queries_of(client, url):
    from django.core.cache import cache

    cache.clear()  # each request as the first after a change
    with CaptureQueriesContext(connection) as captured:
        answer = client.get(url)
    assert answer.status_code == 200, answer.content
    return len(captured.captured_queries)


@pytest.mark.parametrize(
    "url, queries",
    [
        # The page's ids; its articles, their categories, their tags (none once kept).
        (LIST + "?limit={size}", 4),
        # And the tag, the author and the category tree (kept per content version).
        (LIST + "?limit={size}&category=ke-ji&tag=xin-pian&author=zuo-zhe-1&since=2020-01-01", 7),
        # And which terms are common (articles.search).
        (LIST + "?limit={size}&q=人工智能", 5),
        ("/api/v1/tags/?limit={size}", 1),
        ("/api/v1/authors/?limit={size}", 1),
    ],
    ids=["list", "filtered", "search", "tags", "authors"],
)
def test_a_list_costs_the_same_queries_at_5_and_at_50(client, sixty_articles, url, queries, django_assert_num_queries):
    from django.core.cache import cache

    for size in (5, 50):
        cache.clear()  # each request as the first after a change
        with django_assert_num_queries(queries):
            assert len(client.get(url.format(size=size)).json()["results"]) >= min(size, 3)


def test_an_article_and_the_category_tree_cost_a_fixed_number_of_queries(client, sixty_articles):
    article = Article.objects.published().first()

    # Whether it is live (at that address); then the article, its categories, its tags.
    assert queries_of(client, f"/api/v1/articles/{article.pk}/") == 4
    assert queries_of(client, f"/api/v1/articles/by-path/?path={article.get_absolute_url()}") == 4
    # The tree, the next scheduled moment (how long counts are kept), leaves' and parents' counts.
    assert queries_of(client, "/api/v1/categories/") == 4


def test_kept_representations_leave_one_query_a_request(client, sixty_articles, settings, django_assert_num_queries):
    article = Article.objects.published().first()
    urls = [
        LIST + "?limit=50",
        f"/api/v1/articles/{article.pk}/",
        f"/api/v1/articles/by-path/?path={article.get_absolute_url()}",
    ]
    made = [client.get(url).json() for url in urls]

    for url, first in zip(urls, made):  # which articles are listed, or whether one is live: asked every time
        with django_assert_num_queries(1):
            assert client.get(url).json() == first
    settings.NEWSROOM = {**settings.NEWSROOM, "FRAGMENT_CACHE": False}
    assert [client.get(url).json() for url in urls] == made


@pytest.mark.parametrize("change", ["article", "author", "tag", "image", "category"])
def test_a_kept_representation_is_the_one_made_afresh_and_follows_every_change(client, full_article, settings, change):
    url = f"/api/v1/articles/{full_article.pk}/"
    client.get(url), client.get(LIST)  # kept
    if change == "article":
        full_article.title = "改过的标题"
        full_article.save()
    elif change == "author":
        author = full_article.author
        author.name = "李明明"
        author.save()
    elif change == "tag":
        full_article.tags.add("新标签")
    elif change == "image":
        image = full_article.hero_image
        image.alt_text = "改过的替代文本"
        image.save()
    else:
        category = Category.objects.get(name="商业")
        category.name = "财经"
        category.save()
    kept_whole, kept_listed = client.get(url).json(), client.get(LIST).json()["results"][0]

    assert in_model_order(kept_whole) == expected_whole(full_article)
    assert in_model_order(kept_listed) == expected_summary(full_article)
    settings.NEWSROOM = {**settings.NEWSROOM, "FRAGMENT_CACHE": False}
    assert client.get(url).json() == kept_whole


# --- caching, conditional requests -------------------------------------------------------------

NOW = dt.datetime(2025, 6, 1, 12, 0, tzinfo=dt.UTC)


@pytest.fixture
def clock(monkeypatch):
    return freeze_clock(monkeypatch, NOW)


def test_answers_are_cached_and_retired_by_a_change_like_pages(client, page_cache_on, clock):
    article = make_article("旧标题")
    clock.advance(dt.timedelta(minutes=1))
    url = f"/api/v1/articles/{article.pk}/"

    assert client.get(url)["X-Cache"] == "miss"
    assert client.get(url)["X-Cache"] == "hit"
    assert client.get(LIST)["X-Cache"] == "miss"
    article.title = "新标题"
    article.save()

    assert client.get(url).json()["title"] == "新标题"
    assert client.get(LIST).json()["results"][0]["title"] == "新标题"


def test_each_query_is_cached_apart(client, page_cache_on, tree):
    """The key holds every parameter the endpoint reads: a filtered list is never another's."""
    for _ in range(2):
        assert listed(client, category="shang-ye") == {tree["business"].pk}
        assert listed(client, category="ke-ji/xin-pian/shou-ji-xin-pian") == {tree["phones"].pk, tree["both"].pk}
        assert len(listed(client, limit="1")) == 1
        assert len(listed(client)) == 5
    first = client.get(LIST, {"limit": "2"}).json()
    assert client.get(local(first["next"])).json()["results"] != first["results"]


def test_etag_and_last_modified_answer_304_until_the_next_change(client, page_cache_on, clock):
    article = make_article("会改的文章")
    clock.advance(dt.timedelta(minutes=1))
    url = f"/api/v1/articles/{article.pk}/"
    first = client.get(url)
    etag, modified = first["ETag"], first["Last-Modified"]

    assert first["Cache-Control"] == "public, max-age=0, must-revalidate"
    assert client.get(url, headers={"If-None-Match": etag}).status_code == 304
    assert client.get(url, headers={"If-Modified-Since": modified}).status_code == 304
    clock.advance(dt.timedelta(minutes=1))
    article.title = "改过的文章"
    article.save()
    clock.advance(dt.timedelta(minutes=1))

    changed = client.get(url, headers={"If-None-Match": etag})
    assert changed.status_code == 200 and changed.json()["title"] == "改过的文章"
    assert client.get(url, headers={"If-Modified-Since": modified}).status_code == 200
    assert client.get(url, headers={"If-None-Match": changed["ETag"]}).status_code == 304


# --- throttle ------------------------------------------------------------------------------------


def test_one_address_is_throttled_and_others_are_not(client, settings, page_cache_on):
    settings.NEWSROOM_API = {**settings.NEWSROOM_API, "THROTTLE_RATE": "3/minute"}
    make_article()
    for size in (1, 2, 3):
        assert client.get(LIST, {"limit": size}).status_code == 200

    refused = client.get(LIST, {"limit": "4"})

    assert refused.status_code == 429
    assert 0 < int(refused["Retry-After"]) <= 60
    assert client.get(LIST, {"limit": "4"}, REMOTE_ADDR="203.0.113.9").status_code == 200
    # An answer the page cache holds costs nothing and is not counted.
    assert client.get(LIST, {"limit": "1"})["X-Cache"] == "hit"


def test_behind_the_proxy_the_client_is_the_address_it_appended(client, settings, no_page_cache):
    settings.NEWSROOM_API = {**settings.NEWSROOM_API, "THROTTLE_RATE": "1/minute"}
    settings.BEHIND_TLS_PROXY = True
    make_article()

    assert client.get(LIST, HTTP_X_FORWARDED_FOR="spoofed, 198.51.100.1").status_code == 200
    assert client.get(LIST, HTTP_X_FORWARDED_FOR="other, 198.51.100.1").status_code == 429
    assert client.get(LIST, HTTP_X_FORWARDED_FOR="198.51.100.2").status_code == 200


# --- CORS -----------------------------------------------------------------------------------------

APP = "https://app.example.com"


def test_no_other_site_may_read_the_api_by_default(client):
    answer = client.get(LIST, headers={"Origin": APP})

    assert answer.status_code == 200
    assert "Access-Control-Allow-Origin" not in answer
    assert "Origin" in answer["Vary"]


def test_the_origins_in_the_setting_may_read_the_api_and_no_others(client, settings, page_cache_on):
    settings.CORS_ALLOWED_ORIGINS = [APP]
    make_article()
    assert client.get(LIST)["X-Cache"] == "miss"  # stored without any CORS header

    allowed = client.get(LIST, headers={"Origin": APP})
    other = client.get(LIST, headers={"Origin": "https://evil.example"})
    preflight = client.options(LIST, headers={"Origin": APP, "Access-Control-Request-Method": "GET"})
    site_page = client.get("/", headers={"Origin": APP})

    assert allowed["X-Cache"] == "hit" and allowed["Access-Control-Allow-Origin"] == APP
    assert "ETag" in allowed["Access-Control-Expose-Headers"]
    assert "Access-Control-Allow-Origin" not in other
    assert preflight.status_code == 200 and preflight["Access-Control-Allow-Methods"] == "GET, HEAD, OPTIONS"
    assert "Access-Control-Allow-Origin" not in site_page
    assert "Access-Control-Allow-Origin" not in client.get(LIST)


@pytest.mark.usefixtures("_test_transaction_kept")
def test_the_page_cache_front_leaves_other_sites_requests_to_django(settings, page_cache_on, clock):
    """PageCacheApplication answers hits without the middleware: a request with an Origin goes
    through them, so that CorsMiddleware adds its headers to the stored answer."""
    settings.CORS_ALLOWED_ORIGINS = [APP]
    make_article()
    clock.advance(dt.timedelta(minutes=1))
    call(application, LIST)
    _status, plain, _body = call(application, LIST)
    status, crossing, _body = call(application, LIST, HTTP_ORIGIN=APP)

    assert ("X-Cache", "hit") in plain and ("Vary", "Origin") in plain
    assert (
        status == "200 OK"
        and dict((name.lower(), value) for name, value in crossing)["access-control-allow-origin"] == APP
    )


# --- the schema and its documentation -------------------------------------------------------------


def test_the_schema_is_valid_openapi_3_and_lists_every_endpoint(client):
    from openapi_spec_validator import validate

    answer = client.get("/api/v1/schema/")
    schema = answer.json()

    validate(schema)
    assert schema["openapi"].startswith("3.")
    assert set(schema["paths"]) == {
        "/api/v1/articles/", "/api/v1/articles/{id}/", "/api/v1/articles/by-path/",
        "/api/v1/categories/", "/api/v1/tags/", "/api/v1/authors/",
    }  # fmt: skip
    assert answer["Content-Type"].startswith("application/vnd.oai.openapi+json")


def test_each_endpoint_reads_exactly_the_query_parameters_it_declares(client):
    """The schema's parameters are those the cache key holds (urls.QUERY_PARAMETERS)."""
    schema = client.get("/api/v1/schema/").json()
    names = {pattern.name: pattern for pattern in api_urls.urlpatterns}
    for name in ("articles", "article", "article_by_path", "categories", "tags", "authors"):
        path = "/api/v1/" + str(names[name].pattern).replace("<int:pk>", "{id}")
        in_query = {p["name"] for p in schema["paths"][path]["get"].get("parameters", []) if p["in"] == "query"}
        assert in_query == set(api_urls.QUERY_PARAMETERS.get(name, ())), name


def test_the_documentation_page_loads_swagger_ui_from_our_static_files(client):
    page = client.get(reverse("api:docs")).content.decode()

    assert "/static/drf_spectacular_sidecar/swagger-ui-dist/swagger-ui-bundle.js" in page
    assert "<script>" not in page and "<style" not in page and "style=" not in page
    assert 'data-schema-url="/api/v1/schema/"' in page


@pytest.mark.parametrize(
    "address, status",
    [
        ("/api/v1/articles/?category=%00", 400), ("/api/v1/articles/?tag=a%00", 400),
        ("/api/v1/articles/?author=%00b", 400), ("/api/v1/articles/?since=%00", 400),
        ("/api/v1/articles/?cursor=%00", 400), ("/api/v1/articles/?limit=%00", 400),
        ("/api/v1/articles/by-path/?path=/2024/%00/", 400),
        # Parameters a view does not read are ignored, a NUL in them too.
        ("/api/v1/categories/?x=%00", 200), ("/api/v1/tags/?q=%00", 200), ("/api/v1/authors/?page=%00", 200),
    ],
)  # fmt: skip
def test_a_nul_in_the_query_is_refused_by_the_parameter_that_reads_it(client, address, status):
    make_article()

    answer = client.get(address)

    assert answer.status_code == status
    assert answer["Content-Type"] == "application/json"
