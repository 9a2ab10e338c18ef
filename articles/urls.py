from django.urls import path, re_path

from . import preview, views

app_name = "articles"

urlpatterns = [
    path("", views.HomeView.as_view(), name="home"),
    path(
        "<int:year>/<str:month>/<str:day>/<slug:slug>/",
        views.ArticleDetailView.as_view(),
        name="article",
    ),
    path("<int:year>/", views.YearArchive.as_view(), name="archive_year"),
    re_path(r"^(?P<year>\d{4})/(?P<month>\d{2})/$", views.MonthArchive.as_view(), name="archive_month"),
    re_path(r"^category/(?P<path>[-a-z0-9_]+(?:/[-a-z0-9_]+)*)/$", views.CategoryView.as_view(), name="category"),
    path("tag/<slug:slug>/", views.TagView.as_view(), name="tag"),
    path("author/<slug:slug>/", views.AuthorView.as_view(), name="author"),
    # Previews for the newsroom and signed share links: noindex, never cached (see articles.preview).
    path("preview/<int:pk>/", preview.preview, name="preview"),
    path(
        "preview/<int:pk>/revision/<int:version_id>/",
        preview.preview_revision,
        name="preview_revision",
    ),
    path("share/<str:token>/", preview.share, name="share"),
]
