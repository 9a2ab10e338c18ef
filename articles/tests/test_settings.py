"""Settings come from the environment, with production-safe defaults."""

import json
import os
import re
import subprocess
import sys

import pytest
from django.conf import settings

# NEWSROOM_ENV_FILE empty: manage.py reads no .env, as production does, whatever the checkout has.
BASE_ENV = {"PATH": os.environ.get("PATH", ""), "DJANGO_SETTINGS_MODULE": "config.settings", "NEWSROOM_ENV_FILE": ""}


def load_settings(**env):
    code = (
        "import json, django; from django.conf import settings as s; "
        "print(json.dumps([s.DEBUG, s.ALLOWED_HOSTS, s.DATABASES['default']['ENGINE'], "
        "s.DATABASES['default']['NAME'], s.CACHES['default']['BACKEND'], s.TIME_ZONE, s.USE_TZ]))"
    )
    return subprocess.run(
        [sys.executable, "-c", code],
        env={**BASE_ENV, **env},
        cwd=settings.BASE_DIR,
        capture_output=True,
        text=True,
    )


# A key Django's deployment check accepts: 50 characters or more, many different ones.
STRONG_KEY = "q7Vx-2mZ9rLk4bN8sT1wY6eH3jC0pF5gU-aDiO_xRvWnMtKyBzQlEoJcSuAhGf"


def test_production_refuses_to_start_without_a_secret_key():
    result = load_settings()
    assert result.returncode != 0
    assert "DJANGO_SECRET_KEY must be set" in result.stderr


@pytest.mark.parametrize(
    "key", ["x", "k" * 50, "ab" * 40, "django-insecure-" + "q7Vx-2mZ9rLk4bN8sT1wY6eH3jC0pF5gU-aDiO_xRvWnM"]
)
def test_production_refuses_a_weak_secret_key(key):
    result = load_settings(DJANGO_SECRET_KEY=key, DJANGO_ALLOWED_HOSTS="news.example.com")
    assert result.returncode != 0
    assert "DJANGO_SECRET_KEY is too weak" in result.stderr


def test_development_takes_any_key():
    result = load_settings(DJANGO_SECRET_KEY="x", DJANGO_DEBUG="1")
    assert result.returncode == 0, result.stderr


def test_defaults_are_production_safe_with_sqlite():
    result = load_settings(DJANGO_SECRET_KEY=STRONG_KEY, DJANGO_ALLOWED_HOSTS="news.example.com")
    debug, hosts, engine, name, cache, tz, use_tz = json.loads(result.stdout)
    assert (debug, hosts) == (False, ["news.example.com"])
    assert engine == "django.db.backends.sqlite3" and name.endswith("db.sqlite3")
    assert cache.endswith("FileBasedCache")  # shared by every process of the site
    assert (tz, use_tz) == ("Asia/Shanghai", True)


def test_database_cache_and_hosts_come_from_the_environment():
    result = load_settings(
        DJANGO_SECRET_KEY=STRONG_KEY,
        DATABASE_URL="postgres://news:pw@db.internal:5432/newsroom",
        REDIS_URL="redis://127.0.0.1:6379/1",
        DJANGO_ALLOWED_HOSTS="news.example.com, www.news.example.com",
    )
    debug, hosts, engine, name, cache, _, _ = json.loads(result.stdout)
    assert hosts == ["news.example.com", "www.news.example.com"]
    assert engine == "django.db.backends.postgresql" and name == "newsroom"
    assert cache == "django.core.cache.backends.redis.RedisCache"


def database_options(**env):
    code = "import json, django; from django.conf import settings as s; print(json.dumps(s.DATABASES['default'].get('OPTIONS', {})))"
    result = subprocess.run(
        [sys.executable, "-c", code],
        env={**BASE_ENV, "DJANGO_SECRET_KEY": STRONG_KEY, "DJANGO_ALLOWED_HOSTS": "x", **env},
        cwd=settings.BASE_DIR,
        capture_output=True,
        text=True,
        check=True,
    )
    return json.loads(result.stdout)


def test_reader_queries_start_no_parallel_workers_on_postgresql_unless_asked():
    url = "postgres://news:pw@db.internal:5432/newsroom"
    assert database_options(DATABASE_URL=url)["options"] == "-c max_parallel_workers_per_gather=0"
    assert (
        database_options(DATABASE_URL=url, DATABASE_PARALLEL_WORKERS="2")["options"]
        == "-c max_parallel_workers_per_gather=2"
    )


def test_sqlite_keeps_a_larger_page_cache():
    assert "PRAGMA cache_size=-65536;" in database_options()["init_command"]


def test_development_mode_is_opt_in():
    result = load_settings(DJANGO_DEBUG="1")
    debug, hosts, *_ = json.loads(result.stdout)
    assert debug is True
    assert "127.0.0.1" in hosts


def mail_settings(**env):
    code = (
        "import json, django; from django.conf import settings as s; print(json.dumps([s.EMAIL_BACKEND, "
        "s.EMAIL_HOST, s.EMAIL_PORT, s.EMAIL_HOST_USER, s.EMAIL_HOST_PASSWORD, s.EMAIL_USE_TLS, "
        "s.EMAIL_USE_SSL, s.DEFAULT_FROM_EMAIL]))"
    )
    return subprocess.run(
        [sys.executable, "-c", code],
        env={**BASE_ENV, "DJANGO_SECRET_KEY": STRONG_KEY, "DJANGO_ALLOWED_HOSTS": "x", **env},
        cwd=settings.BASE_DIR,
        capture_output=True,
        text=True,
    )


def test_mail_goes_to_the_console_in_development_and_through_smtp_in_production():
    assert json.loads(mail_settings(DJANGO_DEBUG="1").stdout)[0] == "django.core.mail.backends.console.EmailBackend"
    result = mail_settings(
        EMAIL_HOST="smtp.example.com",
        EMAIL_PORT="587",
        EMAIL_HOST_USER="newsroom",
        EMAIL_HOST_PASSWORD="secret",
        EMAIL_USE_TLS="1",
        DEFAULT_FROM_EMAIL="编辑部 <news@example.com>",
    )
    assert json.loads(result.stdout) == [
        "django.core.mail.backends.smtp.EmailBackend",
        "smtp.example.com",
        587,
        "newsroom",
        "secret",
        True,
        False,
        "编辑部 <news@example.com>",
    ]


def test_mail_settings_refuse_tls_and_ssl_together():
    result = mail_settings(EMAIL_USE_TLS="1", EMAIL_USE_SSL="1")
    assert result.returncode != 0 and "EMAIL_USE_TLS" in result.stderr


# --- Hardened by default ------------------------------------------------------------------------

PRODUCTION_ENV = {
    # 50+ random characters, as `check --deploy` wants (security.W009).
    "DJANGO_SECRET_KEY": "q7Vx-2mZ9rLk4bN8sT1wY6eH3jC0pF5gU-aDiO_xRvWnMtKyBzQlEoJcSuAhGf",
    "DJANGO_ALLOWED_HOSTS": "news.example.com",
    "DJANGO_SECURE_PROXY_SSL_HEADER": "1",
}


def manage(*args, **env):
    return subprocess.run(
        [sys.executable, "manage.py", *args],
        env={**BASE_ENV, **env},
        cwd=settings.BASE_DIR,
        capture_output=True,
        text=True,
    )


def test_production_settings_pass_the_deployment_check_without_warnings():
    result = manage("check", "--deploy", "--fail-level", "WARNING", **PRODUCTION_ENV)
    assert result.returncode == 0, result.stderr
    assert "System check identified no issues (0 silenced)." in result.stdout
    assert "WARNINGS" not in result.stderr


def test_production_refuses_to_start_without_allowed_hosts():
    env = {k: v for k, v in PRODUCTION_ENV.items() if k != "DJANGO_ALLOWED_HOSTS"}
    result = load_settings(**env)
    assert result.returncode != 0
    assert "DJANGO_ALLOWED_HOSTS must be set" in result.stderr


def security_settings(**env):
    code = (
        "import json; from django.conf import settings as s; print(json.dumps({name: getattr(s, name) "
        "for name in ['SECURE_SSL_REDIRECT', 'SECURE_HSTS_SECONDS', 'SECURE_HSTS_INCLUDE_SUBDOMAINS', "
        "'SECURE_HSTS_PRELOAD', 'SESSION_COOKIE_SECURE', 'CSRF_COOKIE_SECURE', "
        "'SESSION_COOKIE_HTTPONLY', 'CSRF_COOKIE_HTTPONLY', 'X_FRAME_OPTIONS']}))"
    )
    result = subprocess.run(
        [sys.executable, "-c", code],
        env={**BASE_ENV, **env},
        cwd=settings.BASE_DIR,
        capture_output=True,
        text=True,
    )
    assert result.returncode == 0, result.stderr
    return json.loads(result.stdout)


def test_production_redirects_to_https_and_sends_hsts_behind_the_proxy():
    values = security_settings(**PRODUCTION_ENV)
    assert values["SECURE_SSL_REDIRECT"] is True
    assert values["SECURE_HSTS_SECONDS"] >= 365 * 24 * 3600
    assert values["SECURE_HSTS_INCLUDE_SUBDOMAINS"] and values["SECURE_HSTS_PRELOAD"]
    assert all(
        values[name]
        for name in ("SESSION_COOKIE_SECURE", "CSRF_COOKIE_SECURE", "SESSION_COOKIE_HTTPONLY", "CSRF_COOKIE_HTTPONLY")
    )
    assert values["X_FRAME_OPTIONS"] == "DENY"


def test_plain_http_on_loopback_is_not_redirected_without_the_proxy_setting():
    # The benchmarks serve gunicorn on http://127.0.0.1 with production settings.
    env = {k: v for k, v in PRODUCTION_ENV.items() if k != "DJANGO_SECURE_PROXY_SSL_HEADER"}
    assert security_settings(**env)["SECURE_SSL_REDIRECT"] is False
    assert security_settings(**env, DJANGO_SSL_REDIRECT="1")["SECURE_SSL_REDIRECT"] is True


def test_development_mode_neither_redirects_nor_sends_hsts():
    values = security_settings(DJANGO_DEBUG="1", DJANGO_SECURE_PROXY_SSL_HEADER="1")
    assert values["SECURE_SSL_REDIRECT"] is False and values["SECURE_HSTS_SECONDS"] == 0
    assert not values["SESSION_COOKIE_SECURE"]


def test_hsts_preload_and_subdomains_can_be_turned_off():
    values = security_settings(**PRODUCTION_ENV, DJANGO_HSTS_INCLUDE_SUBDOMAINS="0", DJANGO_HSTS_PRELOAD="0")
    assert values["SECURE_HSTS_INCLUDE_SUBDOMAINS"] is False and values["SECURE_HSTS_PRELOAD"] is False


SERVE_IN_PRODUCTION = """
import django, sys
from django.conf import settings
settings.STATIC_ROOT = sys.argv[1]
django.setup()
from django.test import Client
client = Client(SERVER_NAME="news.example.com")
for path in sys.argv[2:]:
    response = client.get(path, secure=True)
    print(path, response.status_code, response.get("Cache-Control", ""))
"""


@pytest.fixture(scope="module")
def production_site(tmp_path_factory):
    """Production settings with static files collected (hashed) and a file in MEDIA_ROOT."""
    root = tmp_path_factory.mktemp("production")
    (root / "media" / "images").mkdir(parents=True)
    (root / "media" / "images" / "photo.jpg").write_bytes(b"\xff\xd8\xff")
    env = {
        **BASE_ENV,
        **PRODUCTION_ENV,
        "DJANGO_MEDIA_ROOT": str(root / "media"),
        "DATABASE_URL": f"sqlite:///{root / 'db.sqlite3'}",
    }
    code = (
        "import django, sys; from django.conf import settings; settings.STATIC_ROOT = sys.argv[1]; "
        "django.setup(); from django.core.management import call_command; "
        "call_command('migrate', '-v0'); call_command('collectstatic', '--noinput', '-v0'); "
        "from django.contrib.staticfiles.storage import staticfiles_storage as s; print(s.url('css/site.css'))"
    )
    collected = subprocess.run(
        [sys.executable, "-c", code, str(root / "static")],
        env=env,
        cwd=settings.BASE_DIR,
        capture_output=True,
        text=True,
    )
    assert collected.returncode == 0, collected.stderr
    return {"root": root, "env": env, "site_css": collected.stdout.strip().splitlines()[-1]}


def serve_in_production(site, *paths):
    """{path: (status, Cache-Control)} as the production settings answer them."""
    served = subprocess.run(
        [sys.executable, "-c", SERVE_IN_PRODUCTION, str(site["root"] / "static"), *paths],
        env=site["env"],
        cwd=settings.BASE_DIR,
        capture_output=True,
        text=True,
    )
    assert served.returncode == 0, served.stderr
    lines = (line.split(" ", 2) for line in served.stdout.splitlines() if line.startswith("/"))
    return {path: (int(status), cache_control) for path, status, cache_control in lines}


def test_static_files_get_hashed_names_and_are_cached_for_ever_in_production(production_site):
    url = production_site["site_css"]
    assert re.fullmatch(r"/static/css/site\.[0-9a-f]{12}\.css", url), url
    assert (production_site["root"] / "static" / url.removeprefix("/static/")).exists()
    status, cache_control = serve_in_production(production_site, url)[url]
    assert status == 200
    assert cache_control == "max-age=315360000, public, immutable"


def test_media_is_never_served_by_django_in_production(production_site):
    path = "/media/images/photo.jpg"
    assert serve_in_production(production_site, path)[path][0] == 404
