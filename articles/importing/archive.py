"""Which archive a legacy file belongs to, and how it is known inside it (no ORM, no database).

An imported article's identity is its archive's name plus the file's path below the archive's
root, so that `_posts/hello-world.md` of one blog never updates another blog's article, and
importing the same archive from its `source/_posts`, its `source` or its root finds the same
articles. The root is found by walking up from the import path (`find_root`); the name is
given (`--source NAME`) or derived from the root's folder name (`derive_name`).
"""

import os
import re
from dataclasses import dataclass
from pathlib import Path, PurePosixPath

from articles.slugs import readable_slug

from .frontmatter import relative_source_path

# A generator's own config names: wherever one is, there is a site's root.
GENERATOR_CONFIGS = ("_config.yml", "hugo.toml", "hugo.yaml")
# Hugo's older names, which other tools use too: they count beside a `content` folder only.
GENERIC_CONFIGS = ("config.toml", "config.yaml", "config.yml")
SITE_CONFIG_NAMES = GENERATOR_CONFIGS + GENERIC_CONFIGS
NAME_MAX_LENGTH = 200  # Article.source_archive's max_length (this module does not import the ORM)
DERIVED_NAME_MAX_LENGTH = 60
_SEPARATORS = re.compile(r"[._\s]+")


class ArchiveError(Exception):
    """Archives that cannot be told apart as given; the message says what to do."""


@dataclass(frozen=True)
class Archive:
    """One old site's files: its name (the first half of every identity) and its root folder."""

    name: str
    root: Path
    marker: str = ""  # what showed the root: a site config's name, a layout, or "" (the import path)


def find_root(path):
    """(root, marker) of the archive holding `path`: the nearest folder, going up, that is a site.

    A folder is a site's root when it holds a generator's config (`_config.yml`, `hugo.toml`,
    `hugo.yaml`, or Hugo's `config.toml`/`config.yaml`/`config.yml` beside a `content` folder),
    or, for a blog copied without its config, when it holds `source/_posts` (Hexo) or `_posts`
    (Jekyll; a Hexo `source` folder holding `_posts` points at its parent). With none up to the
    filesystem root, the import path is the root (a file's own folder when a file is given).
    """
    start = Path(os.path.abspath(path))
    if not start.is_dir():
        start = start.parent
    for folder in (start, *start.parents):
        found = _site_marker(folder)
        if found is not None:
            return found
    return start, ""


def _site_marker(folder):
    for name in GENERATOR_CONFIGS:
        if (folder / name).is_file():
            return folder, name
    if (folder / "content").is_dir():
        for name in GENERIC_CONFIGS:
            if (folder / name).is_file():
                return folder, name
    if (folder / "source" / "_posts").is_dir():
        return folder, "source/_posts"
    if (folder / "_posts").is_dir():
        if folder.name == "source" and folder.parent != folder:
            return _site_marker(folder.parent)  # Hexo's source folder: the blog is its parent
        return folder, "_posts"
    return None


def derive_name(root):
    """A slug-like name for the archive at `root`, from its folder's name ("archive" for none)."""
    words = _SEPARATORS.sub(" ", Path(root).name)
    return readable_slug(words, max_length=DERIVED_NAME_MAX_LENGTH, fallback="archive")


def check_name(name):
    """`name` stripped, or ArchiveError when it cannot name an archive."""
    name = (name or "").strip()
    if not name:
        raise ArchiveError("--source: the archive's name is empty")
    if len(name) > NAME_MAX_LENGTH:
        raise ArchiveError(f"--source: the archive's name is over {NAME_MAX_LENGTH} characters")
    return name


def archives_for(paths, name=None):
    """{given path: Archive} for the import paths; ArchiveError when two archives would share a name.

    With `name` (`--source`), every path belongs to that one archive. Without it, paths of one
    root are one archive, and two roots whose folders derive the same name are refused: they
    would share their identities, which is the overwrite this module exists to prevent.
    """
    name = None if name is None else check_name(name)
    found = {}
    roots_by_name = {}
    for given in paths:
        root, marker = find_root(given)
        archive = Archive(name or derive_name(root), root, marker)
        found[given] = archive
        roots_by_name.setdefault(archive.name, set()).add(root)
    if name is None:
        for shared, roots in roots_by_name.items():
            if len(roots) > 1:
                listed = ", ".join(str(root) for root in sorted(roots))
                raise ArchiveError(
                    f"these archives would all be called {shared!r}: {listed}; import them one at a "
                    "time, each named with --source NAME"
                )
    return found


def identity_path(path, root):
    """How a file is known inside its archive: its path below the root, with forward slashes."""
    return relative_source_path(path, root)


def pre_archive_paths(path, root):
    """The paths an import made before archives were recorded may have stored for this file.

    Then a file was known by its path below the folder given to that import: the archive's
    root or any folder between it and the file. Longest first.
    """
    relative = identity_path(path, root).split("/")
    return tuple("/".join(relative[start:]) for start in range(len(relative)))


def describe(archive_name, path):
    """A file of an archive, as a message names it: `name:path`."""
    return (
        f"{archive_name}:{PurePosixPath(path)}"
        if archive_name
        else f"{PurePosixPath(path)} (imported before archives were recorded)"
    )
