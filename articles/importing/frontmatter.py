"""Reading legacy front-matter files into plain records (no ORM, no Django settings)."""
import hashlib
from dataclasses import dataclass, field
from pathlib import Path

import frontmatter
import yaml


class LegacyFileError(Exception):
    """A file that cannot be imported; the message names what is wrong with it."""


@dataclass
class LegacyRecord:
    """One legacy file as read: its front matter, its body text, and where it came from."""

    path: Path
    relative_path: str
    metadata: dict
    body: str
    content_hash: str
    warnings: list = field(default_factory=list)


def decode(raw, warnings):
    """Decode file bytes as UTF-8 (with or without BOM), else GB18030 with a warning."""
    if b"\x00" in raw:
        raise LegacyFileError("binary file (contains NUL bytes), not a text article")
    try:
        return raw.decode("utf-8-sig")
    except UnicodeDecodeError as utf8_error:
        try:
            text = raw.decode("gb18030")
        except UnicodeDecodeError:
            raise LegacyFileError(f"not valid UTF-8: {utf8_error}") from None
        warnings.append("not valid UTF-8; read as GB18030")
        return text


def split_front_matter(text):
    """Return (metadata, body) from a file's text; raise LegacyFileError if there is none."""
    text = text.replace("\r\n", "\n").replace("\r", "\n")
    stripped = text.strip()
    handler = frontmatter.detect_format(stripped, frontmatter.handlers)
    if handler is None:
        raise LegacyFileError("no front matter (the file does not start with a '---' block)")
    try:
        raw_meta, body = handler.split(stripped)
    except ValueError:
        raise LegacyFileError("front matter is not closed (no second '---' line)") from None
    try:
        metadata = handler.load(raw_meta)
    except yaml.MarkedYAMLError as error:
        mark = error.problem_mark or error.context_mark
        where = f" at line {_file_line(text, handler, mark.line)}" if mark is not None else ""
        raise LegacyFileError(f"front matter is not valid YAML{where}: {error.problem}") from None
    except yaml.YAMLError as error:
        raise LegacyFileError(f"front matter is not valid YAML: {error}") from None
    except ValueError as error:  # JSON and TOML handlers
        raise LegacyFileError(f"front matter cannot be parsed: {error}") from None
    if metadata is None:
        metadata = {}
    if not isinstance(metadata, dict):
        raise LegacyFileError(
            f"front matter must be a mapping of keys to values, not {type(metadata).__name__}"
        )
    return metadata, body.strip()


def _file_line(text, handler, yaml_line):
    """The 1-based line in `text` of line `yaml_line` (0-based) of the front matter text.

    The front matter text begins where the opening fence ends, on the fence's own line, and
    the fence may follow blank lines (Hexo tolerates them).
    """
    stripped = text.lstrip()
    lines_before = text[: len(text) - len(stripped)].count("\n")
    fence = handler.FM_BOUNDARY.search(stripped)
    return lines_before + stripped[: fence.end()].count("\n") + 1 + yaml_line


def read_legacy_file(path, root):
    """Read one file below `root` into a LegacyRecord, or raise LegacyFileError."""
    path = Path(path)
    raw = path.read_bytes()
    warnings = []
    text = decode(raw, warnings)
    metadata, body = split_front_matter(text)
    return LegacyRecord(
        path=path,
        relative_path=path.relative_to(root).as_posix() if root != path else path.name,
        metadata=metadata,
        body=body,
        content_hash=hashlib.sha256(raw).hexdigest(),
        warnings=warnings,
    )
