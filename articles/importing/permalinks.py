"""The addresses a post had on the old site, as Hexo, Jekyll or Hugo built them (no ORM).

Each generator's own rules, from its source: Hexo's post_permalink filter and hexo-util's
slugize, Jekyll's UrlDrop, URL and Utils.slugify, Hugo's permalink expander and path sanitizer.
Paths are returned decoded (`/post/中文/`), as LegacyURL stores them and as Django hands a
request's path over, whether the browser sent it percent-encoded or not.
"""

import datetime as dt
import hashlib
import re
import unicodedata
from pathlib import PurePosixPath
from typing import NamedTuple
from urllib.parse import unquote, urlsplit

from .siteconfig import hugo_language_suffix

ALIAS_KEYS = ("aliases", "alias", "redirect_from")  # Hugo; hexo-generator-alias; jekyll-redirect-from
_PLACEHOLDER = re.compile(r":([A-Za-z_][A-Za-z0-9_]*)")
_JEKYLL_PLACEHOLDER = re.compile(r":([a-z_]+)")
_DATED_NAME = re.compile(r"^(\d{2,4}-\d{1,2}-\d{1,2})-(.*)$")
_HEXO_SEPARATORS = re.compile(r"[\s~`!@#$%^&*()\-_+=\[\]{}|\\;:\"'<>,.?/]+")
_JEKYLL_PRETTY = re.compile(r"[^\w._~!$&'()+,;=@]+")  # \w: letters and digits of every script
_JEKYLL_DEFAULT = re.compile(r"[^\w]+|_+")


class _Post(NamedTuple):
    meta: dict
    site_path: PurePosixPath
    rooted: bool
    title: str
    published_at: dt.datetime | None
    tz: dt.tzinfo
    category_paths: list


class MissingValue(Exception):
    """A permalink pattern names a value this post does not have (`:abbrlink` without one)."""

    def __init__(self, name):
        super().__init__(name)
        self.name = name


def old_addresses(meta, *, site, site_path, rooted, title, published_at, tz, category_paths, patterns=True):
    """(paths, warnings): every address the post had, decoded, with a leading slash, no repeats.

    `site_path` is the file's path below the site's content folder, `rooted` whether it is known
    to be (an import of `_posts` alone gives paths below that folder); `patterns=False` leaves out
    the addresses built from the site's pattern, keeping those the post names itself.
    """
    warnings = []
    build = {"hexo": _hexo, "jekyll": _jekyll, "hugo": _hugo}[site.generator]
    post = _Post(meta, PurePosixPath(site_path), rooted, title, published_at, tz, category_paths)
    try:
        found = build(post, site, patterns)
    except MissingValue as missing:
        warnings.append(
            f"permalink: the site's pattern needs :{missing.name}, which this post does not have; "
            "no old address from the pattern"
        )
        found = []
    for value in _listed(meta, ALIAS_KEYS):
        if value.startswith("/"):
            found.append(_under_base(site, value))
        elif site.generator != "hugo":  # Hugo's relative aliases are the page's own business
            found.append(_under_base(site, "/" + value))
    paths = []
    for value in found:
        path = clean_path(value)
        if path and path != "/" and path not in paths:
            paths.append(path)
    return paths, warnings


def clean_path(value):
    """An address as LegacyURL keeps it: decoded path only, with a leading slash."""
    value = str(value).strip()
    path = urlsplit(value).path if "://" in value or value.startswith("//") else value.split("?")[0].split("#")[0]
    path = unquote(path)
    return path if path.startswith("/") else "/" + path


def _listed(meta, keys):
    values = []
    for key in keys:
        value = meta.get(key)
        items = value if isinstance(value, list) else [value]
        values += [str(v).strip() for v in items if isinstance(v, (str, int)) and str(v).strip()]
    return values


def _own(meta, key):
    value = meta.get(key)
    return str(value).strip() if isinstance(value, (str, int)) and not isinstance(value, bool) else ""


def _under_base(site, path):
    """A site-absolute path as served below the site's base path (Jekyll's baseurl …)."""
    base = site.base_path.rstrip("/")
    return path if not base or path == base or path.startswith(base + "/") else base + path


def _fill(pattern, values, placeholder=_PLACEHOLDER):
    def value(match):
        found = values.get(match.group(1))
        if found is None:
            raise MissingValue(match.group(1))
        return found

    return placeholder.sub(value, pattern)


def _date_values(when):
    return {
        "year": f"{when.year:04d}", "month": f"{when.month:02d}", "day": f"{when.day:02d}",
        "i_month": str(when.month), "i_day": str(when.day), "hour": f"{when.hour:02d}",
        "minute": f"{when.minute:02d}", "second": f"{when.second:02d}",
        "short_year": when.strftime("%y"), "short_month": when.strftime("%b"),
        "long_month": when.strftime("%B"), "short_day": when.strftime("%a"),
        "long_day": when.strftime("%A"), "y_day": when.strftime("%j"), "week": when.strftime("%V"),
        "w_year": when.strftime("%G"), "w_day": when.strftime("%u"),
    }  # fmt: skip


# --- Hexo ---------------------------------------------------------------------------------------


def hexo_slugize(name, transform=0):
    """hexo-util's slugize: separators and punctuation become one hyphen; letters of every script stay."""
    text = "".join(c for c in unicodedata.normalize("NFKD", name) if not unicodedata.combining(c))
    text = re.sub(r"[\x00-\x1f]", "", text)
    text = re.sub(r"-{2,}", "-", _HEXO_SEPARATORS.sub("-", text)).strip("-")
    return text.lower() if transform == 1 else text.upper() if transform == 2 else text


def hexo_post_slug(site_path):
    """Hexo's `:title`: the path below _posts (or _drafts), without its extension."""
    parts = site_path.parts
    for folder in ("_posts", "_drafts"):
        if folder in parts:
            parts = parts[parts.index(folder) + 1 :]
    return str(PurePosixPath(*parts).with_suffix("")) if parts else site_path.stem


def _hexo(post, site, patterns):
    meta, parts = post.meta, post.site_path.parts
    own = _own(meta, "permalink")
    if own:
        # Hexo serves a post at its own permalink instead of the pattern's address.
        if site.post_asset_folder and not own.endswith(("/", ".html")):
            own += "/"
        return [_under_base(site, own if own.startswith("/") else "/" + own)]
    if post.rooted and not {"_posts", "_drafts"} & set(parts):
        # A page (source/about/index.md): its address is its path, rendered to .html.
        page = post.site_path.with_suffix(".html")
        path = "/" + (str(page.parent) + "/" if page.name == "index.html" else str(page))
        return [_under_base(site, path.replace("//", "/").replace("/./", "/"))]
    if not patterns or post.published_at is None or not site.permalink:
        return []
    local = post.published_at.astimezone(post.tz)
    slug = hexo_post_slug(post.site_path)
    category = site.default_category
    if post.category_paths:
        names = post.category_paths[-1]
        category = "/".join(hexo_slugize(site.category_map.get(n, n), site.filename_case) for n in names)
    # Any front-matter value fills a placeholder of its name (hexo-abbrlink's :abbrlink …).
    scalars = {str(k): str(v).strip() for k, v in meta.items() if _is_scalar(v) and str(v).strip()}
    values = {
        **{k: str(v) for k, v in site.permalink_defaults.items()},
        **{k: v for k, v in scalars.items() if k != "id"},
        **_date_values(local),
        "title": slug,
        "name": PurePosixPath(slug).name,
        "post_title": hexo_slugize(post.title, 1),
        "category": category,
        "hash": hashlib.sha1(f"{slug}{int(local.timestamp())}".encode()).hexdigest()[:12],
    }
    if "id" in scalars:  # else Hexo used its database's random id, which no file keeps
        values["id"] = scalars["id"]
    path = _fill(site.permalink, values)
    return [_under_base(site, "/" + path.lstrip("/"))]


def _is_scalar(value):
    return isinstance(value, (str, int, float)) and not isinstance(value, bool)


# --- Jekyll -------------------------------------------------------------------------------------


def jekyll_slugify(text, mode="default", cased=False):
    """Jekyll's Utils.slugify in its `default` and `pretty` modes."""
    pattern = _JEKYLL_PRETTY if mode == "pretty" else _JEKYLL_DEFAULT
    slug = pattern.sub("-", text).strip("-")
    return slug if cased else slug.lower()


def jekyll_categories(meta, site_path):
    """A post's categories as Jekyll's URL reads them: the folders above _posts, then the front
    matter's `category` (one value) or `categories` (a list, or words of a string); lower-cased,
    not slugified (jekyll/jekyll#5813)."""
    parts = site_path.parts
    folders = list(parts[: parts.index("_posts")]) if "_posts" in parts else []
    if meta.get("category") not in (None, "", []):
        given = meta["category"]
        given = given if isinstance(given, list) else [given]
    else:
        given = meta.get("categories")
        given = given.split() if isinstance(given, str) else given if isinstance(given, list) else []
    names = [str(c).strip().lower() for c in folders + given if _is_scalar(c) and str(c).strip()]
    return list(dict.fromkeys(names))


def _jekyll(post, site, patterns):
    meta, site_path = post.meta, post.site_path
    own = _own(meta, "permalink")
    pattern = own or (site.permalink if patterns else "")
    if not pattern or (post.published_at is None and not own):
        return []
    match = _DATED_NAME.match(site_path.stem)
    # The file name without its date is the post's slug, whatever folder below _posts it is in.
    slug = _own(meta, "slug") or (match.group(2) if match else site_path.stem).rstrip(".")
    values = {
        **(_date_values(post.published_at.astimezone(post.tz)) if post.published_at else {}),
        "title": jekyll_slugify(slug, "pretty", cased=True),
        "slug": jekyll_slugify(slug),
        "name": jekyll_slugify(site_path.stem),
        "categories": "/".join(jekyll_categories(meta, site_path)),
        "output_ext": ".html",
        "path": str(site_path.with_suffix("")),
    }
    path = _fill(pattern, values, _JEKYLL_PLACEHOLDER)
    path = re.sub(r"/{2,}", "/", "/" + path.replace("..", "/").replace("./", ""))
    return [_under_base(site, path)]


# --- Hugo ---------------------------------------------------------------------------------------


def hugo_sanitize(text):
    """Hugo's paths.Sanitize: spaces become one hyphen; only letters, digits, marks and
    `._-~+@#/\\` (and %XX escapes) stay."""
    out, pending_hyphen, last_hyphen = [], False, False
    for index, char in enumerate(text):
        allowed = (
            char.isalpha() or char.isdigit() or unicodedata.category(char).startswith("M")
            or char in "./\\_#+~-@"
            or (char == "%" and re.fullmatch(r"[0-9A-Fa-f]{2}", text[index + 1 : index + 3]) is not None)
        )  # fmt: skip
        if allowed:
            last_hyphen = char == "-"
            if pending_hyphen and not last_hyphen:
                out.append("-")
            pending_hyphen = False
            out.append(char)
        elif char.isspace() and not last_hyphen:
            pending_hyphen = True
    return "".join(out)


def hugo_sanitize_collapsing(text):
    """Older Hugo releases' UnicodeSanitize: a run of hyphens and spaces becomes one hyphen, and
    none leads; other punctuation goes (`a-——-b` -> `a-b`, where newer releases make `a--b`)."""
    out, pending_hyphen = [], False
    for index, char in enumerate(text):
        allowed = (
            char.isalpha() or char.isdigit() or unicodedata.category(char).startswith("M")
            or char in "./\\_#+~"
            or (char == "%" and re.fullmatch(r"[0-9A-Fa-f]{2}", text[index + 1 : index + 3]) is not None)
        )  # fmt: skip
        if allowed:
            if pending_hyphen:
                out.append("-")
                pending_hyphen = False
            out.append(char)
        elif out and (char == "-" or char.isspace()):
            pending_hyphen = True
    return "".join(out)


HUGO_SANITIZERS = (hugo_sanitize, hugo_sanitize_collapsing)


def hugo_urlize(text, site, sanitize=hugo_sanitize):
    path = sanitize(text)
    return path.lower() if site.lowercase_paths else path


def hugo_page_parts(site_path, site):
    """(folders, name, language key) of a content file: `dev/x/index.en.md` is the English
    page of bundle x in folder dev."""
    stem = site_path.stem
    language = hugo_language_suffix(stem, site)
    if language:
        stem = stem[: -len(language) - 1]
    folders = list(site_path.parent.parts)
    if stem == "index" and folders:
        stem = folders.pop()
    return folders, stem, language


def _hugo(post, site, patterns):
    """The page's addresses as Hugo's releases made them (they differ in hyphens)."""
    addresses = []
    for sanitize in HUGO_SANITIZERS:
        addresses += [a for a in _hugo_addresses(post, site, patterns, sanitize) if a not in addresses]
    return addresses


def _hugo_addresses(post, site, patterns, sanitize):
    meta, site_path = post.meta, post.site_path

    def urlize(text):
        return hugo_urlize(text, site, sanitize)

    folders, name, language = hugo_page_parts(site_path, site)
    language = language or site.default_language
    prefix = ""
    if site.languages and (language != site.default_language or site.default_language_in_subdir):
        prefix = "/" + language
    own = _own(meta, "url")
    if own:
        return [_under_base(site, own if own.startswith("/") else "/" + own)]
    if name == "_index":
        # A section's own page: its list, at the folder's address.
        path = "/" + "".join(f"{f}/" for f in folders)
        return [_under_base(site, prefix + urlize(path))] if folders else []
    section = folders[0] if folders else ""
    pattern = site.section_permalinks.get(section) if patterns else None
    slug = _own(meta, "slug")
    if pattern:
        if post.published_at is None and re.search(r":(year|month|day|weekday|yearday)", pattern):
            return []
        when = post.published_at or dt.datetime.now(post.tz)  # a written zone's own wall clock, as Hugo
        values = {
            **_date_values(when),
            "monthname": when.strftime("%B"), "weekday": str(when.isoweekday() % 7),
            "weekdayname": when.strftime("%A"), "yearday": str(when.timetuple().tm_yday),
            "section": urlize(section), "sections": urlize("/".join(folders)),
            "title": urlize(post.title), "slug": urlize(slug or post.title),
            "filename": urlize(name), "contentbasename": urlize(name),
            "slugorfilename": urlize(slug or name),
            "slugorcontentbasename": urlize(slug or name),
        }  # fmt: skip
        path = re.sub(r"/{2,}", "/", "/" + _fill(pattern, values).strip("/"))
    else:
        path = urlize("/" + "/".join([*folders, slug or name]))
    path = path.rstrip("/") + (".html" if site.ugly_urls else "/")
    addresses = [prefix + path]
    outputs = meta.get("outputs", site.page_outputs)  # a page may name its own
    outputs = [outputs] if isinstance(outputs, str) else outputs if isinstance(outputs, (list, tuple)) else []
    amp = "amp" in [str(o).lower() for o in outputs]
    if amp:
        addresses.append(prefix + "/amp" + path)
    for alias in _listed(meta, ("aliases",)):
        if not alias.startswith("/"):
            # Hugo reads an alias without a leading slash beside the page.
            addresses.append(prefix + str(PurePosixPath(path).parent / alias))
        elif amp:
            addresses.append("/amp" + alias)
    return [_under_base(site, a) for a in addresses]
