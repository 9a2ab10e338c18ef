import secrets

from django.contrib.auth import get_user_model
from django.core.management.base import BaseCommand


class Command(BaseCommand):
    help = "Create a superuser 'admin' with a random password, printed once, unless a superuser exists."

    def handle(self, **options):
        users = get_user_model()
        if users.objects.filter(is_superuser=True).exists():
            self.stdout.write("A superuser already exists; leaving accounts as they are.")
            return
        password = secrets.token_urlsafe(12)
        users.objects.create_superuser("admin", email="", password=password)
        self.stdout.write(
            self.style.SUCCESS(
                "Created the local admin account (shown only this once):\n"
                f"  user: admin\n  password: {password}\n"
                "  sign in at http://127.0.0.1:8000/admin/"
            )
        )
