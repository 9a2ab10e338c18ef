import datetime as dt
from urllib.parse import urlsplit

import feedparser
import pytest
from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from django.urls import reverse
from django.utils import timezone

from articles.feeds import absolute_links, image_mime_type
from articles.models import Article, Category, Image
from articles.tests.factories import make_article, make_author, make_category_path, make_image

pytestmark = pytest.mark.django_db

SITE = "https://news.example.com"
FEED_BUDGET = 5  # subject, articles, categories, tags; one to spare


@pytest.fixture(autouse=True)
def public_site(settings):
    """A public address unlike the test client's host, so links taken from the request show."""
    settings.NEWSROOM = {**settings.NEWSROOM, "SITE_URL": SITE}


@pytest.fixture
def newsroom():
    author = make_author("36kr")
    leaf = make_category_path("科技", "芯片")
    article = make_article("芯片厂扩产", author=author, categories=[leaf], tags=["AI"], hero_image=make_image())
    return {"author": author, "leaf": leaf, "root": leaf.parent, "article": article}


def feed_urls(newsroom):
    pages = ["/", newsroom["root"].get_absolute_url(), "/tag/ai/", newsroom["author"].get_absolute_url()]
    return [f"{page}feed/{kind}" for page in pages for kind in ("", "atom/")]


def parse(client, url):
    response = client.get(url)
    assert response.status_code == 200, url
    feed = feedparser.parse(response.content)
    assert feed.bozo == 0, (url, feed.get("bozo_exception"))
    return feed


def titles(client, url):
    return [entry.title for entry in parse(client, url).entries]


def test_every_feed_parses_and_links_absolutely_on_the_public_site(client, newsroom):
    for url in feed_urls(newsroom):
        feed = parse(client, url)
        assert feed.version in {"rss20", "atom10"}, url
        [entry] = feed.entries
        self_link = next(link.href for link in feed.feed.links if link.rel == "self")
        assert self_link == SITE + url
        assert urlsplit(feed.feed.link).netloc == "news.example.com"
        assert entry.link == SITE + newsroom["article"].get_absolute_url()
        assert entry.title == "芯片厂扩产"


def test_feeds_have_the_right_content_types(client, newsroom):
    assert client.get("/feed/")["Content-Type"].startswith("application/rss+xml")
    assert client.get("/feed/atom/")["Content-Type"].startswith("application/atom+xml")


def test_only_published_articles_are_in_the_feed(client):
    now = timezone.now()
    make_article("已发布")
    make_article("草稿", published=False)
    make_article("待审", status=Article.Status.REVIEW, published_at=now - dt.timedelta(hours=1))
    make_article("定时", published_at=now + dt.timedelta(hours=1))
    make_article("已下线", published_at=now - dt.timedelta(days=2), expires_at=now - dt.timedelta(hours=1))
    assert titles(client, "/feed/") == ["已发布"]
    assert titles(client, "/feed/atom/") == ["已发布"]


def test_scheduled_article_enters_the_feed_when_its_time_comes(client, monkeypatch):
    now = timezone.now()
    make_article("定时", published_at=now + dt.timedelta(hours=1))
    assert titles(client, "/feed/") == []

    monkeypatch.setattr(timezone, "now", lambda: now + dt.timedelta(hours=2))

    assert titles(client, "/feed/") == ["定时"]


def test_category_feed_includes_its_descendants_only(client):
    chips = make_category_path("科技", "芯片", "制造")
    make_article("制造", categories=[chips])
    make_article("科技本身", categories=[chips.parent.parent])
    make_article("别处", categories=[make_category_path("新媒体")])
    assert sorted(titles(client, "/category/ke-ji/feed/")) == ["制造", "科技本身"]
    assert titles(client, "/category/ke-ji/xin-pian/feed/atom/") == ["制造"]


def test_a_category_feed_reads_its_subtree_by_id_as_the_category_page_does(client, settings):
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    settings.NEWSROOM = {**settings.NEWSROOM, "PAGE_CACHE": False}  # the feed's own queries
    chips = make_category_path("科技", "芯片", "制造")
    make_article("制造", categories=[chips])
    client.get("/category/ke-ji/feed/")  # the category tree, kept under the content version
    with CaptureQueriesContext(connection) as captured:
        assert titles(client, "/category/ke-ji/feed/") == ["制造"]
    listing = [q["sql"] for q in captured if 'FROM "articles_article"' in q["sql"]]
    # Joining the categories' paths made PostgreSQL misjudge a rare category and walk every article.
    [items] = [sql for sql in listing if "ORDER BY" in sql]
    assert '"category_id" IN (' in items and '"articles_category" ' not in items


def test_tag_and_author_feeds_hold_only_their_subject(client):
    author = make_author("记者甲")
    make_article("甲的", author=author)
    make_article("带标签", tags=["电商"])
    assert titles(client, f"/author/{author.slug}/feed/") == ["甲的"]
    assert titles(client, "/tag/dian-shang/feed/atom/") == ["带标签"]


def test_root_category_slugged_feed_keeps_its_page_and_has_a_feed(client):
    category = make_category_path("feed")
    assert category.path == "feed"
    make_article("订阅", categories=[category])
    page = client.get("/category/feed/")
    assert page.status_code == 200 and page["Content-Type"].startswith("text/html")
    assert titles(client, "/category/feed/feed/") == ["订阅"]


def test_a_subcategory_named_feed_gets_a_slug_its_page_can_have(client):
    category = make_category_path("科技", "Feed")
    assert category.slug == "feed-2" and category.path == "ke-ji/feed-2"
    make_article("子分类里的", categories=[category])
    page = client.get("/category/ke-ji/feed-2/")
    assert page.status_code == 200 and "子分类里的" in page.content.decode()
    assert titles(client, "/category/ke-ji/feed/") == ["子分类里的"]  # the parent's feed, as before


def test_a_subcategory_cannot_be_given_the_slug_feed(client, django_user_model):
    parent = make_category_path("科技")
    with pytest.raises(ValidationError, match="feed"):
        Category(name="订阅源", slug="feed", parent=parent).full_clean()
    with pytest.raises(IntegrityError), transaction.atomic():
        Category.objects.create(name="订阅源", slug="feed", parent=parent)
    client.force_login(django_user_model.objects.create_superuser("chief", password="a-long-test-password"))
    response = client.post(
        reverse("admin:articles_category_add"),
        {"name": "订阅源", "slug": "feed", "parent": parent.pk, "description": "", "position": 0},
    )
    assert response.status_code == 200 and "那是上级分类的订阅地址" in response.content.decode()
    assert not Category.objects.filter(parent=parent).exists()


@pytest.mark.parametrize("url", ["/category/nothing/feed/", "/tag/nothing/feed/atom/", "/author/nobody/feed/"])
def test_feed_of_an_unknown_subject_is_not_found(client, url):
    assert client.get(url).status_code == 404


def test_feed_is_newest_first_and_one_page_long(client, settings):
    settings.NEWSROOM = {**settings.NEWSROOM, "PAGE_SIZE": 3}
    now = timezone.now()
    for hours in (5, 1, 3, 2):
        make_article(f"{hours} 小时前", published_at=now - dt.timedelta(hours=hours))
    assert titles(client, "/feed/") == ["1 小时前", "2 小时前", "3 小时前"]


@pytest.mark.parametrize("url", ["/feed/", "/feed/atom/"])
def test_items_carry_the_summary_and_the_whole_stored_body(client, url):
    make_article("全文", summary="一句摘要 <不是标签>", body="<p>正文<strong>加粗</strong></p><script>x()</script>")
    [entry] = parse(client, url).entries
    assert entry.summary == "一句摘要 &lt;不是标签&gt;"  # plain text, shown as text
    [content] = entry.content
    assert content.type == "text/html"
    assert content.value == "<p>正文<strong>加粗</strong></p>"


@pytest.mark.parametrize("url", ["/feed/", "/feed/atom/"])
def test_summary_only_setting_leaves_the_body_out(client, settings, url):
    settings.NEWSROOM = {**settings.NEWSROOM, "FEED_FULL_CONTENT": False}
    make_article("摘要", summary="只有摘要", body="<p>不该出现的正文</p>")
    response = client.get(url)
    [entry] = feedparser.parse(response.content).entries
    assert entry.summary == "只有摘要"
    assert "content" not in entry
    assert "不该出现的正文" not in response.content.decode()


def test_body_links_and_images_become_absolute(client):
    make_article("图文", body='<p><a href="/tag/ai/">AI</a><img src="/media/images/a.jpg" alt="图"></p>')
    [content] = parse(client, "/feed/").entries[0].content
    assert f'href="{SITE}/tag/ai/"' in content.value
    assert f'src="{SITE}/media/images/a.jpg"' in content.value


def test_absolute_links_rewrites_site_paths_only():
    html = (
        '<a href="https://other.example.org/x">o</a><img src="//cdn.example.org/a.png" '
        'srcset="/media/r/320.jpg 320w, https://cdn.example.org/640.jpg 640w" alt="">'
    )
    assert absolute_links(html) == (
        '<a href="https://other.example.org/x">o</a><img src="https://cdn.example.org/a.png" '
        f'srcset="{SITE}/media/r/320.jpg 320w, https://cdn.example.org/640.jpg 640w" alt="">'
    )


def test_hero_image_in_the_library_is_an_absolute_enclosure_with_size_and_type(client):
    image = Image.objects.create(
        file="images/2025/06/chip.jpg", width=800, height=600, format="JPEG", file_size=12345, sha256="0" * 64
    )
    make_article("有头图", hero_image=image)
    for url in ("/feed/", "/feed/atom/"):
        [enclosure] = parse(client, url).entries[0].enclosures
        assert enclosure.href == f"{SITE}/media/images/2025/06/chip.jpg"
        assert enclosure.length == "12345"
        assert enclosure.type == "image/jpeg"


def test_remote_hero_image_is_an_enclosure_of_unknown_length(client):
    make_article("远程头图", hero_image=make_image("https://img.example.com/legacy/cover.png"))
    [enclosure] = parse(client, "/feed/").entries[0].enclosures
    assert enclosure.href == "https://img.example.com/legacy/cover.png"
    assert enclosure.length == "0"
    assert enclosure.type == "image/png"


def test_article_without_hero_image_has_no_enclosure(client):
    make_article("无图")
    assert parse(client, "/feed/").entries[0].enclosures == []


@pytest.mark.parametrize(
    "fields, expected",
    [
        ({"format": "WEBP", "source_url": "https://img.example.com/a.jpg"}, "image/webp"),
        ({"source_url": "https://img.example.com/a.gif?w=300"}, "image/gif"),
        ({"source_url": "https://img.example.com/v2_abc_img_000"}, "application/octet-stream"),
    ],
)
def test_image_mime_type_prefers_the_library_format_then_the_url(fields, expected):
    assert image_mime_type(Image(**fields)) == expected


def test_dates_are_publication_and_last_change(client):
    now = timezone.now()
    article = make_article("日期", published_at=now - dt.timedelta(days=1))
    [entry] = parse(client, "/feed/atom/").entries
    assert dt.datetime.fromisoformat(entry.published) == article.published_at
    assert dt.datetime.fromisoformat(entry.updated) == article.updated_at
    [rss_entry] = parse(client, "/feed/").entries
    assert rss_entry.published_parsed[:6] == article.published_at.utctimetuple()[:6]


def test_scheduled_article_is_updated_no_earlier_than_it_went_live(client, monkeypatch):
    now = timezone.now()
    article = make_article("定时", published_at=now + dt.timedelta(hours=1))
    monkeypatch.setattr(timezone, "now", lambda: now + dt.timedelta(hours=2))
    [entry] = parse(client, "/feed/atom/").entries
    assert dt.datetime.fromisoformat(entry.updated) == article.published_at


def test_items_name_their_author_and_categories(client, newsroom):
    [entry] = parse(client, "/feed/atom/").entries
    assert entry.author == "36kr"
    assert entry.author_detail.href == SITE + newsroom["author"].get_absolute_url()
    assert {tag.term for tag in entry.tags} == {"芯片", "AI"}


def test_feed_costs_a_fixed_number_of_queries(client, settings, django_assert_max_num_queries):
    settings.NEWSROOM = {**settings.NEWSROOM, "PAGE_CACHE": False}  # the view's own queries
    author = make_author("36kr")
    leaf = make_category_path("科技", "芯片")
    for i in range(20):
        make_article(author=author, categories=[leaf], tags=["AI", f"标签{i}"], hero_image=make_image())
    for url in ("/feed/", "/category/ke-ji/feed/atom/", "/tag/ai/feed/", f"/author/{author.slug}/feed/atom/"):
        with django_assert_max_num_queries(FEED_BUDGET):
            response = client.get(url)
        assert len(feedparser.parse(response.content).entries) == 20


@pytest.mark.parametrize(
    "page, own_feeds",
    [
        (lambda n: "/", False),
        (lambda n: n["root"].get_absolute_url(), True),
        (lambda n: "/tag/ai/", True),
        (lambda n: n["author"].get_absolute_url(), True),
    ],
)
def test_pages_announce_their_feeds_and_the_site_feeds(client, newsroom, page, own_feeds):
    url = page(newsroom)
    html = client.get(url).content.decode()
    expected = ["/feed/", "/feed/atom/"] + ([f"{url}feed/", f"{url}feed/atom/"] if own_feeds else [])
    for feed in expected:
        assert f'type="application/{"atom" if "atom" in feed else "rss"}+xml"' in html
        assert f'href="{feed}"' in html
