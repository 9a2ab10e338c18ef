"""Moving articles between states. Each verb checks who may do it, moves the article in one
transaction, records the Transition and keeps a revision.

Draft → In review → Published (now or scheduled) → Unpublished / Archived; In review → Draft
(sent back with a comment, or withdrawn by its writer).
"""

from dataclasses import dataclass

import reversion
from django.conf import settings
from django.core.exceptions import PermissionDenied
from django.db import transaction
from django.utils import timezone, translation
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _

from . import signals
from .models import Article, Transition
from .permissions import may_move

S = Article.Status


class WorkflowError(Exception):
    """A move the article's current state does not allow; the message says why."""


@dataclass(frozen=True)
class Move:
    """One workflow verb: the states it starts from, the state it leads to, its button's label."""

    starts: frozenset
    leads_to: str
    label: str


VERBS = {
    "submit": Move(frozenset({S.DRAFT}), S.REVIEW, _("提交审核")),
    "withdraw": Move(frozenset({S.REVIEW}), S.DRAFT, _("撤回")),
    "send_back": Move(frozenset({S.REVIEW}), S.DRAFT, _("退回修改")),
    "publish": Move(frozenset({S.DRAFT, S.REVIEW, S.UNPUBLISHED, S.PUBLISHED}), S.PUBLISHED, _("发布")),
    "unpublish": Move(frozenset({S.PUBLISHED}), S.UNPUBLISHED, _("撤下")),
    "archive": Move(frozenset({S.DRAFT, S.REVIEW, S.PUBLISHED, S.UNPUBLISHED}), S.ARCHIVED, _("归档")),
    "reopen": Move(frozenset({S.UNPUBLISHED, S.ARCHIVED}), S.DRAFT, _("重新编辑")),
}


def state_allows(verb, article):
    """Whether `verb` applies to `article` in its current state, whoever asks."""
    if article.status not in VERBS[verb].starts:
        return False
    if verb == "publish" and article.status == S.PUBLISHED:
        # Publishing a published article again only makes sense while it waits for its time
        # (publish now, or reschedule). Publishing a live one again would move its date, and
        # with it its URL; and a second editor pressing "publish" on a stale page must find it
        # already published instead of publishing it twice.
        return article.is_scheduled
    return True


def may(user, verb, article):
    """Whether `user` may apply `verb` to `article` in its current state."""
    return state_allows(verb, article) and may_move(user, verb, article)


def allowed_verbs(user, article):
    return [verb for verb in VERBS if may(user, verb, article)]


def submit(article, *, by, comment=""):
    return _move(article, "submit", by=by, comment=comment)


def withdraw(article, *, by, comment=""):
    return _move(article, "withdraw", by=by, comment=comment)


def send_back(article, *, by, comment):
    if not (comment or "").strip():
        raise WorkflowError(gettext("退回修改时必须写明原因。"))
    return _move(article, "send_back", by=by, comment=comment)


def publish(article, *, by, at=None, comment=""):
    """Publish now, or at `at` (a future time schedules it; readers see it from then on).

    An article that was live before and is put back keeps its original time, so its dated
    address does not change.
    """
    now = timezone.now()
    was_live = article.status == S.UNPUBLISHED and article.published_at and article.published_at <= now
    when = at or (article.published_at if was_live else now)
    # The expiry is checked in _move, against the locked row: `article` may be stale.
    return _move(article, "publish", by=by, comment=comment, published_at=when)


def unpublish(article, *, by, comment=""):
    return _move(article, "unpublish", by=by, comment=comment)


def archive(article, *, by, comment=""):
    return _move(article, "archive", by=by, comment=comment)


def reopen(article, *, by, comment=""):
    return _move(article, "reopen", by=by, comment=comment)


def _require_alt_text(article):
    """Readers who cannot see a picture are told what it shows: no image goes out without it."""
    missing = article.images_missing_alt_text()
    if missing:
        names = gettext("、").join(
            gettext("%(role)s“%(image)s”") % {"role": role, "image": image} for role, image in missing
        )
        raise WorkflowError(
            gettext("以下图片缺少替代文本：%(images)s。请在图片库中补上替代文本后再发布。") % {"images": names}
        )


def _move(article, verb, *, by, comment, published_at=None):
    target, label = VERBS[verb].leads_to, VERBS[verb].label
    with transaction.atomic(), reversion.create_revision():
        # Lock the row: two editors acting at once move the article once, in order.
        current = Article.objects.select_for_update().get(pk=article.pk)
        # The state is checked first: of two editors acting at once, the second learns that
        # the article has moved on, whatever their rights.
        if not state_allows(verb, current):
            if verb == "publish" and current.status == S.PUBLISHED:
                raise WorkflowError(gettext("这篇文章已经发布。"))
            raise WorkflowError(
                gettext("“%(action)s”不适用于%(state)s状态的文章。")
                % {"action": label, "state": current.get_status_display()}
            )
        if not may(by, verb, current):
            raise PermissionDenied(gettext("你没有权限对这篇文章执行“%(action)s”。") % {"action": label})
        if verb == "publish":
            _require_alt_text(current)
        if published_at is not None and current.expires_at is not None and current.expires_at <= published_at:
            # It would never be seen: published() requires expires_at after the publish time.
            raise WorkflowError(gettext("下线时间早于发布时间，请先修改下线时间。"))
        origin = current.status
        current.status = target
        fields = ["status"]
        if published_at is not None:
            current.published_at = published_at
            fields.append("published_at")
        current.save(update_fields=fields)
        reversion.set_user(by)
        # The revision comment is stored: it is written in the site's language, whatever the
        # language of the editor who made the move.
        with translation.override(settings.LANGUAGE_CODE):
            reversion.set_comment(f"{label}{'：' + comment if comment else ''}")
        transition = Transition.objects.create(
            article=current,
            from_status=origin,
            to_status=target,
            verb=verb,
            by=by,
            comment=comment or "",
            publish_at=published_at,
        )
        # Listeners (notifications) hear of the move only once it is committed.
        transaction.on_commit(
            lambda: signals.article_moved.send(
                sender=Article, article=current, verb=verb, by=by, comment=comment or "", transition=transition
            )
        )
    for field in ("status", "published_at", "updated_at", "edit_version"):
        setattr(article, field, getattr(current, field))
    return article
