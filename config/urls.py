from django.conf import settings
from django.contrib import admin
from django.urls import include, path
from django.utils.functional import lazy
from django.utils.translation import gettext


def admin_site_name():
    return gettext("%(site_name)s 管理") % {"site_name": settings.NEWSROOM["SITE_NAME"]}


# Lazy: the header is rendered in each request's language (the admin speaks Chinese or English).
admin.site.site_header = admin.site.site_title = lazy(admin_site_name, str)()

urlpatterns = [
    path("admin/", admin.site.urls),
    path("i18n/", include("django.conf.urls.i18n")),
    path("", include("articles.urls")),
]

if settings.DEBUG:
    from django.conf.urls.static import static

    urlpatterns += static(settings.MEDIA_URL, document_root=settings.MEDIA_ROOT)
