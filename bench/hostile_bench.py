"""Hostile-file benchmark (issue 17): each hostile case of the issue, at the size it names, imported
between two good files by `import_frontmatter` in a fresh process on a fresh SQLite database.

Usage:
    .venv/bin/python bench/hostile_bench.py [--only deep-flow,pre] [--jobs 0] [--time-limit 30]

Prints, per case: the file's size, the run's wall time and its peak memory (the largest RSS of the
command's process and its worker processes), the exit status, the hostile file's outcome and
reason, and whether both good neighbours were imported.
"""

import argparse
import json
import os
import shutil
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent


def _post(*front_matter, body="正文。"):
    return "\n".join(["---", *front_matter, "---", "", body]) + "\n"


def _dotted_toml(parts):
    return '+++\ntitle = "点"\n' + ".".join(f"k{i}" for i in range(parts)) + " = 1\n+++\n正文。\n"


CASES = {
    "deep-flow": lambda: _post("title: 深", "x: " + "[" * 30_000 + "]" * 30_000),
    "alias-bytes": lambda: _post(
        "title: 别名", 'big: &b "' + "a" * 100_000 + '"', "refs: [" + ", ".join(["*b"] * 3_000) + "]"
    ),
    "toml-dotted": lambda: _dotted_toml(50_000),
    "blockquote-args": lambda: _post(
        "title: 引", body="{% blockquote " + "a " * 200_000 + "%}\n引文\n{% endblockquote %}"
    ),
    "pre": lambda: _post("title: pre", body="<pre>\n" * 100_000),
    "note": lambda: _post("title: note", body="{% note %}\n" * 50_000),
    "raw": lambda: _post("title: raw", body="{% raw %}\n" * 50_000),
    "bold": lambda: _post("title: b", body="<b>x" * 100_000),
    "html-comment": lambda: _post("title: 注释", body="<!-- x " * 50_000),
    "liquid-open": lambda: _post("title: 开", body="{% x " * 50_000),
    "code-fences": lambda: _post("title: 围栏", body="```\n" * 20_000),
    "tags-1000": lambda: _post("title: 标签", "tags:", "\n".join(f"  - 标签{i}" for i in range(1_000))),
    "tags-30000": lambda: _post("title: 标签", "tags:", "\n".join(f"  - 标签{i}" for i in range(30_000))),
    "tag-50kb": lambda: _post("title: 长标签", "tags: [" + "t" * 50_000 + "]"),
    "lengths": lambda: _post(
        "title: 长",
        "categories: [" + ", ".join(f"c{i}" for i in range(500)) + "]",
        "tags: [" + "t" * 5_000 + "]",
        "aliases: [/" + "a" * 600 + "]",
    ),
}

GOOD = {"a-before.md": "前一篇", "z-after.md": "后一篇"}


def _environment(database):
    return {
        **os.environ,
        "DATABASE_URL": f"sqlite:///{database}",
        "DJANGO_SECRET_KEY": "bench-only-secret-key-0123456789-abcdefghijklmnopqrstuvwxyz",
        "DJANGO_ALLOWED_HOSTS": "127.0.0.1,localhost,testserver",
        "DJANGO_DEBUG": "0",
    }


def run_case(name, make, template_db, workdir, jobs, time_limit):
    folder = workdir / name / "_posts"
    folder.mkdir(parents=True)
    for file_name, title in GOOD.items():
        (folder / file_name).write_text(
            _post(f"title: {title}", "date: 2024-05-01 10:00:00", body="好邻居。"), encoding="utf-8"
        )
    hostile = folder / f"m-{name}.md"
    hostile.write_text(make(), encoding="utf-8")
    database = workdir / name / "db.sqlite3"
    shutil.copy(template_db, database)
    report = workdir / name / "report.jsonl"
    command = [
        sys.executable,
        "manage.py",
        "import_frontmatter",
        str(folder),
        "--jobs",
        str(jobs),
        "--time-limit",
        str(time_limit),
        "--report",
        str(report),
        "-v0",
    ]
    started = time.monotonic()
    process = subprocess.Popen(
        command, env=_environment(database), cwd=ROOT, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL
    )
    _, status, usage = os.wait4(process.pid, 0)
    seconds = time.monotonic() - started
    rows = [json.loads(line) for line in report.read_text(encoding="utf-8").splitlines()] if report.exists() else []
    by_file = {Path(row["path"]).name: row for row in rows if row.get("row") == "file"}
    row = by_file.get(hostile.name, {})
    neighbours = all(by_file.get(n, {}).get("outcome") == "created" for n in GOOD)
    return {
        "case": name,
        "size": hostile.stat().st_size,
        "seconds": seconds,
        "peak_mib": usage.ru_maxrss / 1024,
        "status": os.waitstatus_to_exitcode(status),
        "outcome": row.get("outcome", "?"),
        "reason": (row.get("error") or "; ".join(w["message"] for w in row.get("warnings", []) if w["kind"] != "date"))[
            :100
        ],
        "neighbours": "both" if neighbours else "MISSING",
    }


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--only", help="comma-separated case names (default: all)")
    parser.add_argument("--jobs", type=int, default=0)
    parser.add_argument("--time-limit", type=float, default=30)
    args = parser.parse_args()
    names = args.only.split(",") if args.only else list(CASES)
    with tempfile.TemporaryDirectory(prefix="hostile-bench-") as tmp:
        workdir = Path(tmp)
        template = workdir / "template.sqlite3"
        subprocess.run(
            [sys.executable, "manage.py", "migrate", "--noinput", "-v0"],
            env=_environment(template),
            cwd=ROOT,
            check=True,
        )
        print(f"{'case':<16} {'bytes':>9} {'s':>7} {'peak MiB':>9} {'exit':>4}  {'neighbours':<10} outcome: reason")
        for name in names:
            result = run_case(name, CASES[name], template, workdir, args.jobs, args.time_limit)
            print(
                f"{result['case']:<16} {result['size']:>9,} {result['seconds']:>7.2f} {result['peak_mib']:>9.0f} "
                f"{result['status']:>4}  {result['neighbours']:<10} {result['outcome']}: {result['reason']}",
                flush=True,
            )


if __name__ == "__main__":
    main()
