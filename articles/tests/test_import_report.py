"""What an import tells: warnings by kind, colours only on a terminal, the bar cleared before a
line, and `--report` rows with the title, the archive and a last summary row."""

import io
import json
import pickle
import re
import sys

import pytest
from django.core.management import CommandError, call_command

from articles.importing import report
from articles.importing.report import FIELD_LENGTH, FileWarning, count_kinds, kind_of, warning
from articles.models import Article
from articles.tests.factories import seed_shaped
from articles.tests.factories import write_file as write

YELLOW, RED, RESET = "\x1b[33;1m", "\x1b[31;1m", "\x1b[0m"


class FakeTerminal(io.StringIO):
    def isatty(self):
        return True


def run(*paths, stdout=None, stderr=None, **options):
    """Run the command (a CommandError is kept, not raised); return (stdout, stderr) text."""
    out, err = stdout or io.StringIO(), stderr or io.StringIO()
    try:
        call_command("import_frontmatter", *map(str, paths), stdout=out, stderr=err, **options)
    except CommandError:
        pass
    return out.getvalue(), err.getvalue()


def archive_with_warnings(folder):
    """Three files: one with two image warnings, one with a title and a generator-syntax warning,
    one that fails; and one that is skipped."""
    write(folder, "placeholder.md", seed_shaped("占位图的文章", image="https://picsum.photos/800/600"))
    write(folder, "untitled.md", "---\ndate: 2024-05-08 10:30:00\n---\n\n{% unknowntag %}\n")
    write(folder, "broken.md", seed_shaped("日期写错的文章", date="下周一上午"))
    write(folder, "notes.md", "# 编辑部笔记\n")
    return folder


# --- kinds -------------------------------------------------------------------------------------------


def test_a_warning_is_its_text_and_keeps_its_kind_across_processes():
    message = warning(report.IMAGE, "hero image: 'a.png' not found on disk; left out")
    assert message == "hero image: 'a.png' not found on disk; left out"
    copied = pickle.loads(pickle.dumps(message))
    assert isinstance(copied, FileWarning) and copied.kind == report.IMAGE
    assert json.dumps([message]) == "[\"hero image: 'a.png' not found on disk; left out\"]"


@pytest.mark.parametrize(
    ("message", "kind"),
    [
        ("front matter: duplicate key 'title' (line 3); the last value wins", report.FRONT_MATTER),
        ("front matter: '2024-02-30' (line 4) is not a valid date; kept as text", report.DATE),
        ("date: missing, using the date in the file name", report.DATE),
        ("updated: not a date: 'soon'; ignored", report.DATE),
        ("not valid UTF-8; read as GB18030", report.ENCODING),
        ("title: missing, using the file name 'a'", report.TITLE),
        ("cover: placeholder image 'https://picsum.photos/1/1' ignored", report.IMAGE),
        ("2 body image(s) not found, left as they were: 'a.png', 'b.png'", report.IMAGE),
        ("unknown Hexo tag plugin {% foo %} left as text", report.GENERATOR_SYNTAX),
        ("unknown shortcode {{< plotly >}} removed", report.GENERATOR_SYNTAX),
        ("<iframe> from evil.example removed", report.EMBED_REMOVED),
        ("unknown key 'series' kept in the front matter", report.UNKNOWN_KEY),
        ("legacy URL /a/ already leads to article 3; not changed", report.REDIRECT),
        ("something nobody foresaw", report.OTHER),
    ],
)
def test_a_warning_without_a_kind_is_given_one_by_its_wording(message, kind):
    assert kind_of(message) == kind


def test_a_warnings_own_kind_wins_over_its_wording():
    assert kind_of(warning(report.IDENTITY, "title: looks like a title warning")) == report.IDENTITY


def test_warnings_are_counted_by_kind():
    counts = count_kinds(
        ["title: missing, using the file name 'a'", warning(report.IMAGE, "x"), "cover: placeholder image 'y' ignored"]
    )
    assert report.in_kind_order(counts) == [(report.TITLE, 1), (report.IMAGE, 2)]


# --- the summary ----------------------------------------------------------------------------------------


@pytest.mark.django_db
def test_the_summary_counts_warnings_by_kind(tmp_path):
    out, _ = run(archive_with_warnings(tmp_path / "archive"))
    block = out[out.index("Warnings by kind") :]
    assert re.search(r"^  title +1$", block, re.M)
    assert re.search(r"^  image +2$", block, re.M)
    assert re.search(r"^  generator syntax +1$", block, re.M)
    kinds = re.findall(r"^  ([a-z ]+?) +\d+$", block, re.M)
    assert kinds == ["title", "image", "generator syntax"]  # in the order of report.KINDS
    assert out.rstrip().endswith("; 4 warnings")


@pytest.mark.django_db
def test_a_run_without_warnings_shows_no_kinds(tmp_path):
    write(tmp_path, "a.md", seed_shaped("干净的文章"))
    out, _ = run(tmp_path)
    assert "Warnings by kind" not in out
    assert out.rstrip().endswith("0 skipped, 0 failed")


# --- colours ------------------------------------------------------------------------------------------------


@pytest.mark.django_db
def test_no_escape_codes_when_stderr_is_no_terminal_even_if_stdout_is(tmp_path, monkeypatch):
    monkeypatch.setattr(sys, "stdout", FakeTerminal())  # Django's own colour test looks at stdout
    out, err = run(archive_with_warnings(tmp_path / "archive"))
    assert "warning:" in err and "failed:" in err and "skipped:" in err
    assert "\x1b[" not in err and "\x1b[" not in out


@pytest.mark.django_db
def test_warnings_are_yellow_and_errors_red_on_a_terminal(tmp_path, monkeypatch):
    monkeypatch.delenv("NO_COLOR", raising=False)
    folder = archive_with_warnings(tmp_path / "archive")
    _, err = run(folder, stderr=FakeTerminal())
    assert f"{YELLOW}{folder / 'untitled.md'}: warning: title: missing" in err
    assert f"{YELLOW}{folder / 'notes.md'}: skipped: no front matter" in err
    assert f"{RED}{folder / 'broken.md'}: failed: date:" in err
    progress = [part for part in re.split(r"[\r\n]", err) if "file/s" in part or "?file" in part]
    assert progress and not any("\x1b[" in part for part in progress)  # the bar itself is not painted


@pytest.mark.django_db
@pytest.mark.parametrize("how", ["NO_COLOR", "--no-color"])
def test_no_colours_when_asked_for_none(tmp_path, monkeypatch, how):
    options = {}
    if how == "NO_COLOR":
        monkeypatch.setenv("NO_COLOR", "1")
    else:
        options["no_color"] = True
    _, err = run(archive_with_warnings(tmp_path / "archive"), stderr=FakeTerminal(), **options)
    assert "warning:" in err and "\x1b[" not in err


@pytest.mark.django_db
def test_the_progress_bar_is_cleared_before_a_line_is_printed(tmp_path, monkeypatch):
    monkeypatch.setenv("NO_COLOR", "1")
    folder = archive_with_warnings(tmp_path / "archive")
    _, err = run(folder, stderr=FakeTerminal())
    told = [line for line in err.split("\n") if f"{folder}" in line]
    assert len(told) == 6  # four warnings, a failure and a skip
    for line in told:
        # What shows is what follows the last carriage return: the line alone, not the bar's tail.
        assert line.rsplit("\r", 1)[-1].startswith(str(folder)), repr(line)
    assert "4/4" in err  # the bar went on to the end


# --- the report ----------------------------------------------------------------------------------------------


@pytest.mark.django_db
def test_report_rows_carry_title_archive_and_kinds_and_end_with_a_summary(tmp_path):
    folder = archive_with_warnings(tmp_path / "archive")
    report_path = tmp_path / "report.jsonl"

    run(folder, report=report_path)

    *files, summary = map(json.loads, report_path.read_text("utf-8").splitlines())
    by_name = {row["path"].rsplit("/", 1)[-1]: row for row in files}
    assert all(row["row"] == "file" and row["archive"] == "archive" for row in files)
    placeholder = by_name["placeholder.md"]
    assert (placeholder["title"], placeholder["source_path"]) == ("占位图的文章", "placeholder.md")
    assert {w["kind"] for w in placeholder["warnings"]} == {"image"}
    untitled = by_name["untitled.md"]
    assert untitled["title"] == "untitled"  # the file name, as the article is titled
    assert [w["kind"] for w in untitled["warnings"]] == ["title", "generator syntax"]
    assert by_name["broken.md"]["title"] is None and by_name["broken.md"]["outcome"] == "failed"
    assert summary == {
        "row": "summary",
        "archives": [{"name": "archive", "root": str(folder)}],
        "files": 4,
        "outcomes": {"created": 2, "updated": 0, "unchanged": 0, "conflict": 0, "skipped": 1, "failed": 1},
        "warnings": {"title": 1, "image": 2, "generator syntax": 1},
        "seconds": summary["seconds"],
        "dry_run": False,
    }


@pytest.mark.django_db
def test_report_row_of_an_unchanged_file_carries_the_stored_title(tmp_path):
    write(tmp_path / "archive", "a.md", seed_shaped("青禾物流夜间配送试点"))
    run(tmp_path / "archive")
    report_path = tmp_path / "report.jsonl"

    run(tmp_path / "archive", report=report_path)

    row, _ = map(json.loads, report_path.read_text("utf-8").splitlines())
    article = Article.objects.get()
    assert (row["outcome"], row["title"], row["article_id"]) == ("unchanged", "青禾物流夜间配送试点", article.pk)


@pytest.mark.parametrize(
    "message, kind",
    [
        ("content removed: <style>", "content removed"),
        ("kramdown table of contents {:toc} removed", "generator syntax"),
        ("embed removed: <iframe> from evil.example", "embed removed"),
    ],
)
def test_what_the_corpus_warns_of_has_a_kind(message, kind):
    from articles.importing.report import kind_of

    assert kind_of(message) == kind


@pytest.mark.parametrize(
    "message",
    [
        "author: '很长的名字…' is longer than 100 characters (5,000), shortened",
        "categories: a path of 500 levels is deeper than the category tree takes; kept its first 10 levels",
        "tags: 3 longer than 100 characters left out: 'a…'",
        "tags: 2,000 tags, more than 1,000; kept the first 1,000",
    ],
)
def test_a_value_fitted_to_its_field_is_counted_as_such(message):
    assert kind_of(message) == FIELD_LENGTH
