"""List pages whose cost does not grow with the archive: a capped count, a bounded run of pages.

Django's Paginator counts every row (`COUNT(*)` over all live articles on every list page) and
reaches page N with `OFFSET (N-1)*20`. Here the count stops PAGES_AHEAD pages past the page asked
for (`SELECT COUNT(*) FROM (SELECT … LIMIT cap)`), so the first pages — where readers are — cost
the same at 1,000 articles as at 100,000. A list shows MAX_PAGES pages at most; the last of them
links on to the articles listed after its last one (`?before=<id>`: an index seek, with no OFFSET
and no count of what came before), where the next run of pages starts, so every article stays
reachable without a page costing more as the archive grows. `?page=last` is the run's last page:
when the run holds the whole list, read from its other end (the reversed order, no OFFSET).
"""

import hashlib

from django.core.paginator import EmptyPage, PageNotAnInteger, Paginator
from django.db import router
from django.http import Http404
from django.utils import timezone
from django.utils.functional import SimpleLazyObject, cached_property

LAST = "last"
# The parameter that continues a list after the article with this id (see listed_after()).
BEFORE = "before"
# How many pages past the current one the count looks; their links stay exact within it.
PAGES_AHEAD = 4
# How many pages one run of a list holds; the last links on to the next run.
MAX_PAGES = 25


class BoundedPaginator(Paginator):
    """A Paginator whose count reads at most PAGES_AHEAD pages past the page asked for."""

    pages_ahead = PAGES_AHEAD

    def __init__(self, *args, pages_ahead=None, count_cap=None, ids_only=False, count_name=None, **kwargs):
        """`count_cap`: the list is cut there (a search's ranked candidates), so on every page the
        count stops there and, reaching it, reads "cap+".

        `ids_only`: the page's objects are wanted by id only (the cards render themselves, see
        articles.fragments): one query then reads the ids from the list's start to one past the
        count's limit, which gives both the page and the count.

        `count_name`: the full count (for `?page=last`) and the leading ids are kept under that
        name and the content version (caching.kept_per_content_version), instead of read on every visit.
        """
        super().__init__(*args, **kwargs)
        if pages_ahead is not None:
            self.pages_ahead = pages_ahead
        self.count_cap = count_cap
        self.ids_only = ids_only
        self.count_name = count_name
        self.count_limit = None  # None: count everything

    @cached_property
    def count(self):
        """The number of objects, or the cap when there are more (then `count_is_exact` is False)."""
        if self.count_limit is None:
            return self._full_count()
        return min(self._counted, self.count_limit)

    @cached_property
    def _counted(self):
        """The objects up to one past the count's limit, which tells "more" from "exactly the limit"."""
        if self.ids_only:
            return len(self._leading_ids)

        def read():
            return self.object_list.order_by()[: self.count_limit + 1].count()

        if self.count_name is None:
            return read()
        from articles import caching

        return caching.kept_per_content_version(f"{self.count_name}:count:{self.count_limit}", read)

    @property
    def is_cut(self):
        """Whether the list holds more than its cap (known once the count has reached the cap)."""
        return self.count_cap is not None and self.count_limit == self.count_cap and self._counted > self.count_cap

    def _full_count(self):
        if self.count_name is None:
            return self.object_list.count()
        from articles import caching

        return caching.kept_per_content_version(self.count_name, self.object_list.count)

    @cached_property
    def _leading_ids(self):
        def read():
            return list(self.object_list.values_list("pk", flat=True)[: self.count_limit + 1])

        if self.count_name is None:
            return read()
        from articles import caching

        # Which articles a list holds changes only with the content (or the schedule): kept as
        # the count is, under the content version.
        return caching.kept_per_content_version(f"{self.count_name}:ids:{self.count_limit}", read)

    @cached_property
    def count_is_exact(self):
        return self.count_limit is None or self.count < self.count_limit

    def page(self, number):
        """Page `number` (1-based) or, for "last", the run's last page (see last_page())."""
        if number == LAST:
            return self.last_page()
        number = self._positive(number)
        if self.count_limit is None and "count" not in self.__dict__:
            self.count_limit = (number + self.pages_ahead) * self.per_page
            if self.count_cap is not None:
                self.count_limit = min(self.count_limit, self.count_cap)
        if not self.ids_only or self.count_limit is None:
            return super().page(number)
        number = self.validate_number(number)
        bottom = (number - 1) * self.per_page
        top = min(bottom + self.per_page, self.count)
        return self._get_page(self._by_id(self._leading_ids[bottom:top]), number, self)

    def _by_id(self, ids):
        """Instances that hold their id only (any other field is read when asked for)."""
        model, db = self.object_list.model, self.object_list.db
        return [model.from_known_values({"id": pk}, db) for pk in ids]

    def _check_object_list_is_ordered(self):
        if not isinstance(self.object_list, LazyListQuerySet):  # else not built yet: checked when read
            super()._check_object_list_is_ordered()

    def last_page(self):
        """The run's last page: of a list cut at its cap, the cap's page; else the list's oldest
        articles, fetched in reverse order with LIMIT instead of a deep OFFSET."""
        self.count_limit = self.count_cap
        number = self.num_pages
        if self.is_cut or self.ids_only:  # within the cap, or ids read with the count: as any other page
            return self.page(number)
        on_last = self.count - (number - 1) * self.per_page
        if on_last <= 0:
            return self._get_page([], number, self)
        return self._get_page(list(reversed(self.object_list.reverse()[:on_last])), number, self)

    def _positive(self, number):
        try:
            number = int(number)
        except (TypeError, ValueError):
            raise PageNotAnInteger(self.error_messages["invalid_page"]) from None
        if number < 1:
            raise EmptyPage(self.error_messages["min_page"])
        return number


class LazyListQuerySet(SimpleLazyObject):
    """A list's queryset, built by `build()` when first used; its `model` and `db` are known before.

    Building a queryset (published() and a subject's filters) cost a list page more than its
    kept cards: a page whose ids are kept (BoundedPaginator's count_name) builds none at all.
    """

    def __init__(self, model, build):
        super().__init__(build)
        # Past LazyObject.__setattr__, which would build it; `db` as a queryset reads it.
        self.__dict__.update(model=model, db=router.db_for_read(model))


class BoundedPaginationMixin:
    """For ListView and the date archives: BoundedPaginator, `?page=N` or `?page=last`, else 404."""

    paginator_class = BoundedPaginator
    pages_ahead = PAGES_AHEAD
    max_pages = MAX_PAGES
    # Whether the list is newest first by publication, so that `?before=` can continue it.
    continues = True

    def get_count_cap(self):
        """How many objects the list's pages show at most (see BoundedPaginator); None: all."""
        return self.max_pages * self.paginate_by

    def listed_after(self, queryset, before):
        """(`queryset` from the article after the published one with id `before`, that id); else Http404."""
        if not self.continues:
            raise Http404(f"This list does not take {BEFORE}=.")
        try:
            pk = int(before)
        except ValueError:
            raise Http404(f"{BEFORE}={before!r} is not an article id") from None
        anchor = queryset.model.objects.filter(pk=pk, published_at__lte=timezone.now())
        published_at = anchor.values_list("published_at", flat=True).first()
        if published_at is None:
            raise Http404(f"No published article {pk} to list from.")
        return queryset.listed_after(published_at, pk), pk

    def lists_ids_only(self):
        """Whether the page's objects are wanted by id only (see BoundedPaginator)."""
        return False

    def count_name(self):
        """The name the full count is kept under: the list's address without its page number
        (and without any parameter the page does not read, which would only multiply names)."""
        from articles.caching import read_query

        others = read_query(self.request)
        others.pop(self.page_kwarg, None)
        digest = hashlib.sha256(f"{self.request.path}?{others.urlencode()}".encode()).hexdigest()
        return f"count:{digest[:32]}"

    def paginate_queryset(self, queryset, page_size):
        after = None
        if BEFORE in self.request.GET:
            queryset, after = self.listed_after(queryset, self.request.GET[BEFORE])
        paginator = self.get_paginator(
            queryset,
            page_size,
            allow_empty_first_page=self.get_allow_empty(),
            pages_ahead=self.pages_ahead,
            count_cap=self.get_count_cap(),
            ids_only=self.lists_ids_only(),
            count_name=self.count_name(),
        )
        number = self.request.GET.get(self.page_kwarg) or 1
        try:
            page = paginator.page(number)
        except (EmptyPage, PageNotAnInteger) as error:
            raise Http404(f"No page {number}: {error}") from error
        # The run's last page of a list cut at its cap goes on after its last article.
        page.continues_after = None
        if self.continues and not page.has_next() and paginator.is_cut:
            page.object_list = list(page.object_list)
            page.continues_after = page.object_list[-1].pk if page.object_list else None
        page.listed_after = after  # the id the run starts after; None: the list's first run
        return paginator, page, page.object_list, page.has_other_pages() or after is not None
