"""The read-only JSON API under /api/v1/ (Django REST framework, schema by drf-spectacular).

Readers' rules hold here as on the pages: only `Article.objects.published()` is listed or
shown, an article no longer public answers 410 and any other 404 (views.py). Answers are kept
by the page cache like pages (articles.caching), keyed on the query parameters each endpoint
declares (`query_parameters`, collected in urls.QUERY_PARAMETERS).
"""
