import zoneinfo

from django.conf import settings
from django.core.management.base import BaseCommand, CommandError

from articles.importing.importer import DEFAULT_EXTENSIONS, Outcome, find_legacy_files, import_file


class Command(BaseCommand):
    help = "Import legacy front-matter files (Hexo style: YAML between '---' lines, then the body)."

    def add_arguments(self, parser):
        parser.add_argument("paths", nargs="+", metavar="PATH", help="files or folders (recursive)")
        parser.add_argument(
            "--default-author",
            default=settings.NEWSROOM["DEFAULT_AUTHOR"],
            help="byline for files without an author (default: %(default)s)",
        )
        parser.add_argument(
            "--timezone",
            default=settings.TIME_ZONE,
            help="zone for dates written without one (default: %(default)s)",
        )

    def handle(self, *, paths, default_author, timezone, **options):
        try:
            tz = zoneinfo.ZoneInfo(timezone)
        except (zoneinfo.ZoneInfoNotFoundError, ValueError):
            raise CommandError(f"--timezone: unknown time zone {timezone!r}") from None
        counts = {outcome: 0 for outcome in Outcome}
        try:
            files = list(find_legacy_files(paths, DEFAULT_EXTENSIONS))
        except FileNotFoundError as error:
            raise CommandError(str(error)) from None
        for path, root in files:
            result = import_file(path, root, tz=tz, default_author=default_author)
            counts[result.outcome] += 1
            for warning in result.warnings:
                self.stderr.write(f"{path}: warning: {warning}")
            if result.outcome in (Outcome.FAILED, Outcome.SKIPPED):
                style = self.style.ERROR if result.outcome is Outcome.FAILED else self.style.WARNING
                self.stderr.write(style(f"{path}: {result.outcome.value}: {result.reason}"))
            elif options["verbosity"] > 1:
                self.stdout.write(f"{path}: {result.outcome.value}: {result.article.get_absolute_url()}")
        summary = ", ".join(f"{n} {outcome.value}" for outcome, n in counts.items())
        self.stdout.write(f"{len(files)} files: {summary}")
        if counts[Outcome.FAILED]:
            raise CommandError(f"{counts[Outcome.FAILED]} of {len(files)} files failed to import")
