"""Image benchmark: upload processing time, and the bytes a phone and a desktop download.

Usage:
    .venv/bin/python bench/image_bench.py [--uploads 5] [--no-browser]

1. Times `store_image()` (Pillow validation, EXIF/metadata normalisation, 5 widths × WebP + JPEG
   renditions and the social card) for distinct 4000×3000 photo-like JPEGs: median and range.
2. Stores a stand-in for the seed article's hero image (the seed's own, on 36kr's CDN, cannot be
   fetched from this machine: a photo-like 1920×1080 JPEG of the same kind), serves an article
   using it with `manage.py runserver` on 127.0.0.1, and loads the article page in headless
   Chromium (/usr/bin/chromium) at 375 px and at 1280 px: which rendition the browser picked and
   how many bytes it downloaded, against the original file.

Everything runs in a temporary folder (SQLite database and MEDIA_ROOT).
"""

import argparse
import io
import os
import random
import statistics
import subprocess
import sys
import tempfile
import time
import urllib.request
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
PORT = 8765


def photo_like_jpeg(width, height, seed, quality=90):
    """A JPEG that compresses like a photograph: smooth colour fields plus fine grain."""
    from PIL import Image, ImageFilter

    rng = random.Random(seed)
    small = Image.frombytes("RGB", (32, 24), rng.randbytes(32 * 24 * 3))
    picture = small.resize((width, height), Image.BICUBIC).filter(ImageFilter.GaussianBlur(2))
    grain = Image.effect_noise((width, height), 40).convert("RGB")
    picture = Image.blend(picture, grain, 0.12)
    buffer = io.BytesIO()
    picture.save(buffer, "JPEG", quality=quality)
    return buffer.getvalue()


def setup_django(folder):
    os.environ.update(
        DJANGO_SETTINGS_MODULE="config.settings",
        DJANGO_DEBUG="1",
        DATABASE_URL=f"sqlite:///{folder / 'bench.sqlite3'}",
        DJANGO_MEDIA_ROOT=str(folder / "media"),
    )
    import django

    django.setup()
    from django.core.management import call_command

    call_command("migrate", verbosity=0)


def time_uploads(count):
    from articles.images.library import store_image

    uploads = [photo_like_jpeg(4000, 3000, seed) for seed in range(count)]
    seconds = []
    for i, data in enumerate(uploads):
        started = time.perf_counter()
        stored = store_image(data, name=f"photo-{i}.jpg")
        seconds.append(time.perf_counter() - started)
        assert stored.created
    print(
        f"4000×3000 JPEG upload ({len(uploads[0]) / 1e6:.1f} MB): "
        f"median {statistics.median(seconds):.2f} s, min {min(seconds):.2f} s, max {max(seconds):.2f} s "
        f"over {count} uploads (validate, normalise, 5 widths × WebP+JPEG, social card)"
    )


def measure_hero_bytes(folder):
    from playwright.sync_api import sync_playwright

    from articles.images.library import store_image
    from articles.models import Article, Author

    original = photo_like_jpeg(1920, 1080, seed=36)
    hero = store_image(original, name="seed-hero.jpg", alt_text="抖音电商生态大会").image
    article = Article.objects.create(
        title="多重举措上线，抖音电商如何帮商家做好长线生意？",
        author=Author.objects.create(name="36kr"),
        body="<p>正文。</p>",
        hero_image=hero,
        status=Article.Status.PUBLISHED,
    )
    server = subprocess.Popen(
        [sys.executable, "manage.py", "runserver", "--noreload", f"127.0.0.1:{PORT}"],
        cwd=ROOT,
        env=os.environ.copy(),
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    try:
        for _ in range(100):
            try:
                urllib.request.urlopen(f"http://127.0.0.1:{PORT}/", timeout=1)
                break
            except OSError:
                time.sleep(0.1)
        url = f"http://127.0.0.1:{PORT}{article.get_absolute_url()}"
        print(f"\nseed hero stand-in: 1920×1080 JPEG, {len(original):,} bytes as uploaded")
        print("| viewport | rendition chosen | bytes downloaded | vs original |")
        print("| --- | --- | --- | --- |")
        with sync_playwright() as playwright:
            browser = playwright.chromium.launch(
                executable_path="/usr/bin/chromium",
                args=["--no-sandbox", "--disable-gpu", "--disable-background-networking"],
            )
            for width in (375, 1280):
                context = browser.new_context(viewport={"width": width, "height": 812})
                page = context.new_page()
                page.goto(url)
                page.wait_for_function("document.querySelector('.hero img').complete")
                source = page.evaluate("document.querySelector('.hero img').currentSrc")
                size = page.evaluate("src => performance.getEntriesByName(src)[0].encodedBodySize", source)
                print(f"| {width} px | {source.rsplit('/', 1)[-1]} | {size:,} | {size / len(original):.1%} |")
                context.close()
            browser.close()
    finally:
        server.terminate()
        server.wait()


def main():
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--uploads", type=int, default=5)
    parser.add_argument("--no-browser", action="store_true", help="skip the bytes-served measurement")
    options = parser.parse_args()
    with tempfile.TemporaryDirectory() as tmp:
        folder = Path(tmp)
        setup_django(folder)
        time_uploads(options.uploads)
        if not options.no_browser:
            measure_hero_bytes(folder)


if __name__ == "__main__":
    main()
