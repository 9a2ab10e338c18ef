"""An article page's categories and tags read with statements compiled once a process
(articles.page_relations): the same as for_page()'s prefetch, with no prefetch on the page."""

import pytest
from django.db import connection
from django.db.models import query
from django.test.utils import CaptureQueriesContext

from articles import page_relations
from articles.models import Article
from articles.tests.factories import make_article, make_category_path

pytestmark = pytest.mark.django_db


def _shown(article):
    categories = [(c.pk, c.name, c.path) for c in article.categories.all()]
    return categories, [(t.pk, t.name, t.slug) for t in article.tags.all()]


def test_attached_categories_and_tags_are_the_prefetched_ones():
    leaves = [make_category_path("科技", "芯片"), make_category_path("商业", "电商"), make_category_path("产业")]
    articles = [
        make_article("多个分类", categories=leaves, tags=["云", "电商", "AI", "安全"]),
        make_article("后加的标签在前", categories=leaves[1:], tags=["安全", "AI"]),
        make_article("没有分类和标签"),
    ]
    for article in articles:
        prefetched = Article.objects.for_page().get(pk=article.pk)
        attached = page_relations.attach(Article.objects.for_page(prefetch=False).get(pk=article.pk))
        with CaptureQueriesContext(connection) as queries:
            assert _shown(attached) == _shown(prefetched)
        assert not queries  # read once, like a prefetch


def test_the_article_page_prefetches_nothing(client, no_page_cache, settings, monkeypatch):
    settings.NEWSROOM = {**settings.NEWSROOM, "FRAGMENT_CACHE": False}
    article = make_article("有分类和标签", categories=[make_category_path("科技", "芯片")], tags=["云", "AI"])
    prefetches = []
    prefetch = query.prefetch_related_objects
    monkeypatch.setattr(query, "prefetch_related_objects", lambda *a, **k: prefetches.append(a) or prefetch(*a, **k))
    page = client.get(article.get_absolute_url()).content.decode()
    assert "芯片" in page and 'rel="tag">AI</a>' in page
    assert not prefetches
