from django.db import models
from django.utils.translation import pgettext_lazy


class BodyImage(models.Model):
    """A library image shown in an article's body, recorded when the body is saved.

    Hero images and thumbnails are foreign keys on the article; this row is the same fact for
    the body, so that "where is this image used" and "may it be deleted" are one query each.
    """

    article = models.ForeignKey("articles.Article", on_delete=models.CASCADE, related_name="+")
    # An image in a body cannot be deleted: the page would show a broken picture.
    image = models.ForeignKey("articles.Image", on_delete=models.PROTECT, related_name="body_uses")

    class Meta:
        constraints = [models.UniqueConstraint(fields=["article", "image"], name="body_image_once")]
        verbose_name = pgettext_lazy("model name", "正文图片")
        verbose_name_plural = pgettext_lazy("model name plural", "正文图片")

    def __str__(self):
        return str(self.article)
