"""People's accounts follow their roles (articles.permissions.ROLE_GROUPS).

- Given a role, a person may log in to the admin (staff), without a separate tick; losing their
  last role takes that away. Superusers are left as they are.
- Given the writer's role, a person gets a byline of their own (an Author linked to the
  account), which the article form then preselects.

Both follow the account's groups however they change: the admin's user form, or
`user.groups.add/remove/set/clear` and `group.user_set…` in code (m2m_changed on User.groups).
"""

from django.contrib.auth import get_user_model
from django.contrib.auth.models import Group

from .models import Author
from .permissions import ROLE_GROUPS, WRITER_GROUP


def groups_changed(sender, instance, action, reverse, model, pk_set, **kwargs):
    """Receiver of m2m_changed on User.groups.through, from either side."""
    if action == "pre_clear":
        # The rows are about to go: remember who loses a role by it.
        instance._role_holders_before_clear = _role_holders(instance, reverse)
        return
    if action == "post_clear":
        _no_longer_staff(getattr(instance, "_role_holders_before_clear", set()), None if reverse else instance)
        return
    if action not in {"post_add", "post_remove"} or not pk_set:
        return
    if reverse:  # group.user_set.add/remove(users)
        roles = {instance.name} & set(ROLE_GROUPS)
        users = set(pk_set)
    else:  # user.groups.add/remove(groups)
        roles = set(Group.objects.filter(pk__in=pk_set, name__in=ROLE_GROUPS).values_list("name", flat=True))
        users = {instance.pk}
    if not roles:
        return
    if action == "post_add":
        _make_staff(users, instance if not reverse else None)
        if WRITER_GROUP in roles:
            for user in get_user_model().objects.filter(pk__in=users, author_profile__isnull=True):
                give_byline(user)
    else:
        _no_longer_staff(users, instance if not reverse else None)


def _role_holders(instance, reverse):
    """The ids of the users who hold a role through the links about to be cleared."""
    User = get_user_model()
    if reverse:
        return set(instance.user_set.values_list("pk", flat=True)) if instance.name in ROLE_GROUPS else set()
    return {instance.pk} if User.objects.filter(pk=instance.pk, groups__name__in=ROLE_GROUPS).exists() else set()


def _make_staff(user_ids, user=None):
    get_user_model().objects.filter(pk__in=user_ids, is_staff=False, is_superuser=False).update(is_staff=True)
    if user is not None and not user.is_superuser:
        user.is_staff = True


def _no_longer_staff(user_ids, user=None):
    """Staff no more, for those of `user_ids` left without any role (superusers excepted)."""
    if not user_ids:
        return
    without_role = (
        get_user_model().objects.filter(pk__in=user_ids, is_superuser=False).exclude(groups__name__in=ROLE_GROUPS)
    )
    demoted = set(without_role.values_list("pk", flat=True))
    get_user_model().objects.filter(pk__in=demoted).update(is_staff=False)
    if user is not None and user.pk in demoted:
        user.is_staff = False


def give_byline(user):
    """An Author for `user`: named after their full name, or username, made unique."""
    base = (user.get_full_name().strip() or user.get_username())[:80]
    name = base
    if Author.objects.filter(name=name).exists():
        name = f"{base}（{user.get_username()}）"[:90]
    number = 2
    while Author.objects.filter(name=name).exists():
        name = f"{base} {number}"
        number += 1
    return Author.objects.create(name=name, user=user)
