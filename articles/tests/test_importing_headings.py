"""Body headings move under the page's title (articles.importing.headings), never dropped."""

import re

import pytest

from articles.importing.body import render_body
from articles.importing.headings import shift_headings
from articles.sanitize import clean_html


@pytest.mark.parametrize(
    ("text", "levels"),
    [
        ("# 一\n\n## 二\n\n### 三", [2, 3, 4]),
        ("## 二\n\n### 三", [2, 3]),
        ("### 三\n\n#### 四", [2, 3]),
        ("# 一\n\n###### 六", [2, 6]),
        ("# 一\n\n##### 五\n\n###### 六", [2, 6, 6]),
        ("标题\n===\n\n小节\n---", [2, 3]),
    ],
    ids=["h1-to-h3", "from-h2-unchanged", "from-h3-moves-up", "h6-stays", "deepest-caps-at-h6", "setext"],
)
def test_markdown_headings_keep_their_hierarchy_under_the_title(text, levels):
    out = clean_html(render_body(text, body_format="markdown").html, internal_hosts=())
    found = [int(level) for level in re.findall(r"<h([1-6])>", out)]
    assert found == levels
    assert "<h1" not in out


def test_a_heading_is_never_dropped_to_text():
    out = clean_html(render_body("# 概述\n\n正文", body_format="markdown").html, internal_hosts=())
    assert out == "<h2>概述</h2>\n<p>正文</p>"


def test_html_bodies_move_too_with_their_attributes():
    body = '<div><H1 class="t">一</H1><h2 id="x">二</h2><p>正文</p></div>'
    assert render_body(body, body_format="html").html == '<div><h2 class="t">一</h2><h3 id="x">二</h3><p>正文</p></div>'


def test_the_excerpt_moves_with_the_body():
    result = render_body("# 导语\n\n<!-- more -->\n\n## 正文", body_format="markdown")
    assert result.excerpt_html == "<h2>导语</h2>"
    assert "<h3>正文</h3>" in result.html


@pytest.mark.parametrize(
    "html",
    [
        "<!-- <h1>注释</h1> --><h2>x</h2>",
        "<script>var s = '<h1>';</script><h2>x</h2>",
        "<p>&lt;h1&gt; 是标题标签</p><h2>x</h2>",
        "<p>没有标题</p>",
        "<hr><header>页眉</header><h2>x</h2>",
    ],
)
def test_text_that_only_looks_like_a_heading_is_left_alone(html):
    assert shift_headings(html) == html


def test_code_that_mentions_headings_is_not_touched():
    out = render_body("# 一\n\n```html\n<h1>示例</h1>\n```", body_format="markdown").html
    assert "&lt;h1&gt;示例&lt;/h1&gt;" in out and out.startswith("<h2>一</h2>")
