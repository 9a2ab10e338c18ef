"""Mapping a LegacyRecord to Article field values, with Hexo's meaning of each key (no ORM)."""

import datetime as dt
import email.utils
import html
import json
import re
from dataclasses import dataclass, field
from pathlib import Path, PurePosixPath
from urllib.parse import urlsplit

from articles.slugs import readable_slug
from articles.text import plain_text

from .body import render_body
from .generators import HUGO, JEKYLL, guess_site, site_config
from .language import article_language
from .permalinks import old_addresses
from .siteconfig import SiteConfig, hugo_language_suffix

HERO_IMAGE_KEYS = (
    "headimg", "cover", "top_img", "index_img", "banner_img", "image", "header-img", "photos", "photo"
)  # fmt: skip
SUMMARY_KEYS = ("summary", "description", "excerpt")
UPDATED_KEYS = ("updated", "lastmod", "update")
SOURCE_ID_KEYS = ("id", "abbrlink")
# Hugo's date keys besides `date`, read when it is missing (Hugo reads them case-insensitively).
HUGO_DATE_KEYS = ("publishdate", "pubdate")
# A date further ahead than this is more likely a typo than a scheduled article.
FAR_FUTURE = dt.timedelta(days=366)
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
_NAME_DATE = re.compile(r"^(\d{4})-(\d{1,2})-(\d{1,2})(?:-|$)")
_LOOSE_DATETIME = re.compile(
    r"^(\d{4})-(\d{1,2})-(\d{1,2})(?:[ T]+(\d{1,2}):(\d{2})(?::(\d{2}))?)?"
    r"(?:\s*(Z|[+-]\d{1,2}(?::?\d{2})?))?$"
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
    source_archive: str = ""  # set only by a file that names its origin (see origin())
    names_its_origin: bool = False  # its identity is the archive and path it names, nothing else
    source_updated_at: dt.datetime | None = None
    language: str = "zh-Hans"
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
    *parts, zone = match.groups()
    return dt.datetime(*(int(p) if p else 0 for p in parts), tzinfo=_offset(zone))


def _offset(zone):
    """A written UTC offset as Ruby's Time.parse reads it (Jekyll): 'Z', '+8', '+0800', '+800'."""
    if not zone:
        return None
    if zone == "Z":
        return dt.UTC
    digits = zone[1:].replace(":", "")
    hours, minutes = (digits, "0") if len(digits) <= 2 else (digits[:-2], digits[-2:])
    offset = dt.timedelta(hours=int(hours), minutes=int(minutes))
    if offset >= dt.timedelta(hours=24):
        raise ValueError(f"not a UTC offset: {zone!r}")
    return dt.timezone(-offset if zone[0] == "-" else offset)


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
    names, seen = [], set()
    for item in items:
        name = str(item).strip() if item is not None else ""
        if name and name.casefold() not in seen:
            seen.add(name.casefold())
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
        return {key if isinstance(key, str) else _json_key(key): _text_keys(item) for key, item in value.items()}
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


def site_path(record, site):
    """(the file's path below the site's content folder, whether that folder is known).

    Known from the site config's root, or from a `source/` (Hexo) or `content/` (Hugo) folder in
    the path below the import root; else the path below the import root stands in for it.
    """
    found = site.content_path(record.path)
    if found is not None:
        return found, True
    parts = PurePosixPath(record.relative_path).parts
    folder = {"hexo": "source", "hugo": "content"}.get(site.generator)
    if folder in parts[:-1]:
        return str(PurePosixPath(*parts[parts.index(folder) + 1 :])), True
    return record.relative_path, site.generator != "hexo"


def legacy_paths(meta, record_path, published_at, *, site, title, category_paths, tz, patterns=True):
    """The addresses the article had on the old site, and warnings about those it cannot know.

    `record_path` is (path below the content folder, known) as site_path() gives it.
    """
    path, rooted = record_path
    if site.generator == "hugo":
        meta = {k.lower() if isinstance(k, str) else k: v for k, v in meta.items()}
    return old_addresses(
        meta,
        site=site,
        site_path=path,
        rooted=rooted,
        title=title,
        published_at=published_at,
        tz=tz,
        category_paths=category_paths,
        patterns=patterns,
    )


def flat_category_paths(paths):
    """`--categories=flat`: every name of a flat list is its own top-level category."""
    return [[name] for path in paths for name in path] if len(paths) == 1 else paths


def map_record(
    record,
    *,
    tz,
    default_author,
    status=None,
    categories="path",
    body_format="auto",
    site=None,
    redirects=True,
    now=None,
):
    """Return the ArticleValues for `record`, or raise MappingError naming the field.

    `status` overrides the file's own; `categories="flat"` reads a flat list as separate
    top-level categories; `site` is the old site's SiteConfig (Hexo's defaults when None);
    `redirects=False` records no address built from the site's permalink pattern.
    """
    site = site or SiteConfig()
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
    published_at = published_time(meta, record.relative_path, tz, warnings, draft=draft, now=now)
    draft = draft or published_at is None

    try:
        paths = category_paths(meta.get("categories", meta.get("category")))
    except ValueError as error:
        raise MappingError("categories", str(error)) from None
    # The generator: the site config's when one was read, else guessed from the archive's files.
    guess = guess_site(record.path, _import_root(record), front_matter_format=record.front_matter_format)
    generator = site.generator if site.config_file else (guess.generator or site.generator)
    if categories == "flat" or generator == HUGO:  # Hugo's taxonomies are flat lists
        paths = flat_category_paths(paths)

    hero = next((ref for key in HERO_IMAGE_KEYS if (ref := image_reference(meta.get(key), warnings, key))), "")
    # Hexo: '', null or false say "no thumbnail"; only an absent key falls back to the hero.
    thumbnail = image_reference(meta["thumbnail"], warnings, "thumbnail") if "thumbnail" in meta else hero

    jekyll_site = site_config(guess) if generator == JEKYLL else {}
    rendered = render_body(
        record.body,
        body_format=body_format,
        suffix=post_path.suffix,
        asset_folder=post_path.stem,
        tag_plugins=meta.get("disableNunjucks") is not True and meta.get("render_with_liquid") is not False,
        generator=generator,
        excerpt_separator=meta.get("excerpt_separator") or jekyll_site.get("excerpt_separator"),
        site_variables=jekyll_site,
    )
    warnings.extend(rendered.warnings)
    summary = next((str(meta[k]).strip() for k in SUMMARY_KEYS if meta.get(k)), "")
    if not summary and rendered.excerpt_html:
        summary = plain_text(rendered.excerpt_html)

    named = origin(meta)
    source_archive, source_path = named or ("", record.relative_path)
    return ArticleValues(
        source_path=source_path,
        source_archive=source_archive,
        names_its_origin=named is not None,
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
        language=article_language(
            meta, f"{title}\n{record.body}", file_language=_file_language(record, site), site_language=site.language
        ),
        legacy_paths=_legacy_paths(meta, record, site, published_at, title, paths, tz, redirects, warnings),
        local_images=rendered.local_images,
        warnings=warnings,
    )


def _import_root(record):
    """The folder the file was imported from: its path less its relative path."""
    depth = len(PurePosixPath(record.relative_path).parts)
    path = Path(record.path)
    return path.parents[depth - 1] if 0 < depth <= len(path.parents) else path.parent


def origin(meta):
    """(archive, path) an exported file names as its article's identity, or None.

    export_frontmatter writes them, so that importing the export, or the old archive again
    afterwards, finds the article it came from rather than making a twin.
    """
    path, archive = meta.get("source_path"), meta.get("source_archive", "")
    if isinstance(path, str) and path.strip() and isinstance(archive, str):
        return archive.strip(), path.strip()
    return None


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


def published_time(meta, relative_path, tz, warnings, *, draft=False, now=None):
    """When the post was published: its date, else the date its file (or bundle folder) is named
    with, else None: a draft, warned about unless it is a draft anyway.

    A date more than a year ahead is warned about: more likely a typo than a schedule.
    """
    key, value = _date_value(meta)
    if value is not None:
        try:
            published_at = parse_date(value, tz)
        except ValueError as error:
            raise MappingError(key, str(error)) from None
    else:
        published_at = name_date(relative_path, tz, warnings)
        if published_at is None:
            if not draft:
                warnings.append("date: missing, and the file name holds no date; imported as a draft")
            return None
    now = now or dt.datetime.now(dt.UTC)
    if published_at - now > FAR_FUTURE:
        warnings.append(f"{key}: {published_at:%Y-%m-%d} is more than a year ahead; check it")
    return published_at


def _date_value(meta):
    """(key, value) of the post's date: `date`, else Hugo's `publishDate` or `pubdate`."""
    if meta.get("date") not in (None, ""):
        return "date", meta["date"]
    for name, value in meta.items():
        if isinstance(name, str) and name.lower() in ("date", *HUGO_DATE_KEYS) and value not in (None, ""):
            return name, value
    return "date", None


def name_date(relative_path, tz, warnings):
    """The date a file is named with (`2024-12-01-x.md`; a Hugo bundle's folder for index.md),
    at midnight in `tz`; None when there is none or it is impossible (warned)."""
    path = PurePosixPath(relative_path)
    name = path.name
    if path.stem.split(".")[0] in ("index", "_index") and path.parent.name:
        name = path.parent.name
    match = _NAME_DATE.match(name)
    if not match:
        return None
    try:
        return dt.datetime(*map(int, match.groups()), tzinfo=tz)
    except ValueError as error:
        warnings.append(f"date: the date in the file name {name!r} is impossible ({error}); not used")
        return None


def _file_language(record, site):
    """The language a Hugo file's name declares (`x.en.md`), as the site configures it."""
    stem = PurePosixPath(record.relative_path).stem
    key = hugo_language_suffix(stem, site)
    return site.languages.get(key, key) if key else ""


def _legacy_paths(meta, record, site, published_at, title, paths, tz, redirects, warnings):
    found, problems = legacy_paths(
        meta,
        site_path(record, site),
        published_at,
        site=site,
        title=title,
        category_paths=paths,
        tz=tz,
        patterns=redirects,
    )
    warnings.extend(problems)
    return found
