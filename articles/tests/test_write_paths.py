"""Every write path asks the one gate (articles.permissions.may_change) against the row as it is
stored: the change form, restoring a revision, recovering a deleted article, the workflow (its
own URL and the change form's buttons), bulk actions, the image change form, the library's
uploads, and the other library rows. Each path × role × state, by hand-made requests.
"""

import datetime as dt

import pytest
import reversion
from django.contrib.auth import get_user_model
from django.urls import reverse
from django.utils import timezone
from reversion.models import Version

from articles.models import Article, Author, Category, Image, Tag, Transition
from articles.permissions import CHIEF_EDITOR_GROUP, EDITOR_GROUP, WRITER_GROUP, may_change
from articles.tests.factories import (
    change_form_data,
    make_article,
    make_author,
    make_category_path,
    make_image,
    make_staff,
)

pytestmark = pytest.mark.django_db

S = Article.Status
STATES = ["draft", "review", "scheduled", "published", "unpublished", "archived"]
ROLES = ["writer", "other_writer", "editor", "chief", "superuser", "no_role"]
EDITORS = {"editor", "chief", "superuser"}


@pytest.fixture
def people():
    return {
        "writer": make_staff("writer", WRITER_GROUP),
        "other_writer": make_staff("other", WRITER_GROUP),
        "editor": make_staff("editor", EDITOR_GROUP),
        "chief": make_staff("chief", CHIEF_EDITOR_GROUP),
        "superuser": get_user_model().objects.create_superuser("root", password="x"),
        "no_role": make_staff("nobody"),
    }


def writers_article(writer, state, title="原标题"):
    """An article of `writer` in `state` (scheduled: published for tomorrow), with a revision
    that still holds it as a draft titled "旧版本" (what an attacker would restore)."""
    article = make_article(title, published=False, created_by=writer, tags=["原标签"])
    with reversion.create_revision():
        article.title = "旧版本"
        article.save()
    article.title = title
    status = {"scheduled": S.PUBLISHED}.get(state, state)
    published_at = None
    now = timezone.now().replace(microsecond=0)  # as a form posts it
    if state == "scheduled":
        published_at = now + dt.timedelta(days=1)
    elif state in ("published", "unpublished", "archived"):
        published_at = now - dt.timedelta(days=1)
    article.status, article.published_at = status, published_at
    with reversion.create_revision():  # as the workflow moves it, with a revision
        article.save()
    return article


def may_write(role, state):
    """The rule, spelt out once for the tests: editors change any article; a writer only their
    own draft; nobody else anything."""
    return role in EDITORS or (role == "writer" and state == "draft")


def snapshot(article):
    article = Article.objects.get(pk=article.pk)
    return {
        "title": article.title,
        "body": article.body,
        "slug": article.slug,
        "status": article.status,
        "published_at": article.published_at,
        "author": article.author_id,
        "tags": sorted(article.tags.names()),
    }


def hostile(article, author):
    """A change a writer must never make to a live article: title, body, slug, author and tags."""
    return change_form_data(
        article,
        title="改过的标题",
        body="<p>改过的正文</p>",
        slug="gai-guo-de",
        author=author.pk,
        tags="偷加的标签",
    )


def change_url(article):
    return reverse("admin:articles_article_change", args=[article.pk])


def revision_url(article, version):
    return reverse("admin:articles_article_revision", args=[article.pk, version.pk])


def oldest_version(article):
    return Version.objects.get_for_object(article).order_by("pk").first()


# --- The change form ------------------------------------------------------------------------------


@pytest.mark.parametrize("state", STATES)
@pytest.mark.parametrize("role", ROLES)
def test_change_form_post(client, people, role, state):
    article = writers_article(people["writer"], state)
    before = snapshot(article)
    client.force_login(people[role])
    response = client.post(change_url(article), hostile(article, make_author("别人")))
    after = snapshot(article)
    if may_write(role, state):
        assert response.status_code == 302, response.content.decode()[:2000]
        assert after["title"] == "改过的标题" and after["tags"] == ["偷加的标签"]
        assert after["status"] == before["status"]
        assert after["published_at"] == before["published_at"]
    else:
        # Their own submitted or live article, or no role at all: 403. Another writer's article
        # does not exist for a writer: the admin sends them back to the list.
        assert response.status_code == (302 if role == "other_writer" else 403)
        assert after == before


# --- Restoring an old revision ----------------------------------------------------------------


@pytest.mark.parametrize("state", STATES)
@pytest.mark.parametrize("role", ROLES)
def test_restoring_a_revision(client, people, role, state):
    article = writers_article(people["writer"], state)
    before = snapshot(article)
    version = oldest_version(article)
    client.force_login(people[role])
    data = {**hostile(article, make_author("别人")), "confirm_restore": "on"}
    response = client.post(revision_url(article, version), data)
    after = snapshot(article)
    if may_write(role, state):
        assert response.status_code == 302, response.content.decode()[:2000]
        assert after["title"] == "改过的标题"
        # What a restore keeps: the state, the dates and a published address.
        assert after["status"] == before["status"] and after["published_at"] == before["published_at"]
        if state != "draft" and state != "review":
            assert after["slug"] == before["slug"]
    else:
        assert response.status_code == 403
        assert after == before


@pytest.mark.parametrize("state", ["review", "scheduled", "published", "unpublished", "archived"])
def test_a_writer_cannot_even_open_an_old_revision_of_their_article_once_submitted(client, people, state):
    article = writers_article(people["writer"], state)
    client.force_login(people["writer"])
    assert client.get(revision_url(article, oldest_version(article))).status_code == 403
    # The history lists the versions for reading: it links to the comparison, not to restore.
    history = client.get(reverse("admin:articles_article_history", args=[article.pk])).content.decode()
    assert reverse("admin:articles_article_compare", args=[article.pk]) + "?b=" in history
    assert revision_url(article, oldest_version(article)) not in history


def test_the_reported_attack_a_writer_rewrites_their_live_article_through_an_old_revision(client, people):
    article = writers_article(people["writer"], "published", title="在线的标题")
    client.force_login(people["writer"])
    response = client.post(
        revision_url(article, oldest_version(article)),
        {**change_form_data(article, title="绕过审核", body="<p>绕过审核</p>"), "confirm_restore": "on"},
    )
    assert response.status_code == 403
    assert Article.objects.get(pk=article.pk).title == "在线的标题"
    live = client.get(article.get_absolute_url()).content.decode()
    assert "在线的标题" in live and "绕过审核" not in live


def test_restoring_asks_for_confirmation_and_saves_nothing_without_it(client, people):
    article = writers_article(people["writer"], "published")
    before = snapshot(article)
    client.force_login(people["editor"])
    page = client.get(revision_url(article, oldest_version(article)))
    assert page.status_code == 200
    html = page.content.decode()
    assert 'name="confirm_restore"' in html and "状态、发布与下线时间" in html
    assert 'name="published_at_0"' not in html  # today's dates are kept, so not offered
    response = client.post(revision_url(article, oldest_version(article)), change_form_data(article, title="未确认"))
    assert response.status_code == 200 and "恢复前请勾选确认" in response.content.decode()
    assert snapshot(article) == before


def test_restoring_keeps_todays_dates_even_if_the_editor_posts_others(client, people):
    article = writers_article(people["writer"], "published")
    before = snapshot(article)
    client.force_login(people["editor"])
    response = client.post(
        revision_url(article, oldest_version(article)),
        {
            **change_form_data(article, title="恢复的标题"),
            "confirm_restore": "on",
            "published_at_0": "2001-01-01",
            "published_at_1": "00:00:00",
        },
    )
    assert response.status_code == 302
    after = snapshot(article)
    assert after["title"] == "恢复的标题" and after["published_at"] == before["published_at"]
    assert after["slug"] == before["slug"] and after["status"] == S.PUBLISHED


@pytest.mark.parametrize("role", ["writer", "editor"])
def test_save_as_new_is_refused_everywhere(client, people, role):
    # Reversion's revision view would keep the reverted row (its old state too) behind a copy.
    article = writers_article(people["writer"], "draft")
    with reversion.create_revision():
        Article.objects.filter(pk=article.pk).update(status=S.PUBLISHED, published_at=timezone.now())
        article.refresh_from_db()
        article.save()
    live_version = Version.objects.get_for_object(article).order_by("-pk").first()
    Article.objects.filter(pk=article.pk).update(status=S.DRAFT)
    client.force_login(people[role])
    data = {**change_form_data(article), "confirm_restore": "on", "_saveasnew": "1"}
    assert client.post(revision_url(article, live_version), data).status_code == 403
    assert client.post(change_url(article), data).status_code == 403
    assert Article.objects.get(pk=article.pk).status == S.DRAFT
    assert Article.objects.count() == 1


# --- Recovering a deleted article -------------------------------------------------------------


@pytest.mark.parametrize("role", ROLES)
def test_recovering_a_deleted_article(client, people, role):
    article = writers_article(people["writer"], "published")
    with reversion.create_revision():
        article.save()
    version = Version.objects.get_for_object(article).order_by("-pk").first()
    pk = article.pk
    article.delete()
    client.force_login(people[role])
    url = reverse("admin:articles_article_recover", args=[version.pk])
    data = {
        "title": "恢复的文章", "slug": "", "author": make_author().pk, "summary": "",
        "body": "<p>正文</p>", "allow_comments": "on", "tags": "",
        "edit_version": version.field_dict["edit_version"],  # as the recover form carries it
    }  # fmt: skip
    response = client.post(url, data)
    if role in EDITORS:
        assert response.status_code == 302, response.content.decode()[:2000]
        recovered = Article.objects.get(pk=pk)
        # Back as a draft: going live again takes a publication, with its transition.
        assert recovered.status == S.DRAFT
    else:
        assert response.status_code == 403
        assert not Article.objects.filter(pk=pk).exists()


# --- Workflow moves: their own URL and the change form's buttons --------------------------------


MOVES = {
    # verb: the states it starts from (workflow.VERBS), written out for the tests.
    "submit": {"draft"},
    "withdraw": {"review"},
    "send_back": {"review"},
    "publish": {"draft", "review", "unpublished", "scheduled"},
    "unpublish": {"published", "scheduled"},
    "archive": {"draft", "review", "published", "unpublished", "scheduled"},
    "reopen": {"unpublished", "archived"},
}


def may_move(role, verb, state):
    if state not in MOVES[verb]:
        return False
    if verb == "submit":
        return may_write(role, state)
    if verb == "withdraw":
        return role == "writer"
    return role in EDITORS


@pytest.mark.parametrize("state", STATES)
@pytest.mark.parametrize("verb", sorted(MOVES))
@pytest.mark.parametrize("role", ROLES)
def test_workflow_url(client, people, role, verb, state):
    article = writers_article(people["writer"], state)
    before = snapshot(article)
    client.force_login(people[role])
    response = client.post(reverse("admin:articles_article_workflow", args=[article.pk, verb]), {"comment": "理由"})
    moved = Transition.objects.filter(article=article, verb=verb).exists()
    assert moved == may_move(role, verb, state), response.status_code
    if not moved:
        assert snapshot(article)["status"] == before["status"]


@pytest.mark.parametrize("state", STATES)
@pytest.mark.parametrize("role", ROLES)
def test_publishing_through_the_change_form(client, people, role, state):
    article = writers_article(people["writer"], state)
    before = snapshot(article)
    client.force_login(people[role])
    client.post(change_url(article), {**change_form_data(article, title="按钮前改的标题"), "_workflow": "publish"})
    after = snapshot(article)
    if may_move(role, "publish", state):
        assert after["status"] == S.PUBLISHED and after["title"] == "按钮前改的标题"
    elif may_write(role, state):
        # The edit is saved; the move is refused with a message.
        assert after["status"] == before["status"] and after["title"] == "按钮前改的标题"
    else:
        assert after == before


# --- Bulk actions -------------------------------------------------------------------------------


@pytest.mark.parametrize(
    "action, verb", [("submit_selected", "submit"), ("publish_selected", "publish"),
                     ("unpublish_selected", "unpublish"), ("archive_selected", "archive")]
)  # fmt: skip
@pytest.mark.parametrize("role", ROLES)
def test_bulk_actions(client, people, role, action, verb):
    articles = {state: writers_article(people["writer"], state, title=state) for state in STATES}
    client.force_login(people[role])
    client.post(
        reverse("admin:articles_article_changelist"),
        {"action": action, "_selected_action": [a.pk for a in articles.values()], "index": 0},
    )
    for state, article in articles.items():
        moved = Transition.objects.filter(article=article, verb=verb).exists()
        assert moved == may_move(role, verb, state), (state, moved)


# --- Library images -----------------------------------------------------------------------------


def image_change(client, image, **fields):
    data = {
        "title": image.title,
        "alt_text": image.alt_text,
        "caption": image.caption,
        "credit": image.credit,
        "source_url": image.source_url,
        "focal_point_x": "",
        "focal_point_y": "",
        **fields,
    }
    return client.post(reverse("admin:articles_image_change", args=[image.pk]), data)


@pytest.mark.parametrize("state", STATES)
@pytest.mark.parametrize("role", ROLES)
def test_changing_an_image_an_article_shows(client, people, role, state):
    image = make_image("https://img.example.com/shown.jpg", alt_text="原说明", title="原标题")
    article = writers_article(people["writer"], state)
    Article.objects.filter(pk=article.pk).update(hero_image=image)
    client.force_login(people[role])
    response = image_change(
        client, image, alt_text="改过的说明", title="改过的标题", source_url="https://evil.example/x.jpg"
    )
    image.refresh_from_db()
    changed = image.alt_text == "改过的说明"
    assert changed == may_write(role, state), response.status_code
    if not changed:
        assert response.status_code == 403
        assert (image.title, image.source_url) == ("原标题", "https://img.example.com/shown.jpg")


def test_a_writer_cannot_change_an_image_their_draft_shares_with_a_live_article(client, people):
    image = make_image(alt_text="原说明")
    mine = writers_article(people["writer"], "draft")
    live = make_article("在线文章", hero_image=image)
    Article.objects.filter(pk=mine.pk).update(hero_image=image)
    client.force_login(people["writer"])
    assert image_change(client, image, alt_text="改过").status_code == 403
    image.refresh_from_db()
    assert image.alt_text == "原说明"
    assert live.hero_image_id == image.pk
    # The page opens read-only instead.
    page = client.get(reverse("admin:articles_image_change", args=[image.pk])).content.decode()
    assert 'name="alt_text"' not in page


def test_a_writer_may_describe_an_unused_image_or_one_only_their_drafts_show(client, people):
    unused, in_draft = make_image(), make_image()
    mine = writers_article(people["writer"], "draft")
    Article.objects.filter(pk=mine.pk).update(thumbnail=in_draft)
    client.force_login(people["writer"])
    for image in (unused, in_draft):
        assert image_change(client, image, alt_text="写好的说明").status_code == 302
        image.refresh_from_db()
        assert image.alt_text == "写好的说明"


@pytest.mark.parametrize("role", ROLES)
def test_uploading_to_the_library(client, people, role):
    from django.core.files.uploadedfile import SimpleUploadedFile

    from articles.tests.pictures import make_jpeg

    client.force_login(people[role])
    upload = SimpleUploadedFile("a.jpg", make_jpeg(), content_type="image/jpeg")
    response = client.post(reverse("admin:articles_image_upload"), {"files": [upload]})
    may_add = role != "no_role"
    assert Image.objects.exists() == may_add, response.status_code
    if not may_add:
        assert response.status_code == 403


# --- Categories, tags, authors: editors only, by hand-made requests too ----------------------------


@pytest.mark.parametrize("role", ROLES)
def test_writers_cannot_write_categories_tags_or_authors(client, people, role):
    category = make_category_path("科技")
    tag = Tag.objects.create(name="芯片")
    author = make_author("原作者")
    client.force_login(people[role])
    posts = [
        (reverse("admin:articles_category_add"), {"name": "新分类", "slug": "", "position": 0, "description": ""}),
        (reverse("admin:articles_category_change", args=[category.pk]), {"name": "改名", "slug": category.slug, "position": 0, "description": ""}),
        (reverse("admin:articles_tag_add"), {"name": "新标签", "slug": "xin"}),
        (reverse("admin:articles_tag_change", args=[tag.pk]), {"name": "改名", "slug": tag.slug}),
        (reverse("admin:articles_author_add"), {"name": "新作者", "slug": "", "bio": ""}),
        (reverse("admin:articles_author_change", args=[author.pk]), {"name": "改名", "slug": author.slug, "bio": ""}),
    ]  # fmt: skip
    for url, data in posts:
        response = client.post(url, data)
        if role in EDITORS:
            assert response.status_code == 302, (url, response.content.decode()[:1500])
        else:
            assert response.status_code == 403, url
    names = {
        "category": set(Category.objects.values_list("name", flat=True)),
        "tag": set(Tag.objects.values_list("name", flat=True)),
        # (Writers' own bylines, made with their role, left aside.)
        "author": set(Author.objects.filter(user=None).values_list("name", flat=True)),
    }
    if role in EDITORS:
        assert names == {"category": {"改名", "新分类"}, "tag": {"改名", "新标签"}, "author": {"改名", "新作者"}}
    else:
        assert names == {"category": {"科技"}, "tag": {"芯片"}, "author": {"原作者"}}


def test_a_writer_creates_tags_only_through_their_own_drafts(client, people):
    live = writers_article(people["writer"], "published")
    client.force_login(people["writer"])
    client.post(change_url(live), change_form_data(live, tags="偷偷新建"))
    assert not Tag.objects.filter(name="偷偷新建").exists()
    draft = writers_article(people["writer"], "draft")
    client.post(change_url(draft), change_form_data(draft, tags="正常新建"))
    assert Tag.objects.filter(name="正常新建").exists()


# --- The gate itself ------------------------------------------------------------------------------


def test_the_gate_reads_the_stored_row_not_the_copy_it_is_given(people):
    article = writers_article(people["writer"], "published")
    stale = Article.objects.get(pk=article.pk)
    stale.status = S.DRAFT  # as reversion's revert or a stale form would hold it
    assert not may_change(people["writer"], stale)
    assert may_change(people["editor"], stale)


def test_the_gate_refuses_nobody_and_deactivated_people(people):
    article = writers_article(people["writer"], "draft")
    people["writer"].is_active = False
    assert not may_change(None, article)
    assert not may_change(people["writer"], article)


def test_restoring_offers_the_tags_the_revision_recorded(client, people):
    article = writers_article(people["writer"], "draft")  # its revisions hold the tag 原标签
    article.tags.set(["今天的标签"])
    client.force_login(people["writer"])
    html = client.get(revision_url(article, oldest_version(article))).content.decode()
    assert 'value="原标签"' in html and "今天的标签" not in html
    client.post(
        revision_url(article, oldest_version(article)),
        {**change_form_data(article, tags="原标签"), "confirm_restore": "on"},
    )
    assert sorted(Article.objects.get(pk=article.pk).tags.names()) == ["原标签"]


# --- Autosave (a JSON endpoint) ------------------------------------------------------------------


@pytest.mark.parametrize("state", STATES)
@pytest.mark.parametrize("role", ROLES)
def test_autosaving(client, people, role, state):
    from articles.models import Autosave

    article = writers_article(people["writer"], state)
    before = snapshot(article)
    client.force_login(people[role])
    response = client.post(
        reverse("admin:articles_article_autosave", args=[article.pk]),
        change_form_data(article, title="自动保存的标题", body="<p>x</p><script>alert(1)</script>"),
    )
    kept = Autosave.objects.filter(article=article, user=people[role]).first()
    if may_write(role, state):
        assert response.status_code == 200 and kept.data["title"] == ["自动保存的标题"]
        assert "<script" not in str(kept.data["body"])  # through the one policy
    else:
        # The article's own writer may see it (403); nobody else is told it exists (404).
        assert response.status_code == (403 if role == "writer" else 404) and kept is None
    assert snapshot(article) == before  # an autosave never touches the article
