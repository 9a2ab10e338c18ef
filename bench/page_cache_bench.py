"""Print the reading site's throughput with the page cache on and off: requests/s, p50 and p99.

Usage: .venv/bin/python bench/page_cache_bench.py [--articles 1000] [--seconds 10] [--connections 4]

Builds a throwaway SQLite database of generated articles, serves it with gunicorn (2 sync
workers, DEBUG off, production settings but for the database, the static root and the host) on
a free port of 127.0.0.1, and drives the home page and an article page with wrk (Debian's `wrk`,
installed with apt-get when missing). The cache is the default's files beside the throwaway
database, shared by both workers, unless REDIS_URL is set.
"""

import argparse
import os
import re
import shutil
import subprocess
import sys
import tempfile
import time
import urllib.request
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))
from loadgen import ensure_wrk, free_port, to_ms  # noqa: E402

ROOT = Path(__file__).resolve().parent.parent
PYTHON = sys.executable
BODY = "".join(f"<p>第{i}段：芯片、电商与云计算的新闻正文，约十一千字节的正文。</p>" for i in range(120))


def server_env(scratch):
    env = dict(os.environ)
    env.update(
        DJANGO_SETTINGS_MODULE="bench_page_cache_settings",
        PYTHONPATH=f"{scratch}{os.pathsep}{ROOT}",
        DJANGO_SECRET_KEY="bench-only-secret-key-0123456789-abcdefghijklmnopqrstuvwxyz",
        DJANGO_ALLOWED_HOSTS="127.0.0.1",
        DJANGO_DEBUG="0",
        DJANGO_LOG_LEVEL="WARNING",
        DATABASE_URL=f"sqlite:///{scratch / 'bench.sqlite3'}",
        DJANGO_MEDIA_ROOT=str(scratch / "media"),
    )
    return env


def build_site(scratch, articles):
    """Write the settings override, migrate, collect static files, generate the articles."""
    (scratch / "bench_page_cache_settings.py").write_text(
        f"from config.settings import *  # noqa\nSTATIC_ROOT = {str(scratch / 'static')!r}\n"
    )
    env = server_env(scratch)
    manage = [PYTHON, str(ROOT / "manage.py")]
    subprocess.run([*manage, "migrate", "-v0"], env=env, check=True, cwd=ROOT)
    subprocess.run([*manage, "collectstatic", "--noinput", "-v0"], env=env, check=True, cwd=ROOT)
    script = f"""
import datetime as dt
import django
django.setup()
from django.utils import timezone
from articles.models import Article, Author, Category, Tag, TaggedArticle
now = timezone.now()
authors = [Author.objects.create(name=f"作者{{i}}") for i in range(20)]
leaves = [Category.objects.get_or_create_path(("科技", f"栏目{{i}}", f"专题{{i}}")) for i in range(10)]
tags = [Tag.objects.create(name=f"标签{{i}}") for i in range(50)]
made = Article.objects.bulk_create(
    Article(title=f"基准文章{{n}}", slug=f"bench-{{n}}", author=authors[n % 20], body={BODY!r},
            status=Article.Status.PUBLISHED, published_at=now - dt.timedelta(hours=n))
    for n in range({articles})
)
Filed = Article.categories.through
Filed.objects.bulk_create(Filed(article=a, category=leaves[i % 10]) for i, a in enumerate(made))
TaggedArticle.objects.bulk_create(
    TaggedArticle(content_object=a, tag=tags[(i + k) % 50]) for i, a in enumerate(made) for k in range(3)
)
print(Article.objects.published().order_by("-published_at")[5].get_absolute_url())
"""
    done = subprocess.run([PYTHON, "-c", script], env=env, check=True, cwd=ROOT, capture_output=True, text=True)
    return done.stdout.strip().splitlines()[-1]


def serve(scratch, port, page_cache):
    env = server_env(scratch)
    env["NEWSROOM_PAGE_CACHE"] = "1" if page_cache else "0"
    command = [PYTHON, "-m", "gunicorn", "config.wsgi", "--workers", "2", "--bind", f"127.0.0.1:{port}"]
    command += ["--log-level", "warning"]
    server = subprocess.Popen(command, env=env, cwd=ROOT, stdout=subprocess.DEVNULL)
    for _ in range(100):
        try:
            urllib.request.urlopen(f"http://127.0.0.1:{port}/", timeout=5).read()
            return server
        except OSError:
            time.sleep(0.2)
    server.terminate()
    raise SystemExit("gunicorn did not answer on 127.0.0.1:%d" % port)


def drive(url, seconds, connections):
    """(requests/s, p50 ms, p99 ms, non-2xx) of `wrk` against `url`."""
    output = subprocess.run(
        ["wrk", "-t2", f"-c{connections}", f"-d{seconds}s", "--latency", url],
        check=True,
        capture_output=True,
        text=True,
    ).stdout
    rate = float(re.search(r"Requests/sec:\s+([\d.]+)", output).group(1))
    p50 = to_ms(re.search(r"\s50%\s+(\S+)", output).group(1))
    p99 = to_ms(re.search(r"\s99%\s+(\S+)", output).group(1))
    errors = re.search(r"Non-2xx or 3xx responses:\s+(\d+)", output)
    return rate, p50, p99, int(errors.group(1)) if errors else 0


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--articles", type=int, default=1000)
    parser.add_argument("--seconds", type=int, default=10)
    parser.add_argument("--connections", type=int, default=4)
    options = parser.parse_args()
    ensure_wrk()
    scratch = Path(tempfile.mkdtemp(prefix="page-cache-bench-"))
    try:
        article_url = build_site(scratch, options.articles)
        print(
            f"{options.articles} articles; gunicorn 2 sync workers; wrk -t2 -c{options.connections} "
            f"-d{options.seconds}s; cache: {'Redis' if os.environ.get('REDIS_URL') else 'files'}"
        )
        print("| page | page cache | requests/s | p50 ms | p99 ms | errors |")
        print("| --- | --- | --- | --- | --- | --- |")
        for page_cache in (False, True):
            port = free_port()
            server = serve(scratch, port, page_cache)
            try:
                for name, path in (("home", "/"), ("article", article_url)):
                    rate, p50, p99, errors = drive(
                        f"http://127.0.0.1:{port}{path}", options.seconds, options.connections
                    )
                    state = "on" if page_cache else "off"
                    print(f"| {name} | {state} | {rate:.0f} | {p50:.1f} | {p99:.1f} | {errors} |", flush=True)
            finally:
                server.terminate()
                server.wait(timeout=30)
    finally:
        shutil.rmtree(scratch, ignore_errors=True)


if __name__ == "__main__":
    main()
