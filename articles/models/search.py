from django.db import models
from django.db.models.signals import post_save
from django.dispatch import receiver

from articles.text import plain_text

from .article import Article

# What a SearchDocument copies from its article; a save that touches none of them (publishing,
# unpublishing: the state is checked at query time) leaves the index alone.
INDEXED_FIELDS = frozenset({"title", "summary", "body"})


class SearchDocumentManager(models.Manager):
    def index(self, article):
        """Write `article`'s searchable text in one INSERT … ON CONFLICT DO UPDATE statement."""
        self.bulk_create(
            [self.model.for_article(article)],
            update_conflicts=True,
            unique_fields=["article"],
            update_fields=sorted(INDEXED_FIELDS),
        )


class SearchDocument(models.Model):
    """An article's searchable plain text, one row an article, whatever the article's state.

    The index over it is made by migration 0005 for the database in use (see articles.search):
    on SQLite the FTS5 table `articles_search_fts` (trigram tokenizer), kept in step with this
    table by triggers — a table remake of this model by a later migration would drop them, so
    re-create them there; on PostgreSQL GIN trigram indexes on UPPER() of each column, which is
    what `icontains` compares. Tags and categories are not copied: search reads their own small
    tables, so a renamed tag or category, or links written with bulk_create(), are found at once.
    """

    article = models.OneToOneField(
        Article, on_delete=models.CASCADE, primary_key=True, related_name="search_document"
    )
    title = models.TextField()
    summary = models.TextField(blank=True)
    body = models.TextField(blank=True)

    objects = SearchDocumentManager()

    class Meta:
        verbose_name = "search document"

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


@receiver(post_save, sender=Article)
def index_saved_article(sender, instance, update_fields, **kwargs):
    """Every save that may change the article's text rewrites its document (raw saves included)."""
    if update_fields is None or INDEXED_FIELDS & set(update_fields):
        SearchDocument.objects.index(instance)
