"""Error pages in production mode (DEBUG off): 404, 410, 403, 400 and 500 look like the site, offer a
search box and the way home, carry the security headers, and never stay in the page cache."""

import datetime as dt

import pytest
from django.core.exceptions import PermissionDenied
from django.template import loader
from django.urls import path
from django.utils import timezone

from articles import caching, workflow
from articles.models import Article, LegacyURL
from articles.tests.factories import make_article
from config.urls import urlpatterns as site_urlpatterns

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("page_cache_on", "production_mode")]

views_reached = []


def _fails(request):
    views_reached.append(request.path)
    raise RuntimeError("a bug in a view")


def _forbidden(request):
    raise PermissionDenied("not for you")


# A view that fails and one that refuses, in front of the site (@pytest.mark.urls(__name__)).
urlpatterns = [path("fails/", _fails), path("forbidden/", _forbidden), *site_urlpatterns]

SECURITY_HEADERS = ("Content-Security-Policy", "X-Content-Type-Options", "Referrer-Policy", "X-Frame-Options")


@pytest.fixture
def production_mode(settings, client):
    settings.DEBUG = False
    client.raise_request_exception = False  # a 500 is answered, as in production, not raised
    views_reached.clear()


def assert_styled_error(response, status, heading):
    html = response.content.decode()
    assert response.status_code == status
    assert response["Content-Type"].startswith("text/html")
    assert '<link rel="stylesheet" href="/static/css/site.css">' in html
    assert 'class="site-header"' in html and 'class="site-footer"' in html
    assert f'<h1 class="page-title" id="error-title">{heading}</h1>' in html
    # A search box in the page itself and the way home.
    assert '<form class="error-search" role="search" action="/search/" method="get">' in html
    assert '<p class="error-home"><a href="/">返回首页</a></p>' in html
    assert '<meta name="robots" content="noindex">' in html or "noindex, nofollow" in html
    for header in SECURITY_HEADERS:
        assert header in response, header
    assert "{%" not in html and "{{" not in html and "{#" not in html


@pytest.fixture
def editor(django_user_model):
    return django_user_model.objects.create_superuser("editor", password="a-long-test-password")


def test_an_unpublished_articles_address_answers_the_styled_410(client, editor):
    article = make_article("撤下的文章")
    url = article.get_absolute_url()
    workflow.unpublish(article, by=editor)
    response = client.get(url)
    assert_styled_error(response, 410, "页面已撤下")
    assert "撤下的文章" not in response.content.decode()  # gone means gone, title included


def test_a_legacy_address_of_an_unpublished_article_answers_the_styled_410(client):
    article = make_article("旧站文章", status=Article.Status.UNPUBLISHED)
    LegacyURL.objects.create(path="/posts/old-one/", article=article)
    assert_styled_error(client.get("/posts/old-one/"), 410, "页面已撤下")


def test_an_expired_shared_preview_answers_the_styled_410(client):
    assert_styled_error(client.get("/share/not-a-valid-token/"), 410, "分享链接已失效")


def test_an_unknown_address_answers_the_styled_404_with_the_sites_sections(client):
    from articles.tests.factories import make_category_path

    make_article("有分类的文章", categories=[make_category_path("科技")])
    response = client.get("/no/such/page/")
    assert_styled_error(response, 404, "页面不存在")
    assert '<a href="/category/ke-ji/">科技</a>' in response.content.decode()  # the full header


@pytest.mark.urls(__name__)
def test_a_refusal_answers_the_styled_403(client):
    assert_styled_error(client.get("/forbidden/"), 403, "无权访问")


@pytest.mark.urls(__name__)
def test_a_failing_view_answers_the_styled_500(client):
    response = client.get("/fails/")
    assert_styled_error(response, 500, "服务器出错了")
    assert "新闻编辑室" in response.content.decode()  # the site's name, without context processors


@pytest.mark.urls(__name__)
def test_errors_are_never_kept_in_the_page_cache(client):
    for _ in range(2):
        assert client.get("/fails/").status_code == 500
        assert client.get("/no/such/page/")["X-Cache"] == "miss"
    assert views_reached == ["/fails/", "/fails/"]


def test_a_gone_article_that_is_published_again_is_served_at_once(client, editor):
    article = make_article("回来的文章", published_at=timezone.now() - dt.timedelta(hours=1))
    url = article.get_absolute_url()
    workflow.unpublish(article, by=editor)
    assert client.get(url).status_code == 410
    workflow.reopen(article, by=editor)
    workflow.publish(article, by=editor, at=article.published_at)
    assert client.get(url).status_code == 200


def test_the_500_page_needs_no_database_no_cache_and_no_context(django_db_blocker, monkeypatch):
    """Django renders 500.html with an empty context; the database or the cache may be what failed."""

    def unreachable(*args, **kwargs):
        raise AssertionError("the 500 page asked the cache")

    monkeypatch.setattr(caching, "kept_per_content_version", unreachable)
    monkeypatch.setattr(caching, "content_version", unreachable)
    with django_db_blocker.block():
        html = loader.get_template("500.html").render()
    assert "服务器出错了" in html and 'action="/search/"' in html and "新闻编辑室" in html


def test_a_host_not_allowed_gets_the_styled_400_with_the_security_headers(client):
    make_article("某篇文章")
    client.get("/")  # the home page is in the page cache: the other host must not get it
    response = client.get("/", HTTP_HOST="evil.example")
    assert_styled_error(response, 400, "请求无效")
    assert "某篇文章" not in response.content.decode()


def test_a_host_not_allowed_gets_the_security_headers_where_https_is_enforced_too(client, settings):
    """With the HTTPS redirect on, Django asks for the host first in SecurityMiddleware itself."""
    settings.SECURE_SSL_REDIRECT = True
    assert client.get("/")["Location"] == "https://testserver/"  # an allowed host is redirected
    response = client.get("/", HTTP_HOST="evil.example")
    assert_styled_error(response, 400, "请求无效")


def test_a_host_not_allowed_gets_the_styled_400_through_the_wsgi_front(settings):
    """config.wsgi's page-cache front leaves such a request to Django, which answers as above."""
    from articles.tests.test_page_cache_front import call
    from config.wsgi import application

    status, headers, body = call(application, "/", HTTP_HOST="evil.example")
    assert status.startswith("400")
    answered = dict(headers)
    for header in SECURITY_HEADERS:
        assert header in answered, header
    assert "请求无效" in body.decode()
