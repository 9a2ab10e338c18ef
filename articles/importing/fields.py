"""Fitting a file's values to the fields that store them, before anything is written.

SQLite stores text past a column's `max_length` and PostgreSQL refuses the whole row without
naming the field, so each value is checked here against its model field: an optional value that
does not fit is cut or dropped with a warning naming the field (one long alias must not lose the
article), and a value the article cannot do without fails the file, naming the field.
"""

from articles.models import Article, Author, Category, Image, LegacyURL, Tag
from articles.slugs import readable_slug

from .limits import MAX_CATEGORY_DEPTH, MAX_CATEGORY_PATHS_PER_FILE, MAX_TAGS_PER_FILE
from .mapping import MappingError
from .report import IMAGE, REDIRECT, warning


def _max_length(model, name):
    return model._meta.get_field(name).max_length


def _shown(value, length=40):
    """The start of a long value, for a warning (never the whole of a 50 KB tag)."""
    return repr(value[:length] + "…" if len(value) > length else value)


def _cut(value, max_length):
    return value[: max_length - 1].rstrip() + "…"


def fit_to_fields(values):
    """Make `values` (mapping.ArticleValues) fit the database's fields, warning about each change;
    raise MappingError, naming the field, for a value that cannot be changed."""
    warn = values.warnings.append
    for name, model, field in (("source_path", Article, "source_path"), ("source_archive", Article, "source_archive")):
        limit = _max_length(model, field)
        if len(getattr(values, name)) > limit:
            raise MappingError(
                name,
                f"longer than {limit} characters ({len(getattr(values, name)):,}); the article's identity cannot be cut",
            )

    # The title is cut to its field by mapping.map_record() already (TITLE_MAX_LENGTH).

    limit = _max_length(Author, "name")
    if len(values.author_name) > limit:
        warn(
            f"author: {_shown(values.author_name)} is longer than {limit} characters ({len(values.author_name):,}), shortened"
        )
        values.author_name = _cut(values.author_name, limit)

    limit = _max_length(Article, "source_id")
    if len(values.source_id) > limit:
        warn(f"id: {_shown(values.source_id)} is longer than {limit} characters ({len(values.source_id):,}); left out")
        values.source_id = ""

    if len(values.language) > _max_length(Article, "language"):
        warn(f"lang: {_shown(values.language)} is no language code; left out")
        values.language = Article._meta.get_field("language").default

    limit = _max_length(Image, "source_url")
    for name in ("hero_image_url", "thumbnail_url"):
        url = getattr(values, name)
        if len(url) > limit:
            warn(
                warning(
                    IMAGE,
                    f"{name.removesuffix('_url').replace('_', ' ')}: {_shown(url)} is longer than {limit} characters ({len(url):,}); left out",
                )
            )
            setattr(values, name, "")

    limit = _max_length(LegacyURL, "path")
    too_long = [path for path in values.legacy_paths if len(path) > limit]
    if too_long:
        values.legacy_paths = [path for path in values.legacy_paths if len(path) <= limit]
        for path in too_long:
            warn(
                warning(
                    REDIRECT,
                    f"legacy URL {_shown(path)} is longer than {limit} characters ({len(path):,}); no redirect recorded",
                )
            )

    if len(values.category_paths) > MAX_CATEGORY_PATHS_PER_FILE:
        warn(
            f"categories: {len(values.category_paths):,} paths, more than {MAX_CATEGORY_PATHS_PER_FILE:,}; "
            f"kept the first {MAX_CATEGORY_PATHS_PER_FILE:,}"
        )
        values.category_paths = values.category_paths[:MAX_CATEGORY_PATHS_PER_FILE]
    values.category_paths = [_fit_category_path(path, warn) for path in values.category_paths]
    values.tags = _fit_tags(values.tags, warn)


def _fit_category_path(names, warn):
    limit = _max_length(Category, "name")
    fitted = []
    for name in names:
        if len(name) > limit:
            warn(f"categories: {_shown(name)} is longer than {limit} characters ({len(name):,}), shortened")
            name = _cut(name, limit)
        fitted.append(name)
    # Each level is a row and a breadcrumb item, and the slugs from the root make Category.path.
    path_limit = _max_length(Category, "path")
    depth = min(len(fitted), MAX_CATEGORY_DEPTH)
    # Each slug may grow by a "-2" … suffix when a sibling has taken it, hence the margin.
    while (
        depth > 1
        and sum(len(readable_slug(n, max_length=90, fallback="category")) + 4 for n in fitted[:depth]) > path_limit
    ):
        depth -= 1
    if depth < len(fitted):
        warn(
            f"categories: a path of {len(fitted):,} levels is deeper than the category tree takes; "
            f"kept its first {depth} levels"
        )
    return fitted[:depth]


def _fit_tags(names, warn):
    limit = _max_length(Tag, "name")
    fitted = [name for name in names if len(name) <= limit]
    too_long = [name for name in names if len(name) > limit]
    if too_long:
        shown = ", ".join(_shown(name) for name in too_long[:3]) + (" …" if len(too_long) > 3 else "")
        warn(f"tags: {len(too_long):,} longer than {limit} characters left out: {shown}")
    if len(fitted) > MAX_TAGS_PER_FILE:
        warn(f"tags: {len(fitted):,} tags, more than {MAX_TAGS_PER_FILE:,}; kept the first {MAX_TAGS_PER_FILE:,}")
        fitted = fitted[:MAX_TAGS_PER_FILE]
    return fitted
