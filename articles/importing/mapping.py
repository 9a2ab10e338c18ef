"""Mapping a LegacyRecord to Article field values, with Hexo's meaning of each key (no ORM)."""
import datetime as dt
import email.utils
import html
import json
import re
from dataclasses import dataclass, field
from pathlib import PurePosixPath

import markdown

HERO_IMAGE_KEYS = ("headimg", "cover", "top_img", "index_img", "banner_img", "image")
SUMMARY_KEYS = ("summary", "description", "excerpt")
MARKDOWN_SUFFIXES = {".md", ".markdown"}
TITLE_MAX_LENGTH = 300  # Article.title's max_length (this module does not import the ORM)
_JEKYLL_DATE = re.compile(r"^(\d{4})-(\d{1,2})-(\d{1,2})-")
_LOOSE_DATETIME = re.compile(
    r"^(\d{4})-(\d{1,2})-(\d{1,2})(?:[ T]+(\d{1,2}):(\d{2})(?::(\d{2}))?)?$"
)
_STARTS_WITH_HTML_BLOCK = re.compile(
    r"^\s*<(div|p|section|article|figure|table|h[1-6]|ul|ol|blockquote|pre)\b", re.I
)


class MappingError(Exception):
    """A front-matter value that cannot be turned into an article; names the field."""

    def __init__(self, field_name, message):
        super().__init__(f"{field_name}: {message}")
        self.field_name = field_name


@dataclass
class ArticleValues:
    """Everything the importer stores for one legacy file, as plain values."""

    source_path: str
    source_hash: str
    title: str
    published_at: dt.datetime
    status: str
    author_name: str
    category_paths: list
    tags: list
    allow_comments: bool
    hero_image_url: str
    thumbnail_url: str
    summary: str
    body_html: str
    front_matter: dict
    warnings: list = field(default_factory=list)


def parse_date(value, tz):
    """Turn a front-matter date (YAML timestamp, RFC 2822 or ISO-like text) into an aware datetime.

    Values with a zone are absolute; zone-less ones are read in `tz`, as Hexo does.
    """
    if isinstance(value, dt.datetime):
        parsed = value
    elif isinstance(value, dt.date):
        parsed = dt.datetime(value.year, value.month, value.day)
    elif isinstance(value, str) and value.strip():
        parsed = _parse_date_text(" ".join(value.split()))
    else:
        raise ValueError(f"not a date: {value!r}")
    if parsed.tzinfo is None:
        parsed = parsed.replace(tzinfo=tz)
    return parsed


def _parse_date_text(text):
    if text[:1].isalpha() or "," in text:
        try:
            return email.utils.parsedate_to_datetime(text)
        except (TypeError, ValueError):
            raise ValueError(f"not an RFC 2822 date: {text!r}") from None
    try:
        return dt.datetime.fromisoformat(text)
    except ValueError:
        pass
    match = _LOOSE_DATETIME.match(text)
    if not match:
        raise ValueError(f"not a date: {text!r}")
    parts = [int(p) if p else 0 for p in match.groups()]
    return dt.datetime(*parts)


def category_paths(value):
    """Hexo's rule: a string is one category, a flat list one path, a list of lists several."""
    if value is None or value == "":
        return []
    if isinstance(value, (str, int, float)):
        return [[str(value).strip()]] if str(value).strip() else []
    if not isinstance(value, list):
        raise ValueError(f"expected a name or a list, got {type(value).__name__}")
    if any(isinstance(item, list) for item in value):
        paths = []
        for item in value:
            path = category_paths(item)
            paths.extend(path)
        return paths
    path = [str(item).strip() for item in value if item is not None and str(item).strip()]
    return [path] if path else []


def tag_names(value):
    """A string is one tag, a list is several; empty values are ignored, order kept, no twins."""
    if value is None or value == "":
        return []
    items = value if isinstance(value, list) else [value]
    names = []
    for item in items:
        name = str(item).strip() if item is not None else ""
        if name and name.casefold() not in {n.casefold() for n in names}:
            names.append(name)
    return names


def image_url(value):
    """A usable remote image URL, or '' for Hexo's ways of saying none ('', null, false)."""
    if not value or value is True:
        return ""
    if isinstance(value, list):
        return next((url for url in map(image_url, value) if url), "")
    url = str(value).strip()
    return url if url.startswith(("http://", "https://")) else ""


def is_draft(metadata, relative_path):
    if metadata.get("published") is False or metadata.get("draft") is True:
        return True
    return "_drafts" in PurePosixPath(relative_path).parts


def body_to_html(body, suffix):
    """Markdown files are rendered unless their body is already HTML; HTML files pass as is."""
    if suffix.lower() in MARKDOWN_SUFFIXES and not _STARTS_WITH_HTML_BLOCK.match(body):
        return markdown.markdown(body, extensions=["extra", "sane_lists"], output_format="html")
    return body


def jsonable(value):
    """The front matter as JSON-safe data (dates as ISO text), to keep beside the article."""
    return json.loads(json.dumps(_text_keys(value), default=_json_default, ensure_ascii=False))


def _text_keys(value):
    """YAML allows keys JSON does not (`2024-01-01: x` is a date key); make every key text."""
    if isinstance(value, dict):
        return {
            key if isinstance(key, str) else _json_key(key): _text_keys(item)
            for key, item in value.items()
        }
    if isinstance(value, (list, tuple)):
        return [_text_keys(item) for item in value]
    return value


def _json_key(key):
    if isinstance(key, (dt.date, dt.datetime, dt.time)):
        return key.isoformat()
    return json.dumps(key) if isinstance(key, (bool, type(None))) else str(key)


def _json_default(value):
    if isinstance(value, (dt.date, dt.datetime, dt.time)):
        return value.isoformat()
    return str(value)


def map_record(record, *, tz, default_author, fallback_time=None):
    """Return the ArticleValues for `record`, or raise MappingError naming the field."""
    meta = record.metadata
    warnings = list(record.warnings)
    stem = PurePosixPath(record.relative_path).stem

    title = html.unescape(str(meta.get("title") or "")).strip()
    if not title:
        title = stem
        warnings.append(f"title: missing, using the file name {stem!r}")
    if len(title) > TITLE_MAX_LENGTH:
        title = title[: TITLE_MAX_LENGTH - 1].rstrip() + "…"
        warnings.append(f"title: longer than {TITLE_MAX_LENGTH} characters, shortened")

    published_at = _published_at(meta, record.relative_path, tz, fallback_time, warnings)

    try:
        paths = category_paths(meta.get("categories", meta.get("category")))
    except ValueError as error:
        raise MappingError("categories", str(error)) from None

    hero = next((image_url(meta.get(key)) for key in HERO_IMAGE_KEYS if image_url(meta.get(key))), "")
    thumbnail = image_url(meta.get("thumbnail")) or hero
    summary = next((str(meta[k]).strip() for k in SUMMARY_KEYS if meta.get(k)), "")

    return ArticleValues(
        source_path=record.relative_path,
        source_hash=record.content_hash,
        title=title,
        published_at=published_at,
        status="draft" if is_draft(meta, record.relative_path) else "published",
        author_name=str(meta.get("author") or "").strip() or default_author,
        category_paths=paths,
        tags=tag_names(meta.get("tags", meta.get("tag"))),
        allow_comments=meta.get("comments", True) is not False,
        hero_image_url=hero,
        thumbnail_url=thumbnail,
        summary=html.unescape(summary),
        body_html=body_to_html(record.body, PurePosixPath(record.relative_path).suffix),
        front_matter=jsonable(meta),
        warnings=warnings,
    )


def _published_at(meta, relative_path, tz, fallback_time, warnings):
    value = meta.get("date")
    if value not in (None, ""):
        try:
            return parse_date(value, tz)
        except ValueError as error:
            raise MappingError("date", str(error)) from None
    match = _JEKYLL_DATE.match(PurePosixPath(relative_path).name)
    if match:
        try:
            from_name = dt.datetime(*map(int, match.groups()), tzinfo=tz)
        except ValueError as error:
            reason = f"missing, and the date in the file name is invalid: {error}"
            raise MappingError("date", reason) from None
        warnings.append("date: missing, using the date in the file name")
        return from_name
    if fallback_time is None:
        raise MappingError("date", "missing, and the file name holds no date")
    warnings.append("date: missing, using the file's modification time")
    return fallback_time
