"""A legacy body's headings, moved under the page's title.

The article page shows the title as its one <h1>; a body written for a generator often starts
its own outline at `#` (h1), sometimes at `###`. The body's headings keep their hierarchy and
move together so that its top level is h2 (h1..h3 become h2..h4; h6 stays the deepest).
"""
import re

BODY_TOP_LEVEL = 2
DEEPEST_LEVEL = 6

# A heading tag, outside comments and elements whose content is text (script, style, textarea).
_HEADING_TAG = re.compile(
    r"<!--.*?-->|<(?P<raw>script|style|textarea)\b.*?</(?P=raw)\s*>|<(?P<end>/?)[hH](?P<level>[1-6])(?=[\s/>])",
    re.I | re.S,
)


def shift_headings(html):
    """`html` with its h1..h6 moved so that the highest level used is BODY_TOP_LEVEL."""
    levels = [int(m.group("level")) for m in _HEADING_TAG.finditer(html) if m.group("level")]
    if not levels or min(levels) == BODY_TOP_LEVEL:
        return html
    shift = BODY_TOP_LEVEL - min(levels)

    def moved(match):
        if not match.group("level"):
            return match.group(0)
        level = min(int(match.group("level")) + shift, DEEPEST_LEVEL)
        return f"<{match.group('end')}h{level}"

    return _HEADING_TAG.sub(moved, html)
