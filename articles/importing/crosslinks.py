"""Links from one imported article to another (Hexo `post_link`, Jekyll `post_url`, Hugo `ref` …).

A body is converted file by file, but the article a link names may be saved later in the run
(or not at all). So the conversion writes a placeholder link, `<a href="#newsroom-link:KIND:REF">`
(an in-page fragment: the sanitizer keeps it, and a browser never leaves the page for it), and
once every file of the run is saved, `link_imported_articles()` rewrites each body that holds
one: to the article's address, or, when the archive has no such article, to the link's text
alone, reported. No placeholder outlives the run.

KIND says how REF names an article: by the post's file name (`hexo`, `jekyll`) or by its path in
the site (`path`, `hugo`). A `!` after the kind asks for the article's title as the link text,
as Hexo's `{% post_link slug %}` shows it.
"""

import html
import os.path
import re
from dataclasses import dataclass
from pathlib import PurePosixPath
from urllib.parse import quote, unquote

PLACEHOLDER = "#newsroom-link:"
KINDS = frozenset({"hexo", "jekyll", "path", "hugo"})

_HREF = re.compile(r'href="#newsroom-link:(?P<kind>[a-z]+)(?P<own_title>!?):(?P<ref>[^"]*)"')
_LOOSE = re.compile(r"""#newsroom-link:(?P<kind>[a-z]+)!?:(?P<ref>[^\s"'<>]*)""")
_ANCHOR_START = re.compile(r"<a\b[^>]*>")
_ANCHOR_END = "</a>"
_TEXT_SUFFIXES = (".md", ".markdown", ".mdown", ".mkd", ".html", ".htm", ".txt", ".textile")
_LANGUAGE_SUFFIX = re.compile(r"\.[a-z]{2,3}(?:[-_][a-z0-9]{2,8})?$", re.I)
# Folders that hold a site's posts rather than name them: not part of a post's name.
_CONTENT_FOLDERS = ("_posts", "_drafts", "content", "source")


def placeholder_url(kind, ref, *, title_from_target=False):
    """The placeholder href for a link of `kind` to `ref`."""
    if kind not in KINDS:
        raise ValueError(f"unknown cross-link kind {kind!r}")
    return f"{PLACEHOLDER}{kind}{'!' if title_from_target else ''}:{quote(ref.strip(), safe='/-_.~#')}"


def placeholder_link(kind, ref, text, *, title_from_target=False):
    """An `<a>` to the article `ref` names, showing `text` (already HTML)."""
    href = placeholder_url(kind, ref, title_from_target=title_from_target)
    return f'<a href="{html.escape(href)}">{text}</a>'


@dataclass(frozen=True)
class Target:
    """An imported article a link can lead to."""

    url: str
    title: str = ""


@dataclass(frozen=True)
class Unresolved:
    """A link left as text: what it named, and why it was not found."""

    kind: str
    ref: str
    reason: str

    def __str__(self):
        return f"link to {self.ref!r} ({self.kind}) {self.reason}; kept as text"


class LinkIndex:
    """Every way the articles of one archive can be named, from their source paths (and titles)."""

    def __init__(self, targets):
        """`targets`: {source path inside the archive: Target}."""
        self.targets = dict(targets)
        self._by_key = {}
        self._by_title = {}
        for source_path, target in self.targets.items():
            for key in _path_keys(source_path):
                self._by_key.setdefault(key, []).append(source_path)
            if target.title:
                self._by_title.setdefault(target.title.strip().casefold(), []).append(source_path)

    def find(self, kind, ref, source_path=""):
        """(source path of the article `ref` names, reason it was not found or "")."""
        name, _, _ = ref.partition("#")
        name = name.strip()
        if not name:
            return None, "names no article"
        candidates = []
        if kind == "hugo" and not name.startswith("/") and source_path:
            # Hugo reads a relative ref from the page's own folder first.
            here = PurePosixPath(source_path).parent
            joined = os.path.normpath(str(here / name)).lstrip("./")
            candidates = self._by_key.get(_normalised(joined), [])
        if not candidates:
            candidates = self._by_key.get(_normalised(name), [])
        if not candidates and kind == "hexo":
            # Hexo's post_link finds a post by its title when no slug matches.
            candidates = self._by_title.get(name.casefold(), [])
        if not candidates:
            return None, "names no imported article of this archive"
        chosen = _closest(candidates, source_path)
        if chosen is None:
            shown = ", ".join(sorted(candidates)[:3])
            return None, f"is ambiguous ({shown})"
        return chosen, ""


def resolve_cross_links(body, index, *, source_path=""):
    """(`body` with each placeholder link made real or turned into its text, [Unresolved]).

    `index`: a LinkIndex (or {source path: Target}) of the archive the article came from;
    `source_path`: the article's own path in it, for relative references.
    """
    if PLACEHOLDER not in body:
        return body, []
    if not isinstance(index, LinkIndex):
        index = LinkIndex(index)
    out, unresolved = [], []
    pos = 0
    for match in _HREF.finditer(body):
        if match.start() < pos:
            continue  # inside an anchor already rewritten
        start = body.rfind("<a", pos, match.start())
        opening = _ANCHOR_START.match(body, start) if start >= 0 else None
        if opening is None or opening.end() <= match.start():
            continue  # not an anchor's href: left for the sanitizer's next pass to judge
        end = body.find(_ANCHOR_END, opening.end())
        if end < 0:
            end = len(body)
        inner = body[opening.end() : end]
        kind, ref = match.group("kind"), unquote(match.group("ref"))
        found, reason = index.find(kind, ref, source_path)
        out.append(body[pos:start])
        if found is None:
            unresolved.append(Unresolved(kind, ref, reason))
            out.append(inner)
        else:
            target = index.targets[found]
            anchor = ref.partition("#")[2]
            url = target.url + (f"#{quote(anchor)}" if anchor else "")
            tag = body[start : match.start()] + f'href="{html.escape(url)}"' + body[match.end() : opening.end()]
            text = html.escape(target.title, quote=False) if match.group("own_title") and target.title else inner
            out.append(f"{tag}{text}{_ANCHOR_END}")
        pos = end + len(_ANCHOR_END) if end < len(body) else end
    out.append(body[pos:])
    linked = "".join(out)
    if PLACEHOLDER in linked:
        # An address standing outside a link (`{% post_path x %}` in an attribute or in text).
        linked = _LOOSE.sub(lambda m: _loose_address(m, index, source_path, unresolved), linked)
    return linked, unresolved


def _loose_address(match, index, source_path, unresolved):
    kind, ref = match.group("kind"), unquote(match.group("ref"))
    found, reason = index.find(kind, ref, source_path)
    if found is None:
        unresolved.append(Unresolved(kind, ref, reason))
        return html.escape(ref)
    return html.escape(index.targets[found].url)


def _normalised(name):
    """A reference or a source path reduced to the words that name a post in every generator."""
    name = unquote(name).strip().strip("/")
    if name.startswith("./"):
        name = name[2:]
    parts = [p for p in PurePosixPath(name).parts if p not in ("", ".")]
    if not parts:
        return ""
    last = parts[-1]
    lowered = last.lower()
    for suffix in _TEXT_SUFFIXES:
        if lowered.endswith(suffix):
            last = last[: -len(suffix)]
            break
    # Hugo's translations: `post.zh-cn.md`, `index.en.md`.
    last = _LANGUAGE_SUFFIX.sub("", last) if "." in last else last
    parts[-1] = last
    if parts[-1] in ("index", "_index") and len(parts) > 1:
        parts.pop()  # a page bundle is named by its folder
    while len(parts) > 1 and parts[0] in _CONTENT_FOLDERS:
        parts.pop(0)
    return "/".join(parts).casefold()


def _path_keys(source_path):
    """The names an article answers to: its normalised path and each shorter tail of it."""
    parts = _normalised(source_path).split("/")
    return {"/".join(parts[i:]) for i in range(len(parts)) if parts[i]}


def _closest(candidates, source_path):
    """The one candidate nearest to the linking article (same language, then same folders), or None."""
    candidates = sorted(set(candidates))
    if len(candidates) == 1:
        return candidates[0]
    language = _language(source_path)
    same_language = [c for c in candidates if _language(c) == language]
    if len(same_language) == 1:
        return same_language[0]
    pool = same_language or candidates
    shared = {c: len(os.path.commonpath([c, source_path or c])) if source_path else 0 for c in pool}
    best = max(shared.values())
    nearest = [c for c in pool if shared[c] == best]
    return nearest[0] if len(nearest) == 1 else None


def _language(source_path):
    stem = PurePosixPath(source_path).stem
    match = _LANGUAGE_SUFFIX.search(stem) if "." in stem else None
    return match.group(0).lower() if match else ""
