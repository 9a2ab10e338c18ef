"""A legacy body's headings, moved under the page's title.

The article page shows the title as its one <h1>; a body written for a generator often starts
its own outline at `#` (h1), sometimes at `###`. The body's headings keep their hierarchy and
move together so that its top level is h2 (h1..h3 become h2..h4; h6 stays the deepest).
"""

import re

BODY_TOP_LEVEL = 2
DEEPEST_LEVEL = 6

# A heading tag, or the start of a comment or of an element whose content is text (script,
# style, textarea): their ends are found with str.find, so that an unclosed one is scanned once.
_HEADING_OR_OPENING = re.compile(
    r"(?P<comment><!--)|<(?P<raw>script|style|textarea)\b|<(?P<end>/?)[hH](?P<level>[1-6])(?=[\s/>])",
    re.I,
)
_RAW_ENDS = {name: re.compile(rf"</{name}\s*>", re.I) for name in ("script", "style", "textarea")}


def _heading_tags(html):
    """The matches of heading tags in `html`, outside comments and raw-text elements."""
    pos = 0
    while (match := _HEADING_OR_OPENING.search(html, pos)) is not None:
        if match.group("level"):
            yield match
            pos = match.end()
            continue
        if match.group("comment"):
            end = html.find("-->", match.end())
            end = -1 if end < 0 else end + 3
        else:
            closing = _RAW_ENDS[match.group("raw").lower()].search(html, match.end())
            end = -1 if closing is None else closing.end()
        if end < 0:  # unclosed: everything after it is its content
            return
        pos = end


def shift_headings(html):
    """`html` with its h1..h6 moved so that the highest level used is BODY_TOP_LEVEL."""
    tags = list(_heading_tags(html))
    if not tags or min(int(m.group("level")) for m in tags) == BODY_TOP_LEVEL:
        return html
    shift = BODY_TOP_LEVEL - min(int(m.group("level")) for m in tags)
    parts, pos = [], 0
    for match in tags:
        level = min(int(match.group("level")) + shift, DEEPEST_LEVEL)
        parts += [html[pos : match.start()], f"<{match.group('end')}h{level}"]
        pos = match.end()
    parts.append(html[pos:])
    return "".join(parts)
