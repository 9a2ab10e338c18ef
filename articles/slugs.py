"""Readable ASCII slugs for Chinese text: Hanzi become pinyin syllables joined by hyphens.

Django's slugify drops Hanzi entirely (an all-Chinese title would give an empty slug), so
we transliterate with pypinyin first; anything that still yields nothing falls back to a
caller-supplied default.
"""

from django.utils.text import slugify
from pypinyin import Style, lazy_pinyin


def readable_slug(text, *, max_length=80, fallback="item"):
    """Return a lowercase ASCII slug for `text`, at most `max_length` characters, never empty."""
    syllables = lazy_pinyin(text or "", style=Style.NORMAL, errors="default")
    # lazy_pinyin keeps runs of non-Hanzi as one item; separating items with spaces lets
    # slugify turn every boundary between a syllable and a Latin word into a hyphen.
    slug = slugify(" ".join(syllables))
    if len(slug) > max_length:
        slug = slug[:max_length].rsplit("-", 1)[0] or slug[:max_length]
    return slug.strip("-") or fallback


def unique_slug(base, taken, *, max_length=80):
    """Return `base`, or `base-2`, `base-3`… — the first that `taken(slug)` says is free."""
    candidate, n = base, 1
    while taken(candidate):
        n += 1
        suffix = f"-{n}"
        candidate = base[: max_length - len(suffix)].rstrip("-") + suffix
    return candidate
