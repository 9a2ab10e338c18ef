from django.db import models
from django.db.models import Case, Prefetch, Value
from django.db.models.functions import Cast, Coalesce, Concat
from django.utils import timezone

# How many of the newest articles sharing a tag or category related_to() ranks (see there).
RELATED_CANDIDATES = 500
# From this many articles on, a tag's list pages are read newest first, each article tested for
# the tag (see tagged()); a rarer tag's articles are fetched from its links and sorted. Both cost
# the same for a tag on 2,000 of 100,000 articles (bench/README.md, Scale).
COMMON_TAG_ARTICLES = 2000
# The same for a category and those below it (see in_category()): both ways cost the same at
# about this many filed articles, and walking wins more the more there are (bench/README.md, Scale).
COMMON_CATEGORY_ARTICLES = 2000


class ArticleQuerySet(models.QuerySet):
    def published(self):
        """The only definition of what readers may see: published, its time come, not expired."""
        now = timezone.now()
        return self.filter(status=self.model.Status.PUBLISHED, published_at__lte=now).filter(
            models.Q(expires_at__isnull=True) | models.Q(expires_at__gt=now)
        )

    def scheduled(self):
        return self.filter(status=self.model.Status.PUBLISHED, published_at__gt=timezone.now())

    def awaiting_review(self):
        return self.filter(status=self.model.Status.REVIEW)

    def drafts_of(self, user):
        """`user`'s own drafts: new, withdrawn or sent back."""
        return self.filter(created_by=user, status=self.model.Status.DRAFT)

    def with_latest_move(self):
        """Each article with `latest_move_id` and `latest_verb`: its most recent Transition
        (None and None when it never moved), a subquery per row of the same query."""
        from articles.models import Transition

        latest = Transition.objects.filter(article=models.OuterRef("pk")).order_by("-at", "-id")
        return self.annotate(
            latest_move_id=models.Subquery(latest.values("pk")[:1]),
            latest_verb=models.Subquery(latest.values("verb")[:1]),
        )

    def sent_back(self):
        """Drafts whose latest move was a sending back: the editor's comment waits for the writer."""
        return self.with_latest_move().filter(status=self.model.Status.DRAFT, latest_verb="send_back")

    def visible_to(self, user):
        """The articles `user` may see in the admin: all for editors, their own (any state) for writers."""
        from articles.permissions import can_write

        if not can_write(user):
            return self.none()
        if user.has_perm("articles.edit_any_article"):
            return self
        return self.filter(created_by=user)

    def for_listing(self):
        """What a list page needs, in a fixed number of queries, without the bodies."""
        # Cards show no tags and no hero image: neither is fetched.
        return (
            self.select_related("author", "thumbnail").prefetch_related(_category_names()).defer("body", "front_matter")
        )

    def for_page(self, *, prefetch=True):
        """What the article page needs besides the breadcrumb. `prefetch=False`: its categories
        and tags are left to page_relations.attach(), which reads one article's quicker."""
        rows = self.select_related("author", "hero_image")
        # taggit's manager takes no custom queryset for its prefetch.
        return rows.prefetch_related(_category_names(), "tags") if prefetch else rows

    def in_category(self, category):
        """Articles filed in `category` or anywhere below it, each once; for a category marked
        common by with_category_commonness(), a list page of them is read newest first and each
        article tested for the category (see _PlanDependentCondition)."""
        from articles.models import Article

        Filed = Article.categories.through
        subtree = getattr(category, "subtree_ids", None)
        if subtree is not None:
            # Ids as constants let PostgreSQL weigh each category's own statistics: through the
            # paths it guessed every category at a fixed share of the links, and walked every
            # article for a category that has few.
            links = Filed.objects.filter(category_id__in=subtree)
        else:
            links = Filed.objects.filter(category.descendants_and_self_q(prefix="category__"))
        return self._linked(links, "article_id", common=getattr(category, "is_common", False))

    def periods_with_articles(self, bounds, field="published_at"):
        """The starts of the periods [bounds[i], bounds[i+1]) holding an article of this queryset; one query.

        Per period one index seek (the first article from its start on, compared with its end),
        where `dates()` would truncate the date of every article (a Python function a row on SQLite).
        """
        from django.db import connections

        connection = connections[self.db]
        parts, params = [], []
        for start, end in zip(bounds, bounds[1:]):
            first = self.filter(**{f"{field}__gte": start}).order_by(field).values(field)[:1]
            sql, first_params = first.query.sql_with_params()
            parts.append(f"({sql}) < %s")
            params.extend([*first_params, connection.ops.adapt_datetimefield_value(end)])
        if not parts:
            return []
        with connection.cursor() as cursor:
            cursor.execute("SELECT " + ", ".join(parts), params)
            found = cursor.fetchone()
        return [start for start, there in zip(bounds, found) if there]

    def tagged(self, tag):
        """Articles tagged `tag`; for a tag marked common by with_commonness(), a list page of
        them is read newest first and each article tested for the tag (see _PlanDependentCondition)."""
        from articles.models import TaggedArticle

        # Its ids first even when rare: as a join, SQLite walks every article testing each for
        # the tag.
        links = TaggedArticle.objects.filter(tag=tag)
        return self._linked(links, "content_object_id", common=getattr(tag, "is_common", False))

    def _linked(self, links, column, *, common):
        """The articles that `links` (rows pointing at articles by `column`) point at: their
        ids fetched first, or for a `common` subject tested per article (_PlanDependentCondition)."""
        fetched = models.Q(pk__in=links.values(column))
        if not common:
            return self.filter(fetched)
        walked = models.Exists(links.filter(**{column: models.OuterRef("pk")}))
        return self.filter(_PlanDependentCondition(walked=walked, fetched=fetched))

    def listed_after(self, published_at, pk):
        """The articles a newest-first list shows after the one published at `published_at`
        with id `pk` (ties are ordered by id, as the list orders them)."""
        return self.filter(models.Q(published_at__lt=published_at) | models.Q(published_at=published_at, pk__lt=pk))

    def for_feed(self):
        """What a feed item needs, bodies included, newest first, in a fixed number of queries."""
        return self.for_page().defer("front_matter").order_by("-published_at", "-id")

    def no_longer_public(self):
        """Articles readers could see once and no longer can: unpublished, archived or expired."""
        now = timezone.now()
        Status = self.model.Status
        was_live = models.Q(published_at__lte=now) & (
            models.Q(expires_at__isnull=True) | models.Q(expires_at__gt=models.F("published_at"))
        )
        taken_down = models.Q(status__in=[Status.UNPUBLISHED, Status.ARCHIVED])
        expired = models.Q(status=Status.PUBLISHED, expires_at__lte=now)
        return self.filter(was_live & (taken_down | expired))

    def related_to(self, article, limit=4, candidates=RELATED_CANDIDATES):
        """Up to `limit` published articles sharing tags or categories with `article`, in one query:
        most shared tags first, then most shared categories, then newest.

        Only the newest `candidates` articles that share anything are ranked: a tag on every
        article would otherwise make each page count the links of the whole archive.
        """
        from articles.models import TaggedArticle

        Filed = self.model.categories.through
        its_tags = TaggedArticle.objects.filter(content_object_id=article.pk).values("tag_id")
        its_categories = Filed.objects.filter(article_id=article.pk).values("category_id")
        tag_links = TaggedArticle.objects.filter(tag_id__in=its_tags)
        category_links = Filed.objects.filter(category_id__in=its_categories)

        def shared(links, owner):
            counted = links.filter(**{owner: models.OuterRef("pk")}).order_by().values(owner)
            return Coalesce(models.Subquery(counted.annotate(n=models.Count("*")).values("n")), 0)

        sharing = (
            self.model.objects.published()
            .filter(
                models.Q(pk__in=tag_links.values("content_object_id"))
                | models.Q(pk__in=category_links.values("article_id"))
            )
            .exclude(pk=article.pk)
            .order_by("-published_at", "-id")
            .values("pk")[:candidates]
        )
        return (
            self.filter(pk__in=sharing)
            .annotate(
                shared_tags=shared(tag_links, "content_object_id"),
                shared_categories=shared(category_links, "article_id"),
            )
            .order_by("-shared_tags", "-shared_categories", "-published_at", "-id")[:limit]
        )

    # bulk_create(), bulk_update() and update() skip save() and post_save: they must neither skip
    # the sanitizer nor leave cached pages, parts or search documents behind (articles_written()).
    # False only inside bulk_update(), which reports its writes once for all its batches.
    _reports_writes = True

    def _clone(self):
        clone = super()._clone()
        clone._reports_writes = self._reports_writes
        return clone

    def bulk_create(
        self,
        objs,
        batch_size=None,
        ignore_conflicts=False,
        update_conflicts=False,
        update_fields=None,
        unique_fields=None,
    ):
        objs = list(objs)
        for obj in objs:
            obj.prepare_for_save()
        created = super().bulk_create(
            objs,
            batch_size=batch_size,
            ignore_conflicts=ignore_conflicts,
            update_conflicts=update_conflicts,
            update_fields=update_fields,
            unique_fields=unique_fields,
        )
        for obj in created:
            if obj.pk is not None and getattr(obj, "_body_image_ids", None):
                obj.record_body_images(adding=True)
        if not created:
            return created
        if ignore_conflicts or update_conflicts:
            # A row that conflicted kept its text (all of it, or the columns not updated), and
            # ignored conflicts leave every object without its id: the rows are found by their
            # slugs (unique, and set by prepare_for_save()) and read back.
            written = self.model._default_manager.using(self.db).filter(slug__in=[obj.slug for obj in created])
            articles_written(self.db, list(written.values_list("pk", flat=True)))
        else:
            articles_written(self.db, [obj.pk for obj in created], stored=created, created=True)
        return created

    def update(self, **kwargs):
        if "body" in kwargs:
            kwargs["body"] = _sanitized_body(kwargs["body"])
        if not self._reports_writes:
            return super().update(**kwargs)
        written = list(self.values_list("pk", flat=True))
        count = super().update(**kwargs)
        if written:
            articles_written(self.db, written, fields=set(kwargs))
        return count

    def bulk_update(self, objs, fields, batch_size=None):
        objs = tuple(objs)
        # Django's bulk_update() calls update() once a batch, which would read each batch's ids
        # and report it on its own: reported once, here, its objects being the rows written.
        unreported = self._chain()
        unreported._reports_writes = False
        count = super(ArticleQuerySet, unreported).bulk_update(objs, fields, batch_size=batch_size)
        if objs:
            articles_written(unreported.db, [obj.pk for obj in objs], fields=set(fields))
        return count


def article_saved(sender, instance, created=False, update_fields=None, using=None, **kwargs):
    """post_save of an article (raw saves included): what any other write of its row does."""
    articles_written(using, [instance.pk], update_fields, stored=[instance], created=created)


def articles_written(using, pks, fields=None, *, stored=None, created=False):
    """Do for article rows written without post_save what a save's receivers do for its row.

    `fields` are the columns written (None: all of them, as for new rows); `stored`, when the
    caller holds the written articles exactly as the database now has them, spares reading them
    back for the index; `created`: they are new rows (whose documents may wait for a batch, see
    SearchDocumentManager.in_batches()).
    """
    from articles import caching, fragments
    from articles.models.search import SearchDocument, rewrites_index

    if not (created and caching.gathering()):
        # A new row is in no kept part yet: no reader saw its id before it committed. Outside
        # gathered bumps (an import) its key moves all the same, spent only once per save there.
        fragments.articles_changed(pks, using)
    caching.content_changed(using=using)  # last, as fragments._versions relies on
    if rewrites_index(fields):
        documents = SearchDocument.objects.db_manager(using)
        if stored is None:
            documents.index_stored(pks)
        elif created:
            documents.index_new(stored)
        else:
            documents.index(stored)


class _PlanDependentCondition(models.Expression):
    """A condition written two ways: `walked`, tested on each row, for an ordered read that a
    LIMIT stops on SQLite; `fetched`, which lists the matching ids, for anything else.

    SQLite starts from a subquery's ids whenever it can, then sorts them all: for a common tag,
    thousands of rows sorted to show 20. Asked row by row it walks
    `article_live_idx` newest first instead and stops at the page. A count or a whole list is
    quickest from the ids (its rows need no order), and PostgreSQL weighs both plans itself.
    """

    conditional = True
    output_field = models.BooleanField()

    def __init__(self, walked, fetched):
        super().__init__()
        self.walked, self.fetched = walked, fetched

    def get_source_expressions(self):
        return [self.walked, self.fetched]

    def set_source_expressions(self, expressions):
        self.walked, self.fetched = expressions

    def as_sql(self, compiler, connection):
        query = compiler.query
        ordered = query.order_by or (query.default_ordering and query.get_meta().ordering)
        walk = connection.vendor == "sqlite" and query.is_sliced and ordered
        return compiler.compile(self.walked if walk else self.fetched)


def with_commonness(tags):
    """`tags`, each with `is_common`: whether COMMON_TAG_ARTICLES articles or more carry it.

    Asked in the query that fetches the tag, and stopping at that many links, so it costs a tag
    page no query and the same time whatever the tag's size.
    """
    from articles.models import TaggedArticle

    links = TaggedArticle.objects.filter(tag=models.OuterRef("pk"))
    return tags.annotate(is_common=_at_least(links, COMMON_TAG_ARTICLES))


def _at_least(rows, count):
    """A condition: `rows` hold `count` rows or more, read no further than that."""
    return models.Exists(rows[count - 1 : count])


def with_category_commonness(categories):
    """`categories`, each with `is_common`: whether COMMON_CATEGORY_ARTICLES links or more are
    filed in it or below it (an article in two of them counts twice: this only picks a plan).

    Asked in the query that fetches the categories, stopping at that many links, as
    with_commonness() does for tags.
    """
    from articles.models import Article

    below = models.Q(category__path=models.OuterRef("path")) | models.Q(
        category__path__startswith=Concat(models.OuterRef("path"), models.Value("/"))
    )
    links = Article.categories.through.objects.filter(below).order_by()
    return categories.annotate(is_common=_at_least(links, COMMON_CATEGORY_ARTICLES))


def live_counts(categories, up_to):
    """{category id: the live articles (published()) filed in it or below it, an article in two
    of its subcategories counted once, counted no further than `up_to`}, for `categories` from
    the kept tree (each knows its `subtree_ids`, see with_subtree_ids()); one query.

    Bounded as the list pages' counts are: each category reads at most `up_to` of its links, by
    the category index, so the query costs the same at 1,000 articles as at 100,000.
    """
    from django.db import connections

    from articles.models import Article

    categories = list(categories)
    if not categories:
        return {}
    live = Article.objects.published()
    parts, params = [], []
    for category in categories:
        links = Article.categories.through.objects.filter(
            models.Exists(live.filter(pk=models.OuterRef("article_id"))), category_id__in=category.subtree_ids
        )
        sql, link_params = links.order_by().values("article_id").distinct()[:up_to].query.sql_with_params()
        parts.append(f"(SELECT COUNT(*) FROM ({sql}) counted)")
        params.extend(link_params)
    with connections[live.db].cursor() as cursor:
        cursor.execute("SELECT " + ", ".join(parts), params)
        return dict(zip((category.pk for category in categories), cursor.fetchone()))


def with_subtree_ids(categories):
    """`categories`, a whole tree, each given `subtree_ids`: its own id and those of every
    category below it, which in_category() then lists as constants."""
    by_path = {category.path: category for category in categories}
    for category in by_path.values():
        category.subtree_ids = []
    for category in by_path.values():
        for path in category.ancestor_paths():
            if path in by_path:
                by_path[path].subtree_ids.append(category.pk)
    return list(by_path.values())


def _category_names():
    """The prefetch of an article's categories with just what links to them need."""
    from articles.models import Category

    return Prefetch("categories", queryset=Category.objects.only("name", "path"))


def _sanitized_body(value):
    """`value` with its HTML cleaned: plain text, or the CASE of literals that bulk_update() builds."""
    from articles.bodies import stored_body

    if isinstance(value, str):
        return stored_body(value)[0]
    if isinstance(value, Cast) and isinstance(value.get_source_expressions()[0], Case):
        # PostgreSQL's bulk_update() wraps its CASE in a cast to the column type.
        value.set_source_expressions([_sanitized_body(value.get_source_expressions()[0])])
        return value
    if isinstance(value, Case) and all(isinstance(when.result, Value) for when in value.cases):
        for when in value.cases:
            when.result = Value(stored_body(when.result.value)[0], output_field=when.result.output_field)
        return value
    # Any other expression (F(), Concat(), a subquery) could assemble markup the policy never saw.
    raise TypeError("Article bodies can only be updated with text, so that they can be sanitized.")


def live_counts_by_category(categories):
    """{category id: how many published articles are filed in it or below it, each once}, for
    `categories`, a whole tree given subtree_ids (with_subtree_ids()); two queries.

    A category with none below it is counted from its own links, all in one grouped query; one
    with some, by its distinct articles over its subtree (an article may be filed at two levels).
    """
    from django.db.models import Count

    from articles.models import Article

    links = Article.categories.through.objects.filter(article__in=Article.objects.published().values("pk")).order_by()
    leaves = [category.pk for category in categories if len(category.subtree_ids) == 1]
    counts = dict.fromkeys((category.pk for category in categories), 0)
    counts.update(links.filter(category_id__in=leaves).values_list("category_id").annotate(n=Count("*")))
    parents = {category.pk: category.subtree_ids for category in categories if len(category.subtree_ids) > 1}
    if parents:
        counts.update(
            (int(name), count)
            for name, count in links.aggregate(
                **{
                    str(pk): Count("article_id", distinct=True, filter=models.Q(category_id__in=subtree))
                    for pk, subtree in parents.items()
                }
            ).items()
        )
    return counts


def with_live_article_count(subjects, articles_of):
    """`subjects` (tags or authors) with `article_count`, how many published articles each has,
    and only those with some; `articles_of`: the field of Article that points at a subject. A
    subquery a row, counted for the rows read until a page is full, not for every subject."""
    from articles.models import Article

    counted = (
        Article.objects.published()
        .filter(**{articles_of: models.OuterRef("pk")})
        .order_by()
        .values(articles_of)
        .annotate(n=models.Count("*"))
        .values("n")
    )
    return subjects.annotate(article_count=Coalesce(models.Subquery(counted), 0)).filter(article_count__gt=0)
