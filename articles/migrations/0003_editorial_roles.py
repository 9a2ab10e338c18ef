"""The newsroom's roles as Django groups, with the permissions each one needs."""

from django.contrib.auth.management import create_permissions
from django.db import migrations

WRITER = "撰稿人 Writer"
EDITOR = "编辑 Editor"
CHIEF_EDITOR = "主编 Chief editor"

ROLE_PERMISSIONS = {
    WRITER: [
        "articles.add_article", "articles.change_article", "articles.view_article",
        "articles.add_image", "articles.change_image", "articles.view_image",
        "articles.view_category", "articles.view_author", "articles.view_tag",
    ],
    EDITOR: [
        "articles.add_article", "articles.change_article", "articles.delete_article",
        "articles.view_article", "articles.publish_article", "articles.edit_any_article",
        "articles.add_image", "articles.change_image", "articles.delete_image", "articles.view_image",
        "articles.add_category", "articles.change_category", "articles.delete_category",
        "articles.view_category",
        "articles.add_author", "articles.change_author", "articles.delete_author", "articles.view_author",
        "articles.add_tag", "articles.change_tag", "articles.delete_tag", "articles.view_tag",
        "articles.add_legacyurl", "articles.change_legacyurl", "articles.delete_legacyurl",
        "articles.view_legacyurl", "articles.view_transition",
    ],
}  # fmt: skip
# The chief editor has everything an editor has, plus people and roles.
ROLE_PERMISSIONS[CHIEF_EDITOR] = ROLE_PERMISSIONS[EDITOR] + [
    "auth.add_user", "auth.change_user", "auth.delete_user", "auth.view_user",
    "auth.add_group", "auth.change_group", "auth.delete_group", "auth.view_group",
]  # fmt: skip


def create_roles(apps, schema_editor):
    # Permissions are normally created after all migrations ran; the roles need them now.
    for app_config in apps.get_app_configs():
        app_config.models_module = True
        create_permissions(app_config, apps=apps, verbosity=0)
        app_config.models_module = None
    Group = apps.get_model("auth", "Group")
    Permission = apps.get_model("auth", "Permission")
    for name, codes in ROLE_PERMISSIONS.items():
        group, _ = Group.objects.get_or_create(name=name)
        for code in codes:
            app_label, codename = code.split(".")
            group.permissions.add(Permission.objects.get(content_type__app_label=app_label, codename=codename))


def remove_roles(apps, schema_editor):
    apps.get_model("auth", "Group").objects.filter(name__in=ROLE_PERMISSIONS).delete()


class Migration(migrations.Migration):
    dependencies = [
        ("articles", "0002_editorial_workflow"),
        ("auth", "0012_alter_user_first_name_max_length"),
        ("contenttypes", "0002_remove_content_type_name"),
    ]

    operations = [migrations.RunPython(create_roles, remove_roles)]
