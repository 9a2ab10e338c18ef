"""Comments end to end in real headless Chromium, with the page cache on: a reader comments
(without JavaScript doing anything: the page has none), an editor approves and answers from the
moderation queue, and the reader sees both after a reload."""

import pytest
from django.contrib.auth.models import Group, User

from articles import comments
from articles.models import Comment
from articles.tests.browsing import ARTIFACTS, BROWSER_TEST, PASSWORD, log_in, open_page
from articles.tests.factories import make_article

pytestmark = [*BROWSER_TEST, pytest.mark.usefixtures("page_cache_on")]

WIDE = {"width": 1366, "height": 900}
NARROW = {"width": 390, "height": 844}


def shot(page, name):
    page.locator("section.comments").screenshot(path=ARTIFACTS / f"comments-{name}.png")


def test_a_reader_comments_an_editor_approves_and_answers_and_the_reader_sees_it(chromium, live_server, monkeypatch):
    ARTIFACTS.mkdir(parents=True, exist_ok=True)
    article = make_article("读者可以评论的文章", body="<p>正文第一段。</p><p>正文第二段。</p>")
    url = live_server.url + article.get_absolute_url()
    editor = User.objects.create_user("editor", password=PASSWORD, is_staff=True)
    editor.groups.add(Group.objects.get(name="编辑 Editor"))

    # The reader reads the page the cache keeps for everyone, and writes at once: too soon.
    reader_context, reader = open_page(chromium, live_server, viewport=WIDE)
    assert reader.goto(url).headers["x-cache"] == "miss"
    assert reader.reload().headers["x-cache"] == "hit"
    assert reader.locator("#comments .comments-count").inner_text() == "0"
    reader.fill("#comment-name", "读者小林")
    reader.fill("#comment-body", "第一段写得清楚。\n能否补充数据来源？详见 https://example.org/data")
    reader.click("#comment-form button[type=submit]")
    assert "提交得太快了" in reader.locator(".comment-form__errors").inner_text()
    assert reader.input_value("#comment-body").startswith("第一段写得清楚。")  # what they wrote is kept
    shot(reader, "too-soon-1366")

    # After a moment the same form goes through, and the page says it waits for moderation
    # (the moment made to have passed: the server thread reads the limit at each post).
    monkeypatch.setattr(comments, "MIN_SECONDS_TO_WRITE", 0)
    reader.click("#comment-form button[type=submit]")
    reader.wait_for_url(f"{url}?comment=received#comments")
    assert reader.locator(".comments-notice").inner_text() == "你的评论已提交，审核后显示。"
    assert "读者小林" not in reader.locator("#comments").inner_text()
    shot(reader, "received-1366")
    comment = Comment.objects.get()
    assert comment.status == Comment.Status.PENDING

    # The editor finds it first in the queue and approves it with the bulk action.
    editor_context, admin = open_page(chromium, live_server, viewport=WIDE)
    log_in(admin, live_server, "editor")
    assert "待审评论" in admin.locator(".dashboard-section--comments").inner_text()
    admin.click(".dashboard-section--comments h2 a")
    first_row = admin.locator("#result_list tbody tr").first
    assert "第一段写得清楚" in first_row.inner_text() and "待审" in first_row.inner_text()
    admin.screenshot(path=ARTIFACTS / "comments-queue-1366.png", full_page=True)
    first_row.locator("input[name=_selected_action]").check()
    admin.select_option("select[name=action]", "approve_selected")
    admin.click("button[name=index]")
    assert "通过：1 条完成。" in admin.locator(".messagelist").inner_text()

    # ...and answers it from its change page, as the newsroom.
    admin.goto(f"{live_server.url}/admin/articles/comment/{comment.pk}/change/")
    admin.fill("#id_reply", "谢谢提醒，数据来自官方统计公报。")
    admin.screenshot(path=ARTIFACTS / "comments-change-1366.png", full_page=True)
    admin.click("input[name=_save]")
    assert "编辑部回复（editor）" in admin.locator("#result_list").inner_text()
    editor_context.close()

    # The reader reloads: the cached page was retired, the comment and the answer are there.
    response = reader.goto(url)
    assert response.headers["x-cache"] == "miss"
    section = reader.locator("#comments")
    assert section.locator(".comments-count").inner_text() == "2"
    assert "读者小林" in section.inner_text()
    link = section.locator(".comment__body a")
    assert link.get_attribute("href") == "https://example.org/data"
    assert link.get_attribute("rel") == "nofollow ugc noopener"
    newsroom = section.locator(".comment--newsroom")
    assert "编辑部回复" in newsroom.inner_text() and "官方统计公报" in newsroom.inner_text()
    shot(reader, "approved-1366")
    reader.screenshot(path=ARTIFACTS / "comments-page-1366.png", full_page=True)

    # On a phone: the thread, and the reply link filling in whom it answers (no JavaScript).
    reader.set_viewport_size(NARROW)
    reader.goto(url)
    shot(reader, "approved-390")
    reader.click(".comment__reply")
    assert "回复 读者小林" in reader.locator(".comment-form__title").inner_text()
    assert reader.input_value("#comment-form input[name=parent]") == str(comment.pk)
    shot(reader, "replying-390")
    assert reader.errors == [] and reader.external_requests == []
    reader_context.close()
