"""The search index: SearchDocument, and the index over it that suits the database in use.

SQLite: an FTS5 table with the trigram tokenizer (substring matching, as Chinese needs: it has
no spaces between words), reading its text from articles_searchdocument (external content, so
the text is stored once) and kept in step with it by three triggers.

PostgreSQL: pg_trgm GIN indexes on UPPER(title), UPPER(summary) and UPPER(body) — the very
expression Django's `icontains` compares, so the ORM's own lookup uses them (for terms of three
or more characters; see articles.search).
"""

import django.db.models.deletion
from django.contrib.postgres.operations import TrigramExtension
from django.db import migrations, models

FTS_TABLE = "articles_search_fts"
COLUMNS = "title, summary, body"
SQLITE_FORWARDS = [
    f"CREATE VIRTUAL TABLE {FTS_TABLE} USING fts5({COLUMNS}, content='articles_searchdocument', "
    "content_rowid='article_id', tokenize='trigram')",
    f"CREATE TRIGGER {FTS_TABLE}_insert AFTER INSERT ON articles_searchdocument BEGIN "
    f"INSERT INTO {FTS_TABLE}(rowid, {COLUMNS}) VALUES (new.article_id, new.title, new.summary, new.body); END",
    f"CREATE TRIGGER {FTS_TABLE}_delete AFTER DELETE ON articles_searchdocument BEGIN "
    f"INSERT INTO {FTS_TABLE}({FTS_TABLE}, rowid, {COLUMNS}) "
    "VALUES ('delete', old.article_id, old.title, old.summary, old.body); END",
    f"CREATE TRIGGER {FTS_TABLE}_update AFTER UPDATE ON articles_searchdocument BEGIN "
    f"INSERT INTO {FTS_TABLE}({FTS_TABLE}, rowid, {COLUMNS}) "
    "VALUES ('delete', old.article_id, old.title, old.summary, old.body); "
    f"INSERT INTO {FTS_TABLE}(rowid, {COLUMNS}) VALUES (new.article_id, new.title, new.summary, new.body); END",
]
SQLITE_BACKWARDS = [
    f"DROP TRIGGER IF EXISTS {FTS_TABLE}_insert",
    f"DROP TRIGGER IF EXISTS {FTS_TABLE}_delete",
    f"DROP TRIGGER IF EXISTS {FTS_TABLE}_update",
    f"DROP TABLE IF EXISTS {FTS_TABLE}",
]
POSTGRES_FORWARDS = [
    f"CREATE INDEX search_{column}_trgm ON articles_searchdocument USING gin (UPPER({column}) gin_trgm_ops)"
    for column in ("title", "summary", "body")
]
POSTGRES_BACKWARDS = [f"DROP INDEX IF EXISTS search_{column}_trgm" for column in ("title", "summary", "body")]


def _run(schema_editor, statements):
    for statement in statements.get(schema_editor.connection.vendor, []):
        schema_editor.execute(statement)


def create_index(apps, schema_editor):
    _run(schema_editor, {"sqlite": SQLITE_FORWARDS, "postgresql": POSTGRES_FORWARDS})


def drop_index(apps, schema_editor):
    _run(schema_editor, {"sqlite": SQLITE_BACKWARDS, "postgresql": POSTGRES_BACKWARDS})


def index_existing_articles(apps, schema_editor):
    """Articles written before this migration get their documents (the triggers fill FTS5)."""
    from articles.text import plain_text

    Article = apps.get_model("articles", "Article")
    SearchDocument = apps.get_model("articles", "SearchDocument")
    rows = Article.objects.values_list("pk", "title", "summary", "body").iterator(chunk_size=500)
    batch = []
    for pk, title, summary, body in rows:
        batch.append(SearchDocument(article_id=pk, title=title, summary=summary, body=plain_text(body)))
        if len(batch) == 500:
            SearchDocument.objects.bulk_create(batch)
            batch = []
    SearchDocument.objects.bulk_create(batch)


class Migration(migrations.Migration):
    dependencies = [("articles", "0004_image_library")]

    operations = [
        # Only acts on PostgreSQL; the test database's user is a superuser, as the migrating one must be.
        TrigramExtension(),
        migrations.CreateModel(
            name="SearchDocument",
            fields=[
                (
                    "article",
                    models.OneToOneField(
                        on_delete=django.db.models.deletion.CASCADE,
                        primary_key=True,
                        related_name="search_document",
                        serialize=False,
                        to="articles.article",
                    ),
                ),
                ("title", models.TextField()),
                ("summary", models.TextField(blank=True)),
                ("body", models.TextField(blank=True)),
            ],
            options={"verbose_name": "search document"},
        ),
        migrations.RunPython(create_index, drop_index),
        migrations.RunPython(index_existing_articles, migrations.RunPython.noop),
    ]
