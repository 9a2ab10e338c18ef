"""Telling people of the workflow moves that concern them.

A submission tells the editors (every active user who may publish: the editors' and chief
editors' groups, superusers); a sending back or a publication tells the article's writer (its
creator). Nobody is told of their own move. Each person told gets a Notification (the admin's
unread list) and, when their account has an address, an e-mail through Django's mail framework.
Listens to articles.signals.article_moved, sent once the move is committed: a failing mail
server is logged and loses the e-mail only, never the move or the notification.

A reader's new comment e-mails the moderators (whoever may change comments: editors, chief
editors, superusers), at most once per article every COMMENT_MAIL_INTERVAL seconds: the
moderation queue and the admin's front page count what came after. Listens to
articles.signals.comment_received.
"""

import logging

from django.conf import settings
from django.contrib.auth import get_user_model
from django.core import mail
from django.core.cache import cache
from django.urls import reverse
from django.utils import timezone, translation
from django.utils.translation import gettext

from .caching import CACHE_ERRORS, cache_failed
from .models import Comment, Notification

logger = logging.getLogger(__name__)

# Moves that tell someone, and whom.
TELLS_EDITORS = {"submit"}
TELLS_WRITER = {"send_back", "publish"}


def editors():
    """Active users who may publish: whom a submission concerns."""
    return get_user_model().objects.with_perm(
        "articles.publish_article", backend="django.contrib.auth.backends.ModelBackend"
    )


def recipients(verb, article, by):
    """The people `verb`, done to `article` by `by`, concerns (never `by` themselves)."""
    User = get_user_model()
    if verb in TELLS_EDITORS:
        people = editors()
    elif verb in TELLS_WRITER and article.created_by_id is not None:
        people = User.objects.filter(pk=article.created_by_id, is_active=True)
    else:
        return User.objects.none()
    return people.exclude(pk=by.pk) if by is not None else people


def article_moved(sender, article, verb, by, comment, transition, **kwargs):
    """Receiver of articles.signals.article_moved: notify and e-mail whom the move concerns."""
    people = list(recipients(verb, article, by))
    if not people:
        return
    notifications = Notification.objects.bulk_create(
        [Notification(recipient=person, article=article, actor=by, verb=verb, comment=comment) for person in people]
    )
    send_emails(notifications)


def headline(notification):
    """One sentence saying what happened: "王编辑退回了《标题》。", in the active language."""
    actor = _person(notification.actor) or gettext("有人")
    title = notification.article.title
    verb = notification.verb
    if verb == "submit":
        return gettext("%(actor)s 提交了《%(title)s》，等待审核。") % {"actor": actor, "title": title}
    if verb == "send_back":
        return gettext("%(actor)s 退回了《%(title)s》，请修改后重新提交。") % {"actor": actor, "title": title}
    if verb == "publish":
        goes_live = scheduled_for(notification)
        if goes_live:
            return gettext("%(actor)s 安排《%(title)s》于 %(when)s 发布。") % {
                "actor": actor,
                "title": title,
                "when": goes_live,
            }
        return gettext("%(actor)s 发布了《%(title)s》。") % {"actor": actor, "title": title}
    return gettext("%(actor)s 对《%(title)s》执行了“%(verb)s”。") % {"actor": actor, "title": title, "verb": verb}


def scheduled_for(notification):
    """For a publication set for later than it was announced: that time, in the site's zone."""
    published_at = notification.article.published_at
    announced = notification.created_at or timezone.now()
    if published_at is None or published_at <= announced:
        return ""
    return timezone.localtime(published_at, timezone.get_default_timezone()).strftime("%Y-%m-%d %H:%M")


def send_emails(notifications):
    """One e-mail a notification whose recipient has an address, over one connection, written in
    the site's language (the recipient's own is not known)."""
    with translation.override(settings.LANGUAGE_CODE):
        messages = [_email(notification) for notification in notifications if notification.recipient.email]
    if not messages:
        return
    try:
        mail.get_connection().send_messages(messages)
    except OSError:  # smtplib's errors, refused connections, timeouts
        logger.exception("Could not send %d workflow e-mail(s)", len(messages))


def _email(notification):
    article = notification.article
    site_url = settings.NEWSROOM["SITE_URL"].rstrip("/")
    lines = [headline(notification)]
    if notification.comment:
        lines.append(gettext("说明：%(comment)s") % {"comment": notification.comment})
    lines += ["", site_url + reverse("admin:articles_article_change", args=[article.pk])]
    return mail.EmailMessage(
        subject=_subject(notification),
        body="\n".join(lines) + "\n",
        to=[notification.recipient.email],
    )


def _subject(notification):
    title = notification.article.title
    if notification.verb == "submit":
        return gettext("待审核：《%(title)s》") % {"title": title}
    if notification.verb == "send_back":
        return gettext("已退回：《%(title)s》") % {"title": title}
    if scheduled_for(notification):
        return gettext("已排期：《%(title)s》") % {"title": title}
    return gettext("已发布：《%(title)s》") % {"title": title}


def _person(user):
    return (user.get_full_name() or user.get_username()) if user else ""


# --- Readers' comments: the moderators hear of new ones, an article at a time ------------------

COMMENT_MAIL_INTERVAL = 30 * 60
COMMENT_MAIL_KEY = "newsroom:comment-mail:{}"
# How much of the comment the e-mail quotes.
COMMENT_QUOTED = 500


def moderators():
    """Active users who may moderate comments."""
    return get_user_model().objects.with_perm(
        "articles.change_comment", backend="django.contrib.auth.backends.ModelBackend"
    )


def comment_received(sender, comment, **kwargs):
    """Receiver of articles.signals.comment_received: e-mail the moderators, unless this
    article's comments did so within COMMENT_MAIL_INTERVAL (or the cache cannot say)."""
    try:
        first_in_interval = cache.add(COMMENT_MAIL_KEY.format(comment.article_id), True, COMMENT_MAIL_INTERVAL)
    except CACHE_ERRORS as error:  # without the cache a spam run would mean a mail a comment
        cache_failed(error)
        return
    if not first_in_interval:
        return
    people = [person for person in moderators() if person.email]
    if not people:
        return
    with translation.override(settings.LANGUAGE_CODE):
        messages = [_comment_email(comment, person) for person in people]
    try:
        mail.get_connection().send_messages(messages)
    except OSError:
        logger.exception("Could not send %d comment e-mail(s)", len(messages))


def _comment_email(comment, person):
    article = comment.article
    waiting = comment.status == Comment.Status.PENDING
    queue = reverse("admin:articles_comment_changelist") + f"?article__id__exact={article.pk}"
    if waiting:
        queue += "&status__exact=pending"
    quoted = comment.body if len(comment.body) <= COMMENT_QUOTED else comment.body[:COMMENT_QUOTED] + "…"
    lines = [
        gettext("%(name)s 评论了《%(title)s》：") % {"name": comment.name, "title": article.title},
        "",
        quoted,
        "",
        gettext("审核：") if waiting else gettext("查看："),
        settings.NEWSROOM["SITE_URL"].rstrip("/") + queue,
        "",
        gettext("此后 %(minutes)d 分钟内，这篇文章的新评论不再另行通知。") % {"minutes": COMMENT_MAIL_INTERVAL // 60},
    ]
    subject = gettext("待审评论：《%(title)s》") if waiting else gettext("新评论：《%(title)s》")
    return mail.EmailMessage(
        subject=subject % {"title": article.title}, body="\n".join(lines) + "\n", to=[person.email]
    )


# --- The admin's inbox: each person reads and marks only their own ----------------------------


def inbox(user):
    """`user`'s notifications, newest first, with what their lines show."""
    return Notification.objects.filter(recipient=user).select_related("article", "actor")


def unread_count(user):
    return Notification.objects.filter(recipient=user, read_at=None).count()


def unread(user):
    return inbox(user).filter(read_at=None)


def mark_read(notifications):
    """Mark `notifications` (a queryset, already limited to one person's) read now."""
    return notifications.filter(read_at=None).update(read_at=timezone.now())
