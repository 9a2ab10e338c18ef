"""Autosave over HTTP: the article form's content kept while a person types, offered back when
the form is opened again, restored into the form, discarded, and gone once the form is saved;
every keep and discard through the one gate and the one sanitizer."""

import datetime as dt

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone

from articles import autosave
from articles.models import Article, Author, Autosave
from articles.permissions import CHIEF_EDITOR_GROUP, EDITOR_GROUP, WRITER_GROUP, may_change
from articles.tests.factories import make_article, make_author, make_staff

pytestmark = pytest.mark.django_db

S = Article.Status
ADD_URL = reverse("admin:articles_article_add")
ADD_AUTOSAVE_URL = reverse("admin:articles_article_add_autosave")
ADD_DISCARD_URL = reverse("admin:articles_article_add_autosave_discard")


@pytest.fixture
def writer():
    return make_staff("writer", WRITER_GROUP)


@pytest.fixture
def other_writer():
    return make_staff("other", WRITER_GROUP)


@pytest.fixture
def editor():
    return make_staff("editor", EDITOR_GROUP)


def change_url(article):
    return reverse("admin:articles_article_change", args=[article.pk])


def autosave_url(article):
    return reverse("admin:articles_article_autosave", args=[article.pk])


def discard_url(article):
    return reverse("admin:articles_article_autosave_discard", args=[article.pk])


def draft_of(user, title="存下的标题", **fields):
    fields.setdefault("body", "<p>第一句。</p><p>第二句。</p>")
    return make_article(title, published=False, created_by=user, **fields)


def typed(article=None, **overrides):
    """The article form's fields as the script posts them (with the CSRF token, which the test
    client does not check), `article`'s stored values changed by `overrides`."""
    data = {"csrfmiddlewaretoken": "token", "title": "", "summary": "", "body": "", "slug": "", "tags": ""}
    if article is not None:
        article.refresh_from_db()
        data.update(
            title=article.title,
            summary=article.summary,
            body=article.body,
            slug=article.slug,
            author=str(article.author_id),
            allow_comments="on",
            language=article.language,
            edit_version=str(article.edit_version),
        )
    data.update(overrides)
    return data


def kept_by(user, article=None):
    return Autosave.objects.filter(user=user, article=article).first()


def keep_as(client, user, article, **overrides):
    client.force_login(user)
    return client.post(autosave_url(article), typed(article, **overrides))


# --- Keeping, replacing, discarding ---------------------------------------------------------------


def test_keeping_stores_the_typed_fields_and_never_touches_the_article(client, writer):
    article = draft_of(writer)
    before = Article.objects.values("title", "body", "edit_version", "updated_at").get(pk=article.pk)

    response = keep_as(client, writer, article, title="正在写的标题")

    assert response.status_code == 200
    assert response.json()["saved_at"]
    kept = kept_by(writer, article)
    assert kept.data["title"] == ["正在写的标题"]
    assert kept.base_edit_version == before["edit_version"]
    assert Article.objects.values("title", "body", "edit_version", "updated_at").get(pk=article.pk) == before


def test_a_later_autosave_replaces_the_earlier_one(client, writer):
    article = draft_of(writer)
    keep_as(client, writer, article, title="第一次")
    first = kept_by(writer, article)

    keep_as(client, writer, article, title="第二次")

    assert Autosave.objects.filter(user=writer).count() == 1
    second = kept_by(writer, article)
    assert second.pk == first.pk and second.data["title"] == ["第二次"]
    assert second.saved_at >= first.saved_at


def test_only_the_forms_own_fields_are_kept_and_never_the_edit_lock(client, writer):
    article = draft_of(writer)
    keep_as(client, writer, article, status="published", created_by="99", published_at_0="2030-01-01", extra="x")

    data = kept_by(writer, article).data
    assert {"title", "summary", "body", "slug", "author", "allow_comments"} <= set(data)
    # status and created_by are not form fields; published_at is read-only for writers.
    assert not {"status", "created_by", "published_at_0", "extra", "edit_version", "csrfmiddlewaretoken"} & set(data)


def test_a_new_articles_autosave_has_no_article(client, writer):
    client.force_login(writer)
    response = client.post(ADD_AUTOSAVE_URL, typed(title="还没保存过的稿子"))

    assert response.status_code == 200
    assert kept_by(writer).data["title"] == ["还没保存过的稿子"]
    assert not Article.objects.exists()


def test_discarding_deletes_the_autosave_and_goes_back_to_the_form(client, writer):
    article = draft_of(writer)
    keep_as(client, writer, article, title="不要了")

    response = client.post(discard_url(article))

    assert response.status_code == 302 and response["Location"] == change_url(article)
    assert kept_by(writer, article) is None


def test_discarding_from_a_script_answers_json(client, writer):
    client.force_login(writer)
    client.post(ADD_AUTOSAVE_URL, typed(title="新的"))

    response = client.post(ADD_DISCARD_URL, headers={"Accept": "application/json"})

    assert response.json() == {"discarded": True}
    assert kept_by(writer) is None


def test_one_persons_autosave_leaves_anothers_alone(client, writer, editor):
    article = draft_of(writer)
    keep_as(client, writer, article, title="撰稿人的")
    keep_as(client, editor, article, title="编辑的")
    client.post(discard_url(article))  # the editor's

    assert kept_by(editor, article) is None
    assert kept_by(writer, article).data["title"] == ["撰稿人的"]


def test_only_post_is_accepted(client, writer):
    article = draft_of(writer)
    client.force_login(writer)

    assert client.get(autosave_url(article)).status_code == 405
    assert client.get(discard_url(article)).status_code == 405
    assert not Autosave.objects.exists()


# --- The gate: per role and state, hand-made posts included ----------------------------------


@pytest.mark.parametrize(
    ("who", "owner", "status", "expected"),
    [
        ("writer", "writer", S.DRAFT, 200),
        ("writer", "writer", S.REVIEW, 403),
        ("writer", "writer", S.PUBLISHED, 403),
        ("writer", "other", S.DRAFT, 404),
        ("writer", "other", S.REVIEW, 404),
        ("editor", "writer", S.DRAFT, 200),
        ("editor", "writer", S.REVIEW, 200),
        ("editor", "writer", S.PUBLISHED, 200),
        ("chief", "other", S.PUBLISHED, 200),
    ],
)
def test_who_may_autosave_which_article(client, who, owner, status, expected):
    people = {
        "writer": make_staff("writer", WRITER_GROUP),
        "other": make_staff("other", WRITER_GROUP),
        "editor": make_staff("editor", EDITOR_GROUP),
        "chief": make_staff("chief", CHIEF_EDITOR_GROUP),
    }
    published_at = timezone.now() - dt.timedelta(hours=1) if status == S.PUBLISHED else None
    article = draft_of(people[owner], status=status, published_at=published_at)

    response = keep_as(client, people[who], article, title="手工提交的标题")

    assert response.status_code == expected
    assert Autosave.objects.exists() is (expected == 200)
    if expected != 200:
        assert response.json()["error"]


def test_a_writer_cannot_autosave_once_the_article_is_submitted(client, writer):
    article = draft_of(writer)
    assert keep_as(client, writer, article, title="提交前").status_code == 200
    Article.objects.filter(pk=article.pk).update(status=S.REVIEW)

    response = keep_as(client, writer, article, title="提交后")

    assert response.status_code == 403
    assert kept_by(writer, article).data["title"] == ["提交前"]


def test_a_writer_cannot_discard_an_autosave_of_a_submitted_article_by_hand(client, writer):
    article = draft_of(writer)
    keep_as(client, writer, article, title="提交前")
    Article.objects.filter(pk=article.pk).update(status=S.REVIEW)

    assert client.post(discard_url(article)).status_code == 403
    assert kept_by(writer, article) is not None


def test_the_gate_refuses_a_new_autosave_of_an_article_the_person_may_not_change(writer):
    submitted = draft_of(writer, status=S.REVIEW)
    draft = draft_of(writer, "草稿")

    assert not may_change(writer, Autosave(user=writer, article=submitted))
    assert may_change(writer, Autosave(user=writer, article=draft))
    assert may_change(writer, Autosave(user=writer))


def test_anonymous_posts_keep_nothing(client, writer):
    article = draft_of(writer)

    response = client.post(autosave_url(article), typed(article, title="匿名"))

    assert response.status_code == 302 and "/login/" in response["Location"]
    assert not Autosave.objects.exists()


# --- The one sanitizer, the size limit ------------------------------------------------------------


def test_a_script_in_an_autosaved_body_never_comes_back(client, writer):
    article = draft_of(writer)
    keep_as(client, writer, article, body='<p>新的一句。</p><script>alert("autosave")</script>', title="<b>标题</b>")

    assert "script" not in kept_by(writer, article).data["body"][0]
    offer = client.get(change_url(article)).content.decode()
    restored = client.get(change_url(article) + "?autosave=restore").content.decode()
    for page in (offer, restored):
        assert 'alert("autosave")' not in page and "alert(&quot;autosave&quot;)" not in page
    assert "<b>标题</b>" not in offer and "&lt;b&gt;标题&lt;/b&gt;" in offer


def test_an_oversized_autosave_is_refused_with_a_clear_error(client, writer):
    article = draft_of(writer)

    response = keep_as(client, writer, article, body="<p>" + "字" * (autosave.MAX_BYTES // 3 + 1) + "</p>")

    assert response.status_code == 413
    assert "MB" in response.json()["error"]
    assert not Autosave.objects.exists()


# --- The offer on the change and add pages --------------------------------------------------------


def test_the_change_page_offers_a_newer_autosave_with_what_differs(client, writer):
    article = draft_of(writer)
    keep_as(client, writer, article, title="改过的标题", body="<p>第一句。</p><p>新写的一句。</p>", tags="芯片")

    page = client.get(change_url(article)).content.decode()

    assert 'class="autosave-offer"' in page
    assert "<del>存下的标题</del>" in page and "<ins>改过的标题</ins>" in page
    assert "<del>第二句。</del>" in page and "<ins>新写的一句。</ins>" in page
    assert "第一句。</span>" not in page  # unchanged lines are folded into "…"
    assert "另有改动：标签" in page
    assert f'href="{change_url(article)}?autosave=restore"' in page
    assert f'action="{discard_url(article)}"' in page
    assert "又被修改过" not in page


def test_no_offer_when_the_autosave_is_older_than_the_last_save(client, writer):
    article = draft_of(writer)
    keep_as(client, writer, article, title="旧的自动保存")
    Autosave.objects.update(saved_at=article.updated_at - dt.timedelta(minutes=1))

    page = client.get(change_url(article)).content.decode()

    assert 'class="autosave-offer"' not in page
    assert 'id="article-autosave"' in page  # autosave itself keeps working


def test_no_offer_when_the_autosave_holds_what_the_article_holds(client, writer):
    article = draft_of(writer)
    keep_as(client, writer, article)

    assert 'class="autosave-offer"' not in client.get(change_url(article)).content.decode()


def test_the_offer_warns_when_the_article_changed_since_the_autosave(client, writer):
    article = draft_of(writer)
    keep_as(client, writer, article, title="撰稿人正在改")
    article.refresh_from_db()
    article.summary = "编辑改了摘要"
    article.save()
    Autosave.objects.update(saved_at=timezone.now() + dt.timedelta(seconds=1))

    page = client.get(change_url(article)).content.decode()

    assert 'class="autosave-offer"' in page and "又被修改过" in page


def test_a_read_only_article_page_has_no_autosave(client, writer):
    article = draft_of(writer)
    keep_as(client, writer, article, title="提交前")
    Article.objects.filter(pk=article.pk).update(status=S.REVIEW, updated_at=timezone.now() - dt.timedelta(days=1))

    page = client.get(change_url(article)).content.decode()

    assert 'id="article-autosave"' not in page and 'class="autosave-offer"' not in page


def test_the_add_page_offers_the_persons_new_article(client, writer, other_writer):
    client.force_login(other_writer)
    client.post(ADD_AUTOSAVE_URL, typed(title="别人的新稿"))
    client.force_login(writer)
    assert 'class="autosave-offer"' not in client.get(ADD_URL).content.decode()

    client.post(ADD_AUTOSAVE_URL, typed(title="我的新稿", body="<p>开头。</p>"))
    page = client.get(ADD_URL).content.decode()

    assert "<ins>我的新稿</ins>" in page and "<ins>开头。</ins>" in page
    assert f'href="{ADD_URL}?autosave=restore"' in page and f'action="{ADD_DISCARD_URL}"' in page
    assert f'data-autosave-url="{ADD_AUTOSAVE_URL}"' in page


def test_the_change_page_costs_the_same_queries_with_or_without_an_offer(client, writer):
    article = draft_of(writer)
    client.force_login(writer)
    client.get(change_url(article))  # the session, content types and such, read once

    def queries():
        with CaptureQueriesContext(connection) as captured:
            assert client.get(change_url(article)).status_code == 200
        return len(captured)

    without = queries()
    client.post(autosave_url(article), typed(article, title="有改动", tags="芯片, 手机"))
    with_offer = queries()
    assert 'class="autosave-offer"' in client.get(change_url(article)).content.decode()
    Autosave.objects.update(saved_at=article.updated_at - dt.timedelta(minutes=1))
    stale = queries()

    assert without == with_offer == stale == CHANGE_PAGE_QUERIES


# The writer's change page of their draft, the autosave lookup included; pinned so that growth shows.
CHANGE_PAGE_QUERIES = 19


# --- Restoring, and saving the restored form -------------------------------------------------------


def submitted_form(response, **overrides):
    """The change form's fields as a browser would post them from the page of `response`."""
    form = response.context["adminform"].form
    data = {}
    for name in form.fields:
        value = form[name].value()
        if value is None or value is False:
            continue
        if value is True:
            value = "on"
        if isinstance(value, (list, tuple)) and name in ("published_at", "expires_at"):
            for index, part in enumerate(value):
                data[f"{name}_{index}"] = part or ""
            continue
        data[name] = value
    data.update(overrides)
    return data


def test_restoring_fills_the_form_and_saving_it_works_and_ends_the_autosave(client, writer):
    article = draft_of(writer)
    keep_as(client, writer, article, title="恢复的标题", body="<p>恢复的正文。</p>", allow_comments="")
    article.refresh_from_db()

    response = client.get(change_url(article) + "?autosave=restore")

    form = response.context["adminform"].form
    assert form["title"].value() == "恢复的标题"
    assert form["body"].value() == "<p>恢复的正文。</p>"
    assert form["allow_comments"].value() is False
    assert form["edit_version"].value() == article.edit_version
    page = response.content.decode()
    assert "data-autosave-unsaved" in page and "表单已填入" in page
    assert 'class="autosave-offer"' not in page

    saved = client.post(change_url(article) + "?autosave=restore", submitted_form(response, _continue="1"))

    assert saved.status_code == 302, saved.context["adminform"].form.errors if saved.context else ""
    article.refresh_from_db()
    assert article.title == "恢复的标题" and article.body == "<p>恢复的正文。</p>"
    assert article.allow_comments is False
    assert kept_by(writer, article) is None


def test_restoring_after_someone_else_saved_keeps_the_current_edit_lock(client, writer):
    article = draft_of(writer)
    keep_as(client, writer, article, title="撰稿人的版本")
    article.refresh_from_db()
    article.summary = "别人刚改过"
    article.save()

    response = client.get(change_url(article) + "?autosave=restore")

    assert response.context["adminform"].form["edit_version"].value() == article.edit_version
    saved = client.post(change_url(article), submitted_form(response))
    assert saved.status_code == 302
    article.refresh_from_db()
    assert article.title == "撰稿人的版本"


def test_restoring_a_new_article_and_saving_it_ends_the_new_articles_autosave(client, writer):
    # The writer's own byline (which their role may already have given them), preselected.
    byline = Author.objects.filter(user=writer).first() or make_author("撰稿人本人", user=writer)
    client.force_login(writer)
    client.post(ADD_AUTOSAVE_URL, typed(title="新稿恢复", body="<p>新稿正文。</p>", author=str(byline.pk)))

    response = client.get(ADD_URL + "?autosave=restore")
    assert response.context["adminform"].form["title"].value() == "新稿恢复"
    saved = client.post(ADD_URL + "?autosave=restore", submitted_form(response))

    assert saved.status_code == 302, saved.context["adminform"].form.errors if saved.context else ""
    created = Article.objects.get(title="新稿恢复")
    assert created.body == "<p>新稿正文。</p>" and created.created_by == writer and created.author == byline
    assert kept_by(writer) is None


def test_saving_the_form_ends_the_persons_autosave_of_that_article_only(client, writer):
    article = draft_of(writer)
    another = draft_of(writer, "另一篇")
    keep_as(client, writer, article, title="自动保存的")
    keep_as(client, writer, another, title="另一篇的自动保存")

    response = client.get(change_url(article))
    assert client.post(change_url(article), submitted_form(response, title="手动保存")).status_code == 302

    assert kept_by(writer, article) is None
    assert kept_by(writer, another) is not None


def test_a_refused_save_shows_the_form_as_unsaved(client, writer):
    article = draft_of(writer)
    client.force_login(writer)
    response = client.get(change_url(article))

    refused = client.post(change_url(article), submitted_form(response, title=""))

    assert refused.status_code == 200
    assert "data-autosave-unsaved" in refused.content.decode()


# --- Plain functions -------------------------------------------------------------------------------


def test_only_named_fields_and_their_date_parts_are_kept_and_the_body_is_sanitized():
    from django.http import QueryDict

    posted = QueryDict(mutable=True)
    posted.update({"title": "标题", "published_at_0": "2030-01-02", "published_at_1": "08:00", "status": "published"})
    posted.setlist("categories", ["3", "5"])
    posted["body"] = '<p onclick="x()">正文</p><script>bad()</script>'
    posted["edit_version"] = "7"

    kept = autosave.kept_fields({"title", "published_at", "categories", "body", "edit_version"}, posted)

    assert kept == {
        "title": ["标题"],
        "published_at_0": ["2030-01-02"],
        "published_at_1": ["08:00"],
        "categories": ["3", "5"],
        "body": ["<p>正文</p>"],
    }


def test_runs_of_unchanged_lines_fold_into_one_ellipsis():
    from articles.revisions import ADDED, REMOVED, SAME, DiffLine

    lines = [
        DiffLine(SAME, "一"),
        DiffLine(SAME, "二"),
        DiffLine(REMOVED, "三"),
        DiffLine(ADDED, "叁"),
        DiffLine(SAME, "四"),
    ]

    assert autosave.changed_lines(lines) == [
        autosave.UNCHANGED_RUN, DiffLine(REMOVED, "三"), DiffLine(ADDED, "叁"), autosave.UNCHANGED_RUN,
    ]  # fmt: skip


@pytest.mark.parametrize("seconds, shown", [(30.0, "30.0"), (0.0, "0.0")])
def test_the_page_tells_the_script_how_often_to_autosave(client, writer, settings, seconds, shown):
    # NEWSROOM_AUTOSAVE_SECONDS; 0 turns autosave off (the warning before leaving stays).
    settings.NEWSROOM = {**settings.NEWSROOM, "AUTOSAVE_SECONDS": seconds}
    client.force_login(writer)
    html = client.get(change_url(draft_of(writer))).content.decode()
    assert f'data-autosave-seconds="{shown}"' in html
