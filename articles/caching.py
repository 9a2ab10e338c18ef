"""The reading site's page cache: exact, because every key carries the content version.

Any save or deletion of something a reader could see bumps one site-wide version (after the
transaction commits), so every cached page is replaced at once; no entry is kept past the next
moment `Article.objects.published()` changes by itself (a scheduled publication or an expiry),
so scheduled articles need no cron job here either. `articles.middleware.PageCacheMiddleware`
serves and stores the pages; `articles.apps` connects the receivers.

A page is kept under its page_address(): the scheme, the site's own host and the path with only
the query parameters its view reads (articles.urls.QUERY_PARAMETERS), so that the number of
pages kept is bounded by the pages there are, not by what clients append to their addresses.
"""

import contextlib
import contextvars
import datetime as dt
import hashlib
import logging
import time
import zoneinfo
from urllib.parse import urlsplit

from django.conf import settings
from django.core.cache import cache
from django.db import transaction
from django.db.models import Subquery
from django.http import QueryDict
from django.utils import timezone
from django.utils.encoding import escape_uri_path

try:
    from redis.exceptions import RedisError
except ImportError:  # pragma: no cover - redis is a pinned requirement
    RedisError = OSError

VERSION_KEY = "newsroom:content-version"
CHANGED_AT_KEY = "newsroom:content-changed-at"
# What a cache server that is gone raises (Django's RedisCache lets redis-py's errors through).
CACHE_ERRORS = (RedisError, OSError)

logger = logging.getLogger(__name__)
# Set while this process cannot reach the cache: changes made meanwhile could not bump the
# version, so the first successful contact afterwards bumps it (no page from before is served).
_cache_unreachable = False


def cache_failed(error):
    """Records that the cache is unreachable; logs the first failure of an outage only."""
    global _cache_unreachable
    if not _cache_unreachable:
        logger.error("Page cache unavailable, serving uncached pages: %s", error)
    _cache_unreachable = True


def known_unreachable():
    """Whether this process's last contact with the cache failed."""
    return _cache_unreachable


def recover_if_reachable():
    """Called after a successful contact with the cache: if it follows an outage, retires what
    was cached before it and says so."""
    global _cache_unreachable
    if not _cache_unreachable:
        return False
    _cache_unreachable = False
    logger.warning("Page cache reachable again; retiring the pages cached before the outage")
    # Changes made during the outage could not move their articles' versions either.
    retire_everything()
    return True


def retire_everything():
    """Retire every kept page, part and value: the parts' shared version moves, then the content
    version, as after any change (see fragments._versions)."""
    from articles import fragments

    fragments.shared_changed()
    bump_content_version()


def fresh_version():
    """A version larger than any an evicted counter could have reached (microseconds since 1970).

    Starting from 1 after an eviction would revive pages cached under the old low numbers.
    """
    return time.time_ns() // 1000


# Inside one reader request (PageCacheMiddleware opens the scope) the version is read once: the
# page and every value it remembers agree on one version, and the cache server is asked once
# rather than once a kept value. A bump made by this request starts a new reading.
_version_read_in_request = contextvars.ContextVar("newsroom_version_read_in_request", default=None)


@contextlib.contextmanager
def one_version_per_request(version=None):
    """The scope of one reading; `version`: one read a moment ago for this request."""
    token = _version_read_in_request.set([] if version is None else [version])
    try:
        yield
    finally:
        _version_read_in_request.reset(token)


def content_version():
    """The current site-wide content version, created on first use."""
    read = _version_read_in_request.get()
    if read:
        return read[0]
    version = _read_content_version()
    if read is not None:
        read.append(version)
    return version


def _read_content_version():
    version = cache.get(VERSION_KEY)
    if recover_if_reachable():
        version = cache.get(VERSION_KEY)
    if version is None:
        cache.add(VERSION_KEY, fresh_version(), timeout=None)
        version = cache.get(VERSION_KEY)
    return version


# Version keys waiting for their bump while bumps are gathered (see bumps_gathered()), in order.
_gathered = contextvars.ContextVar("newsroom_gathered_bumps", default=None)


@contextlib.contextmanager
def bumps_gathered():
    """Within: version bumps are noted, not made; flush_gathered() makes each noted one once,
    and so does leaving the block (exception or not).

    For long runs of writes (an import): each file's transaction would otherwise move the content
    version, its article's version and the shared version twice (at once and on commit), which
    with the file cache is a few file writes and a listing of its folder each, more than the
    file's own SQL. The pages cached meanwhile are retired at the next flush, which the caller
    makes after its commits, so what readers see lags by at most the caller's flush interval.
    """
    if _gathered.get() is not None:  # already gathering: the outer block flushes
        yield
        return
    token = _gathered.set({})
    try:
        yield
    finally:
        try:
            flush_gathered()
        finally:
            _gathered.reset(token)


def gathering():
    """Whether bumps are being gathered (inside bumps_gathered())."""
    return _gathered.get() is not None


def flush_gathered():
    """Make the bumps noted so far, each once: the parts' versions first, the content version
    last (as fragments._versions relies on)."""
    gathered = _gathered.get()
    if not gathered:
        return
    keys = list(gathered)
    gathered.clear()
    token = _gathered.set(None)
    try:
        if VERSION_KEY in keys:
            keys.remove(VERSION_KEY)
            content = True
        else:
            content = False
        try:
            for key in keys:
                bump_version(key)
        except CACHE_ERRORS as error:
            cache_failed(error)
        if content:
            bump_content_version()
    finally:
        _gathered.reset(token)


def bump_content_version():
    """Retire every cached page now, and record the moment for Last-Modified.

    With the cache server gone a change must still save: the failure is logged and the bump
    made up for when the cache answers again.
    """
    read = _version_read_in_request.get()
    if read:
        read.clear()
    gathered = _gathered.get()
    if gathered is not None:
        gathered[VERSION_KEY] = None
        return
    try:
        bump_version(VERSION_KEY)
        cache.set(CHANGED_AT_KEY, timezone.now().timestamp(), timeout=None)
    except CACHE_ERRORS as error:
        cache_failed(error)


def bump_version(key):
    """Moves the version counter at `key` (which keys of the entries made under it carry)."""
    gathered = _gathered.get()
    if gathered is not None:
        gathered[key] = None
        return
    try:
        cache.incr(key)
    except ValueError:  # never created, or evicted: a fresh one is newer than any old entry
        cache.add(key, fresh_version(), timeout=None)


def content_changed(**kwargs):
    """Signal receiver: a change readers could see happened in the current transaction.

    Bumped at once and again after the commit: a reader who renders the old rows in between
    caches them under the intermediate version, which the commit's bump retires. (A rolled-back
    change therefore costs one round of cache misses, never a stale page.) Inside the test
    suite's never-committed transactions the first bump is what keeps pages fresh.
    """
    if kwargs.get("action", "post_").startswith("pre_"):  # m2m_changed: wait for the change itself
        return
    using = kwargs.get("using")
    bump_content_version()
    if transaction.get_connection(using).in_atomic_block:
        transaction.on_commit(bump_content_version, using=using)


def _schedule_key(version):
    return f"newsroom:schedule:{version}"


def _year_bounds(now):
    """The start of the current and of the next local year: the footer's © year changes then."""
    zone = zoneinfo.ZoneInfo(settings.TIME_ZONE)
    local = now.astimezone(zone)
    this_year = dt.datetime(local.year, 1, 1, tzinfo=zone)
    return this_year, dt.datetime(local.year + 1, 1, 1, tzinfo=zone)


def schedule(version=None):
    """(last, next): the latest past and the earliest future moment at which pages change by
    themselves — a publication time or an expiry time of a published article, or New Year.

    One query of four index seeks (_moments_around), cached under the version until `next`, so
    that the next request after it recomputes both.
    """
    version = content_version() if version is None else version
    now = timezone.now()
    cached = cache.get(_schedule_key(version))
    # The stored `next` is checked against the clock too: a cache's own expiry is not exact to
    # the second (Redis TTLs are whole seconds) and tests move the clock without moving it.
    if cached is not None and cached[1] > now:
        return cached
    moments = _moments_around(now)
    this_year, next_year = _year_bounds(now)
    last = max(m for m in (moments["last_publish"], moments["last_expiry"], this_year) if m)
    upcoming = min(m for m in (moments["next_publish"], moments["next_expiry"], next_year) if m)
    result = (last, upcoming)
    cache.set(_schedule_key(version), result, timeout=(upcoming - now).total_seconds())
    return result


def _moments_around(now):
    """The published articles' latest publication and expiry before `now` and earliest after.

    Four index seeks in one query (article_live_idx, article_expiry_idx): aggregating them with
    MAX/MIN would read every published article on every content change.
    """
    from articles.models import Article

    published = Article.objects.filter(status=Article.Status.PUBLISHED)

    def nearest(field, condition, newest):
        found = published.filter(**{f"{field}__{condition}": now}).order_by(("-" if newest else "") + field)
        return Subquery(found.values(field)[:1])

    row = (
        Article.objects.annotate(
            last_publish=nearest("published_at", "lte", newest=True),
            next_publish=nearest("published_at", "gt", newest=False),
            last_expiry=nearest("expires_at", "lte", newest=True),
            next_expiry=nearest("expires_at", "gt", newest=False),
        )
        .values("last_publish", "next_publish", "last_expiry", "next_expiry")
        .order_by()[:1]
    )
    return next(iter(row), dict.fromkeys(("last_publish", "next_publish", "last_expiry", "next_expiry")))


def content_changed_at(version=None):
    """When the public pages last changed: the last recorded change or scheduled moment."""
    last_moment, _ = schedule(version)
    changed = cache.get(CHANGED_AT_KEY)
    if changed is None:  # evicted or never recorded: say "now" and keep saying it
        cache.add(CHANGED_AT_KEY, timezone.now().timestamp(), timeout=None)
        changed = cache.get(CHANGED_AT_KEY)
    return max(last_moment, dt.datetime.fromtimestamp(changed, dt.UTC))


def page_timeout(version=None):
    """Seconds a page rendered now may be kept: the default, but never past the next moment
    `published()` changes by itself."""
    _, upcoming = schedule(version)
    remaining = (upcoming - timezone.now()).total_seconds()
    return max(0.0, min(float(settings.NEWSROOM["PAGE_CACHE_TIMEOUT"]), remaining))


class ProcessLocalCache(dict):
    """What a process keeps of values that never change meaning under their key (a versioned
    key, or a pure function's arguments): at most `limit` entries, all dropped when it is full,
    which costs less than keeping them in order of use."""

    def __init__(self, limit):
        super().__init__()
        self.limit = limit

    def keep(self, key, value):
        if len(self) >= self.limit:
            self.clear()
        self[key] = value
        return value


class VersionedEntries:
    """Cache entries whose keys carry a version, with a copy of each kept in this process.

    Such a key names one value for good: a change moves the version, so it makes a new key and
    never rewrites an old one. A local copy is therefore as exact as the cache server's and
    spares it a round trip and the transfer of a whole page. At most `kept` copies are held.
    """

    def __init__(self, kept):
        self._copies = ProcessLocalCache(kept)

    def get_many(self, keys):
        found = {key: self._copies[key] for key in keys if key in self._copies}
        wanted = [key for key in keys if key not in found]
        if wanted:
            fetched = cache.get_many(wanted)
            for key, value in fetched.items():
                self._copies.keep(key, value)
            found.update(fetched)
        return found

    def get(self, key):
        return self.get_many([key]).get(key)

    def set(self, key, value, timeout):
        cache.set(key, value, timeout)
        self._copies.keep(key, value)


# Pages by page_key(): a hit reads the version from the cache server, the page from here.
pages = VersionedEntries(kept=512)
# kept_per_content_version() values; shared by the requests of this process, so never to be changed in place.
values = VersionedEntries(kept=1024)


def read_parameters(request):
    """The query parameters the page at the request's path reads (QUERY_PARAMETERS of articles.urls
    and articles.api.urls)."""
    from django.urls import Resolver404, resolve

    from articles import urls as site_urls
    from articles.api import urls as api_urls

    match = getattr(request, "resolver_match", None)
    if match is None:
        try:
            match = resolve(request.path_info)
        except Resolver404:
            return ()
    # Each URLconf declares what its views read: the reading site's pages and the JSON API's.
    declared = {module.app_name: module.QUERY_PARAMETERS for module in (site_urls, api_urls)}
    return declared.get(match.namespace, {}).get(match.url_name, ())


def read_query(request):
    """The request's query reduced to what its page reads: each declared parameter it carries, in
    their declared order, with the value the view reads (the last one given)."""
    query = QueryDict(mutable=True)
    if request.META.get("QUERY_STRING"):  # most requests carry none: no need to find the view
        for name in read_parameters(request):
            if name in request.GET:
                query[name] = request.GET[name]
    return query


def canonical_host():
    """The host every reader page is kept under: NEWSROOM["SITE_URL"]'s, in lower case, its port
    only if it is not the scheme's default."""
    site = urlsplit(settings.NEWSROOM["SITE_URL"])
    host = (site.hostname or "").lower()
    default_port = {"http": 80, "https": 443}.get(site.scheme)
    return host if site.port in (None, default_port) else f"{host}:{site.port}"


def page_address(request):
    """(The address a stored page answers, whether the request asks for exactly that page).

    The address holds the scheme (a page is kept with the security middleware's headers, which
    differ for https), the canonical_host() and the path with read_query(). A reader page names
    no host but SITE_URL's (articles.seo builds every absolute link on it), so the host names a
    request may use (any allowed one, in any case, with or without its port) share one page.
    A request carrying anything else in its query (a campaign's utm_…, a parameter given twice)
    gets the same page but must not store one: each such variant would be a page of its own.
    """
    query = read_query(request)
    address = f"{request.scheme}://{canonical_host()}{escape_uri_path(request.path)}"
    if query:
        address += "?" + query.urlencode()
    exact = sum(len(values) for _name, values in request.GET.lists()) == len(query)
    return address, exact


def page_key(version, address):
    """The cache key of a reader page: its version and its page_address()'s address."""
    # Hashed: a query string is as long as a client likes, a cache key should not be.
    digest = hashlib.sha256(address.encode()).hexdigest()
    return f"newsroom:page:{version}:{digest}"


def kept_per_content_version(name, compute, *, follows_published=True):
    """compute()'s value, kept under the content version exactly as pages are, so
    that a part of a page that is the same for every reader is queried once a version.

    `follows_published=False` says the value does not depend on `published()` (which changes
    with the clock), sparing the schedule query.
    """
    try:
        version = content_version()
        key = f"newsroom:value:{version}:{name}"
        entry = values.get(key)
        now = timezone.now().timestamp()
        # The entry's own deadline is checked as the page cache checks its pages' (see schedule).
        if entry is not None and entry[0] > now:
            return entry[1]
        value = compute()
        timeout = page_timeout(version) if follows_published else settings.NEWSROOM["PAGE_CACHE_TIMEOUT"]
        if timeout >= 1:
            values.set(key, (now + timeout, value), timeout)
        return value
    except CACHE_ERRORS as error:  # the cache server is gone: ask the database
        cache_failed(error)
        return compute()
