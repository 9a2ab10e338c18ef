r"""The Markdown extensions the generators enable by default, through the importer's renderer and
the body policy: footnotes, task lists, definition lists, strikethrough, table alignment, math.

Pure functions; no database. Math is checked by the TeX a reader's KaTeX would get: the text of
the math element without its `\(…\)` / `\[…\]` delimiters, which must be the source's, byte for
byte, whatever Markdown would otherwise have done with its backslashes, stars and underscores.
"""

import pytest
from bleach._vendor import html5lib

from articles.bodies import body_has_math, clean_body
from articles.importing.body import render_body
from articles.sanitize import clean_html

_XHTML = "{http://www.w3.org/1999/xhtml}"


def md(text):
    return render_body(text, body_format="markdown").html


def stored(text):
    """What the article would store: rendered, then the policy (internal hosts: none)."""
    return clean_html(md(text), internal_hosts=())


def math_of(html):
    """(display?, TeX) of each math element, as render-math.js reads them."""
    found = []
    for element in html5lib.parseFragment(html, treebuilder="etree").iter():
        classes = (element.get("class") or "").split()
        if isinstance(element.tag, str) and "math" in classes:
            text = "".join(element.itertext())
            display = "display" in classes
            assert text[:2] == ("\\[" if display else "\\(") and text[-2:] == ("\\]" if display else "\\)")
            found.append((display, text[2:-2]))
    return found


class TestMath:
    @pytest.mark.parametrize(
        "tex",
        [
            r"a_1 * b_2",
            r"\{x\}",
            r"a\\b",
            r"x_{i}^{2} * y_{j}",
            r"\left(\frac{a}{b}\right)",
            r"a<b \land c>d \& e",
            r"\text{**not bold**}",
            r"[x](y)",
            r"f(x)=\\\\g(x)",
        ],
    )
    def test_inline_tex_is_stored_exactly_as_written(self, tex):
        out = stored(f"设 ${tex}$，则成立。")
        assert math_of(out) == [(False, tex)]

    def test_display_block_keeps_its_lines(self):
        tex = "\n\\begin{aligned}\nF_i &= F_{i-1} * 2 \\\\\\\\\n  &= x_1\n\\end{aligned}\n"
        out = stored(f"转移方程：\n\n$${tex}$$\n\n然后。")
        assert math_of(out) == [(True, tex)]
        assert '<div class="math display">' in out

    def test_display_block_right_after_a_line_of_text(self):
        out = stored("由公式得：\n$$\nE = mc^2\n$$\n即。")
        assert math_of(out) == [(True, "\nE = mc^2\n")]
        assert "由公式得" in out and "即。" in out

    def test_double_dollars_inside_a_paragraph_are_display_math(self):
        assert math_of(stored("前 $$\\sum_i x_i$$ 后")) == [(True, "\\sum_i x_i")]

    def test_doubled_backslash_brackets_are_math(self):
        # What KaTeX found on the old pages: Markdown had turned `\\(` into `\(`.
        out = stored("行内 \\\\(a_1 * b_2\\\\) 与显示 \\\\[x^2\\\\]。\n\n\\\\[\n\\int_0^1 x\\,dx\n\\\\]")
        assert math_of(out) == [(False, "a_1 * b_2"), (True, "x^2"), (True, "\n\\int_0^1 x\\,dx\n")]

    @pytest.mark.parametrize(
        ("text", "shown"),
        [
            ("Copy \\[Link Content\\](URL)", "Copy [Link Content](URL)"),
            ("- \\[S\\]: 用于签名", "[S]: 用于签名"),
            ("萌娃\\(笑\\)", "萌娃(笑)"),
        ],
    )
    def test_single_backslash_brackets_are_escapes_as_in_every_generator(self, text, shown):
        out = stored(text)
        assert math_of(out) == []
        assert shown in "".join(html5lib.parseFragment(out, treebuilder="etree").itertext())

    @pytest.mark.parametrize(
        "text",
        [
            "售价 $5，优惠后 $3。",
            "from $5 to $10",
            "价格 $5/$10 两档",
            "变量 `$HOME` 与 `$PATH`",
            "用 `$` 包围（两个$）如`$`",
            "地址 https://cdn.example/${cdnjs_name}/${version}/${file}",
            "转义 \\$x\\$ 不是公式",
            "$ 空格开头$",
            "$结尾空格 $",
            "```\n$a_1$\n```",
        ],
    )
    def test_dollars_that_are_not_math_stay_text(self, text):
        assert math_of(stored(text)) == []

    def test_math_in_headings_lists_and_tables(self):
        out = stored("## 关于 $O(n)$\n\n- 项 $a_i$\n\n| 式 |\n|---|\n| $b_j$ |")
        assert [tex for _, tex in math_of(out)] == ["O(n)", "a_i", "b_j"]

    def test_a_body_with_math_says_so_and_others_do_not(self):
        assert body_has_math(clean_body(md("设 $x$。")))
        assert body_has_math(clean_body(md("$$\nx\n$$")))
        assert not body_has_math(clean_body(md("价格 $5 与 `$x$`")))


class TestFootnotes:
    TEXT = "正文[^a]，再引[^b]，又见[^a]。\n\n[^a]: 第一条 **注释**\n[^b]: 第二条\n    续行"

    def test_references_and_notes_keep_their_ids_through_the_policy(self):
        out = stored(self.TEXT)
        assert '<sup class="footnote-ref">' not in out  # the class goes, the link stays
        assert '<a href="#fn1" id="fnref1">[1]</a>' in out
        assert '<a href="#fn2" id="fnref2">[2]</a>' in out
        assert '<a href="#fn1" id="fnref1:1">[1]</a>' in out  # a second reference: the same number
        assert '<ol class="footnotes">' in out
        assert '<li id="fn1"><p>第一条 <strong>注释</strong> <a href="#fnref1">' in out
        assert '<a href="#fnref1:1">' in out and '<li id="fn2">' in out

    def test_inline_footnote(self):
        out = stored("正文^[行内注释]。")
        assert '<a href="#fn1" id="fnref1">[1]</a>' in out and '<li id="fn1"><p>行内注释' in out


class TestListsAndText:
    def test_task_list_items_are_marked_with_ballot_boxes(self):
        out = stored("- [ ] 待办\n- [x] 完成\n- [X] 也完成\n- 普通")
        assert (
            out == '<ul class="task-list">\n<li>☐ 待办</li>\n<li>☑ 完成</li>\n<li>☑ 也完成</li>\n<li>普通</li>\n</ul>'
        )

    def test_a_list_without_tasks_has_no_class(self):
        assert stored("- a\n- b") == "<ul>\n<li>a</li>\n<li>b</li>\n</ul>"

    def test_definition_list(self):
        assert stored("术语\n: 定义一\n: 定义二") == "<dl>\n<dt>术语</dt>\n<dd>定义一</dd>\n<dd>定义二</dd>\n</dl>"

    def test_strikethrough_survives_the_policy(self):
        assert stored("~~旧~~新") == "<p><s>旧</s>新</p>"


class TestCodeLanguage:
    @pytest.mark.parametrize(
        ("fence", "language"), [("python", "python"), ("DIFF", "diff"), ("Bash", "bash"), ("c++", "c++")]
    )
    def test_a_fence_keeps_its_language_in_lower_case(self, fence, language):
        out = clean_body(md(f"```{fence}\nx = 1\n```"))
        assert f'<pre><code class="language-{language}">' in out

    def test_unknown_language_is_kept_without_highlighting(self):
        out = clean_body(md("```mermaid\ngraph TD; A-->B\n```"))
        assert out == '<pre><code class="language-mermaid">graph TD; A--&gt;B\n</code></pre>'
