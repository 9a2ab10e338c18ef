"""Readers' comments under moderation (articles.comments, comment_views, comment_admin): the
form and its spam checks, the page cache (no reader's token in a shared page), moderation in
the admin and on its front page, the editors' e-mail, replies, and plain text that never
reaches the page unescaped."""

import datetime as dt
import html
import re
from html.parser import HTMLParser
from pathlib import Path
from unittest import mock

import pytest
from django.contrib.auth.models import Group
from django.core import mail
from django.core.cache import cache
from django.core.exceptions import PermissionDenied
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone

from articles import caching, comments, notifications
from articles.importing.frontmatter import LegacyRecord
from articles.importing.mapping import map_record
from articles.models import Comment
from articles.permissions import CHIEF_EDITOR_GROUP, EDITOR_GROUP, WRITER_GROUP
from articles.tests.factories import make_article, make_staff
from articles.tests.test_views import ARTICLE_PAGE_BUDGET

pytestmark = pytest.mark.django_db

S = Comment.Status
ORIGIN = "http://testserver"
READER_IP = "203.0.113.7"
QUEUE = reverse("admin:articles_comment_changelist")


@pytest.fixture
def article():
    return make_article("可以评论的文章")


@pytest.fixture
def editor():
    return make_staff("editor", EDITOR_GROUP, email="editor@example.com", first_name="王编辑")


@pytest.fixture
def writer():
    return make_staff("writer", WRITER_GROUP, email="writer@example.com")


def stamp_made_ago(article, seconds):
    """The form's stamp as a page rendered `seconds` ago carried it."""
    real_now = timezone.now
    with mock.patch.object(timezone, "now", lambda: real_now() - dt.timedelta(seconds=seconds)):
        return comments.form_stamp(article.pk)


def form_data(article, *, written_in=30, **fields):
    return {
        "name": "读者甲",
        "email": "",
        "body": "写得很好，谢谢。",
        "parent": "",
        "stamp": stamp_made_ago(article, written_in),
        "leave_empty": "",
        **fields,
    }


def post(client, article, *, ip=READER_IP, headers=None, **fields):
    """A reader's post from the article page (the browser's Origin header, unless `headers`)."""
    extra = {"HTTP_ORIGIN": ORIGIN} if headers is None else headers
    return client.post(
        reverse("articles:comment_post", args=[article.pk]), form_data(article, **fields), REMOTE_ADDR=ip, **extra
    )


def comment_on(article, body="一条评论", *, status=S.APPROVED, **fields):
    fields.setdefault("name", "读者")
    return Comment.objects.create(article=article, body=body, status=status, **fields)


def page_of(client, article, query=""):
    response = client.get(article.get_absolute_url() + query)
    assert response.status_code == 200
    return response.content.decode()


def comments_section(page):
    start = page.index('<section class="comments"')
    return page[start : page.index("</section>", start)]


def error_text(response):
    return html.unescape(re.sub(r"<[^>]+>", " ", response.content.decode()))


# --- Posting a comment ----------------------------------------------------------------------


def test_a_readers_comment_waits_for_moderation_and_the_reader_is_told(client, article):
    response = post(client, article, body="第一条评论")
    assert response.status_code == 303
    assert response["Location"] == f"{article.get_absolute_url()}?comment=received#comments"
    comment = Comment.objects.get()
    assert (comment.status, comment.name, comment.body, comment.ip_address) == (
        S.PENDING,
        "读者甲",
        "第一条评论",
        READER_IP,
    )
    assert "第一条评论" not in page_of(client, article)
    told = comments_section(page_of(client, article, "?comment=received"))
    assert "你的评论已提交，审核后显示。" in told
    assert "你的评论已提交" not in page_of(client, article)


def test_trusted_sites_show_comments_at_once(client, article, settings):
    settings.NEWSROOM = {**settings.NEWSROOM, "COMMENTS_APPROVE_IMMEDIATELY": True}
    response = post(client, article, body="马上显示的评论")
    assert response["Location"].endswith("?comment=published#comments")
    assert Comment.objects.get().status == S.APPROVED
    page = page_of(client, article, "?comment=published")
    assert "马上显示的评论" in page and "你的评论已发布。" in page
    assert "评论提交后立即显示" in page


@pytest.mark.parametrize(
    "headers",
    [{}, {"HTTP_ORIGIN": "https://evil.example"}, {"HTTP_ORIGIN": "null"}, {"HTTP_REFERER": "https://evil.example/x"}],
    ids=["no-origin-or-referer", "other-origin", "opaque-origin", "other-referer"],
)
def test_a_post_without_the_sites_origin_is_refused(client, article, headers):
    response = post(client, article, headers=headers)
    assert response.status_code == 403
    assert "评论只能从本站的文章页面提交。" in response.content.decode()
    assert not Comment.objects.exists()


def test_a_browser_that_sends_only_a_referer_from_the_site_may_comment(client, article):
    assert post(client, article, headers={"HTTP_REFERER": f"{ORIGIN}{article.get_absolute_url()}"}).status_code == 303


def test_the_endpoint_needs_no_csrf_token_but_the_rest_of_the_site_still_does(article):
    strict = Client(enforce_csrf_checks=True)
    assert post(strict, article).status_code == 303
    assert strict.post("/search/", {"q": "x"}).status_code == 403


def test_only_posts_are_taken(client, article):
    assert client.get(reverse("articles:comment_post", args=[article.pk])).status_code == 405


def test_articles_readers_cannot_see_take_no_comments(client):
    draft = make_article("草稿", published=False)
    assert post(client, draft).status_code == 404
    assert not Comment.objects.exists()


def test_a_filled_trap_field_is_refused(client, article):
    response = post(client, article, leave_empty="http://spam.example")
    assert response.status_code == 400
    assert "评论未能提交。" in error_text(response)
    assert not Comment.objects.exists()


def test_a_form_posted_too_soon_is_refused_and_offered_again_with_the_text(client, article, monkeypatch):
    from articles.tests.factories import freeze_clock

    freeze_clock(monkeypatch, timezone.now())  # the new stamp's age is read at the same instant
    response = post(client, article, written_in=1, body="手太快的评论")
    assert response.status_code == 400
    assert "提交得太快了" in error_text(response)
    page = response.content.decode()
    assert "手太快的评论" in page and 'name="stamp"' in page
    fresh = re.search(r'name="stamp" value="([^"]+)"', page).group(1)
    assert comments.stamp_age(fresh, article.pk) < 1  # a new stamp: after a pause the same form passes
    assert not Comment.objects.exists()


@pytest.mark.parametrize("stamp", ["", "forged", "other-article", "expired"])
def test_a_stamp_not_made_for_this_form_is_refused(client, article, stamp):
    stamps = {
        "": "",
        "forged": comments.form_stamp(article.pk)[:-4] + "AAAA",
        "other-article": stamp_made_ago(make_article("另一篇"), 30),
        "expired": stamp_made_ago(article, comments.FORM_MAX_AGE + 60),
    }
    response = post(client, article, stamp=stamps[stamp])
    assert response.status_code == 400
    assert "这个评论表单已失效，请再提交一次。" in error_text(response)
    assert not Comment.objects.exists()


def test_the_form_outlives_the_page_cache(settings):
    assert comments.FORM_MAX_AGE > 10 * settings.NEWSROOM["PAGE_CACHE_TIMEOUT"]


def test_one_address_may_post_five_comments_in_ten_minutes(client, article):
    for n in range(comments.RATE_LIMIT):
        assert post(client, article, body=f"第 {n} 条").status_code == 303
    refused = post(client, article, body="第六条")
    assert refused.status_code == 429
    assert refused["Retry-After"] == "600" and "评论太频繁了" in error_text(refused)
    assert "第六条" in refused.content.decode()  # kept for later
    assert post(client, article, ip="198.51.100.9", body="别处的读者").status_code == 303
    cache.delete(f"newsroom:comments:rate:{READER_IP}")  # the window has passed
    assert post(client, article, body="十分钟后").status_code == 303


def test_the_same_text_again_within_an_hour_is_refused(client, article):
    other = make_article("另一篇文章")
    assert post(client, article, body="一模一样").status_code == 303
    same_article = post(client, article, ip="198.51.100.1", body="一模一样")
    same_address = post(client, other, body="一模一样")
    for refused in (same_article, same_address):
        assert refused.status_code == 400
        assert "你已经提交过相同的评论" in error_text(refused)
    assert post(client, other, ip="198.51.100.2", body="一模一样").status_code == 303
    Comment.objects.update(created_at=timezone.now() - dt.timedelta(hours=2))
    assert post(client, article, ip="198.51.100.1", body="一模一样").status_code == 303


def test_the_length_limits_say_what_they_are(client, article):
    response = post(client, article, body="字" * 2001, name="名" * 81)
    assert response.status_code == 400
    text = error_text(response)
    assert "评论最多 2000 字，现在是 2001 字，请删减后再提交。" in text
    assert "称呼最多 80 个字。" in text
    assert not Comment.objects.exists()
    # A browser sends each line break as two characters; they count as one.
    assert post(client, article, body="一\r\n" * 999 + "完").status_code == 303
    assert len(Comment.objects.get().body) == 1999


def test_a_comment_needs_a_name_and_text_and_a_real_address_if_any(client, article):
    text = error_text(post(client, article, name="  ", body=" \n ", email="不是地址"))
    assert "请填写称呼。" in text and "请写下评论内容。" in text and "请填写有效的电子邮件地址，或留空。" in text


def test_the_email_is_kept_for_the_newsroom_and_never_shown(client, article, settings):
    settings.NEWSROOM = {**settings.NEWSROOM, "COMMENTS_APPROVE_IMMEDIATELY": True}
    post(client, article, email="reader@example.com")
    assert Comment.objects.get().email == "reader@example.com"
    assert "reader@example.com" not in page_of(client, article)


# --- What readers see -------------------------------------------------------------------------


def test_readers_see_approved_comments_oldest_first_with_their_count(client, article):
    later = comment_on(article, "后来的评论")
    comment_on(article, "等待审核的", status=S.PENDING)
    comment_on(article, "垃圾", status=S.SPAM)
    comment_on(article, "删掉的", status=S.REMOVED)
    earlier = comment_on(article, "先来的评论")
    Comment.objects.filter(pk=earlier.pk).update(created_at=later.created_at - dt.timedelta(minutes=5))
    section = comments_section(page_of(client, article))
    assert re.search(r'class="comments-count">2<', section)
    assert section.index("先来的评论") < section.index("后来的评论")
    assert not {"等待审核的", "垃圾", "删掉的"} & set(re.findall(r"[\u4e00-\u9fff]+", section))


def test_one_level_of_replies_and_the_newsrooms_is_marked(client, article, editor):
    first = comment_on(article, "提个问题", name="张三")
    comment_on(article, "我也想知道", name="李四", parent=first)
    comments.reply(first, body="谢谢提问，已更正。", by=editor)
    section = comments_section(page_of(client, article))
    replies = section[section.index('<ol class="comment-replies">') :]
    assert replies.index("我也想知道") < replies.index("谢谢提问，已更正。")
    newsroom = re.search(r'<li class="comment comment--newsroom"[^>]*>(.*?)</li>', section, re.S).group(1)
    assert "编辑部回复" in newsroom and "谢谢提问，已更正。" in newsroom and "编辑部" in newsroom
    assert section.count("编辑部回复") == 1
    assert re.search(r'class="comments-count">3<', section)


def test_replies_go_with_the_comment_they_answer(client, article, editor):
    first = comment_on(article, "原评论")
    comment_on(article, "回复原评论", parent=first)
    comments.remove(first, by=editor)
    section = comments_section(page_of(client, article))
    assert "原评论" not in section and re.search(r'class="comments-count">0<', section)


def test_a_reply_link_fills_in_the_comment_it_answers_without_javascript(client, article):
    first = comment_on(article, "可以回复的评论", name="张三")
    section = comments_section(page_of(client, article))
    link = re.search(r'<a class="comment__reply" href="([^"]+)"', section).group(1)
    assert link == f"?reply_to={first.pk}#comment-form"
    replying = comments_section(page_of(client, article, link.split("#")[0]))
    assert f'name="parent" value="{first.pk}"' in replying
    assert re.search(r"回复\s*<bdi>张三</bdi>", replying)
    # Only comments the page shows can be answered.
    hidden = comment_on(article, "未通过", status=S.PENDING)
    assert 'name="parent" value' not in comments_section(page_of(client, article, f"?reply_to={hidden.pk}"))


def test_a_reply_to_a_reply_joins_the_first_comment_of_the_thread(client, article):
    first = comment_on(article, "第一条")
    reply = comment_on(article, "第一条的回复", parent=first)
    assert post(client, article, parent=str(reply.pk), body="回复的回复").status_code == 303
    assert Comment.objects.get(body="回复的回复").parent == first


@pytest.mark.parametrize("status", [S.PENDING, S.SPAM, S.REMOVED])
def test_a_reply_to_a_comment_readers_cannot_see_is_refused(client, article, status):
    hidden = comment_on(article, "看不到的", status=status)
    response = post(client, article, parent=str(hidden.pk))
    assert response.status_code == 400 and "你回复的评论已不存在。" in error_text(response)
    # The form offered again posts as a comment of its own.
    assert 'name="parent" id="comment-parent"' in response.content.decode()


def test_closed_comments_stay_visible_and_take_no_more(client, article):
    comment_on(article, "关闭前的评论")
    article.allow_comments = False
    article.save()
    section = comments_section(page_of(client, article))
    assert "关闭前的评论" in section and "评论已关闭。" in section
    assert "<form" not in section and "comment__reply" not in section
    response = post(client, article)
    assert response.status_code == 403 and "这篇文章的评论已关闭。" in response.content.decode()
    assert Comment.objects.count() == 1


def test_previews_show_no_comment_form(chief_client):
    draft = make_article("草稿", published=False)
    assert 'id="comment-form"' not in chief_client.get(f"/preview/{draft.pk}/").content.decode()


@pytest.mark.parametrize("legacy, allowed", [({"comments": False}, False), ({"comments": True}, True), ({}, True)])
def test_the_legacy_comments_key_opens_or_closes_comments(legacy, allowed):
    record = LegacyRecord(
        path=Path("/archive/a.md"), relative_path="a.md", metadata={"title": "旧文", "date": "2024-05-08", **legacy},
        body="<p>正文</p>", content_hash="0" * 64,
    )  # fmt: skip
    assert map_record(record, tz=dt.UTC, default_author="编辑部").allow_comments is allowed


def test_the_article_page_asks_as_many_queries_with_50_comments_as_with_none(client, article, no_page_cache):
    def first_view():
        cache.clear()  # nothing kept: every part and the comments read again
        with CaptureQueriesContext(connection) as queries:
            assert client.get(article.get_absolute_url()).status_code == 200
        return len(queries)

    without = first_view()
    for n in range(25):
        first = comment_on(article, f"评论 {n}")
        comment_on(article, f"回复 {n}", parent=first)
    comment_on(article, "待审", status=S.PENDING)
    with_50 = first_view()
    print(f"\narticle page: {without} queries with no comments, {with_50} with 50")
    assert with_50 == without <= ARTICLE_PAGE_BUDGET
    assert page_of(client, article).count('class="comment"') == 50
    with CaptureQueriesContext(connection) as warm:
        client.get(article.get_absolute_url())
    assert len(warm) == 0  # the thread is kept under the content version, as the page's parts are


# --- The page cache -------------------------------------------------------------------------


def test_two_readers_get_the_same_cached_page_with_no_token_in_it(client, article, page_cache_on):
    comment_on(article, "缓存里的评论")
    first = Client().get(article.get_absolute_url(), HTTP_COOKIE="csrftoken=" + "a" * 32)
    second = Client().get(article.get_absolute_url())
    assert (first["X-Cache"], second["X-Cache"]) == ("miss", "hit")
    assert first.content == second.content
    page = first.content.decode()
    assert 'id="comment-form"' in page and "缓存里的评论" in page
    assert "csrfmiddlewaretoken" not in page and not first.cookies
    assert "cookie" not in first.get("Vary", "").lower()
    assert "public" in first["Cache-Control"]


def test_a_new_pending_comment_leaves_the_cached_pages_alone(client, article, page_cache_on):
    page_of(client, article)
    version = caching.content_version()
    post(client, article)
    assert caching.content_version() == version
    assert client.get(article.get_absolute_url())["X-Cache"] == "hit"


@pytest.mark.parametrize("verb", ["approve", "remove"])
def test_moderation_shows_on_the_cached_page_at_once(client, article, editor, page_cache_on, verb):
    comment = comment_on(article, "审核中的评论", status=S.PENDING if verb == "approve" else S.APPROVED)
    assert ("审核中的评论" in page_of(client, article)) is (verb == "remove")
    assert client.get(article.get_absolute_url())["X-Cache"] == "hit"
    getattr(comments, verb)(comment, by=editor)
    response = client.get(article.get_absolute_url())
    assert response["X-Cache"] == "miss"
    assert ("审核中的评论" in response.content.decode()) is (verb == "approve")


def test_the_commit_of_a_moderation_retires_pages_cached_meanwhile(article, editor, django_capture_on_commit_callbacks):
    comment = comment_on(article, status=S.PENDING)
    with django_capture_on_commit_callbacks(execute=True) as callbacks:
        comments.approve(comment, by=editor)
        during = caching.content_version()
    assert callbacks and caching.content_version() != during


# --- Moderation verbs -----------------------------------------------------------------------


def test_each_verb_moves_the_comment_and_records_who_moderated(article, editor):
    comment = comment_on(article, status=S.PENDING)
    for verb, state in [("approve", S.APPROVED), ("mark_spam", S.SPAM), ("restore", S.PENDING), ("remove", S.REMOVED)]:
        getattr(comments, verb)(comment, by=editor)
        comment.refresh_from_db()
        assert comment.status == state and comment.moderated_by == editor and comment.moderated_at is not None


def test_a_move_the_state_does_not_allow_is_refused(article, editor):
    comment = comment_on(article)
    with pytest.raises(comments.ModerationError):
        comments.restore(comment, by=editor)
    with pytest.raises(comments.ModerationError):
        comments.approve(comment, by=editor)


def test_writers_do_not_moderate(client, article, writer):
    comment = comment_on(article, status=S.PENDING)
    with pytest.raises(PermissionDenied):
        comments.approve(comment, by=writer)
    with pytest.raises(PermissionDenied):
        comments.reply(comment, body="我来回复", by=writer)
    client.force_login(writer)
    assert client.get(QUEUE).status_code == 403


@pytest.mark.parametrize("role, moderates", [(EDITOR_GROUP, True), (CHIEF_EDITOR_GROUP, True), (WRITER_GROUP, False)])
def test_the_roles_that_moderate(role, moderates):
    codenames = set(Group.objects.get(name=role).permissions.values_list("codename", flat=True))
    assert ({"view_comment", "change_comment"} <= codenames) is moderates
    assert "delete_comment" not in codenames  # removed comments are kept, marked


def test_an_editors_reply_is_the_newsrooms_and_shows_what_it_answers(article, editor):
    waiting = comment_on(article, "等着回答", status=S.PENDING)
    answer = comments.reply(waiting, body="这是编辑部的回答", by=editor)
    waiting.refresh_from_db()
    assert waiting.status == S.APPROVED
    assert (answer.status, answer.parent, answer.staff_author, answer.name) == (S.APPROVED, waiting, editor, "编辑部")
    assert answer.is_newsroom_reply and not waiting.is_newsroom_reply
    with pytest.raises(comments.ModerationError):
        comments.reply(comment_on(article, "垃圾", status=S.SPAM), body="不该回复", by=editor)


# --- The moderation queue in the admin ------------------------------------------------------


def queue_rows(client, query=""):
    response = client.get(QUEUE + query)
    assert response.status_code == 200
    return [comment.body for comment in response.context["cl"].result_list]


def test_the_queue_lists_waiting_comments_first_then_newest(client, article, editor):
    base = timezone.now()
    for minutes, body, status in [
        (1, "旧的待审", S.PENDING),
        (2, "通过的", S.APPROVED),
        (3, "新的待审", S.PENDING),
        (4, "最新的垃圾", S.SPAM),
    ]:
        comment = comment_on(article, body, status=status)
        Comment.objects.filter(pk=comment.pk).update(created_at=base + dt.timedelta(minutes=minutes))
    client.force_login(editor)
    assert queue_rows(client) == ["新的待审", "旧的待审", "最新的垃圾", "通过的"]


def test_the_queue_filters_by_state_and_article_and_searches(client, article, editor):
    other = make_article("另一篇文章")
    comment_on(article, "这篇的待审", status=S.PENDING, name="赵六")
    comment_on(other, "那篇的待审", status=S.PENDING)
    comment_on(article, "这篇的通过")
    client.force_login(editor)
    assert queue_rows(client, "?status__exact=pending") == ["那篇的待审", "这篇的待审"]
    assert sorted(queue_rows(client, f"?article__id__exact={article.pk}")) == ["这篇的待审", "这篇的通过"]
    assert queue_rows(client, "?q=赵六") == ["这篇的待审"]
    assert queue_rows(client, "?q=另一篇") == ["那篇的待审"]
    Comment.objects.filter(body="那篇的待审").update(ip_address="198.51.100.20")
    assert queue_rows(client, "?q=198.51.100.20") == ["那篇的待审"]
    assert queue_rows(client, f"?q=198.51.100.20&article__id__exact={article.pk}") == []


def test_bulk_actions_moderate_through_the_verbs(client, article, editor):
    pending = [comment_on(article, f"待审 {n}", status=S.PENDING) for n in range(3)]
    approved = comment_on(article, "已通过")
    client.force_login(editor)
    selected = [c.pk for c in pending] + [approved.pk]
    response = client.post(QUEUE, {"action": "approve_selected", "_selected_action": selected}, follow=True)
    shown = [str(m) for m in response.context["messages"]]
    assert "通过：3 条完成。" in shown and "1 条评论的状态不能通过，未改动。" in shown
    moved = Comment.objects.filter(pk__in=[c.pk for c in pending])
    assert set(moved.values_list("status", "moderated_by")) == {(S.APPROVED, editor.pk)}
    assert Comment.objects.get(pk=approved.pk).moderated_by is None  # left as it was
    client.post(QUEUE, {"action": "mark_spam_selected", "_selected_action": [pending[0].pk]})
    client.post(QUEUE, {"action": "remove_selected", "_selected_action": [pending[1].pk]})
    client.post(QUEUE, {"action": "restore_selected", "_selected_action": [pending[0].pk]})
    statuses = dict(Comment.objects.values_list("pk", "status"))
    assert [statuses[c.pk] for c in pending] == [S.PENDING, S.REMOVED, S.APPROVED]


def test_an_editor_moderates_and_replies_from_the_change_page(client, article, editor):
    comment = comment_on(article, "请问数据来源？", status=S.PENDING)
    client.force_login(editor)
    url = reverse("admin:articles_comment_change", args=[comment.pk])
    page = client.get(url).content.decode()
    assert "请问数据来源？" in page and "编辑部回复" in page
    offered = re.findall(r'<option value="(\w+)"', page[page.index('name="moderate"') :].split("</select>")[0])
    assert offered == ["approve", "mark_spam", "remove"]  # what a waiting comment may become
    response = client.post(url, {"moderate": "", "reply": "来源是官方公告。"})
    assert response.status_code == 302
    comment.refresh_from_db()
    answer = Comment.objects.get(parent=comment)
    assert comment.status == S.APPROVED and answer.staff_author == editor and answer.body == "来源是官方公告。"
    client.post(url, {"moderate": "remove", "reply": ""})
    comment.refresh_from_db()
    assert comment.status == S.REMOVED and comment.moderated_by == editor
    refused = client.post(url, {"moderate": "", "reply": "删掉的还能回复吗"})
    assert refused.status_code == 200 and "不能回复垃圾评论或已删除的评论。" in refused.content.decode()


def test_the_change_page_edits_nothing_the_reader_wrote(client, article, editor):
    comment = comment_on(article, "原话", status=S.PENDING, name="原名")
    client.force_login(editor)
    client.post(
        reverse("admin:articles_comment_change", args=[comment.pk]), {"name": "改名", "body": "改话", "moderate": ""}
    )
    comment.refresh_from_db()
    assert (comment.name, comment.body, comment.status) == ("原名", "原话", S.PENDING)


# --- The front page and the e-mail ----------------------------------------------------------


def test_moderators_see_the_waiting_comments_on_the_front_page(client, article, editor, writer):
    comment_on(article, "前台看到的待审评论", status=S.PENDING, name="钱七")
    comment_on(article, "已通过的")
    client.force_login(editor)
    sections = {section.key: section for section in client.get(reverse("admin:index")).context["dashboard"]}
    waiting = sections["comments"]
    assert waiting.count == 1 and [row.label for row in waiting.rows] == ["前台看到的待审评论"]
    assert waiting.rows[0].writer == "钱七 ·《可以评论的文章》"
    assert waiting.list_url == QUEUE + "?status__exact=pending"
    client.force_login(writer)
    assert "comments" not in {section.key for section in client.get(reverse("admin:index")).context["dashboard"]}


def test_the_front_page_costs_the_same_queries_with_1_or_30_waiting_comments(client, article, editor):
    client.force_login(editor)

    def count():
        client.get(reverse("admin:index"))
        with CaptureQueriesContext(connection) as queries:
            client.get(reverse("admin:index"))
        return len(queries)

    comment_on(article, "一条", status=S.PENDING)
    few = count()
    for n in range(29):
        comment_on(make_article(f"文章 {n}"), f"待审 {n}", status=S.PENDING)
    assert count() == few


def test_a_new_comment_emails_the_moderators_once_an_article_in_half_an_hour(
    client, article, editor, writer, django_capture_on_commit_callbacks
):
    chief = make_staff("chief", CHIEF_EDITOR_GROUP, email="chief@example.com")
    make_staff("quiet", EDITOR_GROUP)  # no address: no e-mail

    def comment(on, body, ip):
        with django_capture_on_commit_callbacks(execute=True):
            assert post(client, on, body=body, ip=ip, name="孙八").status_code == 303

    comment(article, "第一条，要通知", "198.51.100.1")
    assert sorted(message.to[0] for message in mail.outbox) == [chief.email, editor.email]
    message = mail.outbox[0]
    assert message.subject == "待审评论：《可以评论的文章》"
    assert "孙八 评论了《可以评论的文章》" in message.body and "第一条，要通知" in message.body
    assert f"/admin/articles/comment/?article__id__exact={article.pk}&status__exact=pending" in message.body
    comment(article, "第二条，不再通知", "198.51.100.2")
    assert len(mail.outbox) == 2
    comment(make_article("另一篇"), "另一篇的评论", "198.51.100.3")
    assert len(mail.outbox) == 4
    cache.delete(notifications.COMMENT_MAIL_KEY.format(article.pk))  # half an hour later
    comment(article, "半小时后", "198.51.100.4")
    assert len(mail.outbox) == 6


def test_on_a_site_that_shows_comments_at_once_the_email_says_new_comment(
    client, article, editor, settings, django_capture_on_commit_callbacks
):
    settings.NEWSROOM = {**settings.NEWSROOM, "COMMENTS_APPROVE_IMMEDIATELY": True}
    with django_capture_on_commit_callbacks(execute=True):
        post(client, article)
    [message] = mail.outbox
    assert message.subject == "新评论：《可以评论的文章》"
    assert f"?article__id__exact={article.pk}\n" in message.body


# --- Nothing the reader types reaches the page unescaped ------------------------------------

PAYLOADS = [
    "<script>alert(1)</script>",
    '<img src=x onerror="alert(1)">',
    "javascript:alert(document.cookie)",
    '<a href="javascript:alert(1)">点我</a>',
    'https://example.com/"onmouseover="alert(1)',
    "https://example.com/<svg/onload=alert(1)>",
    "<script>alert(1)</script>https://example.com/a<i>斜体</i> https://example.com/b",
    "&lt;script&gt;alert(1)&lt;/script&gt;",
    "&#106;avascript:alert(1) &#x3C;b&#x3E;",
    "jav&#x09;ascript:alert(1)",
    "http://exa mple.com/ https:// https://",
    "\u202egnp.exe 评论方向反转\u202c",
    "名\u2066字\u2069 \u200f",
    "</textarea><script>alert(1)</script>",
    "{{ request }} {% now 'Y' %}",
    "\x07\x1b[31m控制字符\x7f",  # (NUL is refused outright, by Django's form fields)
]


class MarkupCensus(HTMLParser):
    """Every tag and attribute in a piece of markup."""

    def __init__(self):
        super().__init__(convert_charrefs=True)
        self.tags, self.links, self.text = [], [], []

    def handle_starttag(self, tag, attrs):
        self.tags.append(tag)
        if tag == "a":
            self.links.append(dict(attrs))
        else:
            assert not attrs, (tag, attrs)

    def handle_data(self, data):
        self.text.append(data)


@pytest.mark.parametrize("payload", PAYLOADS)
def test_a_hostile_comment_reaches_the_page_as_text(client, article, settings, payload):
    settings.NEWSROOM = {**settings.NEWSROOM, "COMMENTS_APPROVE_IMMEDIATELY": True}
    assert post(client, article, name=payload[:80], body=f"看这里 {payload}\n第二行").status_code == 303
    stored = Comment.objects.get()
    section = comments_section(page_of(client, article))
    item = re.search(r'<li class="comment" id="comment-\d+">(.*?)<a class="comment__reply"', section, re.S).group(1)
    body = re.search(r'<div class="comment__body" dir="auto">(.*?)</div>', item, re.S).group(1)
    census = MarkupCensus()
    census.feed(body)
    assert set(census.tags) <= {"p", "br", "a"}
    for link in census.links:
        assert set(link) == {"href", "rel"} and link["rel"] == "nofollow ugc noopener"
        assert re.fullmatch(r"https?://[^\s\"'<>]+", link["href"])
    assert "".join(census.text).replace("\n", "") == stored.body.replace("\n", "")
    name = re.search(r'<bdi class="comment__name">(.*?)</bdi>', item, re.S).group(1)
    assert html.unescape(name) == stored.name and "<" not in name
    for override in "\u202a\u202b\u202c\u202d\u202e\u2066\u2067\u2068\u2069\x00\x1b":
        assert override not in stored.body + stored.name
    assert "<script" not in section.lower() and "javascript:" not in re.sub(r">[^<]*<", "><", section).lower()


def test_links_end_where_the_sentence_resumes():
    shown = comments.comment_html(
        "见https://example.com/a?b=1&c=2。还有(https://en.wikipedia.org/wiki/A_(B))，以及 http://x.cn/p."
    )
    assert re.findall(r'href="([^"]+)"', shown) == [
        "https://example.com/a?b=1&amp;c=2",
        "https://en.wikipedia.org/wiki/A_(B)",
        "http://x.cn/p",
    ]
    assert shown.endswith("http://x.cn/p</a>.</p>")


def test_line_breaks_and_paragraphs_are_kept():
    assert comments.comment_html(comments.plain_text("第一行\r\n第二行\r\n\r\n\r\n\r\n第二段  \n")) == (
        "<p>第一行<br>第二行</p><p>第二段</p>"
    )
