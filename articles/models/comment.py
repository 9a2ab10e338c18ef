from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _, pgettext_lazy


class Comment(models.Model):
    """A reader's comment on an article, in plain text, shown once approved (by default).

    One level of replies: a reply's parent is a comment without a parent. A reply written by
    someone of the newsroom carries `staff_author` and is shown as the newsroom's.
    """

    class Status(models.TextChoices):
        PENDING = "pending", _("待审")
        APPROVED = "approved", _("已通过")
        SPAM = "spam", _("垃圾评论")
        REMOVED = "removed", _("已删除")

    article = models.ForeignKey(
        "articles.Article",
        verbose_name=pgettext_lazy("model name", "文章"),
        on_delete=models.CASCADE,
        related_name="comments",
    )
    parent = models.ForeignKey(
        "self", verbose_name=_("回复的评论"), null=True, blank=True, on_delete=models.CASCADE, related_name="replies"
    )
    name = models.CharField(_("称呼"), max_length=80)
    # Never shown to readers: for the newsroom to reach the commenter.
    email = models.EmailField(_("电子邮件"), blank=True)
    body = models.TextField(_("评论"))
    status = models.CharField(_("状态"), max_length=20, choices=Status.choices, default=Status.PENDING)
    staff_author = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("编辑部作者"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    ip_address = models.GenericIPAddressField(_("IP 地址"), null=True, blank=True)
    created_at = models.DateTimeField(_("时间"), auto_now_add=True)
    moderated_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("审核人"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    moderated_at = models.DateTimeField(_("审核时间"), null=True, blank=True)

    class Meta:
        ordering = ["created_at", "id"]
        verbose_name = pgettext_lazy("model name", "评论")
        verbose_name_plural = pgettext_lazy("model name plural", "评论")
        indexes = [
            # An article page reads its approved comments oldest first.
            models.Index(fields=["article", "status", "created_at"], name="comment_article_status_idx"),
            # The moderation queue: pending first, newest first.
            models.Index(fields=["status", "-created_at"], name="comment_queue_idx"),
        ]

    def __str__(self):
        return f"{self.name}: {self.body[:30]}"
