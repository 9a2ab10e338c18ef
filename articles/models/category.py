from django.db import models, transaction
from django.db.models.functions import Length
from django.urls import reverse
from django.utils.functional import cached_property
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy

from articles.slugs import readable_slug


class CategoryManager(models.Manager):
    def get_or_create_path(self, names):
        """Return the leaf of the path `names` (root first), creating missing levels.

        Hexo's rule: `[新媒体, 36kr, 资讯]` is one path 新媒体 › 36kr › 资讯.
        """
        parent = None
        for name in names:
            parent, _created = self.get_or_create(parent=parent, name=name)
        return parent

    def filed_with(self, articles):
        """The categories that one or more of `articles` (a queryset) is filed in."""
        links = Category.articles.through.objects.all()
        if articles.query.has_filters():  # else all articles: the links alone answer, no join
            links = links.filter(article__in=articles.order_by().values("pk"))
        return self.filter(pk__in=links.values("category_id"))

    def path_names(self, pks):
        """{pk: "新媒体 › 36kr › 快讯"} for those of the categories `pks` that exist: two queries."""
        paths = dict(self.filter(pk__in=pks).values_list("pk", "path")) if pks else {}
        prefixes = {prefix for path in paths.values() for prefix in ancestor_paths(path)}
        names = dict(self.filter(path__in=prefixes).values_list("path", "name")) if prefixes else {}
        return {
            pk: PATH_SEPARATOR.join(names.get(prefix, prefix.rsplit("/", 1)[-1]) for prefix in ancestor_paths(path))
            for pk, path in paths.items()
        }


# How a category's place in the tree is written for people: 新媒体 › 36kr › 快讯.
PATH_SEPARATOR = " › "


def ancestor_paths(path):
    """The paths from the root down to `path` itself: a/b/c → [a, a/b, a/b/c]."""
    parts = path.split("/")
    return ["/".join(parts[: i + 1]) for i in range(len(parts))]


# A path that ends in /feed/ is its category's feed (articles.urls), so a category below the root
# cannot have this slug: its page would be its parent's feed. (A root's page is /category/feed/.)
FEED_SLUG = "feed"


class Category(models.Model):
    """A node in the category tree; `path` caches the slugs from the root for one-query lookups."""

    name = models.CharField(_("名称"), max_length=100)
    slug = models.SlugField(_("URL 名称"), max_length=100, blank=True)
    parent = models.ForeignKey(
        "self",
        verbose_name=_("上级分类"),
        null=True,
        blank=True,
        # A category with children cannot be deleted: move or delete them first.
        on_delete=models.PROTECT,
        related_name="children",
    )
    description = models.TextField(pgettext_lazy("category description", "说明"), blank=True)
    position = models.PositiveIntegerField(_("排序"), default=0)
    # Chosen by editors for the site's header, in `position` order (until anyone chooses, the
    # header shows the categories with the most live articles).
    in_navigation = models.BooleanField(_("显示在导航栏"), default=False)
    path = models.CharField(max_length=500, unique=True, editable=False)
    depth = models.PositiveSmallIntegerField(default=0, editable=False)

    objects = CategoryManager()

    class Meta:
        ordering = ["path"]
        verbose_name = pgettext_lazy("model name", "分类")
        verbose_name_plural = pgettext_lazy("model name plural", "分类")
        constraints = [
            models.UniqueConstraint(fields=["parent", "name"], name="category_unique_name_among_siblings"),
            models.UniqueConstraint(fields=["parent", "slug"], name="category_unique_slug_among_siblings"),
            # NULL parents never collide in a unique constraint, so roots need their own.
            models.UniqueConstraint("name", condition=models.Q(parent__isnull=True), name="category_unique_root_name"),
            models.CheckConstraint(
                condition=models.Q(parent__isnull=True) | ~models.Q(slug=FEED_SLUG),
                name="category_feed_slug_only_at_the_root",
                violation_error_message=_("下级分类的 URL 名称不能是“feed”：那是上级分类的订阅地址。"),
            ),
        ]

    def __str__(self):
        # Reader pages show `name`; the admin (choices, autocomplete, history) names the path.
        return self.display_path

    @cached_property
    def display_path(self):
        """The names from the root, "新媒体 › 36kr › 快讯", taken from the category tree kept per
        content version (articles.navigation.categories_by_path): naming many costs no query each."""
        if not self.path:  # not saved yet
            return self.name
        from articles.navigation import ancestors_and_self  # the kept tree, read once a version

        ancestors = ancestors_and_self(self)[:-1]
        return PATH_SEPARATOR.join([ancestor.name for ancestor in ancestors] + [self.name])

    def save(self, *args, **kwargs):
        self.__dict__.pop("display_path", None)  # the name or the parent may have changed
        if not self.slug:
            self.slug = self._free_slug(readable_slug(self.name, max_length=90, fallback="category"))
        old_path = None
        if self.pk:
            old_path = Category.objects.filter(pk=self.pk).values_list("path", flat=True).first()
        self.path = f"{self.parent.path}/{self.slug}" if self.parent else self.slug
        self.depth = self.parent.depth + 1 if self.parent else 0
        with transaction.atomic():
            super().save(*args, **kwargs)
            if old_path and old_path != self.path:
                self._move_descendants(old_path)

    def _free_slug(self, base):
        siblings = Category.objects.filter(parent=self.parent).exclude(pk=self.pk)
        slug, n = base, 1
        while (slug == FEED_SLUG and self.parent is not None) or siblings.filter(slug=slug).exists():
            n += 1
            slug = f"{base}-{n}"
        return slug

    def _move_descendants(self, old_path):
        for child in Category.objects.filter(path__startswith=old_path + "/").order_by("depth"):
            child.path = self.path + child.path[len(old_path) :]
            child.depth = child.path.count("/")
            super(Category, child).save(update_fields=["path", "depth"])

    def clean(self):
        from django.core.exceptions import ValidationError

        ancestor = self.parent
        while ancestor is not None:
            if ancestor.pk == self.pk:
                raise ValidationError({"parent": _("分类不能成为自己的下级。")})
            ancestor = ancestor.parent

    def ancestor_paths(self):
        return ancestor_paths(self.path)

    def get_ancestors_and_self(self):
        """The chain from the root to this category, in one query."""
        return Category.objects.filter(path__in=self.ancestor_paths()).order_by(Length("path"))

    def descendants_and_self_q(self, prefix="categories__"):
        """A Q matching rows linked to this category or any category below it."""
        return models.Q(**{f"{prefix}path": self.path}) | models.Q(**{f"{prefix}path__startswith": self.path + "/"})

    def get_absolute_url(self):
        return reverse("articles:category", kwargs={"path": self.path})
