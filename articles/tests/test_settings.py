"""Settings come from the environment, with production-safe defaults."""
import os
import subprocess
import sys

from django.conf import settings

BASE_ENV = {"PATH": os.environ.get("PATH", ""), "DJANGO_SETTINGS_MODULE": "config.settings"}


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


def test_production_refuses_to_start_without_a_secret_key():
    result = load_settings()
    assert result.returncode != 0
    assert "DJANGO_SECRET_KEY must be set" in result.stderr


def test_defaults_are_production_safe_with_sqlite():
    import json

    result = load_settings(DJANGO_SECRET_KEY="k" * 50)
    debug, hosts, engine, name, cache, tz, use_tz = json.loads(result.stdout)
    assert (debug, hosts) == (False, [])
    assert engine == "django.db.backends.sqlite3" and name.endswith("db.sqlite3")
    assert cache.endswith("LocMemCache")
    assert (tz, use_tz) == ("Asia/Shanghai", True)


def test_database_cache_and_hosts_come_from_the_environment():
    import json

    result = load_settings(
        DJANGO_SECRET_KEY="k" * 50,
        DATABASE_URL="postgres://news:pw@db.internal:5432/newsroom",
        REDIS_URL="redis://127.0.0.1:6379/1",
        DJANGO_ALLOWED_HOSTS="news.example.com, www.news.example.com",
    )
    debug, hosts, engine, name, cache, _, _ = json.loads(result.stdout)
    assert hosts == ["news.example.com", "www.news.example.com"]
    assert engine == "django.db.backends.postgresql" and name == "newsroom"
    assert cache == "django.core.cache.backends.redis.RedisCache"


def test_development_mode_is_opt_in():
    import json

    result = load_settings(DJANGO_DEBUG="1")
    debug, hosts, *_ = json.loads(result.stdout)
    assert debug is True
    assert "127.0.0.1" in hosts
