"""Hugo shortcodes, `{{< name args >}}` and `{{% name args %}}`, turned into content.

Hugo's own shortcodes (figure, youtube, vimeo, gist, tweet, highlight, ref, relref …) and the
common theme ones (notice, hint, admonition and other callouts; fold, expand, details; tabs;
img/image, bilibili, video). The inner content of a paired shortcode stays in the body and is
read as Markdown, as the `%` form is by Hugo and as themes render the `<` form's. An unknown
shortcode is removed and named in the warnings; its inner content is kept.
Sources: gohugoio/hugo tpl/tplimpl/embedded/templates/_shortcodes/*.html and
parser/pageparser/pagelexer_shortcode.go; hugo-theme-learn, hugo-book, LoveIt, even.
"""

import re

from .hexo_tags import video_file
from .syntax import REMOVED, Code, Html, Wrap, attr, callout, embed, fold, is_true, link, text

# `{{</* name */>}}` is Hugo's way of writing a shortcode that is shown, not run.
_COMMENT_OPENING = re.compile(r"\{\{([<%])/\*")
_COMMENT_CLOSING = re.compile(r"\*/([>%])\}\}")
_PARAMETER = re.compile(
    r"""[ \t\n]*(?:(?P<key>[A-Za-z_][\w-]*)[ \t]*=[ \t]*)?"""
    r"""(?:"(?P<double>(?:[^"\\]|\\.)*)"|`(?P<raw>[^`]*)`|'(?P<single>[^']*)'|(?P<bare>[^\s"'`]+))"""
)


def unescape_comments(text, brace):
    """`{{</* x */>}}` as `{{< x >}}` text, its braces hidden from the tag passes (see liquid.protect)."""
    if "/*" not in text:
        return text
    out, pos = [], 0
    closing = None
    for opening in _COMMENT_OPENING.finditer(text):
        if opening.start() < pos:
            continue
        if closing is None or closing.start() < opening.end():
            closing = _COMMENT_CLOSING.search(text, opening.end())
            if closing is None:
                break  # no comment is closed after this one either
        out.append(text[pos : opening.start()])
        out.append(f"{brace}{brace}{opening.group(1)}{text[opening.end() : closing.start()]}{closing.group(1)}}}}}")
        pos = closing.end()
    out.append(text[pos:])
    return "".join(out)


def parameters(args):
    """(positional values, named values) of a shortcode's argument text."""
    positional, named = [], {}
    pos = 0
    while pos < len(args):
        match = _PARAMETER.match(args, pos)
        if match is None or match.end() == pos:
            break
        value = next(v for v in match.group("double", "raw", "single", "bare") if v is not None)
        if match.group("double") is not None:
            value = re.sub(r"\\(.)", r"\1", value)
        if match.group("key"):
            named[match.group("key").lower()] = value
        else:
            positional.append(value)
        pos = match.end()
    return positional, named


def _first(positional, named, *keys, index=None):
    for key in keys:
        if named.get(key):
            return named[key]
    if index is not None and len(positional) > index:
        return positional[index]
    return ""


# -- handlers: (ctx, name, positional, named) ----------------------------------------------------


def figure(ctx, name, positional, named):
    src = _first(positional, named, "src", index=0)
    if not src:
        ctx.warn_once(("figure", "src"), f"Hugo shortcode {name} without src: removed")
        return REMOVED
    alt = named.get("alt") or named.get("caption") or named.get("title") or ""
    attributes = [("src", ctx.image_url(src)), ("alt", alt)]
    attributes += [(key, named[key]) for key in ("width", "height") if named.get(key)]
    image = "<img " + " ".join(f'{key}="{attr(value)}"' for key, value in attributes) + ">"
    if named.get("link"):
        image = f'<a href="{attr(named["link"])}">{image}</a>'
    caption = " — ".join(text(named[key]) for key in ("title", "caption") if named.get(key))
    if named.get("attr"):
        shown = text(named["attr"])
        if named.get("attrlink"):
            shown = f'<a href="{attr(named["attrlink"])}">{shown}</a>'
        caption = f"{caption} {shown}".strip()
    figcaption = f"<figcaption>{caption}</figcaption>" if caption else ""
    return Html(f"<figure>{image}{figcaption}</figure>", block=True)


def image(ctx, name, positional, named):
    """Theme shortcodes `img`/`image`: a picture with a `src`, an optional caption."""
    src = _first(positional, named, "src", "url", "path", index=0)
    if not src:
        ctx.warn_once(("image", name), f"Hugo shortcode {name} without src: removed")
        return REMOVED
    alt = named.get("alt") or named.get("title") or named.get("caption") or ""
    attributes = [("src", ctx.image_url(src)), ("alt", alt)]
    attributes += [(key, named[key]) for key in ("width", "height") if named.get(key)]
    tag = "<img " + " ".join(f'{key}="{attr(value)}"' for key, value in attributes) + ">"
    caption = named.get("caption") or named.get("title")
    if caption:
        return Html(f"<figure>{tag}<figcaption>{text(caption)}</figcaption></figure>", block=True)
    return Html(tag)


def youtube(ctx, name, positional, named):
    video = _first(positional, named, "id", index=0)
    if not video:
        return _missing(ctx, name, "id")
    return embed(
        f"https://www.youtube.com/embed/{video}",
        named.get("title") or "YouTube",
        fallback_text=f"https://www.youtube.com/watch?v={video}",
    )


def vimeo(ctx, name, positional, named):
    video = _first(positional, named, "id", index=0)
    if not video:
        return _missing(ctx, name, "id")
    return embed(
        f"https://player.vimeo.com/video/{video}",
        named.get("title") or "Vimeo",
        fallback_text=f"https://vimeo.com/{video}",
    )


def bilibili(ctx, name, positional, named):
    """`{{< bilibili BV… >}}` or an av number: Bilibili's player."""
    video = _first(positional, named, "id", "bvid", "aid", index=0)
    if not video:
        return _missing(ctx, name, "id")
    page = _first(positional, named, "p", "page", index=1) or "1"
    key = "bvid" if video.lower().startswith("bv") else "aid"
    video = video[2:] if key == "aid" and video.lower().startswith("av") else video
    return embed(
        f"https://player.bilibili.com/player.html?{key}={video}&page={page}",
        "哔哩哔哩视频",
        fallback_text=f"https://www.bilibili.com/video/{video if key == 'bvid' else 'av' + video}",
    )


def video(ctx, name, positional, named):
    src = _first(positional, named, "src", "url", index=0)
    if not src:
        return _missing(ctx, name, "src")
    return video_file(ctx, src, f"Hugo shortcode {name}")


def gist(ctx, name, positional, named):
    """`{{< gist user id [file] >}}`."""
    user = _first(positional, named, "user", index=0)
    gist_id = _first(positional, named, "id", index=1)
    if not gist_id:
        return _missing(ctx, name, "user and id")
    return Html(link(f"https://gist.github.com/{user}/{gist_id}"))


def tweet(ctx, name, positional, named):
    """`{{< tweet user="x" id="1" >}}` (or the old `{{< tweet 1 >}}`)."""
    user = named.get("user", "")
    status = _first(positional, named, "id", index=0 if not user else None)
    if not status:
        return _missing(ctx, name, "id")
    url = f"https://x.com/{user}/status/{status}" if user else f"https://x.com/i/status/{status}"
    return Html(link(url))


def instagram(ctx, name, positional, named):
    post = _first(positional, named, "id", index=0)
    if not post:
        return _missing(ctx, name, "id")
    return Html(link(f"https://www.instagram.com/p/{post}/"))


def reference(ctx, name, positional, named):
    """`{{< ref "path" >}}` / `relref`: the imported article's address."""
    path = _first(positional, named, "path", index=0)
    if not path:
        return _missing(ctx, name, "path")
    return Html(ctx.url_or_link("hugo", path, text(path)))


def parameter(ctx, name, positional, named):
    ctx.warn_once(("param",), "Hugo shortcode param reads the page's front matter: removed")
    return REMOVED


def highlight(ctx, name, positional, named, content):
    language = (positional[0] if positional else named.get("lang", "")).lower()
    return Code(content.strip("\r\n"), language)


def notice(ctx, name, positional, named):
    """Callouts: `{{% notice info "Title" %}}` (learn), `{{< hint info >}}` (book),
    `{{% admonition note "Title" true %}}` (LoveIt), `{{% warning %}}` … (even)."""
    title = named.get("title", "")
    if not title and name in ("notice", "hint", "admonition", "alert", "callout"):
        title = positional[1] if len(positional) > 1 and not is_true(positional[1]) else ""
    elif not title and positional:
        title = " ".join(positional)
    return callout(title)


def folded(ctx, name, positional, named):
    """`{{% fold "Title" %}}`, `{{< expand "Title" >}}`, `{{< details summary="…" >}}`: folded text."""
    title = named.get("title") or named.get("summary") or " ".join(positional)
    return fold(title)


def tab(ctx, name, positional, named):
    """hugo-book's `{{< tab "Title" >}}` inside `{{< tabs >}}`: a heading and its content."""
    return Wrap(heading=named.get("name") or named.get("title") or " ".join(positional) or None)


def container(ctx, name, positional, named):
    return Wrap()


def _missing(ctx, name, what):
    ctx.warn_once(("missing", name), f"Hugo shortcode {name} without its {what}: removed")
    return REMOVED


SHORTCODES = {
    "figure": ("inline", figure),
    "img": ("inline", image),
    "image": ("inline", image),
    "youtube": ("inline", youtube),
    "vimeo": ("inline", vimeo),
    "bilibili": ("inline", bilibili),
    "video": ("inline", video),
    "gist": ("inline", gist),
    "tweet": ("inline", tweet),
    "twitter": ("inline", tweet),
    "x": ("inline", tweet),
    "instagram": ("inline", instagram),
    "ref": ("inline", reference),
    "relref": ("inline", reference),
    "param": ("inline", parameter),
    "highlight": ("verbatim", highlight),
    "notice": ("wrap", notice),
    "hint": ("wrap", notice),
    "admonition": ("wrap", notice),
    "alert": ("wrap", notice),
    "callout": ("wrap", notice),
    "tip": ("wrap", notice),
    "note": ("wrap", notice),
    "info": ("wrap", notice),
    "warning": ("wrap", notice),
    "question": ("wrap", notice),
    "fold": ("wrap", folded),
    "expand": ("wrap", folded),
    "details": ("wrap", folded),
    "collapse": ("wrap", folded),
    "spoiler": ("wrap", folded),
    "tabs": ("wrap", container),
    "tab": ("wrap", tab),
    "columns": ("wrap", container),
    "center": ("wrap", container),
}
