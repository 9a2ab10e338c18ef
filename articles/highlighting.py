"""Code blocks highlighted on the server: Pygments' tokens as `<span class="…">`, no JavaScript.

`highlight_code_blocks()` works on HTML the policy has cleaned (articles.sanitize), where a code
block reads exactly `<pre><code class="language-x">…</code></pre>`. It takes the block's text
(dropping the spans of an earlier highlighting), lexes it with the language's Pygments lexer and
writes one span per run of tokens of a kind, with Pygments' short class names, which are the
only span classes the policy keeps. Highlighting is a pure function of the text, so doing it
again changes nothing. A language Pygments does not know, a block holding other markup (links,
emphasis an author put in it) and a very long block are left as they are.

The colours live in static/css/site.css, a light and a dark set written by `style_sheet()`
(`manage.py pygments_css --write` puts them there).
"""

import functools
import html
import re

from pygments.lexers import get_lexer_by_name
from pygments.token import STANDARD_TYPES, Text, Whitespace
from pygments.util import ClassNotFound

# The serializer of the policy writes a code block's start tags exactly so.
_CODE_BLOCK = re.compile(r'(<pre><code class="language-(?P<language>[a-z0-9+#-]+)">)(?P<code>.*?)(</code></pre>)', re.S)
_SPAN_TAG = re.compile(r'</span>|<span class="[a-z0-9]+">')
# A block longer than this is shown plain: a lexer's time grows with it, and a save must not wait.
MAX_HIGHLIGHTED_CHARACTERS = 100_000

# Where the colours apply, and the Pygments styles they come from (light, then dark); both
# keep WCAG AA contrast on their backgrounds.
CODE_SELECTOR = ".article-body pre"
LIGHT_STYLE = "default"
DARK_STYLE = "github-dark"
STYLE_SHEET_START = "/* Code highlighting (written by `manage.py pygments_css --write`; do not edit by hand). */"
STYLE_SHEET_END = "/* End of code highlighting. */"


# Fence names that archives use and Pygments does not know by that name.
LANGUAGE_ALIASES = {"viml": "vim"}


@functools.lru_cache(maxsize=256)
def lexer_for(language):
    """The Pygments lexer for a fence's language name (case-insensitive), or None."""
    name = language.lower()
    try:
        # Keep the text exactly: no newline added at the end, none stripped at either end.
        return get_lexer_by_name(LANGUAGE_ALIASES.get(name, name), stripnl=False, stripall=False, ensurenl=False)
    except ClassNotFound:
        return None


def _css_class(token_type):
    while token_type not in STANDARD_TYPES:
        token_type = token_type.parent
    return STANDARD_TYPES[token_type]


def highlight(code, language):
    """`code` (plain text) as escaped HTML with token spans, or None if it is not highlighted."""
    lexer = lexer_for(language)
    if lexer is None or len(code) > MAX_HIGHLIGHTED_CHARACTERS:
        return None
    runs = []  # [css class, text] with neighbours of one class merged
    for token_type, value in lexer.get_tokens(code):
        css_class = "" if token_type in Text or token_type in Whitespace else _css_class(token_type)
        if runs and runs[-1][0] == css_class:
            runs[-1][1] += value
        elif value:
            runs.append([css_class, value])
    if "".join(value for _, value in runs) != code or not any(css_class for css_class, _ in runs):
        return None  # a lexer that changed the text, or found nothing to colour
    # Escaped as the policy's serializer escapes text, so that cleaning the result changes nothing.
    return "".join(
        f'<span class="{css_class}">{_escape(value)}</span>' if css_class else _escape(value)
        for css_class, value in runs
    )


def _escape(text):
    return html.escape(text, quote=False)


def _highlighted_block(match):
    inner = match.group("code")
    if "<" in _SPAN_TAG.sub("", inner):
        return match.group(0)  # other markup in the block: the author's, kept as it is
    code = html.unescape(_SPAN_TAG.sub("", inner))
    highlighted = highlight(code, match.group("language"))
    if highlighted is None:
        return match.group(0)
    return match.group(1) + highlighted + match.group(4)


def highlight_code_blocks(clean_html):
    """`clean_html` with every code block of a known language highlighted (see the module)."""
    if '<pre><code class="language-' not in clean_html:
        return clean_html
    return _CODE_BLOCK.sub(_highlighted_block, clean_html)


def style_sheet():
    """The CSS for the highlighter's classes: Pygments' LIGHT_STYLE on the site's code blocks, and
    DARK_STYLE, with its own background, when the reader's system is dark."""
    from pygments.formatters import HtmlFormatter

    def token_rules(formatter):
        # A lexer's "error" token is often only syntax it does not know: not worth a red box.
        return [rule for rule in formatter.get_token_style_defs(CODE_SELECTOR) if " .err " not in rule]

    light = token_rules(HtmlFormatter(style=LIGHT_STYLE))
    dark_formatter = HtmlFormatter(style=DARK_STYLE)
    dark_block = [rule for rule in dark_formatter.get_background_style_defs(CODE_SELECTOR) if ".hll" not in rule]
    dark = dark_block + token_rules(dark_formatter)
    return "\n".join(
        [
            STYLE_SHEET_START,
            *light,
            "@media (prefers-color-scheme: dark) {",
            *("  " + rule for rule in dark),
            "}",
            STYLE_SHEET_END,
        ]
    )
