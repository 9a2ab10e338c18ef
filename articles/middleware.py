import functools
import zlib

from django.conf import settings
from django.contrib.auth.middleware import AuthenticationMiddleware
from django.contrib.messages.middleware import MessageMiddleware
from django.contrib.sessions.middleware import SessionMiddleware
from django.core.signals import setting_changed
from django.dispatch import receiver
from django.http import HttpResponse, HttpResponseGone, HttpResponsePermanentRedirect
from django.middleware.http import ConditionalGetMiddleware
from django.middleware.locale import LocaleMiddleware
from django.utils import timezone, translation
from django.utils.cache import has_vary_header, patch_cache_control
from django.utils.http import http_date, parse_http_date_safe, quote_etag

from csp.constants import HEADER, NONCE
from csp.middleware import CheckableLazyObject, CSPMiddleware
from csp.utils import build_policy

from . import caching
from .models import Article, LegacyURL


def client_ip_behind_proxy(request):
    """The client's address as the TLS proxy saw it: the last X-Forwarded-For entry it appended."""
    forwarded = request.META.get("HTTP_X_FORWARDED_FOR", "")
    return forwarded.rsplit(",", 1)[-1].strip() or request.META.get("REMOTE_ADDR")


# Where config/urls.py mounts the admin, below the script prefix (request.path_info). Every
# middleware here asks is_admin(); reversing "admin:index" on each response cost more than a
# whole page-cache hit.
ADMIN_PATH = "/admin/"


def is_admin(request):
    return request.path_info.startswith(ADMIN_PATH)


# What editors use besides the admin: previews, shared previews and the language switch.
EDITOR_PREFIXES = (ADMIN_PATH, "/preview/", "/share/", "/i18n/")


def is_anonymous_read(request):
    """An anonymous reader's GET (or HEAD) of a public page: no session or messages cookie,
    no editors' address. Reader pages show nobody anything personal (PageCacheMiddleware keeps
    them for everyone) and take no form, so such a request needs no session and no user."""
    return (
        request.method in ("GET", "HEAD")
        and not request.path_info.startswith(EDITOR_PREFIXES)
        and not PageCacheMiddleware.may_be_personal(request)
    )


class ForEditorsOnly:
    """For middleware that only editors' requests need: anonymous reads skip it.

    Sessions and the signed-in user are set up on every request otherwise. (Django's CSRF
    middleware stays as it is: `check --deploy` looks for it by name, and a GET costs it little.)
    """

    def __call__(self, request):
        if is_anonymous_read(request):
            return self.get_response(request)
        return super().__call__(request)


class EditorSessionMiddleware(ForEditorsOnly, SessionMiddleware):
    pass


class EditorAuthenticationMiddleware(ForEditorsOnly, AuthenticationMiddleware):
    pass


# What the admin's rich-text editor (django-prose-editor, Tiptap) needs and the reading site does
# not: its modules load through an inline import map, which carries the request's nonce
# (ArticleAdmin.render_change_form); and Tiptap injects one fixed <style> element, allowed by
# its hash (test_browser_csp.py reports the new hash should an upgrade change that CSS).
ADMIN_CSP_UPDATE = {
    "script-src": [NONCE],
    "style-src": ["'sha256-PlumsSlvJ7vvWzjqibGAYKq92O3y/4JTxWWsWJvyUYA='"],
}


class ContentSecurityPolicyMiddleware(CSPMiddleware):
    """django-csp's policy (settings.CONTENT_SECURITY_POLICY), with the admin's additions.

    The reading site gets the strict policy; pages under /admin/ get ADMIN_CSP_UPDATE added,
    for what the admin's own widgets need.
    """

    def process_response(self, request, response):
        overridden = any(hasattr(response, name) for name in self.RESPONSE_OVERRIDES)
        if overridden or getattr(request, "_csp_nonce", None) is not None or settings.DEBUG:
            return super().process_response(request, response)
        # The common case, a page without nonce or decorator: the same header every time,
        # built once (django-csp would build it anew for each response, cache hits included).
        if HEADER not in response:
            response[HEADER] = _plain_policy(is_admin(request))
        request.csp_nonce = CheckableLazyObject(self._csp_nonce_post_response)
        return response

    def get_policy_parts(self, request, response, report_only=False):
        parts = super().get_policy_parts(request, response, report_only)
        if not report_only and is_admin(request):
            parts.update = {**ADMIN_CSP_UPDATE, **(parts.update or {})}
        return parts

    RESPONSE_OVERRIDES = ("_csp_exempt", "_csp_config", "_csp_update", "_csp_replace")


@functools.lru_cache(maxsize=2)
def _plain_policy(admin):
    """The policy header of a response without nonce or per-view changes, admin or not."""
    return build_policy(update=ADMIN_CSP_UPDATE if admin else None)


@receiver(setting_changed)
def _policy_setting_changed(setting, **kwargs):
    if setting == "CONTENT_SECURITY_POLICY":
        _plain_policy.cache_clear()


def set_page_etag(response):
    """Django's set_response_etag() with checksums instead of MD5.

    An ETag only has to change when the page does: CRC-32 and Adler-32 together (64 bits, the
    same in every process) take 6 µs of a 22 KB article page where MD5 took 32, a sixth of the
    instructions of an uncached request.
    """
    if not response.streaming and response.content:
        content = response.content
        response.headers["ETag"] = quote_etag(f"{zlib.crc32(content):08x}{zlib.adler32(content):08x}")
    return response


class PageConditionalGetMiddleware(ConditionalGetMiddleware):
    """Django's conditional GET (304 to a matching If-None-Match or If-Modified-Since), the
    ETag made by set_page_etag()."""

    def process_response(self, request, response):
        if request.method == "GET" and self.needs_etag(response) and not response.has_header("ETag"):
            set_page_etag(response)
        return super().process_response(request, response)


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


class AdminMessageMiddleware(MessageMiddleware):
    """Django's messages, for the admin: the reading site shows none, and setting up their
    cookie and session storage cost each of its pages more than its own URL resolution."""

    def process_request(self, request):
        if is_admin(request):
            super().process_request(request)


class AdminLocaleMiddleware(LocaleMiddleware):
    """Lets the admin speak the editor's language (Chinese by default, English available).

    The reading site is Chinese only, so its pages stay out of language negotiation and do not
    vary by Accept-Language, which keeps them cacheable.
    """

    def process_request(self, request):
        if is_admin(request):
            return super().process_request(request)
        translation.activate(settings.LANGUAGE_CODE)
        request.LANGUAGE_CODE = settings.LANGUAGE_CODE

    def process_response(self, request, response):
        if is_admin(request):
            return super().process_response(request, response)
        return response


class PageCacheMiddleware:
    """Serves anonymous readers' pages from the cache, exactly: see articles.caching.

    Sits inside ConditionalGetMiddleware (so a hit still answers 304 to a matching ETag or
    If-Modified-Since) and outside the session, CSRF and message middleware, whose work a hit
    skips. A request that carries a session or messages cookie may see a personal page: it is
    never cached, and is told so (`private, no-cache`), so editors always see fresh pages.
    """

    UNCACHED_PREFIXES = (*EDITOR_PREFIXES, "/media/", "/static/")
    # The Google News sitemap lists the last two days: it changes as time passes, not as rows do.
    UNCACHED_PATHS = ("/sitemap-news.xml",)

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        if not self.is_reader_page(request):
            return self.get_response(request)
        with caching.one_version_per_request():
            if not settings.NEWSROOM["PAGE_CACHE"]:
                return self.get_response(request)
            return self.serve(request)

    def serve(self, request):
        if self.may_be_personal(request):
            response = self.get_response(request)
            patch_cache_control(response, private=True, no_cache=True)
            return response
        if request.method not in ("GET", "HEAD"):
            return self.get_response(request)

        try:
            version = caching.content_version()
            key = caching.page_key(version, request.get_full_path())
            entry = caching.pages.get(key)
        except caching.CACHE_ERRORS as error:
            # The cache server is gone: the database still answers, uncached.
            caching.cache_failed(error)
            return self.get_response(request)
        # The entry's own deadline is checked as well as the cache's expiry (see caching.schedule).
        if entry is not None and entry[0] > timezone.now().timestamp():
            response = HttpResponse(entry[1], headers=entry[2])
            response["X-Cache"] = "hit"
            return response

        response = self.get_response(request)
        if request.method == "GET" and self.is_storable(response):
            try:
                self.store(key, version, response)
            except caching.CACHE_ERRORS as error:  # gone since the lookup: the page is served
                caching.cache_failed(error)
        response["X-Cache"] = "miss"
        return response

    def store(self, key, version, response):
        """Marks the page public and keeps it until its version's next scheduled change."""
        self.mark_public(response, caching.content_changed_at(version))
        timeout = caching.page_timeout(version)
        if timeout >= 1:  # Redis keeps whole seconds only; less is not worth storing
            deadline = timezone.now().timestamp() + timeout
            caching.pages.set(key, (deadline, response.content, dict(response.headers)), timeout)

    def is_reader_page(self, request):
        path = request.path_info
        return not path.startswith(self.UNCACHED_PREFIXES) and path not in self.UNCACHED_PATHS

    @staticmethod
    def may_be_personal(request):
        """Whether the request carries a cookie that can change the page: a session or messages."""
        return settings.SESSION_COOKIE_NAME in request.COOKIES or "messages" in request.COOKIES

    @staticmethod
    def is_storable(response):
        """A complete 200 for everyone: no cookie set, not varying by cookie, not private."""
        if response.status_code != 200 or response.streaming or response.cookies:
            return False
        if has_vary_header(response, "Cookie"):
            return False
        directives = {d.strip().split("=")[0].lower() for d in response.get("Cache-Control", "").split(",")}
        return not directives & {"private", "no-store", "no-cache"}

    @staticmethod
    def mark_public(response, changed_at):
        """Public, revalidated on every use (ETag, Last-Modified: the site's last change)."""
        previous = parse_http_date_safe(response.get("Last-Modified", "")) or 0
        last_modified = max(previous, int(changed_at.timestamp()))
        if last_modified < int(timezone.now().timestamp()):
            response["Last-Modified"] = http_date(last_modified)
        else:
            # HTTP dates count whole seconds: a later change in this same second would carry the
            # same date and a client's If-Modified-Since would wrongly match. The ETag still works.
            del response["Last-Modified"]
        patch_cache_control(response, public=True, max_age=0, must_revalidate=True)
        set_page_etag(response)  # here once, so that hits do not hash the page again
