"""What a generator tag turns into, and the small helpers the tag modules share (no ORM).

A handler in hexo_tags, liquid or hugo_shortcodes returns one of:

- `Html(fragment, block=…)`: markup in place of the tag (kept out of Markdown's way);
- `Code(content, language)`: a code block (a fence in Markdown, so it is highlighted as any);
- `Wrap(...)`: a block whose content stays in the body and is read with it (a quote around it,
  a <details>, a heading before it, `<!-- tab x -->` markers turned into headings);
- `REMOVED`: nothing;
- None: the tag is left as it was written (a malformed call of a known tag, warned).
"""

import html
import re
from dataclasses import dataclass

from articles.sanitize import ALLOWED_TAGS, video_player_url


@dataclass(frozen=True)
class Html:
    fragment: str
    block: bool = False


@dataclass(frozen=True)
class Code:
    content: str
    language: str = ""


@dataclass(frozen=True)
class Wrap:
    """A container kept in the body: `before`/`after` markup (HTML) around its content, an
    optional heading first, and section markers (`<!-- tab Title -->`) read as headings."""

    before: str = ""
    after: str = ""
    heading: str | None = None
    sections: str = ""  # "tab" or "timeline": the marker word of `<!-- word Title -->`


REMOVED = Html("")

# Hexo's and Hugo's ways of saying "true".
_TRUE_WORDS = frozenset({"true", "yes", "on", "1"})


def attr(value):
    return html.escape(str(value), quote=True)


def text(value):
    return html.escape(str(value), quote=False)


def is_true(value):
    return str(value).strip().lower() in _TRUE_WORDS


def policy_allows(tag_name):
    """Whether the one HTML policy (articles.sanitize) keeps `tag_name`."""
    return tag_name in ALLOWED_TAGS


def link(url, shown=None):
    shown = url if shown is None else shown
    return f'<a href="{attr(url)}">{text(shown)}</a>'


def embed(url, title, *, fallback_text=None):
    """A sandboxed player for an allowed video host (see VIDEO_PLAYERS); a plain link otherwise."""
    if video_player_url(url) is not None:
        return Html(f'<iframe src="{attr(url)}" title="{attr(title)}"></iframe>', block=True)
    return Html(link(url, fallback_text), block=False)


def fold(title):
    """A block shown folded on the old site: <details> when the policy keeps it, else a heading."""
    title = (title or "").strip()
    if policy_allows("details") and policy_allows("summary"):
        summary = f"<summary>{text(title)}</summary>" if title else ""
        return Wrap(before=f"<details>\n{summary}", after="</details>")
    return Wrap(heading=title or None)


def callout(title=""):
    """A notice box: a quote, its title first in bold."""
    title = (title or "").strip()
    head = f"\n<p><strong>{text(title)}</strong></p>" if title else ""
    return Wrap(before=f"<blockquote>{head}", after="</blockquote>")


def split_tag_arguments(value):
    """Hexo's (Nunjucks') argument list: split at spaces; quotes group words and are removed."""
    args, current, has_item = [], [], False
    i, length = 0, len(value)
    while i < length:
        char = value[i]
        if char in " \t\r\n":
            if has_item:
                args.append("".join(current).strip())
            current, has_item = [], False
            i += 1
        elif char in "\"'":
            end = i + 1
            part = []
            while end < length and value[end] != char:
                if value[end] == "\\" and end + 1 < length:
                    end += 1
                part.append(value[end])
                end += 1
            current.append("".join(part))
            has_item = has_item or bool(part)
            i = end + 1
        else:
            current.append(char)
            has_item = True
            i += 1
    if has_item:
        args.append("".join(current).strip())
    return [arg for arg in args if arg != ""]


def comma_arguments(args):
    """Butterfly's `{% btn url,text,icon %}`: the words joined again, then split at commas."""
    return [part.strip() for part in " ".join(args).split(",")]


_FENCE_RUN = re.compile(r"`{3,}")


def fence_for(content):
    """A backtick fence longer than any run of backticks in `content`."""
    longest = max((len(m.group()) for m in _FENCE_RUN.finditer(content)), default=2)
    return "`" * max(3, longest + 1)
