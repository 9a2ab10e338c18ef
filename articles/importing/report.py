"""What an import tells: each warning's kind, a report row per file and a last summary row.

A warning is text that knows its kind (`warning(kind, text)`); it compares, prints and
serialises as its text, so code that collects plain strings keeps working. A plain string
without a kind is given one by `kind_of` from its wording, so every warning is counted under
a kind in the summary even when the code that wrote it names none.
"""

import collections
import re

FRONT_MATTER = "front matter"
UNKNOWN_KEY = "unknown key"
ENCODING = "encoding"
TITLE = "title"
DATE = "date"
SLUG = "slug"
IMAGE = "image"
EMBED_REMOVED = "embed removed"
CONTENT_REMOVED = "content removed"  # what the policy drops with its content: <style>, <svg> …
GENERATOR_SYNTAX = "generator syntax"
REDIRECT = "redirect"
IDENTITY = "identity"
FIELD_LENGTH = "field length"  # a value cut or left out to fit its field (importing.fields)
OTHER = "other"
KINDS = (
    FRONT_MATTER, UNKNOWN_KEY, ENCODING, TITLE, DATE, SLUG, IMAGE, EMBED_REMOVED, CONTENT_REMOVED,
    GENERATOR_SYNTAX, REDIRECT, IDENTITY, FIELD_LENGTH, OTHER,
)  # fmt: skip
"""Every kind, in the order the summary lists them."""

# The wording of warnings written without a kind, first match wins: a date that front matter
# could not read is a date problem, not a front-matter one.
_KINDS_BY_WORDING = (
    (re.compile(r"not a valid date|^(date|updated|update|lastmod|publishDate|expiryDate)\b"), DATE),
    (re.compile(r"^front matter|no front matter|scaffold|fence"), FRONT_MATTER),
    (re.compile(r"UTF-8|GB18030"), ENCODING),
    (re.compile(r"^title\b"), TITLE),
    (re.compile(r"^slug\b"), SLUG),
    (re.compile(r"unknown (front[- ]matter )?key", re.I), UNKNOWN_KEY),
    (
        re.compile(
            r"\b(iframe|embed|video|audio|object)\b.*\bremoved\b|\bremoved\b.*\b(iframe|embed|video|audio)\b", re.I
        ),
        EMBED_REMOVED,
    ),
    (re.compile(r"^content removed\b"), CONTENT_REMOVED),
    (
        re.compile(r"longer than [\d,]+ characters|more than [\d,]+; kept the first|deeper than the category tree"),
        FIELD_LENGTH,
    ),
    (re.compile(r"tag plugin|Hexo tag|Liquid|shortcode|kramdown|\{%|\{\{[<%]", re.I), GENERATOR_SYNTAX),
    (re.compile(r"^legacy URL|\bold address"), REDIRECT),
    (re.compile(r"image|picture|placeholder|cover|thumbnail", re.I), IMAGE),
)


class FileWarning(str):
    """A warning's text with its kind (one of KINDS)."""

    kind = OTHER

    def __new__(cls, kind, text):
        warning = super().__new__(cls, text)
        warning.kind = kind
        return warning

    def __reduce__(self):  # worker processes send warnings back pickled
        return FileWarning, (self.kind, str(self))


def warning(kind, text):
    """A warning of `kind` saying `text`."""
    return FileWarning(kind, text)


def kind_of(message):
    """The kind of a warning: its own, else the one its wording shows, else OTHER."""
    if isinstance(message, FileWarning):
        return message.kind
    return next((kind for pattern, kind in _KINDS_BY_WORDING if pattern.search(message)), OTHER)


def count_kinds(warnings):
    """A Counter of `warnings` by kind."""
    return collections.Counter(kind_of(message) for message in warnings)


def in_kind_order(counts):
    """(kind, count) pairs of a Counter of kinds, in the order of KINDS, without zeros."""
    return [(kind, counts[kind]) for kind in KINDS if counts.get(kind)]


def file_row(result, *, dry_run):
    """The report's row for one file's FileResult (a dry run names no article: none was kept)."""
    article = None if dry_run else result.article
    return {
        "row": "file",
        "path": str(result.path),
        "archive": result.archive,
        "source_path": result.source_path,
        "title": result.title or (article.title if article is not None else None) or None,
        "outcome": result.outcome.value,
        "article_id": article.pk if article else None,
        "url": article.get_absolute_url() if article else None,
        "warnings": [{"kind": kind_of(message), "message": str(message)} for message in result.warnings],
        "error": result.reason or None,
    }


def summary_row(*, archives, outcomes, warnings_by_kind, files, seconds, dry_run):
    """The report's last row: the run's archives, outcomes and warnings by kind."""
    return {
        "row": "summary",
        "archives": [{"name": archive.name, "root": str(archive.root)} for archive in archives],
        "files": files,
        "outcomes": {outcome.value: count for outcome, count in outcomes.items()},
        "warnings": dict(in_kind_order(warnings_by_kind)),
        "seconds": round(seconds, 3),
        "dry_run": dry_run,
    }
