"""The rich-text editor offers only what the sanitizing policy keeps."""

import re

import pytest
from django.contrib.staticfiles import finders
from django_prose_editor.config import allowlist_from_extensions, expand_extensions

from articles.editor import TOOLBAR_EXTENSIONS, body_widget
from articles.sanitize import ALLOWED_PROTOCOLS, ALLOWED_TAGS, EXTERNAL_LINK_REL, VIDEO_PLAYERS, VIDEO_QUERY
from articles.tests.factories import make_article

# What the editor writes for each thing on its toolbar (ProseMirror's serialisation).
TOOLBAR_OUTPUT = {
    "marks": "<p><strong>粗体</strong><em>斜体</em><u>下划线</u><s>删除线</s>H<sub>2</sub>O x<sup>2</sup> <code>code()</code></p>",
    "headings": "<h2>二级标题</h2><h3>三级标题</h3><h4>四级标题</h4>",
    "bullet list": "<ul><li><p>第一项</p></li><li><p>第二项</p></li></ul>",
    "ordered list": '<ol start="3"><li><p>第三步</p></li></ol>',
    "quote": "<blockquote><p>引用的一段话。</p></blockquote>",
    "rule and break": "<p>上一行<br>下一行</p><hr>",
    "internal link": '<p><a href="/2025/01/01/xing-he/">站内链接</a></p>',
    "external link": '<p><a href="https://example.org/news" target="_blank">外部链接</a></p>',
    "mail link": '<p><a href="mailto:tips@example.com">来信</a></p>',
    "figure": '<figure><img src="/media/images/2025/01/chip.png" alt="芯片" width="640" height="360"><figcaption>晶圆厂</figcaption></figure>',
    "table": (
        '<table><tbody><tr><th colspan="1" rowspan="1"><p>指标</p></th></tr>'
        '<tr><td colspan="1" rowspan="1"><p>30%</p></td></tr></tbody></table>'
    ),
    "code block": "<pre><code>print(&quot;你好&quot;)\nx &lt; 1</code></pre>",
    # static/articles/admin/video-embed.js's renderHTML (the browser test checks the real output).
    "video": (
        '<iframe src="https://www.youtube-nocookie.com/embed/dQw4w9WgXcQ?start=30" width="640" height="360"'
        ' title="发布会" sandbox="allow-scripts allow-same-origin allow-presentation allow-popups"'
        ' allow="fullscreen; picture-in-picture" allowfullscreen="" loading="lazy"'
        ' referrerpolicy="strict-origin-when-cross-origin"></iframe>'
    ),
}
# Attributes the policy adds on purpose (see articles.sanitize); everything else must be as typed.
ADDED_BY_POLICY = re.compile(rf' (loading="lazy"|referrerpolicy="no-referrer"|rel="({EXTERNAL_LINK_REL}|noopener)")')


def test_every_tag_the_toolbar_can_make_is_allowed():
    allowlist = allowlist_from_extensions(expand_extensions(TOOLBAR_EXTENSIONS))
    # An iframe is kept for the policy's video players only (tests/test_sanitize.py).
    assert set(allowlist["tags"]) <= ALLOWED_TAGS | {"iframe"}
    assert set(allowlist["url_schemes"]) <= ALLOWED_PROTOCOLS


def test_the_video_button_knows_the_players_the_policy_keeps():
    assert TOOLBAR_EXTENSIONS["VideoEmbed"]["players"] == VIDEO_PLAYERS
    assert TOOLBAR_EXTENSIONS["VideoEmbed"]["query"] == VIDEO_QUERY


@pytest.mark.parametrize("html", TOOLBAR_OUTPUT.values(), ids=TOOLBAR_OUTPUT.keys())
def test_toolbar_formatting_survives_a_save_unchanged(html, db):
    article = make_article(body=html)
    article.refresh_from_db()
    assert ADDED_BY_POLICY.sub("", article.body) == ADDED_BY_POLICY.sub("", html)


def test_pasted_office_markup_is_reduced_to_the_policy(db):
    pasted = (
        '<p class="MsoNormal" style="mso-line-height-rule:exactly"><span lang="ZH-CN" '
        'style="font-family:宋体">正文<o:p></o:p></span></p><!--[if gte mso 9]><xml>x</xml><![endif]-->'
    )
    assert make_article(body=pasted).body == "<p>正文</p>"


def test_the_editor_is_served_from_our_own_static_files():
    widget = body_widget()
    html = str(widget.media)
    assert "django_prose_editor/editor.js" in html
    assert "//cdn" not in html and "https://" not in html
    for asset in (
        "django_prose_editor/editor.js",
        "django_prose_editor/configurable.js",
        "django_prose_editor/editor.css",
    ):
        assert finders.find(asset), asset


# --- The count under the editor -----------------------------------------------------------------


def test_the_textarea_carries_the_public_pages_reading_rule():
    import json
    import math
    from html import unescape

    from articles.text import plain_text, reading_minutes, reading_rule

    html = body_widget().render("body", "<p>正文</p>")
    rule = json.loads(unescape(re.search(r'data-reading-rule="([^"]*)"', html).group(1)))
    assert rule == reading_rule()
    # The data is the rule itself: applied as the editor applies it, it gives the page's minutes.
    for body in ["<p>" + "芯" * 401 + "</p>", "<p>" + "word " * 201 + "</p>", "<p>芯片 chip's AI-3.5 模型</p>", ""]:
        text = plain_text(body)
        minutes = len(re.findall(rule["hanzi"], text)) / rule["hanziPerMinute"]
        minutes += len(re.findall(rule["latinWord"], text)) / rule["latinWordsPerMinute"]
        assert max(1, math.ceil(minutes)) == reading_minutes(body), body


def test_the_count_script_and_its_sentence_come_with_the_editor():
    widget = body_widget()
    assert "articles/admin/body-stats.js" in str(widget.media)
    html = widget.render("body", "")
    assert 'data-body-stats-text="字数 %(count)s' in html
    for asset in (
        "articles/admin/body-stats.js",
        "articles/admin/article-text.js",
        "articles/admin/video-embed.js",
        "articles/admin/article-editor.css",
    ):
        assert finders.find(asset), asset
