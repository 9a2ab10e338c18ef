from pathlib import Path

from django.conf import settings
from django.core.management.base import BaseCommand, CommandError

from articles.highlighting import STYLE_SHEET_END, STYLE_SHEET_START, style_sheet

SITE_CSS = Path(settings.BASE_DIR) / "static" / "css" / "site.css"


class Command(BaseCommand):
    help = "Print the code highlighting CSS (articles.highlighting), or --write it into static/css/site.css."

    def add_arguments(self, parser):
        parser.add_argument("--write", action="store_true", help="replace the section in static/css/site.css")

    def handle(self, *, write, **options):
        css = style_sheet()
        if not write:
            self.stdout.write(css)
            return
        text = SITE_CSS.read_text(encoding="utf-8")
        start, end = text.find(STYLE_SHEET_START), text.find(STYLE_SHEET_END)
        if start < 0 or end < start:
            raise CommandError(f"{SITE_CSS} has no code highlighting section to replace")
        SITE_CSS.write_text(text[:start] + css + text[end + len(STYLE_SHEET_END) :], encoding="utf-8")
        self.stdout.write(f"Wrote the code highlighting section of {SITE_CSS}.")
