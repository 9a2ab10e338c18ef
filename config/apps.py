"""Third-party apps under names in the admin's language (Django's documented way: a subclass of
the app's AppConfig, named in INSTALLED_APPS)."""
from axes.apps import AppConfig as AxesConfig
from django.utils.translation import gettext_lazy as _


class LoginProtectionConfig(AxesConfig):
    """django-axes, which has no verbose_name of its own (the admin would say "Axes")."""

    verbose_name = _("登录保护")
