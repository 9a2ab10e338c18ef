"""Indexes for 100,000 articles (bench/scale_bench.py, bench/README.md "Scale").

article_live_idx gains the id (lists order ties by it: no sort step) and expires_at, the last
column published() reads, so counting live articles and checking a period for them read the index
alone; tagged_article_by_tag_idx gives a tag's article ids without visiting the table. ANALYZE
last: SQLite's planner ignores an index it has no statistics for when others have them.
"""

from django.db import migrations, models


class Migration(migrations.Migration):
    dependencies = [("articles", "0005_search_index")]

    operations = [
        migrations.RemoveIndex(model_name="article", name="article_live_idx"),
        migrations.AddIndex(
            model_name="article",
            index=models.Index(fields=["status", "-published_at", "-id", "expires_at"], name="article_live_idx"),
        ),
        migrations.AddIndex(
            model_name="taggedarticle",
            index=models.Index(fields=["tag", "content_object"], name="tagged_article_by_tag_idx"),
        ),
        migrations.RunSQL("ANALYZE", migrations.RunSQL.noop),
    ]
