"""Writing articles back out as front-matter files (YAML between '---' lines, then the HTML body).

The shape is the one `import_frontmatter` reads (Hexo's): importing an export into an empty
database gives the same articles back, so no content is ever locked in this CMS. That includes
what an import brought: every old address (as `aliases`), the archive and path an article came
from, the source's ids and updated time, its language, and the front-matter keys this CMS has no
field for.

Plain functions; the `export_frontmatter` command only chooses the folder and writes the files.
"""

import html
import os
import re
import tempfile
import zoneinfo
from pathlib import Path, PurePosixPath

import yaml
from django.conf import settings
from django.db.models import Prefetch

from articles.images.markup import library_reference
from articles.models import Article, Category, Image, LegacyURL

CHUNK_SIZE = 500
FENCE = "---"
# Front-matter keys whose meaning the export writes from the article's own fields: an original
# value of one of them would say something the article no longer does (an editor's new picture,
# a date moved). Every other key of the original front matter is written back as it came.
MAPPED_KEYS = frozenset(
    {
        "title", "slug", "date", "publishDate", "pubdate", "updated", "update", "lastmod",
        "author", "categories", "category", "tags", "tag", "comments", "published", "draft",
        "description", "summary", "excerpt", "headimg", "cover", "top_img", "index_img",
        "banner_img", "image", "photos", "photo", "thumbnail", "permalink", "url", "aliases",
        "alias", "redirect_from", "lang", "language", "disableNunjucks", "source_archive",
        "source_path",
    }
)  # fmt: skip


def site_timezone():
    """The zone dates are written in: the site's, so that editors read their own clock."""
    return zoneinfo.ZoneInfo(settings.TIME_ZONE)


def articles_to_export(status=None):
    """The articles to export (all, or those with `status`), with what rendering them needs.

    Iterate with `.iterator(chunk_size=...)`: the prefetches then run once per chunk.
    """
    queryset = (
        Article.objects.select_related("author", "hero_image", "thumbnail")
        .prefetch_related(
            Prefetch("categories", queryset=Category.objects.only("id")),
            "tags",
            Prefetch("body_images", queryset=Image.objects.only("file", "source_url", "sha256")),
            Prefetch("legacy_urls", queryset=LegacyURL.objects.only("path", "article_id")),
        )
        .order_by("pk")
    )
    if status:
        queryset = queryset.filter(status=status)
    return queryset


def category_paths_by_id():
    """Every category's path as a tuple of names from the root, keyed by id, in one query."""
    rows = {pk: (name, parent) for pk, name, parent in Category.objects.values_list("id", "name", "parent_id")}
    paths = {}
    for pk in rows:
        chain, current = [], pk
        while current is not None and current not in paths and current not in chain:
            chain.append(current)
            current = rows[current][1]
        prefix = paths.get(current, ())
        for node in reversed(chain):  # from the topmost unknown ancestor down to `pk`
            prefix += (rows[node][0],)
            paths[node] = prefix
    return paths


def absolute_image_url(image, site_url=None):
    """The image's URL as a browser elsewhere can fetch it: local files get the site's address."""
    if image is None:
        return ""
    url = image.url or ""
    if not url or url.startswith(("http://", "https://")):
        return url
    if url.startswith("//"):
        return "https:" + url
    base = (site_url if site_url is not None else settings.NEWSROOM["SITE_URL"]).rstrip("/")
    return f"{base}/{url.lstrip('/')}"


def importer_text(text):
    """`text` as the importer reads it back: it decodes HTML entities in titles and summaries
    (legacy files carry them), so text that holds entity-like words gets its '&'s escaped.

    'AT&T' and 'A & B' stay as they are; '写 &lt; 号' becomes '写 &amp;lt; 号'.
    """
    return text.replace("&", "&amp;") if html.unescape(text) != text else text


def local_iso(value, tz):
    """ISO 8601 text with the UTC offset, in `tz`: '2025-03-18T09:30:00+08:00'."""
    return value.astimezone(tz).isoformat()


def updated_time(article):
    """When the content last changed: an editor's last save, or for an import left as it came
    the source file's own updated time (None when it had none: importing is no change)."""
    if article.imported_at is not None and not article.edited_since_import:
        return article.source_updated_at
    return article.updated_at


def front_matter(article, *, category_paths, tz, site_url=None):
    """The front matter of `article` as an ordered dict of plain YAML-safe values.

    `category_paths` maps category ids to name tuples (see category_paths_by_id()).
    """
    meta = {"title": importer_text(article.title), "slug": article.slug}
    if article.published_at is not None:
        meta["date"] = local_iso(article.published_at, tz)
        # Its address here: an importer (this one, or Hexo) serves it there again.
        meta["permalink"] = article.get_absolute_url()
    updated = updated_time(article)
    if updated is not None:
        meta["updated"] = local_iso(updated, tz)
    meta["author"] = article.author.name

    paths = sorted(category_paths[c.pk] for c in article.categories.all())
    if len(paths) == 1:
        meta["categories"] = list(paths[0])  # Hexo: a flat list is one path, root first
    elif paths:
        meta["categories"] = [list(path) for path in paths]  # a list of lists: several paths

    tags = sorted((tag.name for tag in article.tags.all()), key=lambda name: (name.casefold(), name))
    if tags:
        meta["tags"] = tags
    meta["comments"] = bool(article.allow_comments)
    if article.status != Article.Status.PUBLISHED:
        meta["published"] = False
    if article.summary:
        meta["description"] = importer_text(article.summary)
    hero = absolute_image_url(article.hero_image, site_url)
    if hero:
        meta["headimg"] = hero
    thumbnail = absolute_image_url(article.thumbnail, site_url)
    if thumbnail or hero:
        # An empty value says "no thumbnail"; an absent key would make the hero one.
        meta["thumbnail"] = thumbnail
    # Hexo's own switch: the body is stored HTML, not a template with tag plugins.
    meta["disableNunjucks"] = True
    meta["lang"] = article.language
    aliases = sorted(legacy.path for legacy in article.legacy_urls.all())
    if aliases:
        meta["aliases"] = aliases
    if article.source_path:
        # Where it came from, so that importing this file (or the old archive again) finds it.
        meta["source_archive"] = article.source_archive
        meta["source_path"] = article.source_path
    original = article.front_matter if isinstance(article.front_matter, dict) else {}
    meta.update((key, value) for key, value in original.items() if key not in MAPPED_KEYS and key not in meta)
    if article.source_id and not any(original.get(key) for key in ("id", "abbrlink")):
        meta["id"] = article.source_id
    return meta


def render(article, *, category_paths, tz, site_url=None):
    """The whole file for `article`: '---', the YAML front matter, '---', a blank line, the body."""
    meta = front_matter(article, category_paths=category_paths, tz=tz, site_url=site_url)
    yaml_text = yaml.safe_dump(meta, allow_unicode=True, sort_keys=False, default_flow_style=False, width=float("inf"))
    body = _lf(portable_body(article, site_url)).strip("\n")
    return f"{FENCE}\n{_lf(yaml_text)}{FENCE}\n\n{body}\n"


# The <picture> of a library image as picture_html() writes it (the sanitizer keeps no other),
# and the attributes of its <img> that the body chose rather than the library.
_PICTURE = re.compile(r"<picture>(?:(?!</picture>).)*?(<img\b(?:[^>\"]|\"[^\"]*\")*>)</picture>", re.S)
_IMG_SRC = re.compile(r'\ssrc="([^"]*)"')
_KEPT_ATTRIBUTE = re.compile(r'\s(alt|title)="([^"]*)"')


def portable_body(article, site_url=None):
    """The body with each library picture written as the `<img>` of its original file, at the
    address absolute_image_url() gives it.

    Its renditions' addresses mean nothing to another site or an empty database: the importer
    finds no such picture and leaves a dead link. An `<img>` of the original is what any site
    shows, and what `import_frontmatter --download-images` brings back into a library, as the
    same <picture> (renditions are named by the file's SHA-256).
    """
    by_digest = {image.sha256: image for image in article.body_images.all() if image.sha256}

    def original(match):
        img = match.group(1)
        src = _IMG_SRC.search(img)
        reference = library_reference(html.unescape(src.group(1))) if src else None
        image = by_digest.get(reference[1]) if reference and reference[0] == "sha256" else None
        if image is None:
            return match.group(0)
        url = html.escape(absolute_image_url(image, site_url))
        kept = "".join(f' {name}="{value}"' for name, value in _KEPT_ATTRIBUTE.findall(img))
        return f'<img src="{url}"{kept}>'

    return _PICTURE.sub(original, article.body or "")


def _lf(text):
    return text.replace("\r\n", "\n").replace("\r", "\n")


def relative_path(article, tz):
    """`<yyyy>/<mm>/<slug>.html`, by publication time (creation time for undated drafts).

    The `.html` suffix tells the importer that the body is HTML already.
    """
    when = (article.published_at or article.created_at).astimezone(tz)
    return PurePosixPath(f"{when:%Y}", f"{when:%m}", f"{article.slug}.html")


def exported_files(queryset, *, tz=None, site_url=None, chunk_size=CHUNK_SIZE):
    """Yield (relative path, file text) for each article of `queryset`.

    Queries: one for the category tree, then per chunk of `chunk_size` articles one for the
    rows (with author and images joined) and one each for their categories, tags, body images
    and old addresses.
    """
    tz = tz or site_timezone()
    paths = category_paths_by_id()
    for article in queryset.iterator(chunk_size=chunk_size):
        yield relative_path(article, tz), render(article, category_paths=paths, tz=tz, site_url=site_url)


def write_atomically(path, text):
    """Write `text` to `path` as UTF-8 with LF line ends, replacing any old file in one step."""
    path = Path(path)
    path.parent.mkdir(parents=True, exist_ok=True)
    fd, temp_name = tempfile.mkstemp(dir=path.parent, prefix=f".{path.name}.", suffix=".tmp")
    try:
        with os.fdopen(fd, "w", encoding="utf-8", newline="\n") as temp:
            temp.write(text)
            temp.flush()
            os.fsync(temp.fileno())
        os.chmod(temp_name, 0o644)  # mkstemp makes it private; an export is meant to be read
        os.replace(temp_name, path)
    except BaseException:
        try:
            os.unlink(temp_name)
        except FileNotFoundError:
            pass
        raise
