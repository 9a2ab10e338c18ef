"""An article a writer may no longer edit shows its body as readers will see it (rendered), not as
escaped HTML source; an article they may edit keeps the editor."""

import re

import pytest
from django.urls import reverse

from articles import workflow
from articles.models import Article
from articles.permissions import WRITER_GROUP
from articles.tests.factories import make_article, make_staff

pytestmark = pytest.mark.django_db

BODY = '<h2>小标题</h2><p>第一段，<a href="https://example.org/">链接</a>。</p>'


@pytest.fixture
def writer():
    return make_staff("writer", WRITER_GROUP)


def change_page(client, article):
    response = client.get(reverse("admin:articles_article_change", args=[article.pk]))
    assert response.status_code == 200
    return response.content.decode()


def read_only_body(html):
    match = re.search(r'<div class="article-body-read-only">(.*?)</div>', html, re.S)
    assert match, "no rendered body on the page"
    return match[1]


def test_a_submitted_article_shows_its_body_rendered(client, writer):
    article = make_article("已提交", published=False, created_by=writer, body=BODY)
    workflow.submit(article, by=writer)
    client.force_login(writer)
    html = change_page(client, article)
    body = read_only_body(html)
    assert "<h2>小标题</h2>" in body
    assert '<a href="https://example.org/"' in body
    assert "&lt;h2&gt;" not in html
    assert 'name="body"' not in html  # no editor, no form field


def test_a_published_article_shows_its_body_rendered(client, writer):
    article = make_article("已发布", created_by=writer, body=BODY)
    client.force_login(writer)
    assert "<h2>小标题</h2>" in read_only_body(change_page(client, article))


def test_the_read_only_body_never_carries_a_script(client, writer):
    article = make_article("已发布", created_by=writer, body=BODY)
    # Past the form, as an import or a shell would write it: stored bodies are sanitized too.
    Article.objects.filter(pk=article.pk).update(body=BODY + "<script>alert(1)</script><p>尾段</p>")
    client.force_login(writer)
    body = read_only_body(change_page(client, article))
    assert "<p>尾段</p>" in body
    assert "<script" not in body.lower() and "alert(1)" not in body


def test_a_draft_keeps_the_editor(client, writer):
    article = make_article("草稿", published=False, created_by=writer, body=BODY)
    client.force_login(writer)
    html = change_page(client, article)
    assert 'class="article-body-read-only"' not in html
    assert re.search(r'<textarea name="body"[^>]*data-django-prose-editor', html)
