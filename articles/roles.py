"""The newsroom's roles as Django groups, and the permissions each one starts with.

Migrations 0003 and 0013 created the groups on existing sites; this module brings back a role
whose group is missing after any `migrate` or `flush` (a new database, a test that empties the
tables), through Django's post_migrate signal, as Django does for permissions. A group that
exists is left as the chief editor has set it.
"""

from .permissions import CHIEF_EDITOR_GROUP, EDITOR_GROUP, WRITER_GROUP

ROLE_PERMISSIONS = {
    WRITER_GROUP: [
        "articles.add_article", "articles.change_article", "articles.view_article",
        "articles.add_image", "articles.change_image", "articles.view_image",
        "articles.view_category", "articles.view_author", "articles.view_tag",
    ],
    EDITOR_GROUP: [
        "articles.add_article", "articles.change_article", "articles.delete_article",
        "articles.view_article", "articles.publish_article", "articles.edit_any_article",
        "articles.add_image", "articles.change_image", "articles.delete_image", "articles.view_image",
        "articles.add_category", "articles.change_category", "articles.delete_category",
        "articles.view_category",
        "articles.add_author", "articles.change_author", "articles.delete_author", "articles.view_author",
        "articles.add_tag", "articles.change_tag", "articles.delete_tag", "articles.view_tag",
        "articles.add_legacyurl", "articles.change_legacyurl", "articles.delete_legacyurl",
        "articles.view_legacyurl", "articles.view_transition",
        "articles.view_comment", "articles.change_comment",
    ],
}  # fmt: skip
# The chief editor has everything an editor has, plus people and roles.
ROLE_PERMISSIONS[CHIEF_EDITOR_GROUP] = ROLE_PERMISSIONS[EDITOR_GROUP] + [
    "auth.add_user", "auth.change_user", "auth.delete_user", "auth.view_user",
    "auth.add_group", "auth.change_group", "auth.delete_group", "auth.view_group",
]  # fmt: skip


def restore_missing_roles(apps=None, using="default", **kwargs):
    """Create each role group that does not exist, with its permissions (a post_migrate receiver;
    `migrate` sends its historical apps, `flush` none)."""
    if apps is None:
        from django.apps import apps
    Group = apps.get_model("auth", "Group")
    Permission = apps.get_model("auth", "Permission")
    present = set(Group.objects.using(using).filter(name__in=ROLE_PERMISSIONS).values_list("name", flat=True))
    for name, codes in ROLE_PERMISSIONS.items():
        if name in present:
            continue
        group = Group.objects.using(using).create(name=name)
        wanted = {tuple(code.split(".")) for code in codes}
        permissions = [
            permission
            for permission in Permission.objects.using(using).select_related("content_type")
            if (permission.content_type.app_label, permission.codename) in wanted
        ]
        group.permissions.add(*permissions)
