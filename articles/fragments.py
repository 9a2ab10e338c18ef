"""Parts of reader pages kept rendered, each under the version of the one article it shows.

The page cache (articles.caching) keeps whole pages under the site-wide content version: one
edit anywhere retires every page, and a page it does not hold is rendered in full. Most of that
work is in parts that show a single article and look the same to every reader — an article
page's head tags and its content, a list page's card. They are kept here, rendered, under

- the article's own version, moved by any write to the article or to its category and tag links;
- the shared version, moved by a change to what many articles show: an author, a category, an
  image, a tag;
- the release: the templates and settings they were rendered with;

so an edit re-renders only the edited article's parts. Which articles a page lists, and whether
an article is live, are still asked of the database on every request: a part holds how an
article looks, never whether it is shown.
"""

import functools
import hashlib
from pathlib import Path

from django.conf import settings
from django.core.cache import cache
from django.core.signals import setting_changed
from django.db import transaction
from django.dispatch import receiver
from django.utils.safestring import mark_safe

from . import caching
from .models import Article

ARTICLE_VERSION_KEY = "newsroom:article-version:{}"
SHARED_VERSION_KEY = "newsroom:shared-version"
ADDRESS_KEY = "newsroom:address:{}"
# What an address entry keeps of its article: whether it is live, where, its <title>, its
# language, and whether it takes comments (the comment form, below the parts).
ADDRESS_FIELDS = (
    "id", "title", "slug", "status", "published_at", "expires_at", "created_at", "seo_title", "language",
    "allow_comments",
)  # fmt: skip
# The settings a part's markup is made of: addresses, names, media URLs.
RENDERED_SETTINGS = ("NEWSROOM", "NEWSROOM_IMAGES", "MEDIA_URL", "STATIC_URL", "STORAGES", "TIME_ZONE")


def enabled():
    return settings.NEWSROOM["FRAGMENT_CACHE"]


@functools.cache
def release():
    """A digest of the templates and settings parts are rendered with, computed once a process.

    Deploying new templates, or moving the site's address, then uses new keys, without flushing
    the cache server that older processes may still be reading during a rolling restart.
    """
    digest = hashlib.sha256()
    for folder in settings.TEMPLATES[0]["DIRS"]:
        for template in sorted(p for p in Path(folder).rglob("*") if p.is_file()):
            digest.update(template.read_bytes())
    for name in RENDERED_SETTINGS:
        digest.update(repr(getattr(settings, name, None)).encode())
    return digest.hexdigest()[:16]


@receiver(setting_changed)
def _settings_changed(setting, **kwargs):
    if setting in RENDERED_SETTINGS or setting == "TEMPLATES":
        release.cache_clear()


def _bump_now_and_on_commit(keys, using=None):
    """Moves `keys` at once and again after the commit, as caching.content_changed() explains."""

    def bump():
        try:
            for key in keys:
                caching.bump_version(key)
        except caching.CACHE_ERRORS as error:
            caching.cache_failed(error)

    bump()
    if transaction.get_connection(using).in_atomic_block:
        transaction.on_commit(bump, using=using)


def articles_changed(pks, using=None):
    """The articles `pks` changed: their parts are rendered afresh."""
    _bump_now_and_on_commit([ARTICLE_VERSION_KEY.format(pk) for pk in pks], using)


def shared_changed(using=None):
    """Something many articles show changed: every part is rendered afresh."""
    _bump_now_and_on_commit([SHARED_VERSION_KEY], using)


# The version keys this process read under the current content version. Every move of a part
# version is followed by a move of the content version (articles_written(), the receivers'
# order in apps.py, caching.recover_if_reachable()): what was read under a content version is
# therefore exact while it stays current, and a list page of twenty cards asks the cache
# server for none of their versions until something changes.
_read_under = {"content version": None, "versions": {}}


def _versions(keys):
    """The current value of each version key, creating the missing ones."""
    content_version = caching.content_version()
    if _read_under["content version"] != content_version:
        _read_under.update({"content version": content_version, "versions": {}})
    known = _read_under["versions"]
    wanted = [key for key in keys if key not in known]
    if wanted:
        found = cache.get_many(wanted)
        missing = [key for key in wanted if key not in found]
        if missing:
            for key in missing:
                # add(), not set(): a bump made meanwhile by another process must not be undone.
                cache.add(key, caching.fresh_version(), timeout=None)
            found.update(cache.get_many(missing))
        known.update(found)
    return {key: known[key] for key in keys}


# Parts by key, with a copy in this process (see caching.VersionedEntries).
_parts = caching.VersionedEntries(kept=2048)


class KeptParts:
    """The parts named `names` of the articles `pks`, looked up together for one page.

    `get()` gives a part's markup, or None when it must be rendered (and then `store()`d). With
    the cache server gone every part is rendered, and nothing is stored.
    """

    def __init__(self, pks, names):
        self._keys, self._found, self._versions = {}, {}, {}
        article_keys = {pk: ARTICLE_VERSION_KEY.format(pk) for pk in pks}
        try:
            versions = _versions([SHARED_VERSION_KEY, *article_keys.values()])
            if caching.recover_if_reachable():
                versions = _versions([SHARED_VERSION_KEY, *article_keys.values()])
            self._versions = {pk: versions[key] for pk, key in article_keys.items()}
            prefix = f"newsroom:part:{release()}:{versions[SHARED_VERSION_KEY]}"
            self._keys = {
                (name, pk): f"{prefix}:{name}:{pk}:{versions[key]}"
                for pk, key in article_keys.items()
                for name in names
            }
            self._found = _parts.get_many(list(self._keys.values()))
        except caching.CACHE_ERRORS as error:
            caching.cache_failed(error)
            self._keys = {}

    def version(self, pk):
        """The article's version these parts were looked up under (None: the cache is gone)."""
        return self._versions.get(pk)

    def get(self, name, pk):
        html = self.markup(name, pk)
        return None if html is None else mark_safe(html)

    def markup(self, name, pk):
        """The part's markup as kept, not yet marked safe (a list joins twenty), or None."""
        return self._found.get(self._keys.get((name, pk)))

    def missing(self, name, pks):
        """Those of `pks` whose part `name` must be rendered."""
        return [pk for pk in pks if self.markup(name, pk) is None]

    @property
    def complete(self):
        return len(self._found) == len(self._keys) and bool(self._keys)

    def store(self, name, pk, html):
        key = self._keys.get((name, pk))
        if key is None:
            return
        try:
            _parts.set(key, str(html), settings.NEWSROOM["FRAGMENT_CACHE_TIMEOUT"])
        except caching.CACHE_ERRORS as error:
            caching.cache_failed(error)
        self._found[key] = str(html)


def known_address(slug):
    """(version, article, path) last stored for the address `slug`: the article as it was then,
    with ADDRESS_FIELDS only, and its address. Still exact while the article's version is that
    one, so this process keeps a copy of what it read, as VersionedEntries do."""
    known = _addresses.get(slug)
    if known is None:
        try:
            known = cache.get(ADDRESS_KEY.format(slug))
        except caching.CACHE_ERRORS as error:
            caching.cache_failed(error)
            return None
        if known is None:
            return None
        _addresses.keep(slug, known)
    version, fields, path = known
    if len(fields) != len(ADDRESS_FIELDS):
        return None  # kept by a release that kept other fields: read the article afresh
    return version, Article.from_known_values(dict(zip(ADDRESS_FIELDS, fields))), path


def remember_address(slug, version, article):
    """Keeps which article is at `slug`, as read after its version `version` was."""
    if version is None:
        return
    known = (version, tuple(getattr(article, name) for name in ADDRESS_FIELDS), article.get_absolute_url())
    _addresses.keep(slug, known)
    try:
        cache.set(ADDRESS_KEY.format(slug), known, settings.NEWSROOM["FRAGMENT_CACHE_TIMEOUT"])
    except caching.CACHE_ERRORS as error:
        caching.cache_failed(error)


# Addresses by slug as this process last read or stored them (see known_address).
_addresses = caching.ProcessLocalCache(4096)


# --- what moves the versions (connected in articles.apps) ------------------------------------


def article_changed(sender, instance, using=None, **kwargs):
    articles_changed([instance.pk], using)


def article_links_changed(sender, instance, action, reverse, pk_set, using=None, **kwargs):
    """m2m_changed of an article's categories: the articles on the changed side move."""
    if action.startswith("pre_"):
        return
    if not reverse:
        articles_changed([instance.pk], using)
    elif action == "post_clear":
        shared_changed(using)  # which articles lost the category is no longer known
    elif pk_set:
        articles_changed(pk_set, using)


def tag_link_changed(sender, instance, using=None, **kwargs):
    articles_changed([instance.content_object_id], using)


def shown_row_changed(sender, using=None, created=False, **kwargs):
    """An author, category, image or tag changed or went. A new one is in no part yet: the
    article save that first shows it moves that article's version."""
    if not created:
        shared_changed(using)
