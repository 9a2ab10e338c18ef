"""Which static-site generator an archive was written for (Hexo, Jekyll or Hugo), from its files.

Plain functions over the file system, no ORM. The guess decides how a body's generator syntax
is read (Liquid runs before Markdown in Jekyll, Hugo's taxonomies are flat lists) and where the
site's own config lies. A file's folder and its parents are looked at, up to a few levels above
the import root (an archive is often imported from `source/_posts` or `content/post`):

- Hugo: a `hugo.toml`/`hugo.yaml`/`hugo.json`, a `config.toml`/`config.yaml`/`config.json`
  beside a `content` folder, or a `config/_default` folder there; and any file with TOML (`+++`)
  front matter, which only Hugo reads.
- Jekyll: a `_config.yml` beside a `_posts` folder (Hexo keeps its posts in `source/_posts`).
- Hexo: a `_config.yml` beside a `source` or `scaffolds` folder, or a `_posts` folder inside a
  folder named `source`.
"""

import functools
import tomllib
from dataclasses import dataclass
from pathlib import Path

import yaml

HEXO = "hexo"
JEKYLL = "jekyll"
HUGO = "hugo"

# How far above the import root a site's config is looked for.
LEVELS_ABOVE_ROOT = 2

_HUGO_CONFIGS = ("hugo.toml", "hugo.yaml", "hugo.yml", "hugo.json")
# Names other tools use too: Hugo's only beside the site's `content` folder.
_HUGO_CONFIGS_WITH_CONTENT = ("config.toml", "config.yaml", "config.yml", "config.json")
_SITE_CONFIGS = ("_config.yml", "_config.yaml")


@dataclass(frozen=True)
class SiteGuess:
    """The generator an archive was written for ("" when unknown), its root and its config file."""

    generator: str = ""
    site_root: Path | None = None
    config_file: Path | None = None


UNKNOWN = SiteGuess()


def guess_site(path, root=None, *, front_matter_format=""):
    """The SiteGuess for the file at `path`, imported from `root` (its folder when not given)."""
    path = Path(path)
    found = UNKNOWN
    try:
        if path.exists():
            path = path.resolve()
            top = Path(root).resolve() if root is not None else path.parent
            found = _guess_from(path.parent, _limit(top))
    except OSError:
        found = UNKNOWN
    if front_matter_format == "toml" and found.generator != HUGO:
        return SiteGuess(HUGO, found.site_root, found.config_file if found.generator == HUGO else None)
    return found


def guess_generator(path, root=None, *, front_matter_format=""):
    """ "hexo", "jekyll", "hugo" or "" for the file at `path` (see guess_site)."""
    return guess_site(path, root, front_matter_format=front_matter_format).generator


def _limit(top):
    for _ in range(LEVELS_ABOVE_ROOT):
        if top.parent == top:
            break
        top = top.parent
    return top


@functools.lru_cache(maxsize=1024)
def _guess_from(folder, limit):
    """The guess for files in `folder`: the nearest folder up to `limit` that names a generator."""
    for candidate in (folder, *folder.parents):
        found = _folder_guess(candidate)
        if found is not None:
            return found
        if candidate == limit or not candidate.is_relative_to(limit):
            break
    return UNKNOWN


def _folder_guess(folder):
    for name in _HUGO_CONFIGS:
        if (folder / name).is_file():
            return SiteGuess(HUGO, folder, folder / name)
    if (folder / "content").is_dir():
        for name in _HUGO_CONFIGS_WITH_CONTENT:
            if (folder / name).is_file():
                return SiteGuess(HUGO, folder, folder / name)
        if (folder / "config" / "_default").is_dir():
            return SiteGuess(HUGO, folder, None)
    for name in _SITE_CONFIGS:
        config = folder / name
        if config.is_file():
            if (folder / "source").is_dir() or (folder / "scaffolds").is_dir():
                return SiteGuess(HEXO, folder, config)
            if (folder / "_posts").is_dir():
                return SiteGuess(JEKYLL, folder, config)
    if folder.name == "_posts" and folder.parent.name == "source":
        root = folder.parent.parent
        config = next((root / name for name in _SITE_CONFIGS if (root / name).is_file()), None)
        return SiteGuess(HEXO, root, config)
    return None


def site_config(site):
    """The site's config file read (YAML, TOML or JSON): {} when there is none or it is unreadable."""
    return _read_config(site.config_file) if site.config_file is not None else {}


def site_setting(site, key, default=None):
    """A top-level value of the site's config; `default` when absent."""
    return site_config(site).get(key, default)


@functools.lru_cache(maxsize=64)
def _read_config(config_file):
    try:
        text = config_file.read_text(encoding="utf-8-sig")
        if config_file.suffix == ".toml":
            data = tomllib.loads(text)
        elif config_file.suffix == ".json":
            import json

            data = json.loads(text)
        else:
            data = yaml.safe_load(text)
    except (OSError, UnicodeDecodeError, ValueError, yaml.YAMLError):
        return {}
    return data if isinstance(data, dict) else {}
