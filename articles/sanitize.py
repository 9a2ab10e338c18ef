"""The one HTML policy for article bodies, and `clean_html()`, its only call into bleach.

The policy is data (tags, attributes, protocols, video players) so that it can be read, reviewed
and tested apart from the library; bleach's upstream no longer makes releases, and keeping the
rules here means a later sanitizer can take over the same data.
"""
import re
import threading
from urllib.parse import urlsplit, urlunsplit

import bleach
from bleach.html5lib_shim import Filter, convert_entities

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

# Removed together with everything inside them; stripping only the tags would leave their
# code or markup behind as visible text. (An iframe of a VIDEO_PLAYERS player is the one
# exception: it stays, emptied.)
DROPPED_WITH_CONTENT = frozenset(
    {
        "script", "style", "template", "noscript", "noembed", "noframes", "xmp",
        "iframe", "frame", "frameset", "object", "embed", "applet",
        "svg", "math", "textarea", "select", "title", "head",
    }
)  # fmt: skip

# Video players an article may embed: host -> the path of its player page (matched whole).
# An iframe showing one of these is kept, sandboxed, with VIDEO_EMBED_ATTRIBUTES; every other
# iframe is dropped with its content (DROPPED_WITH_CONTENT). The pages' Content-Security-Policy
# lets frames load from these hosts only (frame-src in config/settings.py; a test pins the two).
VIDEO_PLAYERS = {
    "player.bilibili.com": r"/player\.html",
    "www.youtube.com": r"/embed/[A-Za-z0-9_-]+",
    "www.youtube-nocookie.com": r"/embed/[A-Za-z0-9_-]+",
    "v.qq.com": r"/txp/iframe/player\.html",
    "player.vimeo.com": r"/video/[0-9]+",
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

# Attributes the policy adds rather than accepts.
EXTERNAL_LINK_REL = "noopener noreferrer nofollow"
IMAGE_LOADING = "lazy"
IMAGE_REFERRER_POLICY = "no-referrer"  # the legacy CDN serves images only without a referrer
NEW_TAB_TARGET = "_blank"

_NUMERIC_ATTRIBUTES = {"width", "height", "colspan", "rowspan", "start"}
# ASCII digits only: str.isdigit() also accepts "１００" and "²", which browsers ignore.
_NUMBER = re.compile(r"\s*[0-9]+\s*")
# What a browser's URL parser drops before it reads a URL (WHATWG URL: leading/trailing C0
# controls and spaces, and every tab or newline anywhere).
_URL_EDGE = "".join(map(chr, range(0x21)))
_URL_TAB_OR_NEWLINE = re.compile(r"[\t\n\r]")


_PLAYER_PATHS = {host: re.compile(path) for host, path in VIDEO_PLAYERS.items()}
_PLAYER_QUERY = re.compile(VIDEO_QUERY)


def _attr(name):
    return (None, name)


def video_player_url(src):
    """The https address of an allowed video player that `src` names, or None.

    `src` is the attribute as a browser reads it (entities decoded). Anything a browser might
    read differently from urlsplit is refused rather than repaired: backslashes, userinfo, a
    port, a host not spelled exactly as listed (look-alikes, trailing dots, percent-escapes).
    Protocol-relative addresses are made https.
    """
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
    path = _PLAYER_PATHS.get(host)
    if (
        parts.scheme.lower() != "https"
        or path is None
        or port is not None
        or parts.netloc.lower() != host
        or not path.fullmatch(parts.path)
        or not _PLAYER_QUERY.fullmatch(parts.query)
    ):
        return None
    return urlunsplit(("https", host, parts.path, parts.query, ""))


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


class _DropWithContent(Filter):
    """Removes the elements of DROPPED_WITH_CONTENT and all they contain, except the iframes of
    allowed video players, which are kept empty with the policy's attributes."""

    def __iter__(self):
        depth = 0
        in_embed = False
        for token in super().__iter__():
            kind = token["type"]
            name = token.get("name")
            if depth:
                depth += {"StartTag": 1, "EndTag": -1}.get(kind, 0)
                continue
            if in_embed:
                # A player shows nothing of what the author put inside its frame.
                if kind == "EndTag" and name == "iframe":
                    in_embed = False
                    yield token
                continue
            if kind in ("StartTag", "EmptyTag") and name == "iframe":
                embed = _video_embed(token["data"])
                if embed is not None:
                    token["data"] = embed
                    in_embed = kind == "StartTag"
                    yield token
                    continue
            if name in DROPPED_WITH_CONTENT and kind in ("StartTag", "EmptyTag"):
                depth = 1 if kind == "StartTag" else 0
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


class CleanHTML(str):
    """Text that clean_html() produced. The policy is idempotent, so cleaning it again is skipped.

    Any edit (concatenation, replace, a value read back from a form or the database) gives a
    plain str again, which is cleaned as usual.
    """

    __slots__ = ()


def clean_html(html, *, internal_hosts=None):
    """Return `html` reduced to the article policy; applying it twice changes nothing."""
    if isinstance(html, CleanHTML) and internal_hosts is None:
        return html
    if not html:
        return CleanHTML("")
    hosts = _internal_hosts() if internal_hosts is None else frozenset(internal_hosts)
    return CleanHTML(_cleaner(hosts).clean(html).strip())


_cleaners = threading.local()  # bleach's Cleaner is not thread-safe; building one is not free


def _cleaner(internal_hosts):
    """The bleach Cleaner for the policy, one per thread and set of internal hosts."""
    cache = _cleaners.__dict__.setdefault("by_hosts", {})
    if internal_hosts not in cache:
        attribute_filter = type(
            "_Attributes", (_LinkAndImageAttributes,), {"internal_hosts": internal_hosts}
        )
        cache[internal_hosts] = bleach.Cleaner(
            # Dropped elements pass bleach's tag check only so that the filter can see and remove
            # their content; no attribute of theirs is allowed and none survives the filter.
            # An iframe's accepted attributes reach the filter, which keeps them only on players.
            tags=ALLOWED_TAGS | DROPPED_WITH_CONTENT,
            attributes={**ALLOWED_ATTRIBUTES, "iframe": list(VIDEO_EMBED_ACCEPTED)},
            protocols=ALLOWED_PROTOCOLS,
            strip=True,
            strip_comments=True,
            filters=[_DropWithContent, attribute_filter],
        )
    return cache[internal_hosts]

