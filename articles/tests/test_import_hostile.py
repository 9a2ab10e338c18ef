"""Hostile files fail alone (issue 17): each is generated here, put between two good files, and
the run reports it by name and imports both neighbours whole.

Figures (time, peak memory) for the same cases are in bench/hostile_bench.py.
"""

import io
import json
import signal
import time

import pytest
from django.core.management import CommandError, call_command

from articles.importing import frontmatter, importer, isolation
from articles.models import Article
from articles.tests.factories import write_file as write

pytestmark = pytest.mark.django_db

NEIGHBOURS = {"a-before.md": "前一篇", "z-after.md": "后一篇"}
NEIGHBOUR_BODY = "邻居的正文，完整导入。"


def post(*front_matter, body="正文。"):
    return "\n".join(["---", *front_matter, "---", "", body]) + "\n"


def between_neighbours(folder, name, content):
    """Write `content` as `name` between two good posts (before and after it in file order)."""
    for neighbour, title in NEIGHBOURS.items():
        write(
            folder,
            neighbour,
            post(
                f"title: {title}",
                "date: 2024-05-01 10:00:00",
                "tags: [物流]",
                "categories: [科技]",
                body=NEIGHBOUR_BODY,
            ),
        )
    return write(folder, name, content)


def run_import(folder, *args):
    """Run the command; return (exit status, stderr)."""
    out, err = io.StringIO(), io.StringIO()
    try:
        call_command("import_frontmatter", str(folder), *args, stdout=out, stderr=err)
    except CommandError as error:
        return error.returncode, err.getvalue()
    return 0, err.getvalue()


def assert_failed_alone(status, err, path, reason):
    assert status in (0, 1)
    assert f"{path}: failed: " in err
    line = next(line for line in err.splitlines() if line.startswith(f"{path}: failed: "))
    assert reason in line
    for title in NEIGHBOURS.values():
        article = Article.objects.get(title=title)
        assert NEIGHBOUR_BODY in article.body
        assert list(article.tags.names()) == ["物流"]
        assert [c.name for c in article.categories.all()] == ["科技"]


JOBS = pytest.mark.parametrize("jobs", ["0", "2"])


# --- deep nesting, crashed and stuck workers ------------------------------------------------------


@JOBS
def test_deeply_nested_flow_value_fails_alone(tmp_path, jobs):
    depth = 30_000  # libyaml crashes the process on this before any depth check of its own
    path = between_neighbours(tmp_path, "m-deep.md", post("title: 深", "x: " + "[" * depth + "]" * depth))
    status, err = run_import(tmp_path, "--jobs", jobs)
    assert_failed_alone(status, err, path, "nested more than 100 levels deep (line 3)")


def test_a_worker_crashed_inside_libyaml_fails_its_file_and_the_run_goes_on(tmp_path, monkeypatch):
    # Without the bracket scan, the file crashes its worker process for real (the scan is the
    # first defence, a crashed worker the last).
    monkeypatch.setattr(frontmatter, "_refuse_deep_nesting", lambda text, line: None)
    depth = 30_000
    path = between_neighbours(tmp_path, "m-deep.md", post("title: 深", "x: " + "[" * depth + "]" * depth))
    status, err = run_import(tmp_path, "--jobs", "2")
    assert_failed_alone(status, err, path, "the worker process reading it crashed (SIGSEGV)")


def slow_when_titled(monkeypatch, title, *, block_alarm=False):
    """map_record takes a minute for the file titled `title` (and, with `block_alarm`, cannot be
    interrupted by the time budget's alarm, as C code holding on would)."""
    real_map_record = importer.map_record

    def map_record(record, **options):
        if record.metadata.get("title") == title:
            if block_alarm:
                signal.pthread_sigmask(signal.SIG_BLOCK, {signal.SIGALRM})
            time.sleep(60)
        return real_map_record(record, **options)

    monkeypatch.setattr(importer, "map_record", map_record)


@JOBS
def test_a_file_past_its_time_budget_fails_and_the_run_goes_on(tmp_path, monkeypatch, jobs):
    slow_when_titled(monkeypatch, "卡住")
    path = between_neighbours(tmp_path, "m-slow.md", post("title: 卡住"))
    status, err = run_import(tmp_path, "--jobs", jobs, "--time-limit", "0.5")
    assert_failed_alone(status, err, path, "took longer than 0.5 s")


def test_a_worker_stuck_where_the_alarm_cannot_reach_is_stopped(tmp_path, monkeypatch):
    slow_when_titled(monkeypatch, "卡住", block_alarm=True)
    monkeypatch.setattr(isolation, "WORKER_KILL_GRACE_SECONDS", 0.5)
    path = between_neighbours(tmp_path, "m-slow.md", post("title: 卡住"))
    status, err = run_import(tmp_path, "--jobs", "2", "--time-limit", "0.5")
    assert_failed_alone(status, err, path, "took longer than 0.5 s; the worker process reading it was stopped")


# --- front matter that expands -------------------------------------------------------------------


def test_aliases_of_a_long_string_fail_by_their_expanded_bytes(tmp_path):
    big = "长" * 40_000  # 120 KB of UTF-8, 40,000 characters: a handful of values
    refs = ", ".join(["*b"] * 100)
    path = between_neighbours(tmp_path, "m-alias.md", post("title: 别名", f'big: &b "{big}"', f"refs: [{refs}]"))
    status, err = run_import(tmp_path, "--jobs", "0")
    assert_failed_alone(status, err, path, "larger than 2,097,152 bytes, counting what its YAML aliases expand to")


def test_toml_key_of_thousands_of_dotted_parts_fails_alone(tmp_path):
    key = ".".join(f"k{i}" for i in range(5_000))
    path = between_neighbours(tmp_path, "m-toml.md", f'+++\ntitle = "点"\n{key} = 1\n+++\n正文。\n')
    status, err = run_import(tmp_path, "--jobs", "0")
    assert_failed_alone(status, err, path, "TOML key of more than 100 dotted parts (line 3)")


def test_toml_of_too_many_tables_fails_alone(tmp_path):
    tables = "".join(f"[t{i}]\nx = 1\n" for i in range(10_001))
    path = between_neighbours(tmp_path, "m-tables.md", f'+++\ntitle = "表"\n{tables}+++\n正文。\n')
    status, err = run_import(tmp_path, "--jobs", "0")
    assert_failed_alone(status, err, path, "more than 10,000 TOML tables")


# --- many and long tags, lengths ------------------------------------------------------------------


@JOBS
def test_a_file_of_thousands_of_tags_is_imported_with_the_first_thousand(tmp_path, jobs):
    tags = "".join(f"  - 标签{i}\n" for i in range(3_000)).rstrip("\n")
    path = between_neighbours(tmp_path, "m-tags.md", post("title: 标签多", "tags:", tags))
    status, err = run_import(tmp_path, "--jobs", jobs)
    assert status == 0
    assert f"{path}: warning: tags: 3,000 tags, more than 1,000; kept the first 1,000" in err
    article = Article.objects.get(title="标签多")
    assert article.tags.count() == 1_000
    for title in NEIGHBOURS.values():
        assert list(Article.objects.get(title=title).tags.names()) == ["物流"]


def test_a_database_refusal_of_one_files_values_fails_that_file_only(tmp_path):
    # An OperationalError from a database that still answers (SQLite's "expression tree is too
    # large", "LIKE pattern too complex" …) is about the file, not a lost connection.
    from django.db import OperationalError, connection

    def refuse(execute, sql, params, many, context):
        if "INSERT" in sql.upper() and params and any(p == "拒绝" for p in params):
            raise OperationalError("Expression tree is too large (maximum depth 1000)")
        return execute(sql, params, many, context)

    path = between_neighbours(tmp_path, "m-refused.md", post("title: 拒绝"))
    with connection.execute_wrapper(refuse):
        status, err = run_import(tmp_path, "--jobs", "0")
    assert_failed_alone(status, err, path, "cannot save: Expression tree is too large")


def test_overlong_optional_values_are_cut_or_dropped_and_named(tmp_path):
    path = between_neighbours(
        tmp_path,
        "m-long.md",
        post(
            "title: 长值",
            "author: " + "作" * 300,
            "tags: [好标签, " + "t" * 5_000 + "]",
            "categories: [" + ", ".join(f"c{i}" for i in range(500)) + "]",
            "aliases: [/" + "a" * 600 + "]",
            "abbrlink: " + "9" * 300,
        ),
    )
    status, err = run_import(tmp_path, "--jobs", "0")
    assert status == 0
    warnings = [line for line in err.splitlines() if line.startswith(f"{path}: warning: ")]
    assert any("author: '作作" in line and "longer than 100 characters (300), shortened" in line for line in warnings)
    assert any("tags: 1 longer than 100 characters left out: 'ttt" in line for line in warnings)
    assert any(
        "categories: a path of 500 levels is deeper than the category tree takes; kept its first 10" in line
        for line in warnings
    )
    assert any(
        "legacy URL '/aaa" in line and "longer than 500 characters (601); no redirect recorded" in line
        for line in warnings
    )
    assert any("id: '999" in line and "longer than 200 characters (300); left out" in line for line in warnings)
    article = Article.objects.get(title="长值")
    assert len(article.author.name) == 100
    assert list(article.tags.names()) == ["好标签"]
    leaf = article.categories.get()
    assert leaf.depth == 9 and len(leaf.path) <= 500
    assert article.source_id == ""
    for title in NEIGHBOURS.values():
        assert NEIGHBOUR_BODY in Article.objects.get(title=title).body


def test_thirty_levels_of_long_category_names_fit_the_stored_path(tmp_path):
    names = ", ".join("类" * 120 + str(i) for i in range(30))
    between_neighbours(tmp_path, "m-cats.md", post("title: 分类长", f"categories: [{names}]"))
    status, err = run_import(tmp_path, "--jobs", "0")
    assert status == 0
    leaf = Article.objects.get(title="分类长").categories.get()
    assert len(leaf.name) == 100 and len(leaf.path) <= 500


# --- bodies that were scanned once per unclosed tag -----------------------------------------------


@pytest.mark.parametrize("unit", ["<pre>\n", "<div>\n", "<b>x"])
def test_thousands_of_unclosed_html_elements_fail_at_once_naming_the_element(tmp_path, unit):
    path = between_neighbours(tmp_path, "m-unclosed.md", post("title: 未闭合", body=unit * 20_000))
    # A time limit far below what the sanitizer needs for this body: the scan must refuse it first.
    status, err = run_import(tmp_path, "--jobs", "0", "--time-limit", "20")
    name = unit.strip("<>\nx")
    assert_failed_alone(status, err, path, f"leaves more than 1,000 elements open at once (<{name}> ×1,001)")


@pytest.mark.parametrize(
    "body",
    [
        "<!-- x " * 20_000,  # an HTML comment never closed, for the heading shift
        "{% x " * 40_000,  # Liquid tags never closed, for the language guess
    ],
)
def test_bodies_of_unclosed_syntax_import_within_the_time_budget(tmp_path, body):
    # Each of these took minutes when every unclosed opening was scanned to the end of the body.
    between_neighbours(tmp_path, "m-body.md", post("title: 语法", body=body))
    status, err = run_import(tmp_path, "--jobs", "0", "--time-limit", "10")
    assert status == 0, err
    assert Article.objects.filter(title="语法").exists()


def test_the_one_pass_code_remover_matches_the_regular_expression_it_replaces():
    import random
    import re

    from articles.importing.body import _without_code

    replaced = re.compile(r"<(pre|code|script|style|textarea)\b.*?</\1\s*>", re.I | re.S)
    bits = [
        "<pre>",
        "</pre>",
        "<PRE >",
        "</pre >",
        "<code>",
        "</code>",
        "</Code>",
        "<script>",
        "</script>",
        "<style>",
        "</style>",
        "<pres>",
        "x",
        "\n",
    ]
    rng = random.Random(17)
    for _ in range(5_000):
        text = "".join(rng.choice(bits) for _ in range(rng.randint(0, 14)))
        assert _without_code(text) == replaced.sub("", text), text


# --- links and names ------------------------------------------------------------------------------


def test_links_that_loop_dangle_or_leave_the_folder_each_get_a_row_with_the_reason(tmp_path):
    folder = tmp_path / "archive"
    between_neighbours(folder, "m-plain.md", post("title: 普通"))
    (folder / "m-loop-a.md").symlink_to("m-loop-b.md")
    (folder / "m-loop-b.md").symlink_to("m-loop-a.md")
    (folder / "m-dangling.md").symlink_to("gone.md")
    outside = write(tmp_path, "outside.md", post("title: 外面"))
    (folder / "m-outside.md").symlink_to(outside)
    report = tmp_path / "report.jsonl"
    status, err = run_import(folder, "--jobs", "0", "--report", str(report))
    assert status == 1
    for name in ("m-loop-a.md", "m-loop-b.md"):
        assert f"{folder / name}: failed: a symbolic link that leads back to itself (a loop); not followed" in err
    assert f"{folder / 'm-dangling.md'}: failed: a symbolic link to 'gone.md', which cannot be read" in err
    assert f"{folder / 'm-outside.md'}: skipped: a symbolic link to {outside}, outside the imported folder" in err
    rows = {json.loads(line)["path"]: json.loads(line) for line in report.read_text().splitlines()[:-1]}
    assert {rows[str(folder / name)]["outcome"] for name in ("m-loop-a.md", "m-dangling.md")} == {"failed"}
    assert rows[str(folder / "m-outside.md")]["outcome"] == "skipped"
    assert not Article.objects.filter(title="外面").exists()
    assert_failed_alone(status, err, folder / "m-dangling.md", "cannot be read")


def test_file_names_with_a_newline_or_an_escape_code_are_printed_escaped(tmp_path):
    path = between_neighbours(tmp_path, "m-\x1b[31mred\nline.md", "no front matter here\n")
    status, err = run_import(tmp_path, "--jobs", "0")
    assert status == 0
    assert "\x1b" not in err
    assert f"{tmp_path}/m-\\x1b[31mred\\nline.md: skipped: no front matter" in err
    assert path.exists()
    for title in NEIGHBOURS.values():
        assert NEIGHBOUR_BODY in Article.objects.get(title=title).body
