"""Image download benchmark: `import_frontmatter --download-images` over 50 images served locally.

Usage:
    .venv/bin/python bench/image_download_bench.py [--images 50] [--latency-ms 0]

Generates N distinct JPEGs (~1200×800) with Pillow and serves them from a threaded http.server on
127.0.0.1 (each response delayed by --latency-ms, to play a distant CDN); writes legacy files in
the seed's shape that use them as headimg, thumbnail and body images (two images a file); imports
them with --download-images --allow-private-image-hosts into a fresh temporary SQLite database
and media folder, in a fresh process; then imports again. Prints wall time, images (fetched, or
stored in the library), requests served and bytes fetched for: the downloads alone (the fetcher
without the importer), the first import and the re-run.
"""

import argparse
import datetime as dt
import email.utils
import http.server
import io
import os
import random
import subprocess
import sys
import tempfile
import threading
import time
from pathlib import Path

from PIL import Image as PILImage
from PIL import ImageDraw

ROOT = Path(__file__).resolve().parent.parent


def photo_like_jpeg(rng, width=1200, height=800):
    """A JPEG that compresses like a photograph: gradients, shapes and some grain (~150–250 KB)."""
    base = PILImage.linear_gradient("L").resize((width, height)).convert("RGB")
    tint = PILImage.new("RGB", (width, height), tuple(rng.randrange(256) for _ in range(3)))
    picture = PILImage.blend(base, tint, 0.5)
    draw = ImageDraw.Draw(picture)
    for _ in range(40):
        x, y = rng.randrange(width), rng.randrange(height)
        r = rng.randrange(20, 200)
        draw.ellipse((x - r, y - r, x + r, y + r), fill=tuple(rng.randrange(256) for _ in range(3)))
    grain = PILImage.effect_noise((width, height), 24).convert("RGB")
    picture = PILImage.blend(picture, grain, 0.15)
    buffer = io.BytesIO()
    picture.save(buffer, "JPEG", quality=85)
    return buffer.getvalue()


class ImageServer:
    """Serves {path: bytes} on 127.0.0.1; counts requests and bytes sent."""

    def __init__(self, images, latency):
        self.requests = 0
        self.bytes_sent = 0
        self._lock = threading.Lock()
        server = self

        class Handler(http.server.BaseHTTPRequestHandler):
            def do_GET(self):  # noqa: N802 (http.server's name)
                time.sleep(latency)
                data = images.get(self.path)
                if data is None:
                    self.send_error(404)
                    return
                self.send_response(200)
                self.send_header("Content-Type", "image/jpeg")
                self.send_header("Content-Length", str(len(data)))
                self.end_headers()
                self.wfile.write(data)
                with server._lock:
                    server.requests += 1
                    server.bytes_sent += len(data)

            def log_message(self, *args):
                pass

        self.httpd = http.server.ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.httpd.daemon_threads = True
        self.port = self.httpd.server_address[1]
        threading.Thread(target=self.httpd.serve_forever, args=(0.05,), daemon=True).start()

    def counters(self):
        with self._lock:
            return self.requests, self.bytes_sent


def legacy_file(i, hero, body_image):
    """A file in the seed's shape: `hero` as headimg and thumbnail, `body_image` in the body."""
    when = dt.datetime(2024, 5, 8, 2, 10, tzinfo=dt.UTC) + dt.timedelta(hours=i)
    return (
        "\n---\n"
        f"title: '下载图片的基准文章 {i}'\n"
        "categories: \n - 新媒体\n - 36kr\n - 快讯\n"
        f"headimg: '{hero}'\n"
        "author: 36kr\n"
        "comments: false\n"
        f"date: {email.utils.format_datetime(when, usegmt=True)}\n"
        f"thumbnail: '{hero}'\n"
        "---\n\n<div>   \n"
        f"<p>第 {i} 篇。这是为基准测试生成的正文。</p> \n"
        f'<p class="image-wrapper"><img data-img-size-val src="{body_image}" referrerpolicy="no-referrer"></p> \n'
        "<p>结尾。</p> \n</div>\n"
    )


def run_import(env, archive):
    """One import in a fresh process; returns (seconds, images with a file, summary line)."""
    code = (
        "import time, django, os;"
        "os.environ.setdefault('DJANGO_SETTINGS_MODULE', 'config.settings');"
        "django.setup();"
        "from django.core.management import call_command;"
        "from articles.models import Image;"
        "t = time.perf_counter();"
        f"call_command('import_frontmatter', {str(archive)!r}, download_images=True,"
        " allow_private_image_hosts=True, verbosity=0);"
        "print('SECONDS', time.perf_counter() - t);"
        "print('STORED', Image.objects.stored().count())"
    )
    result = subprocess.run([sys.executable, "-c", code], env=env, cwd=ROOT, capture_output=True, text=True)
    if result.returncode:
        raise SystemExit(result.stderr[-3000:])
    figures = dict(line.split(" ", 1) for line in result.stdout.splitlines() if line.startswith(("SECONDS", "STORED")))
    return float(figures["SECONDS"]), int(figures["STORED"])


def run_fetch_only(env, urls):
    """The downloads alone (RemoteImageFetcher, its threads, Pillow's check), in a fresh process."""
    code = (
        "import time, django, os;"
        "os.environ.setdefault('DJANGO_SETTINGS_MODULE', 'config.settings');"
        "django.setup();"
        "from articles.images.download import Fetched, RemoteImageFetcher;"
        "t = time.perf_counter();"
        "fetcher = RemoteImageFetcher(allow_private=True);"
        f"results = fetcher.fetch_many({urls!r});"
        "fetcher.close();"
        "print('SECONDS', time.perf_counter() - t);"
        "print('STORED', sum(isinstance(r, Fetched) for r in results.values()))"
    )
    result = subprocess.run([sys.executable, "-c", code], env=env, cwd=ROOT, capture_output=True, text=True)
    if result.returncode:
        raise SystemExit(result.stderr[-3000:])
    figures = dict(line.split(" ", 1) for line in result.stdout.splitlines() if line.startswith(("SECONDS", "STORED")))
    return float(figures["SECONDS"]), int(figures["STORED"])


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--images", type=int, default=50, help="distinct images (two a file)")
    parser.add_argument("--latency-ms", type=float, default=0.0, help="delay before each response")
    args = parser.parse_args()
    rng = random.Random(20240508)

    started = time.perf_counter()
    images = {f"/bench/{n:03d}.jpg": photo_like_jpeg(rng) for n in range(args.images)}
    total = sum(map(len, images.values()))
    print(
        f"{args.images} JPEGs of 1200×800 generated in {time.perf_counter() - started:.1f} s, "
        f"{total / args.images / 1024:.0f} KiB each on average"
    )
    server = ImageServer(images, args.latency_ms / 1000)
    urls = [f"http://127.0.0.1:{server.port}{path}" for path in images]

    with tempfile.TemporaryDirectory() as tmp:
        workdir = Path(tmp)
        archive = workdir / "archive"
        archive.mkdir()
        for i in range(0, len(urls), 2):
            body_image = urls[i + 1] if i + 1 < len(urls) else urls[i]
            (archive / f"{i // 2:03d}.md").write_text(legacy_file(i // 2, urls[i], body_image), encoding="utf-8")
        env = {
            **os.environ,
            "DATABASE_URL": f"sqlite:///{workdir / 'bench.sqlite3'}",
            "DJANGO_MEDIA_ROOT": str(workdir / "media"),
            "DJANGO_SECRET_KEY": "bench-only-secret-key-0123456789-abcdefghijklmnopqrstuvwxyz",
            "DJANGO_ALLOWED_HOSTS": "127.0.0.1,localhost,testserver",
            "DJANGO_DEBUG": "0",
        }
        subprocess.run([sys.executable, "manage.py", "migrate", "--noinput", "-v0"], env=env, cwd=ROOT, check=True)
        files = len(list(archive.iterdir()))
        print(f"{files} legacy files, latency {args.latency_ms:.0f} ms a response")
        print(f"{'run':<22} {'seconds':>8} {'images':>7} {'requests':>9} {'MiB fetched':>12}")
        phases = {
            "downloads alone": lambda: run_fetch_only(env, urls),
            "import (first run)": lambda: run_import(env, archive),
            "import (re-run)": lambda: run_import(env, archive),
        }
        for phase, run in phases.items():
            before_requests, before_bytes = server.counters()
            seconds, stored = run()
            requests, sent = server.counters()
            print(
                f"{phase:<22} {seconds:>8.2f} {stored:>7} {requests - before_requests:>9} "
                f"{(sent - before_bytes) / 1024 / 1024:>12.1f}"
            )
    server.httpd.shutdown()


if __name__ == "__main__":
    main()
