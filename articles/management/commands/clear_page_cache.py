"""Retire every kept page, part of a page and API answer, by hand (after editing a template in
place on a server, say). Nothing else is needed after a content change: every save does this."""

from django.core.cache import cache
from django.core.management.base import BaseCommand

from articles import caching


class Command(BaseCommand):
    help = "Retire every cached page and kept part, so that the next requests render them anew."

    def add_arguments(self, parser):
        parser.add_argument(
            "--flush",
            action="store_true",
            help="Also empty the whole cache (rate-limit and lock-out counters too), not only pages and parts.",
        )

    def handle(self, *args, flush=False, **options):
        if flush:
            cache.clear()
            self.stdout.write("The cache is empty.")
            return
        caching.retire_everything()
        self.stdout.write("Every cached page and kept part is retired.")
