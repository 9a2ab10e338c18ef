from django.db import models
from django.db.models import Prefetch
from django.utils import timezone


class ArticleQuerySet(models.QuerySet):
    def published(self):
        """The only definition of what readers may see: published, and its time has come."""
        return self.filter(status=self.model.Status.PUBLISHED, published_at__lte=timezone.now())

    def for_listing(self):
        """What a list page needs, in a fixed number of queries, without the bodies."""
        from articles.models import Category

        return (
            self.select_related("author", "thumbnail", "hero_image")
            .prefetch_related(
                Prefetch("categories", queryset=Category.objects.only("name", "path")),
                "tags",
            )
            .defer("body", "front_matter")
        )

    def for_page(self):
        """What the article page needs besides the breadcrumb."""
        return self.select_related("author", "hero_image").prefetch_related("categories", "tags")

    def in_category(self, category):
        """Articles filed in `category` or anywhere below it, each once."""
        from articles.models import Article

        linked = Article.categories.through.objects.filter(
            models.Q(category__path=category.path)
            | models.Q(category__path__startswith=category.path + "/")
        ).values("article_id")
        return self.filter(pk__in=linked)

    def tagged(self, tag):
        return self.filter(tags=tag)

    # bulk_create() and update() skip save(); they must not skip the sanitizer.
    def bulk_create(self, objs, *args, **kwargs):
        objs = list(objs)
        for obj in objs:
            obj.prepare_for_save()
        return super().bulk_create(objs, *args, **kwargs)

    def bulk_update(self, objs, fields, *args, **kwargs):
        objs = list(objs)
        if "body" in fields:
            for obj in objs:
                obj.prepare_for_save()
        return super().bulk_update(objs, fields, *args, **kwargs)

    def update(self, **kwargs):
        from articles.sanitize import clean_html

        if isinstance(kwargs.get("body"), str):
            kwargs["body"] = clean_html(kwargs["body"])
        elif "body" in kwargs:
            raise TypeError("Article bodies can only be updated with text, so they can be sanitized.")
        return super().update(**kwargs)
