import reversion
from django.conf import settings
from django.core.serializers.json import DjangoJSONEncoder
from django.db import models, router
from django.db.models.base import ModelState
from django.db.models.signals import pre_save
from django.dispatch import receiver
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy
from taggit.managers import TaggableManager

from articles.bodies import body_has_math, stored_body
from articles.querysets import ArticleQuerySet
from articles.slugs import readable_slug, unique_slug
from articles.text import excerpt

from .tagging import TaggedArticle


@reversion.register()
class Article(models.Model):
    class Status(models.TextChoices):
        DRAFT = "draft", _("草稿")
        REVIEW = "review", _("待审核")
        PUBLISHED = "published", _("已发布")
        UNPUBLISHED = "unpublished", _("已撤下")
        ARCHIVED = "archived", _("已归档")

    title = models.CharField(_("标题"), max_length=300)
    slug = models.SlugField(
        _("URL 名称"),
        max_length=120,
        unique=True,
        blank=True,
        help_text=_("留空则由标题的拼音生成；发布后请勿修改。"),
    )
    author = models.ForeignKey(
        "articles.Author",
        verbose_name=_("作者"),
        # An author with articles cannot be deleted: reassign the articles first.
        on_delete=models.PROTECT,
        related_name="articles",
    )
    categories = models.ManyToManyField(
        "articles.Category", verbose_name=_("分类"), blank=True, related_name="articles"
    )
    tags = TaggableManager(_("标签"), through=TaggedArticle, blank=True)
    hero_image = models.ForeignKey(
        "articles.Image",
        verbose_name=_("头图"),
        null=True,
        blank=True,
        # An image in use cannot be deleted: the admin lists the articles that use it.
        on_delete=models.PROTECT,
        related_name="hero_of",
    )
    thumbnail = models.ForeignKey(
        "articles.Image",
        verbose_name=_("缩略图"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="thumbnail_of",
    )
    body_images = models.ManyToManyField(
        "articles.Image",
        through="articles.BodyImage",
        verbose_name=_("正文图片"),
        blank=True,
        editable=False,
        related_name="in_bodies_of",
    )
    summary = models.TextField(_("摘要"), blank=True, help_text=_("纯文本；留空则取正文开头。"))
    # What search engines and share cards show instead of the title and summary, when set.
    seo_title = models.CharField(_("搜索结果标题"), max_length=120, blank=True, help_text=_("留空则用文章标题。"))
    seo_description = models.CharField(_("搜索结果描述"), max_length=300, blank=True, help_text=_("留空则用摘要。"))
    body = models.TextField(_("正文"), blank=True, help_text=_("HTML，保存时按统一策略清理。"))
    status = models.CharField(_("状态"), max_length=20, choices=Status.choices, default=Status.DRAFT)
    published_at = models.DateTimeField(_("发布时间"), null=True, blank=True)
    expires_at = models.DateTimeField(
        _("下线时间"), null=True, blank=True, help_text=_("到时自动从网站撤下（可留空）。")
    )
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("创建人"),
        null=True,
        blank=True,
        editable=False,
        # A departed colleague's articles stay; editors can still work on them.
        on_delete=models.SET_NULL,
        related_name="created_articles",
    )
    # Moves on every save; a form that was opened at another value is refused (no lost edits).
    edit_version = models.PositiveIntegerField(_("编辑版本"), default=0, editable=False)
    created_at = models.DateTimeField(_("创建时间"), auto_now_add=True)
    # Set by save() (not auto_now) so that an import can stamp imported_at with the same instant.
    updated_at = models.DateTimeField(_("更新时间"), default=timezone.now, editable=False)
    allow_comments = models.BooleanField(_("允许评论"), default=True)
    # The content's language: the page's lang, its feed items and og:locale.
    language = models.CharField(
        _("内容语言"),
        max_length=10,
        choices=[("zh-Hans", _("简体中文")), ("zh-Hant", _("繁體中文")), ("en", "English")],
        default="zh-Hans",
    )

    # Provenance of imported articles; empty for articles written in the admin.
    # An imported article's identity: the archive it came from and its path inside that archive's
    # root, so that two blogs' `_posts/hello-world.md` are two articles (articles.importing).
    source_archive = models.CharField(_("来源归档"), max_length=200, blank=True, editable=False)
    source_path = models.CharField(_("来源文件"), max_length=500, blank=True, editable=False)
    source_hash = models.CharField(_("来源文件 SHA-256"), max_length=64, blank=True, editable=False)
    source_id = models.CharField(
        _("来源 ID"),
        max_length=200,
        blank=True,
        db_index=True,
        editable=False,
        help_text="A stable id from the legacy front matter (id, abbrlink), when it had one.",
    )
    source_updated_at = models.DateTimeField(_("来源修改时间"), null=True, blank=True, editable=False)
    # Equal to updated_at right after an import; any later save by an editor moves updated_at.
    imported_at = models.DateTimeField(_("导入时间"), null=True, blank=True, editable=False)
    front_matter = models.JSONField(
        _("原始 front matter"), default=dict, blank=True, editable=False, encoder=DjangoJSONEncoder
    )

    objects = ArticleQuerySet.as_manager()

    class Meta:
        ordering = ["-published_at", "-id"]
        verbose_name = pgettext_lazy("model name", "文章")
        verbose_name_plural = pgettext_lazy("model name plural", "文章")
        permissions = [
            ("publish_article", "Can publish, schedule, unpublish and archive articles"),
            ("edit_any_article", "Can edit articles of other writers"),
        ]
        indexes = [
            # The id orders ties as the lists do; expires_at completes published(), so counts and
            # archive checks read the index alone.
            models.Index(fields=["status", "-published_at", "-id", "expires_at"], name="article_live_idx"),
            # The page cache asks for the next expiry on every content change.
            models.Index(
                fields=["expires_at"], name="article_expiry_idx", condition=models.Q(expires_at__isnull=False)
            ),
        ]
        constraints = [
            models.UniqueConstraint(
                fields=["source_archive", "source_path"],
                condition=~models.Q(source_path=""),
                name="article_unique_source",
            ),
        ]

    def __str__(self):
        return self.title

    def prepare_for_save(self):
        """Derive what depends only on this row: the clean body, the summary and the slug."""
        self.body, self._body_image_ids = stored_body(self.body)
        if not self.summary.strip():
            self.summary = excerpt(self.body, settings.NEWSROOM["SUMMARY_LENGTH"])
        if not self.slug:
            self.slug = unique_slug(
                readable_slug(self.title, max_length=100, fallback="article"),
                lambda s: Article.objects.filter(slug=s).exclude(pk=self.pk).exists(),
                max_length=120,
            )
        if self.status == self.Status.PUBLISHED and self.published_at is None:
            self.published_at = timezone.now()

    def save(self, *args, imported=False, **kwargs):
        """Save, deriving the clean body; `imported=True` marks the row as the importer left it."""
        self.prepare_for_save()
        self.updated_at = timezone.now()
        self.edit_version += 1
        derived = {"updated_at", "edit_version"}
        if imported:
            self.imported_at = self.updated_at
            derived.add("imported_at")
        update_fields = kwargs.get("update_fields")
        if update_fields is not None:
            if "body" in update_fields:
                derived |= {"summary", "slug"}
            kwargs["update_fields"] = set(update_fields) | derived
        adding = self._state.adding
        super().save(*args, **kwargs)
        if update_fields is None or "body" in update_fields:
            self.record_body_images(adding=adding)
        self.keep_moved_address()

    @classmethod
    def from_known_values(cls, values, db=None):
        """An article holding `values` (attname: value) only, every other field deferred (read
        when asked for), as from_db() makes one, less Model.__init__'s loop over every field.
        `db`: where it was read, by default where the router reads articles.

        Pages that know articles without reading them (a list's kept ids, a kept address: see
        articles.fragments) make them on every request, where that loop cost more than the rest.
        """
        article = cls.__new__(cls)
        article._state = ModelState()
        article._state.adding, article._state.db = False, db or router.db_for_read(cls)
        article.__dict__.update(values)
        return article

    @classmethod
    def from_db(cls, db, field_names, values):
        article = super().from_db(db, field_names, values)
        # What the address was built from, so that a save moving it can keep the old one answering.
        loaded = dict(zip(field_names, values))
        article._loaded_address = (loaded.get("slug"), loaded.get("published_at"))
        return article

    def keep_moved_address(self):
        """Record the address this save moved away from as a LegacyURL (a 301 here, 410 once gone)."""
        from .redirect import LegacyURL

        slug, published_at = getattr(self, "_loaded_address", (None, None))
        if (slug, published_at) == (self.slug, self.published_at):
            return
        self._loaded_address = (self.slug, self.published_at)
        # Only an address dated by a publication time already passed can have been seen by readers.
        if slug and published_at and published_at <= timezone.now():
            old = _dated_path(slug, published_at)
            if old != self.get_absolute_url():
                LegacyURL.objects.get_or_create(path=old, defaults={"article": self})

    def record_body_images(self, *, adding=False):
        """Bring the BodyImage rows in line with the library images the saved body shows."""
        from .image_usage import BodyImage

        wanted = set(getattr(self, "_body_image_ids", None) or ())
        if not adding:
            BodyImage.objects.filter(article=self).exclude(image_id__in=wanted).delete()
        if wanted:
            BodyImage.objects.bulk_create(
                [BodyImage(article=self, image_id=pk) for pk in wanted], ignore_conflicts=True
            )

    def images_missing_alt_text(self):
        """[(role, image)] for each image this article shows whose alternative text is empty."""
        from .image import Image

        roles = {}
        if self.thumbnail_id:
            roles[self.thumbnail_id] = _("缩略图")
        if self.hero_image_id:
            roles[self.hero_image_id] = _("头图")
        body_ids = set(self.body_images.values_list("pk", flat=True)) if self.pk else set()
        for pk in body_ids - set(roles):
            roles[pk] = _("正文图片")
        missing = list(Image.objects.filter(pk__in=roles).missing_alt_text().order_by("pk"))
        # A body picture is described where the body gives it alternative text of its own (the
        # writer typed it in the figure dialog); a hero or thumbnail only by the library's.
        from articles.images.markup import described_in

        in_body_only = [
            image
            for image in missing
            if image.pk in body_ids and image.pk not in (self.thumbnail_id, self.hero_image_id)
        ]
        described = described_in(self.body, in_body_only)
        return [(roles[image.pk], image) for image in missing if image.pk not in described]

    @property
    def edited_since_import(self):
        return self.imported_at is not None and self.updated_at != self.imported_at

    @property
    def is_published(self):
        now = timezone.now()
        return (
            self.status == self.Status.PUBLISHED
            and self.published_at is not None
            and self.published_at <= now
            and (self.expires_at is None or self.expires_at > now)
        )

    @property
    def is_scheduled(self):
        return (
            self.status == self.Status.PUBLISHED
            and self.published_at is not None
            and self.published_at > timezone.now()
        )

    @property
    def is_expired(self):
        return (
            self.status == self.Status.PUBLISHED and self.expires_at is not None and self.expires_at <= timezone.now()
        )

    @property
    def display_state(self):
        """The state an editor thinks in: scheduled and expired are kinds of published; sent
        back is a kind of draft, known when the article was read with_latest_move()."""
        if self.is_scheduled:
            return "scheduled"
        if self.is_expired:
            return "expired"
        if self.is_sent_back:
            return "sent_back"
        return self.status

    @property
    def is_sent_back(self):
        """A draft whose latest move was a sending back (read with_latest_move(), else False)."""
        return self.status == self.Status.DRAFT and getattr(self, "latest_verb", None) == "send_back"

    @property
    def shows_hero_image(self):
        """Legacy bodies often open with their hero image; showing it twice helps nobody."""
        if not self.hero_image_id:
            return False
        image = self.hero_image
        if image.url in self.body:
            return False
        # A library image in the body shows as its renditions, whose names hold its digest.
        return not (image.file and image.sha256 and f"/{image.sha256}/" in self.body)

    @property
    def has_math(self):
        """Whether the body holds math, so that its page loads KaTeX (and others do not)."""
        return body_has_math(self.body)

    def get_absolute_url(self):
        return _dated_path(self.slug, self.published_at or self.created_at or timezone.now())


def _dated_path(slug, moment):
    """An article's address: its slug under the local date of `moment`, as Hexo's permalink."""
    day = timezone.localdate(moment)
    return reverse(
        "articles:article",
        kwargs={"year": day.year, "month": f"{day.month:02d}", "day": f"{day.day:02d}", "slug": slug},
    )


@receiver(pre_save, sender=Article)
def sanitize_raw_saves(sender, instance, raw, **kwargs):
    """Fixtures (`loaddata`) save raw, skipping save(); their bodies are cleaned all the same."""
    if raw:
        instance.body = stored_body(instance.body)[0]
