"""Permissions named in the admin's language on the user and group forms.

Django stores a permission's name once, in English, when migrate creates it ("Can add 文章"), and
the forms show it as stored. These labels are built when shown instead: the model's verbose name
and the action, in the request's language. Permissions of other kinds keep their stored name.
"""

from django.contrib.auth import get_permission_codename
from django.contrib.auth.models import Permission
from django.utils.translation import gettext_lazy as _

DEFAULT_ACTIONS = {
    "add": _("可以添加%(model)s"),
    "change": _("可以修改%(model)s"),
    "delete": _("可以删除%(model)s"),
    "view": _("可以查看%(model)s"),
}

# The project's own permissions (Meta.permissions of articles.models.Article), by codename.
PROJECT_PERMISSIONS = {
    "articles.publish_article": _("可以发布、排期、撤下和归档文章"),
    "articles.edit_any_article": _("可以编辑其他撰稿人的文章"),
}


def permission_label(permission):
    """ "<app> | <model> | <what it allows>", as Django's own label but in the active language."""
    content_type = permission.content_type
    name = PROJECT_PERMISSIONS.get(f"{content_type.app_label}.{permission.codename}")
    model = content_type.model_class()
    if name is None and model is not None:
        action = permission.codename.split("_", 1)[0]
        if action in DEFAULT_ACTIONS and permission.codename == get_permission_codename(action, model._meta):
            name = DEFAULT_ACTIONS[action] % {"model": model._meta.verbose_name}
    return f"{content_type} | {name or permission.name}"


class PermissionLabelsMixin:
    """For a ModelAdmin whose form picks permissions (Django's UserAdmin and GroupAdmin)."""

    def formfield_for_manytomany(self, db_field, request=None, **kwargs):
        formfield = super().formfield_for_manytomany(db_field, request, **kwargs)
        if formfield is not None and db_field.related_model is Permission:
            formfield.label_from_instance = permission_label
        return formfield
