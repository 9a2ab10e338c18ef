"""Hexo tag plugins beyond body.py's own (img, note, codeblock …): links to other posts, videos,
and the tags of the common themes (NexT, Butterfly, Fluid), each turned into content.

Each handler takes (ctx, name, args) with `args` split as Hexo splits them, and returns one of
articles.importing.syntax's results. `ctx` is body.py's renderer: warn_once(), asset_url(),
url_or_link() (a link, or a bare URL where the tag stands in a link's destination).
Sources: hexo lib/plugins/tag/*.ts; hexo-theme-butterfly scripts/tag/*.js; hexo-theme-next
scripts/tags/*.js; hexo-theme-fluid scripts/tags/*.js.
"""

import re

from .crosslinks import placeholder_link
from .syntax import (
    REMOVED,
    Code,
    Html,
    Wrap,
    attr,
    callout,
    comma_arguments,
    embed,
    fold,
    link,
    policy_allows,
    text,
)

_URL_LIKE = re.compile(r"^(?:[A-Za-z][A-Za-z0-9+.-]*:|/|\./|\.\./|#)")
_STYLE_WORD = re.compile(r"^(?:[a-z]+(?:-[a-z]+)*)$")
_VIDEO_FILE = re.compile(r"\.(?:mp4|webm|ogv|ogg|mov|m4v)(?:[?#].*)?$", re.I)


def _needs(ctx, name, args, count=1):
    if len(args) < count:
        ctx.warn_once(("empty", name), f"Hexo tag {{% {name} %}} without its arguments: removed")
        return False
    return True


# -- links to other posts --------------------------------------------------------------------


def post_link(ctx, name, args):
    """`{% post_link slug [title] [escape] %}`: a link to the post, titled as it is unless told."""
    if not _needs(ctx, name, args):
        return REMOVED
    slug, rest = args[0], list(args[1:])
    escape = True
    if rest and rest[-1] in ("true", "false"):
        escape = rest.pop() == "true"
    if rest:
        shown = " ".join(rest)
        return Html(placeholder_link("hexo", slug, text(shown) if escape else shown))
    return Html(placeholder_link("hexo", slug, text(slug), title_from_target=True))


def post_path(ctx, name, args):
    """`{% post_path slug %}`: the post's address."""
    if not _needs(ctx, name, args):
        return REMOVED
    return Html(ctx.url_or_link("hexo", args[0], text(args[0])))


def hexo_link(ctx, name, args):
    """Hexo's `{% link text url [external] [title] %}`; Jekyll's `{% link path %}` has one argument."""
    if not _needs(ctx, name, args):
        return REMOVED
    url_at = next((i for i, arg in enumerate(args) if i and _URL_LIKE.match(arg)), None)
    if url_at is None:
        if len(args) == 1:
            return Html(ctx.url_or_link("path", args[0], text(args[0])))
        ctx.warn_once(("link", "no-url"), "Hexo tag {% link %} without an address: its text kept")
        return Html(text(" ".join(args)))
    shown = " ".join(args[:url_at])
    rest = [arg for arg in args[url_at + 1 :] if arg not in ("true", "false")]
    title = f' title="{attr(" ".join(rest))}"' if rest else ""
    return Html(f'<a href="{attr(args[url_at])}"{title}>{text(shown)}</a>')


# -- embeds ----------------------------------------------------------------------------------


def youtube(ctx, name, args):
    """`{% youtube id [video|playlist] [cookie] %}`."""
    if not _needs(ctx, name, args):
        return REMOVED
    video = args[0]
    if "playlist" in args[1:]:
        return embed(
            f"https://www.youtube.com/embed/videoseries?list={video}",
            "YouTube",
            fallback_text=f"https://www.youtube.com/playlist?list={video}",
        )
    return embed(
        f"https://www.youtube.com/embed/{video}", "YouTube", fallback_text=f"https://www.youtube.com/watch?v={video}"
    )


def vimeo(ctx, name, args):
    if not _needs(ctx, name, args):
        return REMOVED
    return embed(f"https://player.vimeo.com/video/{args[0]}", "Vimeo", fallback_text=f"https://vimeo.com/{args[0]}")


def iframe(ctx, name, args):
    """`{% iframe url [width] [height] %}`: a player when the policy allows its host, else a link."""
    if not _needs(ctx, name, args):
        return REMOVED
    return embed(args[0], "嵌入内容")


def video(ctx, name, args):
    """NexT's `{% video url %}`: a player for a file on the web; a file of the old site is not imported."""
    if not _needs(ctx, name, args):
        return REMOVED
    return video_file(ctx, args[0], f"{{% {name} %}}")


def video_file(ctx, url, shown_as):
    if not url.startswith(("http://", "https://", "//")):
        ctx.warn_once(("video", url), f"video {url!r} ({shown_as}) is a file of the old site, not imported: left out")
        return REMOVED
    if policy_allows("video"):
        return Html(f'<video src="{attr(url)}" controls></video>', block=True)
    return Html(link(url))


def gist(ctx, name, args):
    """`{% gist id [file] %}`: a link to the gist."""
    if not _needs(ctx, name, args):
        return REMOVED
    return Html(link(f"https://gist.github.com/{args[0]}"))


def jsfiddle(ctx, name, args):
    if not _needs(ctx, name, args):
        return REMOVED
    return Html(link(f"https://jsfiddle.net/{args[0]}/"))


def pdf(ctx, name, args):
    if not _needs(ctx, name, args):
        return REMOVED
    return Html(link(args[0]))


def include_code(ctx, name, args):
    ctx.warn_once(("include_code",), "Hexo tag {% include_code %} reads a file of the old site: removed")
    return REMOVED


# -- theme tags ------------------------------------------------------------------------------


def button(ctx, name, args):
    """Butterfly's `{% btn url,text,icon,color … %}`, NexT's `{% button url, text, icon %}`, Fluid's
    `{% btn url, text, title %}`: a link."""
    parts = comma_arguments(args)
    url = parts[0] if parts else ""
    shown = parts[1] if len(parts) > 1 and parts[1] else url
    if not url:
        return Html(text(shown)) if shown else REMOVED
    return Html(f'<a href="{attr(url)}">{text(shown)}</a>')


def label(ctx, name, args):
    """Butterfly's `{% label text color %}`, NexT's `{% label class@text %}`, Fluid's
    `{% label class @text %}`: marked text."""
    joined = " ".join(args)
    if "@" in joined:
        shown = joined.split("@", 1)[1].strip()
    elif len(args) > 1 and _STYLE_WORD.match(args[-1]):
        shown = " ".join(args[:-1])
    else:
        shown = joined
    return Html(f"<mark>{text(shown)}</mark>") if shown else REMOVED


def hide_inline(ctx, name, args):
    """Butterfly's `{% hideInline content,display,bg,color %}`: the content, shown."""
    parts = comma_arguments(args)
    return Html(text(parts[0])) if parts and parts[0] else REMOVED


def inline_image(ctx, name, args):
    """Butterfly's `{% inlineImg src height %}`."""
    if not _needs(ctx, name, args):
        return REMOVED
    return Html(f'<img src="{attr(ctx.image_url(args[0]))}" alt="">')


def gallery_group(ctx, name, args):
    """Butterfly's `{% galleryGroup name description link cover %}`: the cover, linked, captioned."""
    if not _needs(ctx, name, args, 4):
        return REMOVED
    title, description, url, cover = args[:4]
    caption = text(title) + (f" — {text(description)}" if description else "")
    return Html(
        f'<figure><a href="{attr(url)}"><img src="{attr(ctx.image_url(cover))}" alt="{attr(title)}"></a>'
        f"<figcaption>{caption}</figcaption></figure>",
        block=True,
    )


def span(ctx, name, args):
    """Butterfly's `{% span classes, text %}` and `{% p classes, text %}`: the text."""
    joined = " ".join(args)
    shown = joined.split(",", 1)[1].strip() if "," in joined else ""
    if not shown:
        return REMOVED
    return Html(f"<p>{text(shown)}</p>", block=True) if name == "p" else Html(text(shown))


def tabs(ctx, name, args):
    """`{% tabs name %}` with `<!-- tab Title -->` … `<!-- endtab -->`: a heading per tab."""
    return Wrap(sections="tab")


def timeline(ctx, name, args):
    """Butterfly's `{% timeline title,color %}` with `<!-- timeline Title -->` entries."""
    parts = comma_arguments(args)
    return Wrap(heading=parts[0] if parts and parts[0] else None, sections="timeline")


def folded(ctx, name, args):
    """A block the reader unfolded: Butterfly's hideToggle/hideBlock `display,bg,color`, Fluid's
    `{% fold info @title %}`, `{% folding style title %}`, `{% details title %}`."""
    joined = " ".join(args)
    if "@" in joined:
        title = joined.split("@", 1)[1]
    elif name in ("hideToggle", "hideBlock"):
        title = comma_arguments(args)[0] if args else ""
    else:
        words = list(args)
        if len(words) > 1 and _STYLE_WORD.match(words[0]) and "::" not in words[0]:
            words = words[1:]
        title = " ".join(words).split("::")[-1]
    return fold(title)


def centerquote(ctx, name, args):
    return callout()


def gallery(ctx, name, args):
    """Butterfly's `{% gallery %}`: its pictures are Markdown, kept as they are."""
    return Wrap()


def mermaid(ctx, name, args, content):
    return Code(content.strip("\n"), "mermaid")


def chart(ctx, name, args, content):
    ctx.warn_once(("chart", name), f"Hexo tag {{% {name} %}}: the chart's data kept as code")
    return Code(content.strip("\n"), "json")


def score(ctx, name, args, content):
    return Code(content.strip("\n"), "abc")


# (kind, handler): "inline" tags stand alone, "wrap" blocks keep their content in the body,
# "verbatim" blocks hand over their content unparsed.
TAGS = {
    "post_link": ("inline", post_link),
    "post_path": ("inline", post_path),
    "link": ("inline", hexo_link),
    "youtube": ("inline", youtube),
    "vimeo": ("inline", vimeo),
    "iframe": ("inline", iframe),
    "video": ("inline", video),
    "gist": ("inline", gist),
    "jsfiddle": ("inline", jsfiddle),
    "pdf": ("inline", pdf),
    "include_code": ("inline", include_code),
    "btn": ("inline", button),
    "button": ("inline", button),
    "label": ("inline", label),
    "hideInline": ("inline", hide_inline),
    "inlineImg": ("inline", inline_image),
    "galleryGroup": ("inline", gallery_group),
    "span": ("inline", span),
    "p": ("inline", span),
    "tabs": ("wrap", tabs),
    "subtabs": ("wrap", tabs),
    "timeline": ("wrap", timeline),
    "hideToggle": ("wrap", folded),
    "hideBlock": ("wrap", folded),
    "fold": ("wrap", folded),
    "folding": ("wrap", folded),
    "details": ("wrap", folded),
    "centerquote": ("wrap", centerquote),
    "cq": ("wrap", centerquote),
    "gallery": ("wrap", gallery),
    "mermaid": ("verbatim", mermaid),
    "chartjs": ("verbatim", chart),
    "score": ("verbatim", score),
}
