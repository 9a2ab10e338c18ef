import pytest

from articles import caching


@pytest.fixture(autouse=True)
def _media_in_tmp(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path / "media"


@pytest.fixture(autouse=True)
def _empty_cache():
    """Each test starts with an empty cache: no page cached by an earlier test is served."""
    from django.core.cache import cache

    cache.clear()


@pytest.fixture
def page_cache_on(settings):
    """The page cache on, whatever the environment says; pages kept up to ten minutes."""
    settings.NEWSROOM = {**settings.NEWSROOM, "PAGE_CACHE": True, "PAGE_CACHE_TIMEOUT": 600}


@pytest.fixture
def no_page_cache(settings):
    """The views' own work: the page cache off, every request rendered."""
    settings.NEWSROOM = {**settings.NEWSROOM, "PAGE_CACHE": False}


@pytest.fixture(scope="session")
def chromium():
    """One headless Debian Chromium for the whole run, driven by Playwright."""
    import os

    from playwright.sync_api import sync_playwright

    from articles.tests.browsing import CHROMIUM, CHROMIUM_ARGS

    # Playwright's sync API runs an event loop in this thread; Django would otherwise refuse
    # the test's own ORM calls made between page actions.
    os.environ["DJANGO_ALLOW_ASYNC_UNSAFE"] = "true"
    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=str(CHROMIUM), args=CHROMIUM_ARGS)
        yield browser
        browser.close()


@pytest.fixture
def page(chromium, live_server):
    from articles.tests.browsing import open_page

    context, page = open_page(chromium, live_server)
    yield page
    context.close()


@pytest.fixture
def newsroom_roles(db):
    """The roles as migrations 0003 (and 0013: moderating comments) made them, re-created after
    an earlier flush removed them."""
    from importlib import import_module

    from django.contrib.auth.models import Group, Permission

    roles = import_module("articles.migrations.0003_editorial_roles").ROLE_PERMISSIONS
    moderation = import_module("articles.migrations.0013_comments_permissions").ROLE_PERMISSIONS
    for name, codes in roles.items():
        group, created = Group.objects.get_or_create(name=name)
        if created:
            for code in [*codes, *moderation.get(name, ())]:
                app_label, codename = code.split(".")
                group.permissions.add(Permission.objects.get(content_type__app_label=app_label, codename=codename))


@pytest.fixture
def writer_client(client, db):
    """A client logged in as a member of the writers' group."""
    from articles.permissions import WRITER_GROUP
    from articles.tests.factories import make_staff

    client.force_login(make_staff("writer", WRITER_GROUP))
    return client


@pytest.fixture
def chief_client(client, db):
    """A client logged in as a superuser."""
    from django.contrib.auth import get_user_model

    from articles.tests.factories import STAFF_PASSWORD

    client.force_login(get_user_model().objects.create_superuser("chief", password=STAFF_PASSWORD))
    return client


# --- the cache server: gone, or the real one ------------------------------------------------


def use_redis(settings, location):
    """CACHES pointing at the Redis at `location`; Django's setting_changed handler reconnects
    `caches` (and restores them afterwards)."""
    settings.CACHES = {"default": {"BACKEND": "django.core.cache.backends.redis.RedisCache", "LOCATION": location}}


@pytest.fixture
def outage_flag_reset():
    caching._cache_unreachable = False
    yield
    caching._cache_unreachable = False


@pytest.fixture
def redis_gone(settings, outage_flag_reset):
    use_redis(settings, "redis://127.0.0.1:1/0")  # nothing listens on port 1: connection refused


@pytest.fixture
def real_redis(settings, outage_flag_reset):
    """The Redis at 127.0.0.1:6379: this xdist worker's database when the suite runs on Redis
    (config/settings_test.py), else database 15 (the suite's own number in .ci/run)."""
    configured = settings.CACHES["default"]
    location = configured["LOCATION"] if configured["BACKEND"].endswith("RedisCache") else "redis://127.0.0.1:6379/15"
    use_redis(settings, location)


@pytest.fixture
def every_subject_site(db):
    """One article of each kind of subject, so that every public URL pattern has a real address."""
    from articles.tests.factories import make_article, make_author, make_category_path

    category = make_category_path("odd-root", "odd-leaf")
    author = make_author("odd-author", slug="odd-author")
    article = make_article("奇怪输入", slug="odd-article", author=author, categories=[category], tags=["odd-tag"])
    day = article.published_at.astimezone()
    return {
        "year": day.year, "month": f"{day.month:02d}", "day": f"{day.day:02d}", "slug": "odd-article",
        "path": category.path, "section": "articles", "token": "odd-token", "pk": article.pk, "version_id": 1,
    }  # fmt: skip
