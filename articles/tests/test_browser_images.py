"""Responsive images in real headless Chromium: a phone downloads a small rendition."""

import re

import pytest

from articles.images.library import store_image
from articles.tests.browsing import ARTIFACTS, BROWSER_TEST, open_page
from articles.tests.factories import make_article
from articles.tests.pictures import make_jpeg

pytestmark = BROWSER_TEST


@pytest.fixture
def article_with_library_images():
    hero = store_image(make_jpeg(2400, 1350), name="hero.jpg", alt_text="发布会现场").image
    figure = store_image(make_jpeg(1800, 1200), name="figure.jpg", alt_text="产品图").image
    body = f'<p>正文开头。</p><figure><img src="{figure.file.url}"><figcaption>产品图</figcaption></figure>'
    return make_article("响应式图片的文章", hero_image=hero, body=body)


def chosen_image(chromium, live_server, url, width):
    """(currentSrc, bytes transferred) of the hero image, as Chromium at `width` px loads it."""
    context, page = open_page(chromium, live_server, viewport={"width": width, "height": 812})
    try:
        page.goto(live_server.url + url)
        page.wait_for_function("document.querySelector('.hero img').complete")
        source = page.evaluate("document.querySelector('.hero img').currentSrc")
        size = page.evaluate("src => performance.getEntriesByName(src).map(e => e.encodedBodySize)[0]", source)
        # The body's picture loads lazily, near the viewport: wait until it has picked its source.
        page.wait_for_function("document.querySelector('.article-body picture img').currentSrc !== ''")
        body_source = page.evaluate("document.querySelector('.article-body picture img').currentSrc")
        assert page.external_requests == []
        assert page.evaluate("document.documentElement.scrollWidth") <= width
        ARTIFACTS.mkdir(parents=True, exist_ok=True)
        page.screenshot(path=ARTIFACTS / f"article-images-{width}.png")
        return source, size, body_source
    finally:
        context.close()


def rendition_width(url):
    return int(re.search(r"/(\d+)w\.(webp|jpg|png)$", url).group(1))


def test_a_phone_gets_a_small_webp_rendition_and_a_desktop_a_larger_one(
    chromium, live_server, article_with_library_images
):
    url = article_with_library_images.get_absolute_url()
    phone_src, phone_bytes, phone_body = chosen_image(chromium, live_server, url, 375)
    desktop_src, desktop_bytes, _ = chosen_image(chromium, live_server, url, 1280)

    assert phone_src.endswith(".webp") and desktop_src.endswith(".webp")
    # 375 px less the margins is 343 CSS px at 1x: the 640 px rendition, never the 2400 px file.
    assert rendition_width(phone_src) <= 640
    assert rendition_width(phone_body) <= 640
    assert rendition_width(desktop_src) > rendition_width(phone_src)
    assert 0 < phone_bytes < desktop_bytes
