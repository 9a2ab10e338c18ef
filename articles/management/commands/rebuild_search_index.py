from django.core.management.base import BaseCommand

from articles.search import rebuild_index


class Command(BaseCommand):
    help = "Rewrite the search index from every article (after bulk changes that skipped save())."

    def handle(self, **options):
        self.stdout.write(f"Indexed {rebuild_index()} articles.")
