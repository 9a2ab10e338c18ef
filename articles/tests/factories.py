"""Small builders for test data; each returns a saved object with sensible defaults."""
import datetime as dt
import itertools

from django.utils import timezone

from articles.models import Article, Author, Category, Image

_counter = itertools.count(1)


def make_author(name=None, **fields):
    return Author.objects.create(name=name or f"作者{next(_counter)}", **fields)


def make_category_path(*names):
    return Category.objects.get_or_create_path(names or ("科技",))


def make_image(url=None, **fields):
    return Image.objects.create(source_url=url or f"https://img.example.com/{next(_counter)}.jpg", **fields)


def make_article(title=None, *, author=None, categories=(), tags=(), published=True, **fields):
    n = next(_counter)
    fields.setdefault("body", f"<p>正文 {n}</p>")
    if published:
        fields.setdefault("status", Article.Status.PUBLISHED)
        fields.setdefault("published_at", timezone.now() - dt.timedelta(hours=n))
    article = Article.objects.create(
        title=title or f"测试文章 {n}", author=author or make_author(), **fields
    )
    if categories:
        article.categories.set(categories)
    if tags:
        article.tags.set(list(tags))
    return article
