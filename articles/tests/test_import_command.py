"""The `import_frontmatter` command end to end: the sample archive, reruns, failures, the seed,
and the rules of the legacy import, one behaviour per test.

Most tests write their own small archive into tmp_path (invented Chinese content in the shape of
the 36kr seed, or Hexo Markdown posts) and run the real command with `call_command`; two run it
as a separate process to see the exit status a shell sees.
"""

import builtins
import datetime as dt
import hashlib
import io
import json
import os
import pathlib
import re
import shutil
import subprocess
import sys
from pathlib import Path
from urllib.parse import quote

import pytest
from django.conf import settings
from django.core.management import CommandError, call_command
from django.db import connection
from django.test.utils import CaptureQueriesContext
from PIL import Image as PILImage

from articles.importing.frontmatter import DEFAULT_MAX_BYTES
from articles.management.commands import import_frontmatter as command_module
from articles.models import Article, Author, Category, Image, LegacyURL, Tag, TaggedArticle
from articles.tests.factories import seed_shaped
from articles.tests.factories import write_file as write

pytestmark = pytest.mark.django_db

SAMPLE_ARCHIVE = Path(settings.BASE_DIR) / "articles" / "sample_archive"
SEED = Path(settings.BASE_DIR).parent / "shared" / "legacy" / "seed-36kr.md"
UTC = dt.UTC
CATEGORY_LINKS = Article.categories.through
DATE = "date: 2024-05-08 10:30:00"  # zone-less: read in Asia/Shanghai, 02:30 UTC
OUTCOMES = ("created", "updated", "unchanged", "conflict", "skipped", "failed")


# --- helpers ------------------------------------------------------------------------------------


def run(*paths, **options):
    """Run the command; return (stdout, stderr). CommandError propagates."""
    out, err = io.StringIO(), io.StringIO()
    call_command("import_frontmatter", *map(str, paths), stdout=out, stderr=err, **options)
    return out.getvalue(), err.getvalue()


def run_failing(*paths, **options):
    """Run the command expecting a CommandError; return (error, stdout, stderr)."""
    out, err = io.StringIO(), io.StringIO()
    with pytest.raises(CommandError) as error:
        call_command("import_frontmatter", *map(str, paths), stdout=out, stderr=err, **options)
    return error.value, out.getvalue(), err.getvalue()


def summary(total, dry_run=False, **counts):
    """The command's last line, e.g. summary(2, created=1, unchanged=1)."""
    verb = "would be " if dry_run else ""
    return f"{total} files: " + ", ".join(f"{counts.get(o, 0)} {verb}{o}" for o in OUTCOMES)


def post(*front_matter, body="这是为测试编写的正文。"):
    """A Hexo Markdown post: the given YAML front-matter lines, then the body."""
    return "\n".join(["---", *front_matter, "---", "", body]) + "\n"


def png_bytes(color=(200, 40, 40), size=(6, 4)):
    buffer = io.BytesIO()
    PILImage.new("RGB", size, color).save(buffer, "PNG")
    return buffer.getvalue()


def media_files():
    root = Path(settings.MEDIA_ROOT)
    return sorted(p for p in root.rglob("*") if p.is_file()) if root.exists() else []


def original_files():
    """The library's stored pictures, without their renditions."""
    return [p for p in media_files() if p.relative_to(settings.MEDIA_ROOT).parts[0] == "images"]


def table_counts():
    return {
        model.__name__: model.objects.count()
        for model in (Article, Category, Tag, Author, Image, LegacyURL, TaggedArticle, CATEGORY_LINKS)
    }


def category(*names):
    """The Category at the end of the path `names`, checking each level's parent."""
    parent = None
    for name in names:
        parent = Category.objects.get(name=name, parent=parent)
    return parent


def write_queries(queries):
    return [
        q["sql"]
        for q in queries.captured_queries
        if q["sql"].lstrip().upper().startswith(("INSERT", "UPDATE", "DELETE", "REPLACE"))
    ]


def reported(err, path, pattern):
    """The line of stderr about `path` that continues with `pattern` (a regular expression)."""
    return re.search(rf"^{re.escape(str(path))}: {pattern}", err, re.M)


def warning_lines(err, text):
    return [line for line in err.splitlines() if ": warning: " in line and text in line]


# --- 1. identity and idempotence ----------------------------------------------------------------


@pytest.mark.django_db(transaction=True)  # real commits, as in production (on_commit caches run)
def test_rerun_over_unchanged_files_writes_nothing(tmp_path):
    source = tmp_path / "source"
    write(source, "images/a.png", png_bytes())
    posts = source / "_posts"
    write(posts, "2024-05-08-qinghe.md", seed_shaped("青禾物流夜间配送试点", tags=("物流", "配送")))
    write(
        posts,
        "tianshu.md",
        post(
            "title: 天枢通信终端入网",
            "date: 2024-05-09 10:30:00",
            "categories: [科技, 通信]",
            "tags: [卫星, 终端]",
            "cover: /images/a.png",
            "aliases: [/old/tianshu/]",
            "abbrlink: ts01",
            body="导语。\n\n<!-- more -->\n\n![](/images/a.png)\n\n正文。",
        ),
    )
    write(posts, "_drafts/caogao.md", post("title: 还没写完的草稿", "draft: true"))
    run(posts, source_root=source)
    counts, files = table_counts(), media_files()
    stamps = dict(Article.objects.values_list("pk", "updated_at"))
    assert counts["Article"] == 3 and len(original_files()) == 1 and counts["LegacyURL"] >= 2

    with CaptureQueriesContext(connection) as queries:
        out, err = run(posts, source_root=source)

    assert write_queries(queries) == []
    assert summary(3, unchanged=3) in out
    assert err == ""
    assert dict(Article.objects.values_list("pk", "updated_at")) == stamps
    assert table_counts() == counts
    assert media_files() == files


def test_rerun_over_skipped_failed_and_conflicting_files_writes_nothing(tmp_path):
    write(tmp_path, "notes.md", "# 编辑部笔记\n\n没有 front matter。\n")
    write(tmp_path, "bad.md", seed_shaped("日期写错的文章", date="下周一上午"))
    write(tmp_path, "edited.md", seed_shaped("栖木家居发布新品"))
    run_failing(tmp_path)
    article = Article.objects.get()
    article.title = "编辑改过"
    article.save()
    write(tmp_path, "edited.md", seed_shaped("栖木家居发布智能照明新品"))
    counts = table_counts()

    with CaptureQueriesContext(connection) as queries:
        _, out, _ = run_failing(tmp_path)

    assert summary(3, conflict=1, skipped=1, failed=1) in out
    assert write_queries(queries) == []
    assert table_counts() == counts


def test_renamed_file_with_abbrlink_keeps_its_article_and_records_the_new_path(tmp_path):
    posts = tmp_path / "_posts"
    old = write(posts, "qinghe.md", post("title: 青禾物流夜间配送试点", DATE, "abbrlink: x1"))
    run(posts)
    before = Article.objects.get()
    new = posts / "2024" / "qinghe-night-delivery.md"
    new.parent.mkdir()
    old.rename(new)

    out, _ = run(posts)

    after = Article.objects.get()
    assert (after.pk, after.slug) == (before.pk, before.slug)
    assert after.source_path == "_posts/2024/qinghe-night-delivery.md"  # below the archive's root
    assert summary(1, updated=1) in out


def test_moved_and_edited_file_with_abbrlink_keeps_its_article(tmp_path):
    posts = tmp_path / "_posts"
    old = write(posts, "qinghe.md", post("title: 青禾物流夜间配送试点", DATE, "abbrlink: x1"))
    run(posts)
    before = Article.objects.get()
    old.unlink()
    write(posts, "2024/qinghe.md", post("title: 青禾物流夜间配送试点（更新）", DATE, "abbrlink: x1"))

    out, _ = run(posts)

    assert summary(1, updated=1) in out
    after = Article.objects.get()
    assert (after.pk, after.slug) == (before.pk, before.slug)
    assert after.source_path == "_posts/2024/qinghe.md"
    assert after.title == "青禾物流夜间配送试点（更新）"


def test_two_existing_files_sharing_an_abbrlink_are_two_articles(tmp_path):
    write(tmp_path, "zh.md", post("title: 云帆智能发布写作助手", DATE, "abbrlink: x1"))
    write(tmp_path, "en.md", post("title: Yunfan launches a writing assistant", DATE, "abbrlink: x1"))

    out, _ = run(tmp_path)
    assert summary(2, created=2) in out
    out, _ = run(tmp_path)
    assert summary(2, unchanged=2) in out
    rows = sorted(Article.objects.values_list("source_path", "source_id"))
    assert rows == [("en.md", "x1"), ("zh.md", "x1")]


def test_changed_file_whose_article_shares_its_abbrlink_updates_only_its_own(tmp_path):
    write(tmp_path, "zh.md", post("title: 云帆智能发布写作助手", DATE, "abbrlink: x1"))
    write(tmp_path, "en.md", post("title: Yunfan launches a writing assistant", DATE, "abbrlink: x1"))
    run(tmp_path)
    write(tmp_path, "en.md", post("title: Yunfan ships a writing assistant", DATE, "abbrlink: x1"))

    out, _ = run(tmp_path)

    assert summary(2, updated=1, unchanged=1) in out
    assert dict(Article.objects.values_list("source_path", "title")) == {
        "zh.md": "云帆智能发布写作助手",
        "en.md": "Yunfan ships a writing assistant",
    }


# --- 2. conflicts with editors' changes ---------------------------------------------------------


def test_file_changed_after_an_editor_saved_the_article_is_a_conflict(tmp_path):
    path = write(tmp_path, "a.md", seed_shaped("栖木家居发布新品"))
    run(tmp_path)
    article = Article.objects.get()
    article.title = "编辑改过"
    article.save()
    edited_at = Article.objects.get().updated_at
    write(tmp_path, "a.md", seed_shaped("栖木家居发布智能照明新品"))

    out, err = run(tmp_path)  # a conflict is not a failure: no CommandError

    assert summary(1, conflict=1) in out
    assert reported(err, path, r"conflict: .*--overwrite-edited")
    article.refresh_from_db()
    assert article.title == "编辑改过"
    assert article.updated_at == edited_at
    out, _ = run(tmp_path)  # still a conflict next time, not silently "unchanged"
    assert summary(1, conflict=1) in out


def test_edited_article_whose_file_did_not_change_is_unchanged_not_a_conflict(tmp_path):
    write(tmp_path, "a.md", seed_shaped("栖木家居发布新品"))
    run(tmp_path)
    article = Article.objects.get()
    article.title = "编辑改过"
    article.save()

    out, err = run(tmp_path)

    assert summary(1, unchanged=1) in out
    assert err == ""
    assert Article.objects.get().title == "编辑改过"


def test_overwrite_edited_lets_the_file_win(tmp_path):
    write(tmp_path, "a.md", seed_shaped("栖木家居发布新品"))
    run(tmp_path)
    article = Article.objects.get()
    article.title = "编辑改过"
    article.save()
    write(tmp_path, "a.md", seed_shaped("栖木家居发布智能照明新品"))

    out, err = run(tmp_path, overwrite_edited=True)

    assert summary(1, updated=1) in out
    assert "conflict" not in err
    article.refresh_from_db()
    assert article.title == "栖木家居发布智能照明新品"
    # once overwritten it counts as unedited again: the next change is a plain update
    write(tmp_path, "a.md", seed_shaped("栖木家居发布第二代智能照明"))
    out, _ = run(tmp_path)
    assert summary(1, updated=1) in out
    assert Article.objects.get().title == "栖木家居发布第二代智能照明"


def test_unedited_article_with_a_changed_file_is_updated(tmp_path):
    write(tmp_path, "a.md", seed_shaped("栖木家居发布新品"))
    run(tmp_path)
    pk = Article.objects.get().pk
    write(tmp_path, "a.md", seed_shaped("栖木家居发布智能照明新品"))

    out, err = run(tmp_path)

    assert summary(1, updated=1) in out
    assert err == ""
    assert Article.objects.get(pk=pk).title == "栖木家居发布智能照明新品"


# --- 3. exit statuses ---------------------------------------------------------------------------


def test_all_files_fine_is_no_error(tmp_path):
    write(tmp_path, "a.md", seed_shaped("青禾物流夜间配送试点"))
    write(tmp_path, "notes.md", "# 编辑部笔记\n\n没有 front matter。\n")  # skipped is not failed
    out, _ = run(tmp_path)
    assert summary(2, created=1, skipped=1) in out


def test_any_failed_file_is_a_command_error_with_status_1(tmp_path):
    write(tmp_path, "a.md", seed_shaped("青禾物流夜间配送试点"))
    write(tmp_path, "b.md", seed_shaped("日期写错的文章", date="下周一上午"))
    error, out, _ = run_failing(tmp_path)
    assert error.returncode == 1
    assert "1 of 2 files failed" in str(error)
    assert summary(2, created=1, failed=1) in out


@pytest.mark.parametrize(
    "case",
    [
        "missing path",
        "unknown timezone",
        "source root is a file",
        "source root missing",
        "max size 0",
        "max size negative",
        "report not writable",
    ],
)
def test_bad_arguments_are_a_command_error_with_status_2(tmp_path, case):
    archive = tmp_path / "archive"
    write(archive, "a.md", seed_shaped("青禾物流夜间配送试点"))
    paths, options, message = [archive], {}, ""
    if case == "missing path":
        paths, message = [archive, tmp_path / "no-such-folder"], "no-such-folder"
    elif case == "unknown timezone":
        options, message = {"timezone": "Mars/Olympus"}, "--timezone"
    elif case == "source root is a file":
        options, message = {"source_root": archive / "a.md"}, "--source-root"
    elif case == "source root missing":
        options, message = {"source_root": tmp_path / "no-source"}, "--source-root"
    elif case == "max size 0":
        options, message = {"max_size": 0}, "--max-size"
    elif case == "max size negative":
        options, message = {"max_size": -5}, "--max-size"
    elif case == "report not writable":
        options, message = {"report": tmp_path / "no-folder" / "report.jsonl"}, "--report"

    error, _, _ = run_failing(*paths, **options)

    assert error.returncode == 2
    assert message in str(error)
    assert Article.objects.count() == 0


def test_exit_status_of_the_real_process(tmp_path):
    """Two processes: `migrate` then an import with a failed file; then a missing path."""
    manage = Path(settings.BASE_DIR) / "manage.py"
    env = {
        **os.environ,
        "DJANGO_SETTINGS_MODULE": "config.settings_test",
        "DATABASE_URL": f"sqlite:///{tmp_path / 'x.sqlite3'}",
    }
    bad = write(tmp_path / "archive", "bad.md", seed_shaped("日期写错的文章", date="下周一上午"))
    migrate_then_import = 'set -e; "$0" "$1" migrate -v0; exec "$0" "$1" import_frontmatter "$2"'
    failed = subprocess.run(
        ["sh", "-c", migrate_then_import, sys.executable, str(manage), str(bad.parent)],
        cwd=settings.BASE_DIR,
        env=env,
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert f"{bad}: failed: date:" in failed.stderr, failed.stderr  # the import itself ran
    assert failed.returncode == 1

    missing = subprocess.run(
        [sys.executable, str(manage), "import_frontmatter", str(tmp_path / "no-such-folder")],
        cwd=settings.BASE_DIR,
        env=env,
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert "no-such-folder" in missing.stderr
    assert "Traceback" not in missing.stderr
    assert missing.returncode == 2


# --- 4. dry run ---------------------------------------------------------------------------------


def test_dry_run_writes_nothing_and_reports_what_would_happen(tmp_path):
    source = tmp_path / "source"
    posts = source / "_posts"
    write(source, "images/a.png", png_bytes())
    write(posts, "changed.md", seed_shaped("栖木家居发布新品", tags=("家居",)))
    write(posts, "same.md", seed_shaped("天枢通信终端入网"))
    run(posts, source_root=source)
    before_rows = list(Article.objects.order_by("pk").values())
    write(posts, "changed.md", seed_shaped("栖木家居发布智能照明新品", tags=("照明", "智能家居"), categories=("家居",)))
    write(
        posts,
        "new.md",
        post(
            "title: 行远出行扩大无人驾驶试点",
            "date: 2024-05-10 09:00:00",
            "author: 李明",
            "categories: [商业, 出行]",
            "tags: [自动驾驶, 出行]",
            "permalink: /p/123.html",
            "aliases: [/old/a/]",
            "headimg: https://img.example.com/tests/new.jpg",
            body='导语。\n\n![](/images/a.png)\n\n<img src="/images/a.png">',
        ),
    )
    write(posts, "broken.md", seed_shaped("日期写错的文章", date="下周一上午"))
    counts = table_counts()
    assert media_files() == []

    error, out, err = run_failing(posts, source_root=source, dry_run=True)

    assert error.returncode == 1  # a file that would fail still says so
    assert "Dry run — nothing was written" in out
    assert summary(4, dry_run=True, created=1, updated=1, unchanged=1, failed=1) in out
    assert f"{posts / 'broken.md'}: failed: date:" in err
    assert table_counts() == counts
    assert list(Article.objects.order_by("pk").values()) == before_rows
    assert media_files() == []
    # and the real run afterwards still finds the same work to do
    _, out, _ = run_failing(posts, source_root=source)
    assert summary(4, created=1, updated=1, unchanged=1, failed=1) in out


def test_dry_run_with_a_local_hero_image_would_create_the_article(tmp_path):
    source = tmp_path / "source"
    write(source, "images/a.png", png_bytes())
    write(source, "_posts/a.md", post("title: 带本地头图的文章", DATE, "cover: /images/a.png"))
    out, err = io.StringIO(), io.StringIO()

    try:
        call_command(
            "import_frontmatter", str(source / "_posts"), source_root=source, dry_run=True, stdout=out, stderr=err
        )
    except CommandError:
        pass

    assert "failed" not in err.getvalue(), err.getvalue()
    assert summary(1, dry_run=True, created=1) in out.getvalue()
    assert Image.objects.count() == 0 and media_files() == []


# --- 5. --report --------------------------------------------------------------------------------


def _report_lines(path):
    """The report's file rows by file name (the last row, the summary, is left out)."""
    rows = [json.loads(line) for line in path.read_text("utf-8").splitlines()]
    assert rows[-1]["row"] == "summary"
    return {Path(row["path"]).name: row for row in rows[:-1]}


def test_report_has_one_json_line_per_file(tmp_path):
    archive = tmp_path / "archive"
    write(archive, "good.md", seed_shaped("青禾物流夜间配送试点", image="https://picsum.photos/800/600"))
    write(archive, "notes.md", "# 编辑部笔记\n\n没有 front matter。\n")
    write(archive, "bad.md", seed_shaped("日期写错的文章", date="下周一上午"))
    report = tmp_path / "report.jsonl"

    run_failing(archive, report=report)

    lines = _report_lines(report)
    assert len(report.read_text("utf-8").splitlines()) == 3 + 1  # and the summary row
    assert set(lines) == {"good.md", "notes.md", "bad.md"}
    for line in lines.values():
        assert set(line) == {
            "row",
            "path",
            "archive",
            "source_path",
            "title",
            "outcome",
            "article_id",
            "url",
            "warnings",
            "error",
        }
    article = Article.objects.get()
    good = lines["good.md"]
    assert good["path"] == str(archive / "good.md")
    assert (good["outcome"], good["article_id"], good["url"], good["error"]) == (
        "created",
        article.pk,
        article.get_absolute_url(),
        None,
    )
    assert {"kind": "image", "message": "headimg: placeholder image 'https://picsum.photos/800/600' ignored"} in (
        good["warnings"]
    )
    notes = lines["notes.md"]
    assert (notes["outcome"], notes["article_id"], notes["url"]) == ("skipped", None, None)
    assert notes["error"].startswith("no front matter")
    bad = lines["bad.md"]
    assert (bad["outcome"], bad["article_id"], bad["url"]) == ("failed", None, None)
    assert bad["error"].startswith("date:") and "下周一上午" in bad["error"]


def test_report_under_dry_run_has_no_article_ids(tmp_path):
    archive = tmp_path / "archive"
    write(archive, "old.md", seed_shaped("天枢通信终端入网"))
    run(archive)
    write(archive, "old.md", seed_shaped("天枢通信终端入网（更新）"))
    write(archive, "new.md", seed_shaped("青禾物流夜间配送试点"))
    report = tmp_path / "report.jsonl"

    run(archive, report=report, dry_run=True)

    lines = _report_lines(report)
    outcomes = {name: line["outcome"] for name, line in lines.items()}
    assert outcomes == {"old.md": "updated", "new.md": "created"}
    assert all(line["article_id"] is None and line["url"] is None for line in lines.values())


def test_report_names_the_article_of_an_unchanged_file(tmp_path):
    archive = tmp_path / "archive"
    write(archive, "a.md", seed_shaped("青禾物流夜间配送试点"))
    run(archive)
    report = tmp_path / "report.jsonl"

    run(archive, report=report)

    line = _report_lines(report)["a.md"]
    article = Article.objects.get()
    assert line["outcome"] == "unchanged"
    assert (line["article_id"], line["url"]) == (article.pk, article.get_absolute_url())


# --- 6. progress and the summary table ----------------------------------------------------------


def test_plain_progress_lines_and_summary_table_when_stderr_is_no_terminal(tmp_path, monkeypatch):
    monkeypatch.setattr(command_module, "PROGRESS_EVERY_SECONDS", 0)
    monkeypatch.setattr(sys, "stderr", io.StringIO())  # not a TTY, however pytest is run
    for n, title in enumerate(("青禾物流夜间配送试点", "天枢通信终端入网", "栖木家居发布新品")):
        write(tmp_path, f"{n}.md", seed_shaped(title))
    write(tmp_path, "notes.md", "# 编辑部笔记\n")

    out, err = run(tmp_path)

    progress = re.findall(r"^… (\d+) of 4 files \(\d+ files/s\)$", err, re.M)
    assert progress and progress == sorted(progress, key=int)
    assert "\r" not in err  # no progress bar
    assert re.search(r"^  created +3$", out, re.M)
    assert re.search(r"^  skipped +1$", out, re.M)
    for outcome in ("updated", "unchanged", "conflict", "failed"):
        assert re.search(rf"^  {outcome} +0$", out, re.M)
    assert re.search(r"^  total +4$", out, re.M)
    assert re.search(r"^  \d+\.\d s, \d+ files/s$", out, re.M)


def test_no_progress_lines_at_verbosity_0(tmp_path, monkeypatch):
    monkeypatch.setattr(command_module, "PROGRESS_EVERY_SECONDS", 0)
    monkeypatch.setattr(sys, "stderr", io.StringIO())
    write(tmp_path, "a.md", seed_shaped("青禾物流夜间配送试点"))
    _, err = run(tmp_path, verbosity=0)
    assert "files/s" not in err


# --- 7. mapping options end to end --------------------------------------------------------------


def test_status_option_overrides_the_file(tmp_path):
    write(tmp_path, "live.md", seed_shaped("青禾物流夜间配送试点"))
    write(tmp_path, "draft.md", post("title: 草稿里的文章", DATE, "draft: true"))
    run(tmp_path, status="draft")
    assert set(Article.objects.values_list("status", flat=True)) == {"draft"}
    Article.objects.all().delete()
    run(tmp_path, status="published")
    assert set(Article.objects.values_list("status", flat=True)) == {"published"}


def test_flat_categories_make_each_name_top_level(tmp_path):
    write(tmp_path, "a.md", post("title: 芯片产线扩建", DATE, "categories: [科技, 芯片]"))
    run(tmp_path, categories="flat")
    article = Article.objects.get()
    assert sorted((c.name, c.parent_id) for c in article.categories.all()) == [("科技", None), ("芯片", None)]
    assert Category.objects.count() == 2


def test_default_categories_read_a_flat_list_as_one_path(tmp_path):
    write(tmp_path, "a.md", post("title: 芯片产线扩建", DATE, "categories: [科技, 芯片]"))
    run(tmp_path)
    leaf = Article.objects.get().categories.get()
    assert (leaf.name, leaf.parent.name, leaf.parent.parent) == ("芯片", "科技", None)


def test_default_author_is_the_byline_of_files_without_one(tmp_path):
    write(tmp_path, "a.md", post("title: 没有署名的文章", DATE))
    write(tmp_path, "b.md", post("title: 有署名的文章", DATE, "author: 王晓雯"))
    run(tmp_path, default_author="本站编辑")
    assert dict(Article.objects.values_list("source_path", "author__name")) == {"a.md": "本站编辑", "b.md": "王晓雯"}


def test_ext_option_limits_the_files(tmp_path):
    write(tmp_path, "a.md", seed_shaped("Markdown 文件"))
    write(tmp_path, "b.txt", seed_shaped("文本文件"))
    out, _ = run(tmp_path, ext=".txt")
    assert summary(1, created=1) in out
    assert list(Article.objects.values_list("source_path", flat=True)) == ["b.txt"]


def test_max_size_refuses_a_big_file_naming_the_limit(tmp_path):
    small = write(tmp_path, "small.md", post("title: 短文", DATE, body="短。"))
    big = write(tmp_path, "big.md", post("title: 长文", DATE, body="很长的正文。" * 100))
    limit = small.stat().st_size + 10
    assert big.stat().st_size > limit

    error, out, err = run_failing(tmp_path, max_size=limit)

    assert error.returncode == 1
    assert summary(2, created=1, failed=1) in out
    assert reported(err, big, rf"failed: file is too large: .*limit of {limit:,} bytes")
    assert list(Article.objects.values_list("source_path", flat=True)) == ["small.md"]


def test_file_without_front_matter_is_skipped_unless_allowed(tmp_path):
    path = write(tmp_path, "编辑部笔记.md", "# 周会记录\n\n本周选题：物流、芯片。\n")
    out, err = run(tmp_path)
    assert summary(1, skipped=1) in out
    assert f"{path}: skipped: no front matter" in err
    assert Article.objects.count() == 0

    out, err = run(tmp_path, allow_missing_front_matter=True)

    assert summary(1, created=1) in out
    article = Article.objects.get()
    assert article.title == "编辑部笔记"
    assert "本周选题" in article.body


def test_updated_key_is_the_source_update_time(tmp_path):
    write(tmp_path, "a.md", post("title: 有修改时间的文章", DATE, "updated: 2024-05-09 10:00:00"))
    run(tmp_path)
    article = Article.objects.get()
    assert article.source_updated_at == dt.datetime(2024, 5, 9, 2, 0, tzinfo=UTC)
    assert article.published_at == dt.datetime(2024, 5, 8, 2, 30, tzinfo=UTC)


def test_description_is_the_summary(tmp_path):
    write(
        tmp_path,
        "a.md",
        post(
            "title: 有摘要的文章",
            DATE,
            "description: 编辑写的一句话摘要。",
            body="正文第一段。\n\n<!-- more -->\n\n正文第二段。",
        ),
    )
    run(tmp_path)
    assert Article.objects.get().summary == "编辑写的一句话摘要。"


def test_text_before_more_marker_is_the_summary_without_description(tmp_path):
    write(
        tmp_path,
        "a.md",
        post(
            "title: 没有摘要的文章",
            DATE,
            body="导语：物流行业进入**夜间配送**时代。\n\n<!-- more -->\n\n后面的正文不该进摘要。",
        ),
    )
    run(tmp_path)
    article = Article.objects.get()
    assert article.summary == "导语：物流行业进入夜间配送时代。"
    assert "后面的正文不该进摘要" in article.body
    assert "more" not in article.body


def test_slug_in_front_matter_is_the_article_slug(tmp_path):
    write(tmp_path, "a.md", post("title: 青禾物流夜间配送试点", DATE, "slug: qinghe-night-delivery"))
    run(tmp_path)
    article = Article.objects.get()
    assert article.slug == "qinghe-night-delivery"
    assert article.get_absolute_url().endswith("/qinghe-night-delivery/")


@pytest.mark.parametrize(
    "name, front_matter",
    [
        ("a.md", ["published: false"]),
        ("a.md", ["draft: true"]),
        ("_drafts/a.md", []),
    ],
    ids=["published-false", "draft-true", "_drafts-folder"],
)
def test_unpublished_files_become_drafts(tmp_path, name, front_matter):
    write(tmp_path, "live.md", post("title: 已发布的文章", DATE))
    write(tmp_path, name, post("title: 还没发布的文章", DATE, *front_matter))
    run(tmp_path)
    assert Article.objects.get(title="已发布的文章").status == "published"
    assert Article.objects.get(title="还没发布的文章").status == "draft"


def test_placeholder_cover_gives_no_hero_image_and_a_warning(tmp_path):
    path = write(tmp_path, "a.md", post("title: 主题示例封面", DATE, "cover: https://picsum.photos/seed/1/800/600"))
    _, err = run(tmp_path)
    article = Article.objects.get()
    assert article.hero_image is None and article.thumbnail is None
    assert Image.objects.count() == 0
    assert reported(err, path, r"warning: cover: placeholder image .*picsum\.photos")


def test_cover_false_gives_no_hero_image(tmp_path):
    write(tmp_path, "a.md", post("title: 不要封面", DATE, "cover: false"))
    _, err = run(tmp_path)
    article = Article.objects.get()
    assert article.hero_image is None and article.thumbnail is None
    assert err == ""


def test_photos_list_gives_the_first_as_hero_image(tmp_path):
    write(
        tmp_path,
        "a.md",
        post("title: 图集", DATE, "photos: [https://img.example.com/tests/1.jpg, https://img.example.com/tests/2.jpg]"),
    )
    run(tmp_path)
    assert Article.objects.get().hero_image.source_url == "https://img.example.com/tests/1.jpg"


# --- 8. legacy URLs and redirects ---------------------------------------------------------------


def test_hexo_default_address_redirects_to_the_article(tmp_path, client):
    # 18:30 GMT on 8 May is already 9 May in Asia/Shanghai: the old address uses the local date
    date = "Wed, 08 May 2024 18:30:00 GMT"
    write(tmp_path, "_posts/qinghe-night.md", seed_shaped("青禾物流夜间配送试点", date=date))
    write(tmp_path, "_posts/tech/chip.md", seed_shaped("芯片产线扩建", date=date))
    run(tmp_path)
    qinghe = Article.objects.get(source_path="_posts/qinghe-night.md")
    chip = Article.objects.get(source_path="_posts/tech/chip.md")
    assert dict(LegacyURL.objects.values_list("path", "article_id")) == {
        "/2024/05/09/qinghe-night/": qinghe.pk,
        "/2024/05/09/tech/chip/": chip.pk,
    }

    response = client.get("/2024/05/09/qinghe-night/")

    assert response.status_code == 301
    assert response["Location"] == qinghe.get_absolute_url()
    assert client.get(response["Location"]).status_code == 200
    assert client.get("/2024/05/09/tech/chip/")["Location"] == chip.get_absolute_url()


def test_permalink_and_aliases_are_recorded_and_redirect(tmp_path, client):
    write(
        tmp_path,
        "_posts/a.md",
        post("title: 天枢通信终端入网", DATE, "permalink: /p/123.html", "aliases: [/old/a/, /old/b]"),
    )
    run(tmp_path)
    article = Article.objects.get()
    # Hexo serves a post with its own permalink there, not at the pattern's address.
    assert set(LegacyURL.objects.values_list("path", flat=True)) == {"/p/123.html", "/old/a/", "/old/b"}
    for old in ("/p/123.html", "/old/a/", "/old/b", "/old/b/"):
        response = client.get(old)
        assert (response.status_code, response["Location"]) == (301, article.get_absolute_url()), old


def test_no_redirects_records_no_pattern_address_but_keeps_permalink(tmp_path):
    write(tmp_path, "_posts/a.md", post("title: 天枢通信终端入网", DATE, "permalink: /p/123.html"))
    write(tmp_path, "_posts/b.md", post("title: 青禾物流夜间配送试点", DATE))
    run(tmp_path, no_redirects=True)
    assert list(LegacyURL.objects.values_list("path", flat=True)) == ["/p/123.html"]


def test_permalink_option_changes_the_pattern(tmp_path, client):
    write(tmp_path, "_posts/a.md", post("title: 天枢通信终端入网", DATE, "abbrlink: x1"))
    run(tmp_path, permalink=":year/:abbrlink/")
    assert list(LegacyURL.objects.values_list("path", flat=True)) == ["/2024/x1/"]
    assert client.get("/2024/x1/")["Location"] == Article.objects.get().get_absolute_url()


def test_old_address_of_an_article_set_to_draft_is_gone(tmp_path, client):
    write(tmp_path, "_posts/a.md", seed_shaped("青禾物流夜间配送试点"))
    run(tmp_path)
    old = LegacyURL.objects.get().path
    assert client.get(old).status_code == 301
    article = Article.objects.get()
    article.status = Article.Status.DRAFT
    article.save()

    assert client.get(old).status_code == 410


def test_unknown_old_address_is_not_found(tmp_path, client):
    write(tmp_path, "_posts/a.md", seed_shaped("青禾物流夜间配送试点"))
    run(tmp_path)
    assert client.get("/2019/01/01/no-such-post/").status_code == 404
    assert client.get("/p/999.html").status_code == 404


def test_chinese_old_address_works_percent_encoded(tmp_path, client):
    write(tmp_path, "_posts/新闻.md", post("title: 新闻一则", DATE, "aliases: [/旧/新闻页/]"))
    run(tmp_path)
    article = Article.objects.get()
    assert set(LegacyURL.objects.values_list("path", flat=True)) == {"/2024/05/08/新闻/", "/旧/新闻页/"}
    for old in ("/2024/05/08/新闻/", "/旧/新闻页/"):
        encoded = quote(old)
        assert "%E6%96%B0" in encoded
        response = client.get(encoded)
        assert (response.status_code, response["Location"]) == (301, article.get_absolute_url()), encoded


# --- 9. local images with --source-root ---------------------------------------------------------


@pytest.fixture
def site(tmp_path):
    """A Hexo source folder with one real PNG at images/a.png."""
    source = tmp_path / "source"
    data = png_bytes()
    write(source, "images/a.png", data)
    return source, data


def test_local_body_image_is_copied_into_the_library_once(site):
    source, data = site
    write(
        source,
        "_posts/a.md",
        post(
            "title: 带本地图片的文章", DATE, body='导语。\n\n![](/images/a.png)\n\n<img src="/images/a.png">\n\n结尾。'
        ),
    )

    _, err = run(source / "_posts", source_root=source)

    assert err == ""
    image = Image.objects.get()
    assert image.file and image.sha256 == hashlib.sha256(data).hexdigest()
    assert (image.width, image.height) == (6, 4)
    assert len(original_files()) == 1 and original_files()[0].read_bytes() == data
    body = Article.objects.get().body
    assert body.count("<picture>") == 2 and image.sha256 in body
    assert 'src="/images/a.png"' not in body


def test_local_image_with_a_chinese_file_name_is_found_and_rewritten(tmp_path):
    source = tmp_path / "source"
    data = png_bytes(color=(90, 90, 10))
    write(source, "images/配图 一.png", data)
    write(
        source,
        "_posts/a.md",
        post(
            "title: 中文文件名的图片",
            DATE,
            body='![](</images/配图 一.png>)\n\n<img src="/images/%E9%85%8D%E5%9B%BE%20%E4%B8%80.png">',
        ),
    )

    _, err = run(source / "_posts", source_root=source)

    assert err == ""
    image = Image.objects.get()
    assert image.sha256 == hashlib.sha256(data).hexdigest()
    body = Article.objects.get().body
    assert body.count("<picture>") == 2 and image.sha256 in body


def test_same_local_image_in_two_files_is_stored_once(site):
    source, _ = site
    for name in ("a.md", "b.md"):
        write(source, f"_posts/{name}", post(f"title: 文章{name}", DATE, body="![](/images/a.png)"))
    run(source / "_posts", source_root=source)
    image = Image.objects.get()
    assert len(original_files()) == 1
    for article in Article.objects.all():
        assert "<picture>" in article.body and image.sha256 in article.body


def test_corrupt_png_is_left_out_with_a_warning(site):
    source, _ = site
    write(source, "images/broken.png", b"\x89PNG\r\n\x1a\nnot really a picture")
    path = write(source, "_posts/a.md", post("title: 坏图片", DATE, body="![](/images/broken.png)"))

    _, err = run(source / "_posts", source_root=source)

    assert Image.objects.count() == 0 and media_files() == []
    assert reported(err, path, r"warning: image '/images/broken.png' refused by the image library")
    assert 'src="/images/broken.png"' in Article.objects.get().body


def test_corrupt_png_gives_one_warning_not_also_not_found(site):
    source, _ = site
    write(source, "images/broken.png", b"\x89PNG\r\n\x1a\nnot really a picture")
    write(source, "_posts/a.md", post("title: 坏图片", DATE, body="![](/images/broken.png)"))
    _, err = run(source / "_posts", source_root=source)
    assert len(warning_lines(err, "broken.png")) == 1, err


def test_image_paths_escaping_the_roots_are_never_read(site, tmp_path, monkeypatch):
    source, _ = site
    # a real picture outside the roots: reading it would import it
    outside = write(tmp_path, "secret/x.png", png_bytes(color=(1, 2, 3)))
    (source / "images" / "link.png").symlink_to(outside)
    write(
        source,
        "_posts/a.md",
        post(
            "title: 越界的图片路径",
            DATE,
            body="![](../../etc/passwd)\n\n![](../../secret/x.png)\n\n![](/../secret/x.png)\n\n"
            '<img src="/images/link.png">\n\n<img src="../../../../../../etc/passwd">',
        ),
    )
    opened = []
    real_path_open, real_open = pathlib.Path.open, builtins.open

    def path_open(self, *args, **kwargs):
        opened.append(self.resolve())
        return real_path_open(self, *args, **kwargs)

    def spy_open(file, *args, **kwargs):
        if isinstance(file, (str, os.PathLike)):
            opened.append(Path(file).resolve())
        return real_open(file, *args, **kwargs)

    monkeypatch.setattr(pathlib.Path, "open", path_open)
    monkeypatch.setattr(builtins, "open", spy_open)

    out, _ = run(source / "_posts", source_root=source)

    assert summary(1, created=1) in out
    assert any(p.name == "a.md" for p in opened)  # the spy does see reads
    assert not [p for p in opened if p.name in ("passwd", "x.png")], opened
    assert Image.objects.count() == 0 and media_files() == []


def test_site_absolute_image_without_source_root_gives_one_warning(site):
    source, _ = site
    path = write(
        source,
        "_posts/a.md",
        post("title: 没给 source-root", DATE, body="![](/images/a.png)\n\n![](/images/b.png)"),
    )
    _, err = run(source / "_posts")
    lines = warning_lines(err, "--source-root")
    assert len(lines) == 1 and lines[0].startswith(f"{path}: warning: 2 body image(s) not found")
    assert Image.objects.count() == 0


def test_asset_img_tag_resolves_the_post_asset_folder(tmp_path):
    source = tmp_path / "source"
    data = png_bytes(color=(10, 120, 200))
    write(source, "_posts/post/a.png", data)
    write(source, "_posts/post.md", post("title: 资源文件夹里的图片", DATE, body="{% asset_img a.png 示意图 %}"))

    _, err = run(source)

    assert err == ""
    image = Image.objects.get()
    assert image.sha256 == hashlib.sha256(data).hexdigest()
    body = Article.objects.get().body
    assert image.sha256 in body and 'alt="示意图"' in body


def test_local_cover_becomes_a_library_image(site):
    source, data = site
    write(source, "_posts/a.md", post("title: 本地封面", DATE, "cover: /images/a.png"))
    run(source / "_posts", source_root=source)
    article = Article.objects.get()
    assert article.hero_image.file and article.hero_image.sha256 == hashlib.sha256(data).hexdigest()
    assert article.thumbnail_id == article.hero_image_id
    assert Image.objects.count() == 1 and len(original_files()) == 1


# --- 10. atomicity with stored image files ------------------------------------------------------


@pytest.fixture
def refuse_inserts():
    """Make the database refuse any INSERT into a model's table, as a real refusal would.

    Django's execute_wrapper sees every statement on either database, so the failure lands at
    the same point however the importer writes (save(), get_or_create, bulk_create). It notes
    how many files were in MEDIA_ROOT at that moment.
    """
    from django.db import DatabaseError

    media_at_failure = []
    refused_tables = []

    def refuse(execute, sql, params, many, context):
        if any(sql.lstrip().upper().startswith(f'INSERT INTO "{t.upper()}"') for t in refused_tables):
            media_at_failure.append(len(original_files()))
            raise DatabaseError("simulated failure")
        return execute(sql, params, many, context)

    def arm(model):
        refused_tables.append(model._meta.db_table)
        return media_at_failure

    with connection.execute_wrapper(refuse):
        yield arm


@pytest.mark.parametrize("refused", [Article, TaggedArticle, LegacyURL], ids=lambda m: m.__name__)
def test_failure_after_an_image_was_stored_leaves_no_rows_and_no_file(site, refuse_inserts, refused):
    source, _ = site
    write(source, "images/b.png", png_bytes(color=(0, 200, 0)))
    path = write(
        source,
        "_posts/a.md",
        post("title: 半途失败的文章", DATE, "cover: /images/b.png", "tags: [物流]", body="![](/images/a.png)"),
    )
    media_at_failure = refuse_inserts(refused)

    _, out, err = run_failing(source / "_posts", source_root=source)

    assert media_at_failure[:1] == [2]  # both pictures were stored when the database refused
    assert summary(1, failed=1) in out
    assert f"{path}: failed: cannot save: simulated failure" in err
    counts = (Article, Image, Tag, TaggedArticle, LegacyURL, Author, Category)
    assert [m.objects.count() for m in counts] == [0] * len(counts)
    assert media_files() == []


def test_failure_keeps_an_image_stored_by_an_earlier_file(site, refuse_inserts):
    source, data = site
    write(source, "_posts/a.md", post("title: 先导入的文章", DATE, body="![](/images/a.png)"))
    run(source / "_posts", source_root=source)
    stored = media_files()
    write(source, "_posts/b.md", post("title: 半途失败的文章", DATE, "tags: [物流]", body="![](/images/a.png)"))
    refuse_inserts(TaggedArticle)

    _, out, _ = run_failing(source / "_posts", source_root=source)

    assert summary(2, unchanged=1, failed=1) in out
    assert media_files() == stored and stored[0].read_bytes() == data
    assert Image.objects.get().file.name
    assert list(Article.objects.values_list("source_path", flat=True)) == ["source/_posts/a.md"]


# --- 11. Hexo tag plugins and body formats ------------------------------------------------------


def test_codeblock_tag_becomes_pre_code(tmp_path):
    write(
        tmp_path,
        "a.md",
        post(
            "title: 代码示例",
            DATE,
            body='示例如下：\n\n{% codeblock 示例 lang:python %}\nprint("你好")\n{% endcodeblock %}\n\n完。',
        ),
    )
    _, err = run(tmp_path)
    body = Article.objects.get().body
    code = re.search(r'<pre><code class="language-python">(.*?)</code></pre>', body, re.S)
    assert code and re.sub(r"<[^>]+>", "", code.group(1)) == 'print("你好")\n', body
    assert '<span class="nb">print</span>' in code.group(1)  # highlighted on the server
    assert "codeblock" not in body
    assert err == ""


def test_markdown_content_arrives_as_the_old_site_showed_it(tmp_path):
    body = (
        "# 概述\n\n设 $a_1 * b_2$，见注[^1]。\n\n## 细节\n\n```Python\nx = 1\n```\n\n"
        "| 名 | 值 |\n|:--|--:|\n| a | 1 |\n\n- [x] 完成\n\n[^1]: 注释。"
    )
    write(tmp_path, "a.md", post("title: 内容", DATE, body=body))
    _, err = run(tmp_path)
    article = Article.objects.get()
    stored = article.body
    assert "<h2>概述</h2>" in stored and "<h3>细节</h3>" in stored
    assert '<span class="math inline">\\(a_1 * b_2\\)</span>' in stored and article.has_math
    assert '<pre><code class="language-python"><span class="n">x</span>' in stored
    assert '<td class="align-right">1</td>' in stored and "☑ 完成" in stored
    assert '<a href="#fn1" id="fnref1">[1]</a>' in stored and '<li id="fn1">' in stored
    assert err == ""


def test_what_the_policy_drops_is_named_in_the_warnings(tmp_path):
    body = (
        '前文\n\n<iframe src="https://player.youku.com/embed/XNDY="></iframe>\n\n'
        '<iframe src="https://evil.example/player"></iframe>\n\n'
        '<script src="https://cdn.example/widget.js"></script>\n\n'
        '<video src="https://videos.example/a.mp4"></video>\n\n<svg><text>图</text></svg>\n\n后文'
    )
    path = write(tmp_path, "a.md", post("title: 嵌入", DATE, body=body))
    _, err = run(tmp_path)
    stored = Article.objects.get().body
    assert 'src="https://player.youku.com/embed/XNDY="' in stored and "evil.example" not in stored
    assert warning_lines(err, "removed") == [
        f"{path}: warning: embed removed: <iframe> from evil.example",
        f"{path}: warning: embed removed: <script> from cdn.example",
        f"{path}: warning: embed removed: <video> from videos.example",
        f"{path}: warning: content removed: <svg>",
    ]


def test_unknown_tag_is_removed_with_one_warning(tmp_path):
    path = write(
        tmp_path,
        "a.md",
        post("title: 未知标签", DATE, body="前文 {% foo bar %} 后文。\n\n再来一次 {% foo baz %}。"),
    )
    _, err = run(tmp_path)
    body = Article.objects.get().body
    assert "{%" not in body and "前文" in body and "后文。" in body and "再来一次" in body
    lines = warning_lines(err, "{% foo %}")
    assert lines == [f"{path}: warning: unknown Hexo tag {{% foo %}}: removed"]


def test_body_format_html_stores_markdown_looking_text_unrendered(tmp_path):
    body = "## 小标题\n\n这是 **加粗** 的文字。"
    write(tmp_path, "a.md", post("title: 按 HTML 导入", DATE, body=body))
    write(tmp_path, "b.md", post("title: 按 Markdown 导入", DATE, body=body))
    run(tmp_path / "a.md", body_format="html")
    run(tmp_path / "b.md")
    as_html = Article.objects.get(source_path="a.md").body
    assert "## 小标题" in as_html and "**加粗**" in as_html
    assert "<h2>" not in as_html and "<strong>" not in as_html
    assert "<h2>小标题</h2>" in Article.objects.get(source_path="b.md").body  # the default renders it


def test_disable_nunjucks_keeps_raw_tags_literally(tmp_path):
    text = "模板示例：{% raw %}{{ site.title }}{% endraw %}"
    write(tmp_path, "a.md", post("title: 关闭标签插件", DATE, "disableNunjucks: true", body=text))
    write(tmp_path, "b.md", post("title: 默认处理标签插件", DATE, body=text))
    run(tmp_path)
    assert text in Article.objects.get(source_path="a.md").body
    converted = Article.objects.get(source_path="b.md").body
    assert "{{ site.title }}" in converted and "{% raw %}" not in converted


# --- 12. front-matter variants end to end -------------------------------------------------------

_BODY = "<p>正文一段。</p>"


@pytest.mark.parametrize(
    "content, title, warning",
    [
        (f"title: 没有开头的横线\ndate: 2024-05-08 10:30:00\n---\n{_BODY}\n", "没有开头的横线", None),
        (f';;;\n"title": "JSON 格式",\n"date": "2024-05-08 10:30:00"\n;;;\n{_BODY}\n', "JSON 格式", None),
        (f'+++\ntitle = "TOML 格式"\ndate = 2024-05-08T10:30:00+08:00\n+++\n{_BODY}\n', "TOML 格式", None),
        (seed_shaped("Windows 换行").replace("\n", "\r\n"), "Windows 换行", None),
        ("\ufeff" + seed_shaped("带 BOM 的文件"), "带 BOM 的文件", None),
        (seed_shaped("国标编码的文件").encode("gb18030"), "国标编码的文件", "GB18030"),
        (post("title: 第一个标题", "title: 第二个标题", DATE), "第二个标题", "duplicate key 'title'"),
    ],
    ids=["no-prefix", "json", "toml", "crlf", "bom", "gb18030", "duplicate-key"],
)
def test_front_matter_variants_import(tmp_path, content, title, warning):
    path = write(tmp_path, "a.md", content)

    out, err = run(tmp_path)

    assert summary(1, created=1) in out
    article = Article.objects.get()
    assert article.title == title
    assert "\r" not in article.body and "\ufeff" not in article.title
    assert article.published_at is not None
    if warning is None:
        assert err == ""
    else:
        assert reported(err, path, rf"warning: .*{re.escape(warning)}"), err


def test_python_object_tag_fails_naming_the_tag_and_runs_nothing(tmp_path):
    marker = tmp_path / "pwned"
    path = write(
        tmp_path,
        "a.md",
        post(f'title: !!python/object/apply:os.system ["touch {marker}"]', DATE),
    )
    _, out, err = run_failing(tmp_path)
    assert summary(1, failed=1) in out
    assert reported(err, path, r"failed: .*'!!python/object/apply:os\.system'")
    assert not marker.exists()
    assert Article.objects.count() == 0


def test_binary_file_fails(tmp_path):
    path = write(tmp_path, "a.md", b"---\ntitle: x\n---\n\x00\x01\x02\xff")
    _, out, err = run_failing(tmp_path)
    assert summary(1, failed=1) in out
    assert f"{path}: failed: binary file" in err


def test_oversized_file_fails_under_the_default_limit(tmp_path):
    path = write(tmp_path, "a.md", post("title: 超大的文件", DATE, body="字" * (DEFAULT_MAX_BYTES // 3 + 10)))
    assert path.stat().st_size > DEFAULT_MAX_BYTES
    _, out, err = run_failing(tmp_path)
    assert summary(1, failed=1) in out
    assert reported(err, path, rf"failed: file is too large: .*limit of {DEFAULT_MAX_BYTES:,} bytes")


def test_worker_processes_import_the_same_articles_as_one_process(tmp_path):
    from django.conf import settings as django_settings

    samples = Path(django_settings.BASE_DIR) / "articles" / "sample_archive"
    call_command("import_frontmatter", str(samples), jobs=2, stdout=io.StringIO(), stderr=io.StringIO())
    parallel = sorted(Article.objects.values_list("source_path", "title", "body", "summary", "status"))
    Article.objects.all().delete()
    call_command("import_frontmatter", str(samples), jobs=0, stdout=io.StringIO(), stderr=io.StringIO())
    serial = sorted(Article.objects.values_list("source_path", "title", "body", "summary", "status"))
    assert len(parallel) == 12
    assert parallel == serial


def test_a_failed_file_teaches_the_run_nothing(tmp_path, monkeypatch):
    """Authors, categories, tags and images a failed file created are gone; later files recreate them."""
    from articles.importing.importer import Importer

    real = Importer._record_legacy_urls

    def fail_for_the_first(self, article, values):
        if values.source_path == "a-bad.md":
            raise RuntimeError("simulated failure")
        return real(self, article, values)

    monkeypatch.setattr(Importer, "_record_legacy_urls", fail_for_the_first)
    shared = dict(categories=("新主题", "子类"), tags=("新标签",))
    write(tmp_path, "a-bad.md", seed_shaped("失败的文章", **shared))
    write(tmp_path, "b-good.md", seed_shaped("成功的文章", **shared))
    with pytest.raises(CommandError):
        run(tmp_path)
    good = Article.objects.get(source_path="b-good.md")
    assert [c.path for c in good.categories.all()] == ["xin-zhu-ti/zi-lei"]
    assert list(good.tags.names()) == ["新标签"]
    assert good.hero_image.source_url and good.author.pk
    assert not Article.objects.filter(source_path="a-bad.md").exists()


def test_an_update_from_a_changed_file_keeps_a_revision_and_unchanged_files_add_none(tmp_path):
    from reversion.models import Version

    path = write(tmp_path, "a.md", seed_shaped("第一版标题"))
    run(tmp_path)
    article = Article.objects.get()
    run(tmp_path)
    assert Version.objects.get_for_object(article).count() == 0
    path.write_text(seed_shaped("第二版标题"), encoding="utf-8")
    run(tmp_path)
    [version] = Version.objects.get_for_object(article)
    assert (version.revision.comment, version.field_dict["title"]) == ("导入 a.md", "第二版标题")


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
    assert set(Article.objects.values_list("source_path", flat=True)) == {p.name for p in SAMPLE_ARCHIVE.glob("*.md")}
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
    path.write_text(path.read_text(encoding="utf-8").replace("企服观察：", "企服观察（更新）：", 1), encoding="utf-8")
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
