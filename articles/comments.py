"""Readers' comments: what a reader may post (CommentForm and its spam checks), the verbs that
moderate them, and how their plain text is shown.

- A reader's comment waits for an editor (`pending`) unless the site shows comments at once
  (settings.NEWSROOM["COMMENTS_APPROVE_IMMEDIATELY"]). Readers see approved comments only,
  oldest first, with one level of replies; an editor's reply is the newsroom's and is approved.
- Spam is kept out without third parties: a field people leave empty (hidden from them), a
  signed time stamp in the form (posted too soon after the page was made, or a form days old, is
  refused), at most RATE_LIMIT comments per address every RATE_WINDOW seconds (in the cache),
  and no second copy of a text within DUPLICATE_WINDOW.
- The form carries no CSRF token, so that the page cache can give every reader the same page;
  the endpoint (articles.comment_views) is csrf_exempt and takes posts from the site's own
  pages only (same_origin()). A comment posted by a forged form gains nothing a reader's session
  could lose: comments are anonymous, moderated, rate limited by address.
- The text is stored as typed (less control and direction-override characters) and shown through
  comment_html(): escaped, line breaks kept, http(s) addresses made nofollow links.
- Pages follow: a comment that is or was approved moves the content version when it is written
  (comment_written, connected in articles.apps), as an article's save does.
"""

import datetime as dt
import ipaddress
import re
import unicodedata
from dataclasses import dataclass, field
from urllib.parse import urlsplit

from django import forms
from django.conf import settings
from django.core import signing
from django.core.cache import cache
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.template.loader import render_to_string
from django.utils import timezone, translation
from django.utils.html import escape, format_html
from django.utils.safestring import mark_safe
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _

from . import caching, signals
from .models import Comment
from .permissions import may_change

S = Comment.Status

BODY_MAX_LENGTH = 2000
NAME_MAX_LENGTH = Comment._meta.get_field("name").max_length
# A person reads the article and writes; a script posts the moment it has the page.
MIN_SECONDS_TO_WRITE = 3
# A form older than this is refused (a fresh one is shown with the text kept). Far longer than a
# page stays in the page cache, so that a cached page's form always works.
FORM_MAX_AGE = 2 * 24 * 3600
RATE_LIMIT = 5
RATE_WINDOW = 10 * 60
DUPLICATE_WINDOW = dt.timedelta(hours=1)
STAMP_SALT = "newsroom.comments.form-stamp"
# What the site calls itself under an editor's reply.
NEWSROOM_NAME = _("编辑部")


# --- Plain text in, escaped HTML out ----------------------------------------------------------

# Characters a reader has no business sending: C0/C1 controls (line breaks and tabs excepted)
# and the bidirectional embeddings, overrides and isolates, which could turn the text that
# follows them (a name, the newsroom's badge) around on screen.
_UNWANTED = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\x7f-\x9f\u202a-\u202e\u2066-\u2069]")
# An http(s) address in running text: ASCII only, so that it ends where Chinese text resumes.
_URL = re.compile(r"https?://[!#-&(-;=?-~]+", re.IGNORECASE)
# Punctuation that closes the sentence rather than the address.
_TRAILING = ".,;:!?'\")]}"


def plain_text(text, *, multiline=True):
    """The text as it is stored: unwanted characters out, line breaks as \\n (at most one blank
    line in a row when `multiline`, none otherwise), spaces around it trimmed."""
    text = unicodedata.normalize("NFC", (text or "").replace("\r\n", "\n").replace("\r", "\n"))
    text = _UNWANTED.sub("", text)
    if not multiline:
        return " ".join(text.split())
    lines = [line.rstrip() for line in text.split("\n")]
    return re.sub(r"\n{3,}", "\n\n", "\n".join(lines)).strip()


def comment_html(text):
    """`text` for the page: escaped, paragraphs at blank lines, <br> at line breaks, http(s)
    addresses made links that pass no ranking and no window handle."""
    paragraphs = [p for p in re.split(r"\n{2,}", text.strip()) if p.strip()]
    return mark_safe("".join("<p>" + "<br>".join(_linked(line) for line in p.split("\n")) + "</p>" for p in paragraphs))


def _linked(line):
    parts, shown_up_to = [], 0
    for match in _URL.finditer(line):
        address = _without_trailing_punctuation(match.group())
        if not urlsplit(address).hostname:
            continue
        parts.append(escape(line[shown_up_to : match.start()]))
        parts.append(format_html('<a href="{}" rel="nofollow ugc noopener">{}</a>', address, address))
        shown_up_to = match.start() + len(address)
    parts.append(escape(line[shown_up_to:]))
    return "".join(parts)


def _without_trailing_punctuation(address):
    while address and address[-1] in _TRAILING:
        # A closing bracket that closes one opened inside the address belongs to it (Wikipedia).
        if address[-1] == ")" and address.count("(") >= address.count(")"):
            break
        address = address[:-1]
    return address


# --- Spam checks --------------------------------------------------------------------------------


def form_stamp(article_pk):
    """What the form carries: the article and the moment the form was made, signed."""
    return signing.Signer(salt=STAMP_SALT).sign(f"{article_pk}:{int(timezone.now().timestamp())}")


def stamp_age(stamp, article_pk):
    """Seconds since `stamp` was made for the article `article_pk`; None if it is not a stamp
    of ours for that article."""
    try:
        value = signing.Signer(salt=STAMP_SALT).unsign(stamp or "")
        pk, made = value.split(":")
        if int(pk) != article_pk:
            return None
        return timezone.now().timestamp() - int(made)
    except (signing.BadSignature, ValueError):
        return None


def client_ip(request):
    """The reader's address: behind the TLS proxy, the one it appended (as django-axes reads it)."""
    from .middleware import client_ip_behind_proxy

    address = client_ip_behind_proxy(request) if settings.BEHIND_TLS_PROXY else request.META.get("REMOTE_ADDR")
    try:
        return str(ipaddress.ip_address((address or "").strip()))
    except ValueError:
        return None


def same_origin(request):
    """Whether the browser says the post comes from a page of this site: its Origin header, or
    without one its Referer, is this site (or one of CSRF_TRUSTED_ORIGINS)."""
    own = f"{request.scheme}://{request.get_host()}".lower()
    trusted = {own, *(origin.lower() for origin in settings.CSRF_TRUSTED_ORIGINS)}
    origin = request.META.get("HTTP_ORIGIN")
    if origin is None:
        referer = urlsplit(request.META.get("HTTP_REFERER", ""))
        if not (referer.scheme and referer.netloc):
            return False
        origin = f"{referer.scheme}://{referer.netloc}"
    return origin.lower() in trusted


def take_rate_slot(ip_address):
    """Counts one comment from `ip_address`; False when it is over RATE_LIMIT in the window
    that its first comment opened. With the cache server gone, comments still wait for
    moderation: the limit is not applied."""
    if not ip_address:
        return True
    key = f"newsroom:comments:rate:{ip_address}"
    try:
        cache.add(key, 0, timeout=RATE_WINDOW)
        try:
            count = cache.incr(key)
        except ValueError:  # expired between the two calls
            count = 1
            cache.set(key, count, timeout=RATE_WINDOW)
    except caching.CACHE_ERRORS as error:
        caching.cache_failed(error)
        return True
    return count <= RATE_LIMIT


def approves_at_once():
    return settings.NEWSROOM["COMMENTS_APPROVE_IMMEDIATELY"]


def checked_body(text):
    """A comment's text as stored, or ValidationError saying what is wrong with it."""
    body = plain_text(text)
    if not body:
        raise ValidationError(_("请写下评论内容。"), code="required")
    if len(body) > BODY_MAX_LENGTH:
        raise ValidationError(
            _("评论最多 %(limit)d 字，现在是 %(count)d 字，请删减后再提交。"),
            code="max_length",
            params={"limit": BODY_MAX_LENGTH, "count": len(body)},
        )
    return body


class CommentForm(forms.Form):
    """A reader's comment on `article`, with the checks that keep scripts out. Unbound, it is
    the form under the article, with a fresh stamp."""

    name = forms.CharField(
        label=_("称呼"),
        max_length=NAME_MAX_LENGTH,
        error_messages={"required": _("请填写称呼。"), "max_length": _("称呼最多 %(limit_value)d 个字。")},
    )
    email = forms.EmailField(
        label=_("电子邮件（选填，不会公开）"),
        required=False,
        max_length=Comment._meta.get_field("email").max_length,
        error_messages={"invalid": _("请填写有效的电子邮件地址，或留空。")},
    )
    # Its length is judged after line breaks are counted once (browsers send two characters).
    body = forms.CharField(
        label=_("评论"),
        strip=False,
        widget=forms.Textarea(attrs={"rows": 5, "maxlength": BODY_MAX_LENGTH}),
        error_messages={"required": _("请写下评论内容。")},
    )
    parent = forms.IntegerField(required=False, widget=forms.HiddenInput)
    stamp = forms.CharField(required=False, widget=forms.HiddenInput)
    # The trap: hidden from people (site.css), filled by scripts that fill every field.
    leave_empty = forms.CharField(
        label=_("请勿填写此项"),
        required=False,
        widget=forms.TextInput(attrs={"autocomplete": "off", "tabindex": "-1"}),
    )

    def __init__(self, article, data=None, *, ip_address=None, reply_to=None):
        """`reply_to`: (pk, name) of the comment an unbound form answers."""
        super().__init__(data, auto_id="comment-%s", label_suffix="")
        self.article, self.ip_address = article, ip_address
        self.replying_to = reply_to[1] if reply_to else None
        if data is None:
            self.initial = {"stamp": form_stamp(article.pk), "parent": reply_to[0] if reply_to else None}

    def clean_name(self):
        return plain_text(self.cleaned_data["name"], multiline=False)

    def clean_body(self):
        return checked_body(self.cleaned_data["body"])

    def clean(self):
        data = super().clean()
        if self.cleaned_data.get("leave_empty"):
            raise ValidationError(_("评论未能提交。"), code="trap")
        age = stamp_age(data.get("stamp"), self.article.pk)
        if age is None or age > FORM_MAX_AGE:
            raise ValidationError(_("这个评论表单已失效，请再提交一次。"), code="stamp")
        if age < MIN_SECONDS_TO_WRITE:
            raise ValidationError(_("提交得太快了，请确认内容后再提交一次。"), code="too_fast")
        if data.get("parent"):
            parent = (
                Comment.objects.shown_under(self.article.pk).filter(pk=data["parent"]).only("pk", "parent_id").first()
            )
            if parent is None:
                raise ValidationError(_("你回复的评论已不存在。"), code="parent")
            data["parent"] = parent.parent_id or parent.pk  # a reply to a reply answers the thread
        body = data.get("body")
        if body and self.repeats(body):
            raise ValidationError(_("你已经提交过相同的评论，无需重复提交。"), code="duplicate")
        return data

    def repeats(self, body):
        since = timezone.now() - DUPLICATE_WINDOW
        return Comment.objects.same_text_since(
            since, body=body, article_id=self.article.pk, ip_address=self.ip_address
        ).exists()

    def refused_for(self, code):
        return any(error.code == code for error in self.non_field_errors().as_data())

    def for_another_try(self):
        """The form shown again after a refusal: what the reader wrote, a fresh stamp, the trap
        empty (and no longer the answer to a comment that has gone)."""
        self.data = self.data.copy()
        self.data["stamp"] = form_stamp(self.article.pk)
        self.data["leave_empty"] = ""
        if self.refused_for("parent"):
            self.data["parent"] = ""
        return self

    @property
    def note(self):
        if approves_at_once():
            return gettext("评论提交后立即显示；电子邮件不会公开。")
        return gettext("评论经编辑审核后显示；电子邮件不会公开。")


# --- Verbs -------------------------------------------------------------------------------------


class ModerationError(Exception):
    """A move the comment's current state does not allow; the message says why."""


MOVES = {
    # verb: (states it starts from, state it leads to, label)
    "approve": ({S.PENDING, S.SPAM, S.REMOVED}, S.APPROVED, _("通过")),
    "mark_spam": ({S.PENDING, S.APPROVED, S.REMOVED}, S.SPAM, _("标为垃圾评论")),
    "remove": ({S.PENDING, S.APPROVED, S.SPAM}, S.REMOVED, _("删除")),
    "restore": ({S.SPAM, S.REMOVED}, S.PENDING, _("恢复为待审")),
}


def moves_allowed(comment):
    """The verbs `comment`'s current state allows."""
    return [verb for verb, (starts, _ends, _label) in MOVES.items() if comment.status in starts]


def receive(article, *, name, body, email="", parent_id=None, ip_address=None):
    """Stores a reader's comment (checked by CommentForm) and tells the moderators once it is
    committed (signals.comment_received)."""
    status = S.APPROVED if approves_at_once() else S.PENDING
    with transaction.atomic():
        comment = Comment.objects.create(
            article=article,
            parent_id=parent_id,
            name=name,
            email=email,
            body=body,
            status=status,
            ip_address=ip_address,
        )
        transaction.on_commit(lambda: signals.comment_received.send(sender=Comment, comment=comment))
    return comment


def approve(comment, *, by):
    return _move(comment, "approve", by=by)


def mark_spam(comment, *, by):
    return _move(comment, "mark_spam", by=by)


def remove(comment, *, by):
    return _move(comment, "remove", by=by)


def restore(comment, *, by):
    return _move(comment, "restore", by=by)


def _move(comment, verb, *, by):
    if not may_change(by, comment):
        raise PermissionDenied
    starts, ends, label = MOVES[verb]
    with transaction.atomic():
        stored = Comment.objects.select_for_update().get(pk=comment.pk)
        if stored.status not in starts:
            raise ModerationError(
                gettext("状态为“%(state)s”的评论不能%(action)s。")
                % {"state": stored.get_status_display(), "action": label}
            )
        stored.status, stored.moderated_by, stored.moderated_at = ends, by, timezone.now()
        stored.save(update_fields=["status", "moderated_by", "moderated_at"])
    comment.status, comment.stored_status = stored.status, stored.status
    comment.moderated_by, comment.moderated_at = stored.moderated_by, stored.moderated_at
    return comment


def reply(comment, *, body, by):
    """The newsroom's answer to `comment`, shown at once under its thread. Answering a comment
    still waiting approves it (and its thread's first comment): the answer would hang under
    nothing otherwise."""
    if not may_change(by, comment):
        raise PermissionDenied
    body = checked_body(body)
    with transaction.atomic():
        answered = Comment.objects.select_for_update().get(pk=comment.pk)
        chain = [answered] if answered.parent_id is None else [Comment.objects.get(pk=answered.parent_id), answered]
        for shown in chain:
            if shown.status in {S.SPAM, S.REMOVED}:
                raise ModerationError(gettext("不能回复垃圾评论或已删除的评论。"))
        for shown in chain:
            if shown.status == S.PENDING:
                approve(shown, by=by)
        with translation.override(settings.LANGUAGE_CODE):
            name = str(NEWSROOM_NAME)
        return Comment.objects.create(
            article_id=answered.article_id,
            parent_id=chain[0].pk,
            name=name,
            body=body,
            status=S.APPROVED,
            staff_author=by,
            moderated_by=by,
            moderated_at=timezone.now(),
        )


# --- What readers see ------------------------------------------------------------------------


@dataclass
class Thread:
    """An article's approved comments as its page shows them: `count`, their markup, and the
    name under each first comment of a thread (what a reply link may answer)."""

    count: int = 0
    html: str = ""
    names: dict = field(default_factory=dict)

    @property
    def markup(self):
        return mark_safe(self.html)


LIST_TEMPLATE = "includes/comment_list.html"


def thread_of(article):
    """The article's Thread, kept under the content version as pages are: one query a version,
    whatever the number of comments."""

    def read():
        shown = list(
            Comment.objects.shown_under(article.pk).only(
                "id", "parent_id", "name", "body", "created_at", "staff_author_id"
            )
        )
        first = [comment for comment in shown if comment.parent_id is None]
        by_pk = {comment.pk: comment for comment in first}
        for comment in shown:
            comment.html = comment_html(comment.body)
            comment.shown_replies = []
        for comment in shown:
            if comment.parent_id in by_pk:
                by_pk[comment.parent_id].shown_replies.append(comment)
        html = render_to_string(LIST_TEMPLATE, {"comments": first, "open": article.allow_comments}) if first else ""
        return Thread(count=len(shown), html=html, names={comment.pk: comment.name for comment in first})

    key = f"comments:{article.pk}:{'open' if article.allow_comments else 'closed'}"
    return caching.kept_per_content_version(key, read, follows_published=False)


def comment_written(sender, instance, using=None, **kwargs):
    """post_save and post_delete of a Comment: pages move when what readers see does."""
    if instance.concerns_readers:
        caching.content_changed(using=using)
