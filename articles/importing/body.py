"""Turning a legacy post body (Markdown or HTML, with Hexo, Jekyll or Hugo syntax) into article HTML.

Plain functions: no ORM, no Django settings. The result is not yet safe to show; the caller
passes it through `articles.bodies.clean_body` (the policy of `articles.sanitize`, which removes
styles, scripts, and the classes and iframes it does not keep; then code highlighting). What this
module produces stays inside that policy, so nothing turns into stray text when it is cleaned.

Order of work, as the generators do it: what Liquid (Jekyll) or Hugo's comment form consumed
everywhere goes first (liquid.protect, hugo_shortcodes.unescape_comments); then the generator's
tags (`{% name args %}`, `{{< name >}}`, `{{ site.x }}` …) are converted outside code
(tag_scanner finds them, this module's renderer dispatches to hexo_tags, liquid and
hugo_shortcodes): markup becomes a placeholder word that Markdown leaves alone, code blocks and
containers stay Markdown; the Markdown is rendered (CommonMark, raw HTML kept, the generators'
extensions of `markdown_extensions`), and the placeholders are swapped for the markup. Headings
move under the page's title (`headings`), and the excerpt is then cut at `<!-- more -->`.
"""

import bisect
import functools
import html
import re
import textwrap
from dataclasses import dataclass, field
from html.parser import HTMLParser
from types import SimpleNamespace

from markdown_it import MarkdownIt
from markdown_it import helpers as markdown_helpers
from markdown_it.common.utils import isMdAsciiPunct, isPunctChar, isWhiteSpace, unescapeAll
from markdown_it.rules_inline.state_inline import Scanned, StateInline

from articles.importing.headings import shift_headings
from articles.importing.markdown_extensions import use_extensions

from .crosslinks import placeholder_url
from .generators import HUGO, JEKYLL
from .hexo_tags import TAGS as HEXO_TAGS
from .hugo_shortcodes import SHORTCODES, unescape_comments
from .hugo_shortcodes import parameters as shortcode_parameters
from .liquid import TAGS as LIQUID_TAGS
from .liquid import attribute_list, brace_for, drop_toc_list_item, is_toc, protect, restore
from .liquid import output as liquid_output
from .syntax import REMOVED, Code, Html, Wrap, fence_for, split_tag_arguments
from .tag_scanner import is_closer, scan

__all__ = [
    "RenderedBody",
    "detect_format",
    "find_local_images",
    "find_remote_images",
    "render_body",
    "rewrite_image_sources",
    "split_excerpt",
    "split_tag_arguments",
]

BODY_FORMATS = ("auto", "html", "markdown")
HTML_SUFFIXES = frozenset({".html", ".htm"})

# Hexo's excerpt marker (hexo lib/plugins/filter/after_post_render/excerpt), a little wider.
MORE_MARKER = re.compile(r"<!--\s*more\s*-->", re.IGNORECASE)


@dataclass
class RenderedBody:
    """A rendered body: the whole HTML, the part before `<!-- more -->`, and what to fetch."""

    html: str
    excerpt_html: str = ""
    local_images: list = field(default_factory=list)
    warnings: list = field(default_factory=list)


# --------------------------------------------------------------------------- Markdown


def _is_cjk(char):
    """A wide East Asian character: Han, kana, CJK symbols and punctuation, fullwidth forms."""
    if not char:
        return False
    code = ord(char)
    return (
        0x2E80 <= code <= 0x2FDF  # radicals
        or 0x3000 <= code <= 0x30FF  # CJK symbols and punctuation, hiragana, katakana
        or 0x3100 <= code <= 0x31FF  # bopomofo, kanbun, katakana extensions
        or 0x3400 <= code <= 0x4DBF  # extension A
        or 0x4E00 <= code <= 0x9FFF  # unified ideographs
        or 0xF900 <= code <= 0xFAFF  # compatibility ideographs
        or 0xFE30 <= code <= 0xFE4F  # compatibility forms
        or 0xFF00 <= code <= 0xFFEF  # fullwidth forms
        or 0x20000 <= code <= 0x3FFFF  # extensions B and later
    )


class _CjkFriendlyStateInline(StateInline):
    """CommonMark's emphasis rules, relaxed next to CJK text.

    CommonMark will not close `**“引号”**后面` (a run after punctuation must be followed by
    space or punctuation; nor `**Q：**5月`), so Chinese writers had to add spaces that show in
    the text. As in the "markdown-cjk-friendly" proposal, a CJK character (ideograph, kana or
    fullwidth punctuation) on either side of the run lifts the punctuation condition.
    """

    def scanDelims(self, start, canSplitWord):  # noqa: N802 (markdown-it's name)
        pos = start
        maximum = self.posMax
        marker = self.src[start]
        last_char = self.src[start - 1] if start > 0 else " "
        while pos < maximum and self.src[pos] == marker:
            pos += 1
        count = pos - start
        next_char = self.src[pos] if pos < maximum else " "

        last_punct = isMdAsciiPunct(ord(last_char)) or isPunctChar(last_char)
        next_punct = isMdAsciiPunct(ord(next_char)) or isPunctChar(next_char)
        last_space = isWhiteSpace(ord(last_char))
        next_space = isWhiteSpace(ord(next_char))

        cjk_side = _is_cjk(last_char) or _is_cjk(next_char)
        left_flanking = not next_space and (not next_punct or last_space or last_punct or cjk_side)
        right_flanking = not last_space and (not last_punct or next_space or next_punct or cjk_side)
        can_open = left_flanking and (canSplitWord or not right_flanking or last_punct)
        can_close = right_flanking and (canSplitWord or not left_flanking or next_punct)
        return Scanned(can_open, can_close, count)


def _parse_inline_cjk_friendly(self, src, md, env, tokens):
    state = _CjkFriendlyStateInline(src, md, env, tokens)
    self.tokenize(state)
    for rule in self.ruler2.getRules(""):
        rule(state)
    return state.tokens


def _softbreak(self, tokens, idx, options, env):
    """A line break inside a paragraph stays a line break, as Hexo's default renderer shows it.

    hexo-renderer-marked sets `breaks: true`; posts written for it rely on single newlines.
    """
    return "<br>\n"


# Typora writes `![](My Post.assets/x.png)`: a destination with raw spaces, which CommonMark does
# not read as a link. One that runs to the closing parenthesis of its line and ends in a file
# name (a "title" may follow) is taken whole, as Typora and Hexo's renderer show it.
_SPACED_DESTINATION_LOOKAHEAD = 500
_FILE_NAME_END = re.compile(r"\.[A-Za-z0-9]{1,8}$")
_DESTINATION_STOP = re.compile(r"[)\n<>\"']")


def _parse_link_destination(string, pos, maximum):
    result = markdown_helpers.parseLinkDestination(string, pos, maximum)
    if not result.ok or result.pos >= maximum or string[result.pos] != " ":
        return result
    stop = _DESTINATION_STOP.search(string, result.pos, min(maximum, pos + _SPACED_DESTINATION_LOOKAHEAD))
    if stop is None or stop.group() == "\n":
        return result
    candidate = string[pos : stop.start()].rstrip()
    if not _FILE_NAME_END.search(candidate):
        return result
    result.str = unescapeAll(candidate)
    result.pos = pos + len(candidate)
    return result


def _build_markdown():
    md = MarkdownIt("commonmark", {"html": True, "linkify": False, "typographer": False})
    md.enable(["table", "strikethrough"])
    use_extensions(md)  # footnotes, task and definition lists, column alignment, math
    md.inline.parse = _parse_inline_cjk_friendly.__get__(md.inline)
    md.helpers = SimpleNamespace(
        parseLinkDestination=_parse_link_destination,
        parseLinkLabel=markdown_helpers.parseLinkLabel,
        parseLinkTitle=markdown_helpers.parseLinkTitle,
    )
    md.add_render_rule("softbreak", _softbreak)
    return md


_MD = _build_markdown()


# --------------------------------------------------------------------------- format detection

# Elements that start an HTML document body (an inline <span> or <img> first is Markdown).
_BLOCK_TAGS = (
    "address|article|aside|blockquote|center|dd|details|dialog|div|dl|dt|fieldset|figcaption"
    "|figure|footer|form|h[1-6]|header|hgroup|hr|li|main|nav|ol|p|pre|section|table|ul"
)
_LEADING_COMMENTS = re.compile(r"\A(?:\s*<!--.*?-->)*\s*", re.S)
_STARTS_WITH_BLOCK_TAG = re.compile(rf"<(?:{_BLOCK_TAGS})(?=[\s>/])", re.I)
_CODE_OR_SCRIPT_START = re.compile(r"<(pre|code|script|style|textarea)\b", re.I)
_CODE_OR_SCRIPT_END = {
    name: re.compile(rf"</{name}\s*>", re.I) for name in ("pre", "code", "script", "style", "textarea")
}
# Markdown that a writer would not put in an HTML document: headings, fences, images, links.
_MARKDOWN_SIGNS = re.compile(
    r"^[ \t]{0,3}(?:#{1,6}[ \t]+\S|```|~~~)"
    r"|!\[[^\]\n]*\]\([^)\s]+[^)\n]*\)"
    r"|\[[^\]\n]+\]\((?:https?://|/|\./|#)[^)\s]*[^)\n]*\)",
    re.M,
)


def _without_code(text):
    """`text` without its closed <pre>, <code>, <script>, <style> and <textarea> elements.

    One pass: an element never closed stays, and its end is not looked for again, so that a
    body of thousands of unclosed <pre> is not scanned to its end from each of them.
    """
    parts, kept_from, search_from, never_closed = [], 0, 0, set()
    while (start := _CODE_OR_SCRIPT_START.search(text, search_from)) is not None:
        name = start.group(1).lower()
        end = None if name in never_closed else _CODE_OR_SCRIPT_END[name].search(text, start.end())
        if end is None:
            never_closed.add(name)
            search_from = start.end()
            continue
        parts.append(text[kept_from : start.start()])
        kept_from = search_from = end.end()
    parts.append(text[kept_from:])
    return "".join(parts)


def detect_format(text, suffix=".md"):
    """'html' or 'markdown' for a body, as body_format="auto" decides.

    .html/.htm files are HTML. Other files are HTML when the body starts (after comments) with
    a block-level tag such as <div> or <p>, as the RSS-to-Hexo generator writes them, unless
    Markdown headings, fences, images or links appear outside code: a Markdown post may well
    open with `<p align="center"><img …></p>`.
    """
    if (suffix or "").lower() in HTML_SUFFIXES:
        return "html"
    start = _LEADING_COMMENTS.match(text).end()
    if not _STARTS_WITH_BLOCK_TAG.match(text, start):
        return "markdown"
    if _MARKDOWN_SIGNS.search(_without_code(text)):
        return "markdown"
    return "html"


# --------------------------------------------------------------------------- generator syntax

# Canonical names of the Hexo tag plugins converted in this module; aliases as Hexo registers
# them. The other tags and shortcodes are in hexo_tags, liquid and hugo_shortcodes.
_ALIASES = {
    "codeblock": "codeblock", "code": "codeblock",
    "blockquote": "blockquote", "quote": "blockquote",
    "pullquote": "pullquote",
    "note": "note",
    "raw": "raw",
    "img": "img", "image": "img",
    "asset_img": "asset_img", "asset_image": "asset_img",
    "asset_path": "asset_path",
    "asset_link": "asset_link",
}  # fmt: skip
_BLOCK_PLUGINS = frozenset({"blockquote", "pullquote", "note"})
_VERBATIM_PLUGINS = frozenset({"codeblock", "raw"})
# Blocks rendered inside blocks; deeper ones keep their content in place, unwrapped.
MAX_NESTING = 8

_IMAGE_FILE = re.compile(r"\.(?:png|jpe?g|gif|webp|svg|bmp|avif|ico|tiff?)(?:[?#].*)?$", re.I)
_URL_SCHEME = re.compile(r"^[A-Za-z][A-Za-z0-9+.-]*:")
_DIGITS = re.compile(r"^[0-9]+$")
_WEB_URL = re.compile(r"^https?://\S+$", re.I)
_CODE_OPTIONS = frozenset(
    {"lang", "line_number", "line_threshold", "first_line", "mark", "wrap", "highlight",
     "language_attr"}
)  # fmt: skip

# NexT's note classes and Butterfly's colours and styles: words of the box, not a summary.
_NOTE_STYLE_WORDS = frozenset(
    {"default", "primary", "info", "success", "warning", "danger", "no-icon",
     "blue", "pink", "red", "purple", "orange", "green",
     "simple", "modern", "flat", "disabled"}
)  # fmt: skip
_ICON_CLASS = re.compile(r"^(?:fa[a-z]?|fa-[\w-]+|icon[\w-]*|iconfont)$")

_LINE_PREFIX = re.compile(r"[ \t>]*")
_SPAN_ENDS = frozenset(")*_`]>")  # what a kramdown span attribute list directly follows
_REST_OF_LINE_BLANK = re.compile(r"[ \t]*(?:\n|\Z)")
_HEADING = re.compile(r"^ {0,3}(#{1,6})(?=[ \t]|$)|<h([1-6])\b", re.M | re.I)
_SECTION_MARKER = re.compile(r"<!--[ \t]*(?P<end>end)?(?P<word>tab|timeline)\b(?P<title>(?:(?!-->)[^\n])*)-->")


def _trim_body(content):
    """Hexo's block body: common indentation removed, one newline off each end."""
    content = textwrap.dedent(content)
    if content.startswith("\n"):
        content = content[1:]
    if content.endswith("\n"):
        content = content[:-1]
    return content


def _attr(value):
    return html.escape(str(value), quote=True)


def _text(value):
    return html.escape(str(value), quote=False)


def _encode_url(url):
    """Percent-encode as markdown-it does for Markdown links and images (keeps `%xx`)."""
    return _MD.normalizeLink(url)


def _split_at_last_url(words, *, needs_text_after):
    """(words before, url, words after) at the last web address that has words before it (and
    after it, when asked), as Hexo's greedy `(\\S.*)\\s+(https?://\\S+)\\s+(.+)` reads them."""
    last = len(words) - (2 if needs_text_after else 1)
    for index in range(last, 0, -1):
        if _WEB_URL.match(words[index]):
            return words[:index], words[index], words[index + 1 :]
    return None


class _Lines:
    """Line starts and prefixes (indentation, `>`) at growing positions of one text."""

    def __init__(self, text):
        self.text = text
        self._upto = 0
        self._start = 0
        self._prefix_of = (-1, "")

    def start(self, pos):
        if pos < self._upto:
            return self.text.rfind("\n", 0, pos) + 1
        found = self.text.rfind("\n", self._upto, pos)
        if found >= 0:
            self._start = found + 1
        self._upto = pos
        return self._start

    def prefix(self, pos):
        """The leading spaces, tabs and `>` of the line that holds `pos`."""
        start = self.start(pos)
        if self._prefix_of[0] != start:
            self._prefix_of = (start, _LINE_PREFIX.match(self.text, start).group())
        return self._prefix_of[1]

    def alone(self, start, end):
        """Whether text[start:end] stands on its line with nothing but its prefix before it."""
        line_start = self.start(start)
        return line_start + len(self.prefix(start)) >= start and _REST_OF_LINE_BLANK.match(self.text, end) is not None


class _Renderer:
    """One body's conversion: generator tags, placeholders, Markdown, warnings."""

    def __init__(self, text, asset_folder, *, tag_plugins=True, generator="", site_variables=None):
        self.tag_plugins = tag_plugins
        self.generator = generator
        self.site_variables = site_variables or {}
        self.asset_folder = (asset_folder or "").strip().rstrip("/")
        prefix = "HexoSlot"
        while prefix in text:
            prefix += "Q"
        self.prefix = prefix
        self.slot_pattern = re.compile(rf"<p>({prefix}\d+X)</p>|({prefix}\d+X)")
        self.slots = {}
        self.inline_slots = set()
        self.warnings = []
        self._warned = set()
        self.depth = 0
        self.heading_above = [1]  # the level under which the text being converted sits
        self._end_patterns = {}

    # -- results --------------------------------------------------------------------------

    def warn_once(self, key, message):
        if key not in self._warned:
            self._warned.add(key)
            self.warnings.append(message)

    def slot(self, fragment, *, inline=False):
        token = f"{self.prefix}{len(self.slots)}X"
        self.slots[token] = fragment
        if inline:
            self.inline_slots.add(token)
        return token

    def fill_slots(self, rendered):
        def fill(match):
            token = match.group(1) or match.group(2)
            fragment = self.slots.get(token, token)
            if match.group(1) and token in self.inline_slots:
                return f"<p>{fragment}</p>"  # an image or link alone on its line
            return fragment

        # Slots inside a note or quote were filled when its content was rendered.
        if self.prefix not in rendered:
            return rendered
        return self.slot_pattern.sub(fill, rendered)

    def markdown(self, text):
        """Markdown with generator tags: convert, render, put the tags' HTML back."""
        converted = self.convert(text, markdown=True)
        return self.fill_slots(_MD.render(converted))

    def html(self, text):
        return self.fill_slots(self.convert(text, markdown=False))

    def convert(self, text, *, markdown):
        """`text` with each generator tag converted (HTML in slots, Markdown in place); code is left alone."""
        if not self.tag_plugins:
            return text
        scanned = scan(text, markdown=markdown, verbatim=self._verbatim_end)
        return _Conversion(self, scanned, markdown).run()

    # -- what a tag is ----------------------------------------------------------------------

    def handler(self, tag):
        """(kind, function) for a tag or shortcode, or None when unknown. Kinds: "inline",
        "block" (rendered apart), "wrap" (content stays), "verbatim" (content unparsed)."""
        if tag.syntax == "shortcode":
            return SHORTCODES.get(tag.name) or SHORTCODES.get(tag.name.lower())
        kind = _ALIASES.get(tag.name)
        if kind in _VERBATIM_PLUGINS:
            return "verbatim", self._verbatim_plugin
        if kind in _BLOCK_PLUGINS:
            return "block", self._block_plugin
        if kind is not None:
            return "inline", self._inline_plugin
        return HEXO_TAGS.get(tag.name) or LIQUID_TAGS.get(tag.name)

    def _verbatim_end(self, tag):
        entry = self.handler(tag)
        if entry is None or entry[0] != "verbatim":
            return None
        key = (tag.syntax, tag.name)
        if key not in self._end_patterns:
            name = re.escape(tag.name)
            if tag.syntax == "shortcode":
                pattern = rf"\{{\{{[<%]-?[ \t\n]*/[ \t\n]*{name}[ \t\n]*-?[>%]\}}\}}"
            else:
                # Liquid ignores words after an end tag's name (`{% endhighlight java %}`).
                pattern = rf"\{{%-?[ \t]*end{name}(?:[ \t][^%\n]*)?-?%\}}"
            self._end_patterns[key] = re.compile(pattern)
        return self._end_patterns[key]

    def label(self, tag):
        if tag.syntax == "shortcode":
            close = ">" if tag.delimiter == "<" else "%"
            return f"Hugo shortcode {{{{{tag.delimiter} {tag.name} {close}}}}}"
        language = "Liquid tag" if self.generator == JEKYLL else "Hexo tag"
        return f"{language} {{% {tag.name} %}}"

    # -- this module's Hexo plugins -----------------------------------------------------------

    def _verbatim_plugin(self, ctx, name, args, content):
        if _ALIASES[name] == "raw":
            return Html(content, block=True)
        return Html(self._codeblock(args, _trim_body(content)), block=True)

    def _block_plugin(self, ctx, name, args, content):
        kind = _ALIASES[name]
        self.depth += 1
        self.heading_above.append(ctx.heading_level(ctx.current_tag.start))
        try:
            inner = self.markdown(_trim_body(content)).strip()
        finally:
            self.depth -= 1
            self.heading_above.pop()
        return Html(getattr(self, "_" + kind)(args, inner), block=True)

    # -- block plugins ----------------------------------------------------------------------

    def _codeblock(self, args, code):
        lang = ""
        rest = []
        for arg in args:
            key, colon, value = arg.partition(":")
            if colon and key in _CODE_OPTIONS:
                if key == "lang":
                    lang = value
            else:
                rest.append(arg)
        caption = self._code_caption(" ".join(rest))
        language = f' class="language-{_attr(lang)}"' if lang else ""
        block = f"<pre><code{language}>{_text(code)}\n</code></pre>"
        if caption:
            return f"<figure><figcaption>{caption}</figcaption>{block}</figure>"
        return block

    @staticmethod
    def _code_caption(text):
        """hexo lib/plugins/tag/code.ts: `[title] [url [link text]]`."""
        words = text.split()
        if not words:
            return ""
        link_text = "link"
        found = _split_at_last_url(words, needs_text_after=True)
        if found is not None:
            link_text = " ".join(found[2])
        else:
            found = _split_at_last_url(words, needs_text_after=False)
        title, url = (" ".join(found[0]), found[1]) if found else (" ".join(words), "")
        caption = _text(title)
        if url:
            caption += f' <a href="{_attr(url)}">{_text(link_text)}</a>'
        return caption

    def _blockquote(self, args, inner):
        footer = self._cite(" ".join(args))
        return f"<blockquote>{inner}{footer}</blockquote>"

    @staticmethod
    def _cite(text):
        """hexo lib/plugins/tag/blockquote.ts: `author [source]`, `author url [title]`, `author, title`."""
        words = text.split()
        if not words:
            return ""
        url = title = ""
        found = _split_at_last_url(words, needs_text_after=True)
        if found is not None:
            author, url, title = " ".join(found[0]), found[1], " ".join(found[2])
        elif (found := _split_at_last_url(words, needs_text_after=False)) is not None:
            author, url = " ".join(found[0]), found[1]
        else:
            author, comma, rest = text.partition(",")
            title = rest.split(",")[0].strip() if comma and author.strip() else ""
            author = author if title else text
        parts = [_text(author.strip())]
        if url:
            shown = title.strip() or re.sub(r"^https?://|/(index\.html?)?$", "", url)
            parts.append(f'<a href="{_attr(url)}">{_text(shown)}</a>')
        elif title.strip():
            parts.append(_text(title.strip()))
        return f"<p><cite>— {', '.join(parts)}</cite></p>"

    def _pullquote(self, args, inner):
        return f"<blockquote>{inner}</blockquote>"

    def _note(self, args, inner):
        summary = []
        for index, arg in enumerate(args):
            words = arg.split()
            is_style = arg in _NOTE_STYLE_WORDS or (words and all(_ICON_CLASS.match(w) for w in words))
            if not is_style:
                summary = args[index:]
                break
        head = ""
        if summary:
            head = f"<p><strong>{_MD.renderInline(' '.join(summary)).strip()}</strong></p>"
        return f"<blockquote>{head}{inner}</blockquote>"

    # -- inline plugins ---------------------------------------------------------------------

    def _inline_plugin(self, ctx, name, args):
        kind = _ALIASES[name]
        if kind in ("img", "asset_img"):
            fragment = self._image(kind, name, list(args))
        elif not args:
            self.warn_once(("empty", name), f"Hexo tag {{% {name} %}} without its arguments: removed")
            return REMOVED
        elif kind == "asset_path":
            fragment = _attr(self._asset_url(args[0]))
        else:
            fragment = self._asset_link(args)
        return REMOVED if fragment is None else Html(fragment)

    def _asset_url(self, name):
        url = f"{self.asset_folder}/{name}" if self.asset_folder else name
        return _encode_url(url)

    def _asset_link(self, args):
        slug, rest = args[0], args[1:]
        escape = True
        if rest and rest[-1] in ("true", "false"):
            escape = rest.pop() == "true"
        title = " ".join(rest) if rest else slug
        shown = _text(title) if escape else title
        return f'<a href="{_attr(self._asset_url(slug))}" title="{_attr(title)}">{shown}</a>'

    def _image(self, kind, name, args):
        """hexo lib/plugins/tag/img.ts: [class names] src [width] [height] [title [alt]]."""
        src = None
        while args:
            item = args.pop(0)
            if self._is_image_source(kind, item):
                src = self._asset_url(item) if kind == "asset_img" else _encode_url(item)
                break
        if src is None:
            self.warn_once(("no-src", name), f"Hexo tag {{% {name} %}} names no image: removed")
            return None
        width = height = title = alt = None
        if args and _DIGITS.match(args[0]):
            width = args.pop(0)
            if args and _DIGITS.match(args[0]):
                height = args.pop(0)
        if args:
            meta = " ".join(args)
            title_re = r'"?([^"]+)?"?' if meta.startswith('"') else r"'?([^']+)?'?"
            alt_re = r'"?([^"]+)?"?' if meta.endswith('"') else r"'?([^']+)?'?"
            match = re.search(title_re + r"\s*" + alt_re, meta)
            if match:
                title, alt = match.groups()
        attrs = [("src", src), ("alt", alt if alt is not None else (title or ""))]
        attrs += [(k, v) for k, v in (("title", title), ("width", width), ("height", height)) if v]
        return "<img " + " ".join(f'{k}="{_attr(v)}"' for k, v in attrs) + ">"

    @staticmethod
    def _is_image_source(kind, item):
        if kind == "asset_img":
            # Hexo takes the first argument that names one of the post's assets.
            return "." in item or "/" in item
        return bool(
            item.startswith(("/", "./", "../", "www."))
            or _URL_SCHEME.match(item)
            or "/" in item
            or _IMAGE_FILE.search(item)
        )


class _Conversion:
    """One text's tags converted in one walk over its tokens; the context handlers are given."""

    def __init__(self, renderer, scanned, markdown):
        self.renderer = renderer
        self.text = scanned.text
        self.tokens = scanned.tokens
        self.markdown = markdown
        self.out = []
        self.closers = {}  # token index of a closing tag -> the Wrap it closes
        self.sections = []  # (closing index, marker word, heading level) of open tab sets
        self.open_levels = []  # heading levels of the open wraps that put a heading first
        self.current_tag = None
        self.lines = _Lines(self.text)
        self._headings = None

    # -- the context handlers use ---------------------------------------------------------------

    @property
    def generator(self):
        return self.renderer.generator

    def warn_once(self, key, message):
        self.renderer.warn_once(key, message)

    def image_url(self, src):
        return _encode_url(src)

    def asset_url(self, name):
        return self.renderer._asset_url(name)

    def url_or_link(self, kind, ref, shown):
        """The address of the article `ref` names where the tag stands in a link's destination
        (`[text]({% post_url x %})`, `href="{{< ref x >}}"`), else a link to it showing `shown`."""
        before = self.text[max(0, self.current_tag.start - 3) : self.current_tag.start]
        url = placeholder_url(kind, ref)
        if before.endswith(("](", '="', "='", "]: ")):
            return url
        return f'<a href="{_attr(url)}">{shown}</a>'

    def heading_level(self, pos):
        """The level of the heading `pos` sits under: the last one before it, written or made
        by an open wrap, or the one above this text."""
        if self._headings is None:
            self._headings = [
                (m.start(), len(m.group(1)) if m.group(1) else int(m.group(2))) for m in _HEADING.finditer(self.text)
            ]
        index = bisect.bisect_left(self._headings, (pos, 0))
        written = self._headings[index - 1][1] if index else self.renderer.heading_above[-1]
        return max(written, self.open_levels[-1] if self.open_levels else 0)

    # -- the walk -------------------------------------------------------------------------------

    def run(self):
        text, tokens, out = self.text, self.tokens, self.out
        index = 0
        while index < len(tokens):
            token = tokens[index]
            if token.kind == "code":
                out.append(text[token.start : token.end])
            elif token.kind == "text":
                self._text(token.start, token.end)
            else:
                index = self._tag(index)
                continue
            index += 1
        return "".join(out)

    def _text(self, start, end):
        piece = self.text[start:end]
        if self.sections and "<!--" in piece:
            piece = self._section_headings(piece, start)
        self.out.append(piece)

    def _section_headings(self, piece, offset):
        _, word, level = self.sections[-1]
        prefix = self.lines.prefix(offset)

        def heading(match):
            if match.group("word") != word:
                return match.group()
            if match.group("end"):
                return self._break(prefix)
            title = match.group("title").split("@")[0].strip()
            return self._heading(title, level, prefix) if title else self._break(prefix)

        return _SECTION_MARKER.sub(heading, piece)

    def _tag(self, index):
        """Convert the tag at tokens[index]; return the index of the next token to walk."""
        token = self.tokens[index]
        tag = self.current_tag = token.tag
        if index in self.closers:
            wrap, levels = self.closers.pop(index)
            self._close(wrap, tag)
            del self.open_levels[len(self.open_levels) - levels :]
            if self.sections and self.sections[-1][0] == index:
                self.sections.pop()
            return index + 1
        if tag.syntax == "output":
            self._keep_or(tag, self._output(tag))
        elif tag.syntax == "attributes":
            self._keep_or(tag, self._attributes(tag))
        else:
            return self._generator_tag(index)
        return index + 1

    def _keep_or(self, tag, replacement):
        self.out.append(self.text[tag.start : tag.end] if replacement is None else replacement)

    def _output(self, tag):
        if self.generator == HUGO:
            return None  # Hugo shows {{ }} in content as written
        return liquid_output(self, tag.args, everything=self.generator == JEKYLL, site=self.renderer.site_variables)

    def _attributes(self, tag):
        if self.generator not in (JEKYLL, ""):
            return None
        line_prefix = self.lines.prefix(tag.start)
        if len(line_prefix.expandtabs(4)) >= 4:
            return None  # an indented code line
        alone = self.lines.alone(tag.start, tag.end)
        attached = tag.start > 0 and self.text[tag.start - 1] in _SPAN_ENDS
        replacement = attribute_list(self, tag.args, alone_on_line=alone, attached=attached)
        if replacement is not None and alone and self.out:
            before = self.out[-1].rstrip(" \t")
            if is_toc(tag.args):
                before = drop_toc_list_item(before)
            self.out[-1] = before
        return replacement

    def _generator_tag(self, index):
        tag, text, renderer = self.current_tag, self.text, self.renderer
        entry = renderer.handler(tag)
        label = renderer.label(tag)
        if entry is None:
            if is_closer(tag):
                renderer.warn_once(("stray", tag.name), f"stray {label}: removed")
            elif tag.pair is not None:
                renderer.warn_once(("unknown", tag.name), f"unknown {label}: removed, its content kept")
                self.closers[tag.pair] = (Wrap(), 0)
            else:
                renderer.warn_once(("unknown", tag.name), f"unknown {label}: removed")
            return index + 1
        kind, function = entry
        if tag.syntax == "shortcode":
            positional, named = shortcode_parameters(tag.args)
            call = functools.partial(function, self, tag.name, positional, named)
        else:
            call = functools.partial(function, self, tag.name, split_tag_arguments(tag.args))
        if kind == "verbatim":
            if tag.verbatim_end is None:
                return self._unclosed(index, label)
            content_end, after = tag.verbatim_end
            self._emit(call(text[tag.end : content_end]), tag.start, after)
            return index + 1
        if kind == "inline":
            if tag.pair is not None:
                self.closers[tag.pair] = (Wrap(), 0)  # an inline shortcode given a closing tag
            self._emit(call(), tag.start, tag.end)
            return index + 1
        if tag.pair is None:
            return self._unclosed(index, label)
        if kind == "block" and renderer.depth < MAX_NESTING:
            closing = self.tokens[tag.pair]
            self._emit(call(text[tag.end : closing.start]), tag.start, closing.end)
            return tag.pair + 1
        wrap = call() if kind == "wrap" else Wrap()
        if kind == "block":
            renderer.warn_once(("nesting",), f"{label} nested too deep: its content kept unwrapped")
        levels = len(self.open_levels)
        self._open(wrap, tag)
        if wrap.sections:
            level = min(6, self.heading_level(tag.start) + 1)
            self.sections.append((tag.pair, wrap.sections, level))
            self.open_levels.append(level)
        self.closers[tag.pair] = (wrap, len(self.open_levels) - levels)
        return index + 1

    def _unclosed(self, index, label):
        tag = self.current_tag
        if tag.syntax == "shortcode":
            closing = f"{{{{{tag.delimiter} /{tag.name} {'>' if tag.delimiter == '<' else '%'}}}}}"
        else:
            closing = f"{{% end{tag.name} %}}"
        self.renderer.warn_once(("unclosed", tag.name), f"{label} has no {closing}: the tag removed, what follows kept")
        return index + 1

    # -- output -----------------------------------------------------------------------------------

    def _emit(self, result, start, end):
        """Put a handler's result in place of text[start:end]."""
        if result is None:
            self.out.append(self.text[start:end])
        elif isinstance(result, Code):
            self._code(result, start)
        elif isinstance(result, Wrap):  # a wrap with nothing to wrap
            levels = len(self.open_levels)
            self._open(result, self.current_tag)
            self._close(result, self.current_tag)
            del self.open_levels[levels:]
        elif not result.fragment:
            pass  # the tag's line stays, empty, as the generator left it
        elif not self.markdown:
            self.out.append(result.fragment)
        elif result.block and self.lines.alone(start, end):
            # On lines of its own: a slot paragraph of its own, at the tag's indentation, so that
            # it stays inside a list item.
            indent = self.text[self.lines.start(start) : start]
            if indent and self.out and self.out[-1].endswith(indent):
                self.out[-1] = self.out[-1][: len(self.out[-1]) - len(indent)]
            self.out.append("\n" + indent + self.renderer.slot(result.fragment) + "\n")
        else:
            self.out.append(self.renderer.slot(result.fragment, inline=not result.block))

    def _code(self, code, start):
        language = code.language.strip()
        if not self.markdown:
            css = f' class="language-{_attr(language)}"' if language else ""
            self.out.append(f"<pre><code{css}>{_text(code.content)}\n</code></pre>")
            return
        prefix = self.lines.prefix(start)
        fence = fence_for(code.content)
        self.out.append(f"{self._break(prefix)}{fence}{language}\n{code.content}\n{prefix}{fence}{self._break(prefix)}")

    def _open(self, wrap, tag):
        prefix = self.lines.prefix(tag.start)
        parts = []
        if wrap.before:
            parts.append(
                self._break(prefix) + wrap.before.replace("\n", "\n" + prefix) if self.markdown else wrap.before
            )
        if wrap.heading:
            level = min(6, self.heading_level(tag.start) + 1)
            parts.append(self._heading(wrap.heading, level, prefix))
            self.open_levels.append(level)
        if parts and self.markdown:
            parts.append(self._break(prefix))
        self.out.append("".join(parts))

    def _close(self, wrap, tag):
        if not (wrap.after or wrap.heading or wrap.sections):
            return
        if not self.markdown:
            self.out.append(wrap.after)
            return
        prefix = self.lines.prefix(tag.start)
        self.out.append(self._break(prefix) + (wrap.after + self._break(prefix) if wrap.after else ""))

    def _heading(self, title, level, prefix):
        if not self.markdown:
            return f"<h{level}>{_text(title)}</h{level}>"
        return f"{self._break(prefix)}{'#' * level} {title}{self._break(prefix)}"

    def _break(self, prefix):
        """A paragraph break that stays inside the list item or quote the tag stands in."""
        if not self.markdown:
            return ""
        return "\n" + prefix.rstrip() + "\n" + prefix


# --------------------------------------------------------------------------- HTML helpers

_VOID_ELEMENTS = frozenset(
    {"area", "base", "br", "col", "embed", "hr", "img", "input", "link", "meta", "param",
     "source", "track", "wbr"}
)  # fmt: skip


class _OpenElements(HTMLParser):
    """Which elements are still open at the end of an HTML fragment."""

    def __init__(self):
        super().__init__(convert_charrefs=True)
        self.stack = []

    def handle_starttag(self, tag, attrs):
        if tag not in _VOID_ELEMENTS:
            self.stack.append(tag)

    def handle_endtag(self, tag):
        if tag in self.stack:
            while self.stack and self.stack.pop() != tag:
                pass


def _close_open_elements(fragment):
    parser = _OpenElements()
    parser.feed(fragment)
    parser.close()
    return fragment + "".join(f"</{tag}>" for tag in reversed(parser.stack))


def split_excerpt(rendered):
    """(excerpt, whole) for rendered HTML: Hexo cuts at the first `<!-- more -->`."""
    match = MORE_MARKER.search(rendered)
    if match is None:
        return "", rendered
    excerpt = rendered[: match.start()].strip()
    return (_close_open_elements(excerpt) if excerpt else ""), MORE_MARKER.sub("", rendered)


def _is_local(src):
    src = src.strip()
    return bool(src) and not src.startswith("//") and not _URL_SCHEME.match(src)


class _ImageFinder(HTMLParser):
    """Every <img>: its src (entities decoded), where the tag starts, and its text."""

    def __init__(self):
        super().__init__(convert_charrefs=True)
        self.images = []

    def handle_starttag(self, tag, attrs):
        if tag == "img":
            self.images.append((self.getpos(), self.get_starttag_text(), attrs))

    handle_startendtag = handle_starttag


_IMG_TAG = re.compile(r"<img(?=[\s/>])", re.I)


def _images(fragment):
    if not _IMG_TAG.search(fragment):
        return []
    finder = _ImageFinder()
    finder.feed(fragment)
    finder.close()
    return finder.images


_ANY_SRC = re.compile(r"""src\s*=+\s*(?:"([^"]*)"|'([^']*)'|([^\s>"']*))""", re.I)


def find_local_images(fragment):
    """src of each <img> that is not remote (http(s), //host, data: or any other scheme).

    In document order, each once, as the src attribute says (entities decoded; Markdown
    image URLs are percent-encoded by markdown-it, so `unquote` them to find the file).
    """
    # Fast path: when no src="…" anywhere in the text is local, no <img> has a local src
    # (the pattern accepts more than the parser does, never less).
    if not any(
        _is_local(html.unescape(next(v for v in m.groups() if v is not None))) for m in _ANY_SRC.finditer(fragment)
    ):
        return []
    found = []
    for _, _, attrs in _images(fragment):
        src = dict(attrs).get("src")
        if src and _is_local(src) and src not in found:
            found.append(src)
    return found


_REMOTE_SRC = re.compile(r"^\s*(?:https?:)?//", re.I)


def find_remote_images(fragment):
    """src of each <img> served over the web (http(s) or //host), in document order, each once.

    As the src attribute says (entities decoded), so that rewrite_image_sources finds them.
    """
    found = []
    for _, _, attrs in _images(fragment):
        src = dict(attrs).get("src")
        if src and _REMOTE_SRC.match(src) and src not in found:
            found.append(src)
    return found


_ATTRIBUTE = re.compile(r"""[\s/]*(?P<name>[^\s/>][^\s/=>]*)(?:\s*=+\s*(?P<value>'[^']*'|"[^"]*"|(?!['"])[^>\s]*))?""")


def rewrite_image_sources(fragment, new_src_by_old):
    """Replace <img src> values found in `new_src_by_old`; nothing else in `fragment` changes.

    Keys are compared with the src as a browser reads it (entities decoded), as
    find_local_images reports it. Only the value of the first src attribute of each matching
    <img> is rewritten, in double quotes; the rest of the text stays byte for byte.
    """
    if not new_src_by_old or "<" not in fragment:
        return fragment
    line_starts = [0] + [newline.end() for newline in re.finditer("\n", fragment)]
    edits = []
    for (line, column), tag_text, attrs in _images(fragment):
        src = next((value for key, value in attrs if key == "src"), None)
        if src is None or src not in new_src_by_old:
            continue
        start = line_starts[line - 1] + column
        if fragment[start : start + len(tag_text)] != tag_text:
            continue
        new_value = '"' + _attr(new_src_by_old[src]) + '"'
        edit = _src_value_span(tag_text, src)
        if edit is not None:
            value_start, value_end = edit
            edits.append((start + value_start, start + value_end, new_value))
        else:  # markup the attribute reader cannot follow: rewrite the whole tag
            rebuilt = [(k, new_src_by_old[src] if k == "src" and v == src else v) for k, v in attrs]
            text = "<img" + "".join(f' {k}="{_attr(v)}"' if v is not None else f" {k}" for k, v in rebuilt)
            edits.append((start, start + len(tag_text), text + ">"))
    for begin, end, replacement in sorted(edits, reverse=True):
        fragment = fragment[:begin] + replacement + fragment[end:]
    return fragment


def _src_value_span(tag_text, src):
    """(start, end) of the first src attribute's value in a start tag's text, if it reads as `src`."""
    pos = 4  # after "<img"
    while pos < len(tag_text):
        match = _ATTRIBUTE.match(tag_text, pos)
        if match is None or match.end() == pos:
            return None
        if match.group("name").lower() == "src":
            value = match.group("value")
            if value is None:
                return None
            unquoted = value[1:-1] if value[:1] in "'\"" and len(value) >= 2 else value
            if html.unescape(unquoted) != src:
                return None
            return match.start("value"), match.end("value")
        pos = match.end()
    return None


# --------------------------------------------------------------------------- entry point


def render_body(
    text,
    *,
    body_format="auto",
    suffix=".md",
    asset_folder=None,
    tag_plugins=True,
    generator="",
    excerpt_separator=None,
    site_variables=None,
):
    """Render a legacy body to HTML (not yet sanitized) with its excerpt and local images.

    body_format: 'html' (kept as written, tags converted), 'markdown' (CommonMark with tables and
    strikethrough, raw HTML kept), or 'auto' (see detect_format).
    asset_folder: the post's asset folder, prefixed to asset_img/asset_path/asset_link names.
    tag_plugins: False for posts that say `disableNunjucks: true` (Hexo's own switch) or
    `render_with_liquid: false` (Jekyll's).
    generator: "hexo", "jekyll", "hugo" or "" (articles.importing.generators): how its syntax reads.
    excerpt_separator: Jekyll's marker of the excerpt's end, when not `<!-- more -->`.
    site_variables: the site's config, for Liquid's `{{ site.key }}`.
    """
    if body_format not in BODY_FORMATS:
        raise ValueError(f"body_format must be one of {', '.join(BODY_FORMATS)}, not {body_format!r}")
    text = text or ""
    if body_format == "auto":
        body_format = detect_format(text, suffix)
    if excerpt_separator and not MORE_MARKER.fullmatch(str(excerpt_separator).strip()):
        at = text.find(str(excerpt_separator))
        if at >= 0:
            text = text[:at] + "<!-- more -->" + text[at:]
    brace = brace_for(text)
    if tag_plugins and generator == JEKYLL:
        text = protect(text, brace)
    elif tag_plugins and generator == HUGO:
        text = unescape_comments(text, brace)
    renderer = _Renderer(
        text, asset_folder, tag_plugins=tag_plugins, generator=generator, site_variables=site_variables
    )
    if body_format == "markdown":
        rendered = renderer.markdown(text.replace("\r\n", "\n").replace("\r", "\n"))
        excerpt, rendered = split_excerpt(shift_headings(restore(rendered, brace)))
        rendered = rendered.strip()
    else:
        excerpt, rendered = split_excerpt(shift_headings(restore(renderer.html(text), brace)))
    return RenderedBody(
        html=rendered,
        excerpt_html=excerpt,
        local_images=find_local_images(rendered),
        warnings=renderer.warnings,
    )
