"""SQLite: the FTS5 search table merges its segments 16 at a time instead of 4 (bench/README.md,
"Import after the search index").

Each committed transaction that writes documents adds a segment to the FTS5 index, and FTS5
merges segments of a level once `automerge` of them are there: at 4, every trigram of a document
is rewritten about log4(documents) times, which made the FTS5 write of an 11 KB Chinese body
(~3,300 distinct trigrams) cost 6–8 ms at a few thousand articles, and more as the index grows.
At 16 it is rewritten half as often: ~3.6 ms a document. A query then reads up to 15 segments of
a level instead of 3; measured at 3,000 articles, a phrase MATCH went from 0.14 to 0.26 ms.

A cheaper `detail=column` or `detail=none` table is no option: with the trigram tokenizer a term
of four or more characters is a phrase of trigrams, and FTS5 refuses phrase queries there
("fts5: phrase queries are not supported (detail!=full)").

PostgreSQL: nothing to do (its GIN indexes have no such setting worth changing, see docs/search.md).
"""

from django.db import migrations

FTS_TABLE = "articles_search_fts"


def _set_automerge(schema_editor, segments):
    if schema_editor.connection.vendor == "sqlite":
        schema_editor.execute(f"INSERT INTO {FTS_TABLE}({FTS_TABLE}, rank) VALUES ('automerge', %s)", [segments])


def merge_sixteen(apps, schema_editor):
    _set_automerge(schema_editor, 16)


def merge_four(apps, schema_editor):
    _set_automerge(schema_editor, 4)  # FTS5's default


class Migration(migrations.Migration):
    dependencies = [("articles", "0006_scale_indexes")]

    operations = [migrations.RunPython(merge_sixteen, merge_four)]
