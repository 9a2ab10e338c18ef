"""Saving legacy articles: one file, one transaction; running it again changes nothing."""

import collections
import contextlib
import datetime as dt
import enum
import functools
import hashlib
import os
import time
from dataclasses import dataclass, field
from pathlib import Path
from urllib.parse import unquote

import reversion
from django.conf import settings
from django.db import InterfaceError, OperationalError, connection, transaction
from django.db.models import Q
from django.utils.text import Truncator

from articles import caching
from articles.bodies import clean_body, oversized
from articles.images.download import Fetched, FetchFailed, RemoteImageFetcher
from articles.images.library import content_digest, delete_names, find_duplicate, store_image
from articles.images.validation import ImageRejected, inspect_image
from articles.models import Article, Author, Category, Image, LegacyURL, SearchDocument, Tag, TaggedArticle
from articles.models.search import remember_plain_body
from articles.sanitize import MarkupTooComplex
from articles.slugs import readable_slug, unique_slug
from articles.text import plain_text

from .archive import Archive, archives_for, describe, identity_path
from .body import find_remote_images, rewrite_image_sources
from .fields import fit_to_fields
from .frontmatter import DEFAULT_MAX_BYTES, LegacyFileError, NoFrontMatter, read_raw, record_from_raw
from .htmldepth import refuse_deep_html
from .identities import KnownArticles, identity_of
from .isolation import TookTooLong, prepare_in_workers, time_budget
from .limits import FILE_TIME_BUDGET_SECONDS, TAG_LOOKUP_BATCH
from .linking import link_imported_articles
from .mapping import MappingError, map_record
from .report import IDENTITY, IMAGE, REDIRECT, SLUG, warning
from .siteconfig import SiteConfig

DEFAULT_EXTENSIONS = (".md", ".markdown", ".html", ".htm", ".txt")
# Files whose images are being downloaded while the one before them is written.
DOWNLOAD_LOOKAHEAD_FILES = 16
BATCH_SIZE = 16  # files a worker prepares per task
BATCHES_IN_FLIGHT_PER_WORKER = 4
# How long readers may be shown cached pages from before the files an import just committed.
BUMPS_EVERY_SECONDS = 1.0


class Outcome(enum.Enum):
    CREATED = "created"
    UPDATED = "updated"
    UNCHANGED = "unchanged"
    CONFLICT = "conflict"
    SKIPPED = "skipped"
    FAILED = "failed"


@dataclass
class FileResult:
    path: Path
    outcome: Outcome
    reason: str = ""
    article: Article | None = None
    warnings: list = field(default_factory=list)
    archive: str = ""
    source_path: str = ""  # the file's path inside its archive
    title: str = ""  # the article's, as the file gives it (or as stored, for an unchanged file)


@dataclass
class ImportOptions:
    tz: dt.tzinfo
    default_author: str
    status: str | None = None
    categories: str = "path"
    body_format: str = "auto"
    site: SiteConfig = field(default_factory=SiteConfig)  # the old site's URLs, clock and languages
    # Each archive's own old site and clock, by archive name (`site` and `tz` for the others).
    sites: dict = field(default_factory=dict)
    zones: dict = field(default_factory=dict)
    redirects: bool = True  # record the addresses the site's permalink pattern gave
    source_root: Path | None = None
    overwrite_edited: bool = False
    dry_run: bool = False
    max_bytes: int = DEFAULT_MAX_BYTES
    allow_missing_front_matter: bool = False
    download_images: bool = False
    allow_private_image_hosts: bool = False
    time_budget: float = FILE_TIME_BUDGET_SECONDS  # seconds to read, map and sanitize one file


def site_for(options, archive):
    """The old site (a SiteConfig) the files of `archive` were published by."""
    return options.sites.get(archive.name, options.site)


def zone_for(options, archive):
    """The time zone of the dates the files of `archive` wrote without one."""
    return options.zones.get(archive.name, options.tz)


_MISSING = object()  # an image reference that names no file in the archive


class _DryRunRollback(Exception):
    """Raised inside a dry run's transaction so that nothing it wrote is kept."""


@dataclass(frozen=True)
class LegacyFile:
    """A file to import: where it is, its archive, and the folder the import was given."""

    path: Path
    archive: Archive
    import_root: Path  # the folder given to the import (a file's own folder when a file was given)
    refused: tuple = ()  # (Outcome, reason) for a link not followed: a row in the report, nothing read

    @functools.cached_property
    def source_path(self):
        """The file's path inside its archive: with the archive's name, its identity."""
        return identity_path(self.path, self.archive.root)

    @property
    def identity(self):
        return self.archive.name, self.source_path


def find_legacy_files(paths, extensions=DEFAULT_EXTENSIONS, *, source=None):
    """Yield a LegacyFile for each importable file under `paths`, in a stable order.

    Each path's archive is found by walking up to its root (articles.importing.archive), named
    `source` when given; ArchiveError when two archives would share a name. Hidden folders and
    files are skipped, links are not followed out of the folder given, and a file found under
    two of the paths is yielded once.
    """
    paths = [Path(given) for given in paths]
    for given in paths:
        if not given.exists():
            raise FileNotFoundError(f"{given}: no such file or folder")
    archives = archives_for(paths, source)
    seen = set()
    for given in paths:
        for path, import_root, refused in _files_under(given, extensions):
            resolved = Path(os.path.abspath(path)) if refused else path.resolve()
            if resolved not in seen:
                seen.add(resolved)
                yield LegacyFile(path, archives[given], import_root, refused)


def _files_under(given, extensions):
    if given.is_file():
        yield given, given.parent, ()
        return
    root = given.resolve()
    for folder, subfolders, files in os.walk(given):
        subfolders[:] = sorted(d for d in subfolders if not d.startswith("."))
        for name in sorted(files):
            candidate = Path(folder) / name
            if name.startswith(".") or candidate.suffix.lower() not in extensions:
                continue
            yield candidate, given, _link_refused(candidate, root)


def _link_refused(candidate, root):
    """(Outcome, reason) when `candidate` is a link that is not followed, else ()."""
    if not candidate.is_symlink():
        return ()
    try:
        target = candidate.resolve(strict=True)
    except RuntimeError:  # Path.resolve's word for a loop
        return Outcome.FAILED, "a symbolic link that leads back to itself (a loop); not followed"
    except OSError as error:
        return Outcome.FAILED, (
            f"a symbolic link to {os.readlink(candidate)!r}, which cannot be read ({error.strerror}); not imported"
        )
    if not target.is_relative_to(root):
        return Outcome.SKIPPED, f"a symbolic link to {target}, outside the imported folder; not followed"
    return ()


@dataclass
class Prepared:
    """A file read, mapped and sanitized (the CPU-bound half), or the reason it went no further."""

    file: LegacyFile
    values: object = None
    result: FileResult | None = None

    @property
    def path(self):
        return self.file.path


def prepare_file(file, options, known_hashes):
    """Read, map and sanitize one LegacyFile without the database; safe to run in a worker process.

    A file that needs more than the options' time budget fails, with the reason.
    """
    try:
        with time_budget(options.time_budget):
            return _prepare_file(file, options, known_hashes)
    except TookTooLong as error:
        return _failed_early(file, str(error))


def _failed_early(file, reason):
    """A file that failed before it was prepared (time budget, crashed worker)."""
    archive, source_path = file.identity
    return Prepared(
        file, result=FileResult(file.path, Outcome.FAILED, reason, archive=archive, source_path=source_path)
    )


def _prepare_file(file, options, known_hashes):
    path = file.path

    def prepared(*, values=None, result=None):
        if result is not None:
            result.archive, result.source_path = file.identity
        return Prepared(file, values, result)

    if file.refused:
        return prepared(result=FileResult(path, *file.refused))
    try:
        raw = read_raw(path, max_bytes=options.max_bytes)
        # Unchanged files are known by their bytes alone: nothing is parsed or written.
        if known_hashes.get(file.identity) == hashlib.sha256(raw).hexdigest():
            return prepared(result=FileResult(path, Outcome.UNCHANGED))
        # Paths are relative to the archive's root, whichever of its folders was imported.
        record = record_from_raw(
            raw, path, file.archive.root, allow_missing_front_matter=options.allow_missing_front_matter
        )
        values = map_record(
            record,
            tz=zone_for(options, file.archive),
            default_author=options.default_author,
            status=options.status,
            categories=options.categories,
            body_format=options.body_format,
            site=site_for(options, file.archive),
            redirects=options.redirects,
        )
        if too_large := oversized(values.body_html):
            reason = "body is too large: {:,} bytes, over the limit of {:,}".format(*too_large)
            return prepared(result=FileResult(path, Outcome.FAILED, reason))
        fit_to_fields(values)
        refuse_deep_html(values.body_html)  # before the sanitizer, which is slow on deep nesting
        removed = []
        values.body_html = clean_body(values.body_html, removed=removed)
        # What the policy dropped is named, never lost silently (an iframe's host, a script's …).
        values.warnings += [f"{'embed' if r.is_embed else 'content'} removed: {r}" for r in removed]
        # The search document's text, derived here in parallel rather than in the writing process.
        values.body_text = plain_text(values.body_html)
        if not values.summary:
            # excerpt() of the body, from the text just derived rather than from a second parse.
            values.summary = Truncator(values.body_text).chars(settings.NEWSROOM["SUMMARY_LENGTH"])
    except NoFrontMatter as error:
        return prepared(result=FileResult(path, Outcome.SKIPPED, str(error)))
    except (LegacyFileError, MappingError) as error:
        return prepared(result=FileResult(path, Outcome.FAILED, str(error)))
    except MarkupTooComplex as error:
        return prepared(result=FileResult(path, Outcome.FAILED, f"body refused: {error}"))
    except OSError as error:
        reason = f"cannot read: {error.strerror or error}"
        return prepared(result=FileResult(path, Outcome.FAILED, reason))
    except Exception as error:  # an unforeseen value must fail this file, not the whole run
        reason = f"cannot map: {type(error).__name__}: {error}"
        return prepared(result=FileResult(path, Outcome.FAILED, reason))
    return prepared(values=values)


class Importer:
    """Imports files one by one; keeps what it learnt (hashes, authors, categories) for the run."""

    def __init__(self, options):
        self.options = options
        self.known = KnownArticles()
        if connection.vendor == "postgresql":
            # Each file is its own transaction; waiting for every commit's flush to disk would
            # dominate an import. A crash loses at most the last moments' commits, never
            # consistency, and re-running the import restores them. This session only.
            with connection.cursor() as cursor:
                cursor.execute("SET synchronous_commit TO OFF")
        if connection.vendor == "sqlite":
            # The site's larger page cache saves an import some page reads but costs it its memory
            # goal on a large archive (bench/README.md): an import keeps SQLite's small default.
            with connection.cursor() as cursor:
                cursor.execute("PRAGMA cache_size=-2000")
        # Held in memory so that a new article costs no look-up for its slug or old addresses.
        self.slugs = set(Article.objects.values_list("slug", flat=True))
        self.legacy_owners = dict(LegacyURL.objects.values_list("path", "article_id"))
        self.remote_images = {}
        # Remote URLs whose picture is in the library: (image pk, file name). Never fetched again.
        self.downloaded = {}
        for url, pk, name in Image.objects.exclude(source_url="").values_list("source_url", "pk", "file"):
            self.remote_images[url] = pk
            if options.download_images and name:
                self.downloaded[url] = (pk, name)
        self._fetcher = None
        self._fetched = {}  # the current file's download outcomes, by URL
        self._downloaded_now = {}  # the current file's images stored from downloads, by URL
        self._download_warned = set()
        self._authors = {}
        self._categories = {}
        self._tags = {}
        self._learnt = []  # what the current file taught the caches, kept only if it is saved
        self.unresolved_links = []  # (source path, crosslinks.Unresolved) once the run is over

    def import_files(self, files, *, jobs=0):
        """Yield a FileResult per LegacyFile in `files`, in order.

        With `jobs` > 0, reading, mapping and sanitizing run in that many worker processes
        while this process writes to the database; saving stays here, one transaction a file.
        With `download_images`, the images of the next files download in a thread pool meanwhile.
        Once every file is saved, `after_all_files` runs.
        """
        files = list(files)
        self.known.survey(files)
        prepared = self._prepare_all(files, jobs)
        # New articles' search documents are written a batch at a time, between files; the
        # cached pages and parts are retired together every BUMPS_EVERY_SECONDS, between files.
        with (
            caching.bumps_gathered(),
            SearchDocument.objects.in_batches() as index_batches,
            contextlib.ExitStack() as downloads,
        ):
            if self.options.download_images:
                allow_private = self.options.allow_private_image_hosts
                self._fetcher = downloads.enter_context(RemoteImageFetcher(allow_private=allow_private))
                downloads.callback(setattr, self, "_fetcher", None)
                prepared = self._downloading_ahead(prepared)
            flushed = time.monotonic()
            for one in prepared:
                yield self.save_prepared(one)
                index_batches.write_full()
                if time.monotonic() - flushed >= BUMPS_EVERY_SECONDS:
                    caching.flush_gathered()
                    flushed = time.monotonic()
            self.after_all_files()

    def after_all_files(self):
        """Called once when every file of the run is saved: work that needs the whole run.

        Cross-links (post_link, post_url, ref …) may name files saved after them: they are made
        real now (articles.importing.linking).
        """
        self.unresolved_links = [] if self.options.dry_run else link_imported_articles()

    def _prepare_all(self, files, jobs):
        if jobs <= 0:
            for file in files:
                yield prepare_file(file, self.options, self.known.hashes)
            return
        # A bounded window of files in flight: workers may run ahead of the database, but
        # prepared articles never pile up in memory. A worker that crashes or hangs fails its file.
        yield from prepare_in_workers(
            files,
            functools.partial(prepare_file, options=self.options, known_hashes=self.known.hashes),
            _failed_early,
            jobs=jobs,
            batch_size=BATCH_SIZE,
            window=BATCH_SIZE * BATCHES_IN_FLIGHT_PER_WORKER * jobs,
            budget=self.options.time_budget,
        )

    def _downloading_ahead(self, prepared_files):
        """The prepared files in order; each is handed on once the downloads of the next few have started."""
        window = collections.deque()
        for prepared in prepared_files:
            self._fetcher.prefetch(self._urls_to_download(prepared.values))
            window.append(prepared)
            if len(window) > DOWNLOAD_LOOKAHEAD_FILES:
                yield window.popleft()
        yield from window

    def _urls_to_download(self, values):
        """The remote image URLs of a prepared file whose picture the library does not hold yet."""
        if values is None:
            return []
        urls = [url for url in (values.hero_image_url, values.thumbnail_url) if _is_remote(url)]
        urls += [_fetchable(src) for src in find_remote_images(values.body_html)]
        return [url for url in dict.fromkeys(urls) if url not in self.downloaded]

    def _learn(self, cache, key, value):
        self._learnt.append((cache, key, value))

    def save_prepared(self, prepared):
        file = prepared.file
        archive, source_path = file.identity
        twin = self.known.first_with_identity(file)
        if twin is not None:
            # Never merged: the first file of an identity is imported, the others are refused.
            reason = (
                f"same identity ({describe(archive, source_path)}) as {twin.path} in this run; not "
                "imported (name each archive with its own --source)"
            )
            values = prepared.values
            return FileResult(
                file.path,
                Outcome.CONFLICT,
                reason,
                warnings=values.warnings if values else [],
                archive=archive,
                source_path=source_path,
                title=values.title if values else "",
            )
        if prepared.result is not None:
            if prepared.result.outcome is Outcome.UNCHANGED:
                known = self.known.get(file.identity)
                prepared.result.article = known
                prepared.result.title = known.title if known is not None else ""
            return prepared.result
        values = prepared.values
        later_twin = self.known.later_with_identity(file)
        if later_twin is not None:
            values.warnings.append(
                warning(
                    IDENTITY,
                    f"{later_twin.path} has the same identity ({describe(archive, source_path)}) in this "
                    "run and was not imported",
                )
            )
        result = functools.partial(FileResult, file.path, archive=archive, source_path=source_path, title=values.title)
        stored_files = []
        self._learnt = []
        # Downloads happen here, before the file's transaction opens: no lock waits on the network.
        self._fetched = self._fetcher.fetch_many(self._urls_to_download(values)) if self._fetcher else {}
        self._downloaded_now, self._download_warned = {}, set()
        try:
            article, outcome, reason = self.save(values, file, stored_files)
        except _DryRunRollback as rollback:
            article, outcome, reason = rollback.args
        except Exception as error:
            # The file's transaction is rolled back; the pictures it stored go with it.
            delete_names(stored_files)
            if isinstance(error, (OperationalError, InterfaceError)) and not _database_answers():
                # The database itself is gone (refused, dropped, closed): no later file can be
                # saved, so the run stops here. One it still answers refused this file's values.
                raise
            # A database refusal of one file must not stop the others.
            return result(Outcome.FAILED, f"cannot save: {error}", warnings=values.warnings)
        finally:
            if self._fetcher:
                # The pictures are stored (or not needed); holding their bytes would grow with the run.
                self._fetcher.release(self._fetched)
        if outcome in (Outcome.CREATED, Outcome.UPDATED) and not self.options.dry_run:
            for cache, key, value in self._learnt:
                cache.setdefault(key, value)
            self.known.remember(article)
            self.slugs.add(article.slug)
            for old_path in values.legacy_paths:
                self.legacy_owners.setdefault(old_path, article.pk)
        return result(outcome, reason, article=article, warnings=values.warnings)

    def save(self, values, file, stored_files):
        """Create or update the article for `values` atomically; returns (article, outcome, reason).

        An update keeps a revision of the article as the changed file made it, so editors can
        compare it with what was there before. A new article's record is its source file (path and
        hash), which keeps a first import of ten thousand files within a minute.
        """
        with transaction.atomic(), contextlib.ExitStack() as revision:
            article = self.known.find(values, file)
            if article is not None and article.source_hash == values.source_hash:
                if (article.source_archive, article.source_path) == identity_of(file, values):
                    return article, Outcome.UNCHANGED, ""
                return self._moved(article, values, file)
            if article is not None and article.edited_since_import and not self.options.overwrite_edited:
                reason = (
                    f"edited in the CMS since its import (last saved {article.updated_at:%Y-%m-%d %H:%M}); "
                    "kept as it is (--overwrite-edited replaces it)"
                )
                return article, Outcome.CONFLICT, reason
            created = article is None
            if created:
                self.known.warn_about_shared_id(values, file)
            else:
                revision.enter_context(reversion.create_revision())
                reversion.set_comment(f"导入 {values.source_path}")
            article = article or Article(slug=self._free_slug(values))
            self._fill(article, values, file, stored_files)
            article.save(imported=True)
            leaves = [self._category(names) for names in values.category_paths]
            tags = self._tag_objects(values.tags)
            if created:
                # A new article has no links yet: write them in one statement each.
                Article.categories.through.objects.bulk_create(
                    [Article.categories.through(article=article, category=leaf) for leaf in dict.fromkeys(leaves)]
                )
                TaggedArticle.objects.bulk_create([TaggedArticle(content_object=article, tag=tag) for tag in tags])
            else:
                article.categories.set(leaves)
                article.tags.set(tags)
            self._record_legacy_urls(article, values)
            outcome = Outcome.CREATED if created else Outcome.UPDATED
            if self.options.dry_run:
                raise _DryRunRollback(article, outcome, "")
            return article, outcome, ""

    def _moved(self, article, values, file):
        """The same file under a new name (or first seen in its archive): follow it, and keep the
        old addresses answering."""
        article.source_archive, article.source_path = identity_of(file, values)
        article.save(update_fields=["source_archive", "source_path"], imported=True)
        self._record_legacy_urls(article, values)
        if self.options.dry_run:
            raise _DryRunRollback(article, Outcome.UPDATED, "")
        return article, Outcome.UPDATED, ""

    def _free_slug(self, values):
        wanted = values.slug or values.title_slug or readable_slug(values.title, max_length=100, fallback="article")
        slug = unique_slug(wanted, self.slugs.__contains__, max_length=120)
        if values.slug and slug != values.slug:
            values.warnings.append(warning(SLUG, f"slug: {values.slug!r} is taken by another article, using {slug!r}"))
        return slug

    def _fill(self, article, values, file, stored_files):
        # Pictures are read only from below the folder given to the import (and --source-root).
        path, root = file.path, file.import_root
        article.title = values.title
        article.author = self._author(values.author_name)
        article.summary = values.summary
        article.body = self._body_with_library_images(values, path, root, stored_files)
        remember_plain_body(article, values.body_html, values.body_text)
        article.status = values.status
        article.published_at = values.published_at
        article.allow_comments = values.allow_comments
        article.hero_image = self._image(values.hero_image_url, "hero image", values, path, root, stored_files)
        if values.thumbnail_url == values.hero_image_url:
            article.thumbnail = article.hero_image
        else:
            article.thumbnail = self._image(values.thumbnail_url, "thumbnail", values, path, root, stored_files)
        article.source_archive, article.source_path = identity_of(file, values)
        article.source_hash = values.source_hash
        article.source_id = values.source_id
        article.source_updated_at = values.source_updated_at
        article.language = values.language
        article.front_matter = values.front_matter

    def _author(self, name):
        author = self._authors.get(name)
        if author is None:
            author, _ = Author.objects.get_or_create(name=name)
            self._learn(self._authors, name, author)
        return author

    def _category(self, names):
        key = tuple(names)
        leaf = self._categories.get(key)
        if leaf is None:
            leaf = Category.objects.get_or_create_path(names)
            self._learn(self._categories, key, leaf)
        return leaf

    def _tag_objects(self, names):
        """Tags for `names`, found case-insensitively as taggit does, created when new."""
        tags, missing = [], []
        for name in names:
            tag = self._tags.get(name.casefold())
            (tags.append(tag) if tag else missing.append(name))
        if missing:
            found = {}
            # In batches: one OR of thousands of terms passes SQLite's expression depth.
            for start in range(0, len(missing), TAG_LOOKUP_BATCH):
                lookup = Q()
                for name in missing[start : start + TAG_LOOKUP_BATCH]:
                    lookup |= Q(name__iexact=name)
                found.update((tag.name.casefold(), tag) for tag in Tag.objects.filter(lookup))
            for name in missing:
                tag = found.get(name.casefold()) or Tag.objects.create(name=name)
                found[name.casefold()] = tag
                tags.append(tag)
            for key, tag in found.items():
                self._learn(self._tags, key, tag)
        return list(dict.fromkeys(tags))

    def _image(self, reference, role, values, path, root, stored_files):
        if not reference:
            return None
        if _is_remote(reference):
            downloaded = self._downloaded_image(reference, values, stored_files)
            if downloaded is not None:
                return downloaded
            if reference in self.remote_images:
                return Image(pk=self.remote_images[reference], source_url=reference)
            # remote_images knows every URL recorded before and during this run. A clash with a
            # concurrent writer fails this file, and running the import again mends it.
            image = Image.objects.create(source_url=reference)
            self._learn(self.remote_images, reference, image.pk)
            return image
        image = self._local_image(reference, path, root, values, stored_files)
        if image is _MISSING:
            values.warnings.append(warning(IMAGE, f"{role}: {reference!r} not found on disk; left out"))
            return None
        return image

    def _body_with_library_images(self, values, path, root, stored_files):
        """The body with each image the library now holds (copied or downloaded) pointing at it."""
        new_sources, missing = {}, []
        for src in values.local_images:
            image = self._local_image(src, path, root, values, stored_files)
            if image is _MISSING:
                missing.append(src)
            elif image is not None and image.file:
                new_sources[src] = image.file.url
        if missing:
            hint = "" if self.options.source_root else " (give --source-root, the old site's source/ folder)"
            shown = ", ".join(repr(src) for src in missing[:3]) + (" …" if len(missing) > 3 else "")
            values.warnings.append(
                warning(IMAGE, f"{len(missing)} body image(s) not found{hint}, left as they were: {shown}")
            )
        if self.options.download_images:
            for src in find_remote_images(values.body_html):
                image = self._downloaded_image(_fetchable(src), values, stored_files)
                if image is not None:
                    new_sources[src] = image.file.url
        # Article.save() turns <img>s of library files into responsive <picture> markup.
        return rewrite_image_sources(values.body_html, new_sources) if new_sources else values.body_html

    def _downloaded_image(self, url, values, stored_files):
        """The library image holding the picture at `url`, stored now if it was just downloaded.

        None when downloads are off, in a dry run, or when the download failed (warned once per
        file; the article keeps the remote URL).
        """
        if not self.options.download_images:
            return None
        if url in self._downloaded_now:
            return self._downloaded_now[url]
        if url in self.downloaded:
            pk, name = self.downloaded[url]
            return Image(pk=pk, file=name)
        outcome = self._fetched.get(url)
        if isinstance(outcome, Fetched) and outcome.data is None and not self.options.dry_run:
            # Released after an earlier file that fetched it without keeping it (a move, a conflict).
            outcome = self._fetcher.fetch(url)
        if not isinstance(outcome, Fetched):
            if isinstance(outcome, FetchFailed) and url not in self._download_warned:
                self._download_warned.add(url)
                values.warnings.append(
                    warning(IMAGE, f"image {url} not downloaded, the remote URL stays: {outcome.reason}")
                )
            return None
        if self.options.dry_run:
            return None  # the download was tried, which is what a dry run can tell; nothing is stored
        remote = Image.objects.filter(pk=self.remote_images[url]).first() if url in self.remote_images else None
        try:
            stored = store_image(
                outcome.data,
                name=outcome.name,
                prepared=outcome.prepared,
                image=remote,
                stored_files=stored_files,
                source_url=url,
            )
        except ImageRejected as rejection:
            self._download_warned.add(url)
            values.warnings.append(
                warning(IMAGE, f"image {url} refused by the image library, the remote URL stays: {rejection}")
            )
            return None
        image = stored.image
        if not stored.created and not image.source_url and remote is None:
            # The same picture arrived before without an address (an upload, a local copy).
            image.source_url = url
            image.save(update_fields=["source_url"])
        if image.source_url == url:
            self._learn(self.remote_images, url, image.pk)
        self._learn(self.downloaded, url, (image.pk, image.file.name))
        self._downloaded_now[url] = image
        return image

    def _local_image(self, reference, path, root, values, stored_files):
        """The library image for a file of the old site, copied in once (deduplicated by content).

        Returns _MISSING when no such file exists, None when it exists but was refused (warned).
        """
        found = self._locate(reference, path, root)
        if found is None:
            return _MISSING
        max_bytes = settings.NEWSROOM_IMAGES["MAX_BYTES"]
        if found.stat().st_size > max_bytes:
            values.warnings.append(warning(IMAGE, f"image {reference!r} is over {max_bytes} bytes; left out"))
            return None
        data = found.read_bytes()
        try:
            if self.options.dry_run:
                # Checked as the library would, but not stored: a row without a file, which the
                # dry run's rollback discards.
                inspect_image(data, name=found.name)
                digest = content_digest(data)
                return find_duplicate(digest) or Image.objects.create(sha256=digest)
            return store_image(data, name=found.name, stored_files=stored_files).image
        except ImageRejected as rejection:
            values.warnings.append(
                warning(IMAGE, f"image {reference!r} refused by the image library, left out: {rejection}")
            )
            return None

    def _locate(self, reference, path, root):
        """The file a relative or site-absolute image path names, if it lies inside the archive."""
        clean = unquote(reference.split("?")[0].split("#")[0])
        source_root = self.options.source_root
        candidates = []
        if clean.startswith("/"):
            if source_root is not None:
                candidates.append(source_root / clean.lstrip("/"))
        else:
            candidates.append(path.parent / clean)
            candidates.append(path.parent / path.stem / clean)  # Hexo's post asset folder
            if source_root is not None:
                candidates.append(source_root / clean)
        allowed = [Path(root).resolve()] + ([source_root.resolve()] if source_root else [])
        for candidate in candidates:
            resolved = candidate.resolve()
            if resolved.is_file() and any(resolved.is_relative_to(a) for a in allowed):
                return resolved
        return None

    def _record_legacy_urls(self, article, values):
        wanted = [p for p in values.legacy_paths if p != article.get_absolute_url()]
        if not wanted:
            return
        taken = {p: self.legacy_owners[p] for p in wanted if p in self.legacy_owners}
        for old_path, owner in taken.items():
            if owner != article.pk:
                values.warnings.append(
                    warning(REDIRECT, f"legacy URL {old_path} already leads to article {owner}; not changed")
                )
        LegacyURL.objects.bulk_create([LegacyURL(path=p, article=article) for p in wanted if p not in taken])


def _database_answers():
    """Whether the database still runs a statement (after a file's error was rolled back)."""
    try:
        with connection.cursor() as cursor:
            cursor.execute("SELECT 1")
    except (OperationalError, InterfaceError):
        return False
    return True


def refresh_planner_statistics():
    """PostgreSQL: ANALYZE the tables an import filled.

    Until autovacuum gets to a freshly loaded database (a minute or more), its planner takes the
    tables for nearly empty and nests loops that re-run a subquery per row: a search at 600
    imported articles took 17 s instead of 0.05 s (bench/soak.py). SQLite keeps no statistics
    unless asked, and the reader queries are written for its statistics-free planner.
    """
    if connection.vendor != "postgresql":
        return
    written = (Article, Article.categories.through, TaggedArticle, SearchDocument, Category, Tag, Author)
    tables = ", ".join(connection.ops.quote_name(model._meta.db_table) for model in written)
    with connection.cursor() as cursor:
        cursor.execute(f"ANALYZE {tables}")


def _is_remote(reference):
    return reference.startswith(("http://", "https://"))


def _fetchable(src):
    """The URL to download a body image's src from (a protocol-relative //host/… as https)."""
    src = src.strip()
    return "https:" + src if src.startswith("//") else src
