import reversion
from django.conf import settings
from django.core.serializers.json import DjangoJSONEncoder
from django.db import models
from django.db.models.signals import pre_save
from django.dispatch import receiver
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext_lazy as _, pgettext_lazy
from taggit.managers import TaggableManager

from articles.querysets import ArticleQuerySet
from articles.sanitize import clean_html
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
    summary = models.TextField(_("摘要"), blank=True, help_text=_("纯文本；留空则取正文开头。"))
    body = models.TextField(_("正文"), blank=True, help_text=_("HTML，保存时按统一策略清理。"))
    status = models.CharField(
        _("状态"), max_length=20, choices=Status.choices, default=Status.DRAFT
    )
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

    # Provenance of imported articles; empty for articles written in the admin.
    source_path = models.CharField(_("来源文件"), max_length=500, blank=True, editable=False)
    source_hash = models.CharField(_("来源文件 SHA-256"), max_length=64, blank=True, editable=False)
    source_id = models.CharField(
        _("来源 ID"), max_length=200, blank=True, db_index=True, editable=False,
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
        indexes = [models.Index(fields=["status", "-published_at"], name="article_live_idx")]
        constraints = [
            models.UniqueConstraint(
                fields=["source_path"],
                condition=~models.Q(source_path=""),
                name="article_unique_source_path",
            ),
        ]

    def __str__(self):
        return self.title

    def prepare_for_save(self):
        """Derive what depends only on this row: the clean body, the summary and the slug."""
        self.body = clean_html(self.body)
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
        super().save(*args, **kwargs)

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
            self.status == self.Status.PUBLISHED
            and self.expires_at is not None
            and self.expires_at <= timezone.now()
        )

    @property
    def display_state(self):
        """The state an editor thinks in: scheduled and expired are kinds of published."""
        if self.is_scheduled:
            return "scheduled"
        if self.is_expired:
            return "expired"
        return self.status

    @property
    def shows_hero_image(self):
        """Legacy bodies often open with their hero image; showing it twice helps nobody."""
        return bool(self.hero_image_id) and self.hero_image.url not in self.body

    def get_absolute_url(self):
        day = timezone.localdate(self.published_at or self.created_at or timezone.now())
        return reverse(
            "articles:article",
            kwargs={"year": day.year, "month": f"{day.month:02d}", "day": f"{day.day:02d}", "slug": self.slug},
        )


@receiver(pre_save, sender=Article)
def sanitize_raw_saves(sender, instance, raw, **kwargs):
    """Fixtures (`loaddata`) save raw, skipping save(); their bodies are cleaned all the same."""
    if raw:
        instance.body = clean_html(instance.body)
