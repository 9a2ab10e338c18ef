"""Reading legacy front-matter files into plain records (no ORM, no Django settings).

Which part of a file is front matter follows Hexo's own rules (hexo-front-matter's
`rFrontMatter` / `rFrontMatterNew`, and hexo-fs for BOM and line ends), with the Jekyll and Hugo
forms an archive also meets. The fences are found here with a few precompiled regular
expressions; the parsing itself is PyYAML (a safe loader that constructs no objects), `json` and
`tomllib`.

Forms accepted, after a UTF-8 BOM and any blank lines:

- ``---`` (three or more dashes, as Hexo's ``-{3,}``) YAML, closed by a dash line or by Jekyll's
  ``...``; fences may carry trailing spaces;
- Hexo's no-prefix form: ``key: value`` lines, then a ``---`` line, with no opening fence; only
  when that text is a YAML mapping with at least one key of `KNOWN_KEYS`, so prose followed by a
  Markdown ``---`` rule stays prose;
- ``;;;`` JSON (Hexo), with or without the opening ``;;;``, the object's members with or without
  the outer braces;
- ``+++`` TOML (Hugo).
"""

import hashlib
import json
import os
import re
import stat
import tomllib
from dataclasses import dataclass, field
from pathlib import Path
from typing import NamedTuple

import yaml
from yaml.nodes import MappingNode, ScalarNode
from yaml.reader import ReaderError

from .limits import (
    DEFAULT_MAX_BYTES,
    MAX_FRONT_MATTER_DEPTH,
    MAX_FRONT_MATTER_EXPANDED_BYTES,
    MAX_TOML_KEY_PARTS,
    MAX_TOML_TABLES,
    MAX_YAML_VALUES,
)

MAX_YAML_DEPTH = MAX_FRONT_MATTER_DEPTH

KNOWN_KEYS = frozenset(
    {
        # Hexo core
        "title",
        "date",
        "updated",
        "update",
        "categories",
        "category",
        "tags",
        "tag",
        "comments",
        "permalink",
        "layout",
        "published",
        "excerpt",
        "photos",
        "photo",
        "lang",
        "disableNunjucks",
        # themes and plugins (Volantis, Butterfly, Fluid, NexT, Icarus, hexo-abbrlink ...)
        "author",
        "description",
        "keywords",
        "cover",
        "thumbnail",
        "headimg",
        "top_img",
        "index_img",
        "banner_img",
        "abbrlink",
        "toc",
        "sticky",
        "top",
        "mathjax",
        "katex",
        "subtitle",
        "copyright",
        # WordPress migrations, Jekyll, Hugo
        "id",
        "slug",
        "draft",
        "summary",
        "lastmod",
        "publishDate",
        "aliases",
    }
)
"""Keys that make a no-prefix header (``key: value`` lines, then ``---``) count as front matter."""

FORMATS = ("yaml", "yaml-no-prefix", "json", "toml")

# --- fences -------------------------------------------------------------------------------------
# The text has LF line ends by the time these run.
_LEADING_BLANK_LINES = re.compile(r"(?:[ \t]*\n)*")
_OPENING_FENCE = re.compile(r"(-{3,}|;{3,}|\+{3})[ \t]*(?:\n|\Z)")
_CLOSING_FENCES = {
    "-": re.compile(r"^(?:-{3,}|\.\.\.)[ \t]*$", re.MULTILINE),
    ";": re.compile(r"^;{3,}[ \t]*$", re.MULTILINE),
    "+": re.compile(r"^\+{3}[ \t]*$", re.MULTILINE),
}
_FENCE_NAMES = {"-": "---", ";": ";;;", "+": "+++"}
# A fence line with white space before it: no fence to any generator, often meant as one.
_INDENTED_FENCES = {
    "-": re.compile(r"^[ \t]+(?:-{3,}|\.\.\.)[ \t]*$", re.MULTILINE),
    ";": re.compile(r"^[ \t]+;{3,}[ \t]*$", re.MULTILINE),
    "+": re.compile(r"^[ \t]+\+{3}[ \t]*$", re.MULTILINE),
}
# A key whose whole value is a template placeholder: `title: {{ title }}` (Hexo's scaffolds),
# `date = {{ .Date }}` (Hugo's archetypes), quoted or not.
_PLACEHOLDER_LINE = re.compile(r"""^[ \t]*["']?[\w-]+["']?[ \t]*[:=][ \t]*["']?\{\{.*\}\}["']?[ \t]*$""", re.MULTILINE)
_PLACEHOLDER_VALUE = re.compile(r"^\s*\{\{.*\}\}\s*$", re.DOTALL)
# Anchored at line starts, so that a long line is scanned once and not from each of its characters.
_BLANK_LINE_AFTER_TEXT = re.compile(r"^[ \t]*\S[^\n]*\n[ \t]*\n", re.MULTILINE)
_NO_PREFIX_FENCE = re.compile(r"^(?:-{3,}|;{3,})[ \t]*$", re.MULTILINE)
# The first line of a no-prefix header that looks meant as one: a known key, then a colon.
_FIRST_CONTENT_LINE = re.compile(r"^[ \t]*([^\s#].*)$", re.MULTILINE)
_YAML_KEY_LINE = re.compile(r"""["']?([A-Za-z_][\w-]*)["']?[ \t]*:(?:[ \t]|$)""")
_JSON_KEY_LINE = re.compile(r'\{?[ \t]*"([A-Za-z_][\w-]*)"[ \t]*:')
# Hexo's escapeYAML: each leading tab of a front-matter line becomes two spaces.
_LEADING_TABS = re.compile(r"^\t+", re.MULTILINE)
_TOML_POSITION = re.compile(r"\s*\(at line (\d+), column \d+\)$")
_YAML_ALIAS = re.compile(r"\*([^\s,\[\]{}]+)")
_BRACKETS = re.compile(r"[\[\]{}]")
# A TOML dotted key of more than MAX_TOML_KEY_PARTS parts (bare or quoted), anywhere in the text.
_TOML_DEEP_KEY = re.compile(r"""(?:(?:[A-Za-z0-9_-]+|"[^"\n]*"|'[^'\n]*')[ \t]*\.[ \t]*){%d}""" % MAX_TOML_KEY_PARTS)
_TOML_TABLE_HEADER = re.compile(r"^[ \t]*\[", re.MULTILINE)


class LegacyFileError(Exception):
    """A file that cannot be imported; the message names what is wrong with it."""


class NoFrontMatter(LegacyFileError):
    """A file with no front matter at all (an importer counts it as skipped, not failed)."""


class Scaffold(NoFrontMatter):
    """A generator's template for new posts, its front matter placeholders: no article (skipped)."""


@dataclass
class LegacyRecord:
    """One legacy file as read: its front matter, its body text, and where it came from."""

    path: Path
    relative_path: str
    metadata: dict
    body: str
    content_hash: str
    warnings: list = field(default_factory=list)
    front_matter_format: str = ""  # one of FORMATS, or "" when the file has none


class FrontMatter(NamedTuple):
    metadata: dict
    body: str
    format: str
    warnings: list


def decode(raw, warnings):
    """Decode file bytes as UTF-8 (with or without BOM), else GB18030 with a warning."""
    if raw.startswith((b"\xff\xfe", b"\xfe\xff")):
        raise LegacyFileError("UTF-16 text (the file starts with a UTF-16 byte-order mark); save it as UTF-8")
    if b"\x00" in raw:
        raise LegacyFileError("binary file (contains NUL bytes), not a text article")
    try:
        return raw.decode("utf-8-sig")
    except UnicodeDecodeError as utf8_error:
        try:
            text = raw.decode("gb18030")
        except UnicodeDecodeError:
            raise LegacyFileError(f"not valid UTF-8 (nor GB18030): {utf8_error}") from None
        warnings.append("not valid UTF-8; read as GB18030")
        return text


def parse_front_matter(text, *, allow_missing=False):
    """Split decoded text into a FrontMatter(metadata, body, format, warnings).

    Raises NoFrontMatter when the file has none (unless `allow_missing`: then the metadata is
    empty, the whole text is the body, and a warning says so), LegacyFileError when it has
    front matter that cannot be read. Error messages give line numbers of the file.
    """
    if "\r" in text:
        text = text.replace("\r\n", "\n").replace("\r", "\n")
    if text.startswith("\ufeff"):
        text = text[1:]
    warnings = []
    start = _LEADING_BLANK_LINES.match(text).end()
    first_line = text.count("\n", 0, start) + 1  # the file's first non-blank line

    opening = _OPENING_FENCE.match(text, start)
    if opening is not None:
        kind = opening.group(1)[0]
        closing = _CLOSING_FENCES[kind].search(text, opening.end())
        if closing is None:
            message = (
                f"front matter is not closed (no '{_FENCE_NAMES[kind]}' line after the opening "
                f"one on line {first_line})"
            )
            indented = _INDENTED_FENCES[kind].search(text, opening.end())
            if indented is not None:
                message += "; " + _indented_fence(text, indented, kind)
            raise LegacyFileError(message)
        fm_format = {"-": "yaml", ";": "json", "+": "toml"}[kind]
        fm_text = text[opening.end() : closing.start()]
        try:
            _refuse_deep_nesting(fm_text, first_line + 1)
            metadata = _PARSERS[fm_format](fm_text, first_line + 1, warnings)
        except LegacyFileError as error:
            _refuse_scaffold_lines(fm_text, first_line + 1)
            raise _fenced_error_explained(error, text, opening.end(), closing, kind, first_line) from None
        _refuse_scaffold_values(metadata, fm_text, first_line + 1)
        if metadata is None:
            metadata = {}
        if not isinstance(metadata, dict):
            raise LegacyFileError(f"front matter must be a mapping of keys to values, not {type(metadata).__name__}")
        return FrontMatter(metadata, _trim(text, closing.end() + 1), fm_format, warnings)

    if start == len(text):
        reason = "no front matter (the file is empty)"
    else:
        fence = _NO_PREFIX_FENCE.search(text, start)
        if fence is not None:
            fm_format = "yaml-no-prefix" if fence.group()[0] == "-" else "json"
            fence_line = text.count("\n", 0, fence.start()) + 1
            candidate = text[start : fence.start()]
            try:
                metadata = _no_prefix_header(candidate, fm_format, first_line, warnings)
            except LegacyFileError as error:
                _refuse_scaffold_lines(candidate, first_line)
                raise _with_hint(
                    error,
                    f"the '{fence.group().rstrip()}' on line {fence_line} was taken for the end of a front "
                    "matter without an opening fence (Hexo's no-prefix form): if it is a horizontal "
                    "rule in the body, close the front matter with its own line of dashes before the body",
                ) from None
            if metadata is not None:
                _refuse_scaffold_values(metadata, candidate, first_line)
                return FrontMatter(metadata, _trim(text, fence.end() + 1), fm_format, warnings)
            reason = (
                "no front matter (the file does not start with '---', ';;;' or '+++', and the "
                f"text before its '{fence.group().rstrip()}' line (line {fence_line}) is not a "
                "mapping with a front-matter key such as 'title' or 'date')"
            )
        else:
            reason = "no front matter (the file does not start with a '---', ';;;' or '+++' block)"
    if not allow_missing:
        raise NoFrontMatter(reason)
    warnings.append(f"{reason}; the whole file is the body")
    return FrontMatter({}, _trim(text, 0), "", warnings)


def split_front_matter(text, warnings=None):
    """Return (metadata, body) from a file's text; raise LegacyFileError if there is none.

    Warnings (duplicate keys ...) are appended to `warnings` when a list is given.
    """
    parsed = parse_front_matter(text)
    if warnings is not None:
        warnings.extend(parsed.warnings)
    return parsed.metadata, parsed.body


def read_legacy_file(path, root, *, max_bytes=DEFAULT_MAX_BYTES, allow_missing_front_matter=False):
    """Read one file below `root` into a LegacyRecord, or raise LegacyFileError."""
    raw = read_raw(path, max_bytes=max_bytes)
    return record_from_raw(raw, path, root, allow_missing_front_matter=allow_missing_front_matter)


def read_raw(path, *, max_bytes=DEFAULT_MAX_BYTES):
    """A file's bytes, or LegacyFileError; the size is checked with stat() before anything is read."""
    path = Path(path)
    try:
        info = path.stat()
        if not stat.S_ISREG(info.st_mode):
            raise LegacyFileError("not a regular file")
        if info.st_size > max_bytes:
            raise LegacyFileError(_too_large(info.st_size, max_bytes))
        raw = path.read_bytes()
    except OSError as error:
        raise LegacyFileError(f"cannot read the file: {error.strerror or error}") from None
    if len(raw) > max_bytes:  # it grew after stat()
        raise LegacyFileError(_too_large(len(raw), max_bytes))
    return raw


def record_from_raw(raw, path, root, *, allow_missing_front_matter=False):
    """The LegacyRecord of a file whose bytes were already read, or LegacyFileError."""
    warnings = []
    text = decode(raw, warnings)
    parsed = parse_front_matter(text, allow_missing=allow_missing_front_matter)
    return LegacyRecord(
        path=Path(path),
        relative_path=relative_source_path(path, root),
        metadata=parsed.metadata,
        body=parsed.body,
        content_hash=hashlib.sha256(raw).hexdigest(),
        warnings=warnings + parsed.warnings,
        front_matter_format=parsed.format,
    )


def relative_source_path(path, root):
    """A file's path below `root`, with forward slashes (its name when it is `root` itself)."""
    path, root = Path(os.path.abspath(path)), Path(os.path.abspath(root))
    return path.relative_to(root).as_posix() if root != path else path.name


def _too_large(size, max_bytes):
    return (
        f"file is too large: {size:,} bytes, over the limit of {max_bytes:,} bytes "
        f"({max_bytes / 1048576:.3g} MiB); not read"
    )


def _trim(text, start):
    """The body: text from `start`, without its leading blank lines and trailing white space."""
    return text[_LEADING_BLANK_LINES.match(text, start).end() :].rstrip()


def _with_hint(error, hint):
    """`error` with `hint` added to its message (same class, same line)."""
    explained = type(error)(f"{error}; {hint}")
    explained.line = getattr(error, "line", None)
    return explained


def _line_of(text, offset):
    return text.count("\n", 0, offset) + 1


def _indented_fence(text, indented, kind):
    fence = _FENCE_NAMES[kind]
    return (
        f"the '{indented.group().strip()}' on line {_line_of(text, indented.start())} is indented: a "
        f"closing '{fence}' must start at the beginning of its line"
    )


def _fenced_error_explained(error, text, start, closing, kind, first_line):
    """A fenced front matter's parse error, with the likely reason when the fences show one.

    An indented fence does not close the front matter, and a missing closing fence lets the
    front matter run on to a horizontal rule in the body: either way the parser meets body text.
    """
    indented = _INDENTED_FENCES[kind].search(text, start, closing.start())
    if indented is not None:
        closing_line = _line_of(text, closing.start())
        return _with_hint(
            error, _indented_fence(text, indented, kind) + f", so the front matter ran on to line {closing_line}"
        )
    error_line = getattr(error, "line", None)
    if kind == "-" and error_line is not None:
        gap = _BLANK_LINE_AFTER_TEXT.search(text, start, closing.start())
        if gap is not None and _line_of(text, gap.end()) <= error_line:
            return _with_hint(
                error,
                f"the '---' on line {_line_of(text, closing.start())} was taken for the closing fence: if "
                "it is a horizontal rule in the body, the front matter's own closing '---' is missing",
            )
    return error


def _refuse_scaffold_lines(fm_text, first_line):
    """Raise Scaffold when a line of front matter that did not parse is a key with a placeholder."""
    placeholder = _PLACEHOLDER_LINE.search(fm_text)
    if placeholder is not None:
        _raise_scaffold(placeholder.group().strip(), first_line + fm_text.count("\n", 0, placeholder.start()))


def _refuse_scaffold_values(metadata, fm_text, first_line):
    """Raise Scaffold when a top-level value of parsed front matter is a placeholder, quoted."""
    if not isinstance(metadata, dict):
        return
    for value in metadata.values():
        if isinstance(value, str) and _PLACEHOLDER_VALUE.match(value):
            placeholder = _PLACEHOLDER_LINE.search(fm_text)
            line = first_line + fm_text.count("\n", 0, placeholder.start()) if placeholder else first_line
            _raise_scaffold(placeholder.group().strip() if placeholder else value.strip(), line)


def _raise_scaffold(shown, line):
    scaffold = Scaffold(
        f"a scaffold, not a post: line {line} ({shown!r}) is a template placeholder, which Hexo's "
        "scaffolds and Hugo's archetypes fill in when a post is created"
    )
    scaffold.line = line
    raise scaffold


def _refuse_deep_nesting(fm_text, first_line):
    """Raise LegacyFileError when brackets in `fm_text` open deeper than MAX_FRONT_MATTER_DEPTH.

    A scan of brackets only, before any parser runs: libyaml would crash the process on a deep
    flow value before reporting it. Brackets in quoted text are counted too, which can only
    refuse a file whose text opens a hundred brackets without closing them.
    """
    if fm_text.count("[") + fm_text.count("{") <= MAX_FRONT_MATTER_DEPTH:
        return
    depth = 0
    for bracket in _BRACKETS.finditer(fm_text):
        if bracket.group() in "[{":
            depth += 1
            if depth > MAX_FRONT_MATTER_DEPTH:
                line = first_line + fm_text.count("\n", 0, bracket.start())
                raise _error_at(
                    f"front matter is nested more than {MAX_FRONT_MATTER_DEPTH} levels deep (line {line}); refused",
                    line,
                )
        elif depth:
            depth -= 1


def _no_prefix_header(candidate, fm_format, first_line, warnings):
    """The metadata of a Hexo no-prefix header, or None when `candidate` is not one.

    It is one when it parses as a mapping with a known key. When it does not parse but its first
    line starts with a known key (``title: ...``), it was meant as one and the error is raised.
    """
    own_warnings = []
    try:
        _refuse_deep_nesting(candidate, first_line)
        metadata = _PARSERS[fm_format](candidate, first_line, own_warnings)
    except LegacyFileError:
        line = _FIRST_CONTENT_LINE.search(candidate)
        key_line = _YAML_KEY_LINE if fm_format == "yaml-no-prefix" else _JSON_KEY_LINE
        key = key_line.match(line.group(1)) if line is not None else None
        if key is not None and key.group(1) in KNOWN_KEYS:
            raise
        return None
    if not isinstance(metadata, dict) or KNOWN_KEYS.isdisjoint(metadata):
        return None
    warnings.extend(own_warnings)
    return metadata


# --- YAML ---------------------------------------------------------------------------------------
_REFUSED_TAGS = {
    # SafeLoader builds these, but as bytes, sets and lists of tuples, which no article field takes
    "tag:yaml.org,2002:binary",
    "tag:yaml.org,2002:set",
    "tag:yaml.org,2002:omap",
    "tag:yaml.org,2002:pairs",
}


class _TagNotAllowed(yaml.YAMLError):
    def __init__(self, tag, mark):
        super().__init__(tag)
        self.tag, self.mark = tag, mark


def make_loader(base):
    """A loader class on top of PyYAML's `base` safe loader (libyaml's CSafeLoader or the
    pure-Python SafeLoader) that constructs no objects of any class, refuses unknown tags by
    name, warns about duplicate keys, and keeps impossible dates as text."""

    class FrontMatterLoader(base):
        yaml_constructors = {
            tag: constructor for tag, constructor in base.yaml_constructors.items() if tag not in _REFUSED_TAGS
        }
        yaml_multi_constructors = {}

        def __init__(self, stream, first_line, warnings):
            super().__init__(stream)
            self.first_line = first_line  # the file line of the stream's first line
            self.warnings = warnings

        def refuse_tag(self, node):
            raise _TagNotAllowed(node.tag, node.start_mark)

        def construct_mapping(self, node, deep=False):
            if isinstance(node, MappingNode):
                seen = set()
                for key_node, _ in node.value:
                    if not isinstance(key_node, ScalarNode) or key_node.tag == "tag:yaml.org,2002:merge":
                        continue
                    key = self.construct_object(key_node)
                    try:
                        duplicate = key in seen
                    except TypeError:  # unhashable; the base class reports it
                        continue
                    if duplicate:
                        line = self.first_line + key_node.start_mark.line
                        self.warnings.append(f"front matter: duplicate key {key!r} (line {line}); the last value wins")
                    seen.add(key)
            return super().construct_mapping(node, deep=deep)

        def construct_timestamp_or_text(self, node):
            try:
                return self.construct_yaml_timestamp(node)
            except ValueError:  # matches the timestamp pattern but is no date, such as 2024-02-30
                value = self.construct_scalar(node)
                line = self.first_line + node.start_mark.line
                self.warnings.append(f"front matter: {value!r} (line {line}) is not a valid date; kept as text")
                return value

    FrontMatterLoader.add_constructor(None, FrontMatterLoader.refuse_tag)
    FrontMatterLoader.add_constructor("tag:yaml.org,2002:timestamp", FrontMatterLoader.construct_timestamp_or_text)
    return FrontMatterLoader


_FrontMatterLoader = make_loader(getattr(yaml, "CSafeLoader", yaml.SafeLoader))


def _parse_yaml(fm_text, first_line, warnings):
    if "\t" in fm_text:
        fm_text = _LEADING_TABS.sub(lambda tabs: "  " * len(tabs.group()), fm_text)
    joined = []
    while True:
        try:
            return _load_yaml(fm_text, first_line, warnings)
        except LegacyFileError as error:
            # A plain value written on across a line break without indenting it (Jekyll's Ruby
            # reader refuses it too, but the author meant one value): joined, and said so.
            continued = _unindented_continuation(error.__cause__, fm_text)
            if continued is None or len(joined) > fm_text.count("\n"):
                raise
            lines = fm_text.split("\n")
            lines[continued - 1] = f"{lines[continued - 1].rstrip()} {lines[continued].strip()}"
            del lines[continued]
            fm_text = "\n".join(lines)
            joined.append(first_line + continued + len(joined))
            warnings.append(
                f"front matter line {joined[-1]} continues the value of the line before without "
                "indenting it (not valid YAML); joined to it"
            )


def _unindented_continuation(error, fm_text):
    """The index of a line that YAML took for a key but that continues the plain value of the
    key line before it, or None."""
    if not isinstance(error, yaml.MarkedYAMLError) or error.context_mark is None:
        return None
    if error.context != "while scanning a simple key" or not (error.problem or "").startswith(
        "could not find expected ':'"
    ):
        return None
    lines = fm_text.split("\n")
    index = error.context_mark.line
    if not 0 < index < len(lines) or _YAML_KEY_LINE.match(lines[index].lstrip()):
        return None
    previous = _YAML_KEY_LINE.match(lines[index - 1])
    value = lines[index - 1][previous.end() :].strip() if previous else ""
    if not value or value[0] in "[{|>\"'&*!#":
        return None
    return index


def _load_yaml(fm_text, first_line, warnings):
    loader = None
    try:
        loader = _FrontMatterLoader(fm_text, first_line, warnings)
        node = loader.get_single_node()
        if node is None:
            return None
        _check_expansion(node, first_line)
        return loader.construct_document(node)
    except yaml.YAMLError as error:
        raise _yaml_error(error, fm_text, first_line) from error
    except RecursionError:
        raise LegacyFileError("front matter is nested too deeply") from None
    finally:
        if loader is not None:
            loader.dispose()


def _check_expansion(root, first_line):
    """Refuse a node graph that aliases expand past MAX_YAML_VALUES (a 'billion laughs') or past
    MAX_FRONT_MATTER_EXPANDED_BYTES (one long string aliased many times), that contains itself, or that is nested deeper than MAX_YAML_DEPTH. PyYAML shares aliased objects
    instead of copying them, so loading is cheap, but anything that walks the result (JSON,
    templates) would expand it."""
    if isinstance(root, ScalarNode):
        return
    sizes, byte_sizes, scalar_bytes = {}, {}, {}
    on_path = set()
    stack = [(root, False, 1)]
    while stack:
        node, children_done, depth = stack.pop()
        if isinstance(node, MappingNode):
            children = [child for pair in node.value for child in pair]
        else:
            children = node.value
        key = id(node)
        if children_done:
            on_path.discard(key)
            size = 1 + sum(1 if isinstance(child, ScalarNode) else sizes[id(child)] for child in children)
            if size > MAX_YAML_VALUES:
                raise LegacyFileError(
                    f"front matter has more than {MAX_YAML_VALUES:,} values, counting what its YAML "
                    f"aliases expand to (line {first_line + node.start_mark.line}); refused"
                )
            # Bytes as well as values: a few aliases of one long string are few values.
            expanded = sum(
                _scalar_bytes(child, scalar_bytes) if isinstance(child, ScalarNode) else byte_sizes[id(child)]
                for child in children
            )
            if expanded > MAX_FRONT_MATTER_EXPANDED_BYTES:
                raise LegacyFileError(
                    f"front matter is larger than {MAX_FRONT_MATTER_EXPANDED_BYTES:,} bytes, counting what "
                    f"its YAML aliases expand to (line {first_line + node.start_mark.line}); refused"
                )
            sizes[key], byte_sizes[key] = size, expanded
            continue
        if key in sizes:
            continue
        if key in on_path:
            line = first_line + node.start_mark.line
            raise LegacyFileError(f"front matter has a YAML alias that refers to itself (line {line})")
        if depth > MAX_YAML_DEPTH:
            line = first_line + node.start_mark.line
            raise LegacyFileError(
                f"front matter is nested more than {MAX_YAML_DEPTH} levels deep (line {line}); refused"
            )
        on_path.add(key)
        stack.append((node, True, depth))
        stack.extend((child, False, depth + 1) for child in children if not isinstance(child, ScalarNode))


def _scalar_bytes(node, known):
    """The UTF-8 size of a scalar node's text, computed once per node however often it is aliased."""
    size = known.get(id(node))
    if size is None:
        size = known[id(node)] = len(node.value.encode("utf-8", "surrogatepass"))
    return size


def _error_at(message, line):
    """A LegacyFileError about `line` of the file (kept on the error for the fence hints)."""
    error = LegacyFileError(message)
    error.line = line
    return error


def _yaml_error(error, fm_text, first_line):
    if isinstance(error, _TagNotAllowed):
        tag = error.tag
        if tag.startswith("tag:yaml.org,2002:"):
            tag = "!!" + tag[len("tag:yaml.org,2002:") :]
        return _error_at(
            f"front matter uses the YAML tag '{tag}', which is not allowed "
            f"(not valid YAML at line {first_line + error.mark.line})",
            first_line + error.mark.line,
        )
    if isinstance(error, yaml.MarkedYAMLError):
        mark = error.problem_mark or error.context_mark
        problem = error.problem or error.context or "not valid YAML"
        if mark is None:
            return LegacyFileError(f"front matter is not valid YAML: {problem}")
        line = first_line + mark.line
        if problem.startswith("found undefined alias"):
            source_line = fm_text.split("\n")[mark.line] if mark.line < fm_text.count("\n") + 1 else ""
            alias = _YAML_ALIAS.search(source_line, mark.column) or _YAML_ALIAS.search(source_line)
            name = f" '*{alias.group(1)}'" if alias else ""
            return _error_at(f"front matter uses the undefined YAML alias{name} (not valid YAML at line {line})", line)
        if error.context and error.context_mark is not None and error.context_mark.line != mark.line:
            # an unclosed bracket or quote is found where the next thing starts: name both lines
            problem += f" ({error.context} at line {first_line + error.context_mark.line})"
        return _error_at(f"front matter is not valid YAML at line {line}: {problem}", line)
    if isinstance(error, ReaderError) and isinstance(error.character, int):
        # libyaml counts the position in bytes, PyYAML in characters: find the character instead
        where = fm_text.find(chr(error.character))
        at = f" at line {first_line + fm_text.count(chr(10), 0, where)}" if where >= 0 else ""
        return LegacyFileError(
            f"front matter is not valid YAML{at}: {error.reason} (character U+{error.character:04X})"
        )
    return LegacyFileError(f"front matter is not valid YAML: {error}")


# --- JSON and TOML ------------------------------------------------------------------------------
def _parse_json(fm_text, first_line, warnings):
    """Hexo's ;;; JSON: the members of an object, with or without the outer braces."""
    source = fm_text if fm_text.lstrip().startswith("{") else "{" + fm_text + "}"

    def build(pairs):
        metadata = {}
        for key, value in pairs:
            if key in metadata:
                warnings.append(f"front matter: duplicate key {key!r}; the last value wins")
            metadata[key] = value
        return metadata

    try:
        return json.loads(source, object_pairs_hook=build)
    except json.JSONDecodeError as error:
        line = first_line + error.lineno - 1
        raise _error_at(f"front matter is not valid JSON at line {line}: {error.msg}", line) from None
    except (ValueError, RecursionError) as error:
        raise LegacyFileError(f"front matter is not valid JSON: {error}") from None


def _parse_toml(fm_text, first_line, warnings):
    """Hugo's +++ TOML."""
    _refuse_toml_bombs(fm_text, first_line)
    try:
        return tomllib.loads(fm_text)
    except tomllib.TOMLDecodeError as error:
        message = str(error)
        position = _TOML_POSITION.search(message)
        if position is None:
            raise LegacyFileError(f"front matter is not valid TOML: {message}") from None
        line = first_line + int(position.group(1)) - 1
        raise _error_at(f"front matter is not valid TOML at line {line}: {message[: position.start()]}", line) from None
    except RecursionError:
        raise LegacyFileError("front matter is nested too deeply") from None


def _refuse_toml_bombs(fm_text, first_line):
    """Raise LegacyFileError for TOML whose keys or tables tomllib would take minutes or gigabytes
    to build (its memory grows with the square of a dotted key's depth); checked on the text."""
    deep = _TOML_DEEP_KEY.search(fm_text)
    if deep is not None:
        line = first_line + fm_text.count("\n", 0, deep.start())
        raise _error_at(
            f"front matter has a TOML key of more than {MAX_TOML_KEY_PARTS} dotted parts (line {line}); refused",
            line,
        )
    if len(_TOML_TABLE_HEADER.findall(fm_text)) > MAX_TOML_TABLES:
        raise LegacyFileError(f"front matter has more than {MAX_TOML_TABLES:,} TOML tables; refused")


_PARSERS = {"yaml": _parse_yaml, "yaml-no-prefix": _parse_yaml, "json": _parse_json, "toml": _parse_toml}
