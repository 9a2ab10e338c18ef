"""The editorial workflow through the admin, over HTTP, for each role (writer, editor, chief
editor, superuser): who sees what, who may change what, the workflow URLs, bulk actions,
filters, badges, the transition history, and a changelist whose query count does not grow."""

import datetime as dt
from zoneinfo import ZoneInfo

import pytest
from django.contrib.auth import get_user_model
from django.contrib.auth.models import Group
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone

from articles import workflow
from articles.models import Article, Transition
from articles.permissions import CHIEF_EDITOR_GROUP, EDITOR_GROUP, WRITER_GROUP
from articles.tests.factories import change_form_data, make_article, make_author, make_category_path, make_image

pytestmark = pytest.mark.django_db

S = Article.Status
CHANGELIST = reverse("admin:articles_article_changelist")


def change_url(article):
    return reverse("admin:articles_article_change", args=[article.pk])


def workflow_url(article, verb):
    return reverse("admin:articles_article_workflow", args=[article.pk, verb])


def make_user(username, group=None, **extra):
    user = get_user_model().objects.create_user(username, password="x", is_staff=True, **extra)
    if group:
        # The real groups, as migration 0003 created them.
        user.groups.add(Group.objects.get(name=group))
    return user


@pytest.fixture
def writer():
    return make_user("writer", WRITER_GROUP)


@pytest.fixture
def other_writer():
    return make_user("other", WRITER_GROUP)


@pytest.fixture
def editor():
    return make_user("editor", EDITOR_GROUP)


@pytest.fixture
def chief():
    return make_user("chief", CHIEF_EDITOR_GROUP)


@pytest.fixture
def superuser():
    return get_user_model().objects.create_superuser("root", password="x")


def login(client, user):
    client.force_login(user)
    return client


def draft_of(user, title=None, **fields):
    return make_article(title, published=False, created_by=user, **fields)


def messages_of(response):
    return [str(m) for m in response.context["messages"]] if response.context else []


# --- Visibility ---------------------------------------------------------------------------------


def test_writers_list_only_their_own_articles_editors_list_all(client, writer, other_writer, editor, chief, superuser):
    mine = draft_of(writer, "我的稿子")
    theirs = draft_of(other_writer, "别人的稿子")
    legacy = make_article("导入的旧文章")  # no creator

    html = login(client, writer).get(CHANGELIST).content.decode()
    assert mine.title in html and theirs.title not in html and legacy.title not in html

    for user in (editor, chief, superuser):
        html = login(client, user).get(CHANGELIST).content.decode()
        assert all(a.title in html for a in (mine, theirs, legacy)), user.username


def test_change_page_access_by_role(client, writer, other_writer, editor, chief, superuser):
    own_draft = draft_of(writer)
    own_in_review = draft_of(writer, status=S.REVIEW)
    theirs = draft_of(other_writer)

    login(client, writer)
    editable = client.get(change_url(own_draft))
    assert editable.status_code == 200 and 'name="title"' in editable.content.decode()
    # Submitted: the writer still sees it (and may withdraw it), but can no longer edit it.
    read_only = client.get(change_url(own_in_review))
    assert read_only.status_code == 200 and 'name="title"' not in read_only.content.decode()
    # Someone else's draft does not exist as far as this writer is concerned.
    assert client.get(change_url(theirs)).status_code == 302
    assert client.get(reverse("admin:articles_article_history", args=[theirs.pk])).status_code == 302

    for user in (editor, chief, superuser):
        login(client, user)
        for article in (own_draft, own_in_review, theirs):
            response = client.get(change_url(article))
            assert response.status_code == 200, (user.username, article.status)
            assert 'name="title"' in response.content.decode()


def test_status_is_never_a_form_field(client, editor):
    html = login(client, editor).get(change_url(draft_of(editor))).content.decode()
    assert 'name="status"' not in html
    assert 'name="published_at_0"' in html and 'name="expires_at_0"' in html


def test_writers_cannot_set_publication_times(client, writer):
    html = login(client, writer).get(change_url(draft_of(writer))).content.decode()
    assert 'name="published_at_0"' not in html and 'name="expires_at_0"' not in html


def test_slug_help_explains_the_pinyin_slug(client, editor):
    html = login(client, editor).get(reverse("admin:articles_article_add")).content.decode()
    assert "拼音" in html and 'name="slug"' in html


# --- Hand-made POSTs change nothing they should not ---------------------------------------------


def test_writer_cannot_publish_through_a_hand_made_form(client, writer):
    article = draft_of(writer, "手写表单")
    response = login(client, writer).post(
        change_url(article),
        change_form_data(
            article,
            title="手写表单（改）",
            status="published",
            published_at_0="2020-01-01",
            published_at_1="10:00:00",
            expires_at_0="2030-01-01",
            expires_at_1="10:00:00",
            created_by=999,
        ),
    )
    assert response.status_code == 302, response.content.decode()[:3000]
    article.refresh_from_db()
    assert article.title == "手写表单（改）"  # the text is the writer's to change…
    assert article.status == S.DRAFT  # …the state and the times are not
    assert article.published_at is None and article.expires_at is None
    assert article.created_by == writer
    assert not Transition.objects.exists()


def test_writer_cannot_post_to_another_writers_article(client, writer, other_writer):
    theirs = draft_of(other_writer, "别人的")
    response = login(client, writer).post(change_url(theirs), change_form_data(theirs, title="改掉"))
    assert response.status_code == 302
    theirs.refresh_from_db()
    assert theirs.title == "别人的"


def test_writer_cannot_edit_own_article_once_submitted(client, writer):
    article = draft_of(writer, "已提交", status=S.REVIEW)
    response = login(client, writer).post(change_url(article), change_form_data(article, title="改掉"))
    assert response.status_code == 403
    article.refresh_from_db()
    assert article.title == "已提交"


def test_editor_edit_keeps_the_state(client, editor):
    article = make_article("在线文章")  # published
    response = login(client, editor).post(
        change_url(article),
        change_form_data(
            article,
            title="在线文章（修订）",
            status="archived",
            published_at_0=timezone.localtime(article.published_at).strftime("%Y-%m-%d"),
            published_at_1=timezone.localtime(article.published_at).strftime("%H:%M:%S"),
        ),
    )
    assert response.status_code == 302, response.content.decode()[:3000]
    article.refresh_from_db()
    assert article.title == "在线文章（修订）" and article.status == S.PUBLISHED


def test_adding_sets_the_creator_and_starts_as_draft(client, writer):
    author = make_author("撰稿人甲")
    response = login(client, writer).post(
        reverse("admin:articles_article_add"),
        {
            "title": "新文章",
            "slug": "",
            "author": author.pk,
            "summary": "",
            "body": "<p>正文</p>",
            "allow_comments": "on",
            "tags": "",
            "status": "published",
            "published_at_0": "2025-01-02",
            "published_at_1": "10:00:00",
            "edit_version": 0,
        },
    )
    assert response.status_code == 302, response.content.decode()[:3000]
    article = Article.objects.get(title="新文章")
    assert article.created_by == writer
    assert article.status == S.DRAFT and article.published_at is None
    assert article.slug == "xin-wen-zhang"


def test_only_editors_may_delete(client, writer, editor):
    article = draft_of(writer)
    delete = reverse("admin:articles_article_delete", args=[article.pk])
    assert login(client, writer).post(delete, {"post": "yes"}).status_code == 403
    assert Article.objects.filter(pk=article.pk).exists()
    assert login(client, editor).post(delete, {"post": "yes"}).status_code == 302
    assert not Article.objects.filter(pk=article.pk).exists()


def test_only_editors_may_browse_deleted_articles(client, writer, editor):
    recover = reverse("admin:articles_article_recoverlist")
    assert login(client, writer).get(recover).status_code == 403
    assert "recoverlink" not in client.get(CHANGELIST).content.decode()
    assert login(client, editor).get(recover).status_code == 200
    assert "recoverlink" in client.get(CHANGELIST).content.decode()


# --- Workflow URLs --------------------------------------------------------------------------------


def workflow_button(verb):
    """The change form's own button for a move (it saves the form first)."""
    return f'form="article_form" name="_workflow" value="{verb}"'


def test_change_page_offers_the_verbs_the_user_may_apply(client, writer, editor):
    article = draft_of(writer)
    html = login(client, writer).get(change_url(article)).content.decode()
    assert workflow_button("submit") in html
    assert workflow_button("publish") not in html and workflow_url(article, "publish") not in html

    html = login(client, editor).get(change_url(article)).content.decode()
    assert workflow_button("publish") in html and 'type="datetime-local"' in html
    assert workflow_button("archive") in html


def test_a_writer_who_may_no_longer_edit_moves_through_the_moves_own_url(client, writer):
    article = draft_of(writer, status=S.REVIEW)
    html = login(client, writer).get(change_url(article)).content.decode()
    assert f'action="{workflow_url(article, "withdraw")}"' in html
    assert workflow_button("withdraw") not in html


def test_writer_submits_and_withdraws_own_draft(client, writer):
    article = draft_of(writer)
    login(client, writer)
    response = client.post(workflow_url(article, "submit"), {"comment": "请审阅"}, follow=True)
    assert response.redirect_chain[-1][0] == change_url(article)
    assert any("提交审核完成" in m for m in messages_of(response))
    article.refresh_from_db()
    assert article.status == S.REVIEW
    transition = Transition.objects.get(article=article)
    assert (transition.by, transition.from_status, transition.to_status, transition.comment) == (
        writer,
        S.DRAFT,
        S.REVIEW,
        "请审阅",
    )
    client.post(workflow_url(article, "withdraw"))
    article.refresh_from_db()
    assert article.status == S.DRAFT


def test_writer_posting_publish_is_refused(client, writer):
    article = draft_of(writer)
    response = login(client, writer).post(workflow_url(article, "publish"))
    assert response.status_code == 403
    article.refresh_from_db()
    assert article.status == S.DRAFT and not Transition.objects.exists()


def test_workflow_url_is_post_only_and_hides_other_writers_articles(client, writer, other_writer):
    mine, theirs = draft_of(writer), draft_of(other_writer)
    login(client, writer)
    assert client.get(workflow_url(mine, "submit")).status_code == 405
    assert client.post(workflow_url(theirs, "submit")).status_code == 404
    assert client.post(reverse("admin:articles_article_workflow", args=[mine.pk, "delete"])).status_code == 404
    theirs.refresh_from_db()
    mine.refresh_from_db()
    assert theirs.status == mine.status == S.DRAFT


def test_workflow_url_requires_csrf(writer):
    from django.test import Client

    article = draft_of(writer)
    client = Client(enforce_csrf_checks=True)
    client.force_login(writer)
    assert client.post(workflow_url(article, "submit")).status_code == 403
    article.refresh_from_db()
    assert article.status == S.DRAFT


def test_send_back_needs_a_comment(client, writer, editor):
    article = draft_of(writer, status=S.REVIEW)
    login(client, editor)
    response = client.post(workflow_url(article, "send_back"), {"comment": "  "}, follow=True)
    assert any("必须写明原因" in m for m in messages_of(response))
    article.refresh_from_db()
    assert article.status == S.REVIEW

    client.post(workflow_url(article, "send_back"), {"comment": "标题太长"})
    article.refresh_from_db()
    assert article.status == S.DRAFT


@pytest.mark.parametrize("role", ["editor", "chief", "superuser"])
def test_editors_publish_now(client, writer, role, request):
    article = draft_of(writer, status=S.REVIEW)
    login(client, request.getfixturevalue(role)).post(workflow_url(article, "publish"))
    article.refresh_from_db()
    assert article.is_published


def test_editor_schedules_in_local_time(client, editor):
    article = draft_of(editor)
    moment = timezone.localtime() + dt.timedelta(days=2)
    local = moment.strftime("%Y-%m-%dT%H:%M")
    response = login(client, editor).post(workflow_url(article, "publish"), {"publish_at": local}, follow=True)
    article.refresh_from_db()
    assert article.is_scheduled and article.display_state == "scheduled"
    expected = dt.datetime.strptime(local, "%Y-%m-%dT%H:%M").replace(tzinfo=ZoneInfo("Asia/Shanghai"))
    assert article.published_at == expected
    assert any("已安排在" in m for m in messages_of(response))


def test_bad_schedule_time_changes_nothing(client, editor):
    article = draft_of(editor)
    response = login(client, editor).post(workflow_url(article, "publish"), {"publish_at": "下周二"}, follow=True)
    assert any("格式不正确" in m for m in messages_of(response))
    article.refresh_from_db()
    assert article.status == S.DRAFT


def test_state_errors_are_reported_not_applied(client, editor):
    article = make_article(status=S.ARCHIVED, published=False)
    response = login(client, editor).post(workflow_url(article, "unpublish"), follow=True)
    assert any("未能撤下" in m for m in messages_of(response))
    article.refresh_from_db()
    assert article.status == S.ARCHIVED


# --- The change page: history and links -----------------------------------------------------------


def test_change_page_shows_transitions_and_links(client, writer, editor):
    article = draft_of(writer, "有历史的文章")
    workflow.submit(article, by=writer, comment="初稿完成")
    workflow.send_back(article, by=editor, comment="请补充来源")
    html = login(client, writer).get(change_url(article)).content.decode()
    assert "状态变更记录" in html
    assert "初稿完成" in html and "请补充来源" in html
    assert html.count('class="article-transition"') == 2
    assert "待审核" in html and "editor" in html
    assert reverse("articles:preview", kwargs={"pk": article.pk}) in html
    assert "/share/" in html  # the signed share link
    assert reverse("admin:articles_article_history", args=[article.pk]) in html
    assert reverse("admin:articles_article_compare", args=[article.pk]) in html


# --- Bulk actions ---------------------------------------------------------------------------------


def bulk(client, action, articles):
    return client.post(
        CHANGELIST,
        {"action": action, "_selected_action": [a.pk for a in articles], "index": 0},
        follow=True,
    )


def test_writers_bulk_publish_publishes_nothing(client, writer):
    drafts = [draft_of(writer) for _ in range(3)]
    login(client, writer)
    assert "publish_selected" not in client.get(CHANGELIST).content.decode()
    bulk(client, "publish_selected", drafts)
    assert not Article.objects.filter(status=S.PUBLISHED).exists()


def test_writers_bulk_submit_touches_only_their_own(client, writer, other_writer):
    mine = [draft_of(writer) for _ in range(2)]
    theirs = draft_of(other_writer)
    bulk(login(client, writer), "submit_selected", [*mine, theirs])
    assert set(Article.objects.filter(status=S.REVIEW)) == set(mine)


def test_editors_bulk_actions_report_refusals_per_article(client, editor):
    ready = draft_of(editor, "可以发布", status=S.REVIEW)
    archived = make_article("已归档的", status=S.ARCHIVED, published=False)
    live = make_article("已在线")
    response = bulk(login(client, editor), "publish_selected", [ready, archived, live])
    messages = messages_of(response)
    assert any("1 篇完成" in m for m in messages)
    assert any("《已归档的》未能发布" in m for m in messages)
    assert any("《已在线》未能发布" in m for m in messages)
    for article in (ready, archived, live):
        article.refresh_from_db()
    assert ready.is_published and archived.status == S.ARCHIVED

    bulk(client, "unpublish_selected", [ready, live])
    assert Article.objects.filter(status=S.UNPUBLISHED).count() == 2
    bulk(client, "archive_selected", [ready])
    ready.refresh_from_db()
    assert ready.status == S.ARCHIVED


# --- Filters and badges ---------------------------------------------------------------------------


def listed(client, **params):
    response = client.get(CHANGELIST, params)
    assert response.status_code == 200
    return {a.title for a in response.context["cl"].result_list}


def test_state_filters(client, editor, writer):
    now = timezone.now()
    draft_of(writer, "草稿文")
    draft_of(writer, "待审文", status=S.REVIEW)
    make_article("排期文", published_at=now + dt.timedelta(days=1))
    make_article("在线文")
    make_article("过期文", published_at=now - dt.timedelta(days=3), expires_at=now - dt.timedelta(days=1))
    make_article("撤下文", status=S.UNPUBLISHED, published=False)
    login(client, editor)
    assert listed(client, state="review") == {"待审文"}
    assert listed(client, state="scheduled") == {"排期文"}
    assert listed(client, state="published") == {"在线文"}
    assert listed(client, state="expired") == {"过期文"}
    assert listed(client, state="unpublished") == {"撤下文"}
    assert listed(client, state="draft") == {"草稿文"}


def test_my_drafts_filter(client, editor, writer):
    draft_of(editor, "我的草稿")
    draft_of(editor, "我的待审", status=S.REVIEW)
    draft_of(writer, "撰稿人的草稿")
    assert listed(login(client, editor), mine="drafts") == {"我的草稿"}


def test_category_filter_includes_descendants(client, editor):
    tech = make_category_path("科技")
    chips = make_category_path("科技", "芯片")
    other = make_category_path("汽车")
    make_article("科技文", categories=[tech])
    make_article("芯片文", categories=[chips, tech])  # listed once
    make_article("汽车文", categories=[other])
    login(client, editor)
    response = client.get(CHANGELIST, {"category": tech.pk})
    titles = [a.title for a in response.context["cl"].result_list]
    assert sorted(titles) == ["科技文", "芯片文"]
    assert listed(client, category=chips.pk) == {"芯片文"}
    assert listed(client, category="abc") == set()
    assert listed(client, category=999999) == set()


def test_category_filter_reads_the_links_by_the_subtrees_ids(client, editor):
    tech = make_category_path("科技")
    chips = make_category_path("科技", "芯片")
    make_article("芯片文", categories=[chips])
    login(client, editor)
    with CaptureQueriesContext(connection) as queries:
        assert listed(client, category=tech.pk) == {"芯片文"}
    listing = [q["sql"] for q in queries.captured_queries if 'FROM "articles_article"' in q["sql"]]
    filtering = [sql for sql in listing if "articles_article_categories" in sql]
    assert filtering and not any("LIKE" in sql or "GLOB" in sql for sql in filtering)
    assert any(f"IN ({tech.pk}, {chips.pk})" in sql or f"IN ({chips.pk}, {tech.pk})" in sql for sql in filtering)


def test_tag_author_and_search_filters(client, editor):
    author = make_author("张三")
    make_article("带标签", tags=["芯片"], author=author, summary="关于光刻机")
    make_article("无标签")
    login(client, editor)
    tag_id = Article.objects.get(title="带标签").tags.get().pk
    assert listed(client, tag=tag_id) == {"带标签"}
    assert listed(client, author__id__exact=author.pk) == {"带标签"}
    assert listed(client, q="光刻机") == {"带标签"}


def test_list_badges_are_text_not_only_colour(client, editor):
    now = timezone.now()
    make_article("排期文", published_at=now + dt.timedelta(days=1))
    make_article("过期文", published_at=now - dt.timedelta(days=3), expires_at=now - dt.timedelta(days=1))
    draft_of(editor, "待审文", status=S.REVIEW)
    html = login(client, editor).get(CHANGELIST).content.decode()
    for state, label in [("scheduled", "已排期"), ("expired", "已过期"), ("review", "待审核")]:
        assert f'article-state--{state}"' in html and label in html


# --- Query count ----------------------------------------------------------------------------------


def populate(n):
    author = make_author()
    leaf = make_category_path("科技", "芯片")
    image = make_image()
    for i in range(n):
        article = make_article(f"文章 {i}", author=author, thumbnail=image)
        article.categories.set([leaf])
        article.tags.set(["芯片"])


def changelist_queries(client):
    with CaptureQueriesContext(connection) as queries:
        response = client.get(CHANGELIST)
    assert response.status_code == 200
    return len(queries), len(response.context["cl"].result_list)


def test_changelist_query_count_does_not_grow(client, editor, django_assert_max_num_queries):
    login(client, editor)
    populate(20)
    at_20, rows = changelist_queries(client)
    assert rows == 20
    populate(80)
    at_100, rows = changelist_queries(client)
    assert rows == 100
    print(f"\nadmin article changelist: {at_20} queries at 20 articles, {at_100} at 100")
    assert at_100 == at_20
    with django_assert_max_num_queries(at_20):
        client.get(CHANGELIST)


# --- Revisions --------------------------------------------------------------------------------


def test_admin_saves_keep_revisions_and_restoring_one_keeps_the_state(client, editor, writer):
    from reversion.models import Version

    article = draft_of(writer, "第一版")
    login(client, editor)
    assert client.post(change_url(article), change_form_data(article, title="第二版")).status_code == 302
    first = Version.objects.get_for_object(article).get()
    assert first.field_dict["status"] == S.DRAFT
    workflow.publish(article, by=editor)

    history = client.get(reverse("admin:articles_article_history", args=[article.pk]))
    assert history.status_code == 200
    revision = reverse("admin:articles_article_revision", args=[article.pk, first.pk])
    assert client.get(revision).status_code == 200
    response = client.post(revision, change_form_data(article, title="第二版（恢复）", confirm_restore="on"))
    assert response.status_code == 302, response.content.decode()[:3000]
    article.refresh_from_db()
    assert article.title == "第二版（恢复）"
    assert article.status == S.PUBLISHED  # an old revision brings back text, not a state


def test_writer_cannot_open_revisions_of_other_writers_articles(client, writer, other_writer, editor):
    from reversion.models import Version

    theirs = draft_of(other_writer, "别人的")
    login(client, editor).post(change_url(theirs), change_form_data(theirs, title="别人的（改）"))
    version = Version.objects.get_for_object(theirs).get()
    revision = reverse("admin:articles_article_revision", args=[theirs.pk, version.pk])
    login(client, writer)
    assert client.get(revision).status_code == 403
    assert client.post(revision, change_form_data(theirs, title="偷改")).status_code == 403
    theirs.refresh_from_db()
    assert theirs.title == "别人的（改）"


def test_compare_page_by_role(client, writer, other_writer, editor):
    mine, theirs = draft_of(writer), draft_of(other_writer)
    compare = lambda article: reverse("admin:articles_article_compare", args=[article.pk])  # noqa: E731
    login(client, writer)
    assert client.get(compare(mine)).status_code == 200
    assert client.get(compare(theirs)).status_code == 404
    assert login(client, editor).get(compare(theirs)).status_code == 200


def test_change_form_carries_the_edit_lock(client, editor):
    article = draft_of(editor, "锁")
    html = login(client, editor).get(change_url(article)).content.decode()
    assert 'type="hidden" name="edit_version"' in html
    stale = change_form_data(article, title="过时的修改")
    stale["edit_version"] = article.edit_version - 1
    response = client.post(change_url(article), stale)
    assert response.status_code == 200  # re-shown with the conflict, nothing saved
    article.refresh_from_db()
    assert article.title == "锁"


# --- Workflow buttons save the form first ------------------------------------------------------


def test_pressing_publish_saves_the_edited_title_first(client, editor, writer):
    article = draft_of(writer, "旧标题", status=S.REVIEW)
    response = login(client, editor).post(
        change_url(article), {**change_form_data(article, title="新标题"), "_workflow": "publish"}, follow=True
    )
    article.refresh_from_db()
    assert article.is_published and article.title == "新标题"
    assert any("修改已保存" in m for m in messages_of(response))
    assert any("发布完成" in m for m in messages_of(response))


def test_a_move_after_a_form_that_does_not_validate_is_not_made_and_the_input_stays(client, editor, writer):
    article = draft_of(writer, "旧标题", status=S.REVIEW)
    data = {**change_form_data(article, title=""), "_workflow": "send_back", "_workflow_comment_send_back": "请补充"}
    response = login(client, editor).post(change_url(article), data)
    assert response.status_code == 200
    html = response.content.decode()
    assert "未执行“退回修改”" in html
    assert 'value="请补充"' in html  # the comment typed for the move is still there
    article.refresh_from_db()
    assert article.status == S.REVIEW and article.title == "旧标题"
    assert not Transition.objects.exists()


def test_a_refused_move_keeps_the_saved_edits(client, editor, writer):
    article = draft_of(writer, "旧标题", status=S.REVIEW)
    data = {**change_form_data(article, title="改好了"), "_workflow": "send_back", "_workflow_comment_send_back": " "}
    response = login(client, editor).post(change_url(article), data, follow=True)
    article.refresh_from_db()
    assert article.title == "改好了" and article.status == S.REVIEW
    assert any("必须写明原因" in m for m in messages_of(response))


def test_a_move_on_an_unchanged_form_adds_no_empty_revision(client, writer):
    from reversion.models import Version

    article = draft_of(writer, "原样")
    response = login(client, writer).post(
        change_url(article), {**change_form_data(article), "_workflow": "submit", "_workflow_comment_submit": "请审"}
    )
    assert response.status_code == 302
    article.refresh_from_db()
    assert article.status == S.REVIEW
    versions = Version.objects.get_for_object(article)
    assert [v.revision.get_comment() for v in versions] == ["提交审核：请审"]
    assert Transition.objects.get(article=article).comment == "请审"


def test_the_forms_default_button_is_a_plain_save_not_a_move(client, editor):
    # Enter in a text field presses the form's first submit button: it must not publish.
    html = login(client, editor).get(change_url(draft_of(editor))).content.decode()
    first = html.index('form="article_form"')
    default_button = html[html.rindex("<button", 0, first) : html.index(">", first)]
    assert 'name="_continue"' in default_button
    assert html.index('name="_continue"') < html.index('name="_workflow"')
