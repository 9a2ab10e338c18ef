"""Jekyll's Liquid and kramdown syntax in a post body, turned into content.

Jekyll runs Liquid over the whole file before Markdown, code included, so what Liquid consumed
never showed: `{% raw %}` markers, comments, `{{ "literal" }}` outputs. `protect()` handles these
first, everywhere, and hides the braces of what `raw` kept (and of the literals) behind a
private-use character that `restore()` turns back after rendering, so the later passes see no
syntax in them and Markdown still reads them. The other tags are handled outside code, with the
Hexo ones (Octopress, which Hexo copied, shares `img`, `blockquote`, `codeblock` …):
`{% highlight lang [linenos] %}` becomes a fenced block, `{% post_url %}` and `{% link %}`
links to the imported article, `{% include %}` is removed, warned.
"""

import re

from .syntax import REMOVED, Code, Html, text

# The character that stands for "{" in text Liquid must not read.
_BRACE_CANDIDATES = tuple(chr(code) for code in range(0xE000, 0xE100))

_PROTECTED = re.compile(
    r"(?P<raw>\{%-?[ \t]*raw[ \t]*-?%\})"
    r"|(?P<comment>\{%-?[ \t]*comment[ \t]*-?%\})"
    r"|(?P<literal>\{\{-?[ \t]*(?:\"(?P<double>[^\"\n]*)\"|'(?P<single>[^'\n]*)')[ \t]*-?\}\})"
)
_END_RAW = re.compile(r"\{%-?[ \t]*endraw[ \t]*-?%\}")
_END_COMMENT = re.compile(r"\{%-?[ \t]*endcomment[ \t]*-?%\}")
# Site values that are address prefixes: without them a link is the old site's own path.
_ADDRESS_PREFIXES = frozenset({"site.url", "site.baseurl", "site.base_url", "base_url", "site.root"})
_EXPRESSION_HEAD = re.compile(r"[\w.\[\]'\"-]+")
_TOC = re.compile(r"^[ \t]*toc\b")
# kramdown's attribute definitions: `.class`, `#id`, `key="value"`, a reference name.
_ATTRIBUTE = r"""(?:[.#][\w-]+|[A-Za-z_][\w-]*(?:=(?:"[^"]*"|'[^']*'|[^\s"'}]+))?)"""
_ATTRIBUTES = re.compile(rf"[ \t]*(?:{_ATTRIBUTE}(?:[ \t]++{_ATTRIBUTE})*+)?[ \t]*")
_LIST_ITEM_LINE = re.compile(r"(?:^|\n)[ \t]{0,3}(?:[*+-]|\d+[.)])[ \t]+[^\n]*\n[ \t]*$")


def brace_for(text):
    """A private-use character that does not occur in `text`."""
    return next((c for c in _BRACE_CANDIDATES if c not in text), "\ue000")


def protect(text, brace):
    """`text` with raw blocks, comments and literal outputs done as Liquid does them (see module)."""
    if "{" not in text:
        return text
    out = []
    pos = 0
    no_end_after = {}  # an end tag that was not found after a position is not found after any later one
    while True:
        match = _PROTECTED.search(text, pos)
        if match is None:
            out.append(text[pos:])
            return "".join(out)
        out.append(text[pos : match.start()])
        if match.group("literal") is not None:
            literal = match.group("double") if match.group("double") is not None else match.group("single")
            out.append(literal.replace("{", brace))
            pos = match.end()
            continue
        kind = "raw" if match.group("raw") is not None else "comment"
        end_pattern = _END_RAW if kind == "raw" else _END_COMMENT
        close = None
        if no_end_after.get(kind, len(text) + 1) > match.end():
            close = end_pattern.search(text, match.end())
            if close is None:
                no_end_after[kind] = match.end()
        if close is None:
            # Liquid refuses the page; the marker alone goes, what follows stays.
            pos = match.end()
            continue
        if kind == "raw":
            out.append(text[match.end() : close.start()].replace("{", brace))
        pos = close.end()


def restore(rendered, brace):
    return rendered.replace(brace, "{") if brace in rendered else rendered


# -- tags --------------------------------------------------------------------------------------


def post_url(ctx, name, args):
    """`{% post_url 2010-07-21-name %}`: the post's address."""
    if not args:
        ctx.warn_once(("empty", name), "Liquid tag {% post_url %} without a post name: removed")
        return REMOVED
    return Html(ctx.url_or_link("jekyll", args[0], text(args[0])))


def include(ctx, name, args):
    shown = f"{{% {name} {' '.join(args)} %}}".replace("  ", " ")
    ctx.warn_once(("include", " ".join(args)), f"Liquid tag {shown} includes a file of the old site's theme: removed")
    return REMOVED


def highlight(ctx, name, args, content):
    """`{% highlight lang [linenos] %}`: a code block in that language (Pygments names, lower-case)."""
    language = args[0].lower() if args else ""
    return Code(content.strip("\r\n"), language)


def comment(ctx, name, args, content):
    return REMOVED


TAGS = {
    "post_url": ("inline", post_url),
    "include": ("inline", include),
    "include_relative": ("inline", include),
    "include_cached": ("inline", include),
    "highlight": ("verbatim", highlight),
    "comment": ("verbatim", comment),
}


# -- output and attribute lists ------------------------------------------------------------------


def output(ctx, expression, *, everything, site=None):
    """What `{{ expression }}` leaves: a value, "" (removed) or None (kept as text).

    `everything`: in a Jekyll archive Liquid read every output; elsewhere only `site.*` and
    `page.*` are taken for template values. `site`: the site's config, whose plain values
    `{{ site.key }}` shows (address prefixes are dropped: the link becomes the old site's path).
    """
    expression = expression.strip().strip("-").strip()
    head = _EXPRESSION_HEAD.match(expression)
    head = head.group() if head else expression
    if head in _ADDRESS_PREFIXES:
        return ""
    if not everything and not head.startswith(("site.", "page.")):
        return None
    if everything and head == expression and head.startswith("site.") and site:
        value = site.get(head[len("site.") :])
        if isinstance(value, (str, int, float)) and not isinstance(value, bool):
            return str(value)
    ctx.warn_once(("output", head), f"Liquid output {{{{ {expression} }}}} has no value here: removed")
    return ""


def attribute_list(ctx, tag_args, *, alone_on_line, attached):
    """kramdown's `{: .class}` / `{:toc}`: removed when it stands alone or follows a span."""
    if not (alone_on_line or attached) or not _ATTRIBUTES.fullmatch(tag_args):
        return None
    if _TOC.match(tag_args):
        ctx.warn_once(("kramdown", "toc"), "kramdown table of contents {:toc} removed")
    else:
        ctx.warn_once(("kramdown", "ial"), f"kramdown attribute list {{:{tag_args}}} removed")
    return ""


def is_toc(tag_args):
    return bool(_TOC.match(tag_args))


def drop_toc_list_item(before):
    """`before` without its last line when that is the one-item list kramdown replaces by the TOC."""
    match = _LIST_ITEM_LINE.search(before[-2000:])
    if match is None:
        return before
    cut = len(before) - (len(before[-2000:]) - match.start())
    return before[:cut] + ("\n" if match.group().startswith("\n") else "")
