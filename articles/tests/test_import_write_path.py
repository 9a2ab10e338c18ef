"""What an import's writing process does per file, counted: the cache versions it moves.

Timings are in bench/import_bench.py; these tests pin the counts that made the difference.
"""

import pytest
from django.core.cache import cache
from django.core.management import call_command

from articles import caching, fragments
from articles.importing import importer
from articles.models import Article
from articles.tests.factories import make_article, seed_shaped
from articles.tests.factories import write_file as write

pytestmark = pytest.mark.django_db


@pytest.fixture
def bumps(monkeypatch):
    """The version keys moved, one entry per move, in order."""
    moved = []
    real = caching.bump_version

    def recording(key):
        if not caching.gathering():  # a noted bump is counted when flush_gathered() makes it
            moved.append(key)
        real(key)

    monkeypatch.setattr(caching, "bump_version", recording)
    return moved


def archive_of(tmp_path, count):
    folder = tmp_path / "blog"
    for i in range(count):
        write(
            folder,
            f"post-{i}.md",
            seed_shaped(f"文章{i}", tags=["芯片", "电商"], image=f"https://img.example.com/{i}.jpg"),
        )
    return folder


def test_an_import_moves_the_content_version_once_not_twice_a_file(tmp_path, bumps, monkeypatch):
    monkeypatch.setattr(importer, "BUMPS_EVERY_SECONDS", 3600, raising=False)
    call_command("import_frontmatter", str(archive_of(tmp_path, 6)), verbosity=0, jobs=0)

    assert Article.objects.count() == 6
    assert bumps.count(caching.VERSION_KEY) == 1
    # New articles are in no kept part yet: their own version keys are left to be made when read.
    assert not [key for key in bumps if key.startswith("newsroom:article-version:")]


def test_the_pages_move_between_files_every_flush(tmp_path, bumps, monkeypatch):
    monkeypatch.setattr(importer, "BUMPS_EVERY_SECONDS", 0)
    call_command("import_frontmatter", str(archive_of(tmp_path, 3)), verbosity=0, jobs=0)

    # One flush after each file, and the last one on leaving (nothing noted since: no move).
    assert bumps.count(caching.VERSION_KEY) == 3


def test_a_changed_file_moves_its_articles_parts_and_the_pages(tmp_path, bumps):
    folder = archive_of(tmp_path, 2)
    call_command("import_frontmatter", str(folder), verbosity=0, jobs=0)
    changed = Article.objects.get(title="文章1")
    before = cache.get(caching.VERSION_KEY)
    bumps.clear()

    write(folder, "post-1.md", seed_shaped("文章1，改过", tags=["芯片"], image="https://img.example.com/1.jpg"))
    call_command("import_frontmatter", str(folder), verbosity=0, jobs=0)

    assert Article.objects.get(pk=changed.pk).title == "文章1，改过"
    assert fragments.ARTICLE_VERSION_KEY.format(changed.pk) in bumps
    assert cache.get(caching.VERSION_KEY) != before


def test_gathered_bumps_wait_for_the_flush_and_keep_their_order(bumps):
    article = make_article("旧标题")
    bumps.clear()
    before = cache.get(caching.VERSION_KEY)
    with caching.bumps_gathered():
        article.title = "新标题"
        article.save()
        assert cache.get(caching.VERSION_KEY) == before
        assert bumps == []
        caching.flush_gathered()
        # The article's version first, the content version last (as fragments._versions relies on).
        assert bumps == [fragments.ARTICLE_VERSION_KEY.format(article.pk), caching.VERSION_KEY]
        bumps.clear()
        article.save()
    assert bumps == [fragments.ARTICLE_VERSION_KEY.format(article.pk), caching.VERSION_KEY]
    assert cache.get(caching.VERSION_KEY) != before


def test_outside_an_import_a_save_moves_the_versions_at_once(bumps):
    article = make_article("标题")
    bumps.clear()
    article.save()
    assert fragments.ARTICLE_VERSION_KEY.format(article.pk) in bumps
    assert caching.VERSION_KEY in bumps
