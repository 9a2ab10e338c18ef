r"""The Markdown extensions Hexo (marked), Jekyll (kramdown) and Hugo (goldmark) turn on by default,
added to the importer's markdown-it: footnotes, task lists, definition lists, table column
alignment and math. (Tables and strikethrough are markdown-it's own.)

What they write stays inside the body policy (articles.sanitize): footnotes carry `fn1`/`fnref1`
ids, a table cell its `align-*` class, a task list `class="task-list"`, and math
`<span class="math inline">\(…\)</span>` or `<div class="math display">\[…\]</div>`, which
KaTeX renders in the reader's browser (static/articles/render-math.js).

Math is recognised by the parser itself, as a token, before any Markdown escape or emphasis
applies, so the TeX is stored exactly as the author wrote it: `$a_1 * b_2$` keeps its `_` and
`*`, `$\{x\}$` and `$a\\b$` their backslashes. `$…$` follows Pandoc's rule (no space inside the
dollars, no digit before the opening one or after the closing one), so prices such as "$5 and
$10" stay text; `$$…$$` is math wherever it is, and so are `\\(…\\)` and `\\[…\\]` (see
BRACKET_OPENERS for why the backslash is doubled).

Task lists become ☐/☑ text rather than checkboxes: a disabled form control in an article says
nothing more to a reader, is dropped by feed readers, and would be the only form element the
policy allows; the characters survive feeds, search and copying.
"""

import re

from markdown_it.common.utils import escapeHtml
from markdown_it.token import Token
from mdit_py_plugins.deflist import deflist_plugin
from mdit_py_plugins.dollarmath import dollarmath_plugin
from mdit_py_plugins.dollarmath.index import math_block_dollar
from mdit_py_plugins.footnote import footnote_plugin
from mdit_py_plugins.tasklists import tasklists_plugin

UNCHECKED_TASK = "☐"
CHECKED_TASK = "☑"

# Blocks that a `$$` or `\[` line may interrupt, as a fence may.
_INTERRUPTS = ["paragraph", "reference", "blockquote", "list"]


def use_extensions(md):
    """Add the extensions to `md` (a MarkdownIt) and return it."""
    md.use(footnote_plugin)
    md.use(deflist_plugin)
    md.use(tasklists_plugin)
    md.core.ruler.after("github-tasklists", "task_list_text", _task_lists_as_text)
    md.core.ruler.push("table_alignment_classes", _alignment_classes)
    _use_math(md)
    for name, rule in _FOOTNOTE_RULES.items():
        md.add_render_rule(name, rule)
    return md


# --------------------------------------------------------------------------- math


def _use_math(md):
    dollarmath_plugin(md, allow_labels=False, allow_blank_lines=False)
    md.inline.ruler.at("math_inline", _dollar_math_inline)
    # `$$` on its own line starts display math even right after a paragraph's line, as it did
    # for KaTeX's auto-render on the old pages.
    md.block.ruler.at(
        "math_block",
        _silent_safe(math_block_dollar(allow_labels=False, label_normalizer=None, allow_blank_lines=False)),
        {"alt": _INTERRUPTS},
    )
    md.inline.ruler.before("escape", "math_inline_bracket", _bracket_math_inline)
    md.block.ruler.before("fence", "math_block_bracket", _bracket_math_block, {"alt": _INTERRUPTS})
    md.add_render_rule("math_inline", _render_inline_math)
    md.add_render_rule("math_inline_double", _render_display_math_inline)
    md.add_render_rule("math_block", _render_display_math)


def _silent_safe(block_rule):
    """`block_rule` that only answers in silent mode (as a paragraph asks whether a line ends
    it); dollarmath's block rule would push its token even then."""

    def rule(state, start_line, end_line, silent):
        if not silent:
            return block_rule(state, start_line, end_line, False)
        tokens, line = len(state.tokens), state.line
        found = block_rule(state, start_line, end_line, False)
        del state.tokens[tokens:]
        state.line = line
        return found

    return rule


def _render_inline_math(self, tokens, idx, options, env):
    return f'<span class="math inline">\\({escapeHtml(tokens[idx].content)}\\)</span>'


def _render_display_math_inline(self, tokens, idx, options, env):
    # Display math inside a paragraph: a span, since a paragraph cannot hold a <div>.
    return f'<span class="math display">\\[{escapeHtml(tokens[idx].content)}\\]</span>'


def _render_display_math(self, tokens, idx, options, env):
    return f'<div class="math display">\\[{escapeHtml(tokens[idx].content)}\\]</div>\n'


# In Markdown a single `\(` or `\[` is an escaped parenthesis or bracket (`\[S\]` shows "[S]"),
# in marked, kramdown and goldmark alike; the math delimiters KaTeX or MathJax found on the old
# pages came from a doubled backslash, `\\(x\\)` in the source. Those are math here.
BRACKET_OPENERS = {"\\\\(": "\\\\)", "\\\\[": "\\\\]"}
# `${name}`: a shell or JavaScript template variable in prose, not math.
_TEMPLATE_VARIABLE = re.compile(r"\{[A-Za-z_][A-Za-z0-9_.]+\}")


def _escaped(src, pos):
    """Whether the character at `pos` follows an odd number of backslashes."""
    backslashes = 0
    while pos - backslashes > 0 and src[pos - backslashes - 1] == "\\":
        backslashes += 1
    return backslashes % 2 == 1


def _dollar_math_inline(state, silent):
    """`$…$` (inline) and `$$…$$` (display) inside a paragraph.

    Pandoc's rule for `$`: no space after the opening dollar or before the closing one, and no
    digit before the opening or after the closing one. A candidate holding a backtick is refused:
    the dollar then belongs to a code span, which KaTeX's auto-render never looked into.
    """
    src, start, maximum = state.src, state.pos, state.posMax
    if src[start] != "$" or _escaped(src, start):
        return False
    double = src.startswith("$$", start)
    first = start + (2 if double else 1)
    if first >= maximum:
        return False
    if not double and (src[first].isspace() or (start > 0 and src[start - 1].isdigit())):
        return False
    end = first
    while True:
        end = src.find("$$" if double else "$", end, maximum)
        if end < 0:
            return False
        if not _escaped(src, end):
            break
        end += 1
    content = src[first:end]
    after = end + (2 if double else 1)
    if not content or "`" in content:
        return False
    if not double and (
        content[-1].isspace() or (after < maximum and src[after].isdigit()) or _TEMPLATE_VARIABLE.match(content)
    ):
        return False
    if not silent:
        token = state.push("math_inline_double" if double else "math_inline", "math", 0)
        token.content = content
        token.markup = "$$" if double else "$"
    state.pos = after
    return True


def _bracket_math_inline(state, silent):
    """`\\\\(…\\\\)` (inline) and `\\\\[…\\\\]` (display) inside a paragraph: see BRACKET_OPENERS."""
    src, pos = state.src, state.pos
    closer = BRACKET_OPENERS.get(src[pos : pos + 3])
    if closer is None or _escaped(src, pos):
        return False
    end = src.find(closer, pos + 3, state.posMax)
    if end <= pos + 3 or "`" in src[pos + 3 : end]:
        return False
    if not silent:
        display = closer.endswith("]")
        token = state.push("math_inline_double" if display else "math_inline", "math", 0)
        token.content = src[pos + 3 : end]
        token.markup = src[pos : pos + 3]
    state.pos = end + 3
    return True


def _bracket_math_block(state, start_line, end_line, silent):
    """`\\\\[` … `\\\\]` as a block of its own lines (no blank line inside, as TeX requires)."""
    if state.sCount[start_line] - state.blkIndent >= 4:
        return False
    begin = state.bMarks[start_line] + state.tShift[start_line]
    first = state.src[begin : state.eMarks[start_line]]
    if not first.startswith("\\\\["):
        return False
    line = start_line
    text = first[3:]
    while not text.rstrip().endswith("\\\\]"):
        line += 1
        if line >= end_line:
            return False
        line_text = state.src[state.bMarks[line] + state.tShift[line] : state.eMarks[line]]
        if not line_text.strip():
            return False
        text += "\n" + line_text
    if silent:
        return True
    token = state.push("math_block", "math", 0)
    token.block = True
    token.content = text.rstrip()[:-3]
    token.markup = "\\\\["
    token.map = [start_line, line + 1]
    state.line = line + 1
    return True


# --------------------------------------------------------------------------- task lists


def _task_lists_as_text(state):
    """The task list plugin's checkboxes become ☐/☑ (see the module docstring)."""
    tokens = state.tokens
    for token in tokens:
        if token.type == "list_item_open" and token.attrGet("class"):
            token.attrs.pop("class", None)
        elif token.type in ("bullet_list_open", "ordered_list_open") and token.attrGet("class"):
            token.attrSet("class", "task-list")
        elif token.type == "inline" and token.children:
            first = token.children[0]
            if first.type == "html_inline" and first.content.startswith('<input class="task-list-item-checkbox"'):
                mark = CHECKED_TASK if 'checked="checked"' in first.content else UNCHECKED_TASK
                text = Token("text", "", 0)
                text.content = mark
                token.children[0] = text


# --------------------------------------------------------------------------- tables


def _alignment_classes(state):
    """A column's alignment as a class (`align-right`): the policy and the CSP refuse style=""."""
    for token in state.tokens:
        if token.type in ("th_open", "td_open"):
            style = token.attrs.pop("style", None)
            if style and style.startswith("text-align:"):
                token.attrSet("class", "align-" + style.removeprefix("text-align:"))


# --------------------------------------------------------------------------- footnotes


def _footnote_caption(self, tokens, idx, options, env):
    # Every reference to a note shows its number, as Hexo's, kramdown's and goldmark's do.
    return f"[{tokens[idx].meta['id'] + 1}]"


def _footnote_block_open(self, tokens, idx, options, env):
    return '<hr>\n<ol class="footnotes">\n'


def _footnote_block_close(self, tokens, idx, options, env):
    return "</ol>\n"


def _footnote_open(self, tokens, idx, options, env):
    return f'<li id="fn{tokens[idx].meta["id"] + 1}">'


_FOOTNOTE_RULES = {
    "footnote_caption": _footnote_caption,
    "footnote_block_open": _footnote_block_open,
    "footnote_block_close": _footnote_block_close,
    "footnote_open": _footnote_open,
}
