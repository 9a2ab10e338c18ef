"""Settings for the newsroom CMS, read only from environment variables.

Defaults are safe for production (DEBUG off, no hosts allowed, a secret key required);
`make run` turns development mode on for itself with DJANGO_DEBUG=1.
"""

import json
import os
from pathlib import Path

import dj_database_url
from django.core.exceptions import ImproperlyConfigured
from django_prose_editor.config import html_tags
from js_asset import static_lazy

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
        raise ImproperlyConfigured("DJANGO_SECRET_KEY must be set (or DJANGO_DEBUG=1 for local development).")
    SECRET_KEY = "development-only-key-never-used-in-production"
elif not DEBUG and (len(SECRET_KEY) < 50 or len(set(SECRET_KEY)) < 5 or SECRET_KEY.startswith("django-insecure-")):
    # Django's own test of a key (check --deploy, security.W009), made a refusal: a guessable key
    # lets anyone sign sessions, password-reset links and share links.
    raise ImproperlyConfigured(
        "DJANGO_SECRET_KEY is too weak: use at least 50 characters with 5 or more different ones, "
        "e.g. python -c 'import secrets; print(secrets.token_urlsafe(50))'."
    )

ALLOWED_HOSTS = env_list("DJANGO_ALLOWED_HOSTS", ["localhost", "127.0.0.1", "[::1]"] if DEBUG else [])
# An empty list would answer every request 400: say so at start-up instead. Test settings set
# their own hosts and opt out with NEWSROOM_ALLOW_NO_HOSTS (checked before they override the list).
if not ALLOWED_HOSTS and not DEBUG and not env_bool("NEWSROOM_ALLOW_NO_HOSTS"):
    raise ImproperlyConfigured(
        "DJANGO_ALLOWED_HOSTS must be set in production (comma-separated host names), "
        "or DJANGO_DEBUG=1 for local development."
    )
CSRF_TRUSTED_ORIGINS = env_list("DJANGO_CSRF_TRUSTED_ORIGINS")

INSTALLED_APPS = [
    "config.apps.NewsroomAdminConfig",  # django.contrib.admin with the newsroom's site
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
    "config.apps.LoginProtectionConfig",  # django-axes, named in the admin's language
    "csp",
    "articles",
]

MIDDLEWARE = [
    # Outside the page cache, so that cached pages answer If-None-Match/If-Modified-Since too.
    "articles.middleware.PageConditionalGetMiddleware",
    # A host not in ALLOWED_HOSTS is answered 400 here, with the headers below added to it.
    "articles.middleware.BadRequestMiddleware",
    # A page is kept with the headers everything below gives it, so a hit (also one that
    # articles.middleware.PageCacheApplication answers before Django) carries them all.
    "articles.middleware.PageCacheMiddleware",
    "django.middleware.security.SecurityMiddleware",
    # Every answer, static files too, carries the policy.
    "articles.middleware.ContentSecurityPolicyMiddleware",
    "whitenoise.middleware.WhiteNoiseMiddleware",
    "articles.middleware.EditorSessionMiddleware",
    "articles.middleware.AdminLocaleMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "articles.middleware.EditorAuthenticationMiddleware",
    "articles.middleware.AdminMessageMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    # After authentication, as django-axes requires: answers a locked-out login with 429.
    "axes.middleware.AxesMiddleware",
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
    # WAL lets readers work during an import; NORMAL sync is still crash-safe in WAL mode. A
    # 64 MB page cache a connection (SQLite's default is 2 MB) keeps a large archive's indexes
    # in memory between requests instead of re-reading them from the file.
    DATABASES["default"].setdefault("OPTIONS", {}).update(
        {
            "init_command": "PRAGMA journal_mode=WAL; PRAGMA synchronous=NORMAL; PRAGMA cache_size=-65536;",
            "transaction_mode": "IMMEDIATE",
        }
    )
elif DATABASES["default"]["ENGINE"] == "django.db.backends.postgresql":
    # Reader pages are short queries: on a small server, starting parallel workers costs more
    # than they save (bench/README.md, Scale).
    # DATABASE_PARALLEL_WORKERS gives them back, for servers with cores to spare.
    DATABASES["default"].setdefault("OPTIONS", {}).setdefault(
        "options", f"-c max_parallel_workers_per_gather={int(os.environ.get('DATABASE_PARALLEL_WORKERS', '0'))}"
    )
DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"


def file_cache_folder(database):
    """The file cache's folder for `database`: `<file>-cache` beside a SQLite file, else build/cache/<name>."""
    if database["ENGINE"] == "django.db.backends.sqlite3" and not str(database["NAME"]).startswith(
        (":memory:", "file:")
    ):
        return f"{database['NAME']}-cache"
    return str(BASE_DIR / "build" / "cache" / str(database["NAME"]))


if os.environ.get("REDIS_URL"):
    CACHES = {
        "default": {
            "BACKEND": "django.core.cache.backends.redis.RedisCache",
            "LOCATION": os.environ["REDIS_URL"],
        }
    }
else:
    # Without Redis, files that every process of the site shares (the server's workers, the dev
    # server, an import from the command line), so that a change made by any of them retires the
    # pages all of them serve. One folder a database: beside the SQLite file, so that a benchmark's
    # or a second checkout's database never reads this one's pages.
    CACHES = {
        "default": {
            "BACKEND": "django.core.cache.backends.filebased.FileBasedCache",
            "LOCATION": os.environ.get("NEWSROOM_CACHE_DIR") or file_cache_folder(DATABASES["default"]),
            # incr() rewrites an entry with the default timeout: none keeps the version counters
            # for good, as Redis and local memory do. Every other entry is stored with its own.
            "TIMEOUT": None,
            # Checked by listing the folder on each store; past it a third of the files go.
            "OPTIONS": {"MAX_ENTRIES": int(os.environ.get("NEWSROOM_CACHE_MAX_ENTRIES", "1000"))},
        }
    }

# django-axes first: a locked-out username+IP is refused before a password is even checked.
AUTHENTICATION_BACKENDS = [
    "axes.backends.AxesStandaloneBackend",
    "django.contrib.auth.backends.ModelBackend",
]
AXES_FAILURE_LIMIT = int(os.environ.get("AXES_FAILURE_LIMIT", "5"))
AXES_COOLOFF_TIME = float(os.environ.get("AXES_COOLOFF_HOURS", "1"))  # hours
# Username and IP together: a newsroom behind one NAT address is not locked out as a whole
# by one person's typos or by someone guessing at it, and a guesser cannot lock an editor
# out from elsewhere either, as a lock-out by username alone would allow.
AXES_LOCKOUT_PARAMETERS = [["username", "ip_address"]]
AXES_RESET_ON_SUCCESS = True
AXES_VERBOSE = False  # its start-up banner would open the output of every manage.py command
# Production sits behind a proxy that terminates TLS; it says so by setting this.
BEHIND_TLS_PROXY = env_bool("DJANGO_SECURE_PROXY_SSL_HEADER")
# Behind the TLS proxy REMOTE_ADDR is the proxy's; the client's is the one it appended.
if BEHIND_TLS_PROXY:
    AXES_CLIENT_IP_CALLABLE = "articles.middleware.client_ip_behind_proxy"

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
    # django-storages' S3Storage for an S3-compatible store (docs/images.md).
    "default": {
        "BACKEND": os.environ.get("DJANGO_MEDIA_STORAGE", "django.core.files.storage.FileSystemStorage"),
        "OPTIONS": json.loads(os.environ.get("DJANGO_MEDIA_STORAGE_OPTIONS", "{}")),
    },
    "staticfiles": {
        "BACKEND": (
            "django.contrib.staticfiles.storage.StaticFilesStorage"
            if DEBUG
            else "articles.staticfiles.HashedStaticFilesStorage"
        )
    },
}

if BEHIND_TLS_PROXY:
    SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https")
# HTTPS only in production. The redirect follows the proxy setting by default, so that a plain
# http gunicorn on loopback (the benchmarks) is not sent to an https that nothing answers.
SECURE_SSL_REDIRECT = not DEBUG and env_bool("DJANGO_SSL_REDIRECT", BEHIND_TLS_PROXY)
SECURE_HSTS_SECONDS = 0 if DEBUG else int(os.environ.get("DJANGO_HSTS_SECONDS", str(365 * 24 * 3600)))
SECURE_HSTS_INCLUDE_SUBDOMAINS = env_bool("DJANGO_HSTS_INCLUDE_SUBDOMAINS", True)
SECURE_HSTS_PRELOAD = env_bool("DJANGO_HSTS_PRELOAD", True)
SESSION_COOKIE_SECURE = CSRF_COOKIE_SECURE = not DEBUG and env_bool("DJANGO_SECURE_COOKIES", True)
SESSION_COOKIE_HTTPONLY = True
# The admin reads the CSRF token from its forms, never from the cookie.
CSRF_COOKIE_HTTPONLY = True
SECURE_CONTENT_TYPE_NOSNIFF = True
SECURE_REFERRER_POLICY = "strict-origin-when-cross-origin"
X_FRAME_OPTIONS = "DENY"

# Content-Security-Policy (django-csp) on every answer: no inline script anywhere, images from
# here and from the CDNs legacy articles still hotlink (NEWSROOM["HOTLINK_IMAGE_HOSTS"]).
# The JSON-LD block is a data block, which script-src does not govern. Frames: only the video
# players an article body may embed (articles.sanitize.VIDEO_PLAYERS; a test keeps the two equal);
# media: this site and the hosts of articles.sanitize.MEDIA_HOSTS (likewise).
CONTENT_SECURITY_POLICY = {
    "DIRECTIVES": {
        "default-src": ["'self'"],
        "script-src": ["'self'"],
        "style-src": ["'self'"],
        "img-src": ["'self'", "data:"],  # + the hotlink hosts, below NEWSROOM
        "object-src": ["'none'"],
        "base-uri": ["'none'"],
        "frame-ancestors": ["'none'"],
        "frame-src": [
            "https://player.bilibili.com",
            "https://www.youtube.com",
            "https://www.youtube-nocookie.com",
            "https://v.qq.com",
            "https://player.vimeo.com",
            "https://player.youku.com",
            "https://music.163.com",
        ],
        "media-src": ["'self'", "https://upload.wikimedia.org"],
        "form-action": ["'self'"],
    }
}

# E-mail (the workflow's notifications, articles.notifications): printed to the console in
# development; in production through the SMTP server the environment names. Sent while the
# editor's request waits, so a server that does not answer gives up after EMAIL_TIMEOUT seconds.
EMAIL_BACKEND = os.environ.get(
    "DJANGO_EMAIL_BACKEND",
    "django.core.mail.backends.console.EmailBackend" if DEBUG else "django.core.mail.backends.smtp.EmailBackend",
)
EMAIL_HOST = os.environ.get("EMAIL_HOST", "localhost")
EMAIL_PORT = int(os.environ.get("EMAIL_PORT", "25"))
EMAIL_HOST_USER = os.environ.get("EMAIL_HOST_USER", "")
EMAIL_HOST_PASSWORD = os.environ.get("EMAIL_HOST_PASSWORD", "")
EMAIL_USE_TLS = env_bool("EMAIL_USE_TLS")
EMAIL_USE_SSL = env_bool("EMAIL_USE_SSL")
if EMAIL_USE_TLS and EMAIL_USE_SSL:
    raise ImproperlyConfigured("Set EMAIL_USE_TLS (STARTTLS, usually port 587) or EMAIL_USE_SSL (port 465), not both.")
EMAIL_TIMEOUT = int(os.environ.get("EMAIL_TIMEOUT", "10"))
DEFAULT_FROM_EMAIL = os.environ.get("DEFAULT_FROM_EMAIL", "webmaster@localhost")
SERVER_EMAIL = os.environ.get("SERVER_EMAIL", DEFAULT_FROM_EMAIL)

LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "handlers": {"console": {"class": "logging.StreamHandler"}},
    "root": {"handlers": ["console"], "level": os.environ.get("DJANGO_LOG_LEVEL", "INFO")},
}

TAGGIT_CASE_INSENSITIVE = True

# The body editor's own Tiptap extension (articles.editor): embeds of the video players that
# articles.sanitize keeps. The editor loads the module; the tags are what it may write.
DJANGO_PROSE_EDITOR_EXTENSIONS = [
    {
        "js": [static_lazy("articles/admin/video-embed.js")],
        "extensions": {
            "VideoEmbed": html_tags(
                ["iframe"],
                {
                    "iframe": [
                        "src",
                        "width",
                        "height",
                        "title",
                        "sandbox",
                        "allow",
                        "allowfullscreen",
                        "loading",
                        "referrerpolicy",
                    ]
                },
            ),
        },
    },
]

# The newsroom's own settings.
NEWSROOM = {
    "SITE_NAME": os.environ.get("NEWSROOM_SITE_NAME", "新闻编辑室"),
    "SITE_URL": os.environ.get("NEWSROOM_SITE_URL", "http://127.0.0.1:8000"),
    "PAGE_SIZE": int(os.environ.get("NEWSROOM_PAGE_SIZE", "20")),
    "SUMMARY_LENGTH": 120,
    "DEFAULT_AUTHOR": os.environ.get("NEWSROOM_DEFAULT_AUTHOR", "编辑部"),
    # The largest article body accepted, in bytes of UTF-8 (the form and the importer refuse a
    # larger one). Besides the sanitizer's markup bounds (articles.sanitize), it bounds what
    # html5lib's tokenizer still builds a character at a time (a tag's name, a comment's dashes,
    # an unquoted attribute value), whose cost grows with the square of their length.
    "BODY_MAX_BYTES": int(os.environ.get("NEWSROOM_BODY_MAX_BYTES", str(256 * 1024))),
    # How long a signed share link to a draft stays valid (any state change ends it sooner).
    "SHARE_LINK_MAX_AGE": int(os.environ.get("NEWSROOM_SHARE_LINK_MAX_AGE", str(7 * 24 * 3600))),
    # How often the article form is autosaved while it changes (0: never).
    "AUTOSAVE_SECONDS": float(os.environ.get("NEWSROOM_AUTOSAVE_SECONDS", "30")),
    # Feeds carry the whole article (content:encoded, Atom content); off: the summary only.
    "FEED_FULL_CONTENT": env_bool("NEWSROOM_FEED_FULL_CONTENT", True),
    # Anonymous readers' pages from the cache (articles.caching); any visible change retires them.
    "PAGE_CACHE": env_bool("NEWSROOM_PAGE_CACHE", True),
    # An upper bound only, to let old versions' entries go: changes never wait for it.
    "PAGE_CACHE_TIMEOUT": int(os.environ.get("NEWSROOM_PAGE_CACHE_TIMEOUT", "600")),
    # Rendered parts of pages (an article's head and content, a list's card) kept per article
    # (articles.fragments), so that a page the page cache does not hold renders only what changed.
    "FRAGMENT_CACHE": env_bool("NEWSROOM_FRAGMENT_CACHE", True),
    "FRAGMENT_CACHE_TIMEOUT": int(os.environ.get("NEWSROOM_FRAGMENT_CACHE_TIMEOUT", str(24 * 3600))),
    # Readers' comments show at once instead of waiting for an editor (articles.comments).
    "COMMENTS_APPROVE_IMMEDIATELY": env_bool("NEWSROOM_COMMENTS_APPROVE_IMMEDIATELY"),
    # Image hosts that imported articles still load pictures from (the legacy archive's CDNs);
    # the Content-Security-Policy lets browsers load images from them and nowhere else.
    "HOTLINK_IMAGE_HOSTS": env_list(
        "NEWSROOM_HOTLINK_IMAGE_HOSTS",
        [
            "img.36krcdn.com",
            "math.jianshu.com",
            "oss.012700.xyz",
            "jsd.012700.xyz",
            "i.loli.net",
            "ms-static.vhallyun.com",
            "cdn.jsdelivr.net",
            "img.ithome.com",
            "img.youtube.com",
            "www.gravatar.com",
            "static001.geekbang.org",
            "static.cnbetacdn.com",
            "oscimg.oschina.net",
            "img.shields.io",
            "cdn1.diygod.me",
        ],
    ),
}
CONTENT_SECURITY_POLICY["DIRECTIVES"]["img-src"] += NEWSROOM["HOTLINK_IMAGE_HOSTS"]

# The image library (articles.images): what an upload or a download may be, and what it becomes.
NEWSROOM_IMAGES = {
    "MAX_BYTES": int(os.environ.get("NEWSROOM_IMAGE_MAX_BYTES", str(20 * 1024 * 1024))),
    # Decoded size is what a decompression bomb inflates, so it has its own limit.
    "MAX_PIXELS": int(os.environ.get("NEWSROOM_IMAGE_MAX_PIXELS", str(40_000_000))),
    # An animation decodes every frame on the whole canvas: frames × canvas pixels, bounded too.
    "MAX_ANIMATION_PIXELS": int(os.environ.get("NEWSROOM_IMAGE_MAX_ANIMATION_PIXELS", str(200_000_000))),
    "RENDITION_WIDTHS": (320, 640, 960, 1280, 1920),
    "SOCIAL_CARD_SIZE": (1200, 630),
    "WEBP_QUALITY": 80,
    # libwebp's effort (0–6): 2 encodes much faster than the default 4 for a few more bytes.
    "WEBP_METHOD": 2,
    "JPEG_QUALITY": 82,
    "DOWNLOAD_TIMEOUT": float(os.environ.get("NEWSROOM_IMAGE_DOWNLOAD_TIMEOUT", "10")),
    "DOWNLOAD_THREADS": int(os.environ.get("NEWSROOM_IMAGE_DOWNLOAD_THREADS", "4")),
}

# --- The read-only JSON API under /api/v1/ (articles.api) ---------------------------------------
# Django REST framework for the views, drf-spectacular for the OpenAPI schema, its sidecar for
# Swagger UI from our own static files (no CDN), django-cors-headers for browsers on other sites.
INSTALLED_APPS += ["rest_framework", "drf_spectacular", "drf_spectacular_sidecar", "corsheaders"]
# Outermost: the CORS headers depend on the request's Origin, which the page cache does not key
# on, so they are added to the stored answer rather than stored with it.
MIDDLEWARE.insert(0, "corsheaders.middleware.CorsMiddleware")
NEWSROOM_API = {
    "PAGE_SIZE": 20,
    "MAX_PAGE_SIZE": 100,
    # Per client address, counted in the cache; answers the page cache holds are not counted
    # (they cost the database nothing). Empty: no limit.
    "THROTTLE_RATE": os.environ.get("NEWSROOM_API_THROTTLE_RATE", "120/minute") or None,
}
REST_FRAMEWORK = {
    # Public and read-only: no sessions, no passwords, no request bodies, nothing but JSON (the
    # browsable API's inline scripts would break the Content-Security-Policy).
    "DEFAULT_AUTHENTICATION_CLASSES": [],
    "DEFAULT_PERMISSION_CLASSES": ["rest_framework.permissions.AllowAny"],
    "DEFAULT_PARSER_CLASSES": [],
    "DEFAULT_RENDERER_CLASSES": ["rest_framework.renderers.JSONRenderer"],
    "DEFAULT_THROTTLE_CLASSES": ["articles.api.throttling.ReaderRateThrottle"],
    "DEFAULT_SCHEMA_CLASS": "drf_spectacular.openapi.AutoSchema",
    # Only the parameters each endpoint declares are read (the page cache keys on them).
    "URL_FORMAT_OVERRIDE": None,
}
SPECTACULAR_SETTINGS = {
    "TITLE": f"{NEWSROOM['SITE_NAME']} API",
    "DESCRIPTION": "只读 JSON API：已发布的文章、分类树、标签与作者。",
    "VERSION": "1",
    "SERVE_INCLUDE_SCHEMA": False,
    "SCHEMA_PATH_PREFIX": r"/api/v1",
    "SWAGGER_UI_DIST": "SIDECAR",
    "SWAGGER_UI_FAVICON_HREF": "SIDECAR",
    # No badge from the public validator: the page may reach nothing but this site.
    "SWAGGER_UI_SETTINGS": {"validatorUrl": None, "deepLinking": True, "defaultModelsExpandDepth": 0},
}
# Sites whose pages may read the API from the browser (comma-separated origins, e.g.
# https://app.example.com); none by default. GET only, no credentials.
CORS_ALLOWED_ORIGINS = env_list("NEWSROOM_API_CORS_ORIGINS")
CORS_URLS_REGEX = r"^/api/"
CORS_ALLOW_METHODS = ["GET", "HEAD", "OPTIONS"]
CORS_ALLOW_HEADERS = ["accept", "if-none-match", "if-modified-since"]
CORS_EXPOSE_HEADERS = ["ETag", "Retry-After"]
