"""Editors and chief editors moderate readers' comments (view and change them); writers do not."""

from django.contrib.auth.management import create_permissions
from django.db import migrations

EDITOR = "编辑 Editor"
CHIEF_EDITOR = "主编 Chief editor"

ROLE_PERMISSIONS = {
    EDITOR: ["articles.view_comment", "articles.change_comment"],
    CHIEF_EDITOR: ["articles.view_comment", "articles.change_comment"],
}


def give_moderation(apps, schema_editor):
    # The comment model's permissions are normally created after all migrations ran.
    app_config = apps.get_app_config("articles")
    app_config.models_module = True
    create_permissions(app_config, apps=apps, verbosity=0)
    app_config.models_module = None
    Group = apps.get_model("auth", "Group")
    Permission = apps.get_model("auth", "Permission")
    for group in Group.objects.filter(name__in=ROLE_PERMISSIONS):
        for code in ROLE_PERMISSIONS[group.name]:
            app_label, codename = code.split(".")
            group.permissions.add(Permission.objects.get(content_type__app_label=app_label, codename=codename))


def take_moderation_back(apps, schema_editor):
    Group = apps.get_model("auth", "Group")
    Permission = apps.get_model("auth", "Permission")
    codenames = {code.split(".")[1] for codes in ROLE_PERMISSIONS.values() for code in codes}
    moderation = Permission.objects.filter(content_type__app_label="articles", codename__in=codenames)
    for group in Group.objects.filter(name__in=ROLE_PERMISSIONS):
        group.permissions.remove(*moderation)


class Migration(migrations.Migration):
    dependencies = [
        ("articles", "0012_comments"),
        ("auth", "0012_alter_user_first_name_max_length"),
        ("contenttypes", "0002_remove_content_type_name"),
    ]

    operations = [migrations.RunPython(give_moderation, take_moderation_back)]
