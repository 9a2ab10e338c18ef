"""What search engines and social networks read (articles.seo, the seo_meta tag), related
articles, reading time, dates, and old addresses that answer 301 or 410."""

import datetime as dt
import json
from html.parser import HTMLParser

import pytest
from django.contrib.auth import get_user_model
from django.template import Context, Template
from django.urls import reverse
from django.utils import timezone, translation

from articles import views, workflow
from articles.models import Article, LegacyURL
from articles.tests.factories import (
    make_article,
    make_author,
    make_category_path,
    make_image,
    seed_shaped,
    write_file,
)
from articles.tests.test_views import ARTICLE_PAGE_BUDGET
from articles.text import reading_minutes, sentence_excerpt

pytestmark = pytest.mark.django_db

SITE = "https://news.example.com"
UTC = dt.UTC


@pytest.fixture(autouse=True)
def _public_site(settings):
    settings.NEWSROOM = {**settings.NEWSROOM, "SITE_URL": SITE, "SITE_NAME": "新闻编辑室"}


class Head(HTMLParser):
    """The parts of a page's <head> that crawlers read, and every JSON-LD block."""

    def __init__(self, html):
        super().__init__()
        self.title, self.meta, self.links, self.json_ld = "", {}, {}, []
        self._in_head = self._in_title = self._in_json_ld = False
        self.feed(html)

    def handle_starttag(self, tag, attrs):
        attrs = dict(attrs)
        if tag == "head":
            self._in_head = True
        elif tag == "title" and self._in_head:
            self._in_title = True
        elif tag == "meta" and self._in_head and ("name" in attrs or "property" in attrs):
            self.meta.setdefault(attrs.get("name") or attrs["property"], []).append(attrs["content"])
        elif tag == "link" and self._in_head:
            self.links.setdefault(attrs["rel"], []).append(attrs["href"])
        elif tag == "script" and attrs.get("type") == "application/ld+json":
            self._in_json_ld = True
            self.json_ld.append("")

    def handle_endtag(self, tag):
        if tag == "head":
            self._in_head = False
        elif tag == "title":
            self._in_title = False
        elif tag == "script":
            self._in_json_ld = False

    def handle_data(self, data):
        if self._in_title:
            self.title += data
        if self._in_json_ld:
            self.json_ld[-1] += data

    def one(self, key):
        values = self.meta.get(key, [])
        assert len(values) == 1, (key, values)
        return values[0]


def head_of(client, url):
    response = client.get(url)
    assert response.status_code == 200, url
    return Head(response.content.decode())


@pytest.fixture
def small_pages(monkeypatch):
    """Two articles a page, so that a handful of articles make several pages."""
    monkeypatch.setattr(views.ArticleListView, "paginate_by", 2)
    monkeypatch.setattr(views.ArchiveMixin, "paginate_by", 2)


@pytest.fixture
def site(small_pages):
    author = make_author("李明", bio="资深科技记者。")
    tech = make_category_path("科技")
    start = timezone.now() - dt.timedelta(days=1)
    articles = [
        make_article(
            f"芯片新闻{i}", author=author, categories=[tech], tags=["芯片"], published_at=start - dt.timedelta(hours=i)
        )
        for i in range(5)
    ]
    day = timezone.localdate(articles[0].published_at)
    return {"author": author, "tech": tech, "articles": articles, "day": day}


# --- titles, descriptions, canonical, prev/next ------------------------------------------------


def test_every_page_has_its_own_title(client, site):
    day = site["day"]
    urls = [
        "/",
        "/?page=2",
        "/category/ke-ji/",
        "/category/ke-ji/?page=2",
        "/tag/xin-pian/",
        "/tag/xin-pian/?page=3",
        site["author"].get_absolute_url(),
        f"/{day.year}/",
        f"/{day.year}/{day.month:02d}/",
        site["articles"][0].get_absolute_url(),
        site["articles"][1].get_absolute_url(),
    ]
    titles = [head_of(client, url).title for url in urls]
    assert len(set(titles)) == len(titles), titles
    assert titles[:4] == [
        "新闻编辑室",
        "最新文章 · 第 2 页 · 新闻编辑室",
        "科技 · 新闻编辑室",
        "科技 · 第 2 页 · 新闻编辑室",
    ]
    assert titles[5] == "标签：芯片 · 第 3 页 · 新闻编辑室"
    assert titles[9] == "芯片新闻0 · 新闻编辑室"


def test_every_page_has_a_description_and_list_pages_are_websites(client, site):
    day = site["day"]
    for url in [
        "/",
        "/?page=2",
        "/category/ke-ji/",
        "/tag/xin-pian/",
        f"/{day.year}/",
        site["author"].get_absolute_url(),
    ]:
        head = head_of(client, url)
        assert head.one("description").strip(), url
        assert head.one("og:type") == "website", url
        assert head.one("og:site_name") == "新闻编辑室", url
    assert head_of(client, site["author"].get_absolute_url()).one("description") == "资深科技记者。"
    assert head_of(client, "/?page=2").one("description") != head_of(client, "/").one("description")


def test_canonical_is_absolute_from_site_url_and_page_one_has_no_page_parameter(client, site):
    for url, canonical in [
        ("/", f"{SITE}/"),
        ("/?page=1", f"{SITE}/"),
        ("/?page=2&utm_source=x", f"{SITE}/?page=2"),
        ("/category/ke-ji/?page=1", f"{SITE}/category/ke-ji/"),
    ]:
        assert head_of(client, url).links["canonical"] == [canonical], url
    article = site["articles"][0]
    response = client.get(article.get_absolute_url(), HTTP_HOST="localhost")
    assert Head(response.content.decode()).links["canonical"] == [SITE + article.get_absolute_url()]


@pytest.mark.parametrize(
    "url, prev, next",
    [
        ("/category/ke-ji/", None, "/category/ke-ji/?page=2"),
        ("/category/ke-ji/?page=2", "/category/ke-ji/", "/category/ke-ji/?page=3"),
        ("/category/ke-ji/?page=3", "/category/ke-ji/?page=2", None),
    ],
)
def test_list_pages_link_their_neighbours_in_the_head(client, site, url, prev, next):
    response = client.get(url)
    head = Head(response.content.decode())
    assert head.links.get("prev") == ([SITE + prev] if prev else None)
    assert head.links.get("next") == ([SITE + next] if next else None)
    # The visible pagination stays for readers.
    assert 'class="pagination"' in response.content.decode()


# --- article pages: description, OpenGraph, Twitter, JSON-LD -----------------------------------


@pytest.mark.parametrize(
    "text, length, expected",
    [
        ("短句。", 120, "短句。"),
        ("第一句话很长很长。第二句话也很长很长很长。第三句", 21, "第一句话很长很长。第二句话也很长很长很长。"),
        ("甲乙丙丁戊己庚辛壬癸。子丑寅卯辰巳午未申酉戌亥", 20, "甲乙丙丁戊己庚辛壬癸。子丑寅卯辰巳午未…"),
        ("开头。后面是一段没有句号的很长很长很长很长的文字", 20, "开头。后面是一段没有句号的很长很长很长…"),
        ("He said “好！” and left the room. Then more words follow here", 40, "He said “好！” and left the room."),
        ("Revenue rose 3.5 percent over the quarter to a record", 30, "Revenue rose 3.5 percent over…"),
    ],
    ids=[
        "short",
        "sentence-end-at-limit",
        "sentence-end-in-last-part",
        "sentence-end-too-early",
        "latin",
        "decimal-point",
    ],
)
def test_description_is_cut_on_a_late_sentence_end_counted_in_characters(text, length, expected):
    result = sentence_excerpt(text, length)
    assert result == expected
    assert len(result) <= length


def test_article_description_is_the_written_summary_or_the_bodys_sentences(client):
    written = make_article("有摘要", summary="编辑写的摘要。", body="<p>正文。</p>")
    sentence = "这是一个用来测试描述长度的完整句子，它有三十个字左右。"
    body = "<p>" + sentence * 6 + "</p>"
    automatic = make_article("无摘要", body=body)
    assert not automatic.summary.endswith("。")  # the stored summary was cut mid-sentence
    assert head_of(client, written.get_absolute_url()).one("description") == "编辑写的摘要。"
    description = head_of(client, automatic.get_absolute_url()).one("description")
    assert description == sentence * (120 // len(sentence))
    assert head_of(client, automatic.get_absolute_url()).one("og:description") == description


def test_article_page_carries_opengraph_twitter_and_article_tags(client):
    leaf = make_category_path("科技", "芯片")
    image = make_image("https://img.example.com/hero.jpg", alt_text="晶圆厂")
    article = make_article(
        "芯片厂扩产",
        categories=[leaf],
        tags=["芯片", "制造"],
        hero_image=image,
        published_at=dt.datetime(2024, 5, 8, 2, 30, tzinfo=UTC),
    )
    head = head_of(client, article.get_absolute_url())
    assert head.one("og:type") == "article"
    assert head.one("og:title") == head.one("twitter:title") == "芯片厂扩产"
    assert head.one("og:url") == SITE + article.get_absolute_url()
    assert head.one("og:image") == head.one("twitter:image") == "https://img.example.com/hero.jpg"
    assert "og:image:width" not in head.meta  # a remote original: its size is not known
    assert head.one("twitter:card") == "summary_large_image"
    assert head.one("article:published_time") == "2024-05-08T10:30:00+08:00"
    assert head.one("article:modified_time") >= head.one("article:published_time")
    assert head.one("article:author") == SITE + article.author.get_absolute_url()
    assert head.one("article:section") == "芯片"
    assert sorted(head.meta["article:tag"]) == ["制造", "芯片"]


def test_social_image_is_the_absolute_card_with_its_size(client):
    card = make_image("https://img.example.com/big.jpg", renditions={"social": "images/2024/05/card.jpg"})
    article = make_article("有卡片", hero_image=card)
    head = head_of(client, article.get_absolute_url())
    assert head.one("og:image") == f"{SITE}/media/images/2024/05/card.jpg"
    assert (head.one("og:image:width"), head.one("og:image:height")) == ("1200", "630")
    assert head.one("twitter:image") == head.one("og:image")


def test_article_without_image_gets_a_small_twitter_card(client):
    head = head_of(client, make_article("无图").get_absolute_url())
    assert head.one("twitter:card") == "summary"
    assert "og:image" not in head.meta


def test_article_page_has_a_news_article_json_ld(client):
    author = make_author("王芳")
    article = make_article(
        "卫星终端入网",
        author=author,
        hero_image=make_image("https://img.example.com/s.jpg"),
        categories=[make_category_path("通信")],
        tags=["卫星"],
        published_at=dt.datetime(2025, 8, 4, 1, 0, tzinfo=UTC),
    )
    head = head_of(client, article.get_absolute_url())
    [block] = head.json_ld
    data = json.loads(block)
    assert data["@context"] == "https://schema.org" and data["@type"] == "NewsArticle"
    assert data["headline"] == "卫星终端入网"
    assert data["datePublished"] == "2025-08-04T09:00:00+08:00"
    assert data["dateModified"] >= data["datePublished"]
    assert data["author"] == [{"@type": "Person", "name": "王芳", "url": SITE + author.get_absolute_url()}]
    assert data["image"] == ["https://img.example.com/s.jpg"]
    assert data["publisher"] == {"@type": "Organization", "name": "新闻编辑室", "url": SITE + "/"}
    assert data["mainEntityOfPage"]["@id"] == SITE + article.get_absolute_url()
    assert data["articleSection"] == ["通信"] and data["keywords"] == ["卫星"]


def test_untouched_import_is_modified_when_its_legacy_file_says(client):
    published = dt.datetime(2024, 5, 8, 2, 30, tzinfo=UTC)
    article = make_article("旧文", published_at=published, source_updated_at=published + dt.timedelta(days=2))
    Article.objects.filter(pk=article.pk).update(imported_at=article.updated_at)
    head = head_of(client, article.get_absolute_url())
    assert head.one("article:modified_time") == "2024-05-10T10:30:00+08:00"


def test_a_title_cannot_break_out_of_the_json_ld_block(client):
    title = '</script><script>alert(1)</script> & <!-- "引号"'
    article = make_article(title)
    html = client.get(article.get_absolute_url()).content.decode()
    assert html.count("<script") == 1 and html.count("</script>") == 1
    [block] = Head(html).json_ld
    assert "<" not in block and ">" not in block and "&" not in block
    assert json.loads(block)["headline"] == title


# --- related articles, reading time, dates ------------------------------------------------------


@pytest.fixture
def related_set():
    chips, fabs, other = make_category_path("科技", "芯片"), make_category_path("制造"), make_category_path("商业")
    start = timezone.now() - dt.timedelta(days=1)

    def article(title, hours, tags=(), categories=(), **fields):
        return make_article(
            title, tags=tags, categories=categories, published_at=start - dt.timedelta(hours=hours), **fields
        )

    subject = article("主文", 0, ["芯片", "AI", "制造"], [chips])
    return (
        subject,
        [
            article("两标签", 9, ["芯片", "AI"]),
            article("一标签一分类", 8, ["制造"], [chips]),
            article("一标签较新", 1, ["AI"], [other]),
            article("一标签较旧", 5, ["芯片"]),
            article("仅同分类", 2, [], [chips, fabs]),
        ],
        [
            article("无关", 1, ["电商"], [other]),
            article("草稿同标签", 1, ["芯片", "AI", "制造"], [chips], published=False),
            article("已撤下同标签", 1, ["芯片", "AI"], [chips], status=Article.Status.UNPUBLISHED),
        ],
    )


def test_related_articles_rank_by_shared_tags_then_categories_then_newest(related_set, django_assert_num_queries):
    subject, expected, unrelated = related_set
    with django_assert_num_queries(1):
        related = list(Article.objects.related_to(subject, limit=10))
    assert [a.title for a in related] == [a.title for a in expected]
    assert [a.title for a in Article.objects.related_to(subject)] == [a.title for a in expected[:4]]
    # Only the newest sharing articles are ranked, so a tag on everything cannot slow the page.
    assert [a.title for a in Article.objects.related_to(subject, candidates=2)] == ["一标签较新", "仅同分类"]


def test_article_page_shows_related_articles_within_its_query_budget(
    client, related_set, django_assert_max_num_queries
):
    subject, expected, _ = related_set
    with django_assert_max_num_queries(ARTICLE_PAGE_BUDGET):
        response = client.get(subject.get_absolute_url())
    html = response.content.decode()
    section = html[html.index('<aside class="related"') :]
    assert [title for title in (a.title for a in expected) if f">{title}</a>" in section] == [
        a.title for a in expected[:4]
    ]
    assert "草稿同标签" not in html and "无关" not in section


@pytest.mark.parametrize(
    "body, minutes",
    [
        ("", 1),
        ("<p>" + "字" * 400 + "</p>", 1),
        ("<p>" + "字" * 401 + "</p>", 2),
        ("<p>" + "字" * 1200 + "</p>", 3),
        ("<p>" + "word " * 200 + "</p>", 1),
        ("<p>" + "word " * 201 + "</p>", 2),
        ("<p>" + "字" * 600 + "</p><p>" + "word " * 100 + "</p>", 2),
    ],
    ids=["empty", "400-hanzi", "401-hanzi", "1200-hanzi", "200-words", "201-words", "mixed"],
)
def test_reading_time_counts_hanzi_and_latin_words(body, minutes):
    assert reading_minutes(body) == minutes


def test_article_page_shows_reading_time_and_a_chinese_date(client):
    article = make_article(
        "长文", body="<p>" + "字" * 900 + "</p>", published_at=dt.datetime(2022, 6, 5, 17, 0, tzinfo=UTC)
    )
    html = client.get(article.get_absolute_url()).content.decode()
    assert "约 3 分钟" in html
    assert ">2022年6月6日</time>" in html  # 17:00 UTC is the next morning in Shanghai


@pytest.mark.parametrize("language, expected", [("zh-hans", "2022年6月6日"), ("en", "June 6, 2022")])
def test_news_date_follows_the_active_language(language, expected):
    template = Template("{% load newsroom %}{{ when|news_date }}")
    with translation.override(language):
        assert template.render(Context({"when": dt.datetime(2022, 6, 5, 17, 0, tzinfo=UTC)})) == expected
        assert template.render(Context({"when": dt.date(2022, 6, 6)})) == expected


# --- moved and withdrawn addresses --------------------------------------------------------------


def test_slug_change_of_a_published_article_redirects_the_old_address(client):
    article = make_article("旧名")
    old = article.get_absolute_url()
    article = Article.objects.get(pk=article.pk)
    article.slug = "xin-ming"
    article.save()
    response = client.get(old)
    assert (response.status_code, response["Location"]) == (301, article.get_absolute_url())
    assert client.get(article.get_absolute_url()).status_code == 200


def test_date_change_redirects_the_old_address_and_moving_back_keeps_one_hop(client):
    article = make_article("改期", published_at=dt.datetime(2024, 5, 8, 2, 0, tzinfo=UTC))
    first = article.get_absolute_url()
    article.published_at = dt.datetime(2024, 5, 10, 2, 0, tzinfo=UTC)
    article.save()
    second = article.get_absolute_url()
    article.published_at = dt.datetime(2024, 5, 12, 2, 0, tzinfo=UTC)
    article.save()
    assert set(LegacyURL.objects.values_list("path", flat=True)) == {first, second}
    for old in (first, second):
        assert client.get(old)["Location"] == article.get_absolute_url()


def test_only_addresses_readers_could_have_seen_are_kept():
    draft = make_article("草稿", published=False)
    draft.slug = "cao-gao-2"
    draft.save()
    same_day = make_article("同一天", published_at=dt.datetime(2024, 5, 8, 2, 0, tzinfo=UTC))
    same_day.published_at += dt.timedelta(hours=3)
    same_day.save()
    moved = make_article("改名")
    old = moved.get_absolute_url()
    moved.slug = "gai-ming-2"
    moved.save()
    assert list(LegacyURL.objects.values_list("path", "article")) == [(old, moved.pk)]


def test_date_change_in_the_admin_redirects_the_old_address(client):
    client.force_login(get_user_model().objects.create_superuser("chief", password="a-long-test-password"))
    article = make_article("后台改期", published_at=dt.datetime(2024, 5, 8, 2, 0, tzinfo=UTC))
    old = article.get_absolute_url()
    article.refresh_from_db()
    response = client.post(
        reverse("admin:articles_article_change", args=[article.pk]),
        {
            "title": article.title,
            "author": article.author_id,
            "summary": article.summary,
            "body": article.body,
            "published_at_0": "2024-05-09",
            "published_at_1": "10:00:00",
            "allow_comments": "on",
            "tags": "",
            "edit_version": article.edit_version,
        },
    )
    assert response.status_code == 302, response.content.decode()[:2000]
    article.refresh_from_db()
    assert article.get_absolute_url() == f"/2024/05/09/{article.slug}/"
    response = client.get(old)
    assert (response.status_code, response["Location"]) == (301, article.get_absolute_url())


def test_imported_old_address_and_a_later_move_both_lead_to_the_article(tmp_path, client):
    from django.core.management import call_command

    write_file(tmp_path, "_posts/qinghe.md", seed_shaped("青禾物流夜间配送试点", date="Wed, 08 May 2024 02:10:30 GMT"))
    call_command("import_frontmatter", str(tmp_path), stdout=open("/dev/null", "w"))
    article = Article.objects.get()
    assert list(LegacyURL.objects.values_list("path", flat=True)) == ["/2024/05/08/qinghe/"]
    moved_from = article.get_absolute_url()
    article.slug = "qing-he-ye-jian"
    article.save()
    for old in ("/2024/05/08/qinghe/", moved_from):
        response = client.get(old)
        assert (response.status_code, response["Location"]) == (301, article.get_absolute_url()), old


@pytest.fixture
def editor():
    return get_user_model().objects.create_superuser("editor", password="a-long-test-password")


@pytest.mark.parametrize("verb", ["unpublish", "archive"])
def test_withdrawn_article_is_gone_at_its_own_and_its_old_address(client, editor, verb):
    article = make_article("撤下")
    old = article.get_absolute_url()
    article.slug = "che-xia-xin"
    article.save()
    getattr(workflow, verb)(article, by=editor)
    assert client.get(article.get_absolute_url()).status_code == 410
    assert client.get(old).status_code == 410


def test_expired_article_is_gone(client):
    article = make_article("过期", expires_at=timezone.now() - dt.timedelta(minutes=1))
    assert client.get(article.get_absolute_url()).status_code == 410


def test_gone_is_only_for_the_own_address_of_an_article_once_seen(client):
    article = make_article(
        "撤下", status=Article.Status.UNPUBLISHED, published_at=dt.datetime(2024, 5, 8, 2, 0, tzinfo=UTC)
    )
    assert client.get(article.get_absolute_url()).status_code == 410
    assert client.get(f"/2023/01/01/{article.slug}/").status_code == 404
    # Drafts never published and scheduled articles were never seen: their addresses stay unknown.
    for fields in ({"published": False}, {"published_at": timezone.now() + dt.timedelta(days=1)}):
        assert client.get(make_article("未见", **fields).get_absolute_url()).status_code == 404


# --- SEO title and description set in the editor -----------------------------------------------


def h1_of(client, url):
    page = client.get(url).content.decode()
    return page[page.index("<h1>") + 4 : page.index("</h1>")]


def test_seo_title_and_description_are_what_search_engines_and_share_cards_read(client):
    article = make_article(
        "芯片厂扩产：一篇很长的正式标题", summary="编辑写的摘要。", body="<p>正文。</p>",
        seo_title="芯片厂扩产", seo_description="晶圆厂明年投产，产能翻倍。",
        hero_image=make_image("https://img.example.com/hero.jpg"),
    )  # fmt: skip
    url = article.get_absolute_url()
    head = head_of(client, url)
    assert head.title == "芯片厂扩产 · 新闻编辑室"
    assert head.one("og:title") == head.one("twitter:title") == "芯片厂扩产"
    assert head.one("description") == "晶圆厂明年投产，产能翻倍。"
    assert head.one("og:description") == head.one("twitter:description") == "晶圆厂明年投产，产能翻倍。"
    [block] = head.json_ld
    data = json.loads(block)
    assert (data["headline"], data["description"]) == ("芯片厂扩产", "晶圆厂明年投产，产能翻倍。")
    # The page itself still calls the article by its title.
    assert h1_of(client, url) == "芯片厂扩产：一篇很长的正式标题"


def test_without_seo_fields_the_title_and_summary_are_used(client):
    article = make_article("芯片厂扩产", summary="编辑写的摘要。", seo_title="  ", seo_description="\n")
    head = head_of(client, article.get_absolute_url())
    assert head.title == "芯片厂扩产 · 新闻编辑室"
    assert head.one("og:title") == "芯片厂扩产"
    assert head.one("description") == "编辑写的摘要。"


@pytest.mark.usefixtures("page_cache_on")
def test_a_changed_seo_title_is_on_the_next_request_with_every_cache_on(client, settings):
    settings.NEWSROOM = {**settings.NEWSROOM, "FRAGMENT_CACHE": True}
    article = make_article("芯片厂扩产", summary="编辑写的摘要。")
    url = article.get_absolute_url()
    client.get(url)
    assert client.get(url)["X-Cache"] == "hit"  # page, head part and address all kept now

    article.seo_title, article.seo_description = "搜索里的标题", "搜索里的描述。"
    article.save()
    response = client.get(url)
    head = Head(response.content.decode())
    assert head.title == "搜索里的标题 · 新闻编辑室"
    assert head.one("og:title") == "搜索里的标题"
    assert head.one("description") == "搜索里的描述。"
    assert client.get(url)["X-Cache"] == "hit"

    article.seo_title = ""
    article.save()
    assert head_of(client, url).title == "芯片厂扩产 · 新闻编辑室"


def test_an_address_kept_by_an_earlier_release_is_read_afresh(client, settings, monkeypatch):
    from articles import caching, fragments

    settings.NEWSROOM = {**settings.NEWSROOM, "FRAGMENT_CACHE": True, "PAGE_CACHE": False}
    article = make_article("芯片厂扩产", seo_title="搜索里的标题")
    url = article.get_absolute_url()
    client.get(url)
    version = fragments.known_address(article.slug)[0]
    # What a release that kept one field fewer (no seo_title) left under the same key.
    older = tuple(getattr(article, name) for name in fragments.ADDRESS_FIELDS[:-1])
    monkeypatch.setattr(fragments, "_addresses", caching.ProcessLocalCache(16))
    fragments.cache.set(fragments.ADDRESS_KEY.format(article.slug), (version, older, url))
    assert fragments.known_address(article.slug) is None
    assert head_of(client, url).title == "搜索里的标题 · 新闻编辑室"
