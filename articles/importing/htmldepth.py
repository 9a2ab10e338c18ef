"""A linear check of how deep a body's HTML nests, before the sanitizer parses it.

The sanitizer's parser (html5lib, inside bleach) looks through the stack of open elements for
each new tag, so a body of thousands of unclosed tags takes minutes; this scan counts them first.
"""

import collections
import re

from .frontmatter import LegacyFileError
from .limits import MAX_OPEN_HTML_ELEMENTS

# A comment's start, or a tag with its attributes (up to the next `<` or `>`, so each character
# is read once).
_TAG = re.compile(r"<!--|<(/?)([A-Za-z][A-Za-z0-9-]*)[^<>]*>?")
_RAW_TEXT = frozenset({"script", "style", "textarea", "xmp", "title"})
# Elements that never hold content, and those an HTML parser closes by itself when the next of
# their kind (or their parent's end) comes: never counted as open.
_NOT_NESTING = frozenset(
    "area base br col embed hr img input link meta param source track wbr "
    "p li dt dd option optgroup tr td th thead tbody tfoot colgroup caption rb rt rtc rp".split()
)


def refuse_deep_html(html):
    """Raise LegacyFileError when `html` keeps more than MAX_OPEN_HTML_ELEMENTS elements open."""
    if html.count("<") <= MAX_OPEN_HTML_ELEMENTS:
        return
    open_by_name = collections.Counter()
    total = pos = 0
    while (tag := _TAG.search(html, pos)) is not None:
        pos = tag.end()
        name = (tag.group(2) or "").lower()
        if not name:  # a comment: to its end, or to the end of the text when it has none
            end = html.find("-->", pos)
            if end < 0:
                return
            pos = end + 3
            continue
        if tag.group(1):
            if open_by_name[name]:
                open_by_name[name] -= 1
                total -= 1
            continue
        if name in _RAW_TEXT:
            end = re.compile(rf"</{name}\b", re.I).search(html, pos)
            if end is None:
                return
            pos = end.end()
            continue
        if name in _NOT_NESTING or tag.group().endswith("/>"):
            continue
        open_by_name[name] += 1
        total += 1
        if total > MAX_OPEN_HTML_ELEMENTS:
            shown = ", ".join(f"<{n}> ×{c:,}" for n, c in open_by_name.most_common(3))
            raise LegacyFileError(
                f"the body's HTML leaves more than {MAX_OPEN_HTML_ELEMENTS:,} elements open at once "
                f"({shown}); not imported"
            )
