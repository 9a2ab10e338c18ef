from django.apps import AppConfig
from django.db.models.signals import m2m_changed, post_delete, post_save


class ArticlesConfig(AppConfig):
    name = "articles"
    default_auto_field = "django.db.models.BigAutoField"

    def ready(self):
        from articles import caching
        from articles.models import (
            Article,
            Author,
            BodyImage,
            Category,
            Image,
            LegacyURL,
            Tag,
            TaggedArticle,
        )

        # Everything a public page shows comes from these rows; a change to any retires the
        # cached pages (articles.caching). Tags are written by taggit through TaggedArticle.
        for model in (Article, Category, Author, Tag, Image, TaggedArticle, LegacyURL, BodyImage):
            uid = f"newsroom-page-cache-{model._meta.label_lower}"
            post_save.connect(caching.content_changed, sender=model, dispatch_uid=uid + "-save")
            post_delete.connect(caching.content_changed, sender=model, dispatch_uid=uid + "-delete")
        for through in (Article.categories.through, Article.body_images.through, TaggedArticle):
            m2m_changed.connect(
                caching.content_changed,
                sender=through,
                dispatch_uid=f"newsroom-page-cache-m2m-{through._meta.label_lower}",
            )
