import pytest
from django.contrib.auth import get_user_model
from django.urls import reverse

from articles.models import Article
from articles.tests.factories import make_article, make_author, make_category_path

pytestmark = pytest.mark.django_db


@pytest.fixture
def editor_client(client):
    user = get_user_model().objects.create_superuser("chief", password="a-long-test-password")
    client.force_login(user)
    return client


def test_article_saved_in_the_admin_is_stored_sanitized(editor_client):
    author = make_author("编辑部")
    leaf = make_category_path("科技", "芯片")
    response = editor_client.post(
        reverse("admin:articles_article_add"),
        {
            "title": "后台文章",
            "slug": "",
            "author": author.pk,
            "summary": "",
            "body": '<p onclick="x()">安全</p><script>alert(1)</script><a href="javascript:alert(1)">链接</a>',
            "status": "published",
            "published_at_0": "2025-01-02",
            "published_at_1": "10:00:00",
            "allow_comments": "on",
            "categories": [leaf.pk],
            "tags": "芯片, AI",
            "edit_version": 0,  # the add form's hidden optimistic-lock field
        },
    )
    assert response.status_code == 302, response.content.decode()[:2000]
    article = Article.objects.get(title="后台文章")
    assert article.body == "<p>安全</p><a>链接</a>"
    assert article.slug == "hou-tai-wen-zhang"
    assert sorted(article.tags.names()) == ["AI", "芯片"]


def test_admin_lists_and_edit_pages_load(editor_client):
    article = make_article(categories=[make_category_path("新媒体", "36kr", "资讯")], tags=["电商"])
    for name in ["article", "category", "author", "image", "tag", "legacyurl"]:
        assert editor_client.get(reverse(f"admin:articles_{name}_changelist")).status_code == 200, name
    assert editor_client.get(reverse("admin:articles_article_change", args=[article.pk])).status_code == 200


def test_slug_is_read_only_once_published(editor_client):
    draft = make_article("草稿", published=False)
    published = make_article("已发布")
    draft_form = editor_client.get(reverse("admin:articles_article_change", args=[draft.pk]))
    published_form = editor_client.get(reverse("admin:articles_article_change", args=[published.pk]))
    assert 'name="slug"' in draft_form.content.decode()
    assert 'name="slug"' not in published_form.content.decode()


def test_view_on_site_only_for_published_articles(editor_client):
    published, draft = make_article("公开"), make_article("未公开", published=False)
    assert (
        published.get_absolute_url()
        in editor_client.get(reverse("admin:articles_article_change", args=[published.pk])).content.decode()
    )
    html = editor_client.get(reverse("admin:articles_article_change", args=[draft.pk])).content.decode()
    assert draft.get_absolute_url() not in html


def test_create_local_admin_creates_one_account_once(capsys):
    from django.core.management import call_command

    call_command("create_local_admin")
    first = capsys.readouterr().out
    call_command("create_local_admin")
    second = capsys.readouterr().out
    users = get_user_model().objects.filter(is_superuser=True)
    assert users.count() == 1
    password = first.split("password: ")[1].split()[0]
    assert users.get().check_password(password)
    assert "already exists" in second and password not in second
