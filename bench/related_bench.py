"""Print what related articles cost: the related_to() query and the whole article page, in SQL
queries and milliseconds, at two archive sizes.

Usage: .venv/bin/python bench/related_bench.py [--articles 20000]
Builds a throwaway SQLite database (or uses DATABASE_URL if set to a scratch PostgreSQL database).
Every article carries one tag that all share ("AI", the worst case for candidates) and two of 200
others, in one of ten categories. Each figure is the median of seven runs after one warm-up.
"""

import argparse
import datetime as dt
import os
import statistics
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings_test")
scratch = Path(tempfile.mkdtemp()) / "related.sqlite3"
os.environ.setdefault("DATABASE_URL", f"sqlite:///{scratch}")

import django  # noqa: E402

django.setup()

from django.core.cache import cache  # noqa: E402
from django.core.management import call_command  # noqa: E402
from django.db import connection  # noqa: E402
from django.test import Client  # noqa: E402
from django.test.utils import CaptureQueriesContext  # noqa: E402
from django.utils import timezone  # noqa: E402

from articles.models import Article, Tag, TaggedArticle  # noqa: E402
from articles.tests.factories import make_author, make_category_path  # noqa: E402

RUNS = 7


def add_articles(count, start, author, leaves, tags):
    now = timezone.now()
    articles = Article.objects.bulk_create(
        Article(
            title=f"基准文章{n}",
            slug=f"bench-{n}",
            author=author,
            body="<p>芯片、电商与云计算的新闻正文。</p>",
            status=Article.Status.PUBLISHED,
            published_at=now - dt.timedelta(minutes=30 * n + 1),
        )
        for n in range(start, start + count)
    )
    Article.categories.through.objects.bulk_create(
        Article.categories.through(article=article, category=leaves[(start + i) % len(leaves)])
        for i, article in enumerate(articles)
    )
    TaggedArticle.objects.bulk_create(
        TaggedArticle(content_object=article, tag=tag)
        for i, article in enumerate(articles, start)
        for tag in {tags[0], tags[1 + i % 200], tags[1 + (i * 7) % 200]}
    )


def median_ms(action):
    action()
    timings = []
    for _ in range(RUNS):
        started = time.perf_counter()
        action()
        timings.append((time.perf_counter() - started) * 1000)
    return statistics.median(timings)


def measure(client):
    article = Article.objects.order_by("-published_at").first()
    with CaptureQueriesContext(connection) as queries:
        related = list(Article.objects.related_to(article))
    related_queries = len(queries)
    related_ms = median_ms(lambda: list(Article.objects.related_to(article)))
    url = article.get_absolute_url()

    def uncached_page():
        # Pages may be cached; the figure is what building one costs.
        cache.clear()
        return client.get(url)

    with CaptureQueriesContext(connection) as queries:
        assert uncached_page().status_code == 200
    page_queries = len(queries)
    page_ms = median_ms(uncached_page)
    assert len(related) == 4
    return related_queries, related_ms, page_queries, page_ms


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("--articles", type=int, default=20000)
    options = parser.parse_args()
    call_command("migrate", verbosity=0)
    author = make_author("基准作者")
    leaves = [make_category_path("科技", f"子类{i}") for i in range(10)]
    tags = [Tag.objects.create(name="AI", slug="ai")] + [
        Tag.objects.create(name=f"标签{i}", slug=f"tag-{i}") for i in range(200)
    ]
    small_size = 1000
    add_articles(small_size, 0, author, leaves, tags)
    client = Client()
    small = measure(client)
    add_articles(options.articles - small_size, small_size, author, leaves, tags)
    large = measure(client)
    print(f"database: {connection.vendor}; median of {RUNS} runs")
    print(f"{'':<16} {small_size:>6} articles       {options.articles:>6} articles")
    for label, index in (("related_to()", 0), ("article page", 2)):
        print(
            f"{label:<16} {small[index]:>2} q {small[index + 1]:>7.1f} ms   "
            f"{large[index]:>2} q {large[index + 1]:>7.1f} ms"
        )


if __name__ == "__main__":
    main()
