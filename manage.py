#!/usr/bin/env python
"""Django's command-line utility for administrative tasks."""

import os
import sys
from pathlib import Path


def main():
    # The checkout's .env (written by `make run`) for commands and the dev server; production's
    # WSGI/ASGI entry points read the environment alone. Variables already set win over the file;
    # NEWSROOM_ENV_FILE names another file, or none when empty (the test suite's production runs).
    from config import local_env

    local_env.load(os.environ.get("NEWSROOM_ENV_FILE", Path(__file__).resolve().parent / ".env"))
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings")
    from django.core.management import execute_from_command_line

    execute_from_command_line(sys.argv)


if __name__ == "__main__":
    main()
