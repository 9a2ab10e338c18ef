"""Reader-facing pages. Each asks `Article.objects.published()` and nothing else for what is live."""

import calendar
import datetime as dt

from django.conf import settings
from django.core.exceptions import BadRequest
from django.http import Http404
from django.shortcuts import get_object_or_404, render
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils import timezone
from django.utils.functional import SimpleLazyObject
from django.views.generic import DetailView, ListView, TemplateView
from django.views.generic.dates import MonthArchiveView, YearArchiveView

from . import caching, fragments, page_relations, search, search_results
from .models import Article, Author, Tag
from .navigation import (
    ancestors_and_self,
    categories_by_path,
    category_children,
    live_article_counts,
    shown_count,
)
from .pagination import BoundedPaginationMixin, LazyListQuerySet
from .querysets import with_commonness
from .seo import absolute_url

GONE_TEMPLATE = "410.html"


def gone_page(request):
    """410 Gone, styled like the site: an address readers once had whose article is no longer public."""
    return render(request, GONE_TEMPLATE, status=410)


class CardListMixin:
    """For pages listing article_cards: with parts kept, the list reads ids only (one query
    for the page and its count, see BoundedPaginator) and the article_cards tag fetches the
    articles whose cards it must render; else the list fetches everything cards show."""

    shows_cards = True

    def lists_ids_only(self):
        return self.shows_cards and fragments.enabled()

    def listed(self, articles):
        return articles.only("pk") if self.lists_ids_only() else articles.for_listing()


class ArticleListView(CardListMixin, BoundedPaginationMixin, ListView):
    """Newest first, paginated; subclasses narrow the queryset and add their subject."""

    context_object_name = "articles"
    paginate_by = settings.NEWSROOM["PAGE_SIZE"]

    def get_queryset(self):
        self.find_subject()
        if self.lists_ids_only():
            # Its ids are kept under the content version (BoundedPaginator's count_name): the
            # query that reads them is built only when they must be read again.
            return LazyListQuerySet(Article, self.listed_articles)
        return self.listed_articles()

    def find_subject(self):
        """What the list is of (a category, a tag, an author, a query); Http404 if nothing."""

    def listed_articles(self):
        return self.listed(self.narrow(Article.objects.published()))

    def narrow(self, articles):
        return articles


class HomeView(ArticleListView):
    template_name = "articles/article_home.html"


class CategoryView(ArticleListView):
    template_name = "articles/category_detail.html"

    def find_subject(self):
        self.category = categories_by_path().get(self.kwargs["path"].strip("/"))
        if self.category is None:
            raise Http404("No category at this address.")

    def narrow(self, articles):
        return articles.in_category(self.category)

    def get_context_data(self, **kwargs):
        return super().get_context_data(
            category=self.category,
            breadcrumbs=ancestors_and_self(self.category),
            subcategories=self.subcategories(),
            **kwargs,
        )

    def subcategories(self):
        """[(child, its live articles)] of the category, in the editors' order."""
        children = category_children().get(self.category.pk, [])
        counts = live_article_counts(parent=self.category.pk) if children else {}
        return [(child, shown_count(counts.get(child.pk, 0))) for child in children]


class CategoryListView(TemplateView):
    """`/category/`: the whole category tree, each category with its live articles."""

    template_name = "articles/category_list.html"

    def get_context_data(self, **kwargs):
        counts, children = live_article_counts(), category_children()

        def branch(category):
            below = [branch(child) for child in children.get(category.pk, [])]
            return {"category": category, "count": shown_count(counts.get(category.pk, 0)), "children": below}

        return super().get_context_data(category_tree=[branch(root) for root in children.get(None, [])], **kwargs)


class TagView(ArticleListView):
    template_name = "articles/tag_detail.html"

    def find_subject(self):
        self.tag = get_object_or_404(with_commonness(Tag.objects.all()), slug=self.kwargs["slug"])

    def narrow(self, articles):
        return articles.tagged(self.tag)

    def get_context_data(self, **kwargs):
        return super().get_context_data(tag=self.tag, **kwargs)


class AuthorView(ArticleListView):
    template_name = "articles/author_detail.html"

    def find_subject(self):
        self.author = get_object_or_404(Author, slug=self.kwargs["slug"])

    def narrow(self, articles):
        return articles.filter(author=self.author)

    def get_context_data(self, **kwargs):
        return super().get_context_data(author=self.author, **kwargs)


class ArchiveMixin(CardListMixin, BoundedPaginationMixin):
    template_name = "articles/article_archive.html"
    date_field = "published_at"
    context_object_name = "articles"
    paginate_by = settings.NEWSROOM["PAGE_SIZE"]
    make_object_list = True
    # Emptiness is judged from the date list the view fetches anyway, saving an EXISTS query.
    allow_empty = True

    def get_queryset(self):
        return self.listed(Article.objects.published())

    def get_year(self):
        year = super().get_year()
        # A period's bounds are local times turned into UTC: at the calendar's first and last
        # year they fall outside what a date can hold, and no article was published then.
        if not dt.MINYEAR < int(year) < dt.MAXYEAR:
            raise Http404("No archive for this year.")
        return year

    def get_date_list(self, queryset, date_type=None, ordering="ASC"):
        """The months (of a year) or days (of a month) with articles, without reading each article."""
        zone = timezone.get_current_timezone()
        year = int(self.get_year())
        if (date_type or self.get_date_list_period()) == "month":
            starts = [dt.datetime(year, month, 1) for month in range(1, 13)] + [dt.datetime(year + 1, 1, 1)]
        else:
            month = int(self.get_month())
            days = calendar.monthrange(year, month)[1]
            following = dt.datetime(year + month // 12, month % 12 + 1, 1)
            starts = [dt.datetime(year, month, day) for day in range(1, days + 1)] + [following]
        # Asked of all live articles: the period's own bounds are the only range on the date.
        return self.get_queryset().periods_with_articles([start.replace(tzinfo=zone) for start in starts])

    def get_dated_items(self):
        date_list, articles, extra = super().get_dated_items()
        if not date_list:
            raise Http404("No articles in this period.")
        return date_list, articles, extra


class YearArchive(ArchiveMixin, YearArchiveView):
    pass


class MonthArchive(ArchiveMixin, MonthArchiveView):
    month_format = "%m"


class ArticleDetailView(DetailView):
    template_name = "articles/article_detail.html"
    context_object_name = "article"
    PARTS = ("head", "content")
    RELATED_TEMPLATE = "includes/related_articles.html"

    def get_queryset(self):
        live = Article.objects.published()
        # With parts kept, the page needs only which article is live here (and its <title>).
        return live.only(*fragments.ADDRESS_FIELDS) if fragments.enabled() else live.for_page(prefetch=False)

    def get(self, request, *args, **kwargs):
        try:
            return super().get(request, *args, **kwargs)
        except Http404:
            # An address readers once had is Gone, not Not Found: search engines drop it sooner.
            # Drafts that were never published stay 404, so the address does not reveal them.
            gone = Article.objects.no_longer_public().filter(slug=kwargs["slug"]).first()
            if gone is not None and gone.get_absolute_url() == request.path:
                return gone_page(request)
            raise

    def get_object(self, queryset=None):
        self.parts, self.address_known = None, False
        article = self.article_at_known_address() if fragments.enabled() else None
        if article is None:
            article = super().get_object(queryset)
            if not fragments.enabled():  # the whole row was read (get_queryset())
                page_relations.attach(article)
            path = article.get_absolute_url()
        else:
            path = self.known_path
        # The date in the URL must be the article's own, so that every article has one address.
        if path != self.request.path:
            raise Http404("No article at this address.")
        return article

    def article_at_known_address(self):
        """The article last seen at this address, if its version has not moved since and it is
        live now (articles.fragments): then the page asks the database nothing."""
        known = fragments.known_address(self.kwargs["slug"])
        if known is None:
            return None
        version, article, self.known_path = known
        self.parts = fragments.KeptParts([article.pk], self.PARTS)
        self.address_known = self.parts.version(article.pk) == version and article.is_published
        return article if self.address_known else None

    def get_context_data(self, **kwargs):
        parts = self.kept_parts() if fragments.enabled() else None
        kwargs["object"] = self.object
        return super().get_context_data(
            article_parts=parts,
            breadcrumbs=SimpleLazyObject(self.breadcrumbs),
            # Other articles' titles and dates: kept under the content version, as pages are.
            related_articles=caching.kept_per_content_version(f"related:{self.object.pk}", self.related_articles),
            **kwargs,
        )

    def kept_parts(self):
        """The page's parts; `self.object` made whole when one of them must be rendered, and the
        address kept for the next request (articles.fragments)."""
        pk = self.object.pk
        # Rows read before the versions were may be older than them: only rows read after them
        # are kept (a change committed in between would otherwise stay unseen).
        read_after_versions = self.parts is not None and self.parts.version(pk) is not None
        parts = self.parts if read_after_versions else fragments.KeptParts([pk], self.PARTS)
        if not parts.complete:  # a part is to be rendered: everything it may show
            self.object = page_relations.attach(Article.objects.for_page(prefetch=False).get(pk=pk))
            read_after_versions = True
        if not self.address_known:
            seen = self.object if read_after_versions else self.address_fields_of(pk)
            if seen is not None and seen.is_published:
                fragments.remember_address(self.kwargs["slug"], parts.version(pk), seen)
        return parts

    @staticmethod
    def address_fields_of(pk):
        return Article.objects.only(*fragments.ADDRESS_FIELDS).filter(pk=pk).first()

    def related_articles(self):
        """The related list's markup (it shows other articles, so it follows every change)."""
        related = Article.objects.only("title", "slug", "published_at").related_to(self.object)
        return render_to_string(self.RELATED_TEMPLATE, {"related_articles": list(related)})

    def breadcrumbs(self):
        """From the site's root to the article's first category (asked only if rendered)."""
        categories = list(self.object.categories.all())
        return ancestors_and_self(categories[0]) if categories else []


class RobotsView(TemplateView):
    """robots.txt: crawlers stay out of the admin and the previews, and find the sitemap index."""

    template_name = "robots.txt"
    content_type = "text/plain; charset=utf-8"

    def get_context_data(self, **kwargs):

        return super().get_context_data(sitemap_url=absolute_url(reverse("articles:sitemap_index")), **kwargs)


class SearchView(ArticleListView):
    """`/search/?q=…`: published articles with every term, best first, each with a marked snippet."""

    template_name = "articles/article_search.html"
    shows_cards = False  # results with snippets of the query
    continues = False  # ranked, not in date order: the ranked candidates are all it lists
    # Count as far as the search ranks (search.RANKED_CANDIDATES): "500+" beyond.
    pages_ahead = search.RANKED_CANDIDATES // settings.NEWSROOM["PAGE_SIZE"] - 1

    def get_count_cap(self):
        # Only the ranked candidates are listed: past page 1 the count must still stop there ("500+").
        return search.RANKED_CANDIDATES

    def find_subject(self):
        query = self.request.GET.get("q", "")
        if "\x00" in query:  # no reader types one; the full-text index and PostgreSQL refuse it
            raise BadRequest("A search cannot hold a NUL character.")
        self.terms = search.parse_query(query)

    def lists_ids_only(self):
        # The ranked ids are kept under the list's count name, the results' markup next to
        # them (articles.search_results): a repeated search ranks and marks nothing.
        return fragments.enabled()

    def narrow(self, articles):
        return search.matching(articles, self.terms, candidates=self.get_count_cap())

    def listed(self, articles):
        return articles.only("pk")  # the results are read by id (articles.search_results)

    def get_context_data(self, **kwargs):
        context = super().get_context_data(
            search_query=self.request.GET.get("q", "").strip(), terms=self.terms, **kwargs
        )
        context["results"] = search_results.results_markup(context["articles"], self.terms, self.count_name())
        return context
