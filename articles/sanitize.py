"""The one HTML policy for article bodies, and `clean_html()`, its only call into bleach.

The policy is data (tags, attributes, protocols) so that it can be read, reviewed and tested
apart from the library; bleach's upstream no longer makes releases, and keeping the rules here
means a later sanitizer can take over the same data.
"""
import re
import threading
from urllib.parse import urlsplit

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
# code or markup behind as visible text.
DROPPED_WITH_CONTENT = frozenset(
    {
        "script", "style", "template", "noscript", "noembed", "noframes", "xmp",
        "iframe", "frame", "frameset", "object", "embed", "applet",
        "svg", "math", "textarea", "select", "title", "head",
    }
)  # fmt: skip

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


def _attr(name):
    return (None, name)


class _DropWithContent(Filter):
    """Removes the elements of DROPPED_WITH_CONTENT and all they contain."""

    def __iter__(self):
        depth = 0
        for token in super().__iter__():
            kind = token["type"]
            dropped = token.get("name") in DROPPED_WITH_CONTENT
            if kind == "StartTag" and (dropped or depth):
                depth += 1
                continue
            if kind == "EndTag" and depth:
                depth -= 1
                continue
            if depth or (kind == "EmptyTag" and dropped):
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
            tags=ALLOWED_TAGS | DROPPED_WITH_CONTENT,
            attributes=ALLOWED_ATTRIBUTES,
            protocols=ALLOWED_PROTOCOLS,
            strip=True,
            strip_comments=True,
            filters=[_DropWithContent, attribute_filter],
        )
    return cache[internal_hosts]

