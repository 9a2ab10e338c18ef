"""The category tree as every page shows it (navigation, breadcrumbs, /category/, counts), kept
once a content version. Read by the reader views, feeds, the API, template tags and the admin,
so it lives apart from any of them."""

from . import caching
from .models import Category
from .querysets import live_counts, with_category_commonness, with_subtree_ids


def categories_by_path():
    """Every category by its path, queried once a content version: the tree is small, every page
    shows part of it (navigation, breadcrumbs) and it does not change with the clock. Each
    knows what its page's query needs (see in_category()): whether it is common, its subtree's ids."""

    def index():
        fields = ("name", "slug", "path", "parent_id", "position", "description", "in_navigation")
        categories = with_subtree_ids(with_category_commonness(Category.objects.only(*fields)))
        return {category.path: category for category in categories}

    return caching.kept_per_content_version("categories-by-path", index, follows_published=False)


def by_position(categories):
    """Categories in the order editors gave them (Category.position), then by name."""
    return sorted(categories, key=lambda category: (category.position, category.name))


# Live articles are counted this far per category (querysets.live_counts): "1000+" beyond.
LIVE_COUNT_CAP = 1000


def live_article_counts(parent="all"):
    """{category id: its live articles, or LIVE_COUNT_CAP + 1 for more}, of every category or of
    the children of `parent` (None: the top level); counted once a content version."""

    def count():
        categories = categories_by_path().values() if parent == "all" else category_children().get(parent, [])
        return live_counts(categories, up_to=LIVE_COUNT_CAP + 1)

    return caching.kept_per_content_version(f"category-live-counts:{parent}", count)


def shown_count(count):
    """A category's live articles as readers see them: "1000+" past what was counted."""
    return f"{LIVE_COUNT_CAP}+" if count > LIVE_COUNT_CAP else str(count)


def navigation_categories(limit):
    """The header's sections: the categories editors put in the navigation, in their order; until
    they choose any, the `limit` top-level categories with the most live articles (beyond
    LIVE_COUNT_CAP, in the editors' order of categories, then by name)."""
    known = categories_by_path().values()
    chosen = [category for category in known if category.in_navigation]
    if chosen:
        return by_position(chosen)
    roots = category_children().get(None, [])
    counts = live_article_counts(parent=None) if roots else {}
    ranked = sorted((root for root in roots if counts.get(root.pk)), key=lambda root: -counts[root.pk])
    return ranked[:limit]


def category_children():
    """{parent id (None: the top level): its children in the editors' order}, from the kept tree."""
    children = {}
    for category in categories_by_path().values():
        children.setdefault(category.parent_id, []).append(category)
    return {parent: by_position(siblings) for parent, siblings in children.items()}


def ancestors_and_self(category):
    """The chain from the root to `category` (breadcrumbs), from categories_by_path()."""
    known = categories_by_path()
    chain = [known.get(path) for path in category.ancestor_paths()]
    return chain if None not in chain else list(category.get_ancestors_and_self())
