"""The day's flow in real headless Chromium: the front page per role (the writer's drafts and
what was sent back to them, the editor's queue of submissions with the writer's note and the
unread notifications), the 已退回 badge and the editor's comment as the writer sees them.
Screenshots at 1366 px wide: build/test-artifacts/dayflow-*.png."""

import datetime as dt

import pytest
from django.contrib.auth.models import Group, User
from django.utils import timezone

from articles import workflow
from articles.models import Article
from articles.permissions import EDITOR_GROUP, WRITER_GROUP
from articles.tests.browsing import ARTIFACTS, BROWSER_TEST, PASSWORD, log_in, open_page
from articles.tests.factories import make_article

pytestmark = BROWSER_TEST

COMMENT = "请补充芯片产能的数据来源，标题再短一些。"
NOTE = "数据已核对，请今天发。"


def person(username, group, name):
    user = User.objects.create_user(username, password=PASSWORD, first_name=name, email=f"{username}@example.com")
    user.groups.add(Group.objects.get(name=group))  # staff and, for a writer, a byline: from the role
    return user


@pytest.fixture
def newsroom_day():
    writer = person("writer", WRITER_GROUP, "李明")
    other = person("other", WRITER_GROUP, "赵六")
    editor = person("editor", EDITOR_GROUP, "王编辑")
    byline = writer.author_profile
    make_article("还在写的稿子：手机市场", published=False, created_by=writer, author=byline)
    returned = make_article("芯片产能调查", published=False, created_by=writer, author=byline)
    workflow.submit(returned, by=writer, comment="初稿")
    workflow.send_back(returned, by=editor, comment=COMMENT)
    waiting = make_article("电池新材料发布", published=False, created_by=other, author=other.author_profile)
    workflow.submit(waiting, by=other, comment=NOTE)
    scheduled = make_article("明早发布的快讯", published=False, created_by=writer, author=byline)
    workflow.publish(scheduled, by=editor, at=timezone.now() + dt.timedelta(hours=12))
    make_article("昨天的深度报道", created_by=writer, author=byline, published_at=timezone.now() - dt.timedelta(days=1))
    return {"writer": writer, "editor": editor, "returned": returned, "waiting": waiting}


def logged_in(chromium, live_server, username):
    context, page = open_page(chromium, live_server, viewport={"width": 1366, "height": 900})
    log_in(page, live_server, username)
    return context, page


def shoot(page, name):
    ARTIFACTS.mkdir(parents=True, exist_ok=True)
    page.screenshot(path=str(ARTIFACTS / f"dayflow-{name}.png"), full_page=True)


def test_the_writer_sees_what_was_sent_back_and_why(chromium, live_server, newsroom_day):
    context, page = logged_in(chromium, live_server, "writer")

    returned = page.locator(".dashboard-section--sent_back")
    assert returned.locator(".dashboard-count").inner_text() == "1"
    assert returned.get_by_role("link", name="芯片产能调查").is_visible()
    assert COMMENT in returned.locator(".dashboard-quote").inner_text()
    drafts = page.locator(".dashboard-section--drafts")
    assert drafts.locator(".dashboard-count").inner_text() == "2"
    assert drafts.locator(".article-state--sent_back").inner_text() == "已退回"
    mine_waiting = page.locator(".dashboard-section--scheduled")
    assert "明早发布的快讯" in mine_waiting.inner_text()
    assert "电池新材料发布" not in page.content()  # another writer's
    # Told of the sending back and of the scheduling, in the header and on the page.
    assert page.locator("#user-tools .notifications-count").inner_text() == "2 条未读"
    assert "王编辑 退回了《芯片产能调查》" in page.locator(".dashboard-section--notifications").inner_text()
    # The list of models stays below.
    assert page.locator(".app-articles").is_visible()
    shoot(page, "writer-dashboard")

    returned.get_by_role("link", name="芯片产能调查").click()
    page.wait_for_load_state("load")
    notice = page.locator(".sent-back-notice")
    assert notice.locator(".article-state--sent_back").inner_text() == "已退回"
    assert COMMENT in notice.inner_text() and "王编辑 于" in notice.inner_text()
    # At the top of the page: above the workflow panel and the form.
    assert notice.bounding_box()["y"] < page.locator(".article-workflow").bounding_box()["y"]
    shoot(page, "writer-sent-back")

    page.goto(live_server.url + "/admin/articles/article/")
    row = page.locator("#result_list tr", has_text="芯片产能调查")
    assert row.locator(".article-state--sent_back").inner_text() == "已退回"
    assert page.locator("#result_list tr", has_text="还在写的稿子").locator(".article-state--draft").is_visible()
    shoot(page, "writer-list")
    assert page.errors == []
    context.close()


def test_the_editor_sees_the_queue_with_the_writers_note(chromium, live_server, newsroom_day):
    context, page = logged_in(chromium, live_server, "editor")

    review = page.locator(".dashboard-section--review")
    assert review.locator(".dashboard-count").inner_text() == "1"
    assert "赵六" in review.inner_text() and NOTE in review.inner_text()
    assert "明早发布的快讯" in page.locator(".dashboard-section--scheduled").inner_text()
    assert "昨天的深度报道" in page.locator(".dashboard-section--published").inner_text()
    assert page.locator("#user-tools .notifications-count").inner_text() == "2 条未读"  # two submissions
    shoot(page, "editor-dashboard")

    review.get_by_role("link", name="电池新材料发布").click()
    page.wait_for_load_state("load")
    note = page.locator(".article-workflow .submit-note")
    assert NOTE in note.inner_text() and "赵六 于" in note.inner_text()
    assert note.bounding_box()["y"] < page.locator("#workflow-publish").bounding_box()["y"]
    shoot(page, "editor-submit-note")

    page.goto(live_server.url + "/admin/notifications/")
    assert page.locator(".notification--unread").count() == 2
    page.get_by_role("link", name="赵六 提交了《电池新材料发布》，等待审核。").click()
    page.wait_for_load_state("load")
    assert page.url.endswith(f"/admin/articles/article/{newsroom_day['waiting'].pk}/change/")
    assert page.locator("#user-tools .notifications-count").inner_text() == "1 条未读"
    page.goto(live_server.url + "/admin/notifications/")
    shoot(page, "editor-notifications")
    assert page.errors == []
    context.close()
    assert Article.objects.get(pk=newsroom_day["waiting"].pk).status == Article.Status.REVIEW
