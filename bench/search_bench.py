"""Search benchmark: N generated Chinese articles, then the search page timed for a few queries.

Usage:
    .venv/bin/python bench/search_bench.py [--articles 100000] [--database sqlite|postgres|both] [--runs 20]

For each database: generates the articles straight into the tables (one multi-row INSERT or COPY
per table, not N save() calls; the index is built once after loading), then renders /search/?q=…
through SearchView `--runs` times per query and prints the median and 95th-percentile time, and
how many articles each query finds. PostgreSQL is reached at $BENCH_POSTGRES_URL (default
postgres://postgres@127.0.0.1:5432/newsroom_search_bench; that database is dropped and re-created).
"""

import argparse
import datetime as dt
import importlib
import itertools
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
# Real words first: they are drawn most often (Zipf-like weights by rank); filler words after.
WORDS = (
    "公司 发布 用户 市场 平台 数据 技术 产品 服务 增长 人工智能 芯片 电商 直播 新能源 汽车 自动驾驶 "
    "云计算 大模型 机器人 融资 投资 供应链 物流 跨境 零售 品牌 消费 内容 创作者 生态 合作 开源 社区 "
    "开发者 安全 隐私 算法 算力 数据中心 半导体 制造 量产 封装 手机 电脑 智能家居 可穿戴 出海 订阅 "
    "会员 广告 营收 利润 亏损 上市 估值 团队 创始人 战略 转型 监管 政策 标准 专利 研发 实验室 "
    "电池 充电 储能 光伏 氢能 卫星 通信 宽带 网络 操作系统 浏览器 搜索 推荐 短视频 游戏 音乐 教育 "
    "医疗 健康 金融 支付 保险 银行 企业 客户 渠道 门店 城市 农村 海外 全球 中国 北京 上海 深圳 杭州"
).split()
FILLER_CHARS = (
    "的一是在不了有和人这中大为上个国我以要他时来用们生到作地于出就分对成会可也你对能而子那得于着下自之年过发后作里"
)
RARE_WORD = "钙钛矿叠层"
RARE_ARTICLES = 25
QUERIES = {
    "one word (4 chars)": "人工智能",
    "one word (2 chars, fallback)": "芯片",
    "two words": "自动驾驶 融资",
    "rare word": RARE_WORD,
}
TAGS = ["电商", "AI", "芯片", "新能源", "云", "开源", "融资", "直播", "物流", "SaaS", "汽车", "安全"]
CATEGORY_PATHS = [
    ("新媒体", "36kr", "资讯"),
    ("新媒体", "36kr", "快讯"),
    ("科技", "芯片", "制造"),
    ("商业", "电商", "直播"),
]


def vocabulary(rng):
    filler = {"".join(rng.choices(FILLER_CHARS, k=rng.choice((2, 2, 3)))) for _ in range(3000)}
    words = WORDS + sorted(filler - set(WORDS))
    # Flat enough that a common word is in about one article in five, as on a real news site.
    weights = [1 / (rank + 300) for rank in range(len(words))]
    return words, list(itertools.accumulate(weights))


def generate_rows(count, seed=20241106):
    """Yield (title, summary, body_html, body_text, published_at) for `count` articles."""
    rng = random.Random(seed)
    words, cumulative = vocabulary(rng)
    rare = set(rng.sample(range(count), min(RARE_ARTICLES, count)))
    start = dt.datetime(2019, 1, 1, tzinfo=dt.UTC)
    for i in range(count):
        paragraphs = [
            "".join(rng.choices(words, cum_weights=cumulative, k=rng.randrange(25, 50))) + "。" for _ in range(4)
        ]
        if i in rare:
            paragraphs[rng.randrange(4)] += f"研究团队展示了{RARE_WORD}电池。"
        title = "".join(rng.choices(words, cum_weights=cumulative, k=rng.randrange(5, 9)))
        body_text = "".join(paragraphs)
        yield (
            f"{title}{i}",
            body_text[:120],
            "".join(f"<p>{p}</p>" for p in paragraphs),
            body_text,
            start + dt.timedelta(minutes=30 * i),
        )


def load(count):
    """Fill the tables of the configured database with `count` published articles and their index."""
    from django.db import connection, transaction
    from django.utils import timezone

    from articles.models import Author, Category, Tag

    migration = importlib.import_module("articles.migrations.0005_search_index")
    author = Author.objects.create(name="基准作者")
    leaves = [Category.objects.get_or_create_path(path).pk for path in CATEGORY_PATHS]
    rng = random.Random(7)
    names = TAGS + sorted({"".join(rng.choices(FILLER_CHARS, k=3)) for _ in range(600)} - set(TAGS))
    tags = [
        tag.pk for tag in Tag.objects.bulk_create([Tag(name=name, slug=f"tag-{i}") for i, name in enumerate(names)])
    ]
    vendor = connection.vendor
    # SQLite keeps naive UTC text; let the backend say how, as the ORM would.
    stamp = connection.ops.adapt_datetimefield_value if vendor == "sqlite" else (lambda value: value)
    now = stamp(timezone.now())
    article_columns = (
        "id, title, slug, author_id, summary, body, status, published_at, edit_version, created_at, "
        "updated_at, allow_comments, source_path, source_hash, source_id, front_matter, seo_title, seo_description, source_archive, language"
    )
    with transaction.atomic(), connection.cursor() as cursor:
        # The index is built once after loading, which is much faster than row by row.
        for statement in migration.SQLITE_BACKWARDS[:3] if vendor == "sqlite" else migration.POSTGRES_BACKWARDS:
            cursor.execute(statement)
        articles, documents, categories, tagged = [], [], [], []
        for pk, (title, summary, body, text, published_at) in enumerate(generate_rows(count), start=1):
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
            categories.append((pk, leaves[pk % len(leaves)]))
            tagged.extend((pk, tag) for tag in rng.sample(tags, 3))
        insert_and_index(cursor, vendor, article_columns, articles, documents, categories, tagged)
    if vendor == "postgresql":
        with connection.cursor() as cursor:
            cursor.execute("VACUUM ANALYZE")
    else:
        with connection.cursor() as cursor:
            cursor.execute("ANALYZE")


def insert_and_index(cursor, vendor, article_columns, articles, documents, categories, tagged):
    """Write the generated rows, then build the search index over them once (as migration 0005)."""
    migration = importlib.import_module("articles.migrations.0005_search_index")
    insert(cursor, "articles_article", article_columns, articles)
    insert(cursor, "articles_searchdocument", "article_id, title, summary, body", documents)
    insert(cursor, "articles_article_categories", "article_id, category_id", categories)
    insert(cursor, "articles_taggedarticle", "content_object_id, tag_id", tagged)
    if vendor == "sqlite":
        cursor.execute(f"INSERT INTO {migration.FTS_TABLE}({migration.FTS_TABLE}) VALUES ('rebuild')")
        for statement in migration.SQLITE_FORWARDS[1:]:
            cursor.execute(statement)
    else:
        # Django's foreign keys are deferred; check them now, as CREATE INDEX requires.
        cursor.execute("SET CONSTRAINTS ALL IMMEDIATE")
        cursor.execute("SET maintenance_work_mem = '256MB'")
        for statement in migration.POSTGRES_FORWARDS:
            cursor.execute(statement)
        cursor.execute(f"SELECT setval(pg_get_serial_sequence('articles_article', 'id'), {len(articles)})")


def insert(cursor, table, columns, rows):
    """Insert `rows` in one COPY on PostgreSQL, in executemany batches on SQLite."""
    from django.db import connection

    if connection.vendor == "postgresql":
        with cursor.cursor.copy(f"COPY {table} ({columns}) FROM STDIN") as copy:
            for row in rows:
                copy.write_row(row)
        return
    marks = ", ".join(["%s"] * len(rows[0]))
    cursor.executemany(f"INSERT INTO {table} ({columns}) VALUES ({marks})", rows)


def time_queries(runs):
    """{label: (search median ms, search p95 ms, page median ms, found)} for each query.

    "search" is what the search adds to a list page: the count, the first 20 results with their
    documents, snippets; "page" is the whole SearchView response, template included.
    """
    from django.core.paginator import Paginator
    from django.test import RequestFactory

    from articles import search
    from articles.models import Article
    from articles.views import SearchView

    view, factory, figures = SearchView.as_view(), RequestFactory(), {}
    for label, query in QUERIES.items():
        search_times, page_times = [], []
        for run in range(runs + 1):
            started = time.perf_counter()
            terms = search.parse_query(query)
            results = search.matching(Article.objects.published(), terms).for_listing()
            page = Paginator(results.select_related("search_document"), 20).get_page(1)
            snippets = [search.snippet([a.search_document.summary, a.search_document.body], terms) for a in page]
            searched = time.perf_counter()
            response = view(factory.get("/search/", {"q": query}))
            response.render()
            if run:  # the first run warms caches and is not counted
                search_times.append((searched - started) * 1000)
                page_times.append((time.perf_counter() - searched) * 1000)
        assert len(snippets) == min(20, page.paginator.count)
        search_times.sort()
        p95 = search_times[max(0, round(0.95 * len(search_times)) - 1)]
        figures[label] = (statistics.median(search_times), p95, statistics.median(page_times), page.paginator.count)
    return figures


def child(count, runs):
    import django

    django.setup()
    started = time.perf_counter()
    load(count)
    print("LOAD", time.perf_counter() - started)
    print("FIGURES", json.dumps(time_queries(runs)))


def prepare(database, workdir):
    env = {
        **os.environ,
        "DJANGO_SECRET_KEY": "bench-only-secret-key-0123456789-abcdefghijklmnopqrstuvwxyz",
        "DJANGO_ALLOWED_HOSTS": "127.0.0.1,localhost,testserver",
        "DJANGO_DEBUG": "0",
    }
    if database == "sqlite":
        url = f"sqlite:///{workdir / 'search_bench.sqlite3'}"
    else:
        url = os.environ.get("BENCH_POSTGRES_URL", "postgres://postgres@127.0.0.1:5432/newsroom_search_bench")
        import psycopg

        name = url.rsplit("/", 1)[1]
        with psycopg.connect(url.rsplit("/", 1)[0] + "/postgres", autocommit=True) as connection:
            connection.execute(f'DROP DATABASE IF EXISTS "{name}"')
            connection.execute(f'CREATE DATABASE "{name}"')
    subprocess.run(
        [sys.executable, "manage.py", "migrate", "--noinput", "-v0"],
        env={**env, "DATABASE_URL": url},
        cwd=ROOT,
        check=True,
    )
    return {**env, "DATABASE_URL": url, "DJANGO_SETTINGS_MODULE": "config.settings_test"}


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--articles", type=int, default=100_000)
    parser.add_argument("--database", choices=["sqlite", "postgres", "both"], default="both")
    parser.add_argument("--runs", type=int, default=20)
    parser.add_argument("--child", action="store_true", help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.child:
        sys.path.insert(0, str(ROOT))
        return child(args.articles, args.runs)
    databases = ["sqlite", "postgres"] if args.database == "both" else [args.database]
    print(
        f"{args.articles} generated articles (~{sum(len(r[3]) for r in generate_rows(200)) // 200} characters of text each), "
        f"{args.runs} runs per query"
    )
    print(
        f"{'database':<10} {'query':<30} {'found':>7} {'search median ms':>17} {'search p95 ms':>14} {'page median ms':>15}"
    )
    with tempfile.TemporaryDirectory() as tmp:
        for database in databases:
            env = prepare(database, Path(tmp))
            command = [sys.executable, __file__, "--child", "--articles", str(args.articles), "--runs", str(args.runs)]
            result = subprocess.run(command, env=env, cwd=ROOT, capture_output=True, text=True)
            if result.returncode:
                raise SystemExit(result.stderr[-3000:])
            lines = dict(
                line.split(" ", 1) for line in result.stdout.splitlines() if line.startswith(("LOAD", "FIGURES"))
            )
            print(f"{database:<10} loading and indexing: {float(lines['LOAD']):.0f} s")
            for label, (median, p95, page, found) in json.loads(lines["FIGURES"]).items():
                print(f"{database:<10} {label:<30} {found:>7} {median:>17.1f} {p95:>14.1f} {page:>15.1f}")


if __name__ == "__main__":
    main()
