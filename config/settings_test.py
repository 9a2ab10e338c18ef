"""Settings for the test suite: the real settings with a throwaway key and fast hashing."""

import os

os.environ.setdefault("DJANGO_SECRET_KEY", "test-only-secret-key-not-for-production-0123456789-abcdefghij")
os.environ.setdefault("NEWSROOM_ALLOW_NO_HOSTS", "1")  # the hosts are set below
# Off unless a test turns it on: a page closing at a test's end would otherwise autosave into
# the database the test is emptying.
os.environ.setdefault("NEWSROOM_AUTOSAVE_SECONDS", "0")

from .settings import *  # noqa: E402,F401,F403

ALLOWED_HOSTS = ["testserver", "localhost", "127.0.0.1"]
# The test client and the live server speak plain http, whatever the environment says.
SECURE_SSL_REDIRECT = False
PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]
STORAGES = {
    **STORAGES,  # noqa: F405
    "staticfiles": {"BACKEND": "django.contrib.staticfiles.storage.StaticFilesStorage"},
}
# The browser tests' live server serves CSS without a collectstatic step.
WHITENOISE_USE_FINDERS = True
WHITENOISE_AUTOREFRESH = True
if os.environ.get("REDIS_URL"):
    # REDIS_URL=redis://127.0.0.1:6379/15 in .ci/run. The suite empties the cache before each
    # test, and RedisCache.clear() flushes a whole database whatever the KEY_PREFIX: each xdist
    # worker gets a database of its own, counting down from the given one (gw0: 15, gw1: 14…).
    _redis_base, _redis_db = os.environ["REDIS_URL"].rsplit("/", 1)
    _worker = int(os.environ.get("PYTEST_XDIST_WORKER", "gw0").removeprefix("gw") or 0)
    CACHES = {
        "default": {
            "BACKEND": "django.core.cache.backends.redis.RedisCache",
            "LOCATION": f"{_redis_base}/{int(_redis_db or 0) - _worker}",
        }
    }
else:
    CACHES = {"default": {"BACKEND": "django.core.cache.backends.locmem.LocMemCache"}}
MEDIA_ROOT = BASE_DIR / "build" / "test-media"  # noqa: F405
# The browser tests' live server shows library images (tests put MEDIA_ROOT in a tmp folder).
NEWSROOM_SERVE_MEDIA = True
# The sample archive and the fixtures hotlink pictures from img.example.com.
CONTENT_SECURITY_POLICY = {  # noqa: F405
    "DIRECTIVES": {
        **CONTENT_SECURITY_POLICY["DIRECTIVES"],  # noqa: F405
        "img-src": [*CONTENT_SECURITY_POLICY["DIRECTIVES"]["img-src"], "img.example.com"],  # noqa: F405
    }
}
