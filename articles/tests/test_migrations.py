"""Data migrations, run forwards on data written by the models as they were before."""

import pytest
from django.db import connection
from django.db.migrations.executor import MigrationExecutor

BEFORE_FEED_SLUG = ("articles", "0007_search_index_merges")
FEED_SLUG = ("articles", "0008_category_feed_slug_only_at_the_root")


@pytest.mark.django_db(transaction=True)
def test_subcategories_slugged_feed_are_renamed_with_their_descendants():
    executor = MigrationExecutor(connection)
    executor.migrate([BEFORE_FEED_SLUG])
    Category = executor.loader.project_state([BEFORE_FEED_SLUG]).apps.get_model("articles", "Category")
    root = Category.objects.create(name="科技", slug="ke-ji", path="ke-ji", depth=0)
    Category.objects.create(name="占用", slug="feed-2", path="ke-ji/feed-2", depth=1, parent=root)
    feed = Category.objects.create(name="Feed", slug="feed", path="ke-ji/feed", depth=1, parent=root)
    Category.objects.create(name="下级", slug="xia-ji", path="ke-ji/feed/xia-ji", depth=2, parent=feed)
    Category.objects.create(name="订阅", slug="feed", path="feed", depth=0)  # a root keeps its slug
    if connection.vendor == "sqlite":
        with connection.cursor() as cursor:
            cursor.execute("ANALYZE")

    executor = MigrationExecutor(connection)
    executor.migrate([FEED_SLUG])
    Category = executor.loader.project_state([FEED_SLUG]).apps.get_model("articles", "Category")
    assert sorted(Category.objects.values_list("path", "slug")) == [
        ("feed", "feed"),
        ("ke-ji", "ke-ji"),
        ("ke-ji/feed-2", "feed-2"),
        ("ke-ji/feed-3", "feed-3"),
        ("ke-ji/feed-3/xia-ji", "xia-ji"),
    ]
    if connection.vendor == "sqlite":
        # The constraint copied the table; the copy is analyzed again, or its queries lose their plans.
        with connection.cursor() as cursor:
            cursor.execute("SELECT COUNT(*) FROM sqlite_stat1 WHERE tbl = 'articles_category'")
            assert cursor.fetchone()[0] > 0
    executor = MigrationExecutor(connection)
    executor.migrate(executor.loader.graph.leaf_nodes())
