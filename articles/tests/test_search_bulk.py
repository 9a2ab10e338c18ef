"""The search index after writes that skip save(): bulk_create(), update() and bulk_update()."""

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from articles import search
from articles.models import Article, SearchDocument
from articles.models import search as search_models
from articles.tests.factories import make_article, make_author
from articles.text import plain_text

pytestmark = pytest.mark.django_db

DOCUMENTS = SearchDocument._meta.db_table


def found(query):
    return list(search.matching(Article.objects.published(), search.parse_query(query)).values_list("title", flat=True))


def document_writes(queries):
    """The statements among `queries` that wrote a search document."""
    return [
        q["sql"]
        for q in queries
        if DOCUMENTS in q["sql"] and q["sql"].lstrip().upper().startswith(("INSERT", "UPDATE", "DELETE"))
    ]


def test_a_bulk_created_article_is_found_at_once(client, no_page_cache):
    Article.objects.bulk_create(
        [
            Article(
                title=f"批量新建的氢能重卡{i}",
                body="<p>正文写到<b>液氢储罐</b>。</p>",
                author=make_author(),
                status=Article.Status.PUBLISHED,
                published_at=timezone.now(),
            )
            for i in range(2)
        ]
    )
    assert sorted(found("氢能重卡")) == ["批量新建的氢能重卡0", "批量新建的氢能重卡1"]
    assert len(found("液氢储罐")) == 2
    html = client.get("/search/", {"q": "氢能重卡"}).content.decode()
    assert "共找到 2 篇文章" in html


def test_a_bulk_created_article_is_indexed_from_the_objects_without_reading_them_back():
    author = make_author()
    with CaptureQueriesContext(connection) as queries:
        created = Article.objects.bulk_create(
            [Article(title="不回读的文章", body="<p>一段<script>x()</script>正文</p>", author=author)]
        )
    assert not [q for q in queries if q["sql"].startswith("SELECT") and '"articles_article"."title"' in q["sql"]]
    assert len(document_writes(queries)) == 1
    document = SearchDocument.objects.get(article=created[0])
    assert document.body == plain_text(Article.objects.get(pk=created[0].pk).body)


def test_a_queryset_update_of_the_title_is_found_under_the_new_title_only(client, no_page_cache):
    article = make_article("改名之前的钠离子电池")
    Article.objects.filter(pk=article.pk).update(title="改名之后的固态电池")
    assert found("钠离子") == []
    assert found("固态电池") == ["改名之后的固态电池"]
    assert "改名之后的<mark>固态电池</mark>" in client.get("/search/", {"q": "固态电池"}).content.decode()


def test_a_queryset_update_of_the_body_is_found_by_its_new_words():
    # A summary of its own: update() does not derive a new one from the new body, as save() would.
    article = make_article("换了正文的文章", summary="一篇能源报道", body="<p>原来写的是光伏组件</p>")
    Article.objects.filter(pk=article.pk).update(body="<p>现在写的是<em>海上风电</em><script>x()</script></p>")
    assert found("海上风电") == ["换了正文的文章"]
    assert found("光伏组件") == []
    assert SearchDocument.objects.get(article=article).body == plain_text(Article.objects.get(pk=article.pk).body)


def test_a_queryset_update_of_the_state_rewrites_no_document(django_assert_num_queries):
    make_article("只改状态")
    # The ids of the rows written (to retire their parts), then the update itself.
    with django_assert_num_queries(2) as queries:
        Article.objects.filter(title="只改状态").update(status=Article.Status.UNPUBLISHED)
    assert document_writes(queries.captured_queries) == []


def test_a_large_update_is_indexed_a_batch_at_a_time(monkeypatch):
    monkeypatch.setattr(search_models, "INDEX_BATCH", 2)
    for i in range(5):
        make_article(f"批次文章{i}")
    with CaptureQueriesContext(connection) as queries:
        Article.objects.filter(title__startswith="批次文章").update(summary="统一换上的储能摘要")
    assert len(found("储能摘要")) == 5
    # Three batches, each read back in one query and written in one statement.
    assert len(document_writes(queries)) == 3
    reads = [q for q in queries if q["sql"].startswith("SELECT") and '"articles_article"."summary"' in q["sql"]]
    assert len(reads) == 3


def test_bulk_update_is_found_under_the_new_titles(django_assert_num_queries):
    articles = [make_article(f"旧标题{i}") for i in range(5)]
    for i, article in enumerate(articles):
        article.title = f"新标题储能电站{i}"
    # One UPDATE a batch of two (three), then the five rows read back once and written once:
    # no query per batch besides its UPDATE.
    with django_assert_num_queries(3 + 2) as queries:
        Article.objects.bulk_update(articles, ["title"], batch_size=2)
    assert len(document_writes(queries.captured_queries)) == 1
    assert sorted(found("储能电站")) == [f"新标题储能电站{i}" for i in range(5)]
    assert found("旧标题") == []


def test_bulk_update_of_the_body_indexes_the_sanitized_text():
    articles = [make_article(f"批量换正文{i}", body="<p>旧正文</p>") for i in range(3)]
    for article in articles:
        article.body = '<p>新正文讲<a href="javascript:alert(1)">柔性屏幕</a></p><script>steal()</script>'
    Article.objects.bulk_update(articles, ["body"], batch_size=2)
    assert sorted(found("柔性屏幕")) == [f"批量换正文{i}" for i in range(3)]
    for document in SearchDocument.objects.filter(article__in=articles).select_related("article"):
        assert "steal" not in document.body
        assert document.body == plain_text(document.article.body)


def test_bulk_update_of_the_state_rewrites_no_document(django_assert_num_queries):
    articles = [make_article(f"批量撤下{i}") for i in range(3)]
    for article in articles:
        article.status = Article.Status.UNPUBLISHED
    with django_assert_num_queries(2) as queries:
        Article.objects.bulk_update(articles, ["status"], batch_size=2)
    assert document_writes(queries.captured_queries) == []
    assert found("批量撤下") == []


def test_a_bulk_create_that_updates_on_conflict_indexes_the_rows_as_stored():
    existing = make_article("已有的标题", summary="旧的摘要")
    Article.objects.bulk_create(
        [
            Article(slug=existing.slug, title="没有写入的标题", summary="换上的潮汐发电摘要", author=make_author()),
            Article(
                title="一同新建的潮汐发电",
                author=make_author(),
                status=Article.Status.PUBLISHED,
                published_at=timezone.now(),
            ),
        ],
        update_conflicts=True,
        unique_fields=["slug"],
        update_fields=["summary"],
    )
    # The conflicting row kept its title: it is found under that, with its new summary.
    assert found("没有写入") == []
    assert sorted(found("潮汐发电")) == ["一同新建的潮汐发电", "已有的标题"]


def test_a_bulk_create_that_ignores_conflicts_indexes_the_rows_it_wrote():
    existing = make_article("先有的文章")
    Article.objects.bulk_create(
        [
            Article(slug=existing.slug, title="被忽略的地热文章", author=make_author()),
            Article(
                title="写入了的地热文章",
                author=make_author(),
                status=Article.Status.PUBLISHED,
                published_at=timezone.now(),
            ),
        ],
        ignore_conflicts=True,
    )
    assert found("地热文章") == ["写入了的地热文章"]
    assert found("先有的文章") == ["先有的文章"]


# --- imports: new articles' documents written a batch at a time (SearchDocumentManager.in_batches())


def _posts(folder, count, start=0):
    from articles.tests.factories import write_file

    for n in range(start, start + count):
        write_file(
            folder,
            f"post-{n}.md",
            f"---\ntitle: 批量导入的储能电站{n}\ndate: 2024-05-01 10:{n:02d}:00\n---\n<p>第{n}篇的正文。</p>\n",
        )
    return folder


def _import(folder):
    import io

    from django.core.management import call_command

    call_command("import_frontmatter", str(folder), "--jobs", "0", stdout=io.StringIO(), stderr=io.StringIO())


def test_an_import_writes_new_articles_documents_a_batch_at_a_time(tmp_path, monkeypatch):
    monkeypatch.setattr(search_models, "IMPORT_BATCH", 2)
    with CaptureQueriesContext(connection) as queries:
        _import(_posts(tmp_path, 5))
    # 2 + 2 + 1: one statement a batch, not one a file.
    assert len(document_writes(queries.captured_queries)) == 3
    assert sorted(found("储能电站")) == sorted(f"批量导入的储能电站{n}" for n in range(5))


def test_a_file_rolled_back_after_its_article_was_saved_leaves_no_document(tmp_path):
    from articles.models import TaggedArticle

    folder = _posts(tmp_path, 3)
    (folder / "post-1.md").write_text(
        "---\ntitle: 批量导入的储能电站1\ntags: [储能]\n---\n<p>正文。</p>\n", encoding="utf-8"
    )

    def refuse_tags(execute, sql, params, many, context):
        if sql.lstrip().upper().startswith(f'INSERT INTO "{TaggedArticle._meta.db_table.upper()}"'):
            from django.db import DatabaseError

            raise DatabaseError("tags refused")
        return execute(sql, params, many, context)

    from django.core.management import CommandError

    with connection.execute_wrapper(refuse_tags), pytest.raises(CommandError):  # one file failed
        _import(folder)
    assert Article.objects.count() == 2
    assert set(SearchDocument.objects.values_list("article_id", flat=True)) == set(
        Article.objects.values_list("pk", flat=True)
    )


def test_an_import_first_writes_the_documents_a_stopped_run_left_out(tmp_path):
    _import(_posts(tmp_path / "first", 2))
    left_out = Article.objects.get(title="批量导入的储能电站1")
    SearchDocument.objects.filter(article=left_out).delete()  # as a run stopped before its batch
    assert "批量导入的储能电站1" not in found("储能电站")
    _import(_posts(tmp_path / "second", 1, start=7))
    assert sorted(found("储能电站")) == ["批量导入的储能电站0", "批量导入的储能电站1", "批量导入的储能电站7"]


def test_a_changed_article_is_indexed_at_once_while_new_ones_wait(no_page_cache):
    changed = make_article("改写前的标题")
    with SearchDocument.objects.in_batches():
        changed.title = "改写后的钠电池标题"
        changed.save()
        new = make_article("新写的钠电池文章")
        assert SearchDocument.objects.get(article=changed).title == "改写后的钠电池标题"
        assert not SearchDocument.objects.filter(article=new).exists()
    assert SearchDocument.objects.get(article=new).title == "新写的钠电池文章"
