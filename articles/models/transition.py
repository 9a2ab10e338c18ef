from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy


class Transition(models.Model):
    """One move of an article between workflow states: who, when, from, to, and why."""

    article = models.ForeignKey(
        "articles.Article", verbose_name=_("文章"), on_delete=models.CASCADE, related_name="transitions"
    )
    from_status = models.CharField(_("原状态"), max_length=20)
    to_status = models.CharField(_("新状态"), max_length=20)
    # The workflow verb (articles.workflow.VERBS): "send_back" and "withdraw" both lead from
    # review to draft, and only a sending back is shown to the writer as 已退回.
    verb = models.CharField(_("操作"), max_length=20, blank=True)
    by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("操作人"),
        null=True,
        on_delete=models.SET_NULL,
        related_name="article_transitions",
    )
    at = models.DateTimeField(_("时间"), auto_now_add=True, db_index=True)
    comment = models.TextField(_("说明"), blank=True)
    # For a publication: the time it was set to go live (now, or a scheduled moment).
    publish_at = models.DateTimeField(_("计划发布时间"), null=True, blank=True)

    class Meta:
        ordering = ["-at", "-id"]
        verbose_name = pgettext_lazy("model name", "状态变更")
        verbose_name_plural = pgettext_lazy("model name plural", "状态变更")

    def __str__(self):
        return f"{self.article_id}: {self.from_status} → {self.to_status}"
