from django.db import models
from django.urls import reverse
from django.utils.translation import pgettext_lazy
from taggit.models import TagBase, TaggedItemBase

from articles.slugs import readable_slug


class Tag(TagBase):
    """A free-form tag; its slug is pinyin so that tag URLs stay readable ASCII."""

    class Meta:
        verbose_name = pgettext_lazy("model name", "标签")
        verbose_name_plural = pgettext_lazy("model name plural", "标签")

    def slugify(self, tag, i=None):
        slug = readable_slug(tag, max_length=90, fallback="tag")
        return f"{slug}-{i}" if i is not None else slug

    def get_absolute_url(self):
        return reverse("articles:tag", kwargs={"slug": self.slug})


class TaggedArticle(TaggedItemBase):
    """The tag-through table with a real foreign key, so joins use integer indexes."""

    content_object = models.ForeignKey("articles.Article", on_delete=models.CASCADE)
    tag = models.ForeignKey(Tag, on_delete=models.CASCADE, related_name="tagged_articles")

    class Meta:
        constraints = [models.UniqueConstraint(fields=["content_object", "tag"], name="tagged_article_once")]
        # A tag page (and search by tag) reads a tag's articles from the index alone.
        indexes = [models.Index(fields=["tag", "content_object"], name="tagged_article_by_tag_idx")]
        verbose_name = pgettext_lazy("model name", "文章标签")
        verbose_name_plural = pgettext_lazy("model name plural", "文章标签")
