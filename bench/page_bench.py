"""Reader pages under load, side by side with a bare Django floor: requests/s, p50, p99, ratio.

Usage: .venv/bin/python bench/page_bench.py [--database sqlite|postgres] [--articles 1000]
       [--rounds 3] [--seconds 5] [--connections 8] [--workdir DIR]

Builds a database of generated articles in the seed's shape (Chinese titles, ~11 KB bodies
sanitized by Article.objects.bulk_create, 3 tags, a 3-level category path, library hero images
and thumbnails with renditions, one library image in each body), serves the project with
gunicorn (2 sync workers, DEBUG off) with the page cache off ("uncached": pages rendered on
each request from the parts kept per article, articles.fragments), with parts off too ("cold":
everything rendered on each request) and with the page cache on, and serves
the floor (bench/floor_app.py: the same pages captured once, rendered through a plain template,
or returned as a fixed string). Then drives floor and project in turn with wrk on 127.0.0.1
(`apt-get install -y wrk` when missing), `--rounds` times, so that drift of the machine shows
in the ratios. PostgreSQL is reached at $BENCH_POSTGRES_URL (default
postgres://postgres@127.0.0.1:5432/newsroom_pagebench; that database is dropped and re-created).
`--workdir` keeps the site there and reuses it on the next run (for profiling).
"""

import argparse
import json
import os
import random
import re
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
import urllib.parse
import urllib.request
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))
from loadgen import ensure_wrk, free_port, to_ms  # noqa: E402

ROOT = Path(__file__).resolve().parent.parent
BENCH = Path(__file__).resolve().parent
PYTHON = sys.executable
SEARCH_QUERY = "人工智能 大模型"
# (name, page, server, floor): the floor each page is measured against.
TARGETS = [
    ("article", "article", "uncached", "template/article"),
    ("home", "home", "uncached", "template/home"),
    # Page cache and kept parts both off: every part of the page rendered on every request.
    ("article-cold", "article", "cold", "template/article"),
    ("home-cold", "home", "cold", "template/home"),
    ("category", "category", "uncached", "template/category"),
    ("search", "search", "uncached", "template/search"),
    ("article-cached", "article", "cached", "fixed/article"),
    ("home-cached", "home", "cached", "fixed/home"),
]
GOALS = {"article": 0.5, "home": 0.35, "article-cached": 0.8, "home-cached": 0.8}


# --- the site ---------------------------------------------------------------------------------


def server_env(workdir, database_url):
    env = dict(os.environ)
    env.update(
        DJANGO_SETTINGS_MODULE="bench_page_settings",
        PYTHONPATH=os.pathsep.join([str(workdir), str(ROOT), str(BENCH)]),
        DJANGO_SECRET_KEY="bench-only-secret-key-0123456789-abcdefghijklmnopqrstuvwxyz",
        DJANGO_ALLOWED_HOSTS="127.0.0.1",
        DJANGO_DEBUG="0",
        DJANGO_LOG_LEVEL="WARNING",
        DATABASE_URL=database_url,
        DJANGO_MEDIA_ROOT=str(workdir / "media"),
    )
    return env


def database_url(database, workdir):
    """The bench database's URL; PostgreSQL's database is dropped and re-created."""
    if database == "sqlite":
        return f"sqlite:///{workdir / 'bench.sqlite3'}"
    import psycopg

    url = os.environ.get("BENCH_POSTGRES_URL", "postgres://postgres@127.0.0.1:5432/newsroom_pagebench")
    name = url.rsplit("/", 1)[1]
    with psycopg.connect(url.rsplit("/", 1)[0] + "/postgres", autocommit=True) as connection:
        connection.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
        # pg_trgm ignores Chinese characters under LC_CTYPE C (see docs/search.md).
        connection.execute(
            f"CREATE DATABASE \"{name}\" TEMPLATE template0 ENCODING 'UTF8' LC_CTYPE 'C.UTF-8' LC_COLLATE 'C.UTF-8'"
        )
    return url


def build_site(workdir, database, articles):
    """Migrate, collect static files and generate the articles; return the site's description."""
    described = workdir / "bench.json"
    if described.exists():
        return json.loads(described.read_text())
    (workdir / "bench_page_settings.py").write_text(
        f"from config.settings import *  # noqa\nSTATIC_ROOT = {str(workdir / 'static')!r}\n"
    )
    url = database_url(database, workdir)
    env = server_env(workdir, url)
    manage = [PYTHON, str(ROOT / "manage.py")]
    subprocess.run([*manage, "migrate", "-v0"], env=env, check=True, cwd=ROOT)
    subprocess.run([*manage, "collectstatic", "--noinput", "-v0"], env=env, check=True, cwd=ROOT)
    started = time.perf_counter()
    done = subprocess.run(
        [PYTHON, str(Path(__file__)), "--generate", str(articles)],
        env=env,
        check=True,
        cwd=ROOT,
        capture_output=True,
        text=True,
    )
    site = json.loads(done.stdout.strip().splitlines()[-1])
    site.update(database=database, database_url=url, articles=articles)
    print(f"built {articles} articles on {database} in {time.perf_counter() - started:.0f} s", flush=True)
    described.write_text(json.dumps(site))
    return site


def jpeg(index):
    """A distinct 1280×720 JPEG: a two-colour gradient with a few shapes."""
    import io

    from PIL import Image, ImageDraw

    rng = random.Random(index)
    start, end = [tuple(rng.randrange(256) for _ in range(3)) for _ in range(2)]
    picture = Image.linear_gradient("L").resize((1280, 720))
    picture = Image.merge(
        "RGB", [picture.point(lambda v, a=a, b=b: a + (b - a) * v // 255) for a, b in zip(start, end)]
    )
    draw = ImageDraw.Draw(picture)
    for _ in range(6):
        x, y = rng.randrange(1100), rng.randrange(560)
        draw.ellipse((x, y, x + 160, y + 160), fill=tuple(rng.randrange(256) for _ in range(3)))
    out = io.BytesIO()
    picture.save(out, "JPEG", quality=85)
    return out.getvalue()


def generate(count):
    """(Inside Django) Write `count` seed-shaped published articles; print the pages to drive."""
    import datetime as dt

    import django

    django.setup()
    from django.utils import timezone
    from import_bench import CATEGORY_TREE, TAGS, words

    from articles.images.library import store_image
    from articles.models import Article, Author, Category, Tag, TaggedArticle

    rng = random.Random(20261201)
    images = [store_image(jpeg(i), name=f"bench-{i:02d}.jpg", alt_text=f"配图{i}").image for i in range(20)]
    authors = [Author.objects.create(name=name) for name in ("36kr", "编辑部", "李明", "王晓雯")]
    leaves = [
        Category.objects.get_or_create_path((root, middle, leaf))
        for root, middles in CATEGORY_TREE.items()
        for middle, names in middles.items()
        for leaf in names
    ]
    tags = {name: Tag.objects.create(name=name) for name in TAGS}
    now = timezone.now()

    def body(i):
        inline = images[(i + 7) % len(images)]
        paragraphs = [f'<p><img src="{inline.url}" alt="{words(rng, 6)}"></p>']
        for p in range(22):
            paragraphs.append(f"<p>{words(rng, rng.randrange(80, 200))}，<strong>{words(rng, 6)}</strong>。</p>")
            if p % 7 == 3:
                paragraphs.append(f'<p><a href="https://www.example.org/{i}/{p}">{words(rng, 8)}</a></p>')
        return "\n".join(paragraphs)

    made = Article.objects.bulk_create(
        Article(
            title=f"{words(rng, rng.randrange(12, 30))}{i}",
            author=authors[i % len(authors)],
            body=body(i),
            hero_image=images[i % len(images)],
            thumbnail=images[i % len(images)],
            status=Article.Status.PUBLISHED,
            published_at=now - dt.timedelta(hours=i, minutes=rng.randrange(60)),
        )
        for i in range(count)
    )
    Filed = Article.categories.through
    filed = [rng.choice(leaves) for _ in made]
    # The leaf only, as the importer files a Hexo category list; pages above it find it by path.
    Filed.objects.bulk_create(Filed(article=article, category=leaf) for article, leaf in zip(made, filed))
    TaggedArticle.objects.bulk_create(
        TaggedArticle(content_object=article, tag=tags[name]) for article in made for name in rng.sample(TAGS, 3)
    )
    from django.db import connection

    if connection.vendor == "postgresql":
        # What autovacuum would do soon after a bulk load; without statistics the planner takes
        # the fresh tables for empty and nests the search's loops (a minute a search page).
        with connection.cursor() as cursor:
            cursor.execute("ANALYZE")
    newest = Article.objects.published().order_by("-published_at")
    deep = Category.objects.get(path=filed[0].path.rsplit("/", 1)[0])  # a middle level: has descendants
    print(
        json.dumps(
            {
                "article": newest[5].get_absolute_url(),
                "home": "/",
                "category": deep.get_absolute_url(),
                "search": "/search/?" + urllib.parse.urlencode({"q": SEARCH_QUERY}),
                "body_bytes": len(newest[5].body.encode()),
            }
        )
    )


# --- servers and load -------------------------------------------------------------------------


def serve(app, env, probe):
    """Start gunicorn (2 sync workers) for `app` on a free loopback port; return (process, base URL)."""
    port = free_port()
    command = [
        PYTHON,
        "-m",
        "gunicorn",
        app,
        "--workers",
        "2",
        "--worker-class",
        "sync",
        "--bind",
        f"127.0.0.1:{port}",
        "--log-level",
        "warning",
    ]
    server = subprocess.Popen(command, env=env, cwd=ROOT, stdout=subprocess.DEVNULL)
    base = f"http://127.0.0.1:{port}"
    for _ in range(150):
        try:
            urllib.request.urlopen(base + probe, timeout=5).read()
            return server, base
        except OSError:
            if server.poll() is not None:
                break
            time.sleep(0.2)
    server.terminate()
    raise SystemExit(f"gunicorn {app} did not answer on {base}{probe}")


def drive(url, seconds, connections):
    """{rps, p50, p99, errors} of `wrk --latency` against `url` (errors: non-2xx/3xx and socket)."""
    output = subprocess.run(
        ["wrk", "-t2", f"-c{connections}", f"-d{seconds}s", "--latency", url],
        check=True,
        capture_output=True,
        text=True,
    ).stdout
    errors = re.search(r"Non-2xx or 3xx responses:\s+(\d+)", output)
    sockets = re.search(r"Socket errors: connect (\d+), read (\d+), write (\d+), timeout (\d+)", output)
    return {
        "rps": float(re.search(r"Requests/sec:\s+([\d.]+)", output).group(1)),
        "p50": to_ms(re.search(r"\s50%\s+(\S+)", output).group(1)),
        "p99": to_ms(re.search(r"\s99%\s+(\S+)", output).group(1)),
        "errors": (int(errors.group(1)) if errors else 0) + (sum(map(int, sockets.groups())) if sockets else 0),
    }


def capture(base, site, folder):
    """Fetch each page once from the uncached site into `folder`, for the floor to serve."""
    folder.mkdir(exist_ok=True)
    for name in ("article", "home", "category", "search"):
        with urllib.request.urlopen(base + site[name], timeout=30) as response:
            html = response.read().decode()
        if name == "article" and "<picture>" not in html:
            raise SystemExit("the article page shows no <picture>: the hero image is missing")
        (folder / f"{name}.html").write_text(html, encoding="utf-8")


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--database", choices=["sqlite", "postgres"], default="sqlite")
    parser.add_argument("--articles", type=int, default=1000)
    parser.add_argument("--rounds", type=int, default=3)
    parser.add_argument("--seconds", type=int, default=5)
    parser.add_argument("--connections", type=int, default=8)
    parser.add_argument("--workdir", type=Path, help="keep the site here and reuse it next time")
    parser.add_argument("--only", help="comma-separated names to drive, e.g. article,home-cached (default: all)")
    parser.add_argument("--generate", type=int, help=argparse.SUPPRESS)
    options = parser.parse_args()
    if options.generate is not None:
        return generate(options.generate)

    ensure_wrk()
    workdir = options.workdir or Path(tempfile.mkdtemp(prefix="page-bench-"))
    workdir.mkdir(parents=True, exist_ok=True)
    servers = []
    try:
        site = build_site(workdir.resolve(), options.database, options.articles)
        env = server_env(workdir.resolve(), site["database_url"])
        uncached, uncached_base = serve("config.wsgi", {**env, "NEWSROOM_PAGE_CACHE": "0"}, site["article"])
        servers.append(uncached)
        capture(uncached_base, site, workdir / "pages")
        cached, cached_base = serve("config.wsgi", {**env, "NEWSROOM_PAGE_CACHE": "1"}, site["article"])
        servers.append(cached)
        cold, cold_base = serve(
            "config.wsgi", {**env, "NEWSROOM_PAGE_CACHE": "0", "NEWSROOM_FRAGMENT_CACHE": "0"}, site["article"]
        )
        servers.append(cold)
        floor, floor_base = serve(
            "floor_app:application", {**env, "FLOOR_PAGES": str(workdir / "pages")}, "/fixed/home/"
        )
        servers.append(floor)
        bases = {"uncached": uncached_base, "cached": cached_base, "cold": cold_base}
        targets = [t for t in TARGETS if not options.only or t[0] in options.only.split(",")]
        for _name, page, server, floor_path in targets:  # warm both workers of every server
            for _ in range(4):
                urllib.request.urlopen(bases[server] + site[page], timeout=30).read()
                urllib.request.urlopen(f"{floor_base}/{floor_path}/", timeout=30).read()

        print(
            f"{site['articles']} articles on {site['database']}; gunicorn 2 sync workers each; "
            f"wrk -t2 -c{options.connections} -d{options.seconds}s --latency; {options.rounds} rounds "
            f"of floor, project, … on {os.cpu_count()} cores (load average {os.getloadavg()[0]:.1f})",
            flush=True,
        )
        results = {target[0]: [] for target in targets}
        for round_number in range(1, options.rounds + 1):
            for name, page_name, server, floor_path in targets:
                bottom = drive(f"{floor_base}/{floor_path}/", options.seconds, options.connections)
                page = drive(bases[server] + site[page_name], options.seconds, options.connections)
                results[name].append((bottom, page))
                print(
                    f"  round {round_number} {name:<16} floor {bottom['rps']:7.0f}/s  "
                    f"project {page['rps']:7.0f}/s  ratio {page['rps'] / bottom['rps']:.2f}",
                    flush=True,
                )
        print()
        print("| page | floor | floor req/s | req/s | p50 ms | p99 ms | errors | ratio per round | goal |")
        print("| --- | --- | --- | --- | --- | --- | --- | --- | --- |")
        for name, _page, _server, floor_path in targets:
            runs = results[name]
            ratios = " / ".join(f"{page['rps'] / bottom['rps']:.2f}" for bottom, page in runs)
            median = lambda key, which=1, runs=runs: statistics.median(run[which][key] for run in runs)  # noqa: E731
            goal = f"≥ {GOALS[name]}×" if name in GOALS else "—"
            print(
                f"| {name} | {floor_path.split('/')[0]} | {median('rps', 0):.0f} | {median('rps'):.0f} | "
                f"{median('p50'):.1f} | {median('p99'):.1f} | {sum(run[1]['errors'] for run in runs)} | "
                f"{ratios} | {goal} |"
            )
    finally:
        for server in servers:
            server.terminate()
        for server in servers:
            server.wait(timeout=30)
        if options.workdir is None:
            shutil.rmtree(workdir, ignore_errors=True)


if __name__ == "__main__":
    main()
