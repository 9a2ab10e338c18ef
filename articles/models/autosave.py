from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy


class Autosave(models.Model):
    """What a person had typed into an article's form, kept while they type.

    Not a revision and never shown to readers: one per person and article (and one per person
    for a new article not yet saved), replaced by each autosave, offered back when the form is
    opened again, and discarded on demand or when the form is saved.
    """

    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name=_("用户"), on_delete=models.CASCADE, related_name="autosaves"
    )
    # Null: the person's new article, not yet saved for the first time.
    article = models.ForeignKey(
        "articles.Article",
        verbose_name=pgettext_lazy("model name", "文章"),
        null=True,
        blank=True,
        on_delete=models.CASCADE,
        related_name="autosaves",
    )
    # The form's fields as typed (title, summary, body …), the body already through the policy.
    data = models.JSONField(_("内容"), default=dict)
    # The article's edit_version the form was opened at: restoring onto a newer one is a conflict.
    base_edit_version = models.PositiveIntegerField(_("基于的编辑版本"), default=0)
    saved_at = models.DateTimeField(_("自动保存时间"))

    class Meta:
        verbose_name = pgettext_lazy("model name", "自动保存")
        verbose_name_plural = pgettext_lazy("model name plural", "自动保存")
        constraints = [
            models.UniqueConstraint(fields=["user", "article"], name="autosave_one_per_user_and_article"),
            models.UniqueConstraint(
                fields=["user"], condition=models.Q(article__isnull=True), name="autosave_one_new_article_per_user"
            ),
        ]

    def __str__(self):
        return f"{self.user_id}: {self.article_id or 'new'} @ {self.saved_at:%Y-%m-%d %H:%M}"
