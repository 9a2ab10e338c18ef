from django.conf import settings
from django.db import models
from django.urls import reverse
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy

from articles.slugs import readable_slug, unique_slug


class Author(models.Model):
    """A byline. Legacy authors (such as `36kr`) have no user account."""

    name = models.CharField(_("名称"), max_length=100, unique=True)
    slug = models.SlugField(_("URL 名称"), max_length=100, unique=True, blank=True)
    bio = models.TextField(_("简介"), blank=True)
    user = models.OneToOneField(
        settings.AUTH_USER_MODEL,
        verbose_name=_("用户账号"),
        null=True,
        blank=True,
        # Removing a staff account must not take its byline (and so its articles) with it.
        on_delete=models.SET_NULL,
        related_name="author_profile",
    )

    class Meta:
        ordering = ["name"]
        verbose_name = pgettext_lazy("model name", "作者")
        verbose_name_plural = pgettext_lazy("model name plural", "作者")

    def __str__(self):
        return self.name

    def save(self, *args, **kwargs):
        if not self.slug:
            self.slug = unique_slug(
                readable_slug(self.name, max_length=90, fallback="author"),
                lambda s: Author.objects.filter(slug=s).exclude(pk=self.pk).exists(),
                max_length=100,
            )
        super().save(*args, **kwargs)

    def get_absolute_url(self):
        return reverse("articles:author", kwargs={"slug": self.slug})
