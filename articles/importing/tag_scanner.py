"""Finding generator syntax in a post body, in one pass: code to leave alone, and tags to convert.

Recognised, outside code (fences, code spans and HTML <pre>/<code> in Markdown; only the HTML
elements in HTML bodies):

- `{% name args %}`: Hexo tag plugins (Nunjucks) and Jekyll tags (Liquid), `{%- -%}` too;
- `{{< name args >}}` and `{{% name args %}}`: Hugo shortcodes, and their closing `{{< /name >}}`;
- `{{ expression }}`: Liquid (and Nunjucks) output;
- `{: attributes}`: kramdown's attribute lists.

Every search for a closing delimiter goes through `_NextMatch`, which remembers where the next
one is: a hostile body full of openers that are never closed costs one pass, not one pass per
opener. Tags are then paired (`{% x %}` with `{% endx %}`, `{{< x >}}` with `{{< /x >}}`) with a
stack per name, so a block's end is known without searching for it.
"""

import re
from dataclasses import dataclass, field

MAX_SHORTCODE_LENGTH = 2000  # a shortcode's arguments may span lines, but not pages
MAX_CODE_SPAN_RUN = 32  # longer backtick runs are not taken as code-span delimiters

_OPENERS_MARKDOWN = re.compile(
    r"(?P<fence>^[ \t>]*(?P<fchars>`{3,}|~{3,})(?P<info>[^\n]*))"
    r"|(?P<ticks>`+)"
    r"|(?P<htmlcode><(?P<hname>(?i:pre|code))(?=[\s>/]))"
    r"|(?P<brace>\{(?:%|\{|:))",
    re.M,
)
_OPENERS_HTML = re.compile(r"(?P<htmlcode><(?P<hname>(?i:pre|code))(?=[\s>/]))|(?P<brace>\{(?:%|\{|:))")
_BLANK_LINE = re.compile(r"\n[ \t]*\n")
_NEWLINE = re.compile(r"\n")
_TAG_INSIDE = re.compile(r"-?[ \t]*(?P<name>[A-Za-z_][\w-]*)(?P<args>.*)", re.S)
_SHORTCODE_INSIDE = re.compile(r"-?[ \t\n]*(?P<closing>/)?[ \t\n]*(?P<name>[A-Za-z_][\w./-]*)(?P<args>.*)", re.S)
_CLOSERS = {
    "%": re.compile(r"%\}"),
    "}": re.compile(r"\}\}"),
    ":": re.compile(r"\}"),
    "<": re.compile(r">\}\}"),
    "%%": re.compile(r"%\}\}"),
}


@dataclass
class Tag:
    """One piece of generator syntax: where it is, what it says."""

    syntax: str  # "tag" {% %}, "shortcode" {{< >}} {{% %}}, "output" {{ }}, "attributes" {: }
    start: int
    end: int
    name: str = ""
    args: str = ""
    closing: bool = False  # a shortcode's {{< /name >}}
    self_closing: bool = False  # {{< name />}}
    delimiter: str = ""  # "<" or "%" for shortcodes
    pair: int | None = None  # index of the matching closer (in an opener) or opener (in a closer)
    verbatim_end: tuple | None = None  # (content end, tag end) of a block whose content is not parsed


@dataclass
class Token:
    kind: str  # "text", "code", "tag"
    start: int
    end: int
    tag: Tag | None = None


class _NextMatch:
    """The first match of `pattern` at or after a position; positions asked for only grow."""

    __slots__ = ("pattern", "text", "searched_from", "match")

    def __init__(self, pattern, text):
        self.pattern, self.text = pattern, text
        self.searched_from = -1
        self.match = None

    def at_or_after(self, pos):
        if self.searched_from >= 0 and pos >= self.searched_from:
            if self.match is None or self.match.start() >= pos:
                return self.match
        self.searched_from = pos
        self.match = self.pattern.search(self.text, pos)
        return self.match


@dataclass
class Scan:
    """A body cut into text, code and tag tokens, tags paired."""

    text: str
    tokens: list = field(default_factory=list)


class Scanner:
    """Cuts one text into tokens. `verbatim(tag)` returns the compiled end pattern of a tag whose
    content is not parsed (raw, codeblock, highlight …), or None."""

    def __init__(self, text, *, markdown, verbatim=lambda tag: None):
        self.text = text
        self.markdown = markdown
        self.verbatim = verbatim
        self._next = {}

    def _find(self, key, pattern, pos):
        finder = self._next.get(key)
        if finder is None:
            finder = self._next[key] = _NextMatch(pattern, self.text)
        return finder.at_or_after(pos)

    def _line_end(self, pos):
        found = self._find("newline", _NEWLINE, pos)
        return found.start() if found else len(self.text)

    def scan(self):
        text = self.text
        openers = _OPENERS_MARKDOWN if self.markdown else _OPENERS_HTML
        tokens = []
        pos = text_from = 0
        while True:
            match = openers.search(text, pos)
            if match is None:
                break
            code_end = self._code_end(match)
            if code_end is not None:
                if code_end > match.start():
                    if match.start() > text_from:
                        tokens.append(Token("text", text_from, match.start()))
                    tokens.append(Token("code", match.start(), code_end))
                    text_from = code_end
                pos = max(code_end, match.end())
                continue
            tag = self._brace(match.start())
            if tag is None:
                pos = match.end()
                continue
            if tag.start > text_from:
                tokens.append(Token("text", text_from, tag.start))
            tokens.append(Token("tag", tag.start, tag.end, tag))
            text_from = pos = tag.end
            if tag.syntax in ("tag", "shortcode") and not tag.closing:
                end_pattern = self.verbatim(tag)
                if end_pattern is not None:
                    close = self._find(("verbatim", end_pattern.pattern), end_pattern, tag.end)
                    if close is not None:
                        tag.verbatim_end = (close.start(), close.end())
                        tokens[-1].end = close.end()
                        text_from = pos = close.end()
        if text_from < len(text):
            tokens.append(Token("text", text_from, len(text)))
        _pair(tokens)
        return Scan(text, tokens)

    # -- code ---------------------------------------------------------------------------------

    def _code_end(self, match):
        """Where the code region opened at `match` ends (match.start() when it is no code), or
        None when `match` is a brace."""
        if match.group("brace") is not None:
            return None
        text = self.text
        if match.group("htmlcode") is not None:
            name = match.group("hname").lower()
            close = self._find(("html", name), re.compile(rf"</{name}\s*>", re.I), match.end())
            return close.end() if close else match.start()
        if match.group("fence") is not None:
            fence = match.group("fchars")
            if fence[0] != "`" or "`" not in match.group("info"):
                line_end = text.find("\n", match.end())
                if line_end < 0:
                    return len(text)
                # A fence's region is consumed whole: each part of the text is searched once.
                closing = re.compile(rf"^[ \t>]*{re.escape(fence[0])}{{{len(fence)},}}[ \t]*$", re.M)
                close = closing.search(text, line_end + 1)
                return close.end() if close else len(text)
            start, run = match.start("fchars"), len(fence)
        else:
            start, run = match.start("ticks"), len(match.group("ticks"))
        if run > MAX_CODE_SPAN_RUN:
            return start
        # A code span: the same number of backticks closes it, within the paragraph.
        blank = self._find("blank", _BLANK_LINE, start + run)
        limit = blank.start() if blank else len(text)
        closing = re.compile(rf"(?<!`)`{{{run}}}(?!`)")
        close = self._find(("ticks", run), closing, start + run)
        if close is None or close.start() >= limit:
            return start
        return close.end()

    # -- braces -------------------------------------------------------------------------------

    def _brace(self, start):
        text = self.text
        second = text[start + 1]
        if second == "%":
            return self._tag(start)
        if second == ":":
            close = self._find(":", _CLOSERS[":"], start + 2)
            if close is None or close.start() > self._line_end(start):
                return None
            return Tag("attributes", start, close.end(), args=text[start + 2 : close.start()])
        third = text[start + 2 : start + 3]
        if third in ("<", "%"):
            tag = self._shortcode(start, third)
            if tag is not None:
                return tag
        close = self._find("}", _CLOSERS["}"], start + 2)
        if close is None or close.start() > self._line_end(start):
            return None
        return Tag("output", start, close.end(), args=text[start + 2 : close.start()])

    def _tag(self, start):
        close = self._find("%", _CLOSERS["%"], start + 2)
        if close is None or close.start() > self._line_end(start):
            return None
        inside = _TAG_INSIDE.match(self.text, start + 2, close.start())
        if inside is None:
            return None
        args = inside.group("args")
        if args.endswith("-"):
            args = args[:-1]
        return Tag("tag", start, close.end(), name=inside.group("name"), args=args)

    def _shortcode(self, start, delimiter):
        key = "<" if delimiter == "<" else "%%"
        close = self._find(key, _CLOSERS[key], start + 3)
        if close is None or close.start() - start > MAX_SHORTCODE_LENGTH:
            return None
        inside = _SHORTCODE_INSIDE.match(self.text, start + 3, close.start())
        if inside is None:
            return None
        args = inside.group("args").rstrip()
        self_closing = args.endswith("/")
        if self_closing:
            args = args[:-1]
        if args.endswith("-"):
            args = args[:-1]
        return Tag(
            "shortcode",
            start,
            close.end(),
            name=inside.group("name"),
            args=args.strip(),
            closing=bool(inside.group("closing")),
            self_closing=self_closing,
            delimiter=delimiter,
        )


def _pair(tokens):
    """Pair openers and closers with a stack per name; unpaired tags keep pair=None."""
    open_tags = {}
    for index, token in enumerate(tokens):
        tag = token.tag
        if tag is None or tag.syntax not in ("tag", "shortcode") or tag.verbatim_end is not None:
            continue
        if tag.syntax == "tag":
            if tag.name.startswith("end") and len(tag.name) > 3 and open_tags.get(("tag", tag.name[3:])):
                opener = open_tags[("tag", tag.name[3:])].pop()
                tokens[opener].tag.pair, tag.pair = index, opener
            else:
                open_tags.setdefault(("tag", tag.name), []).append(index)
        elif tag.closing:
            stack = open_tags.get(("shortcode", tag.name))
            if stack:
                opener = stack.pop()
                tokens[opener].tag.pair, tag.pair = index, opener
        elif not tag.self_closing:
            open_tags.setdefault(("shortcode", tag.name), []).append(index)


def is_closer(tag):
    """A tag that ends a block: `{% endx %}` or `{{< /x >}}`."""
    if tag.syntax == "shortcode":
        return tag.closing
    return tag.syntax == "tag" and tag.name.startswith("end") and len(tag.name) > 3


def scan(text, *, markdown, verbatim=lambda tag: None):
    """The tokens of `text` (see Scanner)."""
    return Scanner(text, markdown=markdown, verbatim=verbatim).scan()
