"""Other apps' configurations as this project wants them (Django's documented way: a subclass of
the app's AppConfig, named in INSTALLED_APPS): django-axes named in the admin's language, and
Django's admin with the newsroom's own site."""

from axes.apps import AppConfig as AxesConfig
from django.contrib.admin.apps import AdminConfig
from django.utils.translation import gettext_lazy as _


class LoginProtectionConfig(AxesConfig):
    """django-axes, which has no verbose_name of its own (the admin would say "Axes")."""

    verbose_name = _("登录保护")


class NewsroomAdminConfig(AdminConfig):
    """Django's admin, with the newsroom's site (front page, notifications) as admin.site."""

    default_site = "articles.admin_site.NewsroomAdminSite"
