"""Responsive markup for library images: one function for templates and for article bodies.

`picture_html()` writes `<picture>` with a WebP `srcset`, a JPEG/PNG fallback `srcset`, `sizes`,
and the intrinsic width and height (no layout shift). `responsive_body()` rewrites the body
images that live in the library to the same markup when an article is saved, after sanitizing.
"""

import re
from urllib.parse import unquote, urlsplit

from django.conf import settings
from django.utils.html import escape, format_html
from django.utils.safestring import mark_safe

from .renditions import WEBP

# The article column is 42rem wide and fills the screen (less the 1rem margins) below that.
ARTICLE_SIZES = "(max-width: 44rem) calc(100vw - 2rem), 42rem"
CARD_SIZES = "(max-width: 40rem) calc(100vw - 2rem), 12rem"
# The width a browser without srcset support gets.
_DEFAULT_FALLBACK_WIDTH = 960


def picture_html(image, *, sizes=ARTICLE_SIZES, lazy=True, alt=None, title="", priority=False):
    """Markup showing `image`: `<picture>` for library images with renditions, else `<img>`.

    `alt` overrides the library's alternative text (a body may say it differently); `lazy`
    defers loading below the fold, `priority` asks for the hero image first.
    """
    alt_text = image.alt_text if alt is None else alt
    loading = ' loading="lazy"' if lazy else (' fetchpriority="high"' if priority else "")
    dimensions = (
        format_html(' width="{}" height="{}"', image.width, image.height) if image.width and image.height else ""
    )
    title_attr = format_html(' title="{}"', title) if title else ""
    sources = image.rendition_sources()
    if not sources:
        # Remote legacy images (their CDN serves them only without a referrer) and animated
        # ones: the same <img> the sanitizer writes, so that saving again changes nothing.
        return format_html(
            '<img src="{}" alt="{}"{}{}{} referrerpolicy="no-referrer">',
            image.url, alt_text, dimensions, title_attr, mark_safe(loading),
        )  # fmt: skip
    webp = ", ".join(f"{escape(url)} {width}w" for width, url, _fallback in sources if url)
    fallback = ", ".join(f"{escape(url)} {width}w" for width, _webp, url in sources)
    default = min(sources, key=lambda s: (s[0] < _DEFAULT_FALLBACK_WIDTH, abs(s[0] - _DEFAULT_FALLBACK_WIDTH)))
    fallback_type = image.renditions.get("fallback_type", "image/jpeg")
    return format_html(
        '<picture>{}<source type="{}" srcset="{}" sizes="{}">'
        '<img src="{}" srcset="{}" sizes="{}" alt="{}"{}{}{}></picture>',
        format_html('<source type="{}" srcset="{}" sizes="{}">', WEBP, mark_safe(webp), sizes) if webp else "",
        fallback_type, mark_safe(fallback), sizes,
        default[2], mark_safe(fallback), sizes, alt_text, dimensions, title_attr,
        mark_safe(loading + (' decoding="async"' if lazy else "")),
    )  # fmt: skip


# The sanitizer's serializer writes every attribute double-quoted; a quoted value may hold ">".
_IMG_TAG = re.compile(r'<img\b((?:[^>"]|"[^"]*")*)>')
_ATTRIBUTE = re.compile(r'([a-zA-Z_:][-a-zA-Z0-9_:.]*)="([^"]*)"')


def library_reference(src):
    """("file", name) or ("sha256", digest) for a URL of a library file or rendition, else None."""
    media_url = settings.MEDIA_URL
    parts = urlsplit(src)
    path = parts.path
    if parts.netloc:
        site = urlsplit(settings.NEWSROOM["SITE_URL"])
        if parts.netloc != site.netloc and not media_url.startswith(f"{parts.scheme}://{parts.netloc}"):
            return None
        if media_url.startswith("http"):
            media_url = urlsplit(media_url).path
    if not path.startswith(media_url):
        return None
    name = unquote(path[len(media_url) :])
    if name.startswith("renditions/"):
        segments = name.split("/")
        if len(segments) >= 4 and re.fullmatch(r"[0-9a-f]{64}", segments[2]):
            return ("sha256", segments[2])
        return None
    return ("file", name)


def responsive_body(html):
    """(`html` with library images as responsive markup, the ids of those images).

    `html` must be sanitized already: the sanitizer removes <picture> and <source>, so a stored
    body that is cleaned again turns back into plain <img>s, which this makes responsive again.
    """
    from articles.models import Image

    tags = list(_IMG_TAG.finditer(html or ""))
    if not tags:
        return html, []
    wanted = []
    for match in tags:
        attrs = dict(_ATTRIBUTE.findall(match.group(1)))
        wanted.append((match, attrs, library_reference(_unescape(attrs.get("src", "")))))
    files = {ref[1] for _m, _a, ref in wanted if ref and ref[0] == "file"}
    digests = {ref[1] for _m, _a, ref in wanted if ref and ref[0] == "sha256"}
    if not files and not digests:
        return html, []
    from django.db.models import Q

    found = Image.objects.stored().filter(Q(file__in=files) | Q(sha256__in=digests))
    by_file, by_digest = {}, {}
    for image in found:
        by_file[image.file.name] = image
        by_digest[image.sha256] = image
    pieces, position, used = [], 0, []
    for match, attrs, ref in wanted:
        image = None
        if ref:
            image = by_file.get(ref[1]) if ref[0] == "file" else by_digest.get(ref[1])
        if image is None:
            continue
        pieces.append(html[position : match.start()])
        alt = _unescape(attrs["alt"]) if attrs.get("alt", "").strip() else None
        pieces.append(str(picture_html(image, alt=alt, title=_unescape(attrs.get("title", "")))))
        position = match.end()
        if image.pk not in used:
            used.append(image.pk)
    pieces.append(html[position:])
    return "".join(pieces), used


def described_in(html, images):
    """The pks of those library `images` that `html` (a stored body) shows with alternative text
    of its own: a body may describe a picture the library has not described yet."""
    keys = {}
    for image in images:
        if image.file:
            keys[("file", image.file.name)] = image.pk
        if image.sha256:
            keys[("sha256", image.sha256)] = image.pk
    described = set()
    for match in _IMG_TAG.finditer(html or ""):
        attrs = dict(_ATTRIBUTE.findall(match.group(1)))
        pk = keys.get(library_reference(_unescape(attrs.get("src", ""))))
        if pk is not None and _unescape(attrs.get("alt", "")).strip():
            described.add(pk)
    return described


def _unescape(value):
    import html as html_module

    return html_module.unescape(value)
