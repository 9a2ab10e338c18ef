import collections
import json
import os
import time
import zoneinfo
from pathlib import Path

from django.conf import settings
from django.core.management.base import BaseCommand, CommandError
from django.core.management.color import color_style, no_style
from django.db import InterfaceError, OperationalError
from django.utils.translation import gettext as _
from tqdm import tqdm

from articles.importing import report
from articles.importing.archive import ArchiveError
from articles.importing.importer import (
    DEFAULT_EXTENSIONS,
    Importer,
    ImportOptions,
    Outcome,
    find_legacy_files,
    refresh_planner_statistics,
)
from articles.importing.limits import DEFAULT_MAX_BYTES, FILE_TIME_BUDGET_SECONDS
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


def printable(path):
    """A file's path for a terminal line: a newline, a tab or an escape code in a file name is
    shown escaped (\\n, \\x1b …), so that it can neither break the line nor drive the terminal."""
    text = str(path)
    if text.isprintable():
        return text
    return "".join(c if c.isprintable() else c.encode("unicode_escape").decode("ascii") for c in text)


class Command(BaseCommand):
    help = (
        "Import legacy front-matter files (Hexo, Jekyll, Hugo: YAML, JSON or TOML front matter, "
        "then an HTML or Markdown body). Safe to run again: unchanged files are left alone."
    )

    def add_arguments(self, parser):
        parser.add_argument("paths", nargs="+", metavar="PATH", help="files or folders (recursive)")
        parser.add_argument(
            "--source",
            metavar="NAME",
            help="the archive's name, half of every imported article's identity (default: "
            "the name of its root folder, the one holding the site's _config.yml, "
            "hugo.toml or config.toml)",
        )
        parser.add_argument(
            "--ext",
            default=",".join(DEFAULT_EXTENSIONS),
            help="comma-separated file endings to import (default: %(default)s)",
        )
        parser.add_argument(
            "--default-author",
            default=settings.NEWSROOM["DEFAULT_AUTHOR"],
            help="byline for files without an author (default: %(default)s)",
        )
        parser.add_argument(
            "--timezone",
            help=f"zone for dates written without one (default: the site config's, else {settings.TIME_ZONE})",
        )
        parser.add_argument(
            "--status",
            choices=["draft", "published"],
            help="give every imported article this status, whatever its file says",
        )
        parser.add_argument(
            "--categories",
            choices=["path", "flat"],
            default="path",
            help="a flat list is one path (Hexo, the default) or separate categories",
        )
        parser.add_argument("--body-format", choices=["auto", "markdown", "html"], default="auto")
        parser.add_argument(
            "--source-root", type=Path, help="the old site's source/ folder, to find images given as site paths"
        )
        parser.add_argument(
            "--site-config",
            type=Path,
            metavar="FILE",
            help="the old site's Hexo or Jekyll _config.yml or Hugo config.toml/hugo.toml, "
            "for its permalinks, time zone and languages (default: the one found "
            "beside the imported folder or up to 3 folders above it)",
        )
        parser.add_argument(
            "--permalink",
            help="the old site's permalink pattern, for redirects (default: the site "
            f"config's, else Hexo's {HEXO_DEFAULT_PERMALINK})",
        )
        parser.add_argument(
            "--no-redirects", action="store_true", help="record no redirect from the pattern-based old address"
        )
        parser.add_argument(
            "--overwrite-edited", action="store_true", help="replace articles that editors changed since their import"
        )
        parser.add_argument("--dry-run", action="store_true", help="write nothing; report what would happen")
        parser.add_argument(
            "--report", type=Path, metavar="FILE", help="write one JSON line per file, then a summary line"
        )
        parser.add_argument(
            "--max-size",
            type=int,
            default=DEFAULT_MAX_BYTES,
            metavar="BYTES",
            help="refuse files larger than this (default: %(default)s)",
        )
        parser.add_argument(
            "--time-limit",
            type=float,
            default=FILE_TIME_BUDGET_SECONDS,
            metavar="SECONDS",
            help="fail a file that takes longer than this to read and convert, and go "
            "on with the others (default: %(default)s)",
        )
        parser.add_argument(
            "--allow-missing-front-matter",
            action="store_true",
            help="import files without front matter, titled after their file name",
        )
        parser.add_argument(
            "--download-images",
            action="store_true",
            help="download remote hero, thumbnail and body images into the image "
            "library (http/https only; a failed download keeps the remote URL)",
        )
        parser.add_argument(
            "--allow-private-image-hosts",
            action="store_true",
            help="let --download-images fetch from loopback and private-network "
            "addresses (refused by default: only for an archive on your own network)",
        )
        parser.add_argument(
            "--jobs",
            type=int,
            default=None,
            metavar="N",
            help="worker processes that read and sanitize files while this one "
            "writes (default: one per core for large imports, 0 for small ones)",
        )

    def handle(self, *, paths, **options):
        try:
            self._import(paths, options)
        except (OperationalError, InterfaceError) as error:
            # A lost database stops the run: each file is one transaction, so what was imported
            # before is whole, and running the same command again carries on.
            raise CommandError(f"database unavailable, import stopped: {error}".strip(), returncode=1) from None

    def _import(self, paths, options):
        extensions = tuple(
            e if e.startswith(".") else "." + e for e in (x.strip().lower() for x in options["ext"].split(",")) if e
        )
        try:
            files = list(find_legacy_files(paths, extensions, source=options["source"]))
        except FileNotFoundError as error:
            raise CommandError(str(error), returncode=2) from None
        except ArchiveError as error:
            raise CommandError(str(error), returncode=2) from None
        self._colours, self._bar = self._styles_for(self.stderr, options), None
        archives = list(dict.fromkeys(file.archive for file in files))
        sites = {}
        for archive in archives:
            self.stdout.write(_("归档：%(name)s（根目录 %(root)s）") % {"name": archive.name, "root": archive.root})
            sites[archive.name] = self._site_config(archive, options)
        importer = Importer(self._import_options(options, sites))

        jobs = options["jobs"]
        if jobs is None:
            # A worker per core reads and sanitizes; this process mostly waits on the database.
            jobs = (os.cpu_count() or 1) if len(files) >= PARALLEL_FROM_FILES else 0
        counts = {outcome: 0 for outcome in Outcome}
        kinds = collections.Counter()
        started = time.monotonic()
        report_file = self._open_report(options["report"])
        try:
            results = importer.import_files(files, jobs=jobs)
            for result in self._progress(results, len(files), options["verbosity"]):
                counts[result.outcome] += 1
                kinds.update(report.count_kinds(result.warnings))
                self._tell(result, options)
                if report_file:
                    self._write_row(report_file, report.file_row(result, dry_run=options["dry_run"]))
            seconds = time.monotonic() - started
            if report_file:
                self._write_row(
                    report_file,
                    report.summary_row(
                        archives=archives,
                        outcomes=counts,
                        warnings_by_kind=kinds,
                        files=len(files),
                        seconds=seconds,
                        dry_run=options["dry_run"],
                    ),
                )
            for source_path, link in importer.unresolved_links:
                self._say(f"{printable(source_path)}: warning: {link}", "WARNING")
        finally:
            if report_file:
                report_file.close()
        if counts[Outcome.CREATED] + counts[Outcome.UPDATED] and not options["dry_run"]:
            refresh_planner_statistics()
        self._summary(counts, kinds, len(files), seconds, options["dry_run"])
        if counts[Outcome.FAILED]:
            raise CommandError(f"{counts[Outcome.FAILED]} of {len(files)} files failed to import", returncode=1)

    def _site_config(self, archive, options):
        """The --site-config given, else the config of `archive`'s old site (said so), else
        Hexo's defaults; --permalink replaces its pattern."""
        given = options["site_config"]
        try:
            if given is not None:
                site = read_site_config(given)
            else:
                found = find_site_config(archive.root)
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

    def _import_options(self, options, sites):
        """ImportOptions for the run; `sites` maps each archive's name to its old site's config."""

        def zone_of(site):
            zone = options["timezone"] or site.timezone or settings.TIME_ZONE
            try:
                return zoneinfo.ZoneInfo(zone)
            except (zoneinfo.ZoneInfoNotFoundError, ValueError):
                raise CommandError(f"--timezone: unknown time zone {zone!r}", returncode=2) from None

        default_site = next(iter(sites.values()), SiteConfig())
        tz = zone_of(default_site)
        source_root = options["source_root"]
        if source_root is not None and not source_root.is_dir():
            raise CommandError(f"--source-root: {source_root} is not a folder", returncode=2)
        if options["max_size"] <= 0:
            raise CommandError("--max-size: must be a positive number of bytes", returncode=2)
        if options["time_limit"] <= 0:
            raise CommandError("--time-limit: must be a positive number of seconds", returncode=2)
        return ImportOptions(
            tz=tz,
            default_author=options["default_author"],
            status=options["status"],
            categories=options["categories"],
            body_format=options["body_format"],
            site=default_site,
            sites=sites,
            zones={name: zone_of(site) for name, site in sites.items()},
            redirects=not options["no_redirects"],
            source_root=source_root,
            overwrite_edited=options["overwrite_edited"],
            dry_run=options["dry_run"],
            max_bytes=options["max_size"],
            time_budget=options["time_limit"],
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

    @staticmethod
    def _write_row(report_file, row):
        report_file.write(json.dumps(row, ensure_ascii=False) + "\n")

    @staticmethod
    def _styles_for(stream, options):
        """Colours only for a terminal, and never when the person asked for none (NO_COLOR, --no-color)."""
        if options.get("force_color"):
            return color_style(force_color=True)
        if options.get("no_color") or os.environ.get("NO_COLOR") or not stream.isatty():
            return no_style()
        return color_style(force_color=True)

    def _progress(self, results, total, verbosity):
        """A bar on a terminal; elsewhere a plain line every few seconds."""
        self._bar = None
        if verbosity < 1:
            yield from results
        elif self.stderr.isatty():
            # The wrapped stream itself: OutputWrapper would end each of tqdm's redraws with a newline.
            with tqdm(results, total=total, unit="file", file=self.stderr._out, dynamic_ncols=True) as bar:
                self._bar = bar
                yield from bar
            self._bar = None
        else:
            started = last = time.monotonic()
            for done, result in enumerate(results, start=1):
                now = time.monotonic()
                if now - last >= PROGRESS_EVERY_SECONDS:
                    last = now
                    self.stderr.write(f"… {done} of {total} files ({done / (now - started):.0f} files/s)")
                yield result

    def _say(self, line, colour=None):
        """A line on stderr, in `colour` (a style's role) where colours are shown, below a cleared bar."""
        styled = getattr(self._colours, colour)(line) if colour else line
        if self._bar is not None:
            self._bar.clear()  # else the line would continue the bar's
        self.stderr.write(styled, style_func=str)
        if self._bar is not None:
            self._bar.refresh()

    def _tell(self, result, options):
        path = printable(result.path)
        for warning in result.warnings:
            self._say(f"{path}: warning: {warning}", "WARNING")
        if result.outcome in (Outcome.FAILED, Outcome.SKIPPED, Outcome.CONFLICT):
            colour = "ERROR" if result.outcome is Outcome.FAILED else "WARNING"
            self._say(f"{path}: {result.outcome.value}: {result.reason}", colour)
        elif options["verbosity"] > 1 and result.article is not None:
            self.stdout.write(f"{path}: {result.outcome.value}: {result.article.get_absolute_url()}")

    def _summary(self, counts, kinds, total, seconds, dry_run):
        rate = total / seconds if seconds else 0.0
        heading = "Dry run — nothing was written" if dry_run else "Import finished"
        lines = [heading, *(f"  {o.value:<10} {n:>7}" for o, n in counts.items()), f"  {'total':<10} {total:>7}"]
        lines.append(f"  {seconds:.1f} s, {rate:.0f} files/s")
        by_kind = report.in_kind_order(kinds)
        if by_kind:
            width = max(len(kind) for kind, count in by_kind)
            lines.append("Warnings by kind")
            lines.extend(f"  {kind:<{width}} {n:>7}" for kind, n in by_kind)
        self.stdout.write("\n".join(lines))
        verb = "would be" if dry_run else ""
        summary = ", ".join(f"{n} {verb + ' ' if verb else ''}{o.value}" for o, n in counts.items())
        warned = sum(kinds.values())
        self.stdout.write(f"{total} files: {summary}" + (f"; {warned} warnings" if warned else ""))
