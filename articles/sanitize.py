"""The one HTML policy for article bodies, and `clean_html()`, its only call into bleach.

The policy is data (tags, attributes, classes, ids, protocols, players and media hosts) so that
it can be read, reviewed and tested apart from the library; bleach's upstream no longer makes
releases, and keeping the rules here means a later sanitizer can take over the same data.
`clean_html(html, removed=[...])` also says which elements it dropped with their content, so an
import can name them instead of losing them silently.
"""

import contextvars
import re
import threading
from dataclasses import dataclass
from urllib.parse import urlsplit, urlunsplit

import bleach
from bleach import html5lib_shim
from bleach._vendor.html5lib import constants as html5lib_constants
from bleach._vendor.html5lib.treebuilders import getTreeBuilder
from bleach.html5lib_shim import Filter, convert_entities
from django.utils.translation import gettext_lazy as _
from pygments.token import STANDARD_TYPES

# What an article body may contain.
ALLOWED_TAGS = frozenset(
    {
        "p", "br", "hr",
        "h2", "h3", "h4", "h5", "h6",
        "strong", "em", "b", "i", "u", "s", "del", "ins", "sub", "sup", "mark", "small",
        "blockquote", "q", "cite", "abbr",
        "ul", "ol", "li", "dl", "dt", "dd",
        "table", "caption", "thead", "tbody", "tfoot", "tr", "th", "td",
        "pre", "code", "kbd",
        "figure", "figcaption",
        "a", "img",
        "span", "div",  # only with a class of ALLOWED_CLASSES (KEPT_FOR_THEIR_CLASS)
    }
)  # fmt: skip

ALLOWED_ATTRIBUTES = {
    "a": ["href", "title", "target"],
    "img": ["src", "alt", "title", "width", "height"],
    "abbr": ["title"],
    "th": ["colspan", "rowspan", "scope"],
    "td": ["colspan", "rowspan"],
    "ol": ["start"],
}

ALLOWED_PROTOCOLS = frozenset({"http", "https", "mailto"})

# Classes: per element, the values kept (a regular expression matched against the whole value,
# else against each of its words: `hljs language-js` keeps `language-js`). Values are compared
# and stored in lower case, so a fence's `Groovy` is `language-groovy`. Each class is one the
# site's own stylesheet or scripts give a meaning: a code block's language, the server-side
# highlighter's token classes (Pygments' short names, articles.highlighting), math for KaTeX,
# a table column's alignment, footnotes and task lists (articles.importing.markdown_extensions).
CODE_LANGUAGE_CLASS = r"language-[a-z0-9+#-]+"
HIGHLIGHT_CLASSES = frozenset(STANDARD_TYPES.values()) - {""}
MATH_CLASSES = ("math inline", "math display")
ALIGNMENT_CLASSES = ("align-left", "align-center", "align-right")
ALLOWED_CLASSES = {
    "code": CODE_LANGUAGE_CLASS,
    "span": "|".join([*MATH_CLASSES, *sorted(HIGHLIGHT_CLASSES)]),
    "div": "math display",
    "th": "|".join(ALIGNMENT_CLASSES),
    "td": "|".join(ALIGNMENT_CLASSES),
    "ol": "footnotes",
    "ul": "task-list",
}
# A <span> or <div> says nothing without its class: without a kept one it is unwrapped, its
# content staying where it was.
KEPT_FOR_THEIR_CLASS = frozenset({"span", "div"})
# Ids: footnotes only (a note and the references that point at it), numbered, so that they
# cannot take over an id of the page around the body.
ALLOWED_IDS = {
    "li": r"fn[0-9]+",
    "a": r"fnref[0-9]+(?::[0-9]+)?",
}

# Removed together with everything inside them; stripping only the tags would leave their
# code or markup behind as visible text. (The iframe of a VIDEO_PLAYERS player and the video or
# audio of a MEDIA_HOSTS file are the exceptions: they stay, emptied of their fallback content.)
DROPPED_WITH_CONTENT = frozenset(
    {
        "script", "style", "template", "noscript", "noembed", "noframes", "xmp",
        "iframe", "frame", "frameset", "object", "embed", "applet", "video", "audio", "source",
        "svg", "math", "textarea", "select", "title", "head",
    }
)  # fmt: skip
# Of those, what showed the reader something from elsewhere: an import names each one it drops.
EMBED_ELEMENTS = frozenset({"iframe", "frame", "frameset", "object", "embed", "applet", "video", "audio", "script"})

# Players an article may embed: host -> the path of its player page (matched whole).
# An iframe showing one of these is kept, sandboxed, with VIDEO_EMBED_ATTRIBUTES; every other
# iframe is dropped with its content (DROPPED_WITH_CONTENT). The pages' Content-Security-Policy
# lets frames load from these hosts only (frame-src in config/settings.py; a test pins the two).
VIDEO_PLAYERS = {
    "player.bilibili.com": r"/player\.html",
    "www.youtube.com": r"/embed/[A-Za-z0-9_-]+",
    "www.youtube-nocookie.com": r"/embed/[A-Za-z0-9_-]+",
    "v.qq.com": r"/txp/iframe/player\.html",
    "player.vimeo.com": r"/video/[0-9]+",
    "player.youku.com": r"/embed/[A-Za-z0-9_=-]+",
    "music.163.com": r"/outchain/player",  # NetEase Cloud Music
}
# A player's query (video id, page, start time): no ";" or "#", so no entity can form in it.
VIDEO_QUERY = r"[A-Za-z0-9_.~%=&+-]*"
# What an embed keeps of the author's attributes (width and height: digits only) ...
VIDEO_EMBED_ACCEPTED = ("src", "width", "height", "title")
# ... and what the policy sets on every embed, whatever the author wrote.
VIDEO_EMBED_ATTRIBUTES = {
    "sandbox": "allow-scripts allow-same-origin allow-presentation allow-popups",
    "allow": "fullscreen; picture-in-picture",
    "allowfullscreen": "",
    "loading": "lazy",
    "referrerpolicy": "strict-origin-when-cross-origin",
}
# A frame needs an accessible name; this one when the author gave none.
VIDEO_EMBED_TITLE = "视频"

# <video> and <audio> elements play files from these hosts over https, or from this site (an
# address starting with one "/"); any other is dropped with its fallback content. The pages'
# media-src lets exactly these load (config/settings.py; a test pins the two).
MEDIA_HOSTS = frozenset({"upload.wikimedia.org"})
MEDIA_ELEMENTS = frozenset({"video", "audio"})
# What a media element keeps of the author's attributes (width and height: digits only), what
# a <source> inside it keeps, and what the policy sets: controls, and nothing fetched or played
# before the reader asks (no autoplay, whatever the author wrote).
MEDIA_ACCEPTED = ("src", "width", "height")
MEDIA_SOURCE_ACCEPTED = ("src", "type")
MEDIA_ATTRIBUTES = {"controls": "", "preload": "none"}
_MEDIA_TYPE = re.compile(r"(?:video|audio)/[a-z0-9.+-]+")

# Attributes the policy adds rather than accepts.
EXTERNAL_LINK_REL = "noopener noreferrer nofollow"
IMAGE_LOADING = "lazy"
IMAGE_REFERRER_POLICY = "no-referrer"  # the legacy CDN serves images only without a referrer
NEW_TAB_TARGET = "_blank"

# How much markup one body may hold. html5lib, which parses for bleach, walks its stack of open
# elements on most tags (scope checks, the adoption agency for misnested formatting), compares
# each attribute's name with the tag's others, and appends each piece of text to the text before
# it, so `<b></p>` repeated kept a worker busy past its timeout (issue 17); and every tag,
# attribute or "&" costs it the same however little it holds. Within these bounds a body costs a
# bounded, linear amount of work. Each is about twice what the largest real article needs, as
# stored with its code highlighted (bench/README.md, "Sanitizing"); a body past one is refused,
# which forms and the importer report, rather than cut.
MAX_MARKUP = 48_000  # tags, attributes, "&"s (character references) and NULs in one body
MAX_DEPTH = 32  # elements open at once while the tree is built
MAX_ELEMENTS = 2 * MAX_MARKUP  # elements the parser makes (it re-opens unclosed formatting ones)
MAX_ATTRIBUTES = 32  # on one tag
# What is counted before parsing: a "<" that may start a tag or comment, every "&", and every
# NUL (a token of its own for the tokenizer; no real article has one).
_MARKUP_BEFORE_PARSING = re.compile(r"[<&\x00]")
# A numeric character reference this long is no character: bleach reads its digits one list
# pop at a time (quadratic), so its "&" is written as the text it reads as.
_OVERLONG_REFERENCE = re.compile(r"&(?=#[xX]?[0-9A-Fa-f]{32})")

_NUMERIC_ATTRIBUTES = {"width", "height", "colspan", "rowspan", "start"}
# ASCII digits only: str.isdigit() also accepts "１００" and "²", which browsers ignore.
_NUMBER = re.compile(r"\s*[0-9]+\s*")
# What a browser's URL parser drops before it reads a URL (WHATWG URL: leading/trailing C0
# controls and spaces, and every tab or newline anywhere).
_URL_EDGE = "".join(map(chr, range(0x21)))
_URL_TAB_OR_NEWLINE = re.compile(r"[\t\n\r]")


_PLAYER_PATHS = {host: re.compile(path) for host, path in VIDEO_PLAYERS.items()}
_PLAYER_QUERY = re.compile(VIDEO_QUERY)
_CLASS_RULES = {tag: re.compile(rule) for tag, rule in ALLOWED_CLASSES.items()}
_ID_RULES = {tag: re.compile(rule) for tag, rule in ALLOWED_IDS.items()}
_ATTRIBUTES_BY_TAG = {
    **{tag: frozenset(names) for tag, names in ALLOWED_ATTRIBUTES.items()},
    # Accepted here so that the filters can judge them; they keep them only on players and media.
    "iframe": frozenset(VIDEO_EMBED_ACCEPTED),
    **{tag: frozenset(MEDIA_ACCEPTED) for tag in MEDIA_ELEMENTS},
    "source": frozenset(MEDIA_SOURCE_ACCEPTED),
    # Read only to name the host in the removal report: these elements never survive.
    **{tag: frozenset({"src", "data"}) for tag in EMBED_ELEMENTS - {"iframe", *MEDIA_ELEMENTS}},
}


def _attr(name):
    return (None, name)


def kept_class(tag, value):
    """The class `tag` keeps of the attribute value `value` (see ALLOWED_CLASSES), or None."""
    rule = _CLASS_RULES.get(tag)
    if rule is None:
        return None
    words = (value or "").lower().split()
    whole = " ".join(words)
    if rule.fullmatch(whole):
        return whole
    return next((word for word in words if rule.fullmatch(word)), None)


def _allowed_attribute(tag, name, value):
    """bleach's attribute rule: the policy's lists, and the class and id rules."""
    if name == "class":
        return kept_class(tag, value) is not None
    if name == "id":
        rule = _ID_RULES.get(tag)
        return rule is not None and rule.fullmatch(value) is not None
    return name in _ATTRIBUTES_BY_TAG.get(tag, ())


def _https_parts(src):
    """urlsplit() of `src` as a browser reads it, made https if protocol-relative; None when a
    browser might read it differently (backslashes, unparsable) or it has a port or userinfo."""
    url = _URL_TAB_OR_NEWLINE.sub("", (src or "").strip(_URL_EDGE))
    if "\\" in url:
        return None
    if url.startswith("//"):
        url = "https:" + url
    try:
        parts = urlsplit(url)
        port = parts.port
    except ValueError:
        return None
    host = parts.hostname or ""
    if parts.scheme.lower() != "https" or port is not None or parts.netloc.lower() != host:
        return None
    return parts


def video_player_url(src):
    """The https address of an allowed video player that `src` names, or None.

    `src` is the attribute as a browser reads it (entities decoded). Anything a browser might
    read differently from urlsplit is refused rather than repaired: backslashes, userinfo, a
    port, a host not spelled exactly as listed (look-alikes, trailing dots, percent-escapes).
    Protocol-relative addresses are made https.
    """
    parts = _https_parts(src)
    if parts is None:
        return None
    path = _PLAYER_PATHS.get(parts.hostname)
    if path is None or not path.fullmatch(parts.path) or not _PLAYER_QUERY.fullmatch(parts.query):
        return None
    return urlunsplit(("https", parts.hostname, parts.path, parts.query, ""))


def media_file_url(src):
    """The address of a file a <video> or <audio> may play (see MEDIA_HOSTS), or None.

    Read as video_player_url reads a player's: what a browser could take elsewhere is refused.
    """
    url = _URL_TAB_OR_NEWLINE.sub("", (src or "").strip(_URL_EDGE))
    if url.startswith("/") and not url.startswith("//") and "\\" not in url:
        return url
    parts = _https_parts(url)
    if parts is None or parts.hostname not in MEDIA_HOSTS:
        return None
    return urlunsplit(("https", parts.hostname, parts.path, parts.query, ""))


@dataclass(frozen=True)
class Removal:
    """An element clean_html() dropped with its content, and the host its address named."""

    element: str
    host: str = ""

    @property
    def is_embed(self):
        return self.element in EMBED_ELEMENTS

    def __str__(self):
        return f"<{self.element}> from {self.host}" if self.host else f"<{self.element}>"


# The list the current clean_html() call reports its removals to, if its caller gave one.
_removals = contextvars.ContextVar("sanitize_removals", default=None)


def _address_host(attrs):
    """The host (or, for an address without one, the scheme) of an element's src or data."""
    value = attrs.get(_attr("src")) or attrs.get(_attr("data")) or ""
    url = _URL_TAB_OR_NEWLINE.sub("", convert_entities(value).strip(_URL_EDGE)).replace("\\", "/")
    try:
        parts = urlsplit("https:" + url if url.startswith("//") else url)
        return parts.hostname or (f"{parts.scheme}:" if parts.scheme else "")
    except ValueError:
        return ""


def _report_removal(name, attrs):
    report = _removals.get()
    if report is not None:
        report.append(Removal(name, _address_host(attrs)))


def _video_embed(attrs):
    """The attributes of the kept embed for an iframe's `attrs`, or None to drop the iframe."""
    src = video_player_url(convert_entities(attrs.get(_attr("src"), "")))
    if src is None:
        return None
    embed = {_attr("src"): src}
    for name in ("width", "height"):
        value = attrs.get(_attr(name))
        if value is not None and _NUMBER.fullmatch(value):
            embed[_attr(name)] = value.strip()
    title = attrs.get(_attr("title"), "").strip()
    embed[_attr("title")] = title or VIDEO_EMBED_TITLE
    embed.update((_attr(name), value) for name, value in VIDEO_EMBED_ATTRIBUTES.items())
    return embed


def _media_attributes(attrs, src):
    """The attributes of a kept <video> or <audio> playing `src` (None: from its <source>s)."""
    kept = {_attr("src"): src} if src else {}
    for name in ("width", "height"):
        value = attrs.get(_attr(name))
        if value is not None and _NUMBER.fullmatch(value):
            kept[_attr(name)] = value.strip()
    kept.update((_attr(name), value) for name, value in MEDIA_ATTRIBUTES.items())
    return kept


def _media_source(attrs):
    """The attributes of a kept <source> inside a media element, or None to drop it."""
    src = media_file_url(convert_entities(attrs.get(_attr("src"), "")))
    if src is None:
        return None
    kept = {_attr("src"): src}
    kind = (attrs.get(_attr("type")) or "").strip().lower()
    if _MEDIA_TYPE.fullmatch(kind):
        kept[_attr("type")] = kind
    return kept


class _DropWithContent(Filter):
    """Removes the elements of DROPPED_WITH_CONTENT and all they contain, except the iframes of
    allowed video players and the <video>/<audio> of allowed files, which are kept empty of
    anything else, with the policy's attributes. Each removal is reported (clean_html)."""

    def __iter__(self):
        tokens = super().__iter__()
        for token in tokens:
            kind = token["type"]
            name = token.get("name")
            if kind not in ("StartTag", "EmptyTag") or name not in DROPPED_WITH_CONTENT:
                yield token
                continue
            inner = self._content(tokens) if kind == "StartTag" else []
            if name == "iframe":
                embed = _video_embed(token["data"])
                if embed is not None:
                    # A player shows nothing of what the author put inside its frame.
                    token["data"] = embed
                    yield token
                    if kind == "StartTag":
                        yield {"type": "EndTag", "name": name, "namespace": token.get("namespace")}
                    continue
            elif name in MEDIA_ELEMENTS:
                kept = self._media(token, inner)
                if kept:
                    yield from kept
                    continue
            if name != "source":  # a <source> belongs to the media element it sits in
                _report_removal(name, self._first_address(token, inner))
            continue

    @staticmethod
    def _content(tokens):
        """The tokens up to and including the end tag that closes the element just opened."""
        inner, depth = [], 1
        for token in tokens:
            depth += {"StartTag": 1, "EndTag": -1}.get(token["type"], 0)
            inner.append(token)
            if depth == 0:
                break
        return inner

    @staticmethod
    def _media(token, inner):
        """The tokens of a kept media element for its start tag and content, or None."""
        name = token["name"]
        src = media_file_url(convert_entities(token["data"].get(_attr("src"), "")))
        # Only the element's own <source> children count; fallback content is dropped.
        sources, depth = [], 0
        for child in inner[:-1]:
            if depth == 0 and child["type"] in ("StartTag", "EmptyTag") and child["name"] == "source":
                attrs = _media_source(child["data"])
                if attrs is not None:
                    sources.append({**child, "type": "EmptyTag", "data": attrs})
            depth += {"StartTag": 1, "EndTag": -1}.get(child["type"], 0)
        if src is None and not sources:
            return None
        start = {**token, "type": "StartTag", "data": _media_attributes(token["data"], src)}
        end = {"type": "EndTag", "name": name, "namespace": token.get("namespace")}
        # A browser plays the element's own src and ignores its sources when it has one.
        return [start, *([] if src else sources), end]

    @staticmethod
    def _first_address(token, inner):
        """The attributes that name where a dropped element's content came from."""
        if token["data"].get(_attr("src")) or token["data"].get(_attr("data")):
            return token["data"]
        for child in inner:
            if child.get("name") == "source" and child.get("data", {}).get(_attr("src")):
                return child["data"]
        return token["data"]


class _KeptClasses(Filter):
    """Stores each kept class as ALLOWED_CLASSES names it, and unwraps a <span> or <div> left
    without one (KEPT_FOR_THEIR_CLASS)."""

    def __iter__(self):
        unwrapped = []  # for each open span/div: whether its start tag was left out
        for token in super().__iter__():
            kind = token["type"]
            name = token.get("name")
            if kind in ("StartTag", "EmptyTag"):
                attrs = token["data"]
                value = attrs.get(_attr("class"))
                if value is not None:
                    kept = kept_class(name, value)
                    if kept is None:
                        del attrs[_attr("class")]
                    else:
                        attrs[_attr("class")] = kept
                if name in KEPT_FOR_THEIR_CLASS:
                    dropped = _attr("class") not in attrs
                    if kind == "StartTag":
                        unwrapped.append(dropped)
                    if dropped:
                        continue
            elif kind == "EndTag" and name in KEPT_FOR_THEIR_CLASS and unwrapped:
                if unwrapped.pop():
                    continue
            yield token


class _LinkAndImageAttributes(Filter):
    """Adds what the policy requires on links and images, and drops malformed values."""

    internal_hosts = frozenset()

    def __iter__(self):
        for token in super().__iter__():
            if token["type"] in ("StartTag", "EmptyTag"):
                attrs = token["data"]
                for name in _NUMERIC_ATTRIBUTES:
                    value = attrs.get(_attr(name))
                    if value is not None and not _NUMBER.fullmatch(value):
                        del attrs[_attr(name)]
                if token["name"] == "a":
                    self._fix_link(attrs)
                elif token["name"] == "img":
                    attrs[_attr("loading")] = IMAGE_LOADING
                    attrs[_attr("referrerpolicy")] = IMAGE_REFERRER_POLICY
            yield token

    def _fix_link(self, attrs):
        new_tab = attrs.pop(_attr("target"), None) == NEW_TAB_TARGET
        href = attrs.get(_attr("href"), "")
        if self._is_external(href):
            attrs[_attr("rel")] = EXTERNAL_LINK_REL
        elif new_tab:
            attrs[_attr("rel")] = "noopener"
        if new_tab:
            attrs[_attr("target")] = NEW_TAB_TARGET

    def _is_external(self, href):
        # Judge the URL the browser will follow, not the attribute text: the attribute still
        # holds the entities the serializer will keep (`https&#58;//`, `&#47;&#47;`), may hold
        # tabs inside the scheme, and browsers read a backslash as "/" in http(s) URLs, so
        # `/<backslash>evil.example` is protocol-relative and `https://evil<backslash>@us`
        # goes to evil. Missing any of these let external links escape `rel=nofollow`.
        url = _URL_TAB_OR_NEWLINE.sub("", convert_entities(href).strip(_URL_EDGE))
        url = url.replace("\\", "/")
        try:
            parts = urlsplit(url)
            host = parts.hostname or ""
        except ValueError:  # e.g. an unclosed "[" IPv6 host: not ours, so treat it as external
            return True
        if parts.scheme.lower() in ("http", "https") or (not parts.scheme and url.startswith("//")):
            return host not in self.internal_hosts
        return False


def _internal_hosts():
    from django.conf import settings

    site = urlsplit(settings.NEWSROOM["SITE_URL"]).hostname
    hosts = {h for h in settings.ALLOWED_HOSTS if h and "*" not in h and not h.startswith(".")}
    return frozenset(hosts | ({site} if site else set()))


class MarkupTooComplex(ValueError):
    """A body past one of the markup bounds (MAX_MARKUP, MAX_DEPTH, MAX_ELEMENTS,
    MAX_ATTRIBUTES); its message says which, in words a writer can act on."""


def _too_much_markup():
    return MarkupTooComplex(_("正文的 HTML 标记过多：标签、属性与“&”字符共超过 %(limit)s 个。") % {"limit": MAX_MARKUP})


class _CountedStack(list):
    """The parser's stack of open elements, refusing a parse that makes more than MAX_ELEMENTS
    elements (every element the parser makes enters the stack)."""

    __slots__ = ("made",)

    def __init__(self):
        super().__init__()
        self.made = 0

    def _made_one(self):
        self.made += 1
        if self.made > MAX_ELEMENTS:
            raise MarkupTooComplex(_("正文的 HTML 元素过多：超过 %(limit)s 个。") % {"limit": MAX_ELEMENTS})

    def append(self, element):
        self._made_one()
        super().append(element)

    def insert(self, index, element):  # the adoption agency's clone of a formatting element
        self._made_one()
        super().insert(index, element)

    def __setitem__(self, index, element):  # the adoption agency's clones of the nodes between
        self._made_one()
        super().__setitem__(index, element)


# Elements whose closing changes how the parser reads what follows (tables, forms, selects,
# templates, formatting elements it re-opens, foreign content …): a body nested past MAX_DEPTH
# inside one of these is refused. Any other element at the bound is closed instead.
_NOT_CLOSED_AT_DEPTH = frozenset(
    {name for namespace, name in html5lib_constants.formattingElements}
    | {name for namespace, name in html5lib_constants.scopingElements}
    | {
        "html", "body", "head", "frameset", "form", "button", "select", "option", "optgroup",
        "caption", "colgroup", "tbody", "thead", "tfoot", "tr", "td", "th", "template",
        "textarea", "title", "style", "script", "noscript", "iframe", "xmp", "noembed",
        "noframes", "plaintext", "listing",
    }
)  # fmt: skip


class _BoundedTreeBuilder(getTreeBuilder("etree")):
    """bleach's tree builder, never deeper than MAX_DEPTH: an element that would open past it
    closes the current element first (it becomes that element's next sibling), as long as the
    current one is an ordinary container (see _NOT_CLOSED_AT_DEPTH); else the body is refused.
    Real bodies are far shallower; so were the contents that the policy unwraps anyway."""

    def reset(self):
        super().reset()
        self.openElements = _CountedStack()

    def _make_room(self):
        if len(self.openElements) < MAX_DEPTH:
            return
        current = self.openElements[-1]
        if current.namespace not in (None, html5lib_constants.namespaces["html"]) or (
            current.name in _NOT_CLOSED_AT_DEPTH
        ):
            raise MarkupTooComplex(_("正文的 HTML 嵌套过深：超过 %(limit)s 层。") % {"limit": MAX_DEPTH})
        self.openElements.pop()

    def insertElementNormal(self, token):
        self._make_room()
        return super().insertElementNormal(token)

    def insertElementTable(self, token):
        self._make_room()
        return super().insertElementTable(token)


_CHARACTERS = html5lib_constants.tokenTypes["Characters"]
_SPACE_CHARACTERS = html5lib_constants.tokenTypes["SpaceCharacters"]
_PARSE_ERROR = html5lib_constants.tokenTypes["ParseError"]


class _BoundedTokenizer(html5lib_shim.BleachHTMLTokenizer):
    """bleach's tokenizer, counting attributes against what is left of MAX_MARKUP (the parser's
    markup_left) and refusing a tag with more than MAX_ATTRIBUTES."""

    def _attribute_starts(self):
        # Called on every character between attributes: an attribute about to start is one
        # more than those the tag has, so each is counted once, when the next one starts.
        attributes = len(self.currentToken["data"])
        if attributes > MAX_ATTRIBUTES:
            raise MarkupTooComplex(_("正文中一个 HTML 标签的属性过多：超过 %(limit)s 个。") % {"limit": MAX_ATTRIBUTES})
        if attributes > self.parser.markup_left:
            raise _too_much_markup()

    def __iter__(self):
        """The tokens, with each run of text as one Characters token.

        The tree builder appends each piece of text to the text before it, copying it, so a
        long text cut into many pieces (by "&", a "<" that starts no tag, a NUL) cost the square
        of its length. Where text is cut carries no meaning: html5lib cuts it where its reading
        chunks end. Spaces after other text join it; spaces that start a run stay a token of
        their own (the parser treats those specially, e.g. the newline after <pre>). Parse
        errors, which only strict parsing reads, follow the run they fell in.
        """
        run, errors = [], []
        for token in super().__iter__():
            kind = token["type"]
            # An empty Characters token stands for a stripped tag (bleach's tokenizer); the spaces
            # after one are still the first of their element, so it starts no run. A NUL is a
            # token of its own, which the parser drops (MAX_MARKUP counts them).
            data = token.get("data")
            if data != "\x00" and (run and kind == _SPACE_CHARACTERS or kind == _CHARACTERS and (run or data)):
                run.append(data)
            elif run and kind == _PARSE_ERROR:
                errors.append(token)
            else:
                if run:
                    yield {"type": _CHARACTERS, "data": "".join(run)}
                    yield from errors
                    run, errors = [], []
                yield token
        if run:
            yield {"type": _CHARACTERS, "data": "".join(run)}
            yield from errors

    def emitCurrentToken(self):
        attributes = self.currentToken.get("data")
        if isinstance(attributes, list):  # a tag's, before the tokenizer makes them a dict
            self.parser.markup_left -= len(attributes)
            if self.parser.markup_left < 0:
                raise _too_much_markup()
        super().emitCurrentToken()

    # The two states in which the tokenizer starts a new attribute.
    def beforeAttributeNameState(self):
        self._attribute_starts()
        return super().beforeAttributeNameState()

    def afterAttributeNameState(self):
        self._attribute_starts()
        return super().afterAttributeNameState()


class _BoundedParser(html5lib_shim.BleachHTMLParser):
    """bleach's parser with _BoundedTokenizer: its _parse(), with that one class changed."""

    def _parse(self, stream, innerHTML=False, container="div", scripting=True, **kwargs):
        self.innerHTMLMode = innerHTML
        self.container = container
        self.scripting = scripting
        self.tokenizer = _BoundedTokenizer(stream=stream, consume_entities=self.consume_entities, parser=self, **kwargs)
        self.reset()
        try:
            self.mainLoop()
        except html5lib_shim.ReparseException:
            self.reset()
            self.mainLoop()


class _BoundedCleaner(bleach.Cleaner):
    """bleach's Cleaner whose parser is bounded (_BoundedParser, _BoundedTokenizer,
    _BoundedTreeBuilder) and which counts tags and "&"s before it parses."""

    def __init__(self, **kwargs):
        super().__init__(**kwargs)
        # The parser bleach makes, with the same arguments, but bounded.
        self.parser = _BoundedParser(
            tags=self.tags,
            strip=self.strip,
            consume_entities=False,
            namespaceHTMLElements=False,
            tree=_BoundedTreeBuilder,
        )

    def clean(self, text):
        # Tags and "&"s are counted before parsing, attributes by the tokenizer as it meets them.
        markup = len(_MARKUP_BEFORE_PARSING.findall(text))
        if markup > MAX_MARKUP:
            raise _too_much_markup()
        self.parser.markup_left = MAX_MARKUP - markup
        return super().clean(_OVERLONG_REFERENCE.sub("&amp;", text))


class CleanHTML(str):
    """Text that clean_html() produced. The policy is idempotent, so cleaning it again is skipped.

    Any edit (concatenation, replace, a value read back from a form or the database) gives a
    plain str again, which is cleaned as usual.
    """

    __slots__ = ()


def clean_html(html, *, internal_hosts=None, removed=None):
    """Return `html` reduced to the article policy; applying it twice changes nothing.

    `removed`, a list, receives a Removal for each element dropped with its content. A body past
    the markup bounds (MAX_MARKUP, MAX_DEPTH, MAX_ELEMENTS, MAX_ATTRIBUTES) raises
    MarkupTooComplex.
    """
    if isinstance(html, CleanHTML) and internal_hosts is None:
        return html
    if not html:
        return CleanHTML("")
    hosts = _internal_hosts() if internal_hosts is None else frozenset(internal_hosts)
    reporting = _removals.set(removed)
    try:
        return CleanHTML(_cleaner(hosts).clean(html).strip())
    finally:
        _removals.reset(reporting)


_cleaners = threading.local()  # bleach's Cleaner is not thread-safe; building one is not free


def cleaner_arguments(internal_hosts):
    """The arguments of the policy's bleach Cleaner (for these internal hosts)."""
    attribute_filter = type("_Attributes", (_LinkAndImageAttributes,), {"internal_hosts": internal_hosts})
    return dict(
        # Dropped elements pass bleach's tag check only so that the filter can see and remove
        # their content; no attribute of theirs is allowed and none survives the filter.
        # An iframe's and a media element's accepted attributes reach the filter, which
        # keeps them only on players and allowed files.
        tags=ALLOWED_TAGS | DROPPED_WITH_CONTENT,
        attributes=_allowed_attribute,
        protocols=ALLOWED_PROTOCOLS,
        strip=True,
        strip_comments=True,
        filters=[_DropWithContent, _KeptClasses, attribute_filter],
    )


def _cleaner(internal_hosts):
    """The bounded bleach Cleaner for the policy, one per thread and set of internal hosts."""
    cache = _cleaners.__dict__.setdefault("by_hosts", {})
    if internal_hosts not in cache:
        cache[internal_hosts] = _BoundedCleaner(**cleaner_arguments(internal_hosts))
    return cache[internal_hosts]
