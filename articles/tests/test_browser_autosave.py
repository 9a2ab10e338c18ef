"""Work is never lost, in real headless Chromium: what a writer types is kept while they type,
offered back with its differences after the page was closed, restored and saved, or discarded;
and leaving the page with unsaved edits asks first, but saving does not."""

import time

import pytest
from django.contrib.auth.models import Group, User
from django.utils import timezone

from articles.models import Article, Author, Autosave
from articles.permissions import WRITER_GROUP
from articles.tests.browsing import ARTIFACTS, BROWSER_TEST, PASSWORD, log_in, open_page

pytestmark = BROWSER_TEST


@pytest.fixture(autouse=True)
def _autosave_every_second(settings):
    # The live server runs in this process: the pages it renders ask the script for this.
    settings.NEWSROOM = {**settings.NEWSROOM, "AUTOSAVE_SECONDS": 1}


@pytest.fixture
def writer():
    user = User.objects.create_user("writer", password=PASSWORD, is_staff=True)
    user.groups.add(Group.objects.get(name=WRITER_GROUP))
    if not Author.objects.filter(user=user).exists():  # the role may have given them their byline
        Author.objects.create(name="李明", user=user)
    return user


@pytest.fixture
def draft(writer):
    return Article.objects.create(
        title="存下的标题",
        body="<p>存下的第一句。</p>",
        author=Author.objects.get(user=writer),
        created_by=writer,
    )


def logged_in(chromium, live_server, username="writer"):
    context, page = open_page(chromium, live_server, viewport={"width": 1280, "height": 1000})
    log_in(page, live_server, username)
    return context, page


def change_url(live_server, article):
    return f"{live_server.url}/admin/articles/article/{article.pk}/change/"


def type_at_end_of_body(page, text):
    page.locator(".ProseMirror[contenteditable=true]").click()
    page.evaluate("document.querySelector('.ProseMirror[contenteditable=true]').editor.commands.focus('end')")
    page.keyboard.press("Enter")
    page.keyboard.type(text)


def wait_until(page, condition, timeout=15):
    """Wait for `condition` while the page runs: its requests pass through this thread's
    Playwright routing (browsing.open_page), which a plain sleep would hold up."""
    deadline = time.monotonic() + timeout
    while not condition():
        assert time.monotonic() < deadline, "timed out"
        page.wait_for_timeout(200)


def test_typed_text_survives_a_closed_page_and_is_restored_and_saved(chromium, live_server, draft, writer):
    ARTIFACTS.mkdir(parents=True, exist_ok=True)

    # The writer types in title and body, and the page keeps them without being saved.
    context, page = logged_in(chromium, live_server)
    page.goto(change_url(live_server, draft))
    page.fill("#id_title", "浏览器里改的标题")
    type_at_end_of_body(page, "浏览器里新写的一句。")

    def kept():
        autosave = Autosave.objects.filter(user=writer, article=draft).first()
        return autosave and "浏览器里新写的一句。" in autosave.data["body"][0] and autosave

    wait_until(page, kept)
    assert kept().data["title"] == ["浏览器里改的标题"]
    page.locator(".article-autosave__status", has_text="已自动保存").wait_for()
    page.screenshot(path=ARTIFACTS / "autosave-typing.png")
    draft.refresh_from_db()
    assert draft.title == "存下的标题"  # kept aside, the article itself unchanged
    assert page.errors == []
    context.close()

    # Later, in a new browser session, the article offers what was typed.
    context, page = logged_in(chromium, live_server)
    page.goto(change_url(live_server, draft))
    offer = page.locator(".autosave-offer")
    assert offer.is_visible()
    assert offer.locator("del", has_text="存下的标题").count() == 1
    assert offer.locator("ins", has_text="浏览器里改的标题").count() == 1
    assert offer.locator("ins", has_text="浏览器里新写的一句。").count() == 1
    page.screenshot(path=ARTIFACTS / "autosave-offer.png", full_page=True)

    # Restored, the form holds the typed text; saving it needs no answer to any question.
    dialogs = []
    page.on("dialog", lambda dialog: (dialogs.append(dialog.type), dialog.dismiss()))
    offer.get_by_role("link", name="恢复").click()
    page.wait_for_load_state("load")
    assert page.input_value("#id_title") == "浏览器里改的标题"
    page.locator(".ProseMirror", has_text="浏览器里新写的一句。").wait_for()
    assert page.locator(".autosave-offer").count() == 0
    page.screenshot(path=ARTIFACTS / "autosave-restored.png", full_page=True)
    page.click("input[name=_continue]")
    page.wait_for_load_state("load")
    page.locator(".messagelist .success").wait_for()

    draft.refresh_from_db()
    assert draft.title == "浏览器里改的标题"
    assert draft.body == "<p>存下的第一句。</p><p>浏览器里新写的一句。</p>"
    assert not Autosave.objects.filter(user=writer).exists()
    assert dialogs == []
    assert page.locator(".autosave-offer").count() == 0
    assert page.errors == [] and page.external_requests == []
    context.close()


def test_discarding_removes_the_offer(chromium, live_server, draft, writer):
    Autosave.objects.create(
        user=writer,
        article=draft,
        data={"title": ["不要了的标题"], "body": ["<p>存下的第一句。</p>"], "author": [str(draft.author_id)]},
        base_edit_version=draft.edit_version,
        saved_at=timezone.now(),
    )
    context, page = logged_in(chromium, live_server)
    page.goto(change_url(live_server, draft))
    assert page.locator(".autosave-offer ins", has_text="不要了的标题").is_visible()

    page.locator(".autosave-offer").get_by_role("button", name="丢弃").click()
    page.wait_for_load_state("load")

    page.locator(".messagelist", has_text="已丢弃自动保存的内容").wait_for()
    assert page.locator(".autosave-offer").count() == 0
    assert page.input_value("#id_title") == "存下的标题"
    assert not Autosave.objects.exists()
    page.screenshot(path=ARTIFACTS / "autosave-discarded.png")
    assert page.errors == []
    context.close()


def test_leaving_with_unsaved_edits_asks_but_saving_does_not(chromium, live_server, draft):
    context, page = logged_in(chromium, live_server)
    dialogs = []
    page.on("dialog", lambda dialog: (dialogs.append(dialog.type), dialog.dismiss()))
    home = page.locator("#site-name a")

    # Nothing typed: leaving does not ask.
    page.goto(change_url(live_server, draft))
    home.click()
    page.wait_for_url(live_server.url + "/admin/")
    assert dialogs == []

    # Typed, not saved: leaving asks, and staying keeps the page and what was typed.
    page.goto(change_url(live_server, draft))
    type_at_end_of_body(page, "还没保存的一句。")
    home.click()
    wait_until(page, lambda: dialogs)
    assert dialogs == ["beforeunload"]
    assert page.url == change_url(live_server, draft)
    assert page.locator(".ProseMirror", has_text="还没保存的一句。").count() == 1

    # Saved: neither the save nor leaving afterwards asks.
    page.click("input[name=_continue]")
    page.wait_for_load_state("load")
    page.locator(".messagelist .success").wait_for()
    home.click()
    page.wait_for_url(live_server.url + "/admin/")
    assert dialogs == ["beforeunload"]
    draft.refresh_from_db()
    assert "还没保存的一句。" in draft.body
    assert page.errors == []
    context.close()


def test_a_new_articles_typed_text_is_offered_on_the_add_page_and_saved(chromium, live_server, writer):
    context, page = logged_in(chromium, live_server)
    page.goto(live_server.url + "/admin/articles/article/add/")
    page.fill("#id_title", "还没保存过的新稿")
    page.locator(".ProseMirror[contenteditable=true]").click()
    page.keyboard.type("新稿的第一句。")

    def kept():
        autosave = Autosave.objects.filter(user=writer, article=None).first()
        return autosave is not None and "新稿的第一句。" in autosave.data["body"][0]

    wait_until(page, kept)
    context.close()

    context, page = logged_in(chromium, live_server)
    page.goto(live_server.url + "/admin/articles/article/add/")
    offer = page.locator(".autosave-offer")
    assert offer.locator("ins", has_text="新稿的第一句。").count() == 1
    offer.get_by_role("link", name="恢复").click()
    page.wait_for_load_state("load")
    assert page.input_value("#id_title") == "还没保存过的新稿"
    page.click("input[name=_continue]")
    page.wait_for_load_state("load")
    page.locator(".messagelist .success").wait_for()

    article = Article.objects.get(title="还没保存过的新稿")
    assert article.body == "<p>新稿的第一句。</p>" and article.created_by == writer
    assert not Autosave.objects.exists()
    assert page.errors == []
    context.close()
