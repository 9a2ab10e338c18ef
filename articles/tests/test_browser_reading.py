"""Every public page type as a reader sees it, in real headless Chromium on a desktop (1366 px)
and a phone (390 px): no template syntax, no broken picture, the sections in the header, the
styled error pages, breadcrumbs over the article's column. Screenshots go to
build/test-artifacts/reading-<page>-<width>.png."""

import io
from urllib.parse import urlsplit

import pytest
from django.contrib.auth import get_user_model
from django.urls import path
from PIL import Image as PILImage
from PIL import ImageDraw

from articles import workflow
from articles.images.library import store_image
from articles.preview import share_url
from articles.tests.browsing import ARTIFACTS, BROWSER_TEST, PASSWORD, log_in, open_page
from articles.tests.factories import make_article, make_author, make_category_path
from articles.tests.test_templates import TEMPLATE_SYNTAX, without_article_bodies
from config.urls import urlpatterns as site_urlpatterns

pytestmark = [*BROWSER_TEST, pytest.mark.urls(__name__)]

WIDTHS = (1366, 390)
ACCENT = "rgb(180, 35, 42)"  # site.css --accent


def _fails(request):
    raise RuntimeError("a bug in a view")


# The site, and a view that fails (for the 500 page).
urlpatterns = [path("fails/", _fails), *site_urlpatterns]


def picture(name, colour, alt):
    """A library picture that looks like one in a screenshot: a sky over hills of `colour`."""
    scene = PILImage.new("RGB", (1600, 900), "white")
    draw = ImageDraw.Draw(scene)
    for y in range(540):  # the sky, lighter towards the horizon
        draw.line([(0, y), (1600, y)], fill=(90 + y // 4, 150 + y // 8, 230))
    draw.ellipse([1150, 120, 1330, 300], fill=(255, 214, 90))
    draw.polygon([(0, 900), (0, 520), (420, 330), (820, 560), (1200, 380), (1600, 540), (1600, 900)], fill=colour)
    buffer = io.BytesIO()
    scene.save(buffer, "JPEG", quality=85)
    return store_image(buffer.getvalue(), name=name, alt_text=alt).image


@pytest.fixture
def reading_site():
    """A small newsroom whose pictures are all in the image library, as `make run`'s are."""
    editor = get_user_model().objects.create_superuser("reading-editor", password=PASSWORD)
    author = make_author("林晓", slug="lin-xiao", bio="科技记者，关注芯片与手机。")
    chips, phones = make_category_path("科技", "芯片"), make_category_path("科技", "手机")
    business, media = make_category_path("商业"), make_category_path("新媒体", "36kr")
    pictures = [
        picture("wafer.jpg", (40, 90, 160), "晶圆厂"),
        picture("phone.jpg", (30, 140, 80), "新手机"),
        picture("market.jpg", (200, 120, 30), "交易所"),
    ]
    figure = pictures[1]
    body = (
        "<p>晶圆厂今年的产能继续扩大，新的生产线将在年底投产。</p>"
        f'<figure><img src="{figure.file.url}" alt="{figure.alt_text}"><figcaption>新生产线</figcaption></figure>'
        "<h2>产能与价格</h2><p>分析人士认为，产能增加会让价格回落，但需求仍然旺盛。</p>"
        "<p>文章里写模板语法也没关系：{{ page.title }} 与 {% post_link hello %}。</p>"
    )
    subjects = [
        ("晶圆厂扩产，新生产线年底投产", [chips], ["芯片", "制造"]),
        ("新手机发布：更长的续航", [phones], ["手机"]),
        ("芯片价格回落的三个原因", [chips], ["芯片"]),
        ("交易所迎来新上市公司", [business], ["上市"]),
        ("一家媒体公司的转型", [media], ["媒体"]),
    ]
    articles = [
        make_article(
            title, author=author, categories=categories, tags=tags, body=body, summary=f"{title}。摘要写在这里。",
            hero_image=pictures[n % 3], thumbnail=pictures[n % 3],
        )
        for n, (title, categories, tags) in enumerate(subjects)
    ]  # fmt: skip
    english = make_article(
        "Chip makers expand", author=author, categories=[chips], language="en", hero_image=pictures[0],
        thumbnail=pictures[0], body="<p>Chip makers expand their factories.</p>", summary="Chip makers expand.",
    )  # fmt: skip
    draft = make_article(
        "尚未发布的稿件", author=author, categories=[chips], body=body, summary="一篇草稿。", published=False,
        hero_image=pictures[2],
    )  # fmt: skip
    gone = make_article("已经撤下的文章", author=author, categories=[business])
    workflow.unpublish(gone, by=editor)
    day = articles[0].published_at.astimezone()
    public = {
        "home": "/",
        "article": articles[0].get_absolute_url(),
        "article-en": english.get_absolute_url(),
        "category": "/category/ke-ji/",
        "category-list": "/category/",
        "tag": articles[0].tags.order_by("name").first().get_absolute_url(),
        "author": author.get_absolute_url(),
        "year": f"/{day.year}/",
        "month": f"/{day.year}/{day.month:02d}/",
        "search": "/search/?q=芯片",
        "share": urlsplit(share_url(draft)).path,
        "404": "/no/such/page/",
        "410": gone.get_absolute_url(),
        "500": "/fails/",
    }
    return {"public": public, "preview": f"/preview/{draft.pk}/", "editor": editor}


STATUSES = {"404": 404, "410": 410, "500": 500}


def look_at(page, live_server, name, url, width):
    """Open `url`, check what every page must be, take the screenshot; returns the response."""
    response = page.goto(live_server.url + url)
    assert response.status == STATUSES.get(name, 200), name
    # Pictures below the fold load lazily: all of them are asked for, to find any broken one.
    page.evaluate("document.querySelectorAll('img[loading=lazy]').forEach(img => img.loading = 'eager')")
    page.wait_for_function("() => Array.from(document.images).every(img => img.complete)")
    broken = page.evaluate(
        "Array.from(document.images).filter(img => !img.naturalWidth).map(img => img.currentSrc || img.src)"
    )
    assert broken == [], name
    html = without_article_bodies(page.content())
    assert [syntax for syntax in TEMPLATE_SYNTAX if syntax in html] == [], name
    assert page.evaluate("document.documentElement.scrollWidth") <= width, name
    assert page.external_requests == [] and page.errors == [], name
    page.screenshot(path=ARTIFACTS / f"reading-{name}-{width}.png", full_page=True)
    return response


@pytest.mark.parametrize("width", WIDTHS)
def test_every_public_page_as_a_reader_sees_it(chromium, live_server, reading_site, width):
    ARTIFACTS.mkdir(parents=True, exist_ok=True)
    context, page = open_page(chromium, live_server, viewport={"width": width, "height": 900})
    try:
        for name, url in reading_site["public"].items():
            look_at(page, live_server, name, url, width)
            if name in STATUSES:  # styled like the site, with a search box and the way home
                assert page.locator(".error-code").evaluate("e => getComputedStyle(e).color") == ACCENT
                assert page.locator(".error-search input[name=q]").is_visible()
                assert page.locator(".error-home a").get_attribute("href") == "/"
                assert page.locator(".site-header .site-name").is_visible()
        # The sections with the most live articles, then the whole tree.
        page.goto(live_server.url + "/")
        assert page.locator(".site-nav a").all_inner_texts() == ["科技", "商业", "新媒体", "全部分类"]
        page.locator(".site-nav a", has_text="全部分类").click()
        page.wait_for_url(live_server.url + "/category/")
        assert page.locator("main > .category-tree > li > a").all_inner_texts() == ["商业", "新媒体", "科技"]
        # The English article is in English for the browser too (hyphenation, fonts, readers).
        page.goto(live_server.url + reading_site["public"]["article-en"])
        assert page.evaluate("document.documentElement.lang") == "en"
        # The search from the 410 page finds articles.
        page.goto(live_server.url + reading_site["public"]["410"])
        page.fill(".error-search input[name=q]", "芯片")
        page.locator(".error-search button").click()
        page.wait_for_url("**/search/?q=*")
        assert page.locator(".search-result").count() >= 2
    finally:
        context.close()


def test_breadcrumbs_line_up_with_the_article_column(chromium, live_server, reading_site):
    context, page = open_page(chromium, live_server, viewport={"width": 1366, "height": 900})
    try:
        page.goto(live_server.url + reading_site["public"]["article"])
        crumbs, column = page.locator(".breadcrumbs").bounding_box(), page.locator("article.article").bounding_box()
        assert abs(crumbs["x"] - column["x"]) < 1 and abs(crumbs["width"] - column["width"]) < 1
        assert column["width"] < 1366 - 2 * 100  # the column is narrower than the page: the test means something
    finally:
        context.close()


@pytest.mark.parametrize("width", WIDTHS)
def test_the_newsrooms_preview_of_a_draft(chromium, live_server, reading_site, width):
    context, page = open_page(chromium, live_server, viewport={"width": width, "height": 900})
    try:
        log_in(page, live_server, reading_site["editor"].username)
        look_at(page, live_server, "preview", reading_site["preview"], width)
        assert page.locator(".preview-banner").is_visible()
    finally:
        context.close()
