"""Cursor pagination: a page is what comes after the previous page's last item, never an offset.

The cursor names that item's place in the order (an article's publication time and id, a tag's
or author's slug), so an article published meanwhile neither shifts the pages after it nor is
seen twice, and every page costs an index seek, however deep. It is opaque to clients: they
follow `next` until it is null.
"""

import base64
import binascii
import datetime as dt

from django.conf import settings
from django.http import QueryDict
from django.utils.translation import gettext as _
from rest_framework.pagination import BasePagination
from rest_framework.response import Response

from articles.seo import absolute_url

from . import parameters

CURSOR = "cursor"
LIMIT = "limit"
_EPOCH = dt.datetime(1970, 1, 1, tzinfo=dt.UTC)


def encode(text):
    return base64.urlsafe_b64encode(text.encode()).decode().rstrip("=")


def decode(token):
    """The text of a cursor made by encode(); ValueError for anything else."""
    try:
        return base64.b64decode(token + "=" * (-len(token) % 4), altchars=b"-_", validate=True).decode()
    except (binascii.Error, UnicodeDecodeError) as error:
        raise ValueError(token) from error


class KeysetPagination(BasePagination):
    """Newest first (or by slug), `limit` items a page, `next` carrying the last item's place.

    Subclasses say how an item's place is written into a cursor and read back (`place_of`,
    `after`). The view calls `continued()` on its queryset before anything that must see only
    what follows the cursor (a search ranks what is left); `paginate_queryset()` cuts the page.
    """

    ordering = ()

    def continued(self, queryset, request):
        """`queryset` narrowed to what follows the request's cursor (all of it without one)."""
        token = parameters.read(request.query_params, CURSOR)
        if not token:
            return queryset
        try:
            return self.after(queryset, decode(token))
        except ValueError:
            parameters.refuse(CURSOR, _("无效的游标：请使用上一页给出的 next 链接。"))

    def page_size(self, request):
        api = settings.NEWSROOM_API
        return parameters.page_size(request.query_params, LIMIT, default=api["PAGE_SIZE"], maximum=api["MAX_PAGE_SIZE"])

    def paginate_queryset(self, queryset, request, view=None):
        self.request, self.view = request, view
        limit = self.page_size(request)
        # One more than the page: whether a next page exists, without a count.
        rows = list(queryset.order_by(*self.ordering)[: limit + 1])
        page = rows[:limit]
        self.next_place = self.place_of(page[-1]) if len(rows) > limit else None
        return page

    def next_link(self):
        """The absolute address of the next page (on NEWSROOM_SITE_URL, as every link the site
        gives), with the parameters the view reads; None on the last page."""
        if self.next_place is None:
            return None
        query = QueryDict(mutable=True)
        for name in getattr(self.view, "query_parameters", (LIMIT,)):
            if name != CURSOR and self.request.query_params.get(name):
                query[name] = self.request.query_params[name]
        query[CURSOR] = encode(self.next_place)
        return absolute_url(f"{self.request.path}?{query.urlencode()}")

    def get_paginated_response(self, data):
        return Response({"next": self.next_link(), "results": data})

    def get_paginated_response_schema(self, schema):
        return {
            "type": "object",
            "required": ["next", "results"],
            "properties": {
                "next": {
                    "type": "string",
                    "format": "uri",
                    "nullable": True,
                    "description": "下一页的地址（最后一页为 null）。",
                },
                "results": schema,
            },
        }

    def get_schema_operation_parameters(self, view):
        api = settings.NEWSROOM_API
        return [
            {
                "name": CURSOR,
                "in": "query",
                "required": False,
                "description": "上一页 next 链接中的游标（不透明）。",
                "schema": {"type": "string"},
            },
            {
                "name": LIMIT,
                "in": "query",
                "required": False,
                "description": f"每页条数，默认 {api['PAGE_SIZE']}，最多 {api['MAX_PAGE_SIZE']}（更大的值按最大值）。",
                "schema": {"type": "integer", "minimum": 1, "default": api["PAGE_SIZE"]},
            },
        ]

    def place_of(self, item):
        raise NotImplementedError

    def after(self, queryset, place):
        """The items of `queryset` after `place` in `ordering`; ValueError if `place` is no
        cursor's text."""
        raise NotImplementedError


class ArticleCursorPagination(KeysetPagination):
    """Newest first, ties by id, as every list on the site orders them (article_live_idx)."""

    ordering = ("-published_at", "-id")

    def place_of(self, article):
        microseconds = (article.published_at - _EPOCH) // dt.timedelta(microseconds=1)
        return f"{microseconds}.{article.pk}"

    def after(self, articles, place):
        microseconds, pk = (int(part) for part in place.split("."))  # ValueError unless two numbers
        try:
            published_at = _EPOCH + dt.timedelta(microseconds=microseconds)
        except OverflowError as error:
            raise ValueError(place) from error
        return articles.listed_after(published_at, pk)


class SlugCursorPagination(KeysetPagination):
    """By slug (unique, ASCII), for tags and authors."""

    ordering = ("slug",)

    def place_of(self, item):
        return item.slug

    def after(self, items, place):
        return items.filter(slug__gt=place)
