"""Turning a legacy post body (Markdown or HTML, with Hexo tag plugins) into article HTML.

Plain functions: no ORM, no Django settings. The result is not yet safe to show; the caller
passes it through `articles.bodies.clean_body` (the policy of `articles.sanitize`, which removes
styles, scripts, and the classes and iframes it does not keep; then code highlighting). What this
module produces stays inside that policy, so nothing turns into stray text when it is cleaned.

Order of work, as Hexo does it: Hexo tag plugins (`{% name args %}`) are converted first,
outside code; each converted plugin is replaced by a placeholder word that Markdown leaves
alone, the Markdown is rendered (CommonMark, raw HTML kept, the generators' extensions of
`markdown_extensions`), and the placeholders are swapped for the plugin HTML. Headings move under
the page's title (`headings`), and the excerpt is then cut from the rendered HTML at `<!-- more -->`.
"""
import html
import re
import textwrap
from dataclasses import dataclass, field
from html.parser import HTMLParser

from markdown_it import MarkdownIt
from markdown_it.common.utils import isMdAsciiPunct, isPunctChar, isWhiteSpace
from markdown_it.rules_inline.state_inline import Scanned, StateInline

from articles.importing.headings import shift_headings
from articles.importing.markdown_extensions import use_extensions

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


def _build_markdown():
    md = MarkdownIt("commonmark", {"html": True, "linkify": False, "typographer": False})
    md.enable(["table", "strikethrough"])
    use_extensions(md)  # footnotes, task and definition lists, column alignment, math
    md.inline.parse = _parse_inline_cjk_friendly.__get__(md.inline)
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
_CODE_OR_SCRIPT = re.compile(
    r"<(pre|code|script|style|textarea)\b.*?</\1\s*>", re.I | re.S
)
# Markdown that a writer would not put in an HTML document: headings, fences, images, links.
_MARKDOWN_SIGNS = re.compile(
    r"^[ \t]{0,3}(?:#{1,6}[ \t]+\S|```|~~~)"
    r"|!\[[^\]\n]*\]\([^)\s]+[^)\n]*\)"
    r"|\[[^\]\n]+\]\((?:https?://|/|\./|#)[^)\s]*[^)\n]*\)",
    re.M,
)


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
    if _MARKDOWN_SIGNS.search(_CODE_OR_SCRIPT.sub("", text)):
        return "markdown"
    return "html"


# --------------------------------------------------------------------------- tag plugins

# Where scanning stops in Markdown: a code fence, a code span, an HTML <pre>/<code>, a tag.
_SCAN_MARKDOWN = re.compile(
    r"(?P<fence>^[ \t>]*(?P<fchars>`{3,}|~{3,})(?P<info>[^\n]*))"
    r"|(?P<ticks>`+)"
    r"|(?P<htmlcode><(?P<hname>(?i:pre|code))(?=[\s>/])[^>]*>)"
    r"|(?P<tag>\{%-?[ \t]*(?P<name>[A-Za-z_][\w-]*)(?P<args>[^\n]*?)-?%\})",
    re.M,
)
# In HTML, backticks are text: only <pre>/<code> elements protect their content.
_SCAN_HTML = re.compile(
    r"(?P<htmlcode><(?P<hname>(?i:pre|code))(?=[\s>/])[^>]*>)"
    r"|(?P<tag>\{%-?[ \t]*(?P<name>[A-Za-z_][\w-]*)(?P<args>[^\n]*?)-?%\})",
)
_BLANK_LINE = re.compile(r"\n[ \t]*\n")

# Canonical names of the plugins converted here; aliases as Hexo registers them.
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
    "youtube": "youtube",
    "vimeo": "vimeo",
    "iframe": "iframe",
}  # fmt: skip
_BLOCK_PLUGINS = frozenset({"codeblock", "blockquote", "pullquote", "note", "raw"})

_IMAGE_FILE = re.compile(r"\.(?:png|jpe?g|gif|webp|svg|bmp|avif|ico|tiff?)(?:[?#].*)?$", re.I)
_URL_SCHEME = re.compile(r"^[A-Za-z][A-Za-z0-9+.-]*:")
_DIGITS = re.compile(r"^[0-9]+$")

# hexo lib/plugins/tag/blockquote.ts
_CITE_WITH_TITLE = re.compile(r"(\S.*)\s+(https?://\S+)\s+(.+)", re.I)
_CITE_WITH_LINK = re.compile(r"(\S.*)\s+(https?://\S+)", re.I)
_AUTHOR_TITLE = re.compile(r"([^,]+),\s*([^,]+)")
# hexo lib/plugins/tag/code.ts
_CAPTION_URL_TITLE = re.compile(r"(\S[\S\s]*)\s+(https?://\S+)\s+(.+)", re.I)
_CAPTION_URL = re.compile(r"(\S[\S\s]*)\s+(https?://\S+)", re.I)
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


def split_tag_arguments(text):
    """Hexo's (Nunjucks') argument list: split at spaces; quotes group words and are removed."""
    args, current, has_item = [], [], False
    i, length = 0, len(text)
    while i < length:
        char = text[i]
        if char in " \t\r\n":
            if has_item:
                args.append("".join(current).strip())
            current, has_item = [], False
            i += 1
        elif char in "\"'":
            end = i + 1
            part = []
            while end < length and text[end] != char:
                if text[end] == "\\" and end + 1 < length:
                    end += 1
                part.append(text[end])
                end += 1
            current.append("".join(part))
            has_item = has_item or bool(part)
            i = end + 1
        else:
            current.append(char)
            has_item = True
            i += 1
    if has_item:
        args.append("".join(current).strip())
    return [arg for arg in args if arg != ""]


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


class _Renderer:
    """One body's conversion: tag plugins, placeholders, Markdown, warnings."""

    def __init__(self, text, asset_folder, *, tag_plugins=True):
        self.tag_plugins = tag_plugins
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
        """Markdown with tag plugins: convert, render, put the plugin HTML back."""
        converted = self.convert(text, markdown=True)
        return self.fill_slots(_MD.render(converted))

    def html(self, text):
        return self.fill_slots(self.convert(text, markdown=False))

    # -- scanning -------------------------------------------------------------------------

    def convert(self, text, *, markdown):
        """`text` with each known tag plugin replaced by a slot word; code is left alone."""
        if not self.tag_plugins:
            return text
        scanner = _SCAN_MARKDOWN if markdown else _SCAN_HTML
        out = []
        pos = 0
        while True:
            match = scanner.search(text, pos)
            if match is None:
                out.append(text[pos:])
                return "".join(out)
            skip_to = self._code_end(text, match, markdown)
            if skip_to is not None:
                out.append(text[pos:skip_to])
                pos = skip_to
                continue
            out.append(text[pos : match.start()])
            pos = self._tag(text, match, markdown, out)

    def _code_end(self, text, match, markdown):
        """Where the code region that `match` opens ends, or None if `match` is a tag."""
        if match.group("tag") is not None:
            return None
        if match.group("htmlcode") is not None:
            close = re.compile(rf"</{match.group('hname')}\s*>", re.I).search(text, match.end())
            return close.end() if close else match.end()
        if markdown and match.group("fence") is not None:
            fence = match.group("fchars")
            if fence[0] != "`" or "`" not in match.group("info"):
                closing = re.compile(rf"^[ \t>]*{re.escape(fence[0])}{{{len(fence)},}}[ \t]*$", re.M)
                line_end = text.find("\n", match.end())
                if line_end < 0:
                    return len(text)
                close = closing.search(text, line_end + 1)
                return close.end() if close else len(text)
            start, run = match.start("fchars"), len(fence)
        else:
            start, run = match.start("ticks"), len(match.group("ticks"))
        # A code span: the same number of backticks closes it, within the paragraph.
        blank = _BLANK_LINE.search(text, start + run)
        limit = blank.start() if blank else len(text)
        close = re.compile(rf"(?<!`)`{{{run}}}(?!`)").search(text, start + run, limit)
        return close.end() if close else start + run

    def _tag(self, text, match, markdown, out):
        """Convert the tag at `match` into `out`; return where scanning goes on."""
        name = match.group("name")
        kind = _ALIASES.get(name)
        args = split_tag_arguments(match.group("args"))
        if kind is None:
            base = name[3:] if name.startswith("end") and len(name) > 3 else name
            if name.startswith("end") and _ALIASES.get(base):
                self.warn_once(("stray", name), f"stray Hexo tag {{% {name} %}} left as text")
            else:
                self.warn_once(("unknown", base), f"unknown Hexo tag plugin {{% {base} %}} left as text")
            out.append(match.group(0))
            return match.end()

        if kind not in _BLOCK_PLUGINS:
            fragment = self._inline_plugin(kind, name, args)
            if fragment is None:
                out.append(match.group(0))
            else:
                out.append(self.slot(fragment, inline=True) if markdown else fragment)
            return match.end()

        end = self._block_end(text, match, name, markdown)
        if end is None:
            self.warn_once(
                ("unclosed", name), f"Hexo tag plugin {{% {name} %}} has no {{% end{name} %}}; left as text"
            )
            out.append(match.group(0))
            return match.end()
        content_end, after = end
        raw_content = text[match.end() : content_end]
        if kind == "raw":
            fragment = raw_content
        elif kind == "codeblock":
            fragment = self._codeblock(args, _trim_body(raw_content))
        else:
            inner = self.markdown(_trim_body(raw_content)).strip()
            fragment = getattr(self, "_" + kind)(args, inner)
        if not markdown:
            out.append(fragment)
            return after
        token = self.slot(fragment)
        line_start = text.rfind("\n", 0, match.start()) + 1
        indent = text[line_start : match.start()]
        line_end = text.find("\n", after)
        rest = text[after : len(text) if line_end < 0 else line_end]
        if not indent.strip() and not rest.strip():
            # On lines of its own: make the slot a paragraph of its own, at the indentation
            # of the tag so that it stays inside a list item.
            if indent and out and out[-1].endswith(indent):
                out[-1] = out[-1][: len(out[-1]) - len(indent)]
            out.append("\n" + indent + token + "\n")
        else:
            out.append(token)
        return after

    def _block_end(self, text, match, name, markdown):
        """(start of the end tag, end of it) for the block opened at `match`, or None."""
        if _ALIASES[name] in ("raw", "codeblock"):
            # Their content is not parsed: the first end tag closes them, as in Nunjucks.
            close = re.compile(rf"\{{%-?[ \t]*end{name}[ \t]*-?%\}}").search(text, match.end())
            return (close.start(), close.end()) if close else None
        scanner = _SCAN_MARKDOWN if markdown else _SCAN_HTML
        depth = 0
        pos = match.end()
        while True:
            found = scanner.search(text, pos)
            if found is None:
                return None
            skip_to = self._code_end(text, found, markdown)
            if skip_to is not None:
                pos = skip_to
                continue
            inner = found.group("name")
            if inner == name:
                depth += 1
            elif inner == "end" + name:
                if depth == 0:
                    return found.start(), found.end()
                depth -= 1
            elif _ALIASES.get(inner) in ("raw", "codeblock"):
                inner_end = self._block_end(text, found, inner, markdown)
                if inner_end is not None:
                    pos = inner_end[1]
                    continue
            pos = found.end()

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
        if not text.strip():
            return ""
        match = _CAPTION_URL_TITLE.search(text)
        if match:
            title, url, link_text = match.groups()
        else:
            match = _CAPTION_URL.search(text)
            if match:
                (title, url), link_text = match.groups(), "link"
            else:
                title, url, link_text = text.strip(), "", ""
        caption = _text(title.strip())
        if url:
            caption += f' <a href="{_attr(url)}">{_text(link_text.strip())}</a>'
        return caption

    def _blockquote(self, args, inner):
        footer = self._cite(" ".join(args))
        return f"<blockquote>{inner}{footer}</blockquote>"

    @staticmethod
    def _cite(text):
        if not text:
            return ""
        url = title = ""
        match = _CITE_WITH_TITLE.search(text)
        if match:
            author, url, title = match.groups()
        elif (match := _CITE_WITH_LINK.search(text)) is not None:
            author, url = match.groups()
        elif (match := _AUTHOR_TITLE.search(text)) is not None:
            author, title = match.groups()
        else:
            author = text
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

    def _inline_plugin(self, kind, name, args):
        if kind in ("img", "asset_img"):
            return self._image(kind, name, list(args))
        if not args:
            self.warn_once(("empty", name), f"Hexo tag plugin {{% {name} %}} without arguments left as text")
            return None
        if kind == "asset_path":
            return _attr(self._asset_url(args[0]))
        if kind == "asset_link":
            return self._asset_link(args)
        if kind == "youtube":
            video = args[0]
            if len(args) > 1 and args[1] == "playlist":
                url = f"https://www.youtube.com/playlist?list={video}"
            else:
                url = f"https://www.youtube.com/watch?v={video}"
        elif kind == "vimeo":
            url = f"https://vimeo.com/{args[0]}"
        else:  # iframe
            url = args[0]
        return f'<a href="{_attr(url)}">{_text(url)}</a>'

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
            self.warn_once(("no-src", name), f"Hexo tag plugin {{% {name} %}} without an image left as text")
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
    if not any(_is_local(html.unescape(next(v for v in m.groups() if v is not None)))
               for m in _ANY_SRC.finditer(fragment)):
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


_ATTRIBUTE = re.compile(
    r"""[\s/]*(?P<name>[^\s/>][^\s/=>]*)(?:\s*=+\s*(?P<value>'[^']*'|"[^"]*"|(?!['"])[^>\s]*))?"""
)


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
            rebuilt = [
                (k, new_src_by_old[src] if k == "src" and v == src else v) for k, v in attrs
            ]
            text = "<img" + "".join(
                f' {k}="{_attr(v)}"' if v is not None else f" {k}" for k, v in rebuilt
            )
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


def render_body(text, *, body_format="auto", suffix=".md", asset_folder=None, tag_plugins=True):
    """Render a legacy body to HTML (not yet sanitized) with its excerpt and local images.

    body_format: 'html' (kept as written, tag plugins converted), 'markdown' (CommonMark with
    tables and strikethrough, raw HTML kept), or 'auto' (see detect_format).
    asset_folder: the post's asset folder, prefixed to asset_img/asset_path/asset_link names.
    tag_plugins: False for posts that say `disableNunjucks: true` (Hexo's own switch).
    """
    if body_format not in BODY_FORMATS:
        raise ValueError(f"body_format must be one of {', '.join(BODY_FORMATS)}, not {body_format!r}")
    text = text or ""
    if body_format == "auto":
        body_format = detect_format(text, suffix)
    renderer = _Renderer(text, asset_folder, tag_plugins=tag_plugins)
    if body_format == "markdown":
        rendered = renderer.markdown(text.replace("\r\n", "\n").replace("\r", "\n"))
        excerpt, rendered = split_excerpt(shift_headings(rendered))
        rendered = rendered.strip()
    else:
        excerpt, rendered = split_excerpt(shift_headings(renderer.html(text)))
    return RenderedBody(
        html=rendered,
        excerpt_html=excerpt,
        local_images=find_local_images(rendered),
        warnings=renderer.warnings,
    )
