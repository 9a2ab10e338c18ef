"""Hostile files fail alone (issue 17): each is generated here, put between two good files, and
the run reports it by name and imports both neighbours whole.

Figures (time, peak memory) for the same cases are in bench/hostile_bench.py.
"""
import io
import os
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
        write(folder, neighbour, post(f"title: {title}", "date: 2024-05-01 10:00:00", "tags: [物流]",
                                      "categories: [科技]", body=NEIGHBOUR_BODY))
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
