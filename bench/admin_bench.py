"""Admin benchmark: the article list, an article's change page and the front page (dashboard),
as an editor and as a writer, at 10,000 articles: server time and SQL queries per page.

Usage:
    .venv/bin/python bench/admin_bench.py [--articles 10000] [--runs 9] [--workdir DIR [--reuse]]

Builds a throwaway SQLite database (in --workdir, or a temporary directory) of generated
articles (bench/search_bench.py's titles and bodies) written straight into the tables: half of
them the writer's, in every state the front page lists (drafts, sent back, in review, scheduled,
published), each with the moves that put it there, 3 of 30 tags and a 3-level category each, a
library of 1,000 images (one in ten without alternative text), and unread notifications. Then
GETs each page in-process with django.test.Client, logged in as the editor and as the writer,
`--runs` times after one warm-up, and prints the median server time and the queries of the last
run. `--reuse` times a database a previous run left in --workdir, without loading it again.
"""

import argparse
import datetime as dt
import os
import random
import statistics
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path[:0] = [str(ROOT), str(ROOT / "bench")]

import search_bench  # noqa: E402  (its generated articles and its bulk insert)

TAG_COUNT = 30
IMAGES = 1000
NOTIFICATIONS = 40
# Of every 100 articles: which state, and so which moves (the rest are published).
STATES = {0: "draft", 1: "draft", 2: "sent_back", 3: "review", 4: "review", 5: "scheduled"}
PAGES = ("article list", "article change page", "front page (dashboard)")


def load(count):
    """Fill the configured database with `count` articles, their moves, links, images and notifications."""
    from django.contrib.auth import get_user_model
    from django.contrib.auth.models import Group
    from django.db import connection, transaction
    from django.utils import timezone

    from articles.models import Author, Category, Image, Notification, Tag
    from articles.permissions import EDITOR_GROUP, WRITER_GROUP

    User = get_user_model()
    writer = User.objects.create_user("writer", password="bench-password", first_name="李明")
    writer.groups.add(Group.objects.get(name=WRITER_GROUP))  # staff, and a byline of their own
    editor = User.objects.create_user("editor", password="bench-password", first_name="王编辑")
    editor.groups.add(Group.objects.get(name=EDITOR_GROUP))
    byline, staff_byline = Author.objects.get(user=writer).pk, Author.objects.create(name="编辑部").pk
    leaves = [
        Category.objects.get_or_create_path(("科技", middle, leaf)).pk
        for middle in ("芯片", "人工智能", "云")
        for leaf in ("制造", "设计", "封装")
    ]
    tags = [
        tag.pk for tag in Tag.objects.bulk_create([Tag(name=f"标签{i}", slug=f"tag-{i}") for i in range(TAG_COUNT)])
    ]
    images = Image.objects.bulk_create(
        [
            Image(
                source_url=f"https://img.example.com/bench/{i}.jpg",
                title=f"图 {i}",
                alt_text="" if i % 10 == 0 else f"说明 {i}",
            )
            for i in range(IMAGES)
        ]
    )
    rng = random.Random(11)
    stamp = connection.ops.adapt_datetimefield_value
    now = timezone.now()
    articles, filed, tagged, moves = [], [], [], []
    for pk, (title, summary, body, _text, published_at) in enumerate(search_bench.generate_rows(count), start=1):
        mine = pk % 2 == 0
        state = STATES.get(pk % 100, "published") if mine else "published"
        status = {"sent_back": "draft", "scheduled": "published"}.get(state, state)
        if state == "scheduled":
            published_at = now + dt.timedelta(hours=pk)
        elif state != "published":
            published_at = None
        updated = now - dt.timedelta(minutes=count - pk)
        articles.append((
            pk, title, f"bench-{pk}", byline if mine else staff_byline, summary, body, status,
            stamp(published_at) if published_at else None, 1, stamp(updated), stamp(updated), True, "", "", "", "{}",
            writer.pk if mine else editor.pk, images[pk % IMAGES].pk, "", "",
        ))  # fmt: skip
        filed.append((pk, leaves[pk % len(leaves)]))
        tagged.extend((pk, tag) for tag in rng.sample(tags, 3))
        at = stamp(updated)
        if state in {"sent_back", "review"} or (mine and status == "published"):
            moves.append((pk, "draft", "review", "submit", writer.pk, at, "请审阅", None))
        if state == "sent_back":
            moves.append((pk, "review", "draft", "send_back", editor.pk, at, "请补充数据来源", None))
        if mine and status == "published":
            moves.append((pk, "review", "published", "publish", editor.pk, at, "", stamp(published_at)))
    with transaction.atomic(), connection.cursor() as cursor:
        columns = (
            "id, title, slug, author_id, summary, body, status, published_at, edit_version, created_at, updated_at, "
            "allow_comments, source_path, source_hash, source_id, front_matter, created_by_id, thumbnail_id, "
            "seo_title, seo_description"
        )
        search_bench.insert(cursor, "articles_article", columns, articles)
        search_bench.insert(cursor, "articles_article_categories", "article_id, category_id", filed)
        search_bench.insert(cursor, "articles_taggedarticle", "content_object_id, tag_id", tagged)
        search_bench.insert(
            cursor,
            "articles_transition",
            "article_id, from_status, to_status, verb, by_id, at, comment, publish_at",
            moves,
        )
    Notification.objects.bulk_create(
        [
            Notification(recipient=person, article_id=2 * (i + 1), actor=editor, verb="publish")
            for i in range(NOTIFICATIONS)
            for person in (writer, editor)
        ]
    )
    with connection.cursor() as cursor:
        cursor.execute("ANALYZE")


def time_pages(runs):
    """{(page, role): (median ms, queries)} for each page, as the editor and as the writer."""
    from django.contrib.auth import get_user_model
    from django.db import connection
    from django.test import Client
    from django.test.utils import CaptureQueriesContext
    from django.urls import reverse

    from articles.models import Article

    User = get_user_model()
    # A writer's draft sent back: both may open it, the writer may still edit it.
    article = Article.objects.sent_back().filter(created_by__username="writer").order_by("pk").first()
    urls = dict(zip(PAGES, (
        reverse("admin:articles_article_changelist"),
        reverse("admin:articles_article_change", args=[article.pk]),
        reverse("admin:index"),
    )))  # fmt: skip
    figures = {}
    for role in ("editor", "writer"):
        client = Client()
        client.force_login(User.objects.get(username=role))
        for page, url in urls.items():
            times = []
            for run in range(runs + 1):  # one warm-up
                with CaptureQueriesContext(connection) as captured:
                    began = time.perf_counter()
                    response = client.get(url)
                    elapsed = (time.perf_counter() - began) * 1000
                if response.status_code != 200:
                    raise SystemExit(f"{role}: {url} answered {response.status_code}")
                if run:
                    times.append(elapsed)
            figures[page, role] = (statistics.median(times), len(captured.captured_queries))
    return figures


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--articles", type=int, default=10_000)
    parser.add_argument("--runs", type=int, default=9)
    parser.add_argument("--workdir", type=Path, help="keep the SQLite database here (default: a temporary directory)")
    parser.add_argument("--reuse", action="store_true", help="time the database a previous run left in --workdir")
    args = parser.parse_args()
    if args.reuse and not args.workdir:
        parser.error("--reuse needs --workdir")
    workdir = args.workdir or Path(tempfile.mkdtemp(prefix="admin_bench_"))
    workdir.mkdir(parents=True, exist_ok=True)
    database = workdir / f"admin_bench_{args.articles}.sqlite3"
    if not args.reuse:
        database.unlink(missing_ok=True)
    os.environ.update(
        DATABASE_URL=f"sqlite:///{database}", DJANGO_SETTINGS_MODULE="config.settings_test", NEWSROOM_PAGE_CACHE="0"
    )

    import django

    django.setup()
    from django.core.management import call_command

    from articles.models import Article

    call_command("migrate", verbosity=0)
    if not Article.objects.exists():
        started = time.perf_counter()
        load(args.articles)
        print(f"loaded {args.articles:,} articles in {time.perf_counter() - started:.0f} s ({database})")
    print(f"{Article.objects.count():,} articles; median of {args.runs} GETs, in-process (django.test.Client)")
    figures = time_pages(args.runs)
    print("| page | editor: ms | editor: queries | writer: ms | writer: queries |")
    print("| --- | --- | --- | --- | --- |")
    for page in PAGES:
        (editor_ms, editor_queries), (writer_ms, writer_queries) = figures[page, "editor"], figures[page, "writer"]
        print(f"| {page} | {editor_ms:.1f} | {editor_queries} | {writer_ms:.1f} | {writer_queries} |")


if __name__ == "__main__":
    main()
