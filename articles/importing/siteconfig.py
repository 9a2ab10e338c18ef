"""Reading an old site's configuration: what its URLs looked like, its clock and its taxonomies.

Hexo and Jekyll keep theirs in `_config.yml`, Hugo in `hugo.toml` / `config.toml` (or `.yaml`,
`.json`, or split under `config/_default/`). Plain functions, no ORM, no Django settings: each
returns a SiteConfig or raises SiteConfigError naming the file.
"""

import json
import re
import tomllib
import zoneinfo
from dataclasses import dataclass, field, replace
from pathlib import Path
from urllib.parse import urlsplit

import yaml

HEXO_DEFAULT_PERMALINK = ":year/:month/:day/:title/"
# Jekyll's named permalink styles (jekyll/utils.rb); "date" is its default.
JEKYLL_PERMALINK_STYLES = {
    "date": "/:categories/:year/:month/:day/:title:output_ext",
    "pretty": "/:categories/:year/:month/:day/:title/",
    "ordinal": "/:categories/:year/:y_day/:title:output_ext",
    "weekdate": "/:categories/:year/W:week/:short_day/:title:output_ext",
    "none": "/:categories/:title:output_ext",
}
HUGO_CONFIG_NAMES = tuple(f"{stem}.{ext}" for stem in ("hugo", "config") for ext in ("toml", "yaml", "yml", "json"))
JEKYLL_OR_HEXO_CONFIG_NAMES = ("_config.yml", "_config.yaml")
CONFIG_NAMES = JEKYLL_OR_HEXO_CONFIG_NAMES + HUGO_CONFIG_NAMES
# Keys only Hexo's _config.yml has (hexo/lib/hexo/default_config.ts).
_HEXO_KEYS = frozenset(
    {
        "new_post_name", "source_dir", "public_dir", "post_asset_folder", "default_layout",
        "permalink_defaults", "filename_case", "render_drafts", "relative_link", "future",
        "default_category", "category_map", "tag_map", "index_generator", "deploy", "skip_render",
        "titlecase", "external_link", "tag_dir", "archive_dir", "category_dir", "code_dir",
        "i18n_dir", "pretty_urls", "updated_option", "per_page", "pagination_dir",
    }
)  # fmt: skip
# Keys only Jekyll's has.
_JEKYLL_KEYS = frozenset(
    {
        "baseurl", "markdown", "kramdown", "plugins", "gems", "collections", "highlighter",
        "safe", "lsi", "paginate_path", "defaults", "sass", "incremental", "excerpt_separator",
    }
)  # fmt: skip


class SiteConfigError(Exception):
    """A site config that cannot be used; the message names the file and what is wrong."""


@dataclass(frozen=True)
class SiteConfig:
    """What the importer needs from an old site's config; the defaults are Hexo's."""

    generator: str = "hexo"  # "hexo", "jekyll" or "hugo"
    config_file: Path | None = None
    root: Path | None = None  # the archive's root: the folder that holds the config
    # Hexo and Jekyll: the site's one pattern. Hugo: the pattern of sections without their own.
    permalink: str = HEXO_DEFAULT_PERMALINK
    section_permalinks: dict = field(default_factory=dict)  # Hugo: section -> pattern
    timezone: str = ""  # an IANA name; "" when the config sets none
    taxonomies: dict = field(default_factory=lambda: {"category": "categories", "tag": "tags"})
    language: str = ""  # the site's declared language code; "" when it declares none
    languages: dict = field(default_factory=dict)  # Hugo: language key -> its language code
    default_language: str = ""  # Hugo: the language whose pages carry no /<lang>/ prefix
    default_language_in_subdir: bool = False
    content_dir: str = "source"  # below root: Hexo's source/, Hugo's content/, Jekyll's root
    base_path: str = "/"  # Hexo's root, Jekyll's baseurl, the path of Hugo's baseURL
    ugly_urls: bool = False  # Hugo: /post/x.html rather than /post/x/
    lowercase_paths: bool = True  # Hugo lower-cases the paths it makes (disablePathToLower)
    page_outputs: tuple = ("html",)  # Hugo: the output formats of a page (AMP lives under /amp/)
    default_category: str = "uncategorized"  # Hexo
    category_map: dict = field(default_factory=dict)  # Hexo: name -> slug
    permalink_defaults: dict = field(default_factory=dict)  # Hexo
    filename_case: int = 0  # Hexo: 1 lower-cases, 2 upper-cases slugs
    post_asset_folder: bool = False  # Hexo

    @property
    def name(self):
        return {"hexo": "Hexo", "jekyll": "Jekyll", "hugo": "Hugo"}[self.generator]

    def content_path(self, file_path):
        """`file_path` relative to the site's content folder (posix), or None if outside it."""
        if self.root is None:
            return None
        content_root = (self.root / self.content_dir).resolve()
        resolved = Path(file_path).resolve()
        if not resolved.is_relative_to(content_root):
            return None
        return resolved.relative_to(content_root).as_posix()

    def with_permalink(self, pattern):
        """This config with `pattern` for every post (the command's --permalink)."""
        return replace(self, permalink=pattern, section_permalinks={})

    def describe(self):
        """What the config sets that the import uses, as `key value` pieces: 'permalink …; timezone …'."""
        parts = []
        if self.generator == "hugo":
            patterns = ", ".join(f"{s}: {p}" for s, p in self.section_permalinks.items())
            parts.append(f"permalinks {patterns or 'by file path'}")
        else:
            parts.append(f"permalink {self.permalink}")
        if self.timezone:
            parts.append(f"timezone {self.timezone}")
        if self.languages:
            parts.append(f"languages {', '.join(self.languages)} (default {self.default_language})")
        elif self.language:
            parts.append(f"language {self.language}")
        return "; ".join(parts)


def find_site_config(path, levels=3):
    """The config file of the archive that `path` lies in: beside it or up to `levels` folders up.

    None when there is none. A Hugo site's `config/_default/` counts as its folder's config.
    """
    start = Path(path).resolve()
    folder = start if start.is_dir() else start.parent
    for candidate in [folder, *folder.parents][: levels + 1]:
        for name in CONFIG_NAMES:
            if (candidate / name).is_file():
                return candidate / name
        for name in HUGO_CONFIG_NAMES:
            if (candidate / "config" / "_default" / name).is_file():
                return candidate / "config" / "_default" / name
    return None


def read_site_config(path):
    """Read a Hexo, Jekyll or Hugo config file (or the one in folder `path`) into a SiteConfig."""
    path = Path(path)
    if path.is_dir():
        found = next((path / n for n in CONFIG_NAMES if (path / n).is_file()), None)
        if found is None:
            raise SiteConfigError(f"{path}: no site config in this folder (looked for {', '.join(CONFIG_NAMES)})")
        path = found
    if path.name in JEKYLL_OR_HEXO_CONFIG_NAMES:
        data = _load(path)
        generator = _hexo_or_jekyll(path.parent, data)
        return (_hexo if generator == "hexo" else _jekyll)(path, data)
    if path.name in HUGO_CONFIG_NAMES:
        return _hugo(path, _hugo_settings(path))
    raise SiteConfigError(
        f"{path}: not a site config this importer knows (Hexo or Jekyll _config.yml; "
        f"Hugo {', '.join(HUGO_CONFIG_NAMES[:2])} …)"
    )


# --- reading files ------------------------------------------------------------------------------


def _load(path):
    try:
        text = path.read_text(encoding="utf-8-sig")
    except FileNotFoundError:
        raise SiteConfigError(f"{path}: no such file") from None
    except UnicodeDecodeError:
        raise SiteConfigError(f"{path}: not UTF-8 text") from None
    except OSError as error:
        raise SiteConfigError(f"{path}: cannot read: {error.strerror or error}") from None
    try:
        if path.suffix == ".toml":
            data = tomllib.loads(text)
        elif path.suffix == ".json":
            data = json.loads(text)
        else:
            data = yaml.safe_load(text)
    except tomllib.TOMLDecodeError as error:
        raise SiteConfigError(f"{path}: not valid TOML: {error}") from None
    except json.JSONDecodeError as error:
        raise SiteConfigError(f"{path}: not valid JSON: {error}") from None
    except yaml.YAMLError as error:
        mark = getattr(error, "problem_mark", None)
        where = f" (line {mark.line + 1})" if mark else ""
        problem = getattr(error, "problem", None) or str(error)
        raise SiteConfigError(f"{path}: not valid YAML{where}: {problem}") from None
    if data is None:
        return {}
    if not isinstance(data, dict):
        raise SiteConfigError(f"{path}: expected settings (key: value), found a {type(data).__name__}")
    return data


def _hugo_settings(path):
    """Hugo's settings with keys lower-cased (Hugo reads them case-insensitively); a config under
    `config/_default/` gathers its sibling files, each named after the key it holds."""
    data = _lower_keys(_load(path))
    if path.parent.name == "_default" and path.parent.parent.name == "config":
        for sibling in sorted(path.parent.iterdir()):
            key = sibling.stem.lower()
            if sibling == path or sibling.suffix not in (".toml", ".yaml", ".yml", ".json"):
                continue
            if key not in ("hugo", "config"):
                data.setdefault(key, {}).update(_lower_keys(_load(sibling)))
    return data


def _lower_keys(value):
    if isinstance(value, dict):
        return {str(k).lower(): _lower_keys(v) for k, v in value.items()}
    if isinstance(value, list):
        return [_lower_keys(v) for v in value]
    return value


def _hexo_or_jekyll(folder, data):
    """Hexo keeps its posts in source/_posts, Jekyll in _posts; failing that, the keys tell."""
    if (folder / "source").is_dir() or (folder / "scaffolds").is_dir():
        return "hexo"
    if (folder / "_posts").is_dir():
        return "jekyll"
    hexo, jekyll = len(_HEXO_KEYS & data.keys()), len(_JEKYLL_KEYS & data.keys())
    if hexo != jekyll:
        return "hexo" if hexo > jekyll else "jekyll"
    permalink = str(data.get("permalink") or "")
    return "jekyll" if permalink.startswith("/") or permalink in JEKYLL_PERMALINK_STYLES else "hexo"


# --- one reader per generator -------------------------------------------------------------------


def _hexo(path, data):
    return SiteConfig(
        generator="hexo",
        config_file=path,
        root=path.parent,
        permalink=_text(data.get("permalink"), path, "permalink") or HEXO_DEFAULT_PERMALINK,
        timezone=_zone(data.get("timezone"), path, "timezone"),
        language=_first(data.get("language")),
        content_dir=_text(data.get("source_dir"), path, "source_dir") or "source",
        base_path=_base_path(data.get("root")),
        default_category=_text(data.get("default_category"), path, "default_category") or "uncategorized",
        category_map=_string_map(data.get("category_map")),
        permalink_defaults=_string_map(data.get("permalink_defaults")),
        filename_case=data.get("filename_case") if data.get("filename_case") in (1, 2) else 0,
        post_asset_folder=data.get("post_asset_folder") is True,
    )


def _jekyll(path, data):
    permalink = _text(data.get("permalink"), path, "permalink") or "date"
    return SiteConfig(
        generator="jekyll",
        config_file=path,
        root=path.parent,
        permalink=JEKYLL_PERMALINK_STYLES.get(permalink, permalink),
        timezone=_zone(data.get("timezone"), path, "timezone"),
        language=_first(data.get("lang") or data.get("locale") or data.get("language")),
        content_dir=_text(data.get("source"), path, "source").strip("/") or "",
        base_path=_base_path(data.get("baseurl")),
    )


def _hugo(path, data):
    root = path.parent.parent.parent if path.parent.name == "_default" else path.parent
    languages = data.get("languages") if isinstance(data.get("languages"), dict) else {}
    default = _first(data.get("defaultcontentlanguage")).lower()
    top_code = _first(data.get("languagecode"))
    codes = {}
    for key, settings in languages.items():
        settings = settings if isinstance(settings, dict) else {}
        code = settings.get("languagecode") or settings.get("locale")
        codes[key.lower()] = _first(code) or (top_code if key.lower() == (default or "en") else "") or key
    taxonomies = data.get("taxonomies")
    outputs = data.get("outputs") if isinstance(data.get("outputs"), dict) else {}
    page_outputs = outputs.get("page") or ["html"]
    return SiteConfig(
        generator="hugo",
        config_file=path,
        root=root,
        permalink="",
        section_permalinks=_hugo_permalinks(data.get("permalinks"), path),
        timezone=_zone(data.get("timezone"), path, "timeZone"),
        taxonomies=_string_map(taxonomies)
        if isinstance(taxonomies, dict)
        else {"category": "categories", "tag": "tags"},
        language=codes.get(default) or top_code or default,
        languages=codes,
        default_language=default or "en",
        default_language_in_subdir=data.get("defaultcontentlanguageinsubdir") is True,
        content_dir=_text(data.get("contentdir"), path, "contentDir") or "content",
        base_path=_base_path(urlsplit(str(data.get("baseurl") or "")).path),
        ugly_urls=data.get("uglyurls") is True,
        lowercase_paths=data.get("disablepathtolower") is not True,
        page_outputs=tuple(str(o).lower() for o in page_outputs) if isinstance(page_outputs, list) else ("html",),
    )


def _hugo_permalinks(value, path):
    """Hugo's [permalinks]: `section = pattern`, or (Hugo 0.120+) the same under [permalinks.page]."""
    if not isinstance(value, dict):
        return {}
    if isinstance(value.get("page"), dict):
        value = value["page"]
    patterns = {}
    for section, pattern in value.items():
        if isinstance(pattern, str) and pattern.strip():
            patterns[section.strip("/")] = pattern.strip()
        elif not isinstance(pattern, dict):
            raise SiteConfigError(f"{path}: permalinks.{section}: expected a pattern, found {pattern!r}")
    return patterns


# --- values -------------------------------------------------------------------------------------


def _text(value, path, key):
    if value is None or value == "":
        return ""
    if not isinstance(value, (str, int, float)) or isinstance(value, bool):
        raise SiteConfigError(f"{path}: {key}: expected text, found {value!r}")
    return str(value).strip()


def _zone(value, path, key):
    name = _text(value, path, key)
    if not name:
        return ""
    try:
        zoneinfo.ZoneInfo(name)
    except (zoneinfo.ZoneInfoNotFoundError, ValueError):
        raise SiteConfigError(f"{path}: {key}: unknown time zone {name!r}") from None
    return name


def _first(value):
    """A setting that may be one value or a list of them (Hexo's `language`): the first."""
    if isinstance(value, list):
        value = value[0] if value else ""
    return str(value).strip() if isinstance(value, (str, int, float)) and not isinstance(value, bool) else ""


def _string_map(value):
    if not isinstance(value, dict):
        return {}
    return {str(k): str(v) for k, v in value.items() if v is not None and not isinstance(v, (dict, list))}


def _base_path(value):
    """A site's path prefix as '/' or '/blog/'."""
    parts = [p for p in str(value or "").strip().split("/") if p]
    return "/" + "".join(f"{p}/" for p in parts)


_LANGUAGE_SUFFIX = re.compile(r"\.([a-z]{2,3}(?:[-_][a-z0-9]{2,8})*)$", re.I)


def hugo_language_suffix(stem, site=None):
    """The language key of a Hugo file name's suffix (`about.en` -> 'en'), or ''.

    A configured language always counts; without one, only the codes of languages this
    importer knows (English and Chinese) do, so that `v1.2` or `report.final` are not taken.
    """
    match = _LANGUAGE_SUFFIX.search(stem)
    if not match:
        return ""
    key = match.group(1).lower()
    if site is not None and key in site.languages:
        return key
    return key if key == "en" or key.startswith(("en-", "zh")) else ""
