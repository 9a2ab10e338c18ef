"""Reader-facing pages. Each asks `Article.objects.published()` and nothing else for what is live."""
import calendar
import datetime as dt

from django.conf import settings
from django.http import Http404, HttpResponseGone
from django.shortcuts import get_object_or_404
from django.urls import reverse
from django.utils import timezone
from django.views.generic import DetailView, ListView, TemplateView
from django.views.generic.dates import MonthArchiveView, YearArchiveView

from . import caching, search
from .seo import absolute_url
from .models import Article, Author, Category, Tag
from .pagination import BoundedPaginationMixin


def categories_by_path():
    """Every category by its path, queried once a content version: the tree is small, every page
    shows part of it (navigation, breadcrumbs) and it does not change with the clock."""

    def index():
        fields = ("name", "slug", "path", "parent_id", "position", "description")
        return {category.path: category for category in Category.objects.only(*fields)}

    return caching.remembered("categories-by-path", index, follows_published=False)


def ancestors_and_self(category):
    """The chain from the root to `category` (breadcrumbs), from categories_by_path()."""
    known = categories_by_path()
    chain = [known.get(path) for path in category.ancestor_paths()]
    return chain if None not in chain else list(category.get_ancestors_and_self())


class ArticleListView(BoundedPaginationMixin, ListView):
    """Newest first, paginated; subclasses narrow the queryset and add their subject."""

    context_object_name = "articles"
    paginate_by = settings.NEWSROOM["PAGE_SIZE"]

    def get_queryset(self):
        return self.narrow(Article.objects.published()).for_listing()

    def narrow(self, articles):
        return articles


class HomeView(ArticleListView):
    template_name = "articles/article_home.html"


class CategoryView(ArticleListView):
    template_name = "articles/category_detail.html"

    def narrow(self, articles):
        self.category = categories_by_path().get(self.kwargs["path"].strip("/"))
        if self.category is None:
            raise Http404("No category at this address.")
        return articles.in_category(self.category)

    def get_context_data(self, **kwargs):
        return super().get_context_data(
            category=self.category,
            breadcrumbs=ancestors_and_self(self.category),
            **kwargs,
        )


class TagView(ArticleListView):
    template_name = "articles/tag_detail.html"

    def narrow(self, articles):
        self.tag = get_object_or_404(Tag, slug=self.kwargs["slug"])
        return articles.tagged(self.tag)

    def get_context_data(self, **kwargs):
        return super().get_context_data(tag=self.tag, **kwargs)


class AuthorView(ArticleListView):
    template_name = "articles/author_detail.html"

    def narrow(self, articles):
        self.author = get_object_or_404(Author, slug=self.kwargs["slug"])
        return articles.filter(author=self.author)

    def get_context_data(self, **kwargs):
        return super().get_context_data(author=self.author, **kwargs)


class ArchiveMixin(BoundedPaginationMixin):
    template_name = "articles/article_archive.html"
    date_field = "published_at"
    context_object_name = "articles"
    paginate_by = settings.NEWSROOM["PAGE_SIZE"]
    make_object_list = True
    # Emptiness is judged from the date list the view fetches anyway, saving an EXISTS query.
    allow_empty = True

    def get_queryset(self):
        return Article.objects.published().for_listing()

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

    def get_queryset(self):
        return Article.objects.published().for_page()

    def get(self, request, *args, **kwargs):
        try:
            return super().get(request, *args, **kwargs)
        except Http404:
            # An address readers once had is Gone, not Not Found: search engines drop it sooner.
            # Drafts that were never published stay 404, so the address does not reveal them.
            gone = Article.objects.no_longer_public().filter(slug=kwargs["slug"]).first()
            if gone is not None and gone.get_absolute_url() == request.path:
                return HttpResponseGone()
            raise

    def get_object(self, queryset=None):
        article = super().get_object(queryset)
        # The date in the URL must be the article's own, so that every article has one address.
        if article.get_absolute_url() != self.request.path:
            raise Http404("No article at this address.")
        return article

    def get_context_data(self, **kwargs):
        categories = list(self.object.categories.all())
        primary = categories[0] if categories else None
        return super().get_context_data(
            breadcrumbs=ancestors_and_self(primary) if primary else [],
            related_articles=caching.remembered(
                f"related:{self.object.pk}",
                lambda: list(Article.objects.only("title", "slug", "published_at").related_to(self.object)),
            ),
            **kwargs,
        )


class RobotsView(TemplateView):
    """robots.txt: crawlers stay out of the admin and the previews, and find the sitemap index."""

    template_name = "robots.txt"
    content_type = "text/plain; charset=utf-8"

    def get_context_data(self, **kwargs):

        return super().get_context_data(
            sitemap_url=absolute_url(reverse("articles:sitemap_index")), **kwargs
        )


class SearchView(ArticleListView):
    """`/search/?q=…`: published articles with every term, best first, each with a marked snippet."""

    template_name = "articles/article_search.html"
    # Count as far as the search ranks (search.RANKED_CANDIDATES): "1000+" beyond.
    pages_ahead = search.RANKED_CANDIDATES // settings.NEWSROOM["PAGE_SIZE"] - 1

    def narrow(self, articles):
        self.terms = search.parse_query(self.request.GET.get("q", ""))
        return search.matching(articles, self.terms).select_related("search_document")

    def get_context_data(self, **kwargs):
        context = super().get_context_data(
            search_query=self.request.GET.get("q", "").strip(), terms=self.terms, **kwargs
        )
        for article in context["articles"]:
            document = article.search_document
            article.marked_title = search.highlight(article.title, self.terms)
            # The summary is the editors' own description: shown when it holds a term.
            article.snippet = search.snippet([document.summary, document.body], self.terms)
        return context
