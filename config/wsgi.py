"""WSGI entry point (gunicorn config.wsgi): page-cache hits are answered before Django's handler."""

import os

from django.core.wsgi import get_wsgi_application

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings")
django_application = get_wsgi_application()

from articles.middleware import PageCacheApplication  # noqa: E402 - needs the apps loaded

application = PageCacheApplication(django_application)
