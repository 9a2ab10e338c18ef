"""The article list's filters: a category (with those below it), a tag, an author, a period.

Each names its subject as the site's addresses do (a category's path, a tag's or author's slug);
one that names nothing is refused with a 400 that says so, rather than answered with nothing.
"""

from django.utils.translation import gettext as _

from articles.models import Author, Tag
from articles.navigation import categories_by_path
from articles.querysets import with_commonness

from .parameters import parse_moment, read, refuse

NAMES = ("category", "tag", "author", "since", "until")


def narrowed(articles, query):
    """`articles` narrowed by the filters in `query` (a QueryDict)."""
    path = read(query, "category").strip("/")
    if path:
        # The tree kept per content version, each category knowing its subtree (as its page does).
        category = categories_by_path().get(path)
        if category is None:
            refuse("category", _("没有路径为 %(path)s 的分类。") % {"path": path})
        articles = articles.in_category(category)
    slug = read(query, "tag")
    if slug:
        tag = with_commonness(Tag.objects.all()).filter(slug=slug).first()
        if tag is None:
            refuse("tag", _("没有 URL 名称为 %(slug)s 的标签。") % {"slug": slug})
        articles = articles.tagged(tag)
    slug = read(query, "author")
    if slug:
        author = Author.objects.filter(slug=slug).first()
        if author is None:
            refuse("author", _("没有 URL 名称为 %(slug)s 的作者。") % {"slug": slug})
        articles = articles.filter(author=author)
    for name in ("since", "until"):
        value = read(query, name)
        if value:
            articles = articles.filter(parse_moment(name, value, until=name == "until"))
    return articles
