"""What needs each person now: the sections of the admin's front page, by role, and the notes an
article's change page shows about its latest move.

Every section costs the same queries whatever the archive holds (a count and its first SHOWN
rows, read by index), and the moves the shown rows quote are read together in one more query.
"""

import datetime as dt
from dataclasses import dataclass, field
from urllib.parse import urlencode

from django.urls import reverse
from django.utils import timezone
from django.utils.text import Truncator
from django.utils.translation import gettext_lazy as _

from .models import Article, Comment, Image, Transition
from .permissions import can_write, is_editor

# Rows a section lists; its link leads to all of them.
SHOWN = 5
# "Recently published" counts the articles published in these last days.
RECENT_DAYS = 7

S = Article.Status
# The badges rows may carry, by the state they mark.
BADGES = {"sent_back": _("已退回"), "review": _("等待审核")}


@dataclass
class Row:
    """One line of a section: what it names, where it leads, and the time that matters there."""

    label: str
    url: str
    when: dt.datetime | None = None
    # A state badge ("sent_back", "review"), when the section's title does not say it already.
    state: str = ""
    badge: str = ""
    # Who wrote it (for editors reviewing other people's articles).
    writer: str = ""
    # The move quoted on this line (the editor's comment, the writer's submit note).
    move: Transition | None = None
    move_id: int | None = field(default=None, repr=False)


@dataclass
class Section:
    key: str
    title: str
    count: int
    rows: list
    list_url: str
    # What an empty section says.
    empty: str
    # Why these rows are here, in a few words.
    hint: str = ""
    # What the rows' times are.
    when_label: str = ""


def sections(user):
    """The front page's sections for `user`, in the order their role reads them (none for a
    person who works on no articles)."""
    if not can_write(user):
        return []
    editor = is_editor(user)
    visible = Article.objects.visible_to(user)
    own = {
        "sent_back": _sent_back_section(user),
        "drafts": _drafts_section(user),
        "review": _review_section(visible, editor),
    }
    shared = {
        "scheduled": _scheduled_section(visible),
        "published": _published_section(visible),
    }
    if editor:
        found = {"review": own.pop("review"), **shared, "images": _images_section(), **_comments_section(user), **own}
    else:
        found = {**own, **shared}
    _quote_moves(found.values())
    return list(found.values())


def _article_rows(articles, *, when, writer=False, badges=()):
    """Rows for `articles`, each timed by its field `when`, badged when its state is in `badges`."""
    rows = []
    for article in articles:
        state = article.display_state
        rows.append(
            Row(
                label=article.title,
                url=reverse("admin:articles_article_change", args=[article.pk]),
                when=getattr(article, when),
                state=state if state in badges else "",
                badge=BADGES[state] if state in badges else "",
                writer=_person(article.created_by) if writer else "",
                move_id=article.latest_move_id,
            )
        )
    return rows


def _listed(queryset, order, *, writer=False):
    """The first SHOWN articles of `queryset` in `order`, with what their rows show."""
    queryset = (
        queryset.with_latest_move()
        .order_by(*order)
        .only("pk", "title", "status", "published_at", "updated_at", "expires_at", "created_by")
    )
    if writer:
        queryset = queryset.select_related("created_by")
    return queryset[:SHOWN]


def _changelist_url(**query):
    url = reverse("admin:articles_article_changelist")
    return f"{url}?{urlencode(query)}" if query else url


def _sent_back_section(user):
    sent_back = Article.objects.drafts_of(user).sent_back()
    return Section(
        key="sent_back",
        title=_("退回给我的"),
        count=sent_back.count(),
        rows=_article_rows(_listed(sent_back, ["-updated_at", "-id"]), when="updated_at"),
        list_url=_changelist_url(mine="drafts", state="sent_back"),
        empty=_("没有退回的稿件。"),
        hint=_("编辑的意见在下面；改好后再提交审核。"),
        when_label=_("退回于"),
    )


def _drafts_section(user):
    drafts = Article.objects.drafts_of(user)
    return Section(
        key="drafts",
        title=_("我的草稿"),
        count=drafts.count(),
        rows=_article_rows(_listed(drafts, ["-updated_at", "-id"]), when="updated_at", badges={"sent_back"}),
        list_url=_changelist_url(mine="drafts"),
        empty=_("没有草稿。"),
        when_label=_("更新于"),
    )


def _review_section(visible, editor):
    in_review = visible.awaiting_review()
    if editor:
        title, hint, empty = _("等待我审核"), _("最早提交的在前。"), _("没有等待审核的稿件。")
    else:
        title, hint, empty = _("我提交的稿件"), _("编辑审核后会通知你。"), _("没有等待审核的稿件。")
    return Section(
        key="review",
        title=title,
        count=in_review.count(),
        # Oldest first: the writer who has waited longest is answered first.
        rows=_article_rows(
            _listed(in_review, ["updated_at", "id"], writer=editor),
            when="updated_at",
            writer=editor,
            badges=() if editor else {"review"},
        ),
        list_url=_changelist_url(state="review"),
        empty=empty,
        hint=hint,
        when_label=_("提交于"),
    )


def _scheduled_section(visible):
    scheduled = visible.scheduled()
    return Section(
        key="scheduled",
        title=_("已排期"),
        count=scheduled.count(),
        rows=_article_rows(_listed(scheduled, ["published_at", "id"]), when="published_at"),
        list_url=_changelist_url(state="scheduled"),
        empty=_("没有排期发布的稿件。"),
        hint=_("按发布时间先后。"),
        when_label=_("将于"),
    )


def _published_section(visible):
    # The bounds of the list filter's "past 7 days" choice, so that the link selects it.
    today = timezone.localtime().replace(hour=0, minute=0, second=0, microsecond=0)
    since, until = today - dt.timedelta(days=RECENT_DAYS), today + dt.timedelta(days=1)
    published = visible.published()
    return Section(
        key="published",
        title=_("最近发布"),
        count=published.filter(published_at__gte=since).count(),
        rows=_article_rows(_listed(published, ["-published_at", "-id"]), when="published_at"),
        list_url=_changelist_url(state="published", published_at__gte=str(since), published_at__lt=str(until)),
        empty=_("最近没有发布的稿件。"),
        hint=_("数目为 %(days)d 天内发布的篇数。") % {"days": RECENT_DAYS},
        when_label=_("发布于"),
    )


def _images_section():
    missing = Image.objects.missing_alt_text()
    shown = missing.only("pk", "title", "alt_text", "source_url", "file").order_by("-created_at", "-pk")[:SHOWN]
    return Section(
        key="images",
        title=_("缺少替代文本的图片"),
        count=missing.count(),
        rows=[Row(label=str(image), url=reverse("admin:articles_image_change", args=[image.pk])) for image in shown],
        list_url=reverse("admin:articles_image_changelist") + "?" + urlencode({"alt": "missing"}),
        empty=_("图片库里的图片都有替代文本。"),
        hint=_("没有替代文本的图片不能随文章发布。"),
    )


def _comments_section(user):
    """Readers' comments waiting for moderation, newest first, for those who moderate."""
    if not user.has_perm("articles.change_comment"):
        return {}
    pending = Comment.objects.pending()
    shown = pending.select_related("article").only("pk", "name", "body", "created_at", "article__title")
    rows = [
        Row(
            label=Truncator(" ".join(comment.body.split())).chars(60),
            url=reverse("admin:articles_comment_change", args=[comment.pk]),
            when=comment.created_at,
            writer=f"{comment.name} ·《{comment.article.title}》",
        )
        for comment in shown.order_by("-created_at", "-id")[:SHOWN]
    ]
    return {
        "comments": Section(
            key="comments",
            title=_("待审评论"),
            count=pending.count(),
            rows=rows,
            list_url=reverse("admin:articles_comment_changelist") + "?" + urlencode({"status__exact": "pending"}),
            empty=_("没有等待审核的评论。"),
            hint=_("读者的评论审核通过后才显示在文章页。"),
            when_label=_("提交于"),
        )
    }


def _quote_moves(found):
    """Give the rows of sent-back and in-review articles the move that put them there (the
    editor's comment, the writer's note), all read in one query."""
    quoting = [row for section in found if section.key in {"sent_back", "review"} for row in section.rows]
    wanted = {row.move_id for row in quoting if row.move_id}
    moves = Transition.objects.filter(pk__in=wanted).select_related("by").in_bulk() if wanted else {}
    for move in moves.values():
        move.by_name = _person(move.by)
    for row in quoting:
        row.move = moves.get(row.move_id)
        if row.move is not None:
            row.when = row.move.at


def _person(user):
    return (user.get_full_name() or user.get_username()) if user else ""


def change_page_notes(user, article):
    """What the change page of `article` shows `user` about its latest move, in one query:
    `sent_back_move`, the sending back a draft is waiting on (its comment at the top of the page),
    and for an editor `submit_move`, the writer's submission with its note (by the publish
    controls)."""
    latest = article.transitions.select_related("by").first()
    verb = latest.verb if latest else None
    if latest is not None:
        latest.by_name = _person(latest.by)
    return {
        "sent_back_move": latest if verb == "send_back" and article.status == S.DRAFT else None,
        "submit_move": (latest if verb == "submit" and article.status == S.REVIEW and is_editor(user) else None),
    }
