from django.core.files.storage import default_storage
from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models, transaction
from django.db.models import ProtectedError
from django.db.models.signals import post_delete, pre_delete
from django.dispatch import receiver
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy


def _fraction(label):
    return models.FloatField(
        label,
        null=True,
        blank=True,
        validators=[MinValueValidator(0.0), MaxValueValidator(1.0)],
        help_text=_("0 到 1 之间，从左上角量起；留空则以中心裁剪。"),
    )


class ImageQuerySet(models.QuerySet):
    def unused(self):
        """Images no article uses as hero image, thumbnail or in its body."""
        return self.filter(hero_of__isnull=True, thumbnail_of__isnull=True, body_uses__isnull=True)

    def missing_alt_text(self):
        return self.filter(alt_text__regex=r"^\s*$")

    def stored(self):
        """Images whose file lives in the library (as opposed to remote legacy URLs)."""
        return self.exclude(file="")


class Image(models.Model):
    """A picture in the library: an uploaded file, or (for legacy articles) a remote URL.

    Library files are validated and normalised on the way in (articles.images.library) and
    carry their renditions' storage names in `renditions`, so that a page knows every URL of
    an image from its row alone.
    """

    file = models.ImageField(
        _("文件"),
        upload_to="images/%Y/%m/",
        width_field="width",
        height_field="height",
        blank=True,
    )
    title = models.CharField(_("标题"), max_length=300, blank=True)
    width = models.PositiveIntegerField(_("宽"), null=True, blank=True, editable=False)
    height = models.PositiveIntegerField(_("高"), null=True, blank=True, editable=False)
    format = models.CharField(_("格式"), max_length=10, blank=True, editable=False)
    file_size = models.PositiveBigIntegerField(_("字节数"), null=True, blank=True, editable=False)
    alt_text = models.CharField(
        _("替代文本"),
        max_length=300,
        blank=True,
        help_text=_("为看不见图片的读者描述图片内容；使用这张图片的文章发布前必须填写。"),
    )
    caption = models.CharField(_("图注"), max_length=500, blank=True)
    credit = models.CharField(_("来源署名"), max_length=200, blank=True)
    source_url = models.URLField(_("原始地址"), max_length=1000, blank=True)
    focal_point_x = _fraction(_("焦点横坐标"))
    focal_point_y = _fraction(_("焦点纵坐标"))
    sha256 = models.CharField(max_length=64, blank=True, db_index=True, editable=False)
    # {"widths": [...], "webp": {width: name}, "fallback": {width: name}, "fallback_type": mime,
    #  "social": name}: storage names, turned into URLs without touching the database.
    renditions = models.JSONField(default=dict, blank=True, editable=False)
    created_at = models.DateTimeField(_("创建时间"), auto_now_add=True)

    objects = ImageQuerySet.as_manager()

    class Meta:
        ordering = ["-created_at", "-id"]
        verbose_name = pgettext_lazy("model name", "图片")
        verbose_name_plural = pgettext_lazy("model name plural", "图片")
        constraints = [
            # A legacy URL is recorded once, however many articles point at it.
            models.UniqueConstraint(
                fields=["source_url"],
                condition=~models.Q(source_url=""),
                name="image_unique_source_url",
            ),
            # The same picture is stored once: a second upload reuses the first.
            models.UniqueConstraint(
                fields=["sha256"],
                condition=~models.Q(sha256="") & ~models.Q(file=""),
                name="image_unique_content",
            ),
        ]

    def __str__(self):
        return (
            self.title
            or self.alt_text
            or (self.file.name.rsplit("/", 1)[-1] if self.file else "")
            or self.source_url
            or f"Image {self.pk}"
        )

    @property
    def url(self):
        """Where a browser can fetch the picture: the stored file, else the remote original."""
        return self.file.url if self.file else self.source_url

    @property
    def has_alt_text(self):
        return bool(self.alt_text.strip())

    @property
    def focal_point(self):
        """(x, y) as fractions of the width and height; the centre when none was set."""
        x = 0.5 if self.focal_point_x is None else self.focal_point_x
        y = 0.5 if self.focal_point_y is None else self.focal_point_y
        return x, y

    def rendition_sources(self):
        """[(width, webp_url, fallback_url)], narrowest first; empty for remote images."""
        widths = self.renditions.get("widths") or []
        webp = self.renditions.get("webp", {})
        fallback = self.renditions.get("fallback", {})
        return [
            (
                width,
                default_storage.url(webp[str(width)]) if str(width) in webp else None,
                default_storage.url(fallback[str(width)]),
            )
            for width in widths
            if str(width) in fallback
        ]

    @property
    def thumbnail_url(self):
        """The smallest JPEG/PNG rendition's URL, or None when the image has no renditions."""
        fallback = self.renditions.get("fallback", {})
        # The admin lists 50 of these a page: one storage URL, not every rendition's.
        narrowest = next((fallback[str(w)] for w in self.renditions.get("widths") or [] if str(w) in fallback), None)
        return default_storage.url(narrowest) if narrowest else None

    @property
    def social_card_url(self):
        """The 1200×630 card cropped around the focal point, else the picture itself."""
        name = self.renditions.get("social")
        return default_storage.url(name) if name else self.url

    def save(self, *args, **kwargs):
        if self.file and not self.sha256:
            # Files that skipped the library's intake (the shell, fixtures) still get their digest.
            import hashlib

            digest = hashlib.sha256()
            for chunk in self.file.chunks():
                digest.update(chunk)
            self.sha256 = digest.hexdigest()
        super().save(*args, **kwargs)

    def rendition_names(self):
        """Every storage name this image's renditions occupy."""
        names = set(self.renditions.get("webp", {}).values())
        names |= set(self.renditions.get("fallback", {}).values())
        if self.renditions.get("social"):
            names.add(self.renditions["social"])
        return names

    def usage(self):
        """The articles that show this image (hero, thumbnail or body), each once."""
        from .article import Article

        return Article.objects.filter(
            models.Q(hero_image=self) | models.Q(thumbnail=self) | models.Q(body_images=self)
        ).distinct()

    def bodies_referring(self):
        """Articles whose stored body names this image's file or renditions.

        A full scan, for deletion only: BodyImage rows follow save(), but a body written by
        update() or bulk_update() has none, and a deleted file would break its page.
        """
        from .article import Article

        if not self.file:
            return Article.objects.none()
        query = models.Q(body__contains=self.file.name)
        if self.sha256:
            query |= models.Q(body__contains=f"renditions/{self.sha256[:2]}/{self.sha256}/")
        return Article.objects.filter(query)


@receiver(pre_delete, sender=Image)
def refuse_deleting_images_in_bodies(sender, instance, **kwargs):
    referring = list(instance.bodies_referring().exclude(body_images=instance)[:10])
    if referring:
        raise ProtectedError(
            f"Image {instance.pk} is shown in the body of {len(referring)} article(s).",
            set(referring),
        )


@receiver(post_delete, sender=Image)
def remove_deleted_image_files(sender, instance, **kwargs):
    """A deleted image takes its file and renditions along, once the deletion is committed."""
    names = instance.rendition_names() | ({instance.file.name} if instance.file else set())

    def remove():
        from django.core.files.storage import default_storage

        for name in names:
            default_storage.delete(name)

    transaction.on_commit(remove)
