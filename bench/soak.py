"""Soak run: readers saturate gunicorn while an editor works in the admin and an import runs.

Usage:
    .venv/bin/python bench/soak.py [--minutes 5] [--database postgres|sqlite] [--connections 16]

What happens, all on 127.0.0.1:
1. A fresh database (PostgreSQL at $BENCH_POSTGRES_URL, default
   postgres://postgres@127.0.0.1:5432/newsroom_soak, dropped and re-created; or SQLite in a temporary
   folder) gets 400 generated legacy articles in the seed's shape through `import_frontmatter`.
2. gunicorn serves the project (2 sync workers, DEBUG off, Redis cache when Redis answers).
3. For --minutes, wrk drives home, list, article, category, tag and search pages at --connections,
   counting every 5xx; meanwhile an editor signs in to the admin and, again and again, edits an
   article's title and body through its change form, unpublishes it and publishes it again; and
   `import_frontmatter` imports 200 new files, then re-imports the first 400 with 40 of them changed.
4. Afterwards the database is compared with what must be there: every file's article whole
   (title, body with its marker, 3 tags, a 3-level category), every changed file's new text, every
   editor change's last accepted title and the editor's last state.

Prints requests/s, p50/p99, the 5xx count, the editor's and the importer's outcomes, and the check.
Exits 1 if any 5xx was served or anything is lost or half-written.
"""

import argparse
import html.parser
import http.client
import json
import os
import random
import re
import shutil
import socket
import subprocess
import sys
import tempfile
import threading
import time
import urllib.parse
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
sys.path.insert(0, str(ROOT / "bench"))

import import_bench  # noqa: E402
from loadgen import ensure_wrk, free_port  # noqa: E402

PYTHON = sys.executable
EDITOR, EDITOR_PASSWORD = "soak-editor", "soak-editor-password-1"
INITIAL, LATER, CHANGED, EDITED = 400, 200, 40, 12

WRK_SCRIPT = """
local paths = {%s}
local i = 0
server_errors = 0
local threads = {}
function setup(thread) table.insert(threads, thread) end
function init(args) server_errors = 0 end
request = function()
  i = i + 1
  return wrk.format("GET", paths[(i %% #paths) + 1])
end
response = function(status, headers, body)
  if status >= 500 then server_errors = server_errors + 1 end
end
function done(summary, latency, requests)
  local total = 0
  for _, thread in ipairs(threads) do total = total + (thread:get("server_errors") or 0) end
  io.write(string.format("SOAK_5XX %%d\\n", total))
  io.write(string.format("SOAK_P50 %%.2f\\nSOAK_P99 %%.2f\\n", latency:percentile(50) / 1000, latency:percentile(99) / 1000))
  io.write(string.format("SOAK_REQUESTS %%d\\nSOAK_SECONDS %%.1f\\n", summary.requests, summary.duration / 1e6))
end
"""


def marker(i, version=0):
    return f"soak-marker-{i:05d}-v{version}"


def write_files(folder, start, count, rng, version=0):
    for i in range(start, start + count):
        text = import_bench.seed_like_file(rng, i)
        text = text.replace("<div>   \n", f"<div>   \n<p>{marker(i, version)}</p>\n", 1)
        (folder / f"{i:06d}.md").write_text(text, encoding="utf-8")


def redis_answers():
    try:
        with socket.create_connection(("127.0.0.1", 6379), timeout=0.5) as s:
            s.sendall(b"PING\r\n")
            return s.recv(16).startswith(b"+PONG")
    except OSError:
        return False


def database_url(kind, folder):
    if kind == "sqlite":
        return f"sqlite:///{folder / 'soak.sqlite3'}"
    url = os.environ.get("BENCH_POSTGRES_URL", "postgres://postgres@127.0.0.1:5432/newsroom_soak")
    name = urllib.parse.urlsplit(url).path.lstrip("/")
    admin = url.rsplit("/", 1)[0] + "/postgres"
    import psycopg

    with psycopg.connect(admin.replace("postgres://", "postgresql://", 1), autocommit=True) as connection:
        connection.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
        connection.execute(f"CREATE DATABASE \"{name}\" ENCODING 'UTF8' TEMPLATE template0")
    return url


def manage(env, *args, check=True):
    result = subprocess.run([PYTHON, "manage.py", *args], cwd=ROOT, env=env, capture_output=True, text=True)
    if check and result.returncode != 0:
        raise SystemExit(f"manage.py {' '.join(args)} failed ({result.returncode}):\n{result.stdout}\n{result.stderr}")
    return result


# --- the editor -----------------------------------------------------------------------------------


class FormReader(html.parser.HTMLParser):
    """The fields of the form with id `form_id`, as a browser would submit them."""

    def __init__(self, form_id):
        super().__init__(convert_charrefs=True)
        self.form_id, self.inside, self.fields = form_id, False, []
        self._select = self._textarea = None
        self._text = []

    def handle_starttag(self, tag, attrs):
        a = dict(attrs)
        if tag == "form":
            self.inside = a.get("id") == self.form_id
        if not self.inside:
            return
        if tag == "input" and a.get("name") and a.get("type") not in ("submit", "button", "file", "image"):
            if a.get("type") in ("checkbox", "radio") and "checked" not in a:
                return
            self.fields.append((a["name"], a.get("value", "on" if a.get("type") == "checkbox" else "")))
        elif tag == "select" and a.get("name"):
            self._select = a["name"]
        elif tag == "option" and self._select and "selected" in a:
            self.fields.append((self._select, a.get("value", "")))
        elif tag == "textarea" and a.get("name"):
            self._textarea, self._text = a["name"], []

    def handle_data(self, data):
        if self._textarea:
            self._text.append(data)

    def handle_endtag(self, tag):
        if tag == "form":
            self.inside = False
        elif tag == "select":
            self._select = None
        elif tag == "textarea" and self._textarea:
            self.fields.append((self._textarea, "".join(self._text).lstrip("\n")))
            self._textarea = None


class Browser:
    """A cookie-keeping HTTP client for the admin, one connection at a time."""

    def __init__(self, port):
        self.port, self.cookies = port, {}

    def request(self, method, path, fields=None):
        connection = http.client.HTTPConnection("127.0.0.1", self.port, timeout=120)
        headers = {"Cookie": "; ".join(f"{k}={v}" for k, v in self.cookies.items()), "Host": "127.0.0.1"}
        body = None
        if fields is not None:
            body = urllib.parse.urlencode(fields)
            headers["Content-Type"] = "application/x-www-form-urlencoded"
            headers["Referer"] = f"http://127.0.0.1:{self.port}{path}"
        connection.request(method, path, body=body, headers=headers)
        response = connection.getresponse()
        content = response.read().decode("utf-8", "replace")
        for header, value in response.getheaders():
            if header.lower() == "set-cookie":
                name, _, rest = value.partition("=")
                self.cookies[name.strip()] = rest.split(";", 1)[0]
        connection.close()
        return response.status, response.getheader("Location", ""), content

    def csrf(self):
        return self.cookies.get("csrftoken", "")


def run_editor(port, article_ids, stop, log):
    """Edit, unpublish and publish `article_ids` in turn until `stop`; log what the server accepted."""
    browser = Browser(port)
    status, _, page = browser.request("GET", "/admin/login/")
    token = re.search(r'name="csrfmiddlewaretoken" value="([^"]+)"', page).group(1)
    status, location, _ = browser.request(
        "POST",
        "/admin/login/?next=/admin/",
        [("csrfmiddlewaretoken", token), ("username", EDITOR), ("password", EDITOR_PASSWORD), ("next", "/admin/")],
    )
    if status != 302:
        log["errors"].append(f"login answered {status}")
        return
    rounds = 0
    while not stop.is_set():
        for pk in article_ids:
            if stop.is_set():
                break
            rounds += 1
            try:
                edit_once(browser, pk, rounds, log)
            except OSError as error:
                # No answer in time: the server may still have done it, so this article's
                # outcome is unknown and only its wholeness is checked afterwards.
                log["timeouts"] += 1
                log["titles"].pop(pk, None)
                log["states"].pop(pk, None)
                log["uncertain"].add(pk)
                if not isinstance(error, TimeoutError):
                    log["errors"].append(f"article {pk}: no answer ({error})")
            time.sleep(1.0)  # an editor, not a script: about one save a few seconds


def edit_once(browser, pk, rounds, log):
    """Change `pk`'s title and body in its form, then unpublish and publish it again."""
    if pk in log["uncertain"]:
        return
    change = f"/admin/articles/article/{pk}/change/"
    status, _, page = browser.request("GET", change)
    if status != 200:
        log["errors"].append(f"GET {change}: {status}")
        return
    reader = FormReader("article_form")
    reader.feed(page)
    fields = [(k, v) for k, v in reader.fields if k != "_continue"]
    title = f"编辑部改过的标题 {pk} 第{rounds}轮"
    fields = [(k, title if k == "title" else v) for k, v in fields]
    fields = [(k, v + f"<p>编辑补充 {rounds}</p>" if k == "body" else v) for k, v in fields]
    fields.append(("_save", "保存"))
    status, location, page = browser.request("POST", change, fields)
    if status == 302:
        log["titles"][pk] = title
        log["saves"] += 1
    elif status >= 500:
        log["errors"].append(f"POST {change}: {status}")
    else:
        log["refused"] += 1  # e.g. a concurrent import changed it: the form says so
    for verb in ("unpublish", "publish"):
        status, _, _ = browser.request(
            "POST",
            f"/admin/articles/article/{pk}/workflow/",
            [("csrfmiddlewaretoken", browser.csrf()), ("verb", verb), ("comment", "soak")],
        )
        if status >= 500:
            log["errors"].append(f"{verb} {pk}: {status}")
        else:
            log["moves"] += 1
            log["states"][pk] = "published" if verb == "publish" else "unpublished"


# --- the run --------------------------------------------------------------------------------------


def main():
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--minutes", type=float, default=5)
    parser.add_argument("--database", choices=["postgres", "sqlite"], default="postgres")
    parser.add_argument("--connections", type=int, default=16)
    options = parser.parse_args()
    ensure_wrk()

    folder = Path(tempfile.mkdtemp(prefix="soak-"))
    archive, later = folder / "archive", folder / "later"
    archive.mkdir(), later.mkdir()
    rng = random.Random(5)
    write_files(archive, 0, INITIAL, rng)
    write_files(later, INITIAL, LATER, rng)
    env = {
        **os.environ,
        "DJANGO_SECRET_KEY": "soak-only-secret-key-0123456789-abcdefghijklmnopqrstuvwxyz",
        "DJANGO_ALLOWED_HOSTS": "127.0.0.1,localhost",
        "DJANGO_DEBUG": "0",
        "DJANGO_SSL_REDIRECT": "0",
        "DJANGO_SECURE_COOKIES": "0",
        "DATABASE_URL": database_url(options.database, folder),
        "DJANGO_MEDIA_ROOT": str(folder / "media"),
        "AXES_FAILURE_LIMIT": "1000",
    }
    if redis_answers():
        env["REDIS_URL"] = "redis://127.0.0.1:6379/14"
        subprocess.run(["redis-cli", "-n", "14", "flushdb"], capture_output=True)
    manage(env, "migrate", "--noinput")
    manage(env, "collectstatic", "--noinput", "-v", "0")  # DEBUG off serves hashed names from the manifest
    manage(env, "import_frontmatter", str(archive))
    setup = (
        "from django.contrib.auth import get_user_model;"
        "from articles.models import Article, Image;"
        f"get_user_model().objects.create_superuser({EDITOR!r}, password={EDITOR_PASSWORD!r});"
        "Image.objects.update(alt_text='配图');"  # publishing requires alternative text
        f"print(list(Article.objects.order_by('source_path').values_list('pk', flat=True)[{CHANGED}:{CHANGED + EDITED}]))"
    )
    editor_articles = json.loads(manage(env, "shell", "-c", setup).stdout.strip().splitlines()[-1])
    paths = json.loads(
        manage(
            env,
            "shell",
            "-c",
            (
                "import json; from articles.models import Article, Category, Tag;"
                "a=[x.get_absolute_url() for x in Article.objects.published()[:60]];"
                "c=[x.get_absolute_url() for x in Category.objects.all()[:15]];"
                "t=[x.get_absolute_url() for x in Tag.objects.all()[:10]];"
                "print(json.dumps(a + c + t + ['/', '/?page=2', '/?page=5', '/search/?q=%E7%94%B5%E5%95%86']))"
            ),
        )
        .stdout.strip()
        .splitlines()[-1]
    )

    port = free_port()
    server = subprocess.Popen(
        [
            PYTHON,
            "-m",
            "gunicorn",
            "config.wsgi",
            "--workers",
            "2",
            "--worker-class",
            "sync",
            "--bind",
            f"127.0.0.1:{port}",
            "--timeout",
            "60",
            "--log-level",
            "warning",
        ],
        cwd=ROOT,
        env=env,
        stderr=open(folder / "gunicorn.log", "w"),
    )
    try:
        for _ in range(100):
            try:
                if Browser(port).request("GET", "/")[0] == 200:
                    break
            except OSError:
                pass
            time.sleep(1.0)  # an editor, not a script: about one save a few seconds
        else:
            raise SystemExit("gunicorn did not answer; see " + str(folder / "gunicorn.log"))
        script = folder / "soak.lua"
        script.write_text(WRK_SCRIPT % ", ".join(json.dumps(p) for p in paths))
        seconds = int(options.minutes * 60)
        wrk = subprocess.Popen(
            [
                "wrk",
                "-t2",
                f"-c{options.connections}",
                f"-d{seconds}s",
                "--timeout",
                "30s",
                "--latency",
                "-s",
                str(script),
                f"http://127.0.0.1:{port}",
            ],
            stdout=subprocess.PIPE,
            text=True,
        )
        stop, log = (
            threading.Event(),
            {
                "titles": {},
                "states": {},
                "saves": 0,
                "moves": 0,
                "refused": 0,
                "timeouts": 0,
                "uncertain": set(),
                "errors": [],
            },
        )
        editor = threading.Thread(target=run_editor, args=(port, editor_articles, stop, log))
        editor.start()
        time.sleep(min(30, seconds / 6))
        first = manage(env, "import_frontmatter", str(later), check=False)
        changed = rng.sample(range(CHANGED), CHANGED)  # the first CHANGED files; none of them is edited
        for i in changed:
            path = archive / f"{i:06d}.md"
            path.write_text(path.read_text(encoding="utf-8").replace(marker(i), marker(i, 1)), encoding="utf-8")
        second = manage(env, "import_frontmatter", str(archive), check=False)
        output, _ = wrk.communicate()
        stop.set()
        editor.join()
    finally:
        server.terminate()
        server.wait()

    figures = dict(re.findall(r"^(SOAK_\w+) ([\d.]+)$", output, re.M))
    print(
        f"{options.minutes:g} min, {options.connections} connections, {options.database}, "
        f"cache: {'Redis' if 'REDIS_URL' in env else 'files'}"
    )
    print(
        f"readers: {int(figures['SOAK_REQUESTS']):,} requests, "
        f"{int(figures['SOAK_REQUESTS']) / float(figures['SOAK_SECONDS']):.0f}/s, "
        f"p50 {figures['SOAK_P50']} ms, p99 {figures['SOAK_P99']} ms, 5xx: {figures['SOAK_5XX']}, "
        f"{(re.search(r'Socket errors:.*', output) or ['no socket errors'])[0]}"
    )
    print(
        f"editor: {log['saves']} saves, {log['moves']} workflow moves, {log['refused']} refused, "
        f"{log['timeouts']} unanswered, errors: {log['errors'][:5] or 'none'}"
    )
    print(f"import of {LATER} new files: exit {first.returncode}; {first.stdout.strip().splitlines()[-1]}")
    print(f"re-import with {CHANGED} changed: exit {second.returncode}; {second.stdout.strip().splitlines()[-1]}")

    check = (
        "import json, sys; from articles.models import Article;"
        f"titles={json.dumps({str(k): v for k, v in log['titles'].items()})};"
        f"states={json.dumps({str(k): v for k, v in log['states'].items()})};"
        f"changed=set({sorted(changed)!r}); problems=[];"
        "by_path={a.source_path: a for a in Article.objects.prefetch_related('tags', 'categories')};"
        f"expected=[f'{{i:06d}}.md' for i in range({INITIAL + LATER})];"
        "problems += [f'missing article for {p}' for p in expected if p not in by_path];"
        "problems += [f'unexpected article {p!r}' for p in by_path if p not in expected];"
        "\nfor p, a in by_path.items():\n"
        "    i = int(p[:6]); v = 1 if i in changed else 0\n"
        "    if f'soak-marker-{i:05d}-v{v}' not in a.body: problems.append(f'{p}: body lost its marker v{v}')\n"
        "    if not a.title.strip() or len(a.body) < 1000: problems.append(f'{p}: half-written')\n"
        "    if a.tags.count() != 3 or not any(c.depth == 2 for c in a.categories.all()): problems.append(f'{p}: links lost')\n"
        "for pk, title in titles.items():\n"
        "    a = Article.objects.get(pk=pk)\n"
        "    if a.title != title: problems.append(f'article {pk}: title {a.title!r}, expected {title!r}')\n"
        "    if a.status != states.get(pk, a.status): problems.append(f'article {pk}: {a.status}, expected {states[pk]}')\n"
        "print(json.dumps(problems))"
    )
    problems = json.loads(manage(env, "shell", "-c", check).stdout.strip().splitlines()[-1])
    print(
        f"database check: {INITIAL + LATER} articles expected, "
        f"{len(problems)} problems{': ' + '; '.join(problems[:10]) if problems else ''}"
    )
    failed = int(figures["SOAK_5XX"]) or problems or log["errors"] or first.returncode or second.returncode
    shutil.rmtree(folder, ignore_errors=True)
    sys.exit(1 if failed else 0)


if __name__ == "__main__":
    main()
