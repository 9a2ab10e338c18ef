"""Print what feeds and sitemaps cost: SQL queries, milliseconds and bytes, at two newsroom sizes.

Usage: .venv/bin/python bench/feeds_bench.py [--articles 5000]  (about five minutes for 5000)
Builds a throwaway SQLite database (or uses DATABASE_URL if set to a scratch PostgreSQL database).
Each figure is the median of five requests after one warm-up request.
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
scratch = Path(tempfile.mkdtemp()) / "feeds.sqlite3"
os.environ.setdefault("DATABASE_URL", f"sqlite:///{scratch}")
# The rendering is measured: the page cache in front of it would answer repeats in a millisecond.
os.environ["NEWSROOM_PAGE_CACHE"] = "0"

import django  # noqa: E402

django.setup()

from django.core.management import call_command  # noqa: E402
from django.db import connection  # noqa: E402
from django.test import Client  # noqa: E402
from django.test.utils import CaptureQueriesContext  # noqa: E402
from django.utils import timezone  # noqa: E402

from articles.models import Article, Image, Tag, TaggedArticle  # noqa: E402
from articles.tests.factories import make_author, make_category_path  # noqa: E402

# About 11 KB of HTML, as the legacy archive's bodies are.
BODY = "".join(f'<p>第{i}段：芯片、电商与云计算的新闻正文。<a href="/tag/ai/">AI</a></p>' for i in range(160))
URLS = [
    "/feed/",
    "/feed/atom/",
    "/category/ke-ji/feed/",
    "/tag/ai/feed/",
    "/sitemap.xml",
    "/sitemap-articles.xml",
    "/sitemap-categories.xml",
    "/sitemap-tags.xml",
    "/sitemap-authors.xml",
    "/sitemap-news.xml",
]


def add_articles(count, start, authors, leaves, tags, images):
    now = timezone.now()
    articles = Article.objects.bulk_create(
        Article(
            title=f"基准文章{n}",
            slug=f"bench-{n}",
            author=authors[n % len(authors)],
            body=BODY,
            status=Article.Status.PUBLISHED,
            published_at=now - dt.timedelta(minutes=30 * n + 1),
            hero_image=images[n % len(images)],
        )
        for n in range(start, start + count)
    )
    Article.categories.through.objects.bulk_create(
        Article.categories.through(article=article, category=leaves[i % len(leaves)])
        for i, article in enumerate(articles)
    )
    TaggedArticle.objects.bulk_create(
        TaggedArticle(content_object=article, tag=tag)
        for i, article in enumerate(articles)
        for tag in (tags[0], tags[1 + i % (len(tags) - 1)])
    )


def measure(client):
    figures = {}
    for url in URLS:
        client.get(url)
        timings = []
        for _ in range(5):
            with CaptureQueriesContext(connection) as queries:
                started = time.perf_counter()
                response = client.get(url)
                timings.append(time.perf_counter() - started)
            assert response.status_code == 200, (url, response.status_code)
        figures[url] = (len(queries), statistics.median(timings) * 1000, len(response.content))
    return figures


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("--articles", type=int, default=5000)
    options = parser.parse_args()
    call_command("migrate", verbosity=0)
    authors = [make_author(f"基准作者{i}") for i in range(20)]
    leaves = [make_category_path("科技", "芯片", f"子类{i}") for i in range(10)]
    tags = [Tag.objects.create(name="AI", slug="ai")] + [
        Tag.objects.create(name=f"标签{i}", slug=f"tag-{i}") for i in range(200)
    ]
    images = [Image.objects.create(source_url=f"https://img.example.com/bench/{i}.jpg") for i in range(50)]
    small_size = 100
    add_articles(small_size, 0, authors, leaves, tags, images)
    client = Client()
    small = measure(client)
    add_articles(options.articles - small_size, small_size, authors, leaves, tags, images)
    large = measure(client)
    print(f"database: {connection.vendor}; median of 5 requests; queries / ms / KiB")
    print(f"{'url':<24} {small_size:>6} articles {'':>12} {options.articles:>6} articles")
    for url in URLS:
        (q1, ms1, b1), (q2, ms2, b2) = small[url], large[url]
        print(
            f"{url:<24} {q1:>3} q {ms1:>7.1f} ms {b1 / 1024:>7.1f} KiB   {q2:>3} q {ms2:>7.1f} ms {b2 / 1024:>7.1f} KiB"
        )


if __name__ == "__main__":
    main()
