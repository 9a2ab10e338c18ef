"""The Content-Security-Policy as real headless Chromium applies it: the reading site and the
admin (the rich-text editor included) load with no violation, and a script smuggled into a
stored body past the sanitizer does not run.
"""

import pytest
from django.contrib.auth.models import User
from django.db import connection
from django.urls import reverse

from articles.caching import bump_content_version
from articles.images.library import store_image
from articles.tests.browsing import BROWSER_TEST, PASSWORD, open_page
from articles.tests.factories import make_article
from articles.tests.pictures import make_jpeg

pytestmark = BROWSER_TEST

REMOTE_IMAGE = "https://img.example.com/newsroom/2024/hotlinked.jpg"
# Every violation, whether Chromium reports it in the console or as a DOM event.
COLLECT_VIOLATIONS = """
window.__csp = [];
document.addEventListener("securitypolicyviolation", (event) => {
  window.__csp.push(event.violatedDirective + " " + (event.blockedURI || "inline"));
});
"""


def csp_page(chromium, live_server):
    """A page that records CSP violations in `page.violations` (console and DOM events)."""
    context, page = open_page(chromium, live_server)
    page.add_init_script(COLLECT_VIOLATIONS)
    page.console_violations = []

    def on_console(message):
        if "Content Security Policy" in message.text or "Refused to" in message.text:
            page.console_violations.append(message.text)

    page.on("console", on_console)
    return context, page


def violations(page):
    return page.console_violations + page.evaluate("window.__csp")


@pytest.fixture
def article_with_images():
    hero = store_image(make_jpeg(1200, 675), name="hero.jpg", alt_text="发布会现场").image
    body = (
        f'<p>正文开头，搜索词安全策略。</p><figure><img src="{hero.file.url}"></figure>'
        f'<p><img src="{REMOTE_IMAGE}" alt="旧文章的外链图片"></p>'
    )
    return make_article("内容安全策略的文章", hero_image=hero, body=body, tags=["安全"])


def test_reading_pages_load_without_a_policy_violation(chromium, live_server, article_with_images):
    context, page = csp_page(chromium, live_server)
    try:
        for path in (article_with_images.get_absolute_url(), "/", "/search/?q=安全策略"):
            response = page.goto(live_server.url + path)
            assert "script-src 'self'" in response.headers["content-security-policy"], path
            page.wait_for_load_state("load")
            assert violations(page) == [], path
        assert page.errors == []
    finally:
        context.close()


def test_admin_list_and_editor_load_without_a_policy_violation(chromium, live_server, article_with_images):
    User.objects.create_superuser("chief", password=PASSWORD)
    context, page = csp_page(chromium, live_server)
    try:
        page.goto(live_server.url + "/admin/login/")
        page.fill("#id_username", "chief")
        page.fill("#id_password", PASSWORD)
        page.click("input[type=submit]")
        page.wait_for_url(live_server.url + "/admin/")
        assert violations(page) == []

        page.goto(live_server.url + "/admin/articles/article/")
        page.wait_for_load_state("load")
        assert violations(page) == []

        page.goto(live_server.url + f"/admin/articles/article/{article_with_images.pk}/change/")
        editor = page.locator(".ProseMirror[contenteditable=true]")
        editor.wait_for()  # the editor's module scripts ran under the policy
        editor.click()
        page.keyboard.press("End")
        page.keyboard.type("在编辑器里加一句。")
        assert violations(page) == []

        for name, args in [
            ("admin:articles_image_changelist", []),
            ("admin:articles_image_upload", []),
            ("admin:articles_article_compare", [article_with_images.pk]),
        ]:
            page.goto(live_server.url + reverse(name, args=args))
            page.wait_for_load_state("load")
            assert violations(page) == [], name
        assert page.errors == []
    finally:
        context.close()


def test_a_script_stored_past_the_sanitizer_does_not_run(chromium, live_server):
    article = make_article("被注入脚本的文章")
    injected = (
        "<p>正文</p><script>window.__pwned = true; document.title = 'pwned';</script>"
        '<img src="x.png" onerror="window.__pwned = true">'
    )
    # On purpose around save(), which would sanitize the body.
    with connection.cursor() as cursor:
        cursor.execute("UPDATE articles_article SET body=%s WHERE id=%s", [injected, article.pk])
    bump_content_version()

    context, page = csp_page(chromium, live_server)
    try:
        page.goto(live_server.url + article.get_absolute_url())
        page.wait_for_load_state("load")
        assert "window.__pwned" in page.content()  # the script is in the page …
        assert page.evaluate("window.__pwned === undefined")  # … and did not run
        assert page.title() != "pwned"
        reported = violations(page)
        assert any("script-src" in violation for violation in reported), reported
    finally:
        context.close()
