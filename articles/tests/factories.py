"""Small builders for test data; each returns a saved object with sensible defaults."""

import datetime as dt
import itertools
from pathlib import Path

from django.utils import timezone

from articles.models import Article, Author, Category, Image

_counter = itertools.count(1)


class Clock:
    """A stand-in for django.utils.timezone.now that stays where it is put: monkeypatch it in."""

    def __init__(self, now):
        self.now = now

    def advance(self, delta):
        self.now += delta

    def __call__(self):
        return self.now


def freeze_clock(monkeypatch, now):
    """A Clock at `now` in place of timezone.now. Every caller (workflow, models, querysets,
    auto_now fields, the views, the page cache) reads it through the module at call time, so
    one patch does."""
    frozen = Clock(now)
    monkeypatch.setattr(timezone, "now", frozen)
    return frozen


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
    article = Article.objects.create(title=title or f"测试文章 {n}", author=author or make_author(), **fields)
    if categories:
        article.categories.set(categories)
    if tags:
        article.tags.set(list(tags))
    return article


def write_file(folder, name, content):
    """Write text (UTF-8) or bytes to folder/name, creating folders; return the path."""
    path = Path(folder) / name
    path.parent.mkdir(parents=True, exist_ok=True)
    if isinstance(content, bytes):
        path.write_bytes(content)
    else:
        path.write_text(content, encoding="utf-8")
    return path


def seed_shaped(
    title,
    *,
    date="Wed, 08 May 2024 02:10:30 GMT",
    categories=("新媒体", "36kr", "快讯"),
    tags=(),
    image="https://img.example.com/tests/a.jpg",
    extra=(),
    body=None,
):
    """A file in the seed's shape (blank first line, HTML body in a <div>), invented content."""
    lines = ["", "---", f"title: '{title}'", "categories: "]
    lines += [f" - {name}" for name in categories]
    if tags:
        lines += ["tags: "] + [f" - {name}" for name in tags]
    lines += [
        f"headimg: '{image}'",
        "author: 36kr",
        "comments: false",
        f"date: {date}",
        f"thumbnail: '{image}'",
        *extra,
        "---",
        "",
    ]
    if body is None:
        body = f"<div>   \n<p>{title}。这是为测试编写的正文。</p> \n</div>"
    return "\n".join(lines) + "\n" + body + "\n"


STAFF_PASSWORD = "a-long-test-password"


def make_staff(username, group=None, **extra):
    """A staff user, in the role group named `group` when given (the groups of migration 0003)."""
    from django.contrib.auth import get_user_model
    from django.contrib.auth.models import Group

    user = get_user_model().objects.create_user(username, password=STAFF_PASSWORD, is_staff=True, **extra)
    if group:
        user.groups.add(Group.objects.get(name=group))
    return user


def change_form_data(article, **overrides):
    """A complete admin change-form POST for `article` as it is stored, as the form would send
    it (the dates too, which an editor's form carries and a writer's ignores), plus `overrides`."""
    article.refresh_from_db()
    data = {
        "title": article.title,
        "slug": article.slug,
        "author": article.author_id,
        "summary": article.summary,
        "body": article.body,
        "allow_comments": "on" if article.allow_comments else "",
        "tags": ", ".join(article.tags.names()),
        "edit_version": article.edit_version,
    }
    for name in ("published_at", "expires_at"):
        value = getattr(article, name)
        if value is not None:
            local = timezone.localtime(value)
            data[f"{name}_0"], data[f"{name}_1"] = local.strftime("%Y-%m-%d"), local.strftime("%H:%M:%S")
    data.update(overrides)
    return data
