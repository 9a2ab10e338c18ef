"""The editorial workflow end to end in real headless Chromium: a writer writes and submits,
an editor reviews, previews and schedules, and a reader sees the article only from its time on.
"""

import datetime as dt
import re
import time
from zoneinfo import ZoneInfo

import pytest
from django.contrib.auth.models import Group, User

from articles.models import Article, Author
from articles.tests.browsing import ARTIFACTS, BROWSER_TEST, PASSWORD, log_in, open_page

pytestmark = BROWSER_TEST

SHANGHAI = ZoneInfo("Asia/Shanghai")
TITLE = "浏览器里写的稿件"


def staff(username, group):
    user = User.objects.create_user(username, password=PASSWORD, is_staff=True)
    user.groups.add(Group.objects.get(name=group))
    return user


@pytest.fixture
def newsroom_people():
    writer = staff("writer", "撰稿人 Writer")
    Author.objects.filter(user=writer).update(name="李明")  # the byline the role gave them
    editor = staff("editor", "编辑 Editor")
    return writer, editor


def session(chromium, live_server):
    return open_page(chromium, live_server, viewport={"width": 1280, "height": 1000})


def test_writer_submits_editor_schedules_reader_sees_it_on_time(chromium, live_server, newsroom_people):
    ARTIFACTS.mkdir(parents=True, exist_ok=True)

    # The writer writes in the rich-text editor and submits.
    context, page = session(chromium, live_server)
    log_in(page, live_server, "writer")
    page.goto(live_server.url + "/admin/articles/article/add/")
    page.fill("#id_title", TITLE)
    editor = page.locator(".ProseMirror[contenteditable=true]")
    editor.click()
    page.keyboard.type("## 小标题")  # the editor's Markdown shortcut for a heading
    page.keyboard.press("Enter")
    page.keyboard.type("请看链接文字")
    editor.locator("p", has_text="请看链接文字").wait_for()
    for _ in range(4):
        page.keyboard.press("Shift+ArrowLeft")
    page.wait_for_function("() => window.getSelection().toString() === '链接文字'")
    page.locator("button[data-name=link]").click()
    page.locator("dialog[open] input[name=href]").fill("https://example.org/news")
    page.locator("dialog[open] button[type=submit]").click()
    page.locator("dialog[open]").wait_for(state="detached")
    # Keys sent while the dialog hands the focus back would land on the selected words; the
    # editor's own command puts the cursor at the end instead.
    page.evaluate("document.querySelector('.ProseMirror[contenteditable=true]').editor.commands.focus('end')")
    page.keyboard.press("Enter")
    page.locator("button[data-name=figure]").click()
    page.locator("dialog[open] input[name=imageUrl]").fill("https://img.example.com/flow.jpg")
    page.locator("dialog[open] input[name=altText]").fill("流程图")
    page.locator("dialog[open] input[name=caption]").fill("图注")
    page.locator("dialog[open] button[type=submit]").click()
    page.locator("dialog[open]").wait_for(state="detached")
    page.wait_for_function("() => document.querySelector('textarea#id_body').value.includes('flow.jpg')")
    page.click("input[name=_continue]")
    page.wait_for_load_state("load")

    article = Article.objects.get(title=TITLE)
    assert article.status == Article.Status.DRAFT
    assert article.author.name == "李明" and article.created_by.username == "writer"
    assert re.fullmatch(
        r"<h2>小标题</h2>"
        r'<p>请看<a href="https://example\.org/news"[^>]* rel="noopener noreferrer nofollow">链接文字</a></p>'
        r'<figure><img src="https://img\.example\.com/flow\.jpg" alt="流程图"[^>]*><figcaption>图注</figcaption></figure>',
        article.body,
    ), article.body

    page.click("#workflow-submit button[type=submit]")
    page.wait_for_load_state("load")
    article.refresh_from_db()
    assert article.status == Article.Status.REVIEW
    assert page.errors == []
    context.close()

    # The editor finds it awaiting review, previews it and schedules it a few seconds ahead.
    context, page = session(chromium, live_server)
    log_in(page, live_server, "editor")
    page.goto(live_server.url + "/admin/articles/article/?state=review")
    page.get_by_role("link", name=TITLE).click()
    page.wait_for_load_state("load")
    change_url = page.url
    preview_href = page.get_by_role("link", name="预览").get_attribute("href")
    page.goto(live_server.url + preview_href if preview_href.startswith("/") else preview_href)
    assert page.locator(".preview-banner").is_visible()
    assert page.locator("meta[name=robots]").get_attribute("content") == "noindex, nofollow"
    assert page.locator("h1").inner_text() == TITLE
    page.goto(change_url)

    # Far enough ahead for the reader's first look to come before it, even on a slow machine.
    go_live = dt.datetime.now(SHANGHAI).replace(microsecond=0) + dt.timedelta(seconds=15)
    page.fill("#workflow-publish-at", go_live.strftime("%Y-%m-%dT%H:%M:%S"))
    page.click("#workflow-publish button[type=submit]")
    page.wait_for_load_state("load")
    article.refresh_from_db()
    assert article.status == Article.Status.PUBLISHED and article.is_scheduled
    assert article.published_at == go_live

    # A reader does not see it before its time, and sees it after.
    reader_context, reader = session(chromium, live_server)
    response = reader.goto(live_server.url + article.get_absolute_url())
    assert dt.datetime.now(SHANGHAI) < go_live, "the machine was too slow to look before the time"
    assert response.status == 404
    reader.goto(live_server.url + "/")
    assert TITLE not in reader.content()

    page.screenshot(path=ARTIFACTS / "admin-article-change.png", full_page=True)
    assert page.errors == []
    context.close()

    while dt.datetime.now(SHANGHAI) <= go_live:
        time.sleep(0.5)
    response = reader.goto(live_server.url + article.get_absolute_url())
    assert response.status == 200
    assert reader.locator("h1").inner_text() == TITLE
    reader.goto(live_server.url + "/")
    assert reader.get_by_role("link", name=TITLE).count() == 1
    reader_context.close()


def test_a_workflow_button_saves_the_unsaved_edits_first(chromium, live_server, newsroom_people):
    ARTIFACTS.mkdir(parents=True, exist_ok=True)
    writer, _editor = newsroom_people
    article = Article.objects.create(
        title="原来的标题", body="<p>原来的正文</p>", author=Author.objects.get(user=writer),
        created_by=writer, status=Article.Status.REVIEW,
    )  # fmt: skip
    context, page = session(chromium, live_server)
    log_in(page, live_server, "editor")
    page.goto(f"{live_server.url}/admin/articles/article/{article.pk}/change/")

    # Enter in a text field saves the form: it never presses a workflow button.
    page.fill("#id_title", "按回车保存的标题")
    page.press("#id_title", "Enter")
    page.wait_for_load_state("load")
    article.refresh_from_db()
    assert article.title == "按回车保存的标题" and article.status == Article.Status.REVIEW

    # Edits typed, then 发布 pressed without saving: published with the edits.
    page.fill("#id_title", "发布前刚改的标题")
    page.locator(".ProseMirror[contenteditable=true]").click()
    page.keyboard.press("End")
    page.keyboard.type("，补上一句")
    page.fill("#workflow-publish-comment", "可以发了")
    page.screenshot(path=ARTIFACTS / "workflow-button-unsaved-edits.png", full_page=True)
    page.click("#workflow-publish button[type=submit]")
    page.wait_for_load_state("load")
    article.refresh_from_db()
    assert article.is_published
    assert article.title == "发布前刚改的标题" and "补上一句" in article.body
    assert article.transitions.get().comment == "可以发了"
    messages = page.locator("ul.messagelist").inner_text()
    assert "修改已保存" in messages and "发布完成" in messages
    page.screenshot(path=ARTIFACTS / "workflow-button-saved-and-published.png", full_page=True)
    assert page.errors == []
    context.close()
