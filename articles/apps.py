from django.apps import AppConfig
from django.db.models.signals import m2m_changed, post_delete, post_migrate, post_save
from django.utils.translation import gettext_lazy as _


class ArticlesConfig(AppConfig):
    name = "articles"
    verbose_name = _("内容")
    default_auto_field = "django.db.models.BigAutoField"

    def ready(self):
        from reversion.signals import pre_revision_commit

        from articles import caching, fragments, revisions
        from articles.models import Article, Author, Category, Image, Tag, TaggedArticle
        from articles.querysets import article_saved
        from articles.roles import restore_missing_roles

        # After auth's own receiver has made the permissions the roles are given.
        post_migrate.connect(restore_missing_roles, sender=self, dispatch_uid="newsroom-roles")

        def on_save_and_delete(receiver, models, name, saves=True):
            for model in models:
                uid = f"newsroom-{name}-{model._meta.label_lower}"
                if saves:
                    post_save.connect(receiver, sender=model, dispatch_uid=uid + "-save")
                post_delete.connect(receiver, sender=model, dispatch_uid=uid + "-delete")

        # Parts kept rendered per article (articles.fragments): the article's own rows move its
        # version; rows that many articles show move the shared version. Connected first: a
        # change moves the content version after the parts' versions (see fragments._versions).
        on_save_and_delete(fragments.article_changed, [Article], "parts", saves=False)  # saves: article_saved()
        on_save_and_delete(fragments.tag_link_changed, [TaggedArticle], "parts")
        on_save_and_delete(fragments.shown_row_changed, [Author, Category, Tag, Image], "parts")
        m2m_changed.connect(
            fragments.article_links_changed,
            sender=Article.categories.through,
            dispatch_uid="newsroom-parts-article-categories",
        )

        # Everything a public page shows comes from these rows; a change to any retires the
        # cached pages (articles.caching). Tags are written by taggit through TaggedArticle, one
        # row at a time, so its own signals cover them. BodyImage rows and old addresses change
        # only with an article save (and redirects are never cached), which bumps already.
        on_save_and_delete(caching.content_changed, [Article], "page-cache", saves=False)
        on_save_and_delete(caching.content_changed, [Category, Author, Tag, Image, TaggedArticle], "page-cache")
        m2m_changed.connect(
            caching.content_changed,
            sender=Article.categories.through,
            dispatch_uid="newsroom-page-cache-m2m-article-categories",
        )
        # A comment readers see (or saw) retires the pages, as an article's change does.
        from articles import comments
        from articles.models import Comment

        on_save_and_delete(comments.comment_written, [Comment], "page-cache")
        # A saved article's parts, pages and search document, as for rows written in bulk.
        post_save.connect(article_saved, sender=Article, dispatch_uid="newsroom-article-saved")
        # Revisions hold the tag names too (Django's serializer leaves taggit's through model out).
        pre_revision_commit.connect(revisions.record_tag_names, dispatch_uid="newsroom-revision-tag-names")

        # Workflow moves tell whom they concern (articles.notifications); accounts follow their
        # roles (articles.accounts).
        from django.contrib.auth import get_user_model

        from articles import accounts, notifications, signals

        signals.article_moved.connect(notifications.article_moved, dispatch_uid="newsroom-notifications")
        signals.comment_received.connect(notifications.comment_received, dispatch_uid="newsroom-comment-mail")
        m2m_changed.connect(
            accounts.groups_changed,
            sender=get_user_model().groups.through,
            dispatch_uid="newsroom-accounts-roles",
        )
