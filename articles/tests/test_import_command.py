"""The `import_frontmatter` command end to end: the sample archive, reruns, failures, the seed."""
import datetime as dt
import io
import re
import shutil
from pathlib import Path

import pytest
from django.conf import settings
from django.core.management import CommandError, call_command

from articles.models import Article, Author, Category, Image, Tag, TaggedArticle
from articles.tests.factories import seed_shaped
from articles.tests.factories import write_file as write

pytestmark = pytest.mark.django_db

SAMPLE_ARCHIVE = Path(settings.BASE_DIR) / "articles" / "sample_archive"
SEED = Path(settings.BASE_DIR).parent / "shared" / "legacy" / "seed-36kr.md"
UTC = dt.UTC
CATEGORY_LINKS = Article.categories.through


def run(*paths, **options):
    """Run the command; return (stdout, stderr). CommandError propagates."""
    out, err = io.StringIO(), io.StringIO()
    call_command("import_frontmatter", *map(str, paths), stdout=out, stderr=err, **options)
    return out.getvalue(), err.getvalue()


def run_failing(*paths):
    """Run the command expecting it to fail; return (CommandError, stdout, stderr)."""
    out, err = io.StringIO(), io.StringIO()
    with pytest.raises(CommandError) as error:
        call_command("import_frontmatter", *map(str, paths), stdout=out, stderr=err)
    return error.value, out.getvalue(), err.getvalue()


def table_counts():
    return {
        model.__name__: model.objects.count()
        for model in (Article, Author, Category, Image, Tag, TaggedArticle, CATEGORY_LINKS)
    }


def category(*names):
    """The Category at the end of the path `names`, checking each level's parent."""
    parent = None
    for name in names:
        parent = Category.objects.get(name=name, parent=parent)
    return parent


# --- the sample archive ---------------------------------------------------------------------------


def test_sample_archive_imports_twelve_articles():
    out, err = run(SAMPLE_ARCHIVE)
    assert "12 files: 12 created, 0 updated, 0 unchanged, 0 conflict, 0 skipped, 0 failed" in out
    assert err == ""
    assert Article.objects.count() == 12
    assert Article.objects.filter(status=Article.Status.PUBLISHED).count() == 11
    draft = Article.objects.get(status=Article.Status.DRAFT)
    assert draft.source_path == "2025-06-23-robotaxi-night-pilot.md"
    assert draft.title == "行远出行扩大无人驾驶出租车试点，夜间时段首次开放"
    assert set(Article.objects.values_list("source_path", flat=True)) == {
        p.name for p in SAMPLE_ARCHIVE.glob("*.md")
    }
    assert all(len(h) == 64 for h in Article.objects.values_list("source_hash", flat=True))


def test_an_import_leaves_postgresql_with_planner_statistics():
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    with CaptureQueriesContext(connection) as queries:
        run(SAMPLE_ARCHIVE)
    analysed = [q["sql"] for q in queries if q["sql"].startswith("ANALYZE")]
    if connection.vendor == "postgresql":
        assert len(analysed) == 1 and '"articles_searchdocument"' in analysed[0]
        with connection.cursor() as cursor:
            cursor.execute("SELECT reltuples FROM pg_class WHERE relname = 'articles_article'")
            # -1 until a table is analysed: a fresh load's planner would take it for empty.
            assert cursor.fetchone()[0] == 12
    else:  # the reader queries are written for SQLite's planner without statistics
        assert analysed == []


def test_sample_archive_builds_the_category_tree():
    run(SAMPLE_ARCHIVE)
    flash = category("新媒体", "36kr", "快讯")
    assert flash.depth == 2
    assert flash.parent.name == "36kr" and flash.parent.parent.name == "新媒体"
    assert flash.parent.parent.parent is None
    assert flash.path == "xin-mei-ti/36kr/kuai-xun"
    assert flash.parent.path == "xin-mei-ti/36kr"
    assert category("新媒体", "36kr", "资讯").path == "xin-mei-ti/36kr/zi-xun"
    leaves = {
        ("新媒体", "36kr", "资讯"), ("新媒体", "36kr", "快讯"),
        ("科技", "人工智能", "大模型"), ("科技", "人工智能", "边缘计算"), ("科技", "芯片", "制造"),
        ("商业", "电商", "直播"), ("商业", "电商", "跨境"),
        ("商业", "出行", "新能源"), ("商业", "出行", "自动驾驶"),
    }  # fmt: skip
    for path in leaves:
        assert category(*path).depth == 2
    assert Category.objects.count() == 3 + 5 + 9
    assert set(Category.objects.filter(parent=None).values_list("name", flat=True)) == {"新媒体", "科技", "商业"}
    # every article sits in exactly one leaf, as its three-item list says
    assert CATEGORY_LINKS.objects.count() == 12
    assert set(Category.objects.filter(articles__isnull=False).values_list("depth", flat=True)) == {2}
    flash_articles = Article.objects.filter(categories=flash).values_list("source_path", flat=True)
    assert set(flash_articles) == {
        "2024-11-05-smart-home-funding-flash.md",
        "2025-08-04-satellite-terminal-flash.md",
    }


def test_sample_archive_tags_authors_and_images():
    run(SAMPLE_ARCHIVE)
    assert Tag.objects.count() == 19
    assert Tag.objects.get(name="AI").tagged_articles.count() == 3
    flash = Article.objects.get(source_path="2024-11-05-smart-home-funding-flash.md")
    assert list(flash.tags.all()) == []
    agent = Article.objects.get(source_path="2025-10-16-enterprise-agent-platform.md")
    assert set(agent.tags.names()) == {"AI", "大模型", "Agent"}
    assert set(Author.objects.values_list("name", flat=True)) == {"36kr", "编辑部", "李明", "王晓雯"}
    assert Author.objects.get(name="36kr").articles.count() == 4
    # the pictures are the archive's own files (images/), copied into the library once each;
    # headimg and thumbnail name the same file, which is also the body's first picture
    assert Image.objects.count() == 22
    assert not Image.objects.filter(file="").exists()
    for article in Article.objects.select_related("hero_image", "thumbnail"):
        assert article.hero_image is not None
        assert article.hero_image_id == article.thumbnail_id
        assert article.hero_image.file.name.endswith(article.front_matter["headimg"].removeprefix("images/"))


def test_sample_archive_dates_titles_and_comments():
    run(SAMPLE_ARCHIVE)
    live = Article.objects.get(source_path="2024-02-19-live-commerce-slow-pick.md")
    assert live.published_at == dt.datetime(2024, 2, 19, 8, 15, 42, tzinfo=UTC)
    assert live.allow_comments is True
    # the only zone-less date is read in Asia/Shanghai
    fab = Article.objects.get(source_path="2025-03-18-chip-fab-expansion.md")
    assert fab.published_at == dt.datetime(2025, 3, 18, 1, 30, tzinfo=UTC)
    assert fab.allow_comments is False
    lingxi = Article.objects.get(source_path="2024-04-08-lingxi-ai-assistant.md")
    assert lingxi.title == "云帆智能发布 <AI> 写作助手 & \"灵犀\" 2.0：开发者的'第二大脑'来了"
    assert re.fullmatch(r"[a-z0-9-]+", lingxi.slug)
    packaging = Article.objects.get(source_path="2024-06-21-advanced-packaging-line.md")
    assert "<table>" in packaging.body and "<blockquote>" in packaging.body


def test_rerun_changes_nothing():
    run(SAMPLE_ARCHIVE)
    counts = table_counts()
    stamps = dict(Article.objects.values_list("pk", "updated_at"))
    out, err = run(SAMPLE_ARCHIVE)
    assert "12 files: 0 created, 0 updated, 12 unchanged, 0 conflict, 0 skipped, 0 failed" in out
    assert err == ""
    assert table_counts() == counts
    assert dict(Article.objects.values_list("pk", "updated_at")) == stamps


def test_changed_file_is_updated_in_place(tmp_path):
    archive = tmp_path / "archive"
    shutil.copytree(SAMPLE_ARCHIVE, archive)
    run(archive)
    name = "2025-01-14-saas-renewal-report.md"
    before = Article.objects.get(source_path=name)
    counts = table_counts()
    path = archive / name
    path.write_text(
        path.read_text(encoding="utf-8").replace("企服观察：", "企服观察（更新）：", 1), encoding="utf-8"
    )
    out, _ = run(archive)
    assert "12 files: 0 created, 1 updated, 11 unchanged, 0 conflict, 0 skipped, 0 failed" in out
    after = Article.objects.get(source_path=name)
    assert after.pk == before.pk
    assert after.slug == before.slug  # the URL stays
    assert after.title.startswith("企服观察（更新）：")
    assert after.source_hash != before.source_hash
    assert after.updated_at > before.updated_at
    assert table_counts() == counts


def test_changed_categories_and_tags_replace_the_old_links(tmp_path):
    path = write(tmp_path, "a.md", seed_shaped("栖木家居新品", tags=("家居", "照明")))
    run(tmp_path)
    write(tmp_path, "a.md", seed_shaped("栖木家居新品", categories=("科技", "智能家居"), tags=("照明",)))
    run(tmp_path)
    article = Article.objects.get(source_path=path.name)
    assert [c.path for c in article.categories.all()] == ["ke-ji/zhi-neng-jia-ju"]
    assert list(article.tags.names()) == ["照明"]
    assert Article.objects.count() == 1


# --- failures -------------------------------------------------------------------------------------


def test_broken_file_is_reported_and_the_others_still_import(tmp_path):
    write(tmp_path, "2024-05-01-good-one.md", seed_shaped("青禾物流夜间配送试点"))
    write(tmp_path, "2024-05-02-bad-date.md", seed_shaped("日期写错的文章", date="下周一上午"))
    write(tmp_path, "sub/2024-05-03-good-two.md", seed_shaped("天枢通信终端入网"))
    write(tmp_path, "2024-05-04-bad-yaml.md", "\n---\ntitle: '未闭合的引号\nauthor: 36kr\n---\n<p>x</p>\n")
    error, out, err = run_failing(tmp_path)
    assert "2 of 4 files failed" in str(error)
    assert "4 files: 2 created, 0 updated, 0 unchanged, 0 conflict, 0 skipped, 2 failed" in out
    assert set(Article.objects.values_list("source_path", flat=True)) == {
        "2024-05-01-good-one.md",
        "sub/2024-05-03-good-two.md",
    }
    bad_date = tmp_path / "2024-05-02-bad-date.md"
    assert re.search(rf"{re.escape(str(bad_date))}: failed: date: .*下周一上午", err)
    bad_yaml = tmp_path / "2024-05-04-bad-yaml.md"
    assert re.search(rf"{re.escape(str(bad_yaml))}: failed: front matter is not valid YAML at line \d+", err)


def test_file_without_front_matter_is_skipped_and_reported(tmp_path):
    write(tmp_path, "good.md", seed_shaped("青禾物流夜间配送试点"))
    write(tmp_path, "notes.md", "# 编辑部笔记\n\n没有 front matter。\n")
    out, err = run(tmp_path)
    assert "2 files: 1 created, 0 updated, 0 unchanged, 0 conflict, 1 skipped, 0 failed" in out
    assert f"{tmp_path / 'notes.md'}: skipped: no front matter" in err
    assert Article.objects.count() == 1


_real_get_or_create_path = type(Category.objects).get_or_create_path


def test_failure_mid_save_leaves_no_rows_from_that_file(tmp_path, monkeypatch):
    write(tmp_path, "good.md", seed_shaped("先导入的文章", categories=("科技",), tags=("芯片",)))
    run(tmp_path)
    counts = table_counts()
    write(tmp_path, "bad.md", seed_shaped("半途失败的文章", categories=("商业", "物流", "城配")))
    seen = {}

    def create_path_then_fail(manager, names):
        _real_get_or_create_path(manager, names)
        seen["article saved"] = Article.objects.filter(source_path="bad.md").exists()
        seen["categories"] = Category.objects.count() - counts["Category"]
        raise RuntimeError("simulated failure while saving categories")

    monkeypatch.setattr(type(Category.objects), "get_or_create_path", create_path_then_fail)
    error, out, err = run_failing(tmp_path)
    assert seen == {"article saved": True, "categories": 3}  # the failure came mid-way
    assert "1 of 2 files failed" in str(error)
    assert "2 files: 0 created, 0 updated, 1 unchanged, 0 conflict, 0 skipped, 1 failed" in out
    assert f"{tmp_path / 'bad.md'}: failed: cannot save: simulated failure" in err
    assert table_counts() == counts
    assert not Article.objects.filter(source_path="bad.md").exists()
    assert not Category.objects.filter(name__in=["商业", "物流", "城配"]).exists()


def test_failure_after_tags_are_written_leaves_no_rows_from_that_file(tmp_path, monkeypatch):
    from articles.importing.importer import Importer

    write(tmp_path, "good.md", seed_shaped("先导入的文章", categories=("科技",), tags=("芯片",)))
    run(tmp_path)
    counts = table_counts()
    write(tmp_path, "bad.md", seed_shaped("半途失败的文章", categories=("商业", "物流"), tags=("物流", "城配")))
    reached = []

    def fail_after_links(self, article, values):
        reached.append(sorted(article.tags.names()))
        raise RuntimeError("simulated failure after the tag links")

    monkeypatch.setattr(Importer, "_record_legacy_urls", fail_after_links)
    _, _, err = run_failing(tmp_path)
    assert reached == [["城配", "物流"]]  # the rows did exist inside the transaction
    assert f"{tmp_path / 'bad.md'}: failed: cannot save: simulated failure" in err
    assert table_counts() == counts
    assert not Category.objects.filter(name__in=["商业", "物流"]).exists()
    assert not Tag.objects.filter(name__in=["物流", "城配"]).exists()
    assert not Author.objects.exclude(name="36kr").exists()
    assert not Image.objects.exclude(source_url="https://img.example.com/tests/a.jpg").exists()


def test_unforeseen_mapping_error_fails_only_that_file(tmp_path, monkeypatch):
    from articles.importing import importer

    real_map_record = importer.map_record

    def map_record(record, **kwargs):
        if record.relative_path == "bad.md":
            raise TypeError("unforeseen value")
        return real_map_record(record, **kwargs)

    monkeypatch.setattr(importer, "map_record", map_record)
    write(tmp_path, "bad.md", seed_shaped("出错的文章"))
    write(tmp_path, "good.md", seed_shaped("正常的文章"))
    _, out, err = run_failing(tmp_path)
    assert "2 files: 1 created, 0 updated, 0 unchanged, 0 conflict, 0 skipped, 1 failed" in out
    assert f"{tmp_path / 'bad.md'}: failed: cannot map: TypeError: unforeseen value" in err
    assert list(Article.objects.values_list("source_path", flat=True)) == ["good.md"]


def test_missing_path_is_a_command_error_naming_it(tmp_path):
    missing = tmp_path / "no-such-archive"
    with pytest.raises(CommandError, match=re.escape(str(missing))):
        run(missing)


def test_missing_path_among_good_ones_imports_nothing(tmp_path):
    write(tmp_path, "good.md", seed_shaped("青禾物流夜间配送试点"))
    with pytest.raises(CommandError, match="nope.md"):
        run(tmp_path, tmp_path / "nope.md")
    assert Article.objects.count() == 0


def test_unknown_timezone_is_a_command_error(tmp_path):
    with pytest.raises(CommandError, match="--timezone"):
        run(tmp_path, timezone="Mars/Olympus")


# --- walking folders ------------------------------------------------------------------------------


def test_hidden_folders_and_files_are_skipped(tmp_path):
    write(tmp_path, "visible.md", seed_shaped("看得见的文章"))
    write(tmp_path, ".git/hidden.md", seed_shaped("藏在点目录里"))
    write(tmp_path, "sub/.cache/deep.md", seed_shaped("藏在深处的点目录里"))
    write(tmp_path, ".hidden.md", seed_shaped("点开头的文件"))
    out, _ = run(tmp_path)
    assert out.strip().endswith("1 files: 1 created, 0 updated, 0 unchanged, 0 conflict, 0 skipped, 0 failed")
    assert list(Article.objects.values_list("source_path", flat=True)) == ["visible.md"]


def test_non_matching_extensions_are_ignored(tmp_path):
    write(tmp_path, "a.md", seed_shaped("Markdown 文件"))
    write(tmp_path, "b.markdown", seed_shaped("另一种扩展名"))
    write(tmp_path, "c.html", seed_shaped("HTML 文件"))
    for name in ("README", "notes.rst", "data.json", "a.md.bak", "cover.jpg"):
        write(tmp_path, name, seed_shaped(f"不该导入 {name}"))
    out, err = run(tmp_path)
    assert "3 files: 3 created" in out
    assert err == ""
    assert set(Article.objects.values_list("source_path", flat=True)) == {"a.md", "b.markdown", "c.html"}


def test_a_single_file_path_is_imported_relative_to_its_folder(tmp_path):
    path = write(tmp_path, "deep/folder/2024-05-08-qinghe.md", seed_shaped("青禾物流夜间配送试点"))
    run(path)
    assert Article.objects.get().source_path == "2024-05-08-qinghe.md"


# --- the real seed file ---------------------------------------------------------------------------


@pytest.mark.skipif(not SEED.is_file(), reason=f"the legacy seed file is not at {SEED}")
def test_real_seed_file_imports():
    out, err = run(SEED)
    assert "1 files: 1 created" in out
    assert err == ""
    article = Article.objects.get(source_path="seed-36kr.md")
    assert article.title == "多重举措上线，抖音电商如何帮商家做好长线生意？"
    assert article.status == Article.Status.PUBLISHED
    assert article.is_published
    assert re.fullmatch(r"[a-z0-9]+(-[a-z0-9]+)*", article.slug)
    assert article.slug.startswith("duo-zhong-ju-cuo-shang-xian-dou-yin-dian-shang")
    assert [c.path for c in article.categories.all()] == ["xin-mei-ti/36kr/zi-xun"]
    leaf = article.categories.get()
    assert [c.name for c in leaf.get_ancestors_and_self()] == ["新媒体", "36kr", "资讯"]
    assert article.allow_comments is False
    assert article.published_at == dt.datetime(2022, 6, 6, 3, 24, 21, tzinfo=UTC)
    assert article.author.name == "36kr"
    hero = "https://img.36krcdn.com/20220603/v2_3b32337a033142d19d07a12b030c963a_img_000"
    assert article.hero_image.source_url == hero
    assert article.thumbnail_id == article.hero_image_id
    assert Image.objects.count() == 1
    images = re.findall(r"<img [^>]*>", article.body)
    assert len(images) == SEED.read_text(encoding="utf-8").count("<img") == 12
    for tag in images:
        assert 'referrerpolicy="no-referrer"' in tag
        assert "data-" not in tag
        assert "class=" not in tag
    assert "class=" not in article.body
    assert "data-img-size-val" not in article.body
    assert 'rel="noopener noreferrer nofollow"' in article.body
    assert article.summary  # derived from the body text
    counts = table_counts()
    out, _ = run(SEED)
    assert "1 unchanged" in out
    assert table_counts() == counts
