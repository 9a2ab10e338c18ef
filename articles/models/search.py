import contextlib
import threading
from itertools import islice

from django.db import models
from django.utils.translation import gettext_lazy as _

from articles.text import plain_text

from .article import Article

# What a SearchDocument copies from its article; a save that touches none of them (publishing,
# unpublishing: the state is checked at query time) leaves the index alone.
INDEXED_FIELDS = frozenset({"title", "summary", "body"})
# Articles indexed together: one bulk write each (and one read back, where the rows must be
# read), so that re-indexing the whole archive never holds more bodies than this in memory.
INDEX_BATCH = 500
# New articles an import indexes together (SearchDocumentManager.in_batches()): as quick for FTS5
# as larger batches, and the articles waiting hold their bodies in memory.
IMPORT_BATCH = 100


def rewrites_index(fields):
    """Whether a write of `fields` (None: every column, as for a new row) may change the text."""
    return fields is None or bool(INDEXED_FIELDS & set(fields))


# Per thread and database: the new articles whose documents wait for their batch (see in_batches()).
_waiting = threading.local()


class SearchDocumentManager(models.Manager):
    @contextlib.contextmanager
    def in_batches(self):
        """Within: the documents of new articles wait, and are written IMPORT_BATCH at a time
        whenever the caller, between its transactions, asks (IndexBatches.write_full()), and at the end.

        For imports: SQLite's FTS5 writes its index far quicker for many documents at once than
        one document a transaction. Changed articles are still indexed at once: their old document
        must never outlive them. A run stopped before its last batch leaves new articles without
        a document; the next run writes them first (index_missing()), as `rebuild_search_index` would.
        """
        if self.db in _waiting.__dict__:  # already batching: the outer block writes
            yield _waiting.__dict__[self.db]
            return
        self.index_missing()
        batches = _waiting.__dict__[self.db] = IndexBatches(self)
        try:
            yield batches
        finally:
            del _waiting.__dict__[self.db]
            batches.write()

    def index_new(self, articles):
        """Index new `articles`: now, or with their batch when in_batches() is open."""
        batches = _waiting.__dict__.get(self.db)
        if batches is None:
            return self.index(articles)
        batches.hold(articles)

    def index_missing(self):
        """Index the articles that have no document; how many there were."""
        missing = list(Article.objects.using(self.db).filter(search_document__isnull=True).values_list("pk", flat=True))
        self.index_stored(missing)
        return len(missing)

    def index(self, articles):
        """Write the searchable text of `articles` as they are in memory; how many were written.

        One INSERT … ON CONFLICT DO UPDATE per INDEX_BATCH articles (Django splits it in three on
        SQLite, whose statements take 999 parameters), so new and changed articles are written alike.
        """
        articles, written = iter(articles), 0
        while batch := list(islice(articles, INDEX_BATCH)):
            written += len(
                self.bulk_create(
                    [self.model.for_article(article) for article in batch],
                    update_conflicts=True,
                    unique_fields=["article"],
                    update_fields=sorted(INDEXED_FIELDS),
                )
            )
        return written

    def index_stored(self, pks):
        """Write the searchable text of the articles `pks` as the database now holds them.

        For writes that leave no complete instance behind (update(), bulk_update()): each batch
        of ids is read back in one query, then indexed.
        """
        stored = Article.objects.using(self.db).only("pk", *INDEXED_FIELDS).order_by()
        pks = list(pks)
        for start in range(0, len(pks), INDEX_BATCH):
            self.index(stored.filter(pk__in=pks[start : start + INDEX_BATCH]))


class IndexBatches:
    """New articles whose documents wait to be written together (SearchDocumentManager.in_batches())."""

    def __init__(self, documents):
        self.documents = documents
        self.waiting = []

    def hold(self, articles):
        self.waiting.extend(articles)

    def write_full(self):
        """Write the waiting documents if they make a batch. Call it outside any transaction of
        theirs: an article whose transaction was rolled back is then gone, and is left out."""
        if len(self.waiting) >= IMPORT_BATCH:
            self.write()

    def write(self):
        waiting, self.waiting = self.waiting, []
        stored = (
            set(
                Article.objects.using(self.documents.db)
                .filter(pk__in=[article.pk for article in waiting])
                .values_list("pk", flat=True)
            )
            if waiting
            else set()
        )
        self.documents.index(article for article in waiting if article.pk in stored)


class SearchDocument(models.Model):
    """An article's searchable plain text, one row an article, whatever the article's state.

    The index over it is made by migration 0005 for the database in use (see articles.search):
    on SQLite the FTS5 table `articles_search_fts` (trigram tokenizer), kept in step with this
    table by triggers — a table remake of this model by a later migration would drop them, so
    re-create them there; on PostgreSQL GIN trigram indexes on UPPER() of each column, which is
    what `icontains` compares. Tags and categories are not copied: search reads their own small
    tables, so a renamed tag or category, or links written with bulk_create(), are found at once.
    """

    article = models.OneToOneField(Article, on_delete=models.CASCADE, primary_key=True, related_name="search_document")
    title = models.TextField()
    summary = models.TextField(blank=True)
    body = models.TextField(blank=True)

    objects = SearchDocumentManager()

    class Meta:
        # Named before the project wrote its strings in Chinese: the English msgid is kept, so
        # that the migrations' state does not change; locale/zh_Hans has its Chinese name.
        verbose_name = _("search document")

    def __str__(self):
        return self.title

    @classmethod
    def for_article(cls, article):
        """The (unsaved) document for `article`: its title, summary and the body's plain text."""
        return cls(article=article, title=article.title, summary=article.summary, body=_plain_body(article))


def remember_plain_body(article, body_html, text):
    """Tell the index that `text` is plain_text(`body_html`), derived elsewhere (an import worker).

    Used only while the article's body is exactly `body_html`: the one process that writes an
    import then does not parse every 11 KB body a second time.
    """
    if text is not None:
        article._known_plain_body = (body_html, text)


def _plain_body(article):
    known = getattr(article, "_known_plain_body", None)
    if known is not None and known[0] == article.body:
        return known[1]
    return plain_text(article.body)
