"""The sample articles as `make run` shows them, in real Chromium: every picture loads, offline."""

from pathlib import Path

import pytest
from django.conf import settings
from django.core.management import call_command

from articles.models import Article
from articles.tests.browsing import ARTIFACTS, BROWSER_TEST

pytestmark = BROWSER_TEST

# Scrolls down a screen at a time, as a reader would, so that every lazy picture is asked for.
READ_TO_THE_END = """async () => {
    for (let y = 0; y <= document.documentElement.scrollHeight; y += window.innerHeight / 2) {
        window.scrollTo(0, y);
        await new Promise(resolve => setTimeout(resolve, 50));
    }
}"""
PICTURES = "[...document.images].map(img => [img.currentSrc, img.complete, img.naturalWidth])"


@pytest.fixture
def samples():
    call_command("import_frontmatter", str(Path(settings.BASE_DIR) / "articles" / "sample_archive"))


def shown_pictures(page):
    """(address, natural width) of every <img> on the page, once each has loaded or failed."""
    page.evaluate(READ_TO_THE_END)
    page.wait_for_function("[...document.images].every(img => img.complete)", timeout=15_000)
    return [(src, width) for src, _complete, width in page.evaluate(PICTURES)]


@pytest.mark.parametrize("width", [1366, 390])
def test_every_picture_of_the_home_page_and_a_sample_article_loads(page, live_server, samples, width):
    ARTIFACTS.mkdir(parents=True, exist_ok=True)
    page.set_viewport_size({"width": width, "height": 900})
    article = Article.objects.get(source_path="2024-06-21-advanced-packaging-line.md")
    for name, path in (("home", "/"), ("sample-article", article.get_absolute_url())):
        page.goto(live_server.url + path)
        pictures = shown_pictures(page)
        assert len(pictures) >= 2, name  # home: a card's picture each; the article: hero and body
        broken = [src for src, natural_width in pictures if natural_width == 0]
        assert broken == [], name
        assert all(src.startswith(live_server.url + settings.MEDIA_URL) for src, _ in pictures), name
        page.evaluate("window.scrollTo(0, 0)")
        page.screenshot(path=ARTIFACTS / f"sample-pictures-{name}-{width}.png", full_page=True)
    assert page.external_requests == []  # nothing asked of img.example.com or any other host
    assert page.errors == []
