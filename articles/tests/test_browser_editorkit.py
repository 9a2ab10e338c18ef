"""The editor's aids in real headless Chromium: a video embedded through the 插入视频 dialog is
stored as the sanitized player and plays on the public page once published; the count under the
editor follows the typing; a picture uploaded from the image picker is picked; the search and
share preview follows the form; a click on an image's preview sets its focal point.
"""

import re

import pytest
from django.contrib.auth.models import Group, User
from django.core.files.storage import default_storage

from articles import workflow
from articles.images.library import store_image
from articles.models import Article, Author, Image
from articles.tests.browsing import ARTIFACTS, BROWSER_TEST, PASSWORD, log_in, open_page
from articles.tests.pictures import PDF, make_jpeg, noisy_jpeg

pytestmark = BROWSER_TEST

ADD_ARTICLE = "/admin/articles/article/add/"
EDITOR = ".ProseMirror[contenteditable=true]"
SANDBOX = "allow-scripts allow-same-origin allow-presentation allow-popups"
# Every violation of the Content-Security-Policy, as Chromium reports it to the page.
COLLECT_VIOLATIONS = """
window.__csp = [];
document.addEventListener("securitypolicyviolation", (event) => {
  window.__csp.push(event.violatedDirective + " " + (event.blockedURI || "inline"));
});
"""


@pytest.fixture
def writer():
    user = User.objects.create_user("writer", password=PASSWORD, is_staff=True)
    user.groups.add(Group.objects.get(name="撰稿人 Writer"))
    # The role gave the writer a byline of their own, preselected on new articles.
    Author.objects.filter(user=user).update(name="李明")
    return user


@pytest.fixture
def editor():
    user = User.objects.create_user("editor", password=PASSWORD, is_staff=True)
    user.groups.add(Group.objects.get(name="编辑 Editor"))
    return user


@pytest.fixture
def browser(chromium, live_server):
    context, page = open_page(chromium, live_server, viewport={"width": 1280, "height": 1000})
    page.add_init_script(COLLECT_VIOLATIONS)
    yield page
    context.close()


def screenshot(page, name, **options):
    ARTIFACTS.mkdir(parents=True, exist_ok=True)
    page.screenshot(path=ARTIFACTS / f"editorkit-{name}.png", **options)


def violations(page):
    return page.evaluate("window.__csp")


def open_new_article(page, live_server, title):
    page.goto(live_server.url + ADD_ARTICLE)
    page.fill("#id_title", title)
    page.locator(EDITOR).wait_for()


def save(page):
    page.locator("input[name=_save]").click()
    page.wait_for_load_state("load")


# --- Video embeds --------------------------------------------------------------------------------


def test_an_embedded_video_is_stored_sanitized_and_plays_on_the_public_page(browser, live_server, writer, editor):
    page = browser
    log_in(page, live_server, "writer")
    open_new_article(page, live_server, "发布会视频")
    page.locator(EDITOR).click()
    page.keyboard.type("发布会现场的视频：")

    page.get_by_role("button", name="插入视频").click()
    dialog = page.locator("dialog[open]")
    address = dialog.locator("input[name=address]")
    # An address of no allowed player is refused in the dialog, which stays open.
    address.fill("https://evil.example/player.bilibili.com/player.html")
    dialog.locator("button[type=submit]").click()
    assert page.locator("dialog[open]").count() == 1
    assert address.evaluate("input => input.validity.customError")
    address.fill("https://www.bilibili.com/video/BV1GJ411x7h7/?p=2&spm_id_from=333.1007")
    dialog.locator("input[name=title]").fill("发布会全程")
    screenshot(page, "video-dialog")
    dialog.locator("button[type=submit]").click()
    embed = page.locator(".ProseMirror .video-embed iframe")
    embed.wait_for()
    assert embed.get_attribute("src") == "https://player.bilibili.com/player.html?bvid=BV1GJ411x7h7&page=2"
    assert embed.get_attribute("sandbox") == SANDBOX

    # The editor's HTML source keeps the player as it is.
    page.get_by_role("button", name=re.compile("HTML", re.I)).first.click()
    source = page.locator("dialog[open] textarea")
    assert "<iframe" in source.input_value() and "player.bilibili.com" in source.input_value()
    page.locator("dialog[open] button[type=submit]").click()
    assert page.locator(".ProseMirror .video-embed").count() == 1
    screenshot(page, "video-in-editor")
    save(page)

    article = Article.objects.get(title="发布会视频")
    assert article.body.count("<iframe") == 1
    assert (
        '<iframe src="https://player.bilibili.com/player.html?bvid=BV1GJ411x7h7&amp;page=2" width="640"'
        f' height="360" title="发布会全程" sandbox="{SANDBOX}" allow="fullscreen; picture-in-picture"'
        ' allowfullscreen="" loading="lazy" referrerpolicy="strict-origin-when-cross-origin"></iframe>'
    ) in article.body
    assert violations(page) == []

    workflow.submit(article, by=writer)
    workflow.publish(article, by=editor)
    page.context.clear_cookies()  # a reader
    page.goto(live_server.url + article.get_absolute_url())
    frame = page.locator(".article-body iframe")
    assert frame.get_attribute("src") == "https://player.bilibili.com/player.html?bvid=BV1GJ411x7h7&page=2"
    assert frame.get_attribute("sandbox") == SANDBOX
    box = frame.bounding_box()
    assert box["width"] > 500 and abs(box["width"] / box["height"] - 16 / 9) < 0.02
    # The policy lets the frame load from the player (the test aborts the request itself).
    assert violations(page) == []
    assert "https://player.bilibili.com/player.html?bvid=BV1GJ411x7h7&page=2" in page.external_requests
    screenshot(page, "video-public-page")
    assert page.errors == []


def test_the_dialog_turns_video_pages_into_their_players(browser, live_server, writer):
    page = browser
    log_in(page, live_server, "writer")
    open_new_article(page, live_server, "地址转换")
    cases = {
        "https://www.bilibili.com/video/BV1GJ411x7h7": "https://player.bilibili.com/player.html?bvid=BV1GJ411x7h7",
        "bilibili.com/video/av170001?p=3": "https://player.bilibili.com/player.html?aid=170001&page=3",
        "https://www.youtube.com/watch?v=dQw4w9WgXcQ&t=1m30s": "https://www.youtube-nocookie.com/embed/dQw4w9WgXcQ?start=90",
        "https://youtu.be/dQw4w9WgXcQ": "https://www.youtube-nocookie.com/embed/dQw4w9WgXcQ",
        "https://www.youtube.com/shorts/abcDEF12345": "https://www.youtube-nocookie.com/embed/abcDEF12345",
        "https://www.youtube.com/embed/dQw4w9WgXcQ": "https://www.youtube-nocookie.com/embed/dQw4w9WgXcQ",
        "https://v.qq.com/x/cover/mzc00200abcdefg/x0033xyz123.html": "https://v.qq.com/txp/iframe/player.html?vid=x0033xyz123",
        "https://v.qq.com/x/page/x0033xyz123.html": "https://v.qq.com/txp/iframe/player.html?vid=x0033xyz123",
        "https://vimeo.com/76979871": "https://player.vimeo.com/video/76979871",
        "https://vimeo.com/76979871/8272103f6e": "https://player.vimeo.com/video/76979871?h=8272103f6e",
        '<iframe src="//player.bilibili.com/player.html?bvid=BV1GJ411x7h7&amp;page=1" scrolling="no"></iframe>':
            "https://player.bilibili.com/player.html?bvid=BV1GJ411x7h7&page=1",
        "http://player.vimeo.com/video/1": "https://player.vimeo.com/video/1",
        "https://www.bilibili.com/read/cv123": None,
        "https://evil.example/www.youtube.com/embed/x": None,
        "https://www.youtube.com.evil.example/embed/x": None,
        "https://player.bilibili.com@evil.example/player.html": None,
        "javascript:alert(1)": None,
        "https://vimeo.com/channels/staffpicks": None,
    }  # fmt: skip
    options = page.evaluate(
        "() => JSON.parse(document.querySelector('textarea[data-django-prose-editor-configurable]')"
        ".dataset.djangoProseEditorConfigurable).extensions.VideoEmbed"
    )
    answers = page.evaluate(
        """async ([cases, options]) => {
             const { embedAddress } = await import("/static/articles/admin/video-embed.js");
             return Object.fromEntries(Object.keys(cases).map((text) => [text, embedAddress(text, options)]));
           }""",
        [cases, options],
    )
    assert answers == cases


# --- The count under the editor ------------------------------------------------------------------


def test_the_count_under_the_editor_follows_the_typing(browser, live_server, writer):
    page = browser
    log_in(page, live_server, "writer")
    open_new_article(page, live_server, "字数")
    stats = page.locator(".body-stats")
    assert stats.text_content() == "字数 0（汉字 0，英文单词 0）· 约 1 分钟读完"
    page.locator(EDITOR).click()
    page.keyboard.type("芯片厂扩产")
    page.wait_for_function("() => document.querySelector('.body-stats').textContent.includes('汉字 5')")
    page.keyboard.type(" TSMC's N3 process")
    page.wait_for_function("() => document.querySelector('.body-stats').textContent.startsWith('字数 8')")
    assert stats.text_content() == "字数 8（汉字 5，英文单词 3）· 约 1 分钟读完"

    # Past 400 Chinese characters the reading time is two minutes, as the public page says.
    page.keyboard.press("Enter")
    page.keyboard.insert_text("新" * 400)
    page.wait_for_function("() => document.querySelector('.body-stats').textContent.includes('约 2 分钟')")
    assert stats.text_content() == "字数 408（汉字 405，英文单词 3）· 约 2 分钟读完"
    # Under the editor, not lost above or inside it.
    editor_box = page.locator(".prose-editor").bounding_box()
    assert stats.bounding_box()["y"] >= editor_box["y"] + editor_box["height"] - 1
    screenshot(page, "body-stats", full_page=False)
    save(page)
    article = Article.objects.get(title="字数")
    page.goto(live_server.url + f"/admin/articles/article/{article.pk}/change/")
    assert page.locator(".body-stats").text_content() == "字数 408（汉字 405，英文单词 3）· 约 2 分钟读完"
    assert page.errors == []


# --- Upload from the image picker ------------------------------------------------------------------


def test_a_picture_uploaded_in_the_picker_is_stored_and_picked(browser, live_server, writer, tmp_path):
    page = browser
    store_image(make_jpeg(320, 200), name="old.jpg", alt_text="旧图")
    log_in(page, live_server, "writer")
    open_new_article(page, live_server, "上传插图")
    page.locator("button.material-icons", has_text=re.compile("^image$")).first.click()  # the figure button
    dialog = page.locator("dialog[open]")
    dialog.locator(".image-library-item").first.wait_for()

    refused = tmp_path / "report.pdf"
    refused.write_bytes(PDF)
    dialog.locator(".image-library-file").set_input_files(refused)
    status = dialog.locator(".image-library-status")
    page.wait_for_function(
        "() => document.querySelector('dialog[open] .image-library-status').textContent.includes('未能上传')"
    )
    assert "report.pdf" in status.text_content()
    screenshot(page, "picker-refused")
    assert Image.objects.count() == 1

    picture = tmp_path / "wafer.jpg"
    picture.write_bytes(make_jpeg(900, 600, colour=(20, 120, 200)))
    dialog.locator(".image-library-file").set_input_files(picture)
    page.wait_for_function(
        "() => document.querySelector('dialog[open] .image-library-status').textContent.includes('已存入')"
    )
    uploaded = Image.objects.get(title="wafer")
    assert dialog.locator("input[name=imageUrl]").input_value() == uploaded.file.url
    chosen = dialog.locator(".image-library-item[aria-pressed=true]")
    assert chosen.get_attribute("data-image-id") == str(uploaded.pk)
    assert dialog.locator(".image-library-item").count() == 2
    page.wait_for_function(
        "() => [...document.querySelectorAll('dialog[open] .image-library-item img')]"
        ".every((img) => img.complete && img.naturalWidth > 0)"
    )
    # The new picture has no alternative text yet: the writer is asked for it next.
    assert page.evaluate("document.activeElement.name") == "altText"
    page.keyboard.type("晶圆")
    screenshot(page, "picker-uploaded")
    dialog.locator("button[type=submit]").click()
    save(page)
    article = Article.objects.get(title="上传插图")
    assert f"/{uploaded.sha256}/" in article.body and 'alt="晶圆"' in article.body
    assert list(article.body_images.all()) == [uploaded]
    assert violations(page) == [] and page.errors == []


# --- The search and share preview -------------------------------------------------------------------


def test_the_preview_follows_the_title_description_and_hero_image(browser, live_server, writer):
    page = browser
    hero = store_image(make_jpeg(1600, 900), name="hero.jpg", alt_text="晶圆厂").image
    log_in(page, live_server, "writer")
    open_new_article(page, live_server, "芯片厂扩产")
    preview = page.locator("[data-share-preview]")
    page_title = preview.locator("[data-preview=page-title]")
    page.wait_for_function(
        "() => document.querySelector('[data-preview=page-title]').textContent.startsWith('芯片厂扩产 · ')"
    )
    # The address follows the slug that the title prefills.
    page.wait_for_function(
        "() => document.querySelector('#id_slug').value !== ''"
        " && document.querySelector('[data-preview=slug]').textContent === document.querySelector('#id_slug').value"
    )
    page.fill("#id_seo_title", "扩产：明年投产")
    assert page_title.text_content().startswith("扩产：明年投产 · ")
    assert preview.locator("[data-preview=title]").text_content() == "扩产：明年投产"

    page.locator(EDITOR).click()
    page.keyboard.type("晶圆厂明年投产，产能翻倍。")
    page.wait_for_function(
        "() => document.querySelector('[data-preview=description]').textContent === '晶圆厂明年投产，产能翻倍。'"
    )
    page.fill("#id_seo_description", "给搜索引擎的描述。")
    assert preview.locator("[data-preview=description]").all_text_contents() == ["给搜索引擎的描述。"] * 2

    assert preview.locator("[data-preview=image]").is_hidden()
    page.locator("#id_hero_image + .select2").click()
    page.locator(".select2-dropdown .select2-search__field").fill("hero")
    page.locator(".select2-results__option", has_text="hero").click()
    card = preview.locator("[data-preview=image]")
    card.wait_for(state="visible")
    assert card.get_attribute("src") == default_storage.url(hero.renditions["social"])
    page.wait_for_function("() => document.querySelector('[data-preview=image]').complete")
    preview.scroll_into_view_if_needed()
    screenshot(page, "share-preview")
    save(page)
    article = Article.objects.get(title="芯片厂扩产")
    assert (article.seo_title, article.seo_description) == ("扩产：明年投产", "给搜索引擎的描述。")
    assert violations(page) == [] and page.errors == []


# --- The focal point -----------------------------------------------------------------------------


def test_a_click_on_the_picture_sets_the_focal_point_and_saving_keeps_it(browser, live_server, editor):
    page = browser
    image = store_image(noisy_jpeg(1600, 900), name="street.jpg", alt_text="街景").image
    old_card = image.renditions["social"]
    log_in(page, live_server, "editor")
    page.goto(live_server.url + f"/admin/articles/image/{image.pk}/change/")
    picture = page.locator(".focal-point-frame img")
    picture.wait_for()
    page.wait_for_function("() => document.querySelector('.focal-point-frame img').complete")
    marker = page.locator(".focal-point-marker")
    assert "focal-point-marker--default" in marker.get_attribute("class")  # none set: the centre

    box = picture.bounding_box()
    picture.click(position={"x": box["width"] * 0.25, "y": box["height"] * 0.75})
    x = float(page.input_value("#id_focal_point_x"))
    y = float(page.input_value("#id_focal_point_y"))
    assert abs(x - 0.25) < 0.01 and abs(y - 0.75) < 0.01
    marker_box = marker.bounding_box()
    centre = (marker_box["x"] + marker_box["width"] / 2, marker_box["y"] + marker_box["height"] / 2)
    assert abs(centre[0] - (box["x"] + box["width"] * 0.25)) < 2
    assert abs(centre[1] - (box["y"] + box["height"] * 0.75)) < 2
    assert "focal-point-marker--default" not in marker.get_attribute("class")

    # The number fields are the keyboard's way: the marker follows what is typed.
    page.fill("#id_focal_point_x", "0.6")
    marker_box = marker.bounding_box()
    assert abs(marker_box["x"] + marker_box["width"] / 2 - (box["x"] + box["width"] * 0.6)) < 2
    picture.click(position={"x": box["width"] * 0.25, "y": box["height"] * 0.75})
    picture.scroll_into_view_if_needed()
    screenshot(page, "focal-point")
    page.locator("input[name=_save]").click()
    page.wait_for_load_state("load")
    image.refresh_from_db()
    assert abs(image.focal_point_x - 0.25) < 0.01 and abs(image.focal_point_y - 0.75) < 0.01
    assert image.renditions["social"] != old_card  # the card is cropped around the new point
    assert violations(page) == [] and page.errors == []


@pytest.mark.parametrize("width", [375, 1280])
def test_the_image_preview_fits_its_column(chromium, live_server, editor, width):
    image = store_image(make_jpeg(2400, 1350), name="wide.jpg", alt_text="宽图").image
    context, page = open_page(chromium, live_server, viewport={"width": width, "height": 900})
    try:
        log_in(page, live_server, "editor")
        page.goto(live_server.url + f"/admin/articles/image/{image.pk}/change/")
        picture = page.locator(".focal-point-frame img")
        picture.wait_for()
        page.wait_for_function("() => document.querySelector('.focal-point-frame img').complete")
        shown = picture.bounding_box()
        column = page.locator(".field-preview").bounding_box()
        assert shown["x"] >= column["x"] - 1 and shown["x"] + shown["width"] <= column["x"] + column["width"] + 1
        assert shown["width"] <= width
        assert abs(shown["width"] / shown["height"] - 2400 / 1350) < 0.02  # not squashed
        page.locator(".field-preview").scroll_into_view_if_needed()
        screenshot(page, f"image-preview-{width}")
        assert page.errors == []
    finally:
        context.close()
