"""Print what a page-cache hit and a miss cost with each cache backend a site without Redis could use.

Usage: .venv/bin/python bench/cache_backend_bench.py [--requests 3000] [--misses 300]

For local memory (one per process: what `make run` had), files (the default without REDIS_URL)
and the database cache, each in a fresh process on a throwaway SQLite site of the sample articles
(production settings but for the database, media root and static storage): the µs of a hit of the
home page and of an article page through config.wsgi's front (PageCacheApplication, the best of 5
rounds), and the median ms of the home page right after a content change (a miss, rendered from
kept parts and stored). Hits read the content version from the cache and the page from this
process's copy (articles.caching.VersionedEntries), so they show the cost of one read of the cache.
"""

import argparse
import json
import os
import shutil
import subprocess
import sys
import tempfile
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
BACKENDS = {
    "local memory": {"BACKEND": "django.core.cache.backends.locmem.LocMemCache"},
    "files (default)": None,  # config/settings.py's own, beside the database
    "database": {
        "BACKEND": "django.core.cache.backends.db.DatabaseCache",
        "LOCATION": "newsroom_cache",
        "TIMEOUT": None,
    },
}

MEASURE = r"""
import io, json, os, statistics, sys, time
import django
from django.conf import settings
backend = json.loads(sys.argv[1])
if backend is not None:
    settings.CACHES = {"default": backend}
settings.STORAGES = {**settings.STORAGES, "staticfiles": {"BACKEND": "django.contrib.staticfiles.storage.StaticFilesStorage"}}
django.setup()
from django.core.management import call_command
call_command("migrate", verbosity=0)
if backend is not None and backend["BACKEND"].endswith("DatabaseCache"):
    call_command("createcachetable", verbosity=0)
call_command("import_frontmatter", os.environ["SAMPLES"], stdout=io.StringIO(), stderr=io.StringIO())
from articles import caching
from articles.models import Article
from config.wsgi import application

def environ(path):
    return {"REQUEST_METHOD": "GET", "PATH_INFO": path, "QUERY_STRING": "", "SERVER_NAME": "127.0.0.1",
            "SERVER_PORT": "80", "HTTP_HOST": "127.0.0.1", "SERVER_PROTOCOL": "HTTP/1.1",
            "wsgi.url_scheme": "http", "wsgi.input": io.BytesIO(), "wsgi.errors": sys.stderr}

answered = {}
def start_response(status, headers, exc_info=None):
    answered.update(status=status, headers=dict(headers))

def get(path):
    b"".join(application(environ(path), start_response))
    return answered["headers"].get("X-Cache")

requests, misses = int(sys.argv[2]), int(sys.argv[3])
article = Article.objects.published().first().get_absolute_url()
result = {}
for name, path in (("home", "/"), ("article", article)):
    get(path)
    assert get(path) == "hit", answered
    rounds = []
    for _ in range(5):
        started = time.perf_counter()
        for _ in range(requests):
            get(path)
        rounds.append((time.perf_counter() - started) / requests * 1e6)
    result[name] = min(rounds)
times = []
for _ in range(misses):
    caching.bump_content_version()
    started = time.perf_counter()
    assert get("/") == "miss"
    times.append((time.perf_counter() - started) * 1e3)
result["miss"] = statistics.median(times)
print(json.dumps(result))
"""


def measure(backend, scratch, options):
    folder = scratch / str(abs(hash(json.dumps(backend))))
    folder.mkdir()
    env = {
        **os.environ,
        "DJANGO_SETTINGS_MODULE": "config.settings",
        "DJANGO_SECRET_KEY": "bench-only-secret-key",
        "DJANGO_ALLOWED_HOSTS": "127.0.0.1",
        "DJANGO_DEBUG": "0",
        "DJANGO_LOG_LEVEL": "WARNING",
        "DATABASE_URL": f"sqlite:///{folder / 'bench.sqlite3'}",
        "DJANGO_MEDIA_ROOT": str(folder / "media"),
        "SAMPLES": str(ROOT / "articles" / "sample_archive"),
        "PYTHONPATH": str(ROOT),
    }
    env.pop("REDIS_URL", None)
    env.pop("NEWSROOM_CACHE_DIR", None)
    done = subprocess.run(
        [sys.executable, "-c", MEASURE, json.dumps(backend), str(options.requests), str(options.misses)],
        env=env,
        cwd=ROOT,
        capture_output=True,
        text=True,
        check=True,
    )
    return json.loads(done.stdout.strip().splitlines()[-1])


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--requests", type=int, default=3000)
    parser.add_argument("--misses", type=int, default=300)
    options = parser.parse_args()
    scratch = Path(tempfile.mkdtemp(prefix="cache-backend-bench-"))
    try:
        print(
            f"sample articles on SQLite; hits: best of 5 rounds of {options.requests}; misses: median of {options.misses}"
        )
        print("| cache | home hit µs | article hit µs | home miss after a change, ms | shared by processes |")
        print("| --- | --- | --- | --- | --- |")
        for name, backend in BACKENDS.items():
            figures = measure(backend, scratch, options)
            shared = "no" if name == "local memory" else "yes"
            print(
                f"| {name} | {figures['home']:.1f} | {figures['article']:.1f} | {figures['miss']:.2f} | {shared} |",
                flush=True,
            )
    finally:
        shutil.rmtree(scratch, ignore_errors=True)


if __name__ == "__main__":
    main()
