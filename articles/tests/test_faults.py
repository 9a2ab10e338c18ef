"""Faults the production setup must survive: the database refusing connections mid-import,
a full disk while storing an image, the cache server gone."""

import errno
import io
import logging
from pathlib import Path

import pytest
from django.conf import settings
from django.core.files.storage import FileSystemStorage
from django.core.management import CommandError, call_command
from django.db import OperationalError, connection
from django.urls import reverse

from articles.images.library import StorageFull, store_image
from articles.models import Article, Image, SearchDocument
from articles.tests.factories import make_article
from articles.tests.factories import write_file as write
from articles.tests.pictures import make_jpeg, upload

# --- The database refusing connections mid-import ------------------------------------------------


def post(n):
    return (
        "\n".join(
            [
                "---",
                f"title: 第{n}篇文章",
                f"date: 2024-05-0{n} 10:30:00",
                "tags: [物流, 电商]",
                "categories: [科技, 物流]",
                "---",
                "",
                f"第{n}篇的正文。",
            ]
        )
        + "\n"
    )


@pytest.fixture
def six_posts(tmp_path):
    for n in range(1, 7):
        write(tmp_path, f"_posts/2024-05-0{n}-post.md", post(n))
    return tmp_path / "_posts"


@pytest.fixture
def database_lost_after(db):
    """The database answers until the n-th article row is written, then refuses every statement
    (savepoint bookkeeping aside, so that the test's own transaction stays usable)."""

    def lose(n):
        inserted = []

        def refuse(execute, sql, params, many, context):
            statement = sql.lstrip().upper()
            if len(inserted) >= n and not statement.startswith(("SAVEPOINT", "RELEASE", "ROLLBACK")):
                raise OperationalError("connection refused")
            if statement.startswith('INSERT INTO "ARTICLES_ARTICLE"'):
                inserted.append(sql)
            return execute(sql, params, many, context)

        return connection.execute_wrapper(refuse)

    return lose


def test_a_lost_database_stops_the_import_and_leaves_whole_articles(six_posts, database_lost_after):
    out, err = io.StringIO(), io.StringIO()
    # The 4th article's row is written, then the database goes: its tags never are.
    with database_lost_after(4), pytest.raises(CommandError) as stopped:
        call_command("import_frontmatter", str(six_posts), "--jobs", "0", stdout=out, stderr=err)

    assert stopped.value.returncode == 1
    assert "database unavailable" in str(stopped.value) and "connection refused" in str(stopped.value)
    titles = sorted(Article.objects.values_list("title", flat=True))
    assert titles == ["第1篇文章", "第2篇文章", "第3篇文章"]  # no half-written 4th, no 5th
    for article in Article.objects.all():
        assert article.body and "的正文" in article.body
        assert sorted(article.tags.names()) == ["物流", "电商"]
        assert [c.name for c in article.categories.all()] == ["物流"]
        assert article.categories.get().parent.name == "科技"
    # New articles' documents are written in batches (SearchDocumentManager.in_batches()): the
    # lost database took this run's batch with it. Running the import again carries on and
    # writes them first.
    call_command("import_frontmatter", str(six_posts), "--jobs", "0", stdout=out, stderr=err)
    assert Article.objects.count() == 6
    assert SearchDocument.objects.count() == 6
    assert set(SearchDocument.objects.values_list("title", flat=True)) == set(
        Article.objects.values_list("title", flat=True)
    )


def test_other_database_errors_still_fail_only_their_file(six_posts, db):
    from django.db import DatabaseError

    def refuse_third(execute, sql, params, many, context):
        if sql.lstrip().upper().startswith('INSERT INTO "ARTICLES_ARTICLE"') and params and "第3篇文章" in params:
            raise DatabaseError("value too long")
        return execute(sql, params, many, context)

    out, err = io.StringIO(), io.StringIO()
    with connection.execute_wrapper(refuse_third), pytest.raises(CommandError):
        call_command("import_frontmatter", str(six_posts), "--jobs", "0", stdout=out, stderr=err)
    assert Article.objects.count() == 5
    assert "value too long" in err.getvalue()


# --- A full disk while storing an image ----------------------------------------------------------


@pytest.fixture
def disk_full_after(monkeypatch):
    """FileSystemStorage writes `n` files, then fails as a full disk does (after a partial write)."""

    def fill(n):
        real_save = FileSystemStorage._save
        saved = []

        def save(self, name, content):
            if len(saved) >= n:
                raise OSError(errno.ENOSPC, "No space left on device")
            saved.append(name)
            return real_save(self, name, content)

        monkeypatch.setattr(FileSystemStorage, "_save", save)
        return saved

    return fill


def media_files():
    root = Path(settings.MEDIA_ROOT)
    return sorted(str(p.relative_to(root)) for p in root.rglob("*") if p.is_file()) if root.exists() else []


@pytest.mark.parametrize("files_before_the_disk_fills", [0, 2])
def test_a_full_disk_refuses_the_image_and_keeps_no_file(db, disk_full_after, files_before_the_disk_fills):
    written = disk_full_after(files_before_the_disk_fills)
    with pytest.raises(StorageFull) as full:
        store_image(make_jpeg(1400, 900), name="photo.jpg", alt_text="图")
    assert "磁盘已满" in str(full.value) and "No space left" in str(full.value)
    assert len(written) == files_before_the_disk_fills
    assert Image.objects.count() == 0
    assert media_files() == []  # what was written before the failure is gone


def test_a_full_disk_is_an_error_in_the_admin_add_form_not_a_500(admin_client, disk_full_after):
    disk_full_after(1)
    response = admin_client.post(
        reverse("admin:articles_image_add"),
        {"upload": upload("photo.jpg", make_jpeg(1400, 900)), "alt_text": "图"},
        follow=True,
    )
    assert response.status_code == 200
    assert any("磁盘已满" in str(m) for m in response.context["messages"])
    assert "磁盘已满" in response.content.decode()
    assert Image.objects.count() == 0
    assert media_files() == []


def test_a_full_disk_refuses_each_file_of_a_batch_upload(admin_client, disk_full_after):
    disk_full_after(0)
    response = admin_client.post(
        reverse("admin:articles_image_upload"),
        {"files": [upload("a.jpg", make_jpeg(800, 600)), upload("b.jpg", make_jpeg(600, 800))]},
    )
    assert response.status_code == 200
    assert response.content.decode().count("磁盘已满") == 2
    assert Image.objects.count() == 0
    assert media_files() == []


# --- The cache server gone -----------------------------------------------------------------------


def test_pages_are_served_from_the_database_when_the_cache_is_gone(client, db, redis_gone, caplog):
    article = make_article("缓存宕机时的文章", tags=["缓存"])  # its save() cannot bump the version
    with caplog.at_level(logging.ERROR, logger="articles.caching"):
        for path in (article.get_absolute_url(), "/", "/search/?q=缓存", article.get_absolute_url()):
            response = client.get(path)
            assert response.status_code == 200, path
            assert "X-Cache" not in response or response["X-Cache"] != "hit"
    assert "缓存宕机时的文章" in response.content.decode()
    outage_reports = [r for r in caplog.records if "Page cache unavailable" in r.getMessage()]
    assert len(outage_reports) == 1  # logged once, not once a request


def test_pages_are_cached_in_the_real_redis(client, db, real_redis):
    from django.core.cache import cache

    cache.clear()
    article = make_article("缓存里的文章")
    assert client.get(article.get_absolute_url())["X-Cache"] == "miss"
    assert client.get(article.get_absolute_url())["X-Cache"] == "hit"
    article.title = "缓存里的文章（改）"
    article.save()
    fresh = client.get(article.get_absolute_url())
    assert fresh["X-Cache"] == "miss" and "（改）" in fresh.content.decode()
    cache.clear()
