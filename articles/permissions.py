"""Who may write what, in which state: the one gate every write path asks.

`may_change(user, obj)` decides for every row an editor can write (articles, library images,
categories, tags, authors, old addresses, autosaves) against the row as the database holds it,
never against the copy the caller holds: the admin's revision view reverts the row before
Django's own permission checks run, and a form may carry an old state. The change form, the
revision and recover views, restore, image changes, bulk actions and the JSON endpoints all ask
it; the workflow's verbs ask `may_move()`, which applies the same rules to moves.
"""

from typing import NamedTuple

from django.db.models import Q

from .models import Article, Autosave, Image

WRITER_GROUP = "撰稿人 Writer"
EDITOR_GROUP = "编辑 Editor"
CHIEF_EDITOR_GROUP = "主编 Chief editor"
ROLE_GROUPS = (WRITER_GROUP, EDITOR_GROUP, CHIEF_EDITOR_GROUP)

# States in which a writer may still change their own article (new, withdrawn or sent back).
WRITER_EDITABLE = frozenset({Article.Status.DRAFT})


class StoredArticle(NamedTuple):
    """What the gate reads of an article: its row as stored, not as a form or revision holds it."""

    pk: int
    status: str
    created_by_id: int | None


def stored_article(pk):
    """The article `pk` as the database holds it now, or None when there is no such row."""
    row = Article.objects.filter(pk=pk).values_list("pk", "status", "created_by_id").first()
    return StoredArticle(*row) if row else None


def can_write(user):
    """Is `user` someone who works on articles at all (an active writer, editor or chief)?"""
    return bool(user and user.is_active and user.has_perm("articles.change_article"))


def is_editor(user):
    return bool(user and user.is_active and user.has_perm("articles.publish_article"))


def edits_any_article(user):
    return can_write(user) and user.has_perm("articles.edit_any_article")


def can_edit(user, article):
    """May `user` change the fields of `article` (not its state), judged on the values given?

    Callers that hold a copy of the row ask `may_change()`, which reads the stored row first.
    """
    if not can_write(user):
        return False
    if edits_any_article(user):
        return True
    return is_own(user, article) and article.status in WRITER_EDITABLE


def can_view(user, article):
    """May `user` read `article` before readers can (admin pages, previews)? Editors and its writer."""
    return bool(user and user.is_active) and (is_editor(user) or is_own(user, article))


def is_own(user, article):
    # No user (or an anonymous one, whose pk is None) owns nothing, not even unowned articles.
    return (
        user is not None
        and user.pk is not None
        and article.created_by_id is not None
        and article.created_by_id == user.pk
    )


def editable_articles_q(user):
    """The articles `user` may change, as a filter: all for editors, their own drafts for writers."""
    if not can_write(user):
        return Q(pk__in=[])
    if edits_any_article(user):
        return Q()
    return Q(created_by=user, status__in=WRITER_EDITABLE)


def may_change(user, obj, *, stored=None):
    """May `user` write to `obj` as the database holds it now?

    - Article: its stored state and writer decide (`stored`: a StoredArticle snapshot taken
      before something rewrote the row in this transaction, as reversion's revert does).
    - Image: the image change permission, and every article that shows the picture must be one
      the user may change: a writer cannot alter what a live article shows.
    - Autosave: its own person only, and only while they may change its article.
    - Anything else (categories, tags, authors, old addresses): the model's change permission.
    - A new object (no pk yet): the model's add permission.
    """
    if user is None or not user.is_active:
        return False
    model = type(obj)
    opts = model._meta
    if isinstance(obj, Autosave):
        # New or kept, the same rule: a new autosave of a submitted article is refused too.
        if obj.user_id != user.pk:
            return False
        return can_write(user) if obj.article_id is None else may_change(user, Article(pk=obj.article_id))
    if obj.pk is None:
        return user.has_perm(f"{opts.app_label}.add_{opts.model_name}")
    if isinstance(obj, Article):
        row = stored or stored_article(obj.pk)
        return row is not None and can_edit(user, row)
    if not user.has_perm(f"{opts.app_label}.change_{opts.model_name}"):
        return False
    if isinstance(obj, Image):
        # Which articles show it is read from the database (usage() asks by the image's pk).
        return edits_any_article(user) or not obj.usage().exclude(editable_articles_q(user)).exists()
    return True


def may_move(user, verb, article):
    """May `user` apply the workflow `verb` to `article` (its state is the workflow's to check)?"""
    if verb == "submit":
        return can_edit(user, article)
    if verb == "withdraw":
        # Only the article's own writer takes back a submission. Anyone else sends it back,
        # which requires a comment: an editor's silent "withdraw" would bypass that rule.
        # can_write: a writer who lost their role or was deactivated can no longer act.
        return is_own(user, article) and can_write(user)
    return is_editor(user)
