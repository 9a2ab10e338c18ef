"""Plain text from stored (already clean) article HTML, for summaries and descriptions."""
import html
import re

from django.utils.html import strip_tags
from django.utils.text import Truncator

_BLOCK_END = re.compile(r"</(p|h[1-6]|li|blockquote|pre|figcaption|tr|td|th|dd|dt)>|<br\s*/?>", re.I)
# Chinese text needs no space between sentences; Latin text does.
_CJK_END = re.compile(r"[\u3000-\u303f\u3400-\u9fff\uff00-\uffef]$")


def plain_text(body_html):
    """The readable text of `body_html`: no tags, entities decoded, one space between blocks."""
    lines = html.unescape(strip_tags(_BLOCK_END.sub("\n", body_html or ""))).splitlines()
    text = ""
    for line in filter(None, (" ".join(line.split()) for line in lines)):
        text += line if not text or _CJK_END.search(text) else " " + line
    return text


def excerpt(body_html, length):
    """The first `length` characters of the body's text, cut with an ellipsis."""
    body_html = body_html or ""
    # Markup rarely outweighs text twenty to one; look at a prefix first, cut after a tag.
    prefix = body_html[: length * 20]
    if len(prefix) < len(body_html):
        prefix = prefix[: prefix.rfind(">") + 1]
        text = plain_text(prefix)
        if len(text) > length:
            return Truncator(text).chars(length)
    return Truncator(plain_text(body_html)).chars(length)
