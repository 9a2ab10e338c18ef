"""A whole newsroom day in real headless Chromium, as the people do it, with a screenshot of each
step in build/test-artifacts/day-*.png:

the chief editor gives a new colleague the writer's role; the writer logs in, writes with a video
and an uploaded picture, and submits; the editor finds it on the front page and sends it back with
a comment; the writer sees the badge and the comment, fixes it and submits again; the editor
schedules it; a reader sees it only from its time on; and the writer, trying every form and some
hand-made requests, cannot change it once it is published.
"""

import datetime as dt

from django.contrib.auth.models import Group, User
from django.utils import timezone
from reversion.models import Version

from articles.models import Article, Author, Image, Transition
from articles.permissions import CHIEF_EDITOR_GROUP, EDITOR_GROUP
from articles.tests.browsing import ARTIFACTS, BROWSER_TEST, PASSWORD, log_in, open_page
from articles.tests.factories import freeze_clock
from articles.tests.pictures import make_jpeg

pytestmark = BROWSER_TEST

TITLE = "芯片产能的一天"
EDITOR_BODY = ".ProseMirror[contenteditable=true]"


def person(username, group):
    user = User.objects.create_user(username, password=PASSWORD)
    user.groups.add(Group.objects.get(name=group))  # the role makes them staff (articles.accounts)
    return user


def session(chromium, live_server, width=1366, height=900):
    return open_page(chromium, live_server, viewport={"width": width, "height": height})


def shot(page, name):
    page.screenshot(path=ARTIFACTS / f"day-{name}.png", full_page=True)


def press(page, selector):
    page.click(selector)
    page.wait_for_load_state("load")


def write_on(page, text):
    """A new paragraph at the end of the body (after a video or a picture, which the cursor would
    otherwise select and the next insertion replace)."""
    page.evaluate(
        f"""() => {{
            const editor = document.querySelector('{EDITOR_BODY}').editor;
            editor.chain().insertContentAt(editor.state.doc.content.size, '<p>{text}</p>').focus('end').run();
        }}"""
    )


def csrf_token(page):
    return next(c["value"] for c in page.context.cookies() if c["name"] == "csrftoken")


def hand_made_post(page, live_server, path, data=None):
    """A POST the page's forms do not offer, with the session's cookies and CSRF token."""
    token = csrf_token(page)
    return page.request.post(
        live_server.url + path,
        form={"csrfmiddlewaretoken": token, **(data or {})},
        headers={"X-CSRFToken": token, "Referer": live_server.url + path},
        max_redirects=0,
    )


def test_a_newsroom_day(chromium, live_server, monkeypatch, tmp_path):
    ARTIFACTS.mkdir(parents=True, exist_ok=True)
    # The day runs on a clock the test moves: the reader's "before" and "after" need no waiting.
    clock = freeze_clock(monkeypatch, timezone.now().replace(microsecond=0))
    person("zhubian", CHIEF_EDITOR_GROUP)
    person("bianji", EDITOR_GROUP)

    # --- 09:00 The chief editor gives a new colleague the writer's role ----------------------
    context, page = session(chromium, live_server)
    log_in(page, live_server, "zhubian")
    page.goto(live_server.url + "/admin/auth/user/add/")
    page.fill("#id_username", "xiaowang")
    page.fill("#id_password1", PASSWORD)
    page.fill("#id_password2", PASSWORD)
    press(page, "input[name=_save]")
    page.fill("#id_first_name", "小王")
    page.select_option("#id_groups_from", label="撰稿人 Writer")
    page.click("#id_groups_add")
    shot(page, "01-chief-gives-the-role")
    press(page, "input[name=_save]")
    writer = User.objects.get(username="xiaowang")
    assert writer.is_staff and writer.groups.filter(name="撰稿人 Writer").exists()
    assert Author.objects.get(user=writer).name == "小王"  # a byline of their own
    assert page.errors == []
    context.close()

    # --- 09:30 The writer writes with a video and a picture, and submits ---------------------
    clock.advance(dt.timedelta(minutes=30))
    context, page = session(chromium, live_server)
    log_in(page, live_server, "xiaowang")
    shot(page, "02-writer-front-page")
    page.goto(live_server.url + "/admin/articles/article/add/")
    assert page.locator("#id_author option:checked").inner_text() == "小王"
    page.fill("#id_title", TITLE)
    page.locator(EDITOR_BODY).click()
    page.keyboard.type("今年的芯片产能比去年高了三成。")
    page.get_by_role("button", name="插入视频").click()
    page.locator("dialog[open] input[name=address]").fill("https://www.bilibili.com/video/BV1GJ411x7h7/")
    page.locator("dialog[open] input[name=title]").fill("发布会现场")
    page.locator("dialog[open] button[type=submit]").click()
    page.locator(".ProseMirror .video-embed iframe").wait_for()
    write_on(page, "下面是现场照片：")
    page.locator("button[data-name=figure]").click()
    dialog = page.locator("dialog[open]")
    picture = tmp_path / "jingyuan.jpg"
    picture.write_bytes(make_jpeg(900, 600, colour=(20, 120, 200)))
    dialog.locator(".image-library-file").set_input_files(picture)
    page.wait_for_function(
        "() => document.querySelector('dialog[open] .image-library-status').textContent.includes('已存入')"
    )
    page.keyboard.type("晶圆厂的生产线")  # the focus waits in the alt text field
    dialog.locator("button[type=submit]").click()
    page.wait_for_function("() => document.querySelector('textarea#id_body').value.includes('<figure')")
    write_on(page, "产能的提高来自新的生产线。")
    shot(page, "03-writer-writes")
    press(page, "input[name=_continue]")
    article = Article.objects.get(title=TITLE)
    uploaded = Image.objects.get()
    assert article.status == Article.Status.DRAFT and article.created_by == writer
    assert "player.bilibili.com" in article.body and 'sandbox="' in article.body
    assert list(article.body_images.all()) == [uploaded] and 'alt="晶圆厂的生产线"' in article.body
    page.fill("#workflow-submit-comment", "请审阅，数据来自公司公告。")
    press(page, "#workflow-submit button[type=submit]")
    article.refresh_from_db()
    assert article.status == Article.Status.REVIEW
    assert page.errors == []
    context.close()

    # --- 10:00 The editor finds it on the front page and sends it back with a comment --------
    clock.advance(dt.timedelta(minutes=30))
    context, page = session(chromium, live_server)
    log_in(page, live_server, "bianji")
    waiting = page.locator(".dashboard-section--review")
    assert TITLE in waiting.inner_text() and "请审阅" in waiting.inner_text()
    assert page.locator(".notifications-count").inner_text() == "1 条未读"  # the submission
    shot(page, "04-editor-front-page")
    press(page, f".dashboard-section--review a:text('{TITLE}')")
    assert "请审阅，数据来自公司公告。" in page.locator(".submit-note").inner_text()
    page.fill("#workflow-send_back-comment", "请补充数据来源和去年的对比数字。")
    shot(page, "05-editor-sends-back")
    press(page, "#workflow-send_back button[type=submit]")
    article.refresh_from_db()
    assert article.status == Article.Status.DRAFT
    assert page.errors == []
    context.close()

    # --- 10:30 The writer sees the badge and the comment, fixes it, submits again ------------
    clock.advance(dt.timedelta(minutes=30))
    context, page = session(chromium, live_server)
    log_in(page, live_server, "xiaowang")
    sent_back = page.locator(".dashboard-section--sent_back")
    assert TITLE in sent_back.inner_text() and "请补充数据来源" in sent_back.inner_text()
    shot(page, "06-writer-sees-it-sent-back")
    page.goto(live_server.url + "/admin/articles/article/")
    row = page.locator("#result_list tr", has_text=TITLE)
    assert "已退回" in row.inner_text()
    shot(page, "07-writer-list-badge")
    press(page, f"#result_list a:text('{TITLE}')")
    notice = page.locator(".sent-back-notice")
    assert "已退回" in notice.inner_text() and "请补充数据来源和去年的对比数字。" in notice.inner_text()
    write_on(page, "数据来源：公司 2026 年三季度财报；去年同期产能为 100 万片。")
    shot(page, "08-writer-fixes")
    # Submitting straight away: the workflow button saves the edits first.
    press(page, "#workflow-submit button[type=submit]")
    article.refresh_from_db()
    assert article.status == Article.Status.REVIEW and "三季度财报" in article.body
    assert page.errors == []
    context.close()

    # --- 11:00 The editor schedules it for 12:00 ------------------------------------------------
    clock.advance(dt.timedelta(minutes=30))
    go_live = timezone.localtime(clock.now + dt.timedelta(hours=1))
    context, page = session(chromium, live_server)
    log_in(page, live_server, "bianji")
    page.goto(f"{live_server.url}/admin/articles/article/{article.pk}/change/")
    page.fill("#workflow-publish-at", go_live.strftime("%Y-%m-%dT%H:%M:%S"))
    shot(page, "09-editor-schedules")
    press(page, "#workflow-publish button[type=submit]")
    article.refresh_from_db()
    assert article.is_scheduled and article.published_at == go_live
    assert page.errors == []
    context.close()

    # --- A reader: nothing before 12:00, the article from then on --------------------------------
    reader_context, reader = session(chromium, live_server)
    assert reader.goto(live_server.url + article.get_absolute_url()).status == 404
    reader.goto(live_server.url + "/")
    assert TITLE not in reader.content()
    clock.advance(dt.timedelta(hours=1, minutes=1))
    assert reader.goto(live_server.url + article.get_absolute_url()).status == 200
    assert reader.locator("h1").inner_text() == TITLE
    assert reader.locator(".article-body iframe[sandbox]").count() == 1
    figure = reader.locator(".article-body img[alt='晶圆厂的生产线']")
    figure.wait_for()
    assert figure.evaluate("img => img.complete && img.naturalWidth > 0")
    reader.screenshot(path=ARTIFACTS / "day-10-reader-1366.png", full_page=True)
    reader.goto(live_server.url + "/")
    assert reader.get_by_role("link", name=TITLE).count() >= 1
    assert reader.errors == []
    reader_context.close()
    phone_context, phone = session(chromium, live_server, width=390, height=844)
    phone.goto(live_server.url + article.get_absolute_url())
    assert phone.evaluate("document.documentElement.scrollWidth <= window.innerWidth")
    phone.screenshot(path=ARTIFACTS / "day-11-reader-390.png", full_page=True)
    phone_context.close()

    # --- 12:30 The writer tries to change the live article through every form --------------------
    clock.advance(dt.timedelta(minutes=30))
    live = {"title": article.title, "body": article.body, "slug": article.slug, "alt": uploaded.alt_text}
    context, page = session(chromium, live_server)
    log_in(page, live_server, "xiaowang")
    change = f"/admin/articles/article/{article.pk}/change/"
    page.goto(live_server.url + change)
    assert page.locator("#id_title").count() == 0  # read-only…
    assert page.locator(".article-body-read-only iframe").count() == 1  # …with the body as shown
    shot(page, "12-writer-read-only")
    revision = f"/admin/articles/article/{article.pk}/history/"
    page.goto(live_server.url + revision)
    shot(page, "13-writer-history-reads-only")
    old = Version.objects.get_for_object(article).order_by("pk").first()
    attempts = {
        "change form": (change, {"title": "改掉", "body": "<p>改掉</p>", "edit_version": article.edit_version}),
        "old revision": (f"{revision}{old.pk}/", {"title": "改掉", "body": "<p>改掉</p>", "confirm_restore": "on"}),
        "picture": (f"/admin/articles/image/{uploaded.pk}/change/", {"alt_text": "改掉", "title": "改掉"}),
        "autosave": (
            f"/admin/articles/article/{article.pk}/autosave/",
            {"title": "改掉", "edit_version": article.edit_version},
        ),
        "delete": (f"/admin/articles/article/{article.pk}/delete/", {"post": "yes"}),
    }
    for name, (path, data) in attempts.items():
        assert hand_made_post(page, live_server, path, data).status == 403, name
    # Moves and bulk actions refuse without a 403 page: the list says why, nothing moves.
    hand_made_post(page, live_server, f"/admin/articles/article/{article.pk}/workflow/withdraw/")
    hand_made_post(
        page, live_server, "/admin/articles/article/",
        {"action": "submit_selected", "_selected_action": str(article.pk), "index": "0"},
    )  # fmt: skip
    article.refresh_from_db()
    uploaded.refresh_from_db()
    assert article.is_published and article.transitions.count() == 4
    assert {"title": article.title, "body": article.body, "slug": article.slug, "alt": uploaded.alt_text} == live
    assert not Transition.objects.filter(by=writer, verb="withdraw").exists()
    assert page.errors == []
    context.close()
