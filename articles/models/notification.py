from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy


class Notification(models.Model):
    """Something in the workflow that one person should know: a submission for the editors,
    a sending back or a publication for the writer. Unread until they open it."""

    recipient = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("收件人"),
        on_delete=models.CASCADE,
        related_name="newsroom_notifications",
    )
    article = models.ForeignKey(
        "articles.Article",
        verbose_name=pgettext_lazy("model name", "文章"),
        on_delete=models.CASCADE,
        related_name="notifications",
    )
    actor = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("操作人"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    # The workflow verb that caused it (articles.workflow.VERBS).
    verb = models.CharField(_("操作"), max_length=20)
    comment = models.TextField(_("说明"), blank=True)
    created_at = models.DateTimeField(_("时间"), auto_now_add=True)
    read_at = models.DateTimeField(_("已读时间"), null=True, blank=True)

    class Meta:
        ordering = ["-created_at", "-id"]
        verbose_name = pgettext_lazy("model name", "通知")
        verbose_name_plural = pgettext_lazy("model name plural", "通知")
        indexes = [
            models.Index(fields=["recipient", "read_at", "-created_at"], name="notification_inbox_idx"),
        ]

    def __str__(self):
        return f"{self.recipient_id}: {self.verb} {self.article_id}"
