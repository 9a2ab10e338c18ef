"""The first ten minutes: `make run`, then the README's commands as typed, then the site.

The development `.env` (config/local_env.py) that manage.py reads and production never does,
`make run PORT=…`, the admin account's message, the sample articles' own pictures, and the
default cache that every process of a site shares (a command-line import is seen at once).
"""

import io
import os
import re
import shutil
import socket
import subprocess
import sys
import time
import urllib.request
from pathlib import Path

import pytest
from django.conf import settings
from django.contrib.auth import get_user_model
from django.core.management import call_command

from articles.models import Article, Image
from config import local_env

ROOT = Path(settings.BASE_DIR)
SAMPLE_ARCHIVE = ROOT / "articles" / "sample_archive"
PYTHON = sys.executable


def clean_env(**extra):
    """An environment with no DJANGO_*, NEWSROOM_*, DATABASE_URL or REDIS_URL of the test run's."""
    kept = {name: os.environ[name] for name in ("PATH", "HOME", "LANG", "TMPDIR") if name in os.environ}
    return {**kept, **extra}


# --- the .env file ------------------------------------------------------------------------------


def test_env_file_reads_pairs_and_skips_comments_and_quotes(tmp_path):
    path = tmp_path / ".env"
    path.write_text(
        "# a comment\n\nDJANGO_DEBUG=1\nexport NEWSROOM_SITE_URL='http://127.0.0.1:8080'\n"
        'DJANGO_SECRET_KEY="a=b#c"\nnot a pair\n',
        encoding="utf-8",
    )
    assert local_env.read(path) == {
        "DJANGO_DEBUG": "1",
        "NEWSROOM_SITE_URL": "http://127.0.0.1:8080",
        "DJANGO_SECRET_KEY": "a=b#c",
    }


def test_env_file_never_replaces_what_the_environment_has(tmp_path, monkeypatch):
    path = tmp_path / ".env"
    path.write_text("NEWSROOM_TEST_A=from-file\nNEWSROOM_TEST_B=from-file\n", encoding="utf-8")
    monkeypatch.setenv("NEWSROOM_TEST_A", "from-environment")
    monkeypatch.delenv("NEWSROOM_TEST_B", raising=False)
    local_env.load(path)
    assert os.environ["NEWSROOM_TEST_A"] == "from-environment"
    assert os.environ.pop("NEWSROOM_TEST_B") == "from-file"
    local_env.load(tmp_path / "missing.env")  # no file: nothing to do, no error
    local_env.load("")


def test_env_file_is_written_once_with_its_own_secret_key_and_the_port(tmp_path):
    path = tmp_path / ".env"
    assert local_env.write(8080, path) is True
    values = local_env.read(path)
    assert values["DJANGO_DEBUG"] == "1"
    assert values["NEWSROOM_SITE_URL"] == "http://127.0.0.1:8080"
    assert len(values["DJANGO_SECRET_KEY"]) >= 50
    assert path.stat().st_mode & 0o077 == 0  # the owner's only: it holds the secret key
    first = path.read_text(encoding="utf-8")
    assert local_env.write(8000, path) is False
    assert path.read_text(encoding="utf-8") == first  # never overwritten, edits included
    other = tmp_path / "other.env"
    local_env.write(8080, other)
    assert local_env.read(other)["DJANGO_SECRET_KEY"] != values["DJANGO_SECRET_KEY"]


def test_site_address_of_a_run_follows_its_port(tmp_path, monkeypatch):
    monkeypatch.delenv("NEWSROOM_SITE_URL", raising=False)
    path = tmp_path / ".env"
    assert local_env.url_for_run(8080, path) == "http://127.0.0.1:8080"  # no .env yet
    path.write_text("NEWSROOM_SITE_URL=http://localhost:8000\n", encoding="utf-8")
    assert local_env.url_for_run(8000, path) == "http://localhost:8000"  # the .env's, same port
    assert local_env.url_for_run(8080, path) == "http://127.0.0.1:8080"  # another port
    monkeypatch.setenv("NEWSROOM_SITE_URL", "https://news.example.com")
    assert local_env.url_for_run(8080, path) == "https://news.example.com"  # set by hand: kept


def project_copy(tmp_path):
    """The project's config and manage.py in a folder of their own (its BASE_DIR), the rest of the
    code imported from the repository: a checkout whose .env the test writes."""
    folder = tmp_path / "checkout"
    shutil.copytree(ROOT / "config", folder / "config", ignore=shutil.ignore_patterns("__pycache__"))
    shutil.copy(ROOT / "manage.py", folder / "manage.py")
    for name in ("templates", "static", "locale"):
        (folder / name).symlink_to(ROOT / name)
    return folder


def run_in(folder, *args, **env):
    return subprocess.run(
        [PYTHON, *args], cwd=folder, env=clean_env(PYTHONPATH=str(ROOT), **env),
        capture_output=True, text=True, timeout=120,
    )  # fmt: skip


SHOW_SETTINGS = (
    "from django.conf import settings as s; print('settings:', s.DEBUG, s.SECRET_KEY, s.NEWSROOM['SITE_URL'])"
)


def test_manage_py_reads_the_env_file_beside_it(tmp_path):
    folder = project_copy(tmp_path)
    refused = run_in(folder, "manage.py", "check")
    assert refused.returncode != 0 and "DJANGO_SECRET_KEY must be set" in refused.stderr
    (folder / ".env").write_text(
        "DJANGO_DEBUG=1\nDJANGO_SECRET_KEY=key-from-the-env-file\nNEWSROOM_SITE_URL=http://127.0.0.1:8123\n",
        encoding="utf-8",
    )
    checked = run_in(folder, "manage.py", "check")
    assert checked.returncode == 0, checked.stderr
    assert "System check identified no issues" in checked.stdout
    shown = run_in(folder, "manage.py", "shell", "-c", SHOW_SETTINGS)
    assert "settings: True key-from-the-env-file http://127.0.0.1:8123" in shown.stdout, shown.stderr
    # What the environment says wins over the file: make run's NEWSROOM_SITE_URL for its port.
    shown = run_in(folder, "manage.py", "shell", "-c", SHOW_SETTINGS, NEWSROOM_SITE_URL="http://127.0.0.1:9000")
    assert "settings: True key-from-the-env-file http://127.0.0.1:9000" in shown.stdout, shown.stderr


@pytest.mark.parametrize("entry_point", ["config.wsgi", "config.asgi"])
def test_production_entry_points_ignore_the_env_file(tmp_path, entry_point):
    folder = project_copy(tmp_path)
    local_env.write(8000, folder / ".env")
    started = run_in(folder, "-c", f"import {entry_point}")
    assert started.returncode != 0
    assert "DJANGO_SECRET_KEY must be set" in started.stderr
    assert str(folder / "config" / "settings.py") in started.stderr  # the copy's settings, beside its .env


# --- make run -----------------------------------------------------------------------------------


def planned_run(folder, *arguments):
    """The commands `make run` would run in `folder` (make -n), with this interpreter's venv."""
    shutil.copy(ROOT / "Makefile", folder / "Makefile")
    (folder / "requirements.txt").touch()
    (folder / "config").mkdir(exist_ok=True)
    for name in ("__init__.py", "local_env.py"):
        shutil.copy(ROOT / "config" / name, folder / "config" / name)
    done = subprocess.run(
        ["make", "-n", "-C", str(folder), "run", f"BIN={Path(PYTHON).parent}", *arguments],
        env=clean_env(), capture_output=True, text=True, timeout=60, check=True,
    )  # fmt: skip
    return [line for line in done.stdout.splitlines() if "manage.py" in line or "local_env" in line]


def test_make_run_on_another_port_serves_and_names_the_site_there(tmp_path):
    commands = planned_run(tmp_path, "PORT=8080")
    assert commands[0].endswith("-m config.local_env write --port 8080")  # the .env, first time only
    manage = commands[1:]
    assert [re.search(r"manage\.py (\S+)", line).group(1) for line in manage] == [
        "migrate", "import_frontmatter", "create_local_admin", "runserver",
    ]  # fmt: skip
    assert all("NEWSROOM_SITE_URL=http://127.0.0.1:8080 " in line for line in manage)
    assert manage[-1].endswith("runserver 127.0.0.1:8080")


def test_make_run_keeps_the_env_file_and_its_address_for_its_port(tmp_path):
    (tmp_path / ".env").write_text("NEWSROOM_SITE_URL=http://localhost:8000\n", encoding="utf-8")
    commands = planned_run(tmp_path)
    assert not any("local_env write" in line for line in commands)
    assert all("NEWSROOM_SITE_URL=http://localhost:8000 " in line for line in commands)
    assert commands[-1].endswith("runserver 127.0.0.1:8000")
    moved = planned_run(tmp_path, "PORT=8080")
    assert all("NEWSROOM_SITE_URL=http://127.0.0.1:8080 " in line for line in moved)


@pytest.mark.django_db
def test_absolute_addresses_carry_the_development_port(client, settings):
    settings.NEWSROOM = {**settings.NEWSROOM, "SITE_URL": "http://127.0.0.1:8080"}
    call_command("import_frontmatter", str(SAMPLE_ARCHIVE), stdout=io.StringIO(), stderr=io.StringIO())
    article = Article.objects.published().first()
    home = client.get("/").content.decode()
    assert '<link rel="canonical" href="http://127.0.0.1:8080/">' in home
    assert f"http://127.0.0.1:8080{article.get_absolute_url()}" in client.get("/feed/").content.decode()
    assert "<loc>http://127.0.0.1:8080/sitemap-articles.xml</loc>" in client.get("/sitemap.xml").content.decode()


# --- the admin account --------------------------------------------------------------------------


@pytest.mark.django_db
def test_local_admin_is_created_once_and_the_second_run_says_how_to_reset_it(settings):
    settings.NEWSROOM = {**settings.NEWSROOM, "SITE_URL": "http://127.0.0.1:8080"}
    first, second = io.StringIO(), io.StringIO()
    call_command("create_local_admin", stdout=first)
    call_command("create_local_admin", stdout=second)
    password = re.search(r"password: (\S+)", first.getvalue()).group(1)
    assert get_user_model().objects.get(username="admin").check_password(password)
    assert "sign in at http://127.0.0.1:8080/admin/" in first.getvalue()
    assert "already exists" in second.getvalue() and password not in second.getvalue()
    assert ".venv/bin/python manage.py changepassword admin" in second.getvalue()
    assert "sign in at http://127.0.0.1:8080/admin/" in second.getvalue()


@pytest.mark.django_db
def test_local_admin_names_the_existing_superuser_to_reset():
    get_user_model().objects.create_superuser("chief", password="x" * 20)
    out = io.StringIO()
    call_command("create_local_admin", stdout=out)
    assert "manage.py changepassword chief" in out.getvalue()
    assert not get_user_model().objects.filter(username="admin").exists()


# --- the sample articles' pictures --------------------------------------------------------------


@pytest.mark.django_db
def test_sample_articles_bring_their_pictures_into_the_library():
    err = io.StringIO()
    call_command("import_frontmatter", str(SAMPLE_ARCHIVE), stdout=io.StringIO(), stderr=err)
    assert err.getvalue() == ""  # no picture missing or refused
    pictures = sorted(p.name for p in (SAMPLE_ARCHIVE / "images").glob("*.png"))
    assert len(pictures) == 22
    assert Image.objects.count() == 22
    for image in Image.objects.all():
        assert image.file and image.source_url == ""
        assert image.renditions["widths"] and image.renditions["social"]
    for article in Article.objects.select_related("hero_image", "thumbnail"):
        assert "img.example.com" not in article.body
        sources = re.findall(r'<img[^>]*\ssrc="([^"]*)"', article.body)
        assert sources and all(src.startswith(settings.MEDIA_URL) for src in sources)
        assert "<picture>" in article.body  # responsive, from the library's renditions
        assert article.hero_image.file and article.thumbnail_id == article.hero_image_id


# --- one cache for every process of a site ------------------------------------------------------


def free_port():
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


def fetch(url):
    with urllib.request.urlopen(url, timeout=30) as response:
        return response.headers.get("X-Cache"), response.read().decode()


def test_a_command_line_import_is_seen_by_the_running_server_at_its_next_request(tmp_path):
    """Two processes with the default cache, as `make run` has them: the dev server, and an import
    run beside it. The server has served (and kept) each page before; the import changes a title."""
    env = clean_env(
        DJANGO_DEBUG="1", DATABASE_URL=f"sqlite:///{tmp_path / 'site.sqlite3'}",
        DJANGO_MEDIA_ROOT=str(tmp_path / "media"), NEWSROOM_ENV_FILE="",
    )  # fmt: skip

    def manage(*args):
        done = subprocess.run(
            [PYTHON, str(ROOT / "manage.py"), *args], cwd=ROOT, env=env, capture_output=True, text=True, timeout=180
        )
        assert done.returncode == 0, done.stderr
        return done.stdout

    archive = tmp_path / "archive"
    shutil.copytree(SAMPLE_ARCHIVE, archive)
    manage("migrate", "-v0")
    manage("import_frontmatter", str(archive))
    port = free_port()
    log = (tmp_path / "server.log").open("w")
    server = subprocess.Popen(
        [PYTHON, str(ROOT / "manage.py"), "runserver", "--noreload", f"127.0.0.1:{port}"],
        cwd=ROOT, env=env, stdout=log, stderr=subprocess.STDOUT,
    )  # fmt: skip
    try:
        site = f"http://127.0.0.1:{port}"
        for _ in range(150):
            try:
                fetch(site + "/robots.txt")
                break
            except OSError:
                time.sleep(0.2)
        article = manage(
            "shell",
            "-c",
            "from articles.models import Article; "
            "print(Article.objects.get(title__startswith='星河科技').get_absolute_url())",
        ).split()[-1]
        pages = ["/", "/feed/", article]
        for path in pages:
            fetch(site + path)
            cached, html = fetch(site + path)
            assert cached == "hit" and "星河科技12英寸晶圆厂二期扩产" in html, path

        post = archive / "2025-03-18-chip-fab-expansion.md"
        post.write_text(
            post.read_text(encoding="utf-8").replace("星河科技12英寸", "星河科技十二英寸"), encoding="utf-8"
        )
        assert "1 updated" in manage("import_frontmatter", str(archive))

        for path in pages:
            cached, html = fetch(site + path)
            assert cached == "miss", path
            assert "星河科技十二英寸晶圆厂二期扩产" in html and "星河科技12英寸" not in html, path
    finally:
        server.terminate()
        server.wait(timeout=30)
        log.close()
    assert any((tmp_path / "site.sqlite3-cache").iterdir())  # the default: files beside the database
