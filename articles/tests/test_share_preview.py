"""The search-result and share-card preview beside the article form, and the SEO title and
description it shows: in the form, saved by it, rendered as the public page describes the article."""

import re
from html import unescape

import pytest
from django.urls import reverse

from articles.models import Article
from articles.share_preview import share_preview_html
from articles.tests.factories import make_article, make_author, make_image

pytestmark = pytest.mark.django_db

SITE = "https://news.example.com"


@pytest.fixture(autouse=True)
def _public_site(settings):
    settings.NEWSROOM = {**settings.NEWSROOM, "SITE_URL": SITE, "SITE_NAME": "新闻编辑室"}


def shown(html, name):
    """The texts of the preview's elements marked data-preview=`name`."""
    pattern = rf'data-preview="{name}"[^>]*>([^<]*)<'
    return [unescape(text) for text in re.findall(pattern, html)]


def test_the_preview_says_what_the_public_page_will_say():
    card = make_image("https://img.example.com/hero.jpg", renditions={"social": "renditions/ab/card.jpg"})
    article = make_article(
        "芯片厂扩产：一篇很长的正式标题", seo_title="芯片厂扩产", summary="编辑写的摘要。", hero_image=card
    )
    html = share_preview_html(article)
    assert shown(html, "page-title") == ["芯片厂扩产 · 新闻编辑室"]
    assert shown(html, "title") == ["芯片厂扩产"]
    assert shown(html, "description") == ["编辑写的摘要。", "编辑写的摘要。"]
    assert shown(html, "slug") == [article.slug]
    assert 'src="/media/renditions/ab/card.jpg"' in html  # the card the page's og:image names
    assert "news.example.com" in html


def test_a_seo_description_replaces_the_summary_in_the_preview():
    article = make_article("标题", summary="编辑写的摘要。", seo_description="给搜索引擎的描述。")
    assert shown(share_preview_html(article), "description") == ["给搜索引擎的描述。"] * 2


def test_without_a_hero_image_the_card_says_it_has_no_picture():
    html = share_preview_html(make_article("无图"))
    assert re.search(r'<img [^>]*data-preview="image"[^>]* hidden', html)
    assert re.search(r'data-preview="no-image"(?! hidden)', html)


def test_a_new_article_gets_an_empty_preview():
    html = share_preview_html(Article(title="", author=make_author()))
    assert shown(html, "page-title") == ["新闻编辑室"] and shown(html, "slug") == [""]


def test_the_change_form_offers_the_seo_fields_with_the_preview_and_its_script(chief_client):
    article = make_article("芯片厂扩产", seo_title="搜索标题")
    html = chief_client.get(reverse("admin:articles_article_change", args=[article.pk])).content.decode()
    assert 'name="seo_title"' in html and 'name="seo_description"' in html
    assert "data-share-preview" in html and "搜索标题 · 新闻编辑室" in html
    assert re.search(r'src="/static/articles/admin/share-preview.js" nonce="[^"]+" type="module"', html)
    add = chief_client.get(reverse("admin:articles_article_add")).content.decode()
    assert "data-share-preview" in add and 'name="seo_title"' in add


def test_the_seo_fields_are_saved_from_the_form(chief_client):
    article = make_article("芯片厂扩产")
    article.refresh_from_db()
    response = chief_client.post(
        reverse("admin:articles_article_change", args=[article.pk]),
        {
            "title": article.title, "slug": article.slug, "author": article.author_id,
            "summary": article.summary, "body": article.body, "allow_comments": "on", "tags": "",
            "edit_version": article.edit_version,
            "seo_title": "搜索里的标题", "seo_description": "搜索里的描述。",
        },
    )  # fmt: skip
    assert response.status_code == 302, response.content.decode()[:2000]
    article.refresh_from_db()
    assert (article.seo_title, article.seo_description) == ("搜索里的标题", "搜索里的描述。")
    page = chief_client.get(article.get_absolute_url()).content.decode()
    assert "<title>搜索里的标题 · 新闻编辑室</title>" in page
