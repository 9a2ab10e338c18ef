"""The API's endpoints: thin views over the querysets and kept values the pages use.

Each view declares `query_parameters`, the only parameters it reads (the page cache keys its
answers on them). Every JSON answer carries `Vary: Origin`, so that a shared cache keeps apart
what CORS adds for other sites (CorsMiddleware adds it outside the page cache).
"""

import json

from django.urls import Resolver404, resolve, reverse
from django.utils.cache import patch_vary_headers
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.generic import TemplateView
from drf_spectacular.settings import spectacular_settings
from drf_spectacular.utils import OpenApiParameter, OpenApiResponse, extend_schema
from drf_spectacular.views import SpectacularJSONAPIView
from rest_framework import generics, status
from rest_framework.exceptions import APIException, NotFound
from rest_framework.response import Response
from rest_framework.views import APIView

from articles import caching, search
from articles.fragments import ADDRESS_FIELDS
from articles.models import Article, Author, LegacyURL, Tag
from articles.navigation import categories_by_path
from articles.querysets import live_counts_by_category, with_live_article_count
from articles.seo import absolute_url

from . import filters, parameters, representations
from .pagination import CURSOR, LIMIT, ArticleCursorPagination, SlugCursorPagination
from .serializers import (
    ArticleSerializer,
    ArticleSummarySerializer,
    AuthorWithCountSerializer,
    CategoryNodeSerializer,
    TagWithCountSerializer,
)


class Gone(APIException):
    status_code = status.HTTP_410_GONE
    default_detail = gettext_lazy("这篇文章已不再公开。")
    default_code = "gone"


def not_found():
    return NotFound(_("没有这篇文章。"))


class VaryOnOrigin:
    def finalize_response(self, request, response, *args, **kwargs):
        response = super().finalize_response(request, response, *args, **kwargs)
        patch_vary_headers(response, ["Origin"])
        return response


class ReaderAPIView(VaryOnOrigin, APIView):
    query_parameters = ()


ARTICLE_FILTERS = [
    OpenApiParameter("category", str, description="分类路径（如 tech/ai），含其下级分类的文章。"),
    OpenApiParameter("tag", str, description="标签的 URL 名称。"),
    OpenApiParameter("author", str, description="作者的 URL 名称。"),
    OpenApiParameter(
        "since",
        str,
        description="此后发布的：ISO 8601 日期（按站点时区的当天起）或带时区的时间，如 2024-05-08 或 2024-05-08T10:00:00+08:00。",
    ),
    OpenApiParameter("until", str, description="此前发布的：日期（含当天）或带时区的时间。"),
    OpenApiParameter(
        "q", str, description="搜索词（空格分隔，须全部出现），与站内搜索相同；结果仍按发布时间从新到旧。"
    ),
]
BAD_REQUEST = OpenApiResponse(description="参数无效：{参数名: [说明]}。")


@extend_schema(
    tags=["文章"],
    summary="文章列表",
    description="已发布的文章，从新到旧，按游标分页：沿 next 链接翻页，直到它为 null。",
    parameters=ARTICLE_FILTERS,
    responses={200: ArticleSummarySerializer(many=True), 400: BAD_REQUEST},
)
class ArticleList(ReaderAPIView, generics.ListAPIView):
    serializer_class = ArticleSummarySerializer
    pagination_class = ArticleCursorPagination
    query_parameters = (*filters.NAMES, "q", CURSOR, LIMIT)

    def get_queryset(self):
        query = self.request.query_params
        articles = filters.narrowed(Article.objects.published(), query)
        # The search ranks the matches that follow the cursor: the page then takes the newest.
        articles = self.paginator.continued(articles, self.request)
        terms = search.parse_query(parameters.read(query, "q"))
        if terms:
            articles = search.matching(articles, terms)
        return representations.listed_fields(articles)

    def list(self, request, *args, **kwargs):
        page = self.paginate_queryset(self.get_queryset())
        return self.get_paginated_response(representations.summaries(page))


@extend_schema(
    tags=["文章"],
    summary="一篇文章",
    responses={
        200: ArticleSerializer,
        404: OpenApiResponse(description="没有这篇文章（或尚未发布）。"),
        410: OpenApiResponse(description="这篇文章曾经发布，现已撤下、归档或过期。"),
    },
)
class ArticleDetail(ReaderAPIView):
    serializer_class = ArticleSerializer

    def get(self, request, pk):
        data = representations.whole(pk)
        if data is None:
            # As on the site: an article readers have seen is Gone; a draft stays Not Found.
            raise Gone() if Article.objects.no_longer_public().filter(pk=pk).exists() else not_found()
        return Response(data)


@extend_schema(
    tags=["文章"],
    summary="按网址查文章",
    description=(
        "path 为文章在站点上的地址（如 /2024/05/08/slug/，也可以是完整网址）。文章现在的地址答以文章本身；"
        "旧站地址或改动前的地址答 301，Location 为本 API 中这篇文章的地址；已撤下的文章答 410。"
    ),
    parameters=[OpenApiParameter("path", str, required=True, description="文章在站点上的地址。")],
    responses={
        200: ArticleSerializer,
        301: OpenApiResponse(description="旧地址：Location 为这篇文章在本 API 中的地址。"),
        400: BAD_REQUEST,
        404: OpenApiResponse(description="这个地址上没有文章。"),
        410: OpenApiResponse(description="这个地址上的文章已不再公开。"),
    },
)
class ArticleByPath(ReaderAPIView):
    serializer_class = ArticleSerializer
    query_parameters = ("path",)

    def get(self, request):
        raw = parameters.read(request.query_params, "path")
        if not raw:
            parameters.refuse("path", _("请给出文章的地址，如 /2024/05/08/slug/。"))
        path = LegacyURL.normalize(raw)
        found = self.article_page_at(path)
        data = representations.told(found.pk) if found is not None else None
        if data is not None:
            return Response(data)
        return self.legacy_answer(path)

    @staticmethod
    def article_page_at(path):
        """The live article whose page is at `path`; Gone if the one that was is no longer
        public (the rules of articles.views.ArticleDetailView); None if no article page is there."""
        try:
            match = resolve(path)
        except Resolver404:
            return None
        if match.view_name != "articles:article":
            return None
        slug = match.kwargs["slug"]
        article = Article.objects.published().only(*ADDRESS_FIELDS).filter(slug=slug).first()
        if article is not None and article.get_absolute_url() == path:
            return article
        gone = Article.objects.no_longer_public().only(*ADDRESS_FIELDS).filter(slug=slug).first()
        if gone is not None and gone.get_absolute_url() == path:
            raise Gone()
        return None

    @staticmethod
    def legacy_answer(path):
        """An old address (articles.middleware.LegacyURLMiddleware's rules): 301 to the live
        article's API address, else 410; 404 when the address was never an article's."""
        # The forms of one address a static site answered at, as LegacyURLMiddleware takes them.
        candidates = LegacyURL.candidates(path)
        found = {row.path: row for row in LegacyURL.objects.filter(path__in=candidates)}
        legacy = next((found[p] for p in candidates if p in found), None)
        if legacy is None:
            raise not_found()
        if not Article.objects.published().filter(pk=legacy.article_id).exists():
            raise Gone()
        location = absolute_url(reverse("api:article", kwargs={"pk": legacy.article_id}))
        return Response(
            {"location": location}, status=status.HTTP_301_MOVED_PERMANENTLY, headers={"Location": location}
        )


@extend_schema(
    tags=["分类"],
    summary="分类树",
    description="所有分类，从根起嵌套，同级按排序再按名称；每个带其下已发布文章的数目。",
    responses={200: CategoryNodeSerializer(many=True)},
)
class CategoryTree(ReaderAPIView):
    serializer_class = CategoryNodeSerializer

    def get(self, request):
        known = categories_by_path()
        # Kept under the content version (it follows the clock: publications and expiries).
        counts = caching.kept_per_content_version(
            "api:category-counts", lambda: live_counts_by_category(list(known.values()))
        )
        # The kept categories are shared by every request of the process: nodes are new dicts.
        nodes = {
            category.pk: {
                "name": category.name, "slug": category.slug, "path": category.path,
                "url": absolute_url(category.get_absolute_url()), "description": category.description,
                "position": category.position, "article_count": counts.get(category.pk, 0), "children": [],
            }
            for category in known.values()
        }  # fmt: skip
        roots = []
        for category in sorted(known.values(), key=lambda category: (category.position, category.name)):
            parent = nodes.get(category.parent_id)
            (parent["children"] if parent else roots).append(nodes[category.pk])
        return Response(CategoryNodeSerializer(roots, many=True).data)


@extend_schema(tags=["标签"], summary="标签", description="有已发布文章的标签，按 URL 名称排序，带文章数；按游标分页。")
class TagList(ReaderAPIView, generics.ListAPIView):
    serializer_class = TagWithCountSerializer
    pagination_class = SlugCursorPagination
    query_parameters = (CURSOR, LIMIT)

    def get_queryset(self):
        tags = self.paginator.continued(Tag.objects.all(), self.request)
        return with_live_article_count(tags, "tags")


@extend_schema(tags=["作者"], summary="作者", description="有已发布文章的作者，按 URL 名称排序，带文章数；按游标分页。")
class AuthorList(ReaderAPIView, generics.ListAPIView):
    serializer_class = AuthorWithCountSerializer
    pagination_class = SlugCursorPagination
    query_parameters = (CURSOR, LIMIT)

    def get_queryset(self):
        authors = self.paginator.continued(Author.objects.all(), self.request)
        return with_live_article_count(authors, "author")


class Schema(VaryOnOrigin, SpectacularJSONAPIView):
    """The OpenAPI 3 schema, as JSON."""


class Documentation(TemplateView):
    """Swagger UI from our own static files (drf-spectacular-sidecar), set up by a script file of
    ours: no inline script or style, so the site's Content-Security-Policy holds here too."""

    template_name = "api/docs.html"

    def get_context_data(self, **kwargs):
        return super().get_context_data(
            title=spectacular_settings.TITLE,
            schema_url=reverse("api:schema"),
            swagger_settings=json.dumps(spectacular_settings.SWAGGER_UI_SETTINGS),
            **kwargs,
        )
