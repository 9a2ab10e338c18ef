"""The development checkout's `.env`: written once by `make run`, read by manage.py only.

Production reads its settings from the environment alone (config.wsgi and config.asgi never
read this file). Standard library only, so that the Makefile can run it before Django is set up:

    python -m config.local_env write --port 8000     # writes .env unless it exists
    python -m config.local_env site-url --port 8080  # the site address a run on that port uses
"""

import argparse
import os
import secrets
import sys
from pathlib import Path
from urllib.parse import urlsplit

ENV_FILE = Path(__file__).resolve().parent.parent / ".env"
HOST = "127.0.0.1"


def read(path):
    """The NAME=value pairs of an env file: blank lines and `#` comments skipped, one pair of
    matching quotes around a value removed, an optional leading `export ` allowed."""
    values = {}
    for line in Path(path).read_text(encoding="utf-8").splitlines():
        line = line.strip()
        if not line or line.startswith("#") or "=" not in line:
            continue
        name, value = line.removeprefix("export ").split("=", 1)
        value = value.strip()
        if len(value) >= 2 and value[0] == value[-1] and value[0] in "'\"":
            value = value[1:-1]
        values[name.strip()] = value
    return values


def load(path=ENV_FILE):
    """Puts the file's variables into os.environ, never replacing one the environment already
    has (so `NEWSROOM_SITE_URL=… manage.py …` wins over the file). No file (or no path) is no error."""
    if not path or not Path(path).is_file():
        return
    for name, value in read(path).items():
        os.environ.setdefault(name, value)


def site_url(port):
    return f"http://{HOST}:{port}"


def contents(port):
    """A development .env: debug on, a secret key of its own, the dev server's address."""
    return (
        "# Written by `make run` for this checkout only (git ignores it); manage.py reads it,\n"
        "# production never does. Variables set in the environment win over these.\n"
        "DJANGO_DEBUG=1\n"
        f"DJANGO_SECRET_KEY={secrets.token_urlsafe(50)}\n"
        f"NEWSROOM_SITE_URL={site_url(port)}\n"
    )


def write(port, path=ENV_FILE):
    """Writes a development .env unless one exists (it may hold the developer's own edits),
    readable by its owner only: it holds a secret key."""
    try:
        with open(path, "x", encoding="utf-8", opener=lambda name, flags: os.open(name, flags, 0o600)) as file:
            file.write(contents(port))
    except FileExistsError:
        return False
    return True


def url_for_run(port, path=ENV_FILE):
    """The site address a development run on `port` uses: NEWSROOM_SITE_URL from the
    environment if set; else the .env's if it names that port; else the dev server's address."""
    if os.environ.get("NEWSROOM_SITE_URL"):
        return os.environ["NEWSROOM_SITE_URL"]
    configured = read(path).get("NEWSROOM_SITE_URL") if Path(path).is_file() else None
    if configured and urlsplit(configured).port == port:
        return configured
    return site_url(port)


def main(argv=None):
    parser = argparse.ArgumentParser(description="The development checkout's .env")
    parser.add_argument("action", choices=("write", "site-url"))
    parser.add_argument("--port", type=int, default=8000)
    options = parser.parse_args(argv)
    if options.action == "write":
        if write(options.port):
            print(f"Wrote {ENV_FILE.name}: development settings for this checkout (git ignores it).")
    else:
        print(url_for_run(options.port))


if __name__ == "__main__":
    sys.exit(main())
