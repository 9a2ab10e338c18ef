"""An article's saved revisions (django-reversion), what they held, and how two of them differ.

Plain functions for the admin's history, compare and restore views, and for the edit form's
optimistic lock. Diffs are structured data (kinds 'added', 'removed', 'same'); the template marks
them up with <ins>/<del> and escapes the text like any other stored text.

What a revision holds of an article: Django's serializer writes every column and the category
pks, but leaves out the tags (taggit keeps them in a through model of its own). record_tag_names()
adds their names beside the serialized fields as each revision is saved, where reverting, which
reads only the fields, does not see them; revisions saved before that hold no tags ("not recorded").
"""

import difflib
import json
import re
from collections import defaultdict
from dataclasses import dataclass, field
from html.parser import HTMLParser
from typing import NamedTuple

from django.contrib.contenttypes.models import ContentType
from django.utils import timezone
from django.utils.formats import date_format
from django.utils.translation import gettext
from reversion.errors import RevertError
from reversion.models import Version

from articles.models import Article, Author, Category, Image, TaggedArticle, Transition
from articles.text import plain_text

# The fields a revision comparison shows, in order: everything an editor sets on an article.
COMPARED_FIELDS = (
    "title",
    "slug",
    "summary",
    "seo_title",
    "seo_description",
    "body",
    "author",
    "categories",
    "tags",
    "hero_image",
    "thumbnail",
    "published_at",
    "expires_at",
    "allow_comments",
    "status",
)
# Compared line by line as plain text (the body as its readable text, one sentence a line).
TEXT_FIELDS = ("title", "slug", "summary", "seo_title", "seo_description")
IMAGE_FIELDS = ("hero_image", "thumbnail")
DATETIME_FIELDS = ("published_at", "expires_at")

# Where an article version keeps its tag names: beside "fields", which reverting reads.
TAG_NAMES_KEY = "tag_names"

ADDED, REMOVED, SAME = "added", "removed", "same"
CHANGED, UNCHANGED, UNKNOWN = "changed", "unchanged", "unknown"

# A sentence ends after Chinese or Latin end punctuation; a Latin full stop needs a space after it
# (so that "3.5" and "example.com" stay whole).
_SENTENCE_END = re.compile(r"(?<=[。！？；!?;…])\s*|(?<=\.)\s+")


class DiffLine(NamedTuple):
    kind: str  # ADDED, REMOVED or SAME
    text: str


@dataclass(frozen=True)
class FieldDiff:
    """One field from the older version to the newer."""

    name: str
    label: str
    state: str  # CHANGED, UNCHANGED, or UNKNOWN when a version did not record it or cannot be read
    lines: list = field(default_factory=list)  # DiffLines, when both versions hold the field
    # The body's images, links and embeds as DiffLines, when they changed.
    references: list = field(default_factory=list)
    note: str = ""
    # UNKNOWN only: what each version holds, or why it is not known.
    old: str = ""
    new: str = ""

    @property
    def changed(self):
        return self.state == CHANGED


@dataclass(frozen=True)
class Comparison:
    """Every compared field from one version of an article to another."""

    fields: list
    unreadable: bool = False  # a version's data could not be read at all

    @property
    def changed(self):
        return [diff for diff in self.fields if diff.state == CHANGED]

    @property
    def unchanged(self):
        return [diff for diff in self.fields if diff.state == UNCHANGED]

    @property
    def unknown(self):
        return [diff for diff in self.fields if diff.state == UNKNOWN]


def versions_for(article):
    """The saved versions of `article`, newest first, with their revision and its user."""
    return (
        Version.objects.get_for_object(article)
        .select_related("revision", "revision__user")
        .order_by("-revision__date_created", "-pk")
    )


def latest_version(article_or_pk):
    """The newest saved version of an article (or its pk), or None."""
    pk = getattr(article_or_pk, "pk", article_or_pk)
    return (
        Version.objects.get_for_object_reference(Article, pk)
        .select_related("revision", "revision__user")
        .order_by("-pk")
        .first()
    )


def record_tag_names(sender, revision, versions, **kwargs):
    """pre_revision_commit: write each article's current tag names into its version (one query)."""
    article_type = ContentType.objects.get_for_model(Article)
    article_versions = [v for v in versions if v.content_type_id == article_type.pk and v.format == "json"]
    if not article_versions:
        return
    names = defaultdict(list)
    tagged = TaggedArticle.objects.filter(content_object_id__in=[v.object_id for v in article_versions])
    for article_id, name in tagged.values_list("content_object_id", "tag__name"):
        names[str(article_id)].append(name)
    for version in article_versions:
        data = json.loads(version.serialized_data)
        data[0][TAG_NAMES_KEY] = sorted(names[version.object_id])
        version.serialized_data = json.dumps(data, ensure_ascii=False)


def stored_values(version):
    """The compared fields as `version` stored them: {name: value}, related rows by pk, tags by
    name. A field the version did not record is left out; None when its data cannot be read."""
    try:
        values = version.field_dict
        stored = json.loads(version.serialized_data)[0]
        recorded = set(stored["fields"])
    except (RevertError, ValueError, TypeError, LookupError, AttributeError):
        return None
    result = {}
    for name in COMPARED_FIELDS:
        if name == "tags":
            if isinstance(stored.get(TAG_NAMES_KEY), list):
                result[name] = stored[TAG_NAMES_KEY]
        elif name in recorded:
            result[name] = values[Article._meta.get_field(name).attname]
    return result


def body_lines(body_html):
    """The readable text of a body, one sentence a line: what a reader would see changed."""
    return [part.strip() for part in _SENTENCE_END.split(plain_text(body_html)) if part.strip()]


class _ReferenceParser(HTMLParser):
    def __init__(self):
        super().__init__(convert_charrefs=True)
        self.lines = []

    def handle_starttag(self, tag, attrs):
        attrs = dict(attrs)
        if tag == "img" and attrs.get("src"):
            line = gettext("图片：%(src)s") % {"src": attrs["src"]}
            if attrs.get("alt"):
                line += gettext("（替代文本：%(alt)s）") % {"alt": attrs["alt"]}
            self.lines.append(line)
        elif tag == "a" and attrs.get("href"):
            self.lines.append(gettext("链接：%(href)s") % {"href": attrs["href"]})
        elif tag == "iframe" and attrs.get("src"):
            self.lines.append(gettext("嵌入：%(src)s") % {"src": attrs["src"]})


def body_references(body_html):
    """The images, links and embeds of a body in order, one a line: markup a reader meets that
    its readable text does not show."""
    parser = _ReferenceParser()
    parser.feed(body_html or "")
    parser.close()
    return parser.lines


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


class RelatedNames(NamedTuple):
    """How people know the rows that stored values point at, looked up together."""

    authors: dict
    categories: dict
    images: dict

    @classmethod
    def of(cls, *stored):
        """The names of the authors, categories and images that the stored values (dicts, or
        None) refer to: at most four queries, however many values and versions."""
        stored = [values for values in stored if values]
        author_pks = {values.get("author") for values in stored} - {None}
        image_pks = {values.get(name) for values in stored for name in IMAGE_FIELDS} - {None}
        category_pks = {pk for values in stored for pk in values.get("categories") or ()}
        images = Image.objects.filter(pk__in=image_pks).only("title", "alt_text", "file", "source_url")
        return cls(
            authors=dict(Author.objects.filter(pk__in=author_pks).values_list("pk", "name")) if author_pks else {},
            categories=Category.objects.path_names(category_pks),
            images={image.pk: image_label(image) for image in images} if image_pks else {},
        )

    def author(self, pk):
        return self.authors.get(pk) or gettext("已删除的作者（#%(pk)s）") % {"pk": pk}

    def category(self, pk):
        return self.categories.get(pk) or gettext("已删除的分类（#%(pk)s）") % {"pk": pk}

    def image(self, pk):
        return self.images.get(pk) or gettext("已删除的图片（#%(pk)s）") % {"pk": pk}


def image_label(image):
    """An image as an editor recognises it: its title or alt text, and its file name."""
    name = str(image)
    location = image.file.name if image.file else image.source_url
    file_name = location.rstrip("/").rsplit("/", 1)[-1]
    return f"{name}（{file_name}）" if file_name and file_name not in name else name


def shown_lines(name, value, related):
    """A stored value as the lines a comparison shows; [] for an empty value."""
    if name == "body":
        return body_lines(value)
    if name in TEXT_FIELDS:
        return _text_lines(value)
    if name == "categories":
        return sorted(related.category(pk) for pk in value or ())
    if name == "tags":
        return sorted(value)
    if value is None:
        return []
    if name == "author":
        return [related.author(value)]
    if name in IMAGE_FIELDS:
        return [related.image(value)]
    if name in DATETIME_FIELDS:
        return [date_format(timezone.localtime(value) if timezone.is_aware(value) else value, "Y-m-d H:i")]
    if name == "allow_comments":
        return [gettext("是") if value else gettext("否")]
    if name == "status":
        return [str(dict(Article.Status.choices).get(value, value))]
    return [str(value)]


def compare(old, new):
    """A Comparison of two versions of one article, `old` to `new`, every field included."""
    old_values, new_values = stored_values(old), stored_values(new)
    related = RelatedNames.of(old_values, new_values)
    return Comparison(
        fields=[field_diff(name, old_values, new_values, related) for name in COMPARED_FIELDS],
        unreadable=old_values is None or new_values is None,
    )


def field_diff(name, old_values, new_values, related):
    """One field from the stored values `old_values` to `new_values` (None: unreadable)."""
    label = str(Article._meta.get_field(name).verbose_name)
    missing = [_missing(values, name) for values in (old_values, new_values)]
    if any(missing):
        old, new = (
            reason or "、".join(shown_lines(name, values[name], related)) or gettext("（空）")
            for reason, values in zip(missing, (old_values, new_values))
        )
        return FieldDiff(name, label, UNKNOWN, old=old, new=new)

    old_value, new_value = old_values[name], new_values[name]
    lines = diff_lines(shown_lines(name, old_value, related), shown_lines(name, new_value, related))
    changed = any(line.kind != SAME for line in lines)
    if name != "body":
        return FieldDiff(name, label, CHANGED if changed else UNCHANGED, lines)

    references = diff_lines(body_references(old_value), body_references(new_value))
    if not any(line.kind != SAME for line in references):
        references = []
    note = ""
    if not changed and (old_value or "") != (new_value or ""):
        changed = True
        note = gettext("正文文字未变，只有标记改变（如图片、链接地址或格式）。")
    return FieldDiff(name, label, CHANGED if changed else UNCHANGED, lines, references, note)


def _missing(values, name):
    """Why a version's value of `name` is not known ("" when it is)."""
    if values is None:
        return gettext("无法读取")
    if name not in values:
        return gettext("未记录")
    return ""


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
