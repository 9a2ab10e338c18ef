"""Math on article pages: KaTeX from our own static files, loaded only where a body has math,
typeset in real Chromium under the strict Content-Security-Policy; and code highlighting's
colours on the page."""

import re
from pathlib import Path

import pytest
from django.conf import settings

from articles.importing.body import render_body
from articles.tests.browsing import ARTIFACTS, browser_test
from articles.tests.factories import make_article
from articles.tests.test_browser_csp import csp_page, violations

KATEX = Path(settings.BASE_DIR) / "static" / "vendor" / "katex"
MATH_BODY = render_body(
    "质能方程 $E = mc^2$，且 $a_1 * b_2 < c$。\n\n$$\n\\sum_{i=1}^n i = \\frac{n(n+1)}{2}\n$$\n\n"
    "```python\ndef f(x):\n    return x ** 2  # 平方\n```",
    body_format="markdown",
).html


def math_assets(page_html):
    return re.findall(r'(?:href|src)="[^"]*(katex\.min\.css|katex\.min\.js|render-math\.js)"', page_html)


@pytest.mark.django_db
def test_a_page_with_math_loads_katex_from_our_static_files(client):
    article = make_article("数学", body=MATH_BODY)
    page = client.get(article.get_absolute_url()).content.decode()
    assert math_assets(page) == ["katex.min.css", "katex.min.js", "render-math.js"]
    assert re.search(r'<script defer src="/static/vendor/katex/katex\.min\.js', page)
    assert re.search(r'<script type="module" src="/static/articles/render-math\.js', page)
    assert "cdn" not in " ".join(re.findall(r'(?:href|src)="([^"]*katex[^"]*)"', page))


@pytest.mark.django_db
def test_a_page_without_math_loads_no_katex(client):
    article = make_article("没有公式", body="<p>价格 $5 与 $10。</p><pre><code>$x$</code></pre>")
    assert math_assets(client.get(article.get_absolute_url()).content.decode()) == []


def test_katex_ships_whole_with_its_licence():
    css = (KATEX / "katex.min.css").read_text(encoding="utf-8")
    fonts = set(re.findall(r"url\((fonts/[^)]+)\)", css))
    assert fonts and all((KATEX / font).is_file() for font in fonts)  # the manifest storage needs them all
    assert (KATEX / "katex.min.js").is_file()
    assert "MIT License" in (KATEX / "LICENSE").read_text(encoding="utf-8")


@browser_test
def test_math_is_typeset_and_code_coloured_without_a_policy_violation(chromium, live_server):
    article = make_article("公式与代码", body=MATH_BODY)
    context, page = csp_page(chromium, live_server)
    try:
        page.goto(live_server.url + article.get_absolute_url())
        page.wait_for_selector(".article-body .math .katex")
        assert page.locator(".article-body .math.inline .katex").count() == 2
        assert page.locator(".article-body .math.display .katex-display").count() == 1
        # KaTeX keeps the TeX it typeset in its MathML annotation: the one the author wrote.
        annotations = page.locator(".article-body annotation").all_text_contents()
        assert annotations[:2] == ["E = mc^2", "a_1 * b_2 < c"]
        colour = "e => getComputedStyle(e).color"
        keyword = page.locator(".article-body pre .k").first
        assert keyword.evaluate(colour) != page.locator(".article-body pre").evaluate(colour)
        ARTIFACTS.mkdir(parents=True, exist_ok=True)
        page.screenshot(path=str(ARTIFACTS / "article-math-and-code.png"), full_page=True)
        # A reader whose system is dark gets the dark colours for code.
        page.emulate_media(color_scheme="dark")
        background = "e => getComputedStyle(e).backgroundColor"
        assert page.locator(".article-body pre").evaluate(background) == "rgb(13, 17, 23)"
        page.screenshot(path=str(ARTIFACTS / "article-code-dark.png"), full_page=True)
        assert violations(page) == [] and page.errors == [] and page.external_requests == []
    finally:
        context.close()


EXTRAS_BODY = render_body(
    "# 概述\n\n正文有注释[^1]。\n\n| 项目 | 数量 | 说明 |\n|:--|--:|:-:|\n| 苹果 | 3 | 红 |\n| 香蕉 | 12 | 黄 |\n\n"
    "- [x] 已完成\n- [ ] 待办\n\n术语\n: 它的定义\n\n~~旧价~~ 新价\n\n"
    '<iframe src="https://music.163.com/outchain/player?type=2&id=1&auto=0&height=66" width="330" height="86"></iframe>\n\n'
    "[^1]: 注释的内容。",
    body_format="markdown",
).html


@browser_test
def test_tables_task_lists_and_footnotes_look_as_written(chromium, live_server):
    article = make_article("表格与注释", body=EXTRAS_BODY)
    context, page = csp_page(chromium, live_server)
    try:
        page.goto(live_server.url + article.get_absolute_url())
        style = "(e, name) => getComputedStyle(e)[name]"
        assert page.locator(".article-body td.align-right").first.evaluate(style, "textAlign") == "right"
        assert page.locator(".article-body th.align-center").first.evaluate(style, "textAlign") == "center"
        assert page.locator(".article-body ul.task-list").evaluate(style, "listStyleType") == "none"
        assert page.locator(".article-body iframe").evaluate("e => e.getBoundingClientRect().height") < 120
        page.click(".article-body sup a")
        assert page.evaluate("location.hash") == "#fn1"
        ARTIFACTS.mkdir(parents=True, exist_ok=True)
        page.screenshot(path=str(ARTIFACTS / "article-tables-lists-footnotes.png"), full_page=True)
        assert violations(page) == [] and page.errors == []
    finally:
        context.close()
