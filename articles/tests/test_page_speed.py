"""What readers' pages keep between requests (caching.kept_per_content_version) stays exact: a change shows at once."""

import datetime as dt

import pytest
from django.utils import timezone

from articles.models import Category
from articles.templatetags.newsroom import responsive_image
from articles.tests.factories import make_article, make_category_path, make_image

pytestmark = pytest.mark.django_db


def test_a_second_article_view_asks_only_for_the_article(client, no_page_cache, django_assert_max_num_queries):
    leaf = make_category_path("科技", "芯片", "制造")
    article = make_article("主文章", categories=[leaf], tags=["芯片"])
    make_article("相关文章", categories=[leaf], tags=["芯片"])
    client.get(article.get_absolute_url())
    # The article, its categories and its tags; related articles, navigation and breadcrumbs are kept.
    with django_assert_max_num_queries(3):
        response = client.get(article.get_absolute_url())
    assert "相关文章" in response.content.decode()
    assert [c.name for c in response.context["breadcrumbs"]] == ["科技", "芯片", "制造"]


def test_related_articles_follow_a_new_article_at_once(client, no_page_cache):
    article = make_article("主文章", tags=["芯片"])
    client.get(article.get_absolute_url())
    make_article("新的相关文章", tags=["芯片"])
    assert "新的相关文章" in client.get(article.get_absolute_url()).content.decode()


def test_related_articles_follow_a_scheduled_article_when_it_goes_live(client, no_page_cache, monkeypatch, settings):
    settings.NEWSROOM = {**settings.NEWSROOM, "PAGE_CACHE_TIMEOUT": 3600}
    article = make_article("主文章", tags=["芯片"])
    make_article("定时文章", tags=["芯片"], published_at=timezone.now() + dt.timedelta(minutes=10))
    assert "定时文章" not in client.get(article.get_absolute_url()).content.decode()
    later = timezone.now() + dt.timedelta(minutes=11)
    monkeypatch.setattr(timezone, "now", lambda: later)
    assert "定时文章" in client.get(article.get_absolute_url()).content.decode()


def test_a_renamed_section_shows_in_the_navigation_and_its_page_at_once(client, no_page_cache):
    make_article(categories=[make_category_path("科技", "芯片")])
    assert "科技" in client.get("/").content.decode()
    root = Category.objects.get(name="科技")
    root.name = "科学"
    root.save()
    assert "科学" in client.get("/").content.decode()
    assert client.get(root.get_absolute_url()).context["category"].name == "科学"


def test_picture_markup_follows_a_new_alt_text():
    image = make_image(alt_text="旧说明")
    assert 'alt="旧说明"' in responsive_image(image)
    image.alt_text = "新说明"
    assert 'alt="新说明"' in responsive_image(image)


def test_reader_pages_set_up_no_message_storage_and_the_admin_does(client, admin_client, no_page_cache):
    article = make_article("主文章")
    assert not hasattr(client.get(article.get_absolute_url()).wsgi_request, "_messages")
    assert hasattr(admin_client.get("/admin/").wsgi_request, "_messages")


def test_the_footer_shows_the_sites_year(client, no_page_cache, settings, monkeypatch):
    settings.TIME_ZONE = "Asia/Shanghai"
    # 16:30 UTC on New Year's Eve is already the new year in Beijing.
    monkeypatch.setattr(timezone, "now", lambda: dt.datetime(2026, 12, 31, 16, 30, tzinfo=dt.UTC))
    assert "© 2027 " in client.get("/").content.decode()


def test_seo_tags_and_page_links_are_rendered_once_for_the_same_values(client, no_page_cache, monkeypatch):
    from articles.views import ArticleListView

    monkeypatch.setattr(ArticleListView, "paginate_by", 1)
    for i in range(3):
        make_article(f"文章{i}", published_at=timezone.now() - dt.timedelta(hours=i))
    client.get("/")
    again = client.get("/")
    rendered = {template.name for template in again.templates}
    assert not rendered & {"includes/seo_meta.html", "includes/pagination.html"}
    second = client.get("/?page=2").content.decode()
    assert "第 2 / 3 页" in second and 'rel="prev" href="?page=1"' in second
    assert 'rel="next" href="?page=3"' in second and "?page=2" in second.split('rel="canonical"')[1][:60]


def test_an_anonymous_read_sets_up_no_session_or_user_and_an_editors_request_does(client, admin_client, no_page_cache):
    article = make_article("主文章")
    read = client.get(article.get_absolute_url())
    assert read.status_code == 200
    assert not hasattr(read.wsgi_request, "session") and not hasattr(read.wsgi_request, "user")
    # Signed in (a session cookie), the same page knows its reader.
    signed_in = admin_client.get(article.get_absolute_url())
    assert signed_in.wsgi_request.user.is_staff
    assert hasattr(admin_client.get(f"/preview/{article.pk}/").wsgi_request, "user")


def test_a_post_to_a_reader_page_is_still_checked_for_csrf(no_page_cache):
    from django.test import Client

    assert Client(enforce_csrf_checks=True).post("/search/", {"q": "x"}).status_code == 403
