from django.apps import AppConfig
from django.db.models.signals import m2m_changed, post_delete, post_save


class ArticlesConfig(AppConfig):
    name = "articles"
    default_auto_field = "django.db.models.BigAutoField"

    def ready(self):
        from articles import caching, fragments
        from articles.models import Article, Author, Category, Image, Tag, TaggedArticle
        from articles.querysets import article_saved

        # Parts kept rendered per article (articles.fragments): the article's own rows move its
        # version; rows that many articles show move the shared version. Connected first: a
        # change moves the content version after the parts' versions (see fragments._versions).
        post_delete.connect(fragments.article_changed, sender=Article, dispatch_uid="newsroom-parts-article-delete")
        uid = "newsroom-parts-tagged-article"
        post_save.connect(fragments.tag_link_changed, sender=TaggedArticle, dispatch_uid=uid + "-save")
        post_delete.connect(fragments.tag_link_changed, sender=TaggedArticle, dispatch_uid=uid + "-delete")
        m2m_changed.connect(
            fragments.article_links_changed,
            sender=Article.categories.through,
            dispatch_uid="newsroom-parts-article-categories",
        )
        for model in (Author, Category, Tag, Image):
            uid = f"newsroom-parts-{model._meta.label_lower}"
            post_save.connect(fragments.shown_row_changed, sender=model, dispatch_uid=uid + "-save")
            post_delete.connect(fragments.shown_row_changed, sender=model, dispatch_uid=uid + "-delete")

        # Everything a public page shows comes from these rows; a change to any retires the
        # cached pages (articles.caching). Tags are written by taggit through TaggedArticle, one
        # row at a time, so its own signals cover them. BodyImage rows and old addresses change
        # only with an article save (and redirects are never cached), which bumps already.
        for model in (Article, Category, Author, Tag, Image, TaggedArticle):
            uid = f"newsroom-page-cache-{model._meta.label_lower}"
            if model is not Article:  # article_saved() below
                post_save.connect(caching.content_changed, sender=model, dispatch_uid=uid + "-save")
            post_delete.connect(caching.content_changed, sender=model, dispatch_uid=uid + "-delete")
        m2m_changed.connect(
            caching.content_changed,
            sender=Article.categories.through,
            dispatch_uid="newsroom-page-cache-m2m-article-categories",
        )
        # A saved article's parts, pages and search document, as for rows written in bulk.
        post_save.connect(article_saved, sender=Article, dispatch_uid="newsroom-article-saved")
