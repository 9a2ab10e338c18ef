"""Code highlighted on the server (articles.highlighting), on every way a body is stored."""

import html
import re

import pytest
from django.core.management import call_command

from articles import highlighting
from articles.bodies import clean_body
from articles.highlighting import STYLE_SHEET_END, STYLE_SHEET_START, highlight_code_blocks, style_sheet
from articles.models import Article
from articles.sanitize import HIGHLIGHT_CLASSES, clean_html
from articles.tests.factories import make_article

PYTHON = '<pre><code class="language-python">def f(a):\n    return a &lt; 2 and "x" # 注释\n</code></pre>'


def code_text(block_html):
    """The text a reader sees in a code block: tags gone, entities decoded."""
    return html.unescape(re.sub(r"<[^>]+>", "", block_html))


def test_a_known_language_is_highlighted_with_the_policys_classes():
    out = clean_body(PYTHON)
    classes = re.findall(r'<span class="([^"]+)">', out)
    assert {"k", "nf", "c1"} <= set(classes)
    assert set(classes) <= HIGHLIGHT_CLASSES
    assert '<span class="k">def</span>' in out and '<span class="c1"># 注释</span>' in out


def test_the_code_reads_exactly_as_before():
    assert code_text(clean_body(PYTHON)) == code_text(PYTHON)


@pytest.mark.parametrize(
    "code",
    [
        "a &lt; b &amp;&amp; c &gt; d",
        "printf(\"%d\\n\", x); // 'quote'",
        "x\u00a0=\u00a01  # non-breaking spaces",
        "s = '&amp;lt;' + \"&amp;nbsp;\"",
        "\n\n  leading and trailing blank lines  \n\n",
        "\tindented\twith tabs",
        "emoji = '😀'  # 中文",
    ],
)
def test_highlighted_markup_is_what_the_policy_would_write(code):
    block = f'<pre><code class="language-python">{code}</code></pre>'
    once = clean_body(block)
    assert "<span" in once
    assert clean_html(str(once)) == once  # the policy changes nothing in it
    assert clean_body(str(once)) == once  # and highlighting again changes nothing
    assert code_text(once) == code_text(clean_html(block))


def test_mixed_case_language_names_are_lowered_and_highlighted():
    out = clean_body('<pre><code class="language-Groovy">def x = "y"</code></pre>')
    assert out.startswith('<pre><code class="language-groovy"><span class="kt">def</span>')


def test_an_alias_pygments_lacks_is_highlighted_under_its_own_class():
    out = clean_body('<pre><code class="language-viml">set nocompatible</code></pre>')
    assert out.startswith('<pre><code class="language-viml"><span')


@pytest.mark.parametrize(
    "block",
    [
        '<pre><code class="language-mermaid">graph TD; A--&gt;B</code></pre>',
        '<pre><code class="language-text">plain text</code></pre>',
        "<pre><code>no language</code></pre>",
        '<p><code class="language-python">def inline(): pass</code></p>',
        '<pre><code class="language-python">x = <strong>1</strong> <a href="/a">link</a></code></pre>',
    ],
    ids=["unknown-language", "text", "no-language", "inline-code", "author-markup"],
)
def test_blocks_it_cannot_or_should_not_highlight_are_left_as_they_are(block):
    once = clean_html(block)
    assert highlight_code_blocks(once) == once


def test_a_very_long_block_is_left_plain(monkeypatch):
    monkeypatch.setattr(highlighting, "MAX_HIGHLIGHTED_CHARACTERS", 10)
    assert clean_body(PYTHON) == clean_html(PYTHON)


@pytest.mark.django_db
def test_code_written_in_the_editor_is_highlighted_when_saved():
    # The prose editor's code block: <pre><code class="language-…">, text only.
    article = make_article(body='<pre><code class="language-js">const a = 1;</code></pre>')
    stored = Article.objects.get(pk=article.pk).body
    assert '<span class="kd">const</span>' in stored
    article.body = stored  # saved again as read back: unchanged
    article.save()
    assert Article.objects.get(pk=article.pk).body == stored


@pytest.mark.django_db
def test_bulk_writes_highlight_too():
    article = make_article()
    Article.objects.filter(pk=article.pk).update(body='<pre><code class="language-python">pass</code></pre>')
    assert '<span class="k">pass</span>' in Article.objects.get(pk=article.pk).body


def test_the_site_stylesheet_holds_the_current_colours():
    from django.conf import settings

    css = (settings.BASE_DIR / "static" / "css" / "site.css").read_text(encoding="utf-8")
    start, end = css.index(STYLE_SHEET_START), css.index(STYLE_SHEET_END) + len(STYLE_SHEET_END)
    assert css[start:end] == style_sheet()


def test_colours_cover_the_token_classes_light_and_dark_without_inline_styles():
    css = style_sheet()
    light, dark = css.split("@media (prefers-color-scheme: dark) {")
    assert ".article-body pre .k {" in light and ".article-body pre .k {" in dark
    assert ".article-body pre { background:" in dark
    assert " .err " not in css


def test_the_command_writes_the_section_into_a_stylesheet(tmp_path, monkeypatch):
    from articles.management.commands import pygments_css

    sheet = tmp_path / "site.css"
    sheet.write_text(f"body {{}}\n{STYLE_SHEET_START}\nold\n{STYLE_SHEET_END}\n.after {{}}\n", encoding="utf-8")
    monkeypatch.setattr(pygments_css, "SITE_CSS", sheet)
    call_command("pygments_css", "--write", stdout=open("/dev/null", "w"))
    assert sheet.read_text(encoding="utf-8") == f"body {{}}\n{style_sheet()}\n.after {{}}\n"
