"""What the browser tests share: where Chromium is, the marks every browser test carries, and
the pages they open (fixtures in conftest.py).

Browser tests run wherever /usr/bin/chromium exists; CI installs it and sets
NEWSROOM_REQUIRE_BROWSER=1 so that a missing browser fails the run instead of skipping it.
"""

import os
from pathlib import Path
from urllib.parse import urlsplit

import pytest
from django.conf import settings

CHROMIUM = Path("/usr/bin/chromium")
ARTIFACTS = Path(settings.BASE_DIR) / "build" / "test-artifacts"
CHROMIUM_ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--no-first-run",
]

BROWSER_TEST = [
    pytest.mark.browser,
    pytest.mark.django_db(transaction=True),
    # Transactional tests flush the tables, the roles made by a data migration included.
    pytest.mark.usefixtures("newsroom_roles"),
]
if not CHROMIUM.exists():
    if os.environ.get("NEWSROOM_REQUIRE_BROWSER"):
        raise RuntimeError(f"{CHROMIUM} is missing but NEWSROOM_REQUIRE_BROWSER is set")
    BROWSER_TEST.append(pytest.mark.skip(reason=f"{CHROMIUM} is not installed"))


def open_page(chromium, live_server, **context_options):
    """A page in a fresh context (own cookies) that may only reach the live server.

    Other requests are aborted and listed in `page.external_requests`; script errors are
    listed in `page.errors`.
    """
    context = chromium.new_context(**{"viewport": {"width": 1280, "height": 900}, "locale": "zh-CN", **context_options})
    page = context.new_page()
    page.external_requests = []
    page.errors = []
    own_host = urlsplit(live_server.url).netloc

    def route(request_route):
        if urlsplit(request_route.request.url).netloc == own_host:
            request_route.continue_()
        else:
            page.external_requests.append(request_route.request.url)
            request_route.abort()

    page.route("**/*", route)
    page.on("pageerror", lambda error: page.errors.append(str(error)))
    return context, page


# The password of every account the browser tests log in with.
PASSWORD = "a-long-browser-test-password"


def log_in(page, live_server, username, password=PASSWORD):
    """Log `page` in to the admin as `username`; returns once the admin's front page is open."""
    page.goto(live_server.url + "/admin/login/")
    page.fill("#id_username", username)
    page.fill("#id_password", password)
    page.click("input[type=submit]")
    page.wait_for_url(live_server.url + "/admin/")


def browser_test(function):
    """Marks one test as a browser test, in a module that also holds other tests."""
    for mark in reversed(BROWSER_TEST):
        function = mark(function)
    return function
