"""Articles as the API tells them, kept per article as the pages' parts are (articles.fragments).

An article's representation is a pure function of its row, its category and tag links, the rows
it shows (author, categories, tags, hero image), the settings and the code that writes it. So it
is kept as a part, under the article's version, the shared version and the release that
fragments.KeptParts key parts on, and under a digest of that code (CODE_MODULES), so that a deploy
changing how an article is told uses new keys. Which articles a list holds, and whether an
article is live, are still asked of the database on every request: a kept representation says
how an article is told, never whether it is shown.
"""

import functools
import hashlib
import json
from pathlib import Path

from articles import fragments, seo, text
from articles.models import Article

from . import serializers

# What a representation is written by.
CODE_MODULES = (serializers, seo, text)


@functools.cache
def code_digest():
    digest = hashlib.sha256()
    for module in CODE_MODULES:
        digest.update(Path(module.__file__).read_bytes())
    return digest.hexdigest()[:12]


def listed_fields(articles):
    """`articles` reading only what a list needs when representations are kept (the cursor's
    fields), else everything a summary shows."""
    if fragments.enabled():
        return articles.only("pk", "published_at")
    return articles.for_page().defer("body", "front_matter")


def summaries(articles):
    """The list's articles (read by listed_fields()) as ArticleSummarySerializer tells them."""
    if not fragments.enabled():
        return serializers.ArticleSummarySerializer(articles, many=True).data
    return _kept(
        [article.pk for article in articles],
        "summary",
        serializers.ArticleSummarySerializer,
        Article.objects.for_page().defer("body", "front_matter"),
    )


def whole(pk):
    """The live article `pk` as ArticleSerializer tells it, or None if it is not live."""
    live = Article.objects.published().filter(pk=pk)
    if not fragments.enabled():
        article = live.for_page().first()
        return None if article is None else serializers.ArticleSerializer(article).data
    return told(pk) if live.exists() else None


def told(pk):
    """The article `pk`, known to be live, as ArticleSerializer tells it."""
    if not fragments.enabled():
        return serializers.ArticleSerializer(Article.objects.for_page().get(pk=pk)).data
    (data,) = _kept([pk], "whole", serializers.ArticleSerializer, Article.objects.for_page()) or [None]
    return data


def _kept(pks, kind, serializer_class, fetch):
    """The representations of the articles `pks`, in order: those kept, and the others made from
    `fetch` (one read for them all, with their links) and kept. Rows are read after their
    versions, so that a change committed in between is never kept under the newer version."""
    name = f"api-{kind}-{code_digest()}"
    parts = fragments.KeptParts(pks, (name,))
    made = {}
    missing = parts.missing(name, pks)
    if missing:
        for article in fetch.filter(pk__in=missing):
            made[article.pk] = serializer_class(article).data
            parts.store(name, article.pk, json.dumps(made[article.pk], ensure_ascii=False, separators=(",", ":")))
    told = []
    for pk in pks:
        if pk in made:
            told.append(made[pk])
        elif pk not in missing:
            told.append(json.loads(parts.markup(name, pk)))
        # else: deleted since the list was read
    return told
