from django.db import models
from django.db.models import Case, Prefetch, Value
from django.db.models.functions import Cast
from django.utils import timezone


class ArticleQuerySet(models.QuerySet):
    def published(self):
        """The only definition of what readers may see: published, its time come, not expired."""
        now = timezone.now()
        return self.filter(status=self.model.Status.PUBLISHED, published_at__lte=now).filter(
            models.Q(expires_at__isnull=True) | models.Q(expires_at__gt=now)
        )

    def scheduled(self):
        return self.filter(status=self.model.Status.PUBLISHED, published_at__gt=timezone.now())

    def awaiting_review(self):
        return self.filter(status=self.model.Status.REVIEW)

    def editable_by(self, user):
        """The articles `user` may change: all for editors, their own drafts for writers."""
        from articles.permissions import WRITER_EDITABLE, can_write

        if not can_write(user):
            return self.none()
        if user.has_perm("articles.edit_any_article"):
            return self
        return self.filter(created_by=user, status__in=WRITER_EDITABLE)

    def visible_to(self, user):
        """The articles `user` may see in the admin: all for editors, their own (any state) for writers."""
        from articles.permissions import can_write

        if not can_write(user):
            return self.none()
        if user.has_perm("articles.edit_any_article"):
            return self
        return self.filter(created_by=user)

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

    # bulk_create(), bulk_update() and update() skip save(); they must not skip the sanitizer.
    def bulk_create(self, objs, *args, **kwargs):
        objs = list(objs)
        for obj in objs:
            obj.prepare_for_save()
        return super().bulk_create(objs, *args, **kwargs)

    def update(self, **kwargs):
        if "body" in kwargs:
            kwargs["body"] = _sanitized_body(kwargs["body"])
        return super().update(**kwargs)


def _sanitized_body(value):
    """`value` with its HTML cleaned: plain text, or the CASE of literals that bulk_update() builds."""
    from articles.sanitize import clean_html

    if isinstance(value, str):
        return clean_html(value)
    if isinstance(value, Cast) and isinstance(value.get_source_expressions()[0], Case):
        # PostgreSQL's bulk_update() wraps its CASE in a cast to the column type.
        value.set_source_expressions([_sanitized_body(value.get_source_expressions()[0])])
        return value
    if isinstance(value, Case) and all(isinstance(when.result, Value) for when in value.cases):
        for when in value.cases:
            when.result = Value(clean_html(when.result.value), output_field=when.result.output_field)
        return value
    # Any other expression (F(), Concat(), a subquery) could assemble markup the policy never saw.
    raise TypeError("Article bodies can only be updated with text, so that they can be sanitized.")
