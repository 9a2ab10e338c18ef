"""Parts kept rendered per article (articles.fragments): a warm page asks the database only what
is live, and every change to what a part shows is on the page at once."""

import datetime as dt

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from articles import fragments
from articles.models import Article, TaggedArticle
from articles.tests.factories import Clock, freeze_clock, make_article, make_author, make_category_path, make_image

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def _parts_kept(no_page_cache, settings):
    """Every request renders, from parts where they are kept."""
    settings.NEWSROOM = {**settings.NEWSROOM, "FRAGMENT_CACHE": True}


def page(client, path):
    response = client.get(path)
    assert response.status_code == 200, path
    return response.content.decode()


def card_queries(queries):
    """The queries that fetched articles to render their cards (for_listing: with the author)."""
    return [q["sql"] for q in queries if '"articles_author"' in q["sql"] and "INNER JOIN" in q["sql"]]


@pytest.fixture
def filed():
    leaf = make_category_path("科技", "芯片")
    first = make_article("第一篇", categories=[leaf], tags=["芯片"], thumbnail=make_image(alt_text="晶圆"))
    second = make_article("第二篇", categories=[leaf], tags=["芯片"])
    return first, second


def test_a_warm_article_page_asks_the_database_nothing(client, filed, django_assert_num_queries):
    article = filed[0]
    cold = page(client, article.get_absolute_url())
    # Which article is live at the address, its head, content and related list are all kept.
    with django_assert_num_queries(0):
        warm = page(client, article.get_absolute_url())
    assert warm == cold


def test_a_kept_address_follows_the_clock_to_the_second(client, monkeypatch):
    clock = Clock(timezone.now())
    monkeypatch.setattr(timezone, "now", clock)
    article = make_article("限时文章", expires_at=clock.now + dt.timedelta(minutes=1))
    page(client, article.get_absolute_url()), page(client, article.get_absolute_url())
    clock.advance(dt.timedelta(seconds=59))
    assert "限时文章" in page(client, article.get_absolute_url())
    clock.advance(dt.timedelta(seconds=1))
    assert client.get(article.get_absolute_url()).status_code == 410


def test_a_kept_address_follows_a_new_slug_and_a_deletion(client, filed):
    article = filed[0]
    old_address = article.get_absolute_url()
    page(client, old_address), page(client, old_address)
    article.slug = "xin-de-di-zhi"
    article.save()
    new_address = article.get_absolute_url()
    moved = client.get(old_address)  # the old address is no longer this page: it leads to the new one
    assert (moved.status_code, moved["Location"]) == (301, new_address)
    page(client, new_address), page(client, new_address)
    Article.objects.filter(pk=article.pk).delete()
    assert client.get(new_address).status_code == 404


def test_a_warm_list_page_asks_the_database_nothing(client, filed, django_assert_num_queries):
    cold = page(client, "/")
    # The ids up to the bounded count (page and count in one read) are kept under the content
    # version, the cards under their articles' versions.
    with django_assert_num_queries(0):
        warm = page(client, "/")
    assert warm == cold and "第一篇" in warm and "第二篇" in warm


def test_a_kept_list_follows_a_new_article_at_once(client, filed):
    page(client, "/")
    make_article("第三篇", published_at=timezone.now())
    assert "第三篇" in page(client, "/")


def test_a_kept_list_follows_the_schedule(client, filed, monkeypatch):
    clock = Clock(timezone.now())
    monkeypatch.setattr(timezone, "now", clock)
    make_article("定时文章", published_at=clock.now + dt.timedelta(minutes=1))
    assert "定时文章" not in page(client, "/")
    clock.advance(dt.timedelta(minutes=1))
    assert "定时文章" in page(client, "/")


def test_the_ids_of_a_last_page_are_kept_until_the_content_changes(client, filed, django_assert_num_queries):
    page(client, "/?page=last")
    with django_assert_num_queries(0):  # the run's ids, which give the last page and its count, are kept
        page(client, "/?page=last")
    make_article("第三篇")
    assert "第三篇" in page(client, "/?page=last")


def test_pages_without_parts_render_the_same(client, filed, settings, monkeypatch):
    # One instant for both renderings: the comment form carries the time it was made.
    freeze_clock(monkeypatch, timezone.now())
    first = filed[0]
    with_parts = page(client, first.get_absolute_url()), page(client, "/"), page(client, first.get_absolute_url())
    settings.NEWSROOM = {**settings.NEWSROOM, "FRAGMENT_CACHE": False}
    without = page(client, first.get_absolute_url()), page(client, "/"), page(client, first.get_absolute_url())
    assert with_parts == without


def test_an_edit_renders_only_the_edited_articles_card_again(client, filed):
    first, second = filed
    page(client, "/")
    second.title = "第二篇（改）"
    second.save()
    with CaptureQueriesContext(connection) as queries:
        home = page(client, "/")
    assert "第二篇（改）" in home and "第一篇" in home
    [fetched] = card_queries(queries.captured_queries)
    assert str(second.pk) in fetched and str(first.pk) not in fetched.split("IN (", 1)[1]


def test_an_edited_article_shows_at_once_on_its_page_and_in_lists(client, filed):
    article = filed[0]
    page(client, article.get_absolute_url()), page(client, "/")
    article.title, article.summary = "新标题", "新摘要"
    article.body = "<p>新正文</p>"
    article.save()
    shown = page(client, article.get_absolute_url())
    assert "新标题" in shown and "新正文" in shown and "新摘要" in shown  # the head's description too
    assert "新标题" in page(client, "/")


def test_links_changed_without_a_save_show_at_once(client, filed):
    article = filed[0]
    page(client, article.get_absolute_url()), page(client, "/")
    elsewhere = make_category_path("商业", "电商")
    article.categories.set([elsewhere])  # m2m_changed, no post_save
    article.tags.add("电商")  # a TaggedArticle row
    shown = page(client, article.get_absolute_url())
    assert "电商" in shown and 'href="/tag/' in shown
    assert "商业" in page(client, "/")
    elsewhere.articles.remove(article)  # the reverse side
    assert "电商</a>" not in page(client, "/").split("第一篇", 1)[1].split("</article>", 1)[0]


def test_a_tag_link_removed_directly_shows_at_once(client, filed):
    article = filed[0]
    assert "芯片</a>" in page(client, article.get_absolute_url())
    TaggedArticle.objects.filter(content_object_id=article.pk).delete()
    assert 'rel="tag"' not in page(client, article.get_absolute_url())


@pytest.mark.parametrize("change", ["author", "category", "image", "tag"])
def test_a_change_to_what_many_articles_show_shows_at_once(client, filed, change):
    article = filed[0]
    page(client, article.get_absolute_url()), page(client, "/")
    if change == "author":
        author = article.author
        author.name = "新名字"
        author.save()
        expected = "新名字"
    elif change == "category":
        leaf = article.categories.get()
        leaf.name = "半导体"
        leaf.save()
        expected = "半导体"
    elif change == "image":
        Article.objects.filter(pk=article.pk).update(hero_image=article.thumbnail)
        page(client, article.get_absolute_url()), page(client, "/")
        image = article.thumbnail
        image.source_url = "https://img.example.com/moved.jpg"  # cards show it, with alt=""
        image.save()
        expected = "img.example.com/moved.jpg"
    else:
        tag = article.tags.get()
        tag.name = "存储芯片"
        tag.save()
        expected = "存储芯片"
    assert expected in page(client, article.get_absolute_url())
    if change != "tag":
        assert expected in page(client, "/")


def test_a_queryset_update_shows_at_once_even_with_the_page_cache(client, filed, settings):
    settings.NEWSROOM = {**settings.NEWSROOM, "PAGE_CACHE": True}
    article = filed[0]
    page(client, article.get_absolute_url()), page(client, "/")
    Article.objects.filter(pk=article.pk).update(title="批量改的标题")
    assert "批量改的标题" in page(client, article.get_absolute_url())
    assert "批量改的标题" in page(client, "/")


def test_bulk_created_articles_show_at_once_even_with_the_page_cache(client, filed, settings):
    settings.NEWSROOM = {**settings.NEWSROOM, "PAGE_CACHE": True}
    page(client, "/")
    Article.objects.bulk_create(
        [
            Article(
                title="批量新建",
                body="<p>正文</p>",
                author=make_author(),
                status=Article.Status.PUBLISHED,
                published_at=filed[0].published_at,
            )
        ]
    )
    assert "批量新建" in page(client, "/")


def test_an_unpublished_article_leaves_at_once_though_its_parts_are_kept(client, filed):
    article = filed[0]
    page(client, article.get_absolute_url())
    article.status = Article.Status.UNPUBLISHED
    article.save()
    assert client.get(article.get_absolute_url()).status_code == 410
    assert "第一篇" not in page(client, "/")


def test_a_release_with_other_templates_or_settings_uses_other_keys(settings):
    before = fragments.release()
    settings.NEWSROOM = {**settings.NEWSROOM, "SITE_URL": "https://news.example.com"}
    moved = fragments.release()
    assert moved != before
    settings.MEDIA_URL = "/uploads/"
    assert fragments.release() not in (before, moved)


def test_a_version_evicted_from_the_cache_never_revives_old_parts(client, filed):
    from django.core.cache import cache

    article = filed[0]
    page(client, article.get_absolute_url())
    cache.delete(fragments.ARTICLE_VERSION_KEY.format(article.pk))  # evicted
    Article.objects.filter(pk=article.pk).update(title="驱逐之后")  # its bump recreates the key
    assert "驱逐之后" in page(client, article.get_absolute_url())


def test_a_kept_address_rebuilds_the_article_as_it_was_read(filed):
    article = Article.objects.only(*fragments.ADDRESS_FIELDS).get(pk=filed[0].pk)
    fragments.remember_address(article.slug, 7, article)
    version, known, path = fragments.known_address(article.slug)
    assert version == 7 and path == article.get_absolute_url()
    assert {name: getattr(known, name) for name in fragments.ADDRESS_FIELDS} == {
        name: getattr(article, name) for name in fragments.ADDRESS_FIELDS
    }


def test_a_warm_list_page_asks_the_cache_server_for_no_card_versions(client, filed, monkeypatch):
    page(client, "/")
    asked = []
    real = fragments.cache.get_many
    monkeypatch.setattr(fragments.cache, "get_many", lambda keys: asked.append(keys) or real(keys))
    page(client, "/")
    assert asked == []
    Article.objects.filter(pk=filed[1].pk).update(title="改过的第二篇")
    assert "改过的第二篇" in page(client, "/")
    assert asked  # the content version moved: the versions are read again


@pytest.mark.parametrize(
    "change",
    [
        "save",
        "update",
        "bulk_update",
        "categories",
        "articles_of_category",
        "tags",
        "delete",
        "author",
        "tag_rename",
    ],
)
def test_every_change_moves_the_content_version_after_the_parts_versions(filed, monkeypatch, change):
    """What fragments._versions relies on to keep the versions it read under a content version."""
    from articles import caching
    from articles.models import Tag

    article = filed[0]
    moved = []
    real = caching.bump_version
    monkeypatch.setattr(caching, "bump_version", lambda key: moved.append(key) or real(key))
    other = make_category_path("财经")
    {
        "save": lambda: article.save(),
        "update": lambda: Article.objects.filter(pk=article.pk).update(title="新"),
        "bulk_update": lambda: Article.objects.bulk_update([article], ["title"]),
        "categories": lambda: article.categories.add(other),
        "articles_of_category": lambda: other.articles.add(article),
        "tags": lambda: article.tags.add("新标签"),
        "delete": lambda: article.delete(),
        "author": lambda: article.author.save(),
        "tag_rename": lambda: Tag.objects.filter(name="芯片").first().save(),
    }[change]()
    parts_moved = [i for i, key in enumerate(moved) if key != caching.VERSION_KEY]
    assert parts_moved, moved
    assert moved[-1] == caching.VERSION_KEY
    # Each part version move is followed by a content version move.
    assert all(caching.VERSION_KEY in moved[i + 1 :] for i in parts_moved)
