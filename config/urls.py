from django.conf import settings
from django.contrib import admin
from django.urls import include, path
from django.utils.functional import lazy
from django.utils.translation import gettext

from articles.health import healthz


def admin_site_name():
    return gettext("%(site_name)s 管理") % {"site_name": settings.NEWSROOM["SITE_NAME"]}


# Lazy: the header is rendered in each request's language (the admin speaks Chinese or English).
admin.site.site_header = admin.site.site_title = lazy(admin_site_name, str)()

urlpatterns = [
    path("healthz", healthz, name="healthz"),
    # Readers' pages first: they are most of the requests, and none of them is under admin/ or i18n/.
    path("", include("articles.urls")),
    path("api/v1/", include("articles.api.urls")),
    path("admin/", admin.site.urls),
    path("i18n/", include("django.conf.urls.i18n")),
]

if settings.NEWSROOM_SERVE_MEDIA:
    # Development and the browser tests only: in production the web server or the storage
    # serves media (docs/operations.md). MEDIA_ROOT is read per request, as tests move it.
    from django.urls import re_path
    from django.views.static import serve

    def serve_media(request, path):
        return serve(request, path, document_root=settings.MEDIA_ROOT)

    urlpatterns += [re_path(r"^%s(?P<path>.*)$" % settings.MEDIA_URL.lstrip("/"), serve_media)]
