"""The README stays short, its links lead somewhere, and the commands it shows run as typed."""

import io
import re
import shlex
from pathlib import Path

import pytest
from django.conf import settings
from django.core.management import call_command

ROOT = Path(settings.BASE_DIR)
README = (ROOT / "README.md").read_text(encoding="utf-8")


def shown_commands():
    """The manage.py commands in the README's shell blocks, as argument lists."""
    commands = []
    for block in re.findall(r"```sh\n(.*?)```", README, flags=re.S):
        for line in block.splitlines():
            line = line.split("#", 1)[0].strip()
            if line.startswith(".venv/bin/python manage.py "):
                commands.append(shlex.split(line)[2:])
    return commands


def test_the_readme_is_short_and_points_into_docs():
    assert len(README.splitlines()) < 200
    links = re.findall(r"\]\(((?:docs|bench)/[^)#]+)\)", README)
    assert "docs/architecture.md" in links
    assert [link for link in links if not (ROOT / link).exists()] == []


def test_every_docs_page_is_linked_from_the_readme():
    pages = {f"docs/{path.name}" for path in (ROOT / "docs").glob("*.md")}
    assert pages and pages <= set(re.findall(r"\]\((docs/[^)#]+)\)", README))


@pytest.mark.django_db(transaction=True)
def test_the_commands_it_shows_run_as_typed(tmp_path, monkeypatch, settings):
    monkeypatch.chdir(ROOT)
    settings.MEDIA_ROOT = str(tmp_path / "media")
    call_command("import_frontmatter", "articles/sample_archive", stdout=io.StringIO(), stderr=io.StringIO())
    commands = [command for command in shown_commands() if command[0] != "createsuperuser"]  # interactive
    assert {command[0] for command in commands} >= {"import_frontmatter", "clear_page_cache", "rebuild_search_index"}
    for command in commands:
        command = [str(tmp_path / "report.jsonl") if part == "report.jsonl" else part for part in command]
        command = [str(tmp_path / "export") if part == "build/export" else part for part in command]
        call_command(*command, stdout=io.StringIO(), stderr=io.StringIO())
    assert (tmp_path / "report.jsonl").stat().st_size > 0
    assert any((tmp_path / "export").rglob("*.html"))
