"""Settings for the newsroom CMS, read only from environment variables.

Defaults are safe for production (DEBUG off, no hosts allowed, a secret key required);
`make run` turns development mode on for itself with DJANGO_DEBUG=1.
"""
import json
import os
from pathlib import Path

import dj_database_url
from django.core.exceptions import ImproperlyConfigured

BASE_DIR = Path(__file__).resolve().parent.parent


def env_bool(name, default=False):
    value = os.environ.get(name)
    if value is None:
        return default
    return value.strip().lower() in {"1", "true", "yes", "on"}


def env_list(name, default=()):
    value = os.environ.get(name)
    if value is None:
        return list(default)
    return [item.strip() for item in value.split(",") if item.strip()]


DEBUG = env_bool("DJANGO_DEBUG")

SECRET_KEY = os.environ.get("DJANGO_SECRET_KEY", "")
if not SECRET_KEY:
    if not DEBUG:
        raise ImproperlyConfigured(
            "DJANGO_SECRET_KEY must be set (or DJANGO_DEBUG=1 for local development)."
        )
    SECRET_KEY = "development-only-key-never-used-in-production"

ALLOWED_HOSTS = env_list(
    "DJANGO_ALLOWED_HOSTS", ["localhost", "127.0.0.1", "[::1]"] if DEBUG else []
)
CSRF_TRUSTED_ORIGINS = env_list("DJANGO_CSRF_TRUSTED_ORIGINS")

INSTALLED_APPS = [
    "django.contrib.admin",
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "whitenoise.runserver_nostatic",
    "django.contrib.staticfiles",
    "django.contrib.sitemaps",
    "taggit",
    "reversion",
    "django_prose_editor",
    "articles",
]

MIDDLEWARE = [
    "django.middleware.security.SecurityMiddleware",
    "whitenoise.middleware.WhiteNoiseMiddleware",
    # Outside the page cache, so that cached pages answer If-None-Match/If-Modified-Since too.
    "django.middleware.http.ConditionalGetMiddleware",
    "articles.middleware.PageCacheMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "articles.middleware.AdminLocaleMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    "articles.middleware.LegacyURLMiddleware",
]

ROOT_URLCONF = "config.urls"

TEMPLATES = [
    {
        "BACKEND": "django.template.backends.django.DjangoTemplates",
        "DIRS": [BASE_DIR / "templates"],
        "APP_DIRS": True,
        "OPTIONS": {
            "context_processors": [
                "django.template.context_processors.request",
                "django.contrib.auth.context_processors.auth",
                "django.contrib.messages.context_processors.messages",
                "articles.context_processors.site",
            ],
        },
    },
]

WSGI_APPLICATION = "config.wsgi.application"
ASGI_APPLICATION = "config.asgi.application"

# SQLite in the project folder is the embedded default; production sets DATABASE_URL=postgres://…
DATABASES = {
    "default": dj_database_url.config(
        default=f"sqlite:///{BASE_DIR / 'db.sqlite3'}",
        conn_max_age=int(os.environ.get("DJANGO_CONN_MAX_AGE", "60")),
        conn_health_checks=True,
    )
}
if DATABASES["default"]["ENGINE"] == "django.db.backends.sqlite3":
    # WAL lets readers work during an import; NORMAL sync is still crash-safe in WAL mode.
    DATABASES["default"].setdefault("OPTIONS", {}).update(
        {
            "init_command": "PRAGMA journal_mode=WAL; PRAGMA synchronous=NORMAL;",
            "transaction_mode": "IMMEDIATE",
        }
    )
DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"

if os.environ.get("REDIS_URL"):
    CACHES = {
        "default": {
            "BACKEND": "django.core.cache.backends.redis.RedisCache",
            "LOCATION": os.environ["REDIS_URL"],
        }
    }
else:
    CACHES = {"default": {"BACKEND": "django.core.cache.backends.locmem.LocMemCache"}}

AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "django.contrib.auth.password_validation.UserAttributeSimilarityValidator"},
    {"NAME": "django.contrib.auth.password_validation.MinimumLengthValidator"},
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
    {"NAME": "django.contrib.auth.password_validation.NumericPasswordValidator"},
]

LANGUAGE_CODE = "zh-hans"
LANGUAGES = [("zh-hans", "简体中文"), ("en", "English")]
LOCALE_PATHS = [BASE_DIR / "locale"]
TIME_ZONE = "Asia/Shanghai"
USE_I18N = True
USE_TZ = True

STATIC_URL = "/static/"
STATIC_ROOT = BASE_DIR / "staticfiles"
STATICFILES_DIRS = [BASE_DIR / "static"]
MEDIA_URL = "/media/"
MEDIA_ROOT = Path(os.environ.get("DJANGO_MEDIA_ROOT", BASE_DIR / "media"))
# Django serves uploads itself only in development; production leaves that to nginx or S3.
NEWSROOM_SERVE_MEDIA = DEBUG

STORAGES = {
    # Uploads and renditions: the local filesystem, or any Django storage such as
    # django-storages' S3Storage for an S3-compatible store (README, "Images and media").
    "default": {
        "BACKEND": os.environ.get("DJANGO_MEDIA_STORAGE", "django.core.files.storage.FileSystemStorage"),
        "OPTIONS": json.loads(os.environ.get("DJANGO_MEDIA_STORAGE_OPTIONS", "{}")),
    },
    "staticfiles": {
        "BACKEND": (
            "django.contrib.staticfiles.storage.StaticFilesStorage"
            if DEBUG
            else "whitenoise.storage.CompressedManifestStaticFilesStorage"
        )
    },
}

# Production sits behind a proxy that terminates TLS; it says so by setting this.
if env_bool("DJANGO_SECURE_PROXY_SSL_HEADER"):
    SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https")
SESSION_COOKIE_SECURE = CSRF_COOKIE_SECURE = not DEBUG and env_bool("DJANGO_SECURE_COOKIES", True)
SECURE_CONTENT_TYPE_NOSNIFF = True
SECURE_REFERRER_POLICY = "strict-origin-when-cross-origin"
X_FRAME_OPTIONS = "DENY"

LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "handlers": {"console": {"class": "logging.StreamHandler"}},
    "root": {"handlers": ["console"], "level": os.environ.get("DJANGO_LOG_LEVEL", "INFO")},
}

TAGGIT_CASE_INSENSITIVE = True

# The newsroom's own settings.
NEWSROOM = {
    "SITE_NAME": os.environ.get("NEWSROOM_SITE_NAME", "新闻编辑室"),
    "SITE_URL": os.environ.get("NEWSROOM_SITE_URL", "http://127.0.0.1:8000"),
    "PAGE_SIZE": int(os.environ.get("NEWSROOM_PAGE_SIZE", "20")),
    "SUMMARY_LENGTH": 120,
    "DEFAULT_AUTHOR": os.environ.get("NEWSROOM_DEFAULT_AUTHOR", "编辑部"),
    # How long a signed share link to a draft stays valid (any state change ends it sooner).
    "SHARE_LINK_MAX_AGE": int(os.environ.get("NEWSROOM_SHARE_LINK_MAX_AGE", str(7 * 24 * 3600))),
    # Feeds carry the whole article (content:encoded, Atom content); off: the summary only.
    "FEED_FULL_CONTENT": env_bool("NEWSROOM_FEED_FULL_CONTENT", True),
    # Anonymous readers' pages from the cache (articles.caching); any visible change retires them.
    "PAGE_CACHE": env_bool("NEWSROOM_PAGE_CACHE", True),
    # An upper bound only, to let old versions' entries go: changes never wait for it.
    "PAGE_CACHE_TIMEOUT": int(os.environ.get("NEWSROOM_PAGE_CACHE_TIMEOUT", "600")),
}

# The image library (articles.images): what an upload or a download may be, and what it becomes.
NEWSROOM_IMAGES = {
    "MAX_BYTES": int(os.environ.get("NEWSROOM_IMAGE_MAX_BYTES", str(20 * 1024 * 1024))),
    # Decoded size is what a decompression bomb inflates, so it has its own limit.
    "MAX_PIXELS": int(os.environ.get("NEWSROOM_IMAGE_MAX_PIXELS", str(40_000_000))),
    "RENDITION_WIDTHS": (320, 640, 960, 1280, 1920),
    "SOCIAL_CARD_SIZE": (1200, 630),
    "WEBP_QUALITY": 80,
    # libwebp's effort (0–6): 2 encodes about twice as fast as the default 4 for ~4% more bytes.
    "WEBP_METHOD": 2,
    "JPEG_QUALITY": 82,
    "DOWNLOAD_TIMEOUT": float(os.environ.get("NEWSROOM_IMAGE_DOWNLOAD_TIMEOUT", "10")),
    "DOWNLOAD_THREADS": int(os.environ.get("NEWSROOM_IMAGE_DOWNLOAD_THREADS", "4")),
}
