"""Scale benchmark: reader pages at 1,000 and at 100,000 articles, and the ratio between them.

Usage:
    .venv/bin/python bench/scale_bench.py [--small 1000] [--large 100000] [--database sqlite|postgres|both]
                                          [--runs 9] [--explain] [--workdir DIR [--reuse]]

For each database and size: loads the generated articles of bench/search_bench.py straight into
the tables (one INSERT batch or COPY a table: articles, a 3-level category tree of 27 leaves, 3 of
30 tags each — one more tag on every 1,000th article —, search documents and their index), runs ANALYZE,
files every 1,000th article in one more category (科技 › 稀有分类, also added to a database kept
by --reuse that lacks it), then GETs each page in-process with
django.test.Client, page cache off, `--runs` times after one warm-up, and prints the median ms at
both sizes and their ratio (the goal is at most 2×): warm (asked again: what is kept under the
content version — the category tree, list ids, counts — reused) and cold (the content version
bumped before each GET, as after any change, and what all pages share under it — the schedule,
the category tree, timed on a line of their own — computed first: a page's own queries all run;
the rendered cards stay kept). `--explain` also prints the plan of each
page's slowest query at the large size (PostgreSQL: EXPLAIN ANALYZE; SQLite: EXPLAIN QUERY PLAN).
PostgreSQL is reached at $BENCH_POSTGRES_URL (default
postgres://postgres@127.0.0.1:5432/newsroom_scale_bench); each size gets its own database, named
with the count appended (newsroom_scale_bench_1000 …), dropped and re-created.

Loading 100,000 articles takes minutes: `--workdir DIR` keeps the SQLite files there, and
`--reuse` times the databases a previous run with the same --workdir (or the same PostgreSQL URL)
left, loading only those missing, so that a change can be re-timed in seconds.
"""

import argparse
import json
import os
import random
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path[:0] = [str(ROOT), str(ROOT / "bench")]

import search_bench  # noqa: E402  (its generator and bulk insert)

TREE = {
    "科技": {
        "芯片": ["制造", "设计", "封装"],
        "人工智能": ["大模型", "机器人", "自动驾驶"],
        "云": ["数据库", "安全", "开源"],
    },
    "商业": {"电商": ["直播", "跨境", "零售"], "金融": ["支付", "保险", "银行"], "消费": ["品牌", "餐饮", "出行"]},
    "新媒体": {
        "36kr": ["资讯", "快讯", "深度"],
        "视频": ["短视频", "直播", "长视频"],
        "播客": ["访谈", "评论", "故事"],
    },
}
TAG_COUNT = 30
# One more tag, on one article in RARE_TAG_EVERY: the other end of the tag pages' plans.
RARE_TAG_EVERY = 1000
# And one more category, on the same articles: the other end of the category pages' plans.
RARE_CATEGORY = ("科技", "稀有分类")
PAGES = {
    "home": lambda ctx: "/",
    "home, last page": lambda ctx: "/?page=last",
    "leaf category (3 deep)": lambda ctx: ctx["leaf_url"],
    "middle category (3 leaves)": lambda ctx: ctx["middle_url"],
    "category, rare (0.1 %)": lambda ctx: ctx["rare_category_url"],
    "tag (10 %)": lambda ctx: ctx["tag_url"],
    "tag, rare (0.1 %)": lambda ctx: ctx["rare_tag_url"],
    "year archive, last page": lambda ctx: f"/{ctx['year']}/?page=last",
    "search, common word": lambda ctx: "/search/?q=人工智能",
    "search, 2-char word": lambda ctx: "/search/?q=芯片",
    "search, rare word": lambda ctx: f"/search/?q={search_bench.RARE_WORD}",
    "category tree with counts": lambda ctx: "/category/",
}


def load(count):
    """Fill the configured database with `count` published articles, their links and their index."""
    from django.db import connection, transaction
    from django.utils import timezone

    from articles.models import Author, Category, Tag

    migration = search_bench.importlib.import_module("articles.migrations.0005_search_index")
    author = Author.objects.create(name="基准作者")
    leaves = []
    for root, children in TREE.items():
        for child, grandchildren in children.items():
            leaves.extend(Category.objects.get_or_create_path((root, child, leaf)).pk for leaf in grandchildren)
    tags = [
        tag.pk for tag in Tag.objects.bulk_create([Tag(name=f"标签{i}", slug=f"tag-{i}") for i in range(TAG_COUNT)])
    ]
    rare_tag = Tag.objects.create(name="稀有标签", slug="tag-rare").pk
    rng = random.Random(7)
    vendor = connection.vendor
    stamp = connection.ops.adapt_datetimefield_value if vendor == "sqlite" else (lambda value: value)
    now = stamp(timezone.now())
    columns = (
        "id, title, slug, author_id, summary, body, status, published_at, edit_version, created_at, "
        "updated_at, allow_comments, source_path, source_hash, source_id, front_matter, seo_title, seo_description, source_archive, language"
    )
    # Spread over five years whatever the count, so that a year holds a fifth of the articles.
    step = 5 * 365 * 24 * 3600 / count
    with transaction.atomic(), connection.cursor() as cursor:
        for statement in migration.SQLITE_BACKWARDS[:3] if vendor == "sqlite" else migration.POSTGRES_BACKWARDS:
            cursor.execute(statement)
        articles, documents, filed, tagged = [], [], [], []
        for pk, (title, summary, body, text, _) in enumerate(search_bench.generate_rows(count), start=1):
            published_at = search_bench.dt.datetime(
                2020, 1, 1, tzinfo=search_bench.dt.timezone.utc
            ) + search_bench.dt.timedelta(seconds=step * pk)
            articles.append(
                (
                    pk,
                    title,
                    f"bench-{pk}",
                    author.pk,
                    summary,
                    body,
                    "published",
                    stamp(published_at),
                    1,
                    now,
                    now,
                    True,
                    "",
                    "",
                    "",
                    "{}",
                    "",
                    "",
                    "",
                    "zh-Hans",
                )
            )
            documents.append((pk, title, summary, text))
            filed.append((pk, leaves[pk % len(leaves)]))
            tagged.extend((pk, tag) for tag in rng.sample(tags, 3))
            if pk % RARE_TAG_EVERY == 0:
                tagged.append((pk, rare_tag))
        search_bench.insert_and_index(cursor, vendor, columns, articles, documents, filed, tagged)
    with connection.cursor() as cursor:
        cursor.execute("VACUUM ANALYZE" if vendor == "postgresql" else "ANALYZE")


def pages_context():
    """What PAGES need to know of the loaded database."""
    from articles.models import Category, Tag

    leaf = Category.objects.filter(depth=2).order_by("pk").first()  # TREE's first leaf, 3 deep
    middle = Category.objects.filter(depth=1).order_by("pk").first()  # its parent: 3 leaves, 11 %
    return {
        "leaf_url": leaf.get_absolute_url(),
        "middle_url": middle.get_absolute_url(),
        "rare_category_url": rare_categories().get().get_absolute_url(),
        "tag_url": Tag.objects.get(slug="tag-0").get_absolute_url(),
        "rare_tag_url": Tag.objects.get(slug="tag-rare").get_absolute_url(),
        "year": 2022,
    }


def rare_categories():
    from articles.models import Category

    return Category.objects.filter(parent__parent=None, parent__name=RARE_CATEGORY[0], name=RARE_CATEGORY[1])


def file_rare_category(count):
    """File every RARE_TAG_EVERY-th article in RARE_CATEGORY too, unless a kept database has it."""
    from articles.models import Article, Category

    if rare_categories().exists():
        return
    rare = Category.objects.get_or_create_path(RARE_CATEGORY)
    Filed = Article.categories.through
    every = range(RARE_TAG_EVERY, count + 1, RARE_TAG_EVERY)
    Filed.objects.bulk_create(Filed(article_id=pk, category_id=rare.pk) for pk in every)


def explain(sql):
    """The plan of `sql` as the database in use prints it."""
    from django.db import connection

    with connection.cursor() as cursor:
        if connection.vendor == "postgresql":
            cursor.execute("EXPLAIN (ANALYZE, COSTS OFF, TIMING OFF, SUMMARY OFF) " + sql)
            return "\n".join(row[0] for row in cursor.fetchall())
        cursor.execute("EXPLAIN QUERY PLAN " + sql)
        return "\n".join(f"{'  ' * _depth(row, cursor)}{row[3]}" for row in cursor.fetchall())


_parents = {}


def _depth(row, cursor):
    node, parent = row[0], row[1]
    _parents[node] = _parents.get(parent, -1) + 1
    return _parents[node]


def child(count, runs, with_plans):
    import django

    django.setup()
    from articles.models import Article

    started = time.perf_counter()
    if not Article.objects.exists():  # else a database kept by --reuse
        load(count)
    file_rare_category(count)
    print("LOAD", time.perf_counter() - started, flush=True)
    figures, plans = time_pages(pages_context(), runs, with_plans)
    print("FIGURES", json.dumps({"figures": figures, "plans": plans}), flush=True)


def time_pages(context, runs, with_plans):
    """({page: {"warm"|"cold": (median ms, queries)}}, {page: slowest cold query and its plan}).

    Warm: the page asked again, what is kept under the content version (the category tree,
    list ids and counts) reused. Cold: the page's first visit after a change: the version bumped
    before each GET, then what every page shares under it (the schedule, the category tree;
    timed apart, see site_wide()) computed, so that the page's own queries are what is timed.
    The rendered cards, kept per article, stay.
    """
    from django.db import connection
    from django.test import Client
    from django.test.utils import CaptureQueriesContext

    client, figures, plans = Client(), {}, {}
    site_wide()
    times = [site_wide() for run in range(runs)]
    figures["(per version: schedule, category tree)"] = {
        mode: (statistics.median(times), 2) for mode in ("warm", "cold")
    }
    for label, url_of in PAGES.items():
        url = url_of(context)
        figures[label] = {}
        for mode in ("warm", "cold"):
            times = []
            for run in range(runs + 2):  # one warm-up, then the timed runs, then one counted
                if mode == "cold":
                    site_wide()
                with CaptureQueriesContext(connection) as captured:
                    began = time.perf_counter()
                    response = client.get(url)
                    elapsed = (time.perf_counter() - began) * 1000
                if response.status_code != 200:
                    raise SystemExit(f"{url} answered {response.status_code}")
                if 0 < run <= runs:
                    times.append(elapsed)
            figures[label][mode] = (statistics.median(times), len(captured.captured_queries))
        if with_plans and captured.captured_queries:
            slowest = max(captured.captured_queries, key=lambda query: float(query["time"]))
            _parents.clear()
            plans[label] = {"sql": slowest["sql"], "ms": float(slowest["time"]) * 1000, "plan": explain(slowest["sql"])}
    return figures, plans


def site_wide():
    """Bump the content version and compute what every page then shares; the ms it took."""
    from articles import caching
    from articles.navigation import categories_by_path

    caching.bump_content_version()
    began = time.perf_counter()
    caching.schedule()
    categories_by_path()
    return (time.perf_counter() - began) * 1000


def prepare(database, workdir, count, reuse=False):
    env = {
        **os.environ,
        "DJANGO_SECRET_KEY": "bench-only-secret-key-0123456789-abcdefghijklmnopqrstuvwxyz",
        "DJANGO_DEBUG": "0",
        "NEWSROOM_PAGE_CACHE": "0",
        "DJANGO_ALLOWED_HOSTS": "testserver,localhost",
    }
    if database == "sqlite":
        path = workdir / f"scale_bench_{count}.sqlite3"
        url = f"sqlite:///{path}"
        if not reuse:
            path.unlink(missing_ok=True)
    else:
        url = (
            os.environ.get("BENCH_POSTGRES_URL", "postgres://postgres@127.0.0.1:5432/newsroom_scale_bench")
            + f"_{count}"
        )
        import psycopg

        server, name = url.rsplit("/", 1)
        with psycopg.connect(server + "/postgres", autocommit=True) as connection:
            exists = connection.execute("SELECT 1 FROM pg_database WHERE datname = %s", [name]).fetchone()
            if not (reuse and exists):
                connection.execute(f'DROP DATABASE IF EXISTS "{name}"')
                connection.execute(f'CREATE DATABASE "{name}"')
    # On a kept database this applies only migrations added since (none: nothing to do).
    subprocess.run(
        [sys.executable, "manage.py", "migrate", "--noinput", "-v0"],
        env={**env, "DATABASE_URL": url},
        cwd=ROOT,
        check=True,
    )
    # The test settings add testserver to ALLOWED_HOSTS and keep DEBUG off.
    return {**env, "DATABASE_URL": url, "DJANGO_SETTINGS_MODULE": "config.settings_test"}


def run(database, count, runs, with_plans, workdir, reuse=False):
    env = prepare(database, workdir, count, reuse)
    command = [sys.executable, __file__, "--child", str(count), "--runs", str(runs)] + (
        ["--explain"] if with_plans else []
    )
    result = subprocess.run(command, env=env, cwd=ROOT, capture_output=True, text=True)
    if result.returncode:
        raise SystemExit(result.stderr[-3000:] + result.stdout[-2000:])
    lines = dict(line.split(" ", 1) for line in result.stdout.splitlines() if line.startswith(("LOAD", "FIGURES")))
    return float(lines["LOAD"]), json.loads(lines["FIGURES"])


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--small", type=int, default=1_000)
    parser.add_argument("--large", type=int, default=100_000)
    parser.add_argument("--database", choices=["sqlite", "postgres", "both"], default="both")
    parser.add_argument("--runs", type=int, default=9)
    parser.add_argument("--explain", action="store_true")
    parser.add_argument("--workdir", type=Path, help="keep the SQLite databases here (default: a temporary directory)")
    parser.add_argument("--reuse", action="store_true", help="time the databases already loaded (see --workdir)")
    parser.add_argument("--child", type=int, help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.child:
        return child(args.child, args.runs, args.explain)
    databases = ["sqlite", "postgres"] if args.database == "both" else [args.database]
    print(
        f"median of {args.runs} GETs, page cache off, in-process (django.test.Client); cold: content version bumped before each"
    )
    if args.reuse and not args.workdir and "sqlite" in databases:
        parser.error("--reuse needs --workdir for SQLite")
    with tempfile.TemporaryDirectory() as tmp:
        workdir = args.workdir or Path(tmp)
        workdir.mkdir(parents=True, exist_ok=True)
        for database in databases:
            small_load, small = run(database, args.small, args.runs, False, workdir, args.reuse)
            large_load, large = run(database, args.large, args.runs, args.explain, workdir, args.reuse)
            print(
                f"\n{database}: loading {args.small} articles {small_load:.0f} s, {args.large} articles {large_load:.0f} s"
            )
            print(
                f"| page | warm: ms at {args.small:,} → {args.large:,} | ratio | cold: ms at {args.small:,} → {args.large:,} | ratio | queries warm/cold |"
            )
            print("| --- | --- | --- | --- | --- | --- |")
            for label, modes in large["figures"].items():
                cells = []
                for mode in ("warm", "cold"):
                    small_ms, large_ms = small["figures"][label][mode][0], modes[mode][0]
                    verdict = "" if large_ms <= 2 * small_ms else " ✗"
                    cells += [f"{small_ms:.1f} → {large_ms:.1f}", f"{large_ms / small_ms:.2f}×{verdict}"]
                print(f"| {label} | {' | '.join(cells)} | {modes['warm'][1]}/{modes['cold'][1]} |")
            for label, plan in large["plans"].items():
                print(
                    f"\n{database} · {label} · slowest query (cold) {plan['ms']:.1f} ms\n{plan['sql'][:1500]}\n{plan['plan']}"
                )


if __name__ == "__main__":
    main()
