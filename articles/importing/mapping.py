"""Mapping a LegacyRecord to Article field values, with Hexo's meaning of each key (no ORM)."""
import datetime as dt
import email.utils
import html
import json
import re
from dataclasses import dataclass, field
from pathlib import Path, PurePosixPath
from urllib.parse import unquote, urlsplit

from articles.slugs import readable_slug
from articles.text import plain_text

from .body import render_body
from .generators import HUGO, JEKYLL, guess_site, site_config

HERO_IMAGE_KEYS = (
    "headimg", "cover", "top_img", "index_img", "banner_img", "image", "header-img", "photos", "photo"
)  # fmt: skip
SUMMARY_KEYS = ("summary", "description", "excerpt")
UPDATED_KEYS = ("updated", "lastmod", "update")
SOURCE_ID_KEYS = ("id", "abbrlink")
HEXO_DEFAULT_PERMALINK = ":year/:month/:day/:title/"
# Image hosts that serve random stock pictures: a theme's demo value, not the article's picture.
PLACEHOLDER_IMAGE_HOSTS = frozenset(
    {
        "picsum.photos", "placehold.it", "placehold.co", "via.placeholder.com", "placeholder.com",
        "dummyimage.com", "placekitten.com", "source.unsplash.com", "fakeimg.pl", "loremflickr.com",
        "api.ixiaowai.cn", "api.btstu.cn",
    }
)  # fmt: skip
TITLE_MAX_LENGTH = 300  # Article.title's max_length (this module does not import the ORM)
SLUG_MAX_LENGTH = 120  # Article.slug's max_length
_JEKYLL_DATE = re.compile(r"^(\d{4})-(\d{1,2})-(\d{1,2})-")
_LOOSE_DATETIME = re.compile(
    r"^(\d{4})-(\d{1,2})-(\d{1,2})(?:[ T]+(\d{1,2}):(\d{2})(?::(\d{2}))?)?$"
)
_PERMALINK_FIELD = re.compile(r":([a-z_]+)")


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
    published_at: dt.datetime | None
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
    body_text: str | None = None  # plain_text(body_html) once sanitized, for the search document
    slug: str = ""  # from the front matter; the article keeps it
    title_slug: str = ""  # the readable fallback, derived from the title
    source_id: str = ""
    source_updated_at: dt.datetime | None = None
    legacy_paths: list = field(default_factory=list)
    local_images: list = field(default_factory=list)
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


def is_draft(metadata, relative_path):
    if metadata.get("published") is False or metadata.get("draft") is True:
        return True
    return "_drafts" in PurePosixPath(relative_path).parts


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


def image_reference(value, warnings, key):
    """A hero/thumbnail value as a remote URL or a path on the old site; '' for none.

    Hexo says "none" with '', null or false; placeholder services are a theme's demo value.
    """
    if isinstance(value, list):
        return next((ref for ref in (image_reference(v, warnings, key) for v in value) if ref), "")
    if isinstance(value, dict):  # jekyll-seo-tag's `image: {path: …, height: …}`
        return image_reference(value.get("path") or value.get("url") or "", warnings, key)
    if not value or value is True or not isinstance(value, str):
        return ""
    ref = value.strip()
    if ref.startswith("//"):
        ref = "https:" + ref
    if ref.startswith(("http://", "https://")):
        host = (urlsplit(ref).hostname or "").lower()
        if host in PLACEHOLDER_IMAGE_HOSTS:
            warnings.append(f"{key}: placeholder image {ref!r} ignored")
            return ""
        return ref
    if ref.startswith(("data:", "javascript:")) or ":" in ref.split("/")[0]:
        warnings.append(f"{key}: {ref[:60]!r} is not an image address, ignored")
        return ""
    return ref


def legacy_paths(meta, relative_path, published_at, *, permalink, category_paths, tz):
    """The addresses the article had on the old site: its own keys, and the generator's pattern."""
    found = []
    for key in ("permalink", "url"):
        if isinstance(meta.get(key), (str, int)) and str(meta[key]).strip():
            found.append(str(meta[key]).strip())
    aliases = meta.get("aliases")
    if isinstance(aliases, str):
        aliases = [aliases]
    if isinstance(aliases, list):
        found.extend(str(a).strip() for a in aliases if a and str(a).strip())
    if permalink and published_at is not None:
        found.append(render_permalink(permalink, meta, relative_path, published_at, category_paths, tz))
    paths = []
    for value in found:
        path = urlsplit(value).path if "://" in value else value.split("?")[0].split("#")[0]
        path = unquote(path)
        path = path if path.startswith("/") else "/" + path
        if path != "/" and path not in paths:
            paths.append(path)
    return paths


def render_permalink(pattern, meta, relative_path, published_at, category_paths, tz):
    """Hexo's permalink pattern (`:year/:month/:day/:title/`) filled in for one post."""
    local = published_at.astimezone(tz)
    post_path = PurePosixPath(relative_path)
    parts = post_path.parts
    for folder in ("_posts", "_drafts"):
        if folder in parts:
            parts = parts[parts.index(folder) + 1 :]
    title = str(PurePosixPath(*parts).with_suffix("")) if parts else post_path.stem
    last_category = category_paths[0][-1] if category_paths else "uncategorized"
    values = {
        "year": f"{local.year:04d}",
        "month": f"{local.month:02d}",
        "i_month": str(local.month),
        "day": f"{local.day:02d}",
        "i_day": str(local.day),
        "hour": f"{local.hour:02d}",
        "minute": f"{local.minute:02d}",
        "second": f"{local.second:02d}",
        "title": title,
        "name": post_path.stem,
        "post_title": title,
        "id": str(meta.get("id", "")),
        "abbrlink": str(meta.get("abbrlink", "")),
        "category": _hexo_slugize(last_category),
    }
    return _PERMALINK_FIELD.sub(lambda m: values.get(m.group(1), m.group(0)), pattern)


def _hexo_slugize(name):
    # Hexo's slugize keeps letters of every script and turns separators into hyphens.
    return re.sub(r"[\s~`!@#$%^&*()\-_+=\[\]{}|\\;:\"'<>,.?/]+", "-", name).strip("-")


def flat_category_paths(paths):
    """`--categories=flat`: every name of a flat list is its own top-level category."""
    return [[name] for path in paths for name in path] if len(paths) == 1 else paths


def map_record(
    record,
    *,
    tz,
    default_author,
    fallback_time=None,
    status=None,
    categories="path",
    body_format="auto",
    permalink=HEXO_DEFAULT_PERMALINK,
):
    """Return the ArticleValues for `record`, or raise MappingError naming the field.

    `status` overrides the file's own; `categories="flat"` reads a flat list as separate
    top-level categories; `permalink=None` records no pattern-based legacy address.
    """
    meta = record.metadata
    warnings = list(record.warnings)
    post_path = PurePosixPath(record.relative_path)

    title = html.unescape(str(meta.get("title") or "")).strip()
    if not title:
        title = post_path.stem
        warnings.append(f"title: missing, using the file name {post_path.stem!r}")
    if len(title) > TITLE_MAX_LENGTH:
        title = title[: TITLE_MAX_LENGTH - 1].rstrip() + "…"
        warnings.append(f"title: longer than {TITLE_MAX_LENGTH} characters, shortened")

    draft = status == "draft" or (status is None and is_draft(meta, record.relative_path))
    if draft and meta.get("date") in (None, ""):
        published_at = None  # an undated draft gets its time when it is published
    else:
        published_at = _published_at(meta, record.relative_path, tz, fallback_time, warnings)

    try:
        paths = category_paths(meta.get("categories", meta.get("category")))
    except ValueError as error:
        raise MappingError("categories", str(error)) from None
    site = guess_site(record.path, _import_root(record), front_matter_format=record.front_matter_format)
    if categories == "flat" or site.generator == HUGO:  # Hugo's taxonomies are flat lists
        paths = flat_category_paths(paths)

    hero = next(
        (ref for key in HERO_IMAGE_KEYS if (ref := image_reference(meta.get(key), warnings, key))), ""
    )
    # Hexo: '', null or false say "no thumbnail"; only an absent key falls back to the hero.
    thumbnail = image_reference(meta["thumbnail"], warnings, "thumbnail") if "thumbnail" in meta else hero

    jekyll_site = site_config(site) if site.generator == JEKYLL else {}
    rendered = render_body(
        record.body,
        body_format=body_format,
        suffix=post_path.suffix,
        asset_folder=post_path.stem,
        tag_plugins=meta.get("disableNunjucks") is not True and meta.get("render_with_liquid") is not False,
        generator=site.generator,
        excerpt_separator=meta.get("excerpt_separator") or jekyll_site.get("excerpt_separator"),
        site_variables=jekyll_site,
    )
    warnings.extend(rendered.warnings)
    summary = next((str(meta[k]).strip() for k in SUMMARY_KEYS if meta.get(k)), "")
    if not summary and rendered.excerpt_html:
        summary = plain_text(rendered.excerpt_html)

    return ArticleValues(
        source_path=record.relative_path,
        source_hash=record.content_hash,
        title=title,
        published_at=published_at,
        status="draft" if draft else "published",
        author_name=str(meta.get("author") or "").strip() or default_author,
        category_paths=paths,
        tags=tag_names(meta.get("tags", meta.get("tag"))),
        allow_comments=meta.get("comments", True) is not False,
        hero_image_url=hero,
        thumbnail_url=thumbnail,
        summary=html.unescape(summary),
        body_html=rendered.html,
        front_matter=jsonable(meta),
        slug=_front_matter_slug(meta),
        title_slug=readable_slug(title, max_length=100, fallback="article"),
        source_id=next((str(meta[k]).strip() for k in SOURCE_ID_KEYS if meta.get(k) not in (None, "")), ""),
        source_updated_at=_updated_at(meta, tz, warnings),
        legacy_paths=legacy_paths(
            meta, record.relative_path, published_at, permalink=permalink, category_paths=paths, tz=tz
        ),
        local_images=rendered.local_images,
        warnings=warnings,
    )


def _import_root(record):
    """The folder the file was imported from: its path less its relative path."""
    depth = len(PurePosixPath(record.relative_path).parts)
    path = Path(record.path)
    return path.parents[depth - 1] if 0 < depth <= len(path.parents) else path.parent


def _front_matter_slug(meta):
    value = meta.get("slug")
    if not isinstance(value, (str, int)) or not str(value).strip():
        return ""
    return readable_slug(str(value), max_length=SLUG_MAX_LENGTH, fallback="")


def _updated_at(meta, tz, warnings):
    for key in UPDATED_KEYS:
        value = meta.get(key)
        if value in (None, ""):
            continue
        try:
            return parse_date(value, tz)
        except ValueError as error:
            warnings.append(f"{key}: {error}; ignored")
            return None
    return None


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
