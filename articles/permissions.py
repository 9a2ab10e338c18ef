"""Who may do what to an article. Every rule is checked here, on the server, for every path."""
from .models import Article

WRITER_GROUP = "撰稿人 Writer"
EDITOR_GROUP = "编辑 Editor"
CHIEF_EDITOR_GROUP = "主编 Chief editor"

# States in which a writer may still change their own article.
WRITER_EDITABLE = frozenset({Article.Status.DRAFT})


def can_write(user):
    """Is `user` someone who works on articles at all (an active writer, editor or chief)?"""
    return bool(user and user.is_active and user.has_perm("articles.change_article"))


def is_editor(user):
    return bool(user and user.is_active and user.has_perm("articles.publish_article"))


def can_edit(user, article):
    """May `user` change the fields of `article` (not its state)?"""
    if not can_write(user):
        return False
    if user.has_perm("articles.edit_any_article"):
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
