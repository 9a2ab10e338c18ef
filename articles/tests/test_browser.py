"""The reading site in real headless Chromium (Playwright driving Debian's /usr/bin/chromium)."""

import re
from pathlib import Path

import pytest
from django.conf import settings
from django.core.management import call_command

from articles.models import Article
from articles.tests.browsing import ARTIFACTS, BROWSER_TEST
from articles.tests.factories import make_article, make_category_path

SAMPLE_TITLE = "星河科技12英寸晶圆厂二期扩产"

pytestmark = BROWSER_TEST


@pytest.fixture
def samples():
    call_command("import_frontmatter", str(Path(settings.BASE_DIR) / "articles" / "sample_archive"))


def test_reader_follows_a_sample_article_from_the_home_page(page, live_server, samples):
    ARTIFACTS.mkdir(parents=True, exist_ok=True)
    page.goto(live_server.url + "/")
    assert page.locator("h1").inner_text() == "最新文章"
    page.get_by_role("link", name=re.compile(SAMPLE_TITLE)).first.click()
    page.wait_for_load_state("load")

    article = Article.objects.get(title__startswith=SAMPLE_TITLE)
    assert page.url == live_server.url + article.get_absolute_url()
    assert page.locator("h1").inner_text() == article.title
    assert page.title().startswith(article.title)
    crumbs = page.locator("nav.breadcrumbs li").all_inner_texts()
    assert crumbs == ["首页", "科技", "芯片", "制造"]

    images = page.locator(".article-body img")
    assert images.count() >= 1
    for i in range(images.count()):  # the archive's own pictures, now in the library
        assert images.nth(i).get_attribute("src").startswith("/media/")
        assert images.nth(i).get_attribute("data-img-size-val") is None

    # The JSON-LD data block (articles.seo) is a <script> element that never runs.
    assert page.evaluate("[...document.scripts].filter(s => s.type !== 'application/ld+json').length") == 0
    assert page.evaluate("[...document.scripts].map(s => s.type)") == ["application/ld+json"]
    assert page.errors == []
    # Nothing is loaded from elsewhere: the sample articles ship their pictures.
    assert page.external_requests == []

    page.screenshot(path=ARTIFACTS / "article-1280.png", full_page=True)
    page.set_viewport_size({"width": 375, "height": 812})
    page.screenshot(path=ARTIFACTS / "article-375.png", full_page=True)
    assert page.evaluate("document.documentElement.scrollWidth") <= 375


def test_home_page_fits_a_360px_phone(page, live_server, samples):
    ARTIFACTS.mkdir(parents=True, exist_ok=True)
    page.set_viewport_size({"width": 360, "height": 740})
    page.goto(live_server.url + "/")
    assert page.locator("article.card").count() == 11
    assert page.evaluate("document.documentElement.scrollWidth") <= 360
    page.screenshot(path=ARTIFACTS / "home-360.png", full_page=True)


def test_no_script_from_a_hostile_body_runs(page, live_server):
    hostile = make_article(
        "恶意正文",
        categories=[make_category_path("科技")],
        body=(
            "<p>文字</p><script>window.__pwned = 1</script>"
            '<img src="/missing.png" onerror="window.__pwned = 2">'
            "<svg><script>window.__pwned = 3</script></svg>"
            '<a href="javascript:window.__pwned = 4" id="bad">点我</a>'
            '<iframe srcdoc="&lt;script&gt;parent.__pwned = 5&lt;/script&gt;"></iframe>'
            '<noscript><p title="</noscript><img src=/x.png onerror=window.__pwned=6>"></noscript>'
        ),
    )
    page.goto(live_server.url + hostile.get_absolute_url())
    page.wait_for_load_state("load")
    page.get_by_text("点我").click()
    page.wait_for_timeout(200)
    assert page.evaluate("window.__pwned") is None
    assert page.evaluate("[...document.scripts].map(s => s.type)") == ["application/ld+json"]
    assert page.locator("iframe, svg, [onerror], [onclick]").count() == 0
    assert page.errors == []
