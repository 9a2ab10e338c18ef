"""An article page's categories and tags, read with statements compiled once a process.

Contract: attach(article) leaves `article` as `prefetch_related(_category_names(), "tags")`
(querysets.for_page()) leaves it — article.categories.all() and article.tags.all() give the
same rows with the same fields in the same order, and neither asks the database again — by
running the two statements that prefetch compiles for one article: the categories' ordered by
path (as Category orders them), the tags' as taggit's prefetch statement gives them (it is
that statement). Their SQL depends on nothing but the article's id, so it is compiled once per
database rather than on every page: building and compiling both prefetches cost an article page
rendered in full more than anything but its template.
"""

import functools

from django.db import router
from django.db.models.query import get_prefetcher

from .models import Article, Category, Tag

# The id the statements are compiled for; each run puts the article's own in its place.
STAND_IN_PK = 987654321


def attach(article):
    """`article` with its categories and tags read (see the contract above); returns it."""
    categories_sql, tags_sql, tag_params = _statements(article._state.db or router.db_for_read(Article))
    pk = article.pk
    categories = list(Category.objects.db_manager(article._state.db).raw(categories_sql, [pk]))
    tags = list(Tag.objects.db_manager(article._state.db).raw(tags_sql, [pk] * tag_params))
    cache = article.__dict__.setdefault("_prefetched_objects_cache", {})
    # As prefetch_related() keeps them: the related manager's queryset (narrowed as the prefetch
    # was, for the categories), already read.
    for name, queryset, rows in (
        ("categories", article.categories._apply_rel_filters(_category_fields()), categories),
        ("tags", article.tags.get_queryset(), tags),
    ):
        queryset._result_cache, queryset._prefetch_done = rows, True
        cache[name] = queryset
    return article


def _category_fields():
    return Category.objects.only("name", "path")


@functools.cache
def _statements(using):
    """(categories' SQL, tags' SQL, how many parameters the tags' takes), for database `using`."""
    stand_in = Article(pk=STAND_IN_PK)
    stand_in._state.db = using
    categories = _category_fields().using(using).filter(articles=STAND_IN_PK)
    categories_sql, categories_params = categories.query.sql_with_params()
    # The prefetcher prefetch_related() itself asks (taggit's manager of the class, not of an
    # article: its statement differs), so that the rows come in the order that one gives them.
    prefetcher = get_prefetcher(stand_in, "tags", "tags")[0]
    tags = prefetcher.get_prefetch_querysets([stand_in])[0].using(using)
    tags_sql, tags_params = tags.query.sql_with_params()
    assert list(categories_params) == [STAND_IN_PK] and set(tags_params) == {STAND_IN_PK}
    return categories_sql, tags_sql, len(tags_params)
