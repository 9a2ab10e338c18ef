"""Plain text from stored (already clean) article HTML, for summaries and descriptions."""

import functools
import html
import math
import re

from django.utils.html import strip_tags
from django.utils.text import Truncator

_BLOCK_END = re.compile(r"</(p|h[1-6]|li|blockquote|pre|figcaption|tr|td|th|dd|dt)>|<br\s*/?>", re.I)
# Chinese text needs no space between sentences; Latin text does.
_CJK_END = re.compile(r"[\u3000-\u303f\u3400-\u9fff\uff00-\uffef]$")


# Pure functions of a body that every article page asks for more than once (description,
# reading time, the JSON-LD): parsing 11 KB of HTML costs milliseconds each time.
@functools.lru_cache(maxsize=256)
def plain_text(body_html):
    """The readable text of `body_html`: no tags, entities decoded, one space between blocks."""
    lines = html.unescape(strip_tags(_BLOCK_END.sub("\n", body_html or ""))).splitlines()
    text = ""
    for line in filter(None, (" ".join(line.split()) for line in lines)):
        # Only the last character decides: searching the whole text again for each line was quadratic.
        text += line if not text or _CJK_END.search(text[-1]) else " " + line
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


# A sentence ends at a Chinese full stop, exclamation or question mark, or at a Latin one that is
# followed by a space (so that "3.5" and "example.com" are not sentence ends); closing quotes and
# brackets right after it belong to the sentence.
_SENTENCE_END = re.compile(r"(?:[。！？]|[.!?](?=\s|$))[”’」』）)\"']*")
# Below this share of the allowance a sentence end is too early: the cut would lose too much.
SENTENCE_CUT_FROM = 0.6
_HANZI = re.compile(r"[\u3400-\u4dbf\u4e00-\u9fff\uf900-\ufaff]")
_LATIN_WORD = re.compile(r"[A-Za-z0-9]+(?:['’.-][A-Za-z0-9]+)*")
HANZI_PER_MINUTE = 400
LATIN_WORDS_PER_MINUTE = 200


def sentence_excerpt(text, length):
    """`text` in at most `length` characters, ending on a sentence end when one falls late enough.

    Without one, the text is cut with an ellipsis (at a space in Latin text, when one is near).
    """
    text = " ".join((text or "").split())
    if len(text) <= length:
        return text
    # One character past the allowance shows whether a Latin full stop is followed by a space.
    ends = [m.end() for m in _SENTENCE_END.finditer(text[: length + 1]) if m.end() <= length]
    if ends and ends[-1] >= length * SENTENCE_CUT_FROM:
        return text[: ends[-1]].rstrip()
    cut = text[: length - 1]
    if text[length - 1].isascii() and text[length - 1].isalnum() and " " in cut[int(length * SENTENCE_CUT_FROM) :]:
        # The cut falls inside a Latin word: end at the last whole word instead.
        cut = cut.rsplit(" ", 1)[0]
    return cut.rstrip(" ,;:，、；：") + "…"


def reading_rule():
    """The reading-time rule as data, for the editor's live count (static/articles/admin/
    body-stats.js) to apply exactly as reading_minutes() does: the patterns are JavaScript too."""
    return {
        "hanzi": _HANZI.pattern,
        "latinWord": _LATIN_WORD.pattern,
        "hanziPerMinute": HANZI_PER_MINUTE,
        "latinWordsPerMinute": LATIN_WORDS_PER_MINUTE,
    }


@functools.lru_cache(maxsize=256)
def reading_minutes(body_html):
    """Whole minutes to read the body: ~400 Chinese characters or ~200 Latin words a minute, at least 1."""
    text = plain_text(body_html)
    minutes = len(_HANZI.findall(text)) / HANZI_PER_MINUTE + len(_LATIN_WORD.findall(text)) / LATIN_WORDS_PER_MINUTE
    return max(1, math.ceil(minutes))
