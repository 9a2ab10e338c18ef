"""An article's saved revisions (django-reversion), what they held, and how two of them differ.

Plain functions for the admin's history, compare and restore views, and for the edit form's
optimistic lock. Diffs are structured data (kinds 'added', 'removed', 'same'); the template marks
them up with <ins>/<del> and escapes the text like any other stored text.
"""
import difflib
import re
from typing import NamedTuple

from django.utils import timezone
from reversion.errors import RevertError
from reversion.models import Version

from articles.models import Article, Transition
from articles.text import plain_text

# The fields a revision comparison shows, in order.
COMPARED_FIELDS = ("title", "summary", "body")

ADDED, REMOVED, SAME = "added", "removed", "same"

# A sentence ends after Chinese or Latin end punctuation; a Latin full stop needs a space after it
# (so that "3.5" and "example.com" stay whole).
_SENTENCE_END = re.compile(r"(?<=[。！？；!?;…])\s*|(?<=\.)\s+")


class DiffLine(NamedTuple):
    kind: str  # ADDED, REMOVED or SAME
    text: str


class FieldDiff(NamedTuple):
    label: str
    lines: list

    @property
    def changed(self):
        return any(line.kind != SAME for line in self.lines)


def versions_for(article):
    """The saved versions of `article`, newest first, with their revision and its user."""
    return Version.objects.get_for_object(article).select_related("revision", "revision__user").order_by(
        "-revision__date_created", "-pk"
    )


def field_values(version):
    """The compared fields (title, summary, body) as `version` stored them."""
    data = version.field_dict
    return {name: data.get(name) or "" for name in COMPARED_FIELDS}


def latest_version(article_or_pk):
    """The newest saved version of an article (or its pk), or None."""
    pk = getattr(article_or_pk, "pk", article_or_pk)
    return (
        Version.objects.get_for_object_reference(Article, pk)
        .select_related("revision", "revision__user")
        .order_by("-pk")
        .first()
    )


def body_lines(body_html):
    """The readable text of a body, one sentence a line: what a reader would see changed."""
    return [part.strip() for part in _SENTENCE_END.split(plain_text(body_html)) if part.strip()]


def _text_lines(value):
    return [line.strip() for line in (value or "").splitlines() if line.strip()]


def diff_lines(old_lines, new_lines):
    """Line diff of two lists of strings as DiffLines (a replaced run: removed, then added)."""
    lines = []
    matcher = difflib.SequenceMatcher(None, old_lines, new_lines, autojunk=False)
    for op, i1, i2, j1, j2 in matcher.get_opcodes():
        if op == "equal":
            lines.extend(DiffLine(SAME, text) for text in old_lines[i1:i2])
            continue
        lines.extend(DiffLine(REMOVED, text) for text in old_lines[i1:i2])
        lines.extend(DiffLine(ADDED, text) for text in new_lines[j1:j2])
    return lines


def diff(old_values, new_values):
    """[(field label, [DiffLine, ...]), ...] for title, summary and body (body as readable text)."""
    result = []
    for name in COMPARED_FIELDS:
        split = body_lines if name == "body" else _text_lines
        label = str(Article._meta.get_field(name).verbose_name)
        result.append(
            FieldDiff(label, diff_lines(split(old_values.get(name)), split(new_values.get(name))))
        )
    return result


def user_name(user):
    if user is None:
        return ""
    return user.get_full_name() or user.get_username()


def last_change(article_pk):
    """(who, when) of the latest change to an article: its newest revision, else its newest
    workflow transition, else its updated_at with an unknown author. `who` may be ""."""
    version = latest_version(article_pk)
    if version is not None:
        return user_name(version.revision.user), version.revision.date_created
    transition = Transition.objects.filter(article_id=article_pk).select_related("by").order_by("-at", "-id").first()
    if transition is not None:
        return user_name(transition.by), transition.at
    updated_at = Article.objects.filter(pk=article_pk).values_list("updated_at", flat=True).first()
    return "", updated_at or timezone.now()


def current_edit_version(article_pk, *, lock=False):
    """The edit_version an open form must carry to save over the article.

    Normally the row's own value. While reversion's revision view has reverted the row inside its
    transaction, the row holds the OLD version's value; the newest revision still records the real
    one, so the larger of the two is taken: the lock keeps working and the number never goes back.
    """
    rows = Article.objects.filter(pk=article_pk)
    if lock:
        rows = rows.select_for_update()
    stored = rows.values_list("edit_version", flat=True).first() or 0
    version = latest_version(article_pk)
    recorded = 0
    if version is not None:
        try:
            recorded = int(version.field_dict.get("edit_version") or 0)
        except (RevertError, TypeError, ValueError):  # unreadable old data: the row decides
            recorded = 0
    return max(stored, recorded)
