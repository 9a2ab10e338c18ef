"""Sitemaps: an index over paginated sections, and a Google News sitemap of the last two days.

Every `items()` asks `Article.objects.published()` when it is called, and the views instantiate
the sections per request, so a scheduled article is listed the moment it goes live. Addresses
are on `NEWSROOM["SITE_URL"]`, never the request's host (the project has no django.contrib.sites),
so that caches and proxies cannot change them.
"""

import datetime as dt
from urllib.parse import urlsplit

from django.conf import settings
from django.contrib.sitemaps import Sitemap
from django.contrib.sitemaps import views as sitemap_views
from django.contrib.sitemaps.views import SitemapIndexItem
from django.db.models import Max
from django.http import Http404
from django.template.response import TemplateResponse
from django.urls import reverse
from django.utils import timezone

from articles.models import Article, Author, Category, Tag
from articles.seo import absolute_url


def last_changed(article):
    """When the article's public page last changed: its last save, or its going live if later.

    A scheduled article was saved before its publication time, yet its page appeared then.
    """
    return max(article.updated_at, article.published_at)


def _latest(*moments):
    moments = [moment for moment in moments if moment is not None]
    return max(moments, default=None)


class PublicSiteSitemap(Sitemap):
    """A section whose addresses are on the public site, whatever host the request came in on."""

    template_name = "sitemaps/sitemap.xml"
    # The protocol allows 50,000 a page; 5,000 render in about a second (bench/feeds_bench.py).
    limit = 5000

    def get_protocol(self, protocol=None):
        return urlsplit(settings.NEWSROOM["SITE_URL"]).scheme

    def get_domain(self, site=None):
        return urlsplit(settings.NEWSROOM["SITE_URL"]).netloc


class ArticleSitemap(PublicSiteSitemap):
    def items(self):
        # Oldest first, so that a new article joins the last page instead of shifting every page.
        return (
            Article.objects.published()
            .only("slug", "published_at", "created_at", "updated_at")
            .order_by("published_at", "id")
        )

    def lastmod(self, article):
        return last_changed(article)

    def get_latest_lastmod(self):
        """The latest change in the section, in one query (the default would load every item)."""
        latest = self.items().aggregate(updated=Max("updated_at"), published=Max("published_at"))
        return _latest(latest["updated"], latest["published"])


def subtree_last_changes(direct):
    """{path: latest change in it or below} from {path: latest change of articles filed right there}."""
    changes = {}
    for path, moment in direct.items():
        parts = path.split("/")
        for depth in range(1, len(parts) + 1):
            ancestor = "/".join(parts[:depth])
            changes[ancestor] = _latest(changes.get(ancestor), moment)
    return changes


class CategorySitemap(PublicSiteSitemap):
    """Categories with live articles in them or below them (a category page lists its descendants')."""

    def items(self):
        direct = (
            Article.categories.through.objects.filter(article__in=Article.objects.published())
            .values_list("category__path")
            .annotate(updated=Max("article__updated_at"), published=Max("article__published_at"))
        )
        changes = subtree_last_changes({path: _latest(updated, published) for path, updated, published in direct})
        categories = list(Category.objects.filter(path__in=changes).only("path").order_by("path"))
        for category in categories:
            category.last_changed = changes[category.path]
        return categories

    def lastmod(self, category):
        return category.last_changed

    def get_latest_lastmod(self):
        latest = (
            Article.objects.published()
            .filter(categories__isnull=False)
            .aggregate(updated=Max("updated_at"), published=Max("published_at"))
        )
        return _latest(latest["updated"], latest["published"])


class _SubjectSitemap(PublicSiteSitemap):
    """Tags or authors with live articles, each with the latest change among them."""

    model = None
    articles = None  # the lookup from the subject to its articles
    has_subject = None  # the filter on articles that have such a subject

    def items(self):
        # filter() before annotate(): the maxima are taken over the live articles only.
        return (
            self.model.objects.filter(**{f"{self.articles}__in": Article.objects.published()})
            .annotate(
                updated=Max(f"{self.articles}__updated_at"),
                published=Max(f"{self.articles}__published_at"),
            )
            .only("slug")
            .order_by("pk")
        )

    def lastmod(self, subject):
        return _latest(subject.updated, subject.published)

    def get_latest_lastmod(self):
        latest = (
            Article.objects.published()
            .filter(**self.has_subject)
            .aggregate(updated=Max("updated_at"), published=Max("published_at"))
        )
        return _latest(latest["updated"], latest["published"])


class TagSitemap(_SubjectSitemap):
    model = Tag
    articles = "tagged_articles__content_object"
    has_subject = {"tags__isnull": False}


class AuthorSitemap(_SubjectSitemap):
    model = Author
    articles = "articles"
    has_subject = {}  # every article has an author


class NewsSitemap(PublicSiteSitemap):
    """Google News: the articles that went live in the last two days, newest first."""

    template_name = "sitemaps/news.xml"
    # Google News reads at most 1,000 URLs a sitemap.
    limit = 1000
    window = dt.timedelta(days=2)

    def items(self):
        return (
            Article.objects.published()
            .filter(published_at__gte=timezone.now() - self.window)
            .only("title", "slug", "published_at", "created_at", "updated_at", "language")
            .order_by("-published_at", "-id")
        )

    def lastmod(self, article):
        return last_changed(article)

    def get_latest_lastmod(self):
        latest = self.items().aggregate(updated=Max("updated_at"), published=Max("published_at"))
        return _latest(latest["updated"], latest["published"])


# Classes, not instances: the views make fresh ones for every request.
SECTIONS = {
    "articles": ArticleSitemap,
    "categories": CategorySitemap,
    "tags": TagSitemap,
    "authors": AuthorSitemap,
    "news": NewsSitemap,
}


@sitemap_views.x_robots_tag
def index(request):
    """The sitemap index: every page of every section, on the public address, with its lastmod.

    Django's own index view takes the sections' host from the request; this one takes SITE_URL.
    """
    entries = []
    for section, sitemap_class in SECTIONS.items():
        sitemap = sitemap_class()
        location = absolute_url(reverse("articles:sitemap_section", kwargs={"section": section}))
        lastmod = sitemap.get_latest_lastmod()
        entries.append(SitemapIndexItem(location, lastmod))
        for page in range(2, sitemap.paginator.num_pages + 1):
            entries.append(SitemapIndexItem(f"{location}?p={page}", lastmod))
    return TemplateResponse(request, "sitemap_index.xml", {"sitemaps": entries}, content_type="application/xml")


def section(request, section):
    """One page (`?p=`) of one section, through Django's sitemap view."""
    if section not in SECTIONS:
        raise Http404(f"No sitemap section {section!r}.")
    return sitemap_views.sitemap(request, SECTIONS, section=section, template_name=SECTIONS[section].template_name)
