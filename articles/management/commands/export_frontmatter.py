from pathlib import Path

from django.core.management.base import BaseCommand, CommandError

from articles.exporting import articles_to_export, exported_files, write_atomically
from articles.models import Article


class Command(BaseCommand):
    help = (
        "Export articles as front-matter files (YAML between '---' lines, then the HTML body), "
        "one per article at DIR/<yyyy>/<mm>/<slug>.html; import_frontmatter reads them back."
    )

    def add_arguments(self, parser):
        parser.add_argument("dir", metavar="DIR", help="folder to write into (created if missing)")
        parser.add_argument(
            "--status",
            choices=Article.Status.values,
            help="export only articles with this status (default: all, drafts included)",
        )
        parser.add_argument(
            "--force",
            action="store_true",
            help="write into DIR even if it is not empty, replacing files of the same name",
        )

    def handle(self, *, dir, status, force, **options):
        folder = Path(dir)
        if folder.exists() and not folder.is_dir():
            raise CommandError(f"{folder} is not a folder")
        if folder.is_dir() and any(folder.iterdir()) and not force:
            raise CommandError(f"{folder} is not empty; use --force to write into it anyway")
        count = 0
        for relative, text in exported_files(articles_to_export(status)):
            path = folder / relative
            try:
                write_atomically(path, text)
            except OSError as error:
                raise CommandError(f"{path}: cannot write: {error.strerror or error}") from None
            count += 1
            if options["verbosity"] > 1:
                self.stdout.write(str(path))
        self.stdout.write(f"{count} files written to {folder}")
