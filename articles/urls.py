from django.urls import path, re_path

from . import comment_views, feeds, preview, sitemaps, views
from .pagination import BEFORE

app_name = "articles"

# The query parameters each page reads, by URL name; a page reads no other. The page cache keys
# pages on these alone (articles.caching.page_address) and list pages keep only these in their
# links, so that `?utm_source=…` or any other addition is the same page and stores none.
LIST_PARAMETERS = ("page", BEFORE)
QUERY_PARAMETERS = {
    "home": LIST_PARAMETERS,
    "archive_year": LIST_PARAMETERS,
    "archive_month": LIST_PARAMETERS,
    "category": LIST_PARAMETERS,
    "tag": LIST_PARAMETERS,
    "author": LIST_PARAMETERS,
    # A search is ranked, not continued: it reads `before` only to refuse it.
    "search": ("q", "page", BEFORE),
    "sitemap_section": ("p",),  # Django's sitemap view pages with ?p=
    # The comment form under an article: whom a reply answers, and what became of a comment.
    "article": ("comment", "reply_to"),
}

urlpatterns = [
    path("", views.HomeView.as_view(), name="home"),
    path(
        "<int:year>/<str:month>/<str:day>/<slug:slug>/",
        views.ArticleDetailView.as_view(),
        name="article",
    ),
    path("<int:year>/", views.YearArchive.as_view(), name="archive_year"),
    re_path(r"^(?P<year>\d{4})/(?P<month>\d{2})/$", views.MonthArchive.as_view(), name="archive_month"),
    # Before the category page: a path ending in /feed/ is that category's feed. A root category
    # slugged "feed" keeps its page (/category/feed/); its feed is /category/feed/feed/.
    re_path(r"^category/(?P<path>[-a-z0-9_]+(?:/[-a-z0-9_]+)*)/feed/$", feeds.CategoryFeed(), name="category_feed"),
    re_path(
        r"^category/(?P<path>[-a-z0-9_]+(?:/[-a-z0-9_]+)*)/feed/atom/$",
        feeds.AtomCategoryFeed(),
        name="category_feed_atom",
    ),
    re_path(r"^category/(?P<path>[-a-z0-9_]+(?:/[-a-z0-9_]+)*)/$", views.CategoryView.as_view(), name="category"),
    path("category/", views.CategoryListView.as_view(), name="category_list"),
    path("tag/<slug:slug>/", views.TagView.as_view(), name="tag"),
    path("tag/<slug:slug>/feed/", feeds.TagFeed(), name="tag_feed"),
    path("tag/<slug:slug>/feed/atom/", feeds.AtomTagFeed(), name="tag_feed_atom"),
    path("author/<slug:slug>/", views.AuthorView.as_view(), name="author"),
    path("author/<slug:slug>/feed/", feeds.AuthorFeed(), name="author_feed"),
    path("author/<slug:slug>/feed/atom/", feeds.AtomAuthorFeed(), name="author_feed_atom"),
    path("search/", views.SearchView.as_view(), name="search"),
    path("feed/", feeds.ArticleFeed(), name="feed"),
    path("feed/atom/", feeds.AtomArticleFeed(), name="feed_atom"),
    path("sitemap.xml", sitemaps.index, name="sitemap_index"),
    path("sitemap-<slug:section>.xml", sitemaps.section, name="sitemap_section"),
    path("robots.txt", views.RobotsView.as_view(), name="robots"),
    path("comments/post/<int:pk>/", comment_views.post_comment, name="comment_post"),
    # Previews for the newsroom and signed share links: noindex, never cached (see articles.preview).
    path("preview/<int:pk>/", preview.preview, name="preview"),
    path(
        "preview/<int:pk>/revision/<int:version_id>/",
        preview.preview_revision,
        name="preview_revision",
    ),
    path("share/<str:token>/", preview.share, name="share"),
]
