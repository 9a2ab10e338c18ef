"""The moderation queue: readers' comments, those waiting first. Every change of state is a verb
of articles.comments (the list's bulk actions, the change page's 审核 choice); an editor answers
a comment from its change page, and the answer is the newsroom's. Who may moderate: whoever may
change comments (permissions.may_change; the editors' and chief editors' roles, migration 0013).
"""

import ipaddress

from django import forms
from django.contrib import admin, messages
from django.core.exceptions import PermissionDenied
from django.db.models import Case, Value, When
from django.urls import reverse
from django.utils.html import format_html, format_html_join
from django.utils.text import Truncator
from django.utils.translation import gettext, ngettext
from django.utils.translation import gettext_lazy as _

from . import comments
from .models import Comment
from .permissions import may_change

S = Comment.Status
# The article list's state colours, for the comment states they resemble.
BADGE_STYLE = {S.PENDING: "review", S.APPROVED: "published", S.SPAM: "unpublished", S.REMOVED: "archived"}
PENDING_FIRST = Case(When(status=S.PENDING, then=Value(0)), default=Value(1)).asc()


class CommentModerationForm(forms.ModelForm):
    """The change page's form: nothing of the reader's is edited; a verb, and an answer."""

    moderate = forms.ChoiceField(label=_("审核"), required=False)
    reply = forms.CharField(
        label=_("编辑部回复"),
        required=False,
        strip=False,
        widget=forms.Textarea(attrs={"rows": 4, "maxlength": comments.BODY_MAX_LENGTH, "class": "vLargeTextField"}),
        help_text=_("以编辑部的名义公开回复这条评论，保存后立即显示在文章页；尚待审核的评论随之通过。"),
    )

    class Meta:
        model = Comment
        fields = ()

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        allowed = comments.moves_allowed(self.instance) if self.instance.pk else []
        self.fields["moderate"].choices = [("", "—")] + [(verb, comments.MOVES[verb][2]) for verb in allowed]

    def clean_reply(self):
        text = self.cleaned_data["reply"]
        return comments.checked_body(text) if text.strip() else ""

    def clean(self):
        data = super().clean()
        verb = data.get("moderate")
        state = comments.MOVES[verb][1] if verb else self.instance.status
        if data.get("reply") and state in {S.SPAM, S.REMOVED}:
            self.add_error("reply", gettext("不能回复垃圾评论或已删除的评论。"))
        return data


@admin.register(Comment)
class CommentAdmin(admin.ModelAdmin):
    form = CommentModerationForm
    list_display = ("excerpt", "author", "state_badge", "article_link", "created_at")
    list_filter = ("status", ("article", admin.RelatedOnlyFieldListFilter), "created_at")
    # An address is searched too (get_search_results): a spam run comes from one.
    search_fields = ("name", "email", "body", "article__title")
    list_select_related = ("article", "staff_author")
    ordering = (PENDING_FIRST, "-created_at", "-id")
    actions = ("approve_selected", "mark_spam_selected", "remove_selected", "restore_selected")
    readonly_fields = (
        "article_link", "state_badge", "name", "email", "body_text", "created_at", "ip_address",
        "moderated_by", "moderated_at", "thread",
    )  # fmt: skip
    fieldsets = (
        (None, {"fields": ("article_link", "state_badge", "name", "email", "body_text", "created_at", "ip_address")}),
        (_("审核"), {"fields": ("moderate", "moderated_by", "moderated_at")}),
        (_("回复"), {"fields": ("thread", "reply")}),
    )

    class Media:
        css = {"all": ["articles/admin/comments.css"]}

    # --- Who moderates ------------------------------------------------------------------------

    def has_add_permission(self, request):
        return False  # readers write comments, editors answer them

    def has_change_permission(self, request, obj=None):
        if obj is None:
            return super().has_change_permission(request)
        return may_change(request.user, obj)

    def get_search_results(self, request, queryset, search_term):
        found, may_have_duplicates = super().get_search_results(request, queryset, search_term)
        try:
            address = str(ipaddress.ip_address(search_term.strip()))
        except ValueError:  # not an address (PostgreSQL's inet column would refuse the comparison)
            return found, may_have_duplicates
        return found | queryset.filter(ip_address=address), may_have_duplicates

    # --- What the list and the page show --------------------------------------------------------

    @admin.display(description=_("评论"))
    def excerpt(self, comment):
        return Truncator(" ".join(comment.body.split())).chars(60)

    @admin.display(description=_("状态"), ordering="status")
    def state_badge(self, comment):
        return format_html(
            '<span class="article-state article-state--{}">{}</span>',
            BADGE_STYLE[comment.status],
            comment.get_status_display(),
        )

    @admin.display(description=_("文章"), ordering="article__title")
    def article_link(self, comment):
        return format_html(
            '<a href="{}">{}</a>',
            reverse("admin:articles_article_change", args=[comment.article_id]),
            comment.article.title,
        )

    @admin.display(description=_("称呼"), ordering="name")
    def author(self, comment):
        if comment.is_newsroom_reply:
            return format_html(
                "{} <em>{}</em>", comment.name, gettext("编辑部回复（%(editor)s）") % {"editor": comment.staff_author}
            )
        return comment.name

    @admin.display(description=_("评论"))
    def body_text(self, comment):
        return comments.comment_html(comment.body)

    @admin.display(description=_("讨论"))
    def thread(self, comment):
        """The comment's thread, the comment itself marked: what a reply would join."""
        first = comment.parent or comment
        rows = [first, *first.replies.order_by("created_at", "id")]
        return format_html(
            '<ol class="comment-thread">{}</ol>',
            format_html_join(
                "",
                "<li{}><strong>{}</strong>{} · {}：{}</li>",
                (
                    (
                        format_html(' class="{}"', "comment-thread__this") if row.pk == comment.pk else "",
                        row.name,
                        format_html(" <em>{}</em>", gettext("编辑部回复")) if row.is_newsroom_reply else "",
                        row.get_status_display(),
                        Truncator(" ".join(row.body.split())).chars(120),
                    )
                    for row in rows
                ),
            ),
        )

    def view_on_site(self, comment):
        if comment.status != S.APPROVED or not comment.article.is_published:
            return None
        return f"{comment.article.get_absolute_url()}#comment-{comment.pk}"

    # --- Saving: verbs only -----------------------------------------------------------------------

    def save_model(self, request, obj, form, change):
        # Nothing of the row is edited here: the verbs write what changes (and who did it).
        verb = form.cleaned_data.get("moderate")
        if verb:
            getattr(comments, verb)(obj, by=request.user)
        if form.cleaned_data.get("reply"):
            comments.reply(obj, body=form.cleaned_data["reply"], by=request.user)

    # --- Bulk actions: one verb per comment ---------------------------------------------------

    def _moderate_each(self, request, queryset, verb):
        label = comments.MOVES[verb][2]
        done = left = 0
        for comment in queryset.select_related(None).order_by():
            try:
                getattr(comments, verb)(comment, by=request.user)
            except (comments.ModerationError, PermissionDenied):
                left += 1
            else:
                done += 1
        if done:
            messages.success(
                request,
                ngettext("%(action)s：%(count)d 条完成。", "%(action)s：%(count)d 条完成。", done)
                % {"action": label, "count": done},
            )
        if left:
            messages.warning(
                request,
                ngettext(
                    "%(count)d 条评论的状态不能%(action)s，未改动。",
                    "%(count)d 条评论的状态不能%(action)s，未改动。",
                    left,
                )
                % {"count": left, "action": label},
            )

    @admin.action(description=_("通过所选评论"), permissions=["change"])
    def approve_selected(self, request, queryset):
        self._moderate_each(request, queryset, "approve")

    @admin.action(description=_("将所选评论标为垃圾评论"), permissions=["change"])
    def mark_spam_selected(self, request, queryset):
        self._moderate_each(request, queryset, "mark_spam")

    @admin.action(description=_("删除所选评论（不再显示）"), permissions=["change"])
    def remove_selected(self, request, queryset):
        self._moderate_each(request, queryset, "remove")

    @admin.action(description=_("将所选评论恢复为待审"), permissions=["change"])
    def restore_selected(self, request, queryset):
        self._moderate_each(request, queryset, "restore")
