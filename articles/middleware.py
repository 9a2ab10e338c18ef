import functools
import zlib

from csp.constants import HEADER, NONCE
from csp.middleware import CheckableLazyObject, CSPMiddleware
from csp.utils import build_policy
from django.conf import settings
from django.contrib.auth.middleware import AuthenticationMiddleware
from django.contrib.messages.middleware import MessageMiddleware
from django.contrib.sessions.middleware import SessionMiddleware
from django.core.exceptions import DisallowedHost, SuspiciousOperation
from django.core.handlers.exception import response_for_exception
from django.core.handlers.wsgi import WSGIRequest
from django.core.signals import setting_changed
from django.dispatch import receiver
from django.http import HttpResponse, HttpResponsePermanentRedirect
from django.middleware.clickjacking import XFrameOptionsMiddleware
from django.middleware.locale import LocaleMiddleware
from django.middleware.security import SecurityMiddleware
from django.utils import timezone, translation
from django.utils.cache import cc_delim_re, get_conditional_response, has_vary_header, patch_cache_control
from django.utils.http import http_date, parse_http_date_safe, quote_etag

from . import caching
from .models import Article, LegacyURL
from .views import gone_page


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
    same in every process) cost a fraction of MD5's time on a whole page, which was a visible
    share of an uncached request's instructions (bench/README.md, Session 5).
    """
    if not response.streaming and response.content:
        content = response.content
        response.headers["ETag"] = quote_etag(f"{zlib.crc32(content):08x}{zlib.adler32(content):08x}")
    return response


def cache_directives(response):
    """The names of the response's Cache-Control directives, in lower case."""
    return {d.strip().split("=")[0].lower() for d in cc_delim_re.split(response.get("Cache-Control", ""))}


# What a 304 leaves out of the headers of the page it stands for: it has no body.
BODY_HEADERS = {"content-type", "content-length"}
# The request headers that can make a response conditional: without them the page is the answer.
CONDITIONS = ("HTTP_IF_NONE_MATCH", "HTTP_IF_MODIFIED_SINCE", "HTTP_IF_MATCH", "HTTP_IF_UNMODIFIED_SINCE")


def answer_conditionally(request, response):
    """Django's conditional GET (ConditionalGetMiddleware) with set_page_etag()'s ETag: a 304 to
    a matching If-None-Match or If-Modified-Since.

    The 304 keeps the page's headers but those of its body: Django's keeps its caching headers
    only, and the policy and security headers are kept with a cached page, not added afresh.
    """
    if request.method != "GET":
        return response
    if "no-store" not in cache_directives(response) and not response.has_header("ETag"):
        set_page_etag(response)
    if not any(condition in request.META for condition in CONDITIONS):
        return response
    etag = response.get("ETag")
    last_modified = parse_http_date_safe(response.get("Last-Modified", ""))
    if not (etag or last_modified):
        return response
    answer = get_conditional_response(request, etag=etag, last_modified=last_modified, response=response)
    if answer is not response and answer.status_code == 304:
        for header, value in response.items():
            if header not in answer and header.lower() not in BODY_HEADERS:
                answer[header] = value
    return answer


class PageConditionalGetMiddleware:
    """Outermost: answer_conditionally() to every response, so that pages from the page cache
    answer revalidation too, with the Last-Modified the cache gave them."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        return answer_conditionally(request, self.get_response(request))


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
        # request.path is already decoded: `/post/%E4%B8%AD/` and `/post/中/` are one path here.
        candidates = LegacyURL.candidates(request.path)
        found = {row.path: row for row in LegacyURL.objects.filter(path__in=candidates).select_related("article")}
        legacy = next((found[p] for p in candidates if p in found), None)
        if legacy is None:
            return response
        if Article.objects.published().filter(pk=legacy.article_id).exists():
            return HttpResponsePermanentRedirect(legacy.article.get_absolute_url())
        return gone_page(request)


class BadRequestMiddleware:
    """Answers, with Django's 400 (400.html) and the headers every other answer carries, the
    requests no view can serve: a host not in ALLOWED_HOSTS (logged as
    django.security.DisallowedHost), and a NUL character in the path or the query, which
    PostgreSQL refuses to compare with anything and SQLite's full-text search cannot parse.

    Django raises DisallowedHost wherever the host is first asked for (SecurityMiddleware's HTTPS
    redirect, CommonMiddleware), and its 400 then lacks the headers of every middleware outside
    that point: here it is asked first, and those headers are added to the answer.

    The JSON API reads every query parameter through one function that refuses a NUL with a
    message naming the parameter, so its queries are left to it.
    """

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        try:
            request.get_host()
            nul_in_query = "%00" in request.META.get("QUERY_STRING", "") and not request.path.startswith("/api/")
            if "\x00" in request.path or nul_in_query:
                raise SuspiciousOperation("a NUL character in the request's path or query")
        except (DisallowedHost, SuspiciousOperation) as error:
            return with_security_headers(request, response_for_exception(request, error))
        return self.get_response(request)


def with_security_headers(request, response):
    """`response` with the headers SecurityMiddleware, the policy and X-Frame-Options give answers."""
    for middleware_class in (SecurityMiddleware, ContentSecurityPolicyMiddleware, XFrameOptionsMiddleware):
        response = middleware_class(lambda request, response=response: response).process_response(request, response)
    return response


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

    Outside all but the conditional GET, so that a page is kept with every header the other
    middleware give it (the security headers, the policy, X-Frame-Options) and a hit needs none
    of them. `PageCacheApplication` serves the same hits in front of Django's request handling.
    A request that carries a session or messages cookie may see a personal page: it is never
    cached, and is told so (`private, no-cache`), so editors always see fresh pages. Only a
    request for exactly a page's address (caching.page_address) stores it; one with other
    parameters is answered by that page, or rendered, and stores nothing.
    """

    UNCACHED_PREFIXES = (*EDITOR_PREFIXES, "/media/", "/static/")
    # The Google News sitemap lists the last two days: it changes as time passes, not as rows do.
    # /healthz tests the process itself, never a stored answer.
    UNCACHED_PATHS = ("/sitemap-news.xml", "/healthz")
    # Where PageCacheApplication leaves the (version, key, exact) it found nothing under, so that the
    # cache is not asked twice for one page. Not an HTTP_ name: no request header can set it.
    LOOKED_UP = "newsroom.page_cache.looked_up"

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        if not self.is_reader_page(request):
            return self.get_response(request)
        looked_up = request.META.get(self.LOOKED_UP)
        with caching.one_version_per_request(looked_up[0] if looked_up else None):
            if not settings.NEWSROOM["PAGE_CACHE"]:
                return self.get_response(request)
            return self.serve(request, looked_up)

    def serve(self, request, looked_up=None):
        if self.may_be_personal(request):
            response = self.get_response(request)
            patch_cache_control(response, private=True, no_cache=True)
            return response
        if request.method not in ("GET", "HEAD") or not self.host_allowed(request):
            return self.get_response(request)  # Django answers a host not allowed with 400

        try:
            version, key, exact = looked_up or self.version_and_key(request)
            entry = None if looked_up else self.fresh_entry(key)
        except caching.CACHE_ERRORS as error:
            # The cache server is gone: the database still answers, uncached.
            caching.cache_failed(error)
            return self.get_response(request)
        if entry is not None:
            return self.page_from(entry)

        response = self.get_response(request)
        # Only the request for exactly the page stores it (see caching.page_address).
        if exact and request.method == "GET" and self.is_storable(response):
            try:
                self.store(key, version, response)
            except caching.CACHE_ERRORS as error:  # gone since the lookup: the page is served
                caching.cache_failed(error)
        response["X-Cache"] = "miss"
        return response

    @classmethod
    def look_up(cls, request):
        """What PageCacheApplication asks (with the page cache on): (version, key, whether the
        request may store the page, the entry (deadline, content, headers) kept under the key or
        None), or None for a request that no stored page answers."""
        if request.method not in ("GET", "HEAD") or not cls.is_reader_page(request) or cls.may_be_personal(request):
            return None
        if "HTTP_ORIGIN" in request.META:  # another site's script: CORS headers are added in Django
            return None
        if not cls.host_allowed(request):
            return None
        with caching.one_version_per_request():
            version, key, exact = cls.version_and_key(request)
        return version, key, exact, cls.fresh_entry(key)

    @staticmethod
    def version_and_key(request):
        version = caching.content_version()
        address, exact = caching.page_address(request)
        return version, caching.page_key(version, address), exact

    @staticmethod
    def host_allowed(request):
        """Whether the request's Host is in ALLOWED_HOSTS: pages are kept under the site's own
        host (caching.canonical_host), so no other may be answered from them."""
        try:
            request.get_host()
        except DisallowedHost:
            return False
        return True

    @staticmethod
    def fresh_entry(key):
        entry = caching.pages.get(key)
        # The entry's own deadline is checked as well as the cache's expiry (see caching.schedule).
        if entry is None or entry[0] <= timezone.now().timestamp():
            return None
        return entry

    @staticmethod
    def page_from(entry):
        response = HttpResponse(entry[1], headers=entry[2])
        response["X-Cache"] = "hit"
        return response

    def store(self, key, version, response):
        """Marks the page public and keeps it until its version's next scheduled change."""
        self.mark_public(response, caching.content_changed_at(version))
        timeout = caching.page_timeout(version)
        if timeout >= 1:  # Redis keeps whole seconds only; less is not worth storing
            deadline = timezone.now().timestamp() + timeout
            caching.pages.set(key, (deadline, response.content, dict(response.headers)), timeout)

    @classmethod
    def is_reader_page(cls, request):
        path = request.path_info
        return not path.startswith(cls.UNCACHED_PREFIXES) and path not in cls.UNCACHED_PATHS

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
        return not cache_directives(response) & {"private", "no-store", "no-cache"}

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


class PageCacheApplication:
    """The WSGI application in front of Django's (config.wsgi): answers page-cache hits itself.

    A hit needs nothing Django's handler does around the middleware: the request signals look
    after database connections a hit does not use, and the URL configuration and middleware
    chain are for pages being made. PageCacheMiddleware.look_up() decides, so the answers
    are the ones the middleware would give (test_page_cache_front.py compares them). Anything else, a failure included, goes to Django, which
    answers (and logs) as it always does.
    """

    def __init__(self, application):
        self.application = application

    def __call__(self, environ, start_response):
        if not settings.NEWSROOM["PAGE_CACHE"] or caching.known_unreachable():
            # (Django's handler notices when the cache is back.)
            return self.application(environ, start_response)
        try:
            # A copy: WSGIRequest rewrites PATH_INFO and SCRIPT_NAME in the dict it is given,
            # and Django's handler must get the environ as the server made it.
            request = WSGIRequest({**environ})
            found = PageCacheMiddleware.look_up(request)
        except Exception:  # noqa: BLE001 - Django's handler meets the same fault and reports it
            found = None
        if found is None:
            return self.application(environ, start_response)
        version, key, exact, entry = found
        if entry is None:
            environ[PageCacheMiddleware.LOOKED_UP] = (version, key, exact)
            return self.application(environ, start_response)
        # Without CONDITIONS a GET is answered by the stored page as it is, as answer_conditionally()
        # would, so its headers need not be parsed.
        if request.method == "GET" and any(condition in environ for condition in CONDITIONS):
            response = answer_conditionally(request, PageCacheMiddleware.page_from(entry))
            start_response(f"{response.status_code} {response.reason_phrase}", list(response.items()))
            # The content, not the response: closing the response would send request_finished.
            return [response.content]
        start_response("200 OK", [*entry[2].items(), ("X-Cache", "hit")])
        return [entry[1]]
