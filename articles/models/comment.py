from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy


class CommentQuerySet(models.QuerySet):
    def shown_under(self, article_id):
        """What readers see under the article: its approved comments whose thread is shown
        (an approved reply under a comment no longer approved goes with it), oldest first."""
        approved = self.model.Status.APPROVED
        return (
            self.filter(article_id=article_id, status=approved)
            .filter(Q(parent__isnull=True) | Q(parent__status=approved))
            .order_by("created_at", "id")
        )

    def pending(self):
        return self.filter(status=self.model.Status.PENDING)

    def same_text_since(self, since, *, body, article_id, ip_address=None):
        """Comments with exactly `body` written from `since` on, under the article or (when
        known) from the same address: a second copy is a double post or a spam run."""
        where = Q(article_id=article_id)
        if ip_address:
            where |= Q(ip_address=ip_address)
        return self.filter(where, created_at__gte=since, body=body)


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

    objects = CommentQuerySet.as_manager()

    # The status the database holds, as this instance last read or wrote it (None: not stored
    # yet). Readers' pages change only when a comment is or was approved (articles.comments).
    stored_status = None

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

    @classmethod
    def from_db(cls, db, field_names, values):
        comment = super().from_db(db, field_names, values)
        # Read without its status (only()/defer()): it may have been shown.
        comment.stored_status = comment.__dict__.get("status", cls.Status.APPROVED)
        return comment

    def save(self, *args, **kwargs):
        super().save(*args, **kwargs)  # post_save's receivers still see the previous status
        self.stored_status = self.status

    @property
    def concerns_readers(self):
        """Whether writing or deleting this comment changes what readers see: it is approved,
        or was when last stored."""
        approved = self.Status.APPROVED
        return self.status == approved or self.stored_status == approved

    @property
    def is_newsroom_reply(self):
        return self.staff_author_id is not None
