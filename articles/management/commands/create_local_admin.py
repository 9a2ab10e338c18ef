import secrets

from django.conf import settings
from django.contrib.auth import get_user_model
from django.core.management.base import BaseCommand

USERNAME = "admin"
RESET_COMMAND = ".venv/bin/python manage.py changepassword {}"


class Command(BaseCommand):
    help = "Create a superuser 'admin' with a random password, printed once, unless a superuser exists."

    def handle(self, **options):
        users = get_user_model()
        sign_in = f"{settings.NEWSROOM['SITE_URL'].rstrip('/')}/admin/"
        existing = users.objects.filter(is_superuser=True).order_by("pk").first()
        if existing is not None:
            name = existing.get_username()
            self.stdout.write(
                f"The admin account '{name}' already exists; its password was shown when it was created.\n"
                f"  sign in at {sign_in}\n"
                f"  forgot the password? {RESET_COMMAND.format(name)}"
            )
            return
        password = secrets.token_urlsafe(12)
        users.objects.create_superuser(USERNAME, email="", password=password)
        self.stdout.write(
            self.style.SUCCESS(
                "Created the local admin account (its password is shown only this once):\n"
                f"  user: {USERNAME}\n  password: {password}\n"
                f"  sign in at {sign_in}"
            )
        )
