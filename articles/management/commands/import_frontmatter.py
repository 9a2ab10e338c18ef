import json
import os
import time
import zoneinfo
from pathlib import Path

from django.conf import settings
from django.core.management.base import BaseCommand, CommandError
from django.db import InterfaceError, OperationalError
from django.utils.translation import gettext as _
from tqdm import tqdm

from articles.importing.frontmatter import DEFAULT_MAX_BYTES
from articles.importing.importer import (
    DEFAULT_EXTENSIONS,
    Importer,
    ImportOptions,
    Outcome,
    find_legacy_files,
    refresh_planner_statistics,
)
from articles.importing.siteconfig import (
    HEXO_DEFAULT_PERMALINK,
    SiteConfig,
    SiteConfigError,
    find_site_config,
    read_site_config,
)

PROGRESS_EVERY_SECONDS = 10
# Below this many files, starting worker processes costs more than it saves.
PARALLEL_FROM_FILES = 200


class Command(BaseCommand):
    help = (
        "Import legacy front-matter files (Hexo, Jekyll, Hugo: YAML, JSON or TOML front matter, "
        "then an HTML or Markdown body). Safe to run again: unchanged files are left alone."
    )

    def add_arguments(self, parser):
        parser.add_argument("paths", nargs="+", metavar="PATH", help="files or folders (recursive)")
        parser.add_argument(
            "--ext",
            default=",".join(DEFAULT_EXTENSIONS),
            help="comma-separated file endings to import (default: %(default)s)",
        )
        parser.add_argument("--default-author", default=settings.NEWSROOM["DEFAULT_AUTHOR"],
                            help="byline for files without an author (default: %(default)s)")
        parser.add_argument("--timezone",
                            help="zone for dates written without one (default: the site config's, "
                                 f"else {settings.TIME_ZONE})")
        parser.add_argument("--status", choices=["draft", "published"],
                            help="give every imported article this status, whatever its file says")
        parser.add_argument("--categories", choices=["path", "flat"], default="path",
                            help="a flat list is one path (Hexo, the default) or separate categories")
        parser.add_argument("--body-format", choices=["auto", "markdown", "html"], default="auto")
        parser.add_argument("--source-root", type=Path,
                            help="the old site's source/ folder, to find images given as site paths")
        parser.add_argument("--site-config", type=Path, metavar="FILE",
                            help="the old site's Hexo or Jekyll _config.yml or Hugo config.toml/hugo.toml, "
                                 "for its permalinks, time zone and languages (default: the one found "
                                 "beside the imported folder or up to 3 folders above it)")
        parser.add_argument("--permalink",
                            help="the old site's permalink pattern, for redirects (default: the site "
                                 f"config's, else Hexo's {HEXO_DEFAULT_PERMALINK})")
        parser.add_argument("--no-redirects", action="store_true",
                            help="record no redirect from the pattern-based old address")
        parser.add_argument("--overwrite-edited", action="store_true",
                            help="replace articles that editors changed since their import")
        parser.add_argument("--dry-run", action="store_true", help="write nothing; report what would happen")
        parser.add_argument("--report", type=Path, metavar="FILE", help="write one JSON line per file")
        parser.add_argument("--max-size", type=int, default=DEFAULT_MAX_BYTES, metavar="BYTES",
                            help="refuse files larger than this (default: %(default)s)")
        parser.add_argument("--allow-missing-front-matter", action="store_true",
                            help="import files without front matter, titled after their file name")
        parser.add_argument("--download-images", action="store_true",
                            help="download remote hero, thumbnail and body images into the image "
                                 "library (http/https only; a failed download keeps the remote URL)")
        parser.add_argument("--allow-private-image-hosts", action="store_true",
                            help="let --download-images fetch from loopback and private-network "
                                 "addresses (refused by default: only for an archive on your own network)")
        parser.add_argument("--jobs", type=int, default=None, metavar="N",
                            help="worker processes that read and sanitize files while this one "
                                 "writes (default: one per core for large imports, 0 for small ones)")

    def handle(self, *, paths, **options):
        try:
            self._import(paths, options)
        except (OperationalError, InterfaceError) as error:
            # A lost database stops the run: each file is one transaction, so what was imported
            # before is whole, and running the same command again carries on.
            raise CommandError(
                f"database unavailable, import stopped: {error}".strip(), returncode=1
            ) from None

    def _import(self, paths, options):
        importer = Importer(self._import_options(options, self._site_config(paths, options)))
        extensions = tuple(
            e if e.startswith(".") else "." + e for e in (x.strip().lower() for x in options["ext"].split(",")) if e
        )
        try:
            files = list(find_legacy_files(paths, extensions))
        except FileNotFoundError as error:
            raise CommandError(str(error), returncode=2) from None

        jobs = options["jobs"]
        if jobs is None:
            # A worker per core reads and sanitizes; this process mostly waits on the database.
            jobs = (os.cpu_count() or 1) if len(files) >= PARALLEL_FROM_FILES else 0
        counts = {outcome: 0 for outcome in Outcome}
        started = time.monotonic()
        report = self._open_report(options["report"])
        try:
            results = importer.import_files(files, jobs=jobs)
            for result in self._progress(results, len(files), options["verbosity"]):
                counts[result.outcome] += 1
                self._tell(result, options)
                if report:
                    report.write(json.dumps(self._report_line(result, options["dry_run"]), ensure_ascii=False) + "\n")
        finally:
            if report:
                report.close()
        if counts[Outcome.CREATED] + counts[Outcome.UPDATED] and not options["dry_run"]:
            refresh_planner_statistics()
        self._summary(counts, len(files), time.monotonic() - started, options["dry_run"])
        if counts[Outcome.FAILED]:
            raise CommandError(f"{counts[Outcome.FAILED]} of {len(files)} files failed to import", returncode=1)

    def _site_config(self, paths, options):
        """The --site-config given, else the one of the archive being imported (said so), else
        Hexo's defaults; --permalink replaces its pattern."""
        given = options["site_config"]
        try:
            if given is not None:
                site = read_site_config(given)
            else:
                found = {find_site_config(p) for p in paths if Path(p).exists()}
                if len(found) > 1:
                    names = ", ".join(sorted(str(f) for f in found if f) or ["none"])
                    raise CommandError(
                        f"the paths belong to different sites ({names}): import one site at a time, "
                        "or name its config with --site-config", returncode=2,
                    )
                found = found.pop() if found else None
                site = read_site_config(found) if found else SiteConfig()
        except SiteConfigError as error:
            raise CommandError(f"--site-config: {error}" if given else str(error), returncode=2) from None
        if options["permalink"]:
            site = site.with_permalink(options["permalink"])
        if options["verbosity"] > 0:
            if site.config_file:
                message = _("旧站配置：%(generator)s %(file)s（%(settings)s）")
            else:
                message = _("未找到旧站配置，按 %(generator)s 的默认设置（%(settings)s）")
            self.stdout.write(message % {"generator": site.name, "file": site.config_file, "settings": site.describe()})
        return site

    def _import_options(self, options, site):
        zone = options["timezone"] or site.timezone or settings.TIME_ZONE
        try:
            tz = zoneinfo.ZoneInfo(zone)
        except (zoneinfo.ZoneInfoNotFoundError, ValueError):
            raise CommandError(f"--timezone: unknown time zone {zone!r}", returncode=2) from None
        source_root = options["source_root"]
        if source_root is not None and not source_root.is_dir():
            raise CommandError(f"--source-root: {source_root} is not a folder", returncode=2)
        if options["max_size"] <= 0:
            raise CommandError("--max-size: must be a positive number of bytes", returncode=2)
        return ImportOptions(
            tz=tz,
            default_author=options["default_author"],
            status=options["status"],
            categories=options["categories"],
            body_format=options["body_format"],
            site=site,
            redirects=not options["no_redirects"],
            source_root=source_root,
            overwrite_edited=options["overwrite_edited"],
            dry_run=options["dry_run"],
            max_bytes=options["max_size"],
            allow_missing_front_matter=options["allow_missing_front_matter"],
            download_images=options["download_images"],
            allow_private_image_hosts=options["allow_private_image_hosts"],
        )

    def _open_report(self, report_path):
        if report_path is None:
            return None
        try:
            return report_path.open("w", encoding="utf-8")
        except OSError as error:
            raise CommandError(f"--report: cannot write {report_path}: {error.strerror}", returncode=2) from None

    def _progress(self, results, total, verbosity):
        """A bar on a terminal; elsewhere a plain line every few seconds."""
        if verbosity < 1:
            yield from results
        elif self.stderr.isatty():
            # The wrapped stream itself: OutputWrapper would end each of tqdm's redraws with a newline.
            yield from tqdm(results, total=total, unit="file", file=self.stderr._out, dynamic_ncols=True)
        else:
            started = last = time.monotonic()
            for done, result in enumerate(results, start=1):
                now = time.monotonic()
                if now - last >= PROGRESS_EVERY_SECONDS:
                    last = now
                    self.stderr.write(f"… {done} of {total} files ({done / (now - started):.0f} files/s)")
                yield result

    def _tell(self, result, options):
        for warning in result.warnings:
            self.stderr.write(f"{result.path}: warning: {warning}")
        if result.outcome in (Outcome.FAILED, Outcome.SKIPPED, Outcome.CONFLICT):
            style = self.style.ERROR if result.outcome is Outcome.FAILED else self.style.WARNING
            self.stderr.write(style(f"{result.path}: {result.outcome.value}: {result.reason}"))
        elif options["verbosity"] > 1 and result.article is not None:
            self.stdout.write(f"{result.path}: {result.outcome.value}: {result.article.get_absolute_url()}")

    @staticmethod
    def _report_line(result, dry_run):
        article = None if dry_run else result.article
        return {
            "path": str(result.path),
            "outcome": result.outcome.value,
            "article_id": article.pk if article else None,
            "url": article.get_absolute_url() if article else None,
            "warnings": result.warnings,
            "error": result.reason or None,
        }

    def _summary(self, counts, total, seconds, dry_run):
        rate = total / seconds if seconds else 0.0
        heading = "Dry run — nothing was written" if dry_run else "Import finished"
        lines = [heading, *(f"  {o.value:<10} {n:>7}" for o, n in counts.items()), f"  {'total':<10} {total:>7}"]
        lines.append(f"  {seconds:.1f} s, {rate:.0f} files/s")
        self.stdout.write("\n".join(lines))
        verb = "would be" if dry_run else ""
        summary = ", ".join(f"{n} {verb + ' ' if verb else ''}{o.value}" for o, n in counts.items())
        self.stdout.write(f"{total} files: {summary}")
