from django.urls import path

from . import views

app_name = "api"

urlpatterns = [
    path("articles/", views.ArticleList.as_view(), name="articles"),
    path("articles/<int:pk>/", views.ArticleDetail.as_view(), name="article"),
    path("articles/by-path/", views.ArticleByPath.as_view(), name="article_by_path"),
    path("categories/", views.CategoryTree.as_view(), name="categories"),
    path("tags/", views.TagList.as_view(), name="tags"),
    path("authors/", views.AuthorList.as_view(), name="authors"),
    path("schema/", views.Schema.as_view(), name="schema"),
    path("docs/", views.Documentation.as_view(), name="docs"),
]

# The query parameters each endpoint reads, by URL name; it reads no other. Answers are cached
# under these (articles.caching), as the site's pages are under articles.urls' own.
QUERY_PARAMETERS = {
    pattern.name: pattern.callback.view_class.query_parameters
    for pattern in urlpatterns
    if getattr(pattern.callback.view_class, "query_parameters", ())
}
