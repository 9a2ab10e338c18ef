from django.conf import settings
from django.http import HttpResponseGone, HttpResponsePermanentRedirect
from django.middleware.locale import LocaleMiddleware
from django.urls import reverse
from django.utils import translation

from .models import Article, LegacyURL


class LegacyURLMiddleware:
    """Answers a 404 whose path was an article's address on the old site.

    Like django.contrib.redirects' fallback middleware, it only looks when nothing else matched,
    so it costs live pages nothing. A live article gets a 301; one no longer public gets 410.
    """

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        response = self.get_response(request)
        if response.status_code != 404:
            return response
        path = LegacyURL.normalize(request.path)
        candidates = {path, path.rstrip("/") or "/", path if path.endswith("/") else path + "/"}
        legacy = (
            LegacyURL.objects.filter(path__in=candidates).select_related("article").first()
        )
        if legacy is None:
            return response
        if Article.objects.published().filter(pk=legacy.article_id).exists():
            return HttpResponsePermanentRedirect(legacy.article.get_absolute_url())
        return HttpResponseGone()


class AdminLocaleMiddleware(LocaleMiddleware):
    """Lets the admin speak the editor's language (Chinese by default, English available).

    The reading site is Chinese only, so its pages stay out of language negotiation and do not
    vary by Accept-Language, which keeps them cacheable.
    """

    def process_request(self, request):
        if request.path_info.startswith(self.admin_prefix()):
            return super().process_request(request)
        translation.activate(settings.LANGUAGE_CODE)
        request.LANGUAGE_CODE = settings.LANGUAGE_CODE

    def process_response(self, request, response):
        if request.path_info.startswith(self.admin_prefix()):
            return super().process_response(request, response)
        return response

    @staticmethod
    def admin_prefix():
        return reverse("admin:index")
