"""The admin is Chinese wherever a writer, an editor or the chief editor looks, in real headless
Chromium: every text on the page, every button's title, every placeholder and label for screen
readers, with the body editor's toolbar, its link and figure dialogs, its style menu and the
image picker open. English appears only in names (brands, file formats, data the test wrote).
English on request still gets English.

Screenshots: build/test-artifacts/chinese-*.png.
"""

import re

import pytest
from django.contrib.auth.models import Group

from articles import workflow
from articles.images.library import store_image
from articles.models import Article, Author, Category, Image, LegacyURL, Tag
from articles.permissions import CHIEF_EDITOR_GROUP, EDITOR_GROUP, WRITER_GROUP
from articles.tests.browsing import ARTIFACTS, BROWSER_TEST, open_page
from articles.tests.factories import STAFF_PASSWORD, make_article, make_category_path, make_staff
from articles.tests.pictures import make_jpeg

pytestmark = BROWSER_TEST

# English words the Chinese admin shows on purpose, as Chinese writing does: brands, formats,
# protocols and digests (LDAP in Django's own Chinese, SHA-256), the key names inside Django's own
# Chinese help ("按住 Control 键或 Mac 上的 Command 键"), the roles' English halves ("撰稿人 Writer"),
# which are also the test's user names, the test settings' password hasher, and the name of a
# content language written in that language (繁體中文, English), as language menus write them.
ALLOWED_WORDS = {
    "django", "bilibili", "youtube", "vimeo", "url", "html", "seo", "ldap",
    "jpeg", "jpg", "webp", "png", "gif", "avif", "svg", "sha",
    "control", "command", "mac",
    "writer", "editor", "chief",
    "md5", "english",
}  # fmt: skip
ENGLISH_WORD = re.compile(r"[A-Za-z]{3,}")
# Addresses, file names and masked hashes are data, whatever letters they hold; so is the pinyin
# address that the slug's help gives as an example.
NOT_WORDS = re.compile(
    r"https?://\S+|/(?:static|media|admin)/\S+|\S+\.(?:jpe?g|webp|png|gif|avif)\b|\S*\*{4,}\S*"
    r"|hou-tai-wen-zhang"
)

# Every text a person meets on the page: rendered text (an icon font's glyph names left out,
# options of a visible list included), the page title, and the titles, placeholders, labels for
# screen readers and button captions of visible elements.
COLLECT_TEXT = """() => {
  const shown = (element) => element.checkVisibility({ visibilityProperty: true });
  const texts = [document.title];
  const walker = document.createTreeWalker(document.body, NodeFilter.SHOW_TEXT);
  while (walker.nextNode()) {
    const parent = walker.currentNode.parentElement;
    if (!parent || parent.closest(".material-icons, script, style, template")) continue;
    if (shown(parent.closest("select") || parent)) texts.push(walker.currentNode.textContent);
  }
  for (const element of document.querySelectorAll("[title], [placeholder], [aria-label], input[type=submit], input[type=button]")) {
    if (!shown(element)) continue;
    for (const name of ["title", "placeholder", "aria-label"]) {
      if (element.hasAttribute(name)) texts.push(element.getAttribute(name));
    }
    if (element.matches("input[type=submit], input[type=button]")) texts.push(element.value);
  }
  return texts.filter((text) => text.trim());
}"""


# A new paragraph at the end of the body, its words selected.
SELECT_NEW_WORDS = """(words) => {
  const editor = document.querySelector(".ProseMirror[contenteditable=true]").editor;
  editor.chain().focus("end").insertContent(`<p>${words}</p>`).run();
  const end = editor.state.selection.to;
  editor.chain().focus().setTextSelection({ from: end - words.length, to: end }).run();
}"""


@pytest.fixture
def newsroom():
    """A writer with a draft and a submitted article, an editor, the chief editor, and the
    library, categories and tags they use."""
    writer = make_staff("writer", WRITER_GROUP)
    Author.objects.filter(user=writer).update(name="李明")  # the byline the role gave
    editor = make_staff("editor", EDITOR_GROUP)
    chief = make_staff("chief", CHIEF_EDITOR_GROUP)
    flash = make_category_path("新媒体", "36kr", "快讯")
    picture = store_image(
        make_jpeg(1200, 800),
        name="fabuhui.jpg",
        title="发布会",
        alt_text="发布会现场",
        caption="发布会现场照片",
        credit="新闻编辑室",
    ).image
    body = "<h2>小标题</h2><p>第一段，<strong>加粗</strong>。</p><blockquote><p>引文</p></blockquote>"
    draft = make_article("草稿一篇", published=False, created_by=writer, categories=[flash], tags=["融资"], body=body)
    submitted = make_article(
        "待审一篇", published=False, created_by=writer, categories=[flash], tags=["快讯"], body=body
    )
    workflow.submit(submitted, by=writer)
    LegacyURL.objects.create(path="/2019/06/old-address/", article=draft)
    return {
        "writer": writer,
        "editor": editor,
        "chief": chief,
        "draft": draft,
        "submitted": submitted,
        "image": picture,
    }


def written_data():
    """What the test wrote that may hold ASCII letters: user names, addresses, file names, hashes."""
    values = set(Group.objects.values_list("name", flat=True))
    values |= set(Article.objects.values_list("slug", flat=True))
    values |= set(Category.objects.values_list("path", flat=True)) | set(
        Category.objects.values_list("slug", flat=True)
    )
    values |= set(Tag.objects.values_list("slug", flat=True))
    values |= set(LegacyURL.objects.values_list("path", flat=True))
    for image in Image.objects.all():
        values |= {image.file.name, image.file.name.rsplit("/", 1)[-1], image.sha256}
    return sorted((value for value in values if value), key=len, reverse=True)


def english_words(texts, data):
    found = set()
    for text in texts:
        for value in data:
            text = text.replace(value, " ")
        for word in ENGLISH_WORD.findall(NOT_WORDS.sub(" ", text)):
            if word.lower() not in ALLOWED_WORDS:
                found.add(word)
    return found


class Tour:
    """One person's walk through the admin; each stop is screenshotted and read."""

    def __init__(self, chromium, live_server, username):
        self.live_server = live_server
        self.username = username
        self.context, self.page = open_page(chromium, live_server, viewport={"width": 1280, "height": 1000})
        self.english = {}
        self.data = written_data()
        ARTIFACTS.mkdir(parents=True, exist_ok=True)

    def log_in(self):
        self.page.goto(self.live_server.url + "/admin/login/")
        self.read("login")
        self.page.fill("#id_username", self.username)
        self.page.fill("#id_password", STAFF_PASSWORD)
        self.page.click("input[type=submit]")
        self.page.wait_for_url(self.live_server.url + "/admin/")

    def visit(self, name, path):
        self.page.goto(self.live_server.url + path)
        self.page.wait_for_load_state("load")
        self.read(name)

    def read(self, name, full_page=True):
        self.page.screenshot(path=ARTIFACTS / f"chinese-{self.username}-{name}.png", full_page=full_page)
        words = english_words(self.page.evaluate(COLLECT_TEXT), self.data + [self.username])
        if words:
            self.english[name] = sorted(words)

    def open_editor_menus(self, name):
        """The body editor's style menu, link dialog and figure dialog (with the image picker)."""
        page = self.page
        # Words to link, selected through the editor's own commands (keys sent while the editor
        # still settles can land elsewhere on a busy machine).
        page.locator(".ProseMirror[contenteditable=true]").wait_for()
        page.evaluate(SELECT_NEW_WORDS, "链接文字")
        page.wait_for_function("() => window.getSelection().toString() === '链接文字'")

        page.locator(".prose-menubar__selected").click()
        page.locator(".prose-menubar__picker:popover-open").wait_for()
        self.read(f"{name}-styles", full_page=False)
        page.keyboard.press("Escape")

        page.locator("button[data-name=link]").click()
        page.locator("dialog[open] input[name=href]").wait_for()
        self.read(f"{name}-link-dialog", full_page=False)
        page.locator("dialog[open]").get_by_role("button", name="取消").click()
        page.locator("dialog[open]").wait_for(state="detached")

        page.locator("button[data-name=figure]").click()
        page.locator("dialog[open] .image-library-item").first.wait_for()
        self.read(f"{name}-figure-dialog", full_page=False)
        page.locator("dialog[open]").get_by_role("button", name="取消").click()
        page.locator("dialog[open]").wait_for(state="detached")

    def close(self):
        errors = self.page.errors
        self.context.close()
        return errors


def tour_articles_and_images(tour, newsroom, own_article):
    tour.log_in()
    tour.read("index")
    tour.visit("article-list", "/admin/articles/article/")
    tour.visit("article-add", "/admin/articles/article/add/")
    tour.open_editor_menus("article-add")
    tour.visit("article-change", f"/admin/articles/article/{own_article.pk}/change/")
    tour.open_editor_menus("article-change")
    tour.visit("image-list", "/admin/articles/image/")
    tour.visit("image-change", f"/admin/articles/image/{newsroom['image'].pk}/change/")


def test_the_writer_meets_no_english(chromium, live_server, newsroom):
    tour = Tour(chromium, live_server, "writer")
    tour_articles_and_images(tour, newsroom, newsroom["draft"])
    # An article under review: read-only, its body shown rendered.
    tour.visit("article-read-only", f"/admin/articles/article/{newsroom['submitted'].pk}/change/")
    assert tour.page.locator(".article-body-read-only h2", has_text="小标题").is_visible()
    tour.visit("password-change", "/admin/password_change/")
    assert tour.close() == []
    assert tour.english == {}, tour.english


def test_the_editor_meets_no_english(chromium, live_server, newsroom):
    tour = Tour(chromium, live_server, "editor")
    tour_articles_and_images(tour, newsroom, newsroom["submitted"])
    tour.visit("category-list", "/admin/articles/category/")
    tour.visit("legacy-url-list", "/admin/articles/legacyurl/")
    assert tour.close() == []
    assert tour.english == {}, tour.english


def test_the_chief_editor_meets_no_english_among_people_and_roles(chromium, live_server, newsroom):
    tour = Tour(chromium, live_server, "chief")
    tour.log_in()
    tour.read("index")
    tour.visit("user-list", "/admin/auth/user/")
    tour.visit("user-add", "/admin/auth/user/add/")
    tour.visit("user-change", f"/admin/auth/user/{newsroom['writer'].pk}/change/")
    tour.visit("user-password", f"/admin/auth/user/{newsroom['writer'].pk}/password/")
    tour.visit("group-change", f"/admin/auth/group/{Group.objects.get(name=WRITER_GROUP).pk}/change/")
    assert tour.close() == []
    assert tour.english == {}, tour.english


def test_the_editor_speaks_english_on_request(chromium, live_server, newsroom):
    context, page = open_page(chromium, live_server, locale="en-US", extra_http_headers={"Accept-Language": "en"})
    page.goto(live_server.url + "/admin/login/")
    page.fill("#id_username", "writer")
    page.fill("#id_password", STAFF_PASSWORD)
    page.click("input[type=submit]")
    page.wait_for_url(live_server.url + "/admin/")
    page.goto(live_server.url + "/admin/articles/article/add/")
    assert page.locator("button[data-name=bold]").get_attribute("title") == "Bold"
    assert page.locator("button[data-name=figure]").get_attribute("aria-label") == "Insert figure"
    page.locator("button[data-name=figure]").click()
    dialog = page.locator("dialog[open]")
    dialog.locator(".image-library-item").first.wait_for()
    assert dialog.get_by_text("Insert Figure").is_visible()
    assert (
        dialog.locator(".image-library-search").get_attribute("placeholder") == "Search by alt text, caption, source…"
    )
    page.screenshot(path=ARTIFACTS / "chinese-english-on-request.png")
    assert page.errors == []
    context.close()
