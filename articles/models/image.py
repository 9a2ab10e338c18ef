import hashlib

from django.db import models
from django.utils.translation import gettext_lazy as _, pgettext_lazy


class Image(models.Model):
    """A picture in the library: an uploaded file, or (for legacy articles) a remote URL.

    Renditions and content deduplication build on `sha256` and on the stored dimensions.
    """

    file = models.ImageField(
        _("文件"),
        upload_to="images/%Y/%m/",
        width_field="width",
        height_field="height",
        blank=True,
    )
    width = models.PositiveIntegerField(_("宽"), null=True, blank=True, editable=False)
    height = models.PositiveIntegerField(_("高"), null=True, blank=True, editable=False)
    alt_text = models.CharField(_("替代文本"), max_length=300, blank=True)
    caption = models.CharField(_("图注"), max_length=500, blank=True)
    credit = models.CharField(_("来源署名"), max_length=200, blank=True)
    source_url = models.URLField(_("原始地址"), max_length=1000, blank=True)
    sha256 = models.CharField(max_length=64, blank=True, db_index=True, editable=False)
    created_at = models.DateTimeField(_("创建时间"), auto_now_add=True)

    class Meta:
        ordering = ["-created_at"]
        verbose_name = pgettext_lazy("model name", "图片")
        verbose_name_plural = pgettext_lazy("model name plural", "图片")
        constraints = [
            # A legacy URL is recorded once, however many articles point at it.
            models.UniqueConstraint(
                fields=["source_url"],
                condition=~models.Q(source_url=""),
                name="image_unique_source_url",
            ),
        ]

    def __str__(self):
        return self.alt_text or self.file.name or self.source_url or f"Image {self.pk}"

    @property
    def url(self):
        """Where a browser can fetch the picture: the stored file, else the remote original."""
        return self.file.url if self.file else self.source_url

    def save(self, *args, **kwargs):
        if self.file and not self.sha256:
            digest = hashlib.sha256()
            for chunk in self.file.chunks():
                digest.update(chunk)
            self.sha256 = digest.hexdigest()
        super().save(*args, **kwargs)
