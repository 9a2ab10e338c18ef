"""Instructions a request, counted by valgrind: repeatable whatever else the machine is doing.

Usage: .venv/bin/python bench/instruction_count.py --workdir /tmp/pb [--page article|home] [--cached]
       [--floor] [--requests 50]

Uses the site bench/page_bench.py built in --workdir (run it first with the same --workdir). Runs
the real WSGI application (page cache off, parts kept: page_bench's "uncached"; with `--cached`,
page cache on, so that every request after the first is a hit) or, with `--floor`,
bench/floor_app.py on that page (its fixed string with `--cached`), in one process under `valgrind --tool=callgrind`:
20 warm-up requests then `--requests` more, and again with none, and prints the difference a
request. Takes a few minutes (valgrind runs Python ~50× slower); `apt-get install -y valgrind`.
"""

import argparse
import io
import json
import re
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(Path(__file__).resolve().parent))
from page_bench import server_env  # noqa: E402


def serve_requests(path, floor, count):
    """(Inside valgrind) Call the application for `path` 20 + `count` times."""
    if floor:
        import floor_app

        application = floor_app.application
    else:
        from config.wsgi import application  # what gunicorn serves, page-cache front included
    for _ in range(20 + count):
        environ = {
            "REQUEST_METHOD": "GET", "PATH_INFO": path, "QUERY_STRING": "", "SERVER_NAME": "127.0.0.1",
            "SERVER_PORT": "80", "HTTP_HOST": "127.0.0.1", "wsgi.input": io.BytesIO(), "wsgi.url_scheme": "http",
            "SERVER_PROTOCOL": "HTTP/1.1", "REMOTE_ADDR": "127.0.0.1", "wsgi.errors": sys.stderr,
        }  # fmt: skip
        status = []
        b"".join(application(environ, lambda answer, headers, *rest, status=status: status.append(answer)))
        if not status[0].startswith("200"):
            raise SystemExit(f"{path}: {status[0]}")


def counted(workdir, path, floor, count, cached):
    site = json.loads((workdir / "bench.json").read_text())
    page_cache = "1" if cached else "0"
    env = {
        **server_env(workdir, site["database_url"]),
        "NEWSROOM_PAGE_CACHE": page_cache,
        "FLOOR_PAGES": str(workdir / "pages"),
    }
    command = [
        "valgrind", "--tool=callgrind", "--callgrind-out-file=/dev/null", sys.executable, str(Path(__file__)),
        "--child", path, "--requests", str(count), *(["--floor"] if floor else []),
    ]  # fmt: skip
    done = subprocess.run(command, env=env, cwd=ROOT, capture_output=True, text=True, check=True)
    return int(re.search(r"Collected : (\d+)", done.stderr).group(1))


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--workdir", type=Path, help="the site page_bench.py built there")
    parser.add_argument("--page", choices=["article", "home"], default="article")
    parser.add_argument("--cached", action="store_true", help="page cache on: hits after the first")
    parser.add_argument("--floor", action="store_true")
    parser.add_argument("--requests", type=int, default=50)
    parser.add_argument("--child", help=argparse.SUPPRESS)
    options = parser.parse_args()
    if options.child:
        if not options.floor:
            import django

            django.setup()
        return serve_requests(options.child, options.floor, options.requests)
    if options.workdir is None:
        parser.error("--workdir is required")
    workdir = options.workdir.resolve()
    site = json.loads((workdir / "bench.json").read_text())
    floor_kind = "fixed" if options.cached else "template"
    path = f"/{floor_kind}/{options.page}/" if options.floor else site[options.page]
    total = counted(workdir, path, options.floor, options.requests, options.cached)
    base = counted(workdir, path, options.floor, 0, options.cached)
    which = f"{floor_kind} floor" if options.floor else ("project, page cache hit" if options.cached else "project")
    print(f"{options.page} ({which}): {(total - base) / options.requests / 1e6:.3f} M instructions a request")


if __name__ == "__main__":
    main()
