"""Print the SQL queries each reader page costs, at two sizes of newsroom.

Usage: .venv/bin/python bench/query_counts.py
Builds a throwaway SQLite database (or uses DATABASE_URL if set to a scratch PostgreSQL database).
"""

import datetime as dt
import os
import sys
import tempfile
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings_test")
scratch = Path(tempfile.mkdtemp()) / "queries.sqlite3"
os.environ.setdefault("DATABASE_URL", f"sqlite:///{scratch}")

import django  # noqa: E402

django.setup()

from django.core.management import call_command  # noqa: E402
from django.db import connection  # noqa: E402
from django.test import Client  # noqa: E402
from django.test.utils import CaptureQueriesContext  # noqa: E402
from django.utils import timezone  # noqa: E402

from articles.tests.factories import make_article, make_author, make_category_path, make_image  # noqa: E402


def add_articles(count, author, leaves, start):
    for i in range(count):
        make_article(
            f"基准文章{start + i}",
            author=author,
            categories=[leaves[i % len(leaves)]],
            tags=["电商", f"标签{start + i}", "芯片"],
            thumbnail=make_image(),
            hero_image=make_image(),
            published_at=timezone.now() - dt.timedelta(hours=start + i + 1),
        )


def measure(urls):
    client = Client()
    counts = {}
    for label, url in urls:
        with CaptureQueriesContext(connection) as queries:
            status = client.get(url).status_code
        assert status == 200, (url, status)
        counts[label] = len(queries)
    return counts


def main():
    call_command("migrate", verbosity=0)
    author = make_author("基准作者")
    leaves = [make_category_path("新媒体", "36kr", "资讯"), make_category_path("科技", "芯片", "制造")]
    add_articles(25, author, leaves, 0)
    first = make_article("最新文章", author=author, categories=leaves, tags=["电商", "AI", "云"])
    day = timezone.localdate(first.published_at)
    urls = [
        ("article page", first.get_absolute_url()),
        ("home", "/"),
        ("home, page 2", "/?page=2"),
        ("category (leaf)", leaves[0].get_absolute_url()),
        ("category (root)", "/category/xin-mei-ti/"),
        ("tag", "/tag/dian-shang/"),
        ("author", author.get_absolute_url()),
        ("year archive", f"/{day.year}/"),
        ("month archive", f"/{day.year}/{day.month:02d}/"),
    ]
    small = measure(urls)
    add_articles(100, author, leaves, 25)
    large = measure(urls)
    print(f"{'page':<18} {'26 articles':>12} {'126 articles':>13}")
    for label, _ in urls:
        print(f"{label:<18} {small[label]:>12} {large[label]:>13}")


if __name__ == "__main__":
    main()
