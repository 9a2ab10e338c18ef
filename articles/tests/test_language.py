"""An article's content language (Article.language): its page's lang, og:locale and JSON-LD, its
Atom entry's xml:lang and its Google News entry; editable in the admin."""

import datetime as dt
import json
import re
import xml.etree.ElementTree as ET

import pytest
from django.utils import timezone

from articles.models import Article
from articles.tests.factories import change_form_data, make_article

pytestmark = pytest.mark.django_db

ATOM = "{http://www.w3.org/2005/Atom}"
XML_LANG = "{http://www.w3.org/XML/1998/namespace}lang"


def json_ld(html):
    return json.loads(re.search(r'<script type="application/ld\+json">(.*?)</script>', html, re.S).group(1))


@pytest.mark.parametrize("language, locale", [("zh-Hans", "zh_CN"), ("zh-Hant", "zh_TW"), ("en", "en_US")])
def test_an_article_page_is_in_the_articles_language(client, language, locale):
    article = make_article("語言測試", language=language)
    for _ in range(2):  # rendered, then from the parts kept (articles.fragments)
        html = client.get(article.get_absolute_url()).content.decode()
        assert f'<html lang="{language}">' in html
        assert f'<meta property="og:locale" content="{locale}">' in html
        assert json_ld(html)["inLanguage"] == language


def test_the_kept_address_knows_the_language_without_a_query(client, settings, django_assert_num_queries):
    settings.NEWSROOM = {**settings.NEWSROOM, "PAGE_CACHE": False}  # the view's own work
    article = make_article("An English article", language="en")
    client.get(article.get_absolute_url())
    with django_assert_num_queries(0):  # the address and its parts are kept (articles.fragments)
        html = client.get(article.get_absolute_url()).content.decode()
    assert '<html lang="en">' in html


def test_list_pages_stay_chinese_and_mark_an_article_in_another_language(client):
    make_article("An English article", language="en")
    make_article("中文文章")
    html = client.get("/").content.decode()
    assert '<html lang="zh-Hans">' in html and '<meta property="og:locale" content="zh_CN">' in html
    assert '<article class="card" lang="en">' in html
    assert html.count('<article class="card">') == 1


def test_an_atom_entry_is_in_its_articles_language_and_rss_has_the_channels_only(client):
    make_article("An English article", language="en")
    make_article("繁體中文文章", language="zh-Hant")
    atom = ET.fromstring(client.get("/feed/atom/").content)
    assert atom.get(XML_LANG) == "zh-cn"
    assert {entry.findtext(f"{ATOM}title"): entry.get(XML_LANG) for entry in atom.iter(f"{ATOM}entry")} == {
        "An English article": "en",
        "繁體中文文章": "zh-Hant",
    }
    rss = ET.fromstring(client.get("/feed/").content)
    assert rss.findtext("channel/language") == "zh-cn"  # RSS 2.0 has no language for an item
    assert all(item.find("language") is None for item in rss.iter("item"))


def test_the_news_sitemap_names_each_articles_language(client):
    recent = timezone.now() - dt.timedelta(hours=1)  # the news sitemap lists the last two days
    make_article("An English article", language="en", published_at=recent)
    make_article("繁體中文文章", language="zh-Hant", published_at=recent)
    make_article("简体中文文章", published_at=recent)
    response = client.get("/sitemap-news.xml")
    ns = {"s": "http://www.sitemaps.org/schemas/sitemap/0.9", "news": "http://www.google.com/schemas/sitemap-news/0.9"}
    languages = {
        url.findtext("news:news/news:title", namespaces=ns): url.findtext(
            "news:news/news:publication/news:language", namespaces=ns
        )
        for url in ET.fromstring(response.content).findall("s:url", ns)
    }
    assert languages == {"An English article": "en", "繁體中文文章": "zh-tw", "简体中文文章": "zh-cn"}


def test_an_editor_sets_the_language_in_the_admin(chief_client):
    article = make_article("Written in English")
    page = chief_client.get(f"/admin/articles/article/{article.pk}/change/").content.decode()
    assert '<select name="language"' in page and '<option value="zh-Hans" selected>' in page
    response = chief_client.post(
        f"/admin/articles/article/{article.pk}/change/", change_form_data(article, language="en")
    )
    assert response.status_code == 302
    assert Article.objects.get(pk=article.pk).language == "en"


def test_a_form_posted_without_a_language_keeps_the_articles(chief_client):
    article = make_article("Written in English", language="en")
    data = change_form_data(article, title="Still in English")
    data.pop("language", None)
    assert chief_client.post(f"/admin/articles/article/{article.pk}/change/", data).status_code == 302
    assert Article.objects.values_list("title", "language").get(pk=article.pk) == ("Still in English", "en")
