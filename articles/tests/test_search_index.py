"""The search index as imports and saves write it: every article findable, the text derived once."""

import io

import pytest
from django.core.management import call_command
from django.db import connection, transaction

from articles import search
from articles.models import Article, SearchDocument
from articles.models import search as search_models
from articles.models.search import remember_plain_body
from articles.tests.factories import make_article, seed_shaped, write_file
from articles.text import plain_text

pytestmark = pytest.mark.django_db

# One invented four-character word a file: each must find its own article, and only it.
WORDS = ["蓝鲸数据", "星河物流", "青松芯片", "赤霞直播", "白鹭出行", "紫藤云端"]


def found(term):
    return set(search.matching(Article.objects.published(), [term]).values_list("title", flat=True))


def import_files(folder, **options):
    call_command("import_frontmatter", str(folder), stdout=io.StringIO(), stderr=io.StringIO(), **options)


def write_archive(folder):
    for i, word in enumerate(WORDS):
        body = f"<div><p>第{i}篇的正文提到<strong>{word}</strong>。</p><p>第二段 &amp; 结尾。</p></div>"
        write_file(folder, f"{i}.md", seed_shaped(f"文章{i}", body=body, date=f"Wed, 0{i + 1} May 2024 02:10:30 GMT"))


def test_every_imported_article_is_found_when_the_import_returns(tmp_path):
    write_archive(tmp_path)
    import_files(tmp_path, jobs=0)

    assert Article.objects.count() == len(WORDS)
    for i, word in enumerate(WORDS):
        assert found(word) == {f"文章{i}"}
    for article in Article.objects.select_related("search_document"):
        assert article.search_document.body == plain_text(article.body)


def test_the_writing_process_does_not_derive_the_text_again(tmp_path, monkeypatch):
    calls = []

    def counting_plain_text(html):
        calls.append(html)
        return plain_text(html)

    # The index's own name for it: the workers' (here in-process) call goes through the importer's.
    monkeypatch.setattr(search_models, "plain_text", counting_plain_text)
    write_archive(tmp_path)
    import_files(tmp_path, jobs=0)

    assert calls == []
    assert SearchDocument.objects.count() == len(WORDS)
    assert all(doc.body == plain_text(doc.article.body) for doc in SearchDocument.objects.select_related("article"))


def test_a_text_derived_from_another_body_is_not_used():
    article = make_article(body="<p>旧的正文</p>")
    remember_plain_body(article, "<p>旧的正文</p>", "旧的正文")
    article.body = "<p>新的正文，<b>换过了</b></p>"
    article.save()

    assert SearchDocument.objects.get(article=article).body == "新的正文，换过了"


def test_an_editor_save_is_found_at_once():
    article = make_article(title="编辑的文章", summary="一篇摘要", body="<p>今天的蓝鲸数据</p>")
    assert found("蓝鲸数据") == {"编辑的文章"}
    article.body = "<p>明天的星河物流</p>"
    article.save()
    assert found("星河物流") == {"编辑的文章"} and found("蓝鲸数据") == set()


def test_articles_stay_findable_across_index_merges():
    # Each save its own (sub)transaction: on SQLite a new FTS5 segment each, merged 16 at a time.
    for i in range(40):
        with transaction.atomic():
            make_article(title=f"合并{i}", body=f"<p>编号{i:03d}号的独特正文</p>")
    for i in range(40):
        assert found(f"编号{i:03d}号") == {f"合并{i}"}
    if connection.vendor == "sqlite":
        with connection.cursor() as cursor:
            cursor.execute("SELECT v FROM articles_search_fts_config WHERE k = 'automerge'")
            assert cursor.fetchone() == (16,)


def test_the_index_serves_searches_as_soon_as_a_document_is_written():
    """PostgreSQL: the trigram indexes are written through (no GIN pending list, which every
    search would read, and which made the planner read every document instead). SQLite: FTS5
    is kept in step with the documents by its triggers."""
    make_article(title="即时可搜", body="<p>刚写好的正文</p>")
    with connection.cursor() as cursor:
        if connection.vendor == "postgresql":
            cursor.execute(
                "SELECT relname, reloptions FROM pg_class WHERE relname IN "
                "('search_title_trgm', 'search_summary_trgm', 'search_body_trgm') ORDER BY relname"
            )
            assert cursor.fetchall() == [
                ("search_body_trgm", ["fastupdate=off"]),
                ("search_summary_trgm", ["fastupdate=off"]),
                ("search_title_trgm", ["fastupdate=off"]),
            ]
        else:
            cursor.execute(
                "SELECT name FROM sqlite_master WHERE type = 'trigger' AND name LIKE 'articles_search_fts_%'"
            )
            assert {name for (name,) in cursor.fetchall()} == {
                "articles_search_fts_insert",
                "articles_search_fts_delete",
                "articles_search_fts_update",
            }
    assert found("刚写好") == {"即时可搜"}
