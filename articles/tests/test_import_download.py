"""`import_frontmatter --download-images` end to end, against a local HTTP server on 127.0.0.1."""

import io
import json
from pathlib import Path

import pytest
from django.conf import settings
from django.core.management import CommandError, call_command

from articles.images.library import store_image
from articles.importing.importer import Importer
from articles.models import Article, Image
from articles.tests.factories import write_file as write
from articles.tests.pictures import make_jpeg, make_png
from articles.tests.test_image_download import LocalImageServer

pytestmark = pytest.mark.django_db

HERO, THUMBNAIL, BODY = make_jpeg(64, 48, colour=(200, 0, 0)), make_png(32, 24), make_jpeg(48, 32, colour=(0, 0, 200))


@pytest.fixture
def server():
    with LocalImageServer() as server:
        server.routes.update({
            "/hero.jpg": (200, {"Content-Type": "image/jpeg"}, HERO),
            "/thumb.png": (200, {"Content-Type": "image/png"}, THUMBNAIL),
            "/body.jpg": (200, {"Content-Type": "image/jpeg"}, BODY),
            "/fake.jpg": (200, {"Content-Type": "image/jpeg"}, b"<!DOCTYPE html><html>oops</html>"),
        })  # fmt: skip
        yield server


def legacy_file(title, *, hero, thumbnail=None, body_images=()):
    """A file in the seed's shape whose headimg, thumbnail and body <img>s are the given URLs."""
    images = "".join(f'<p class="image-wrapper"><img src="{url}" alt="配图"></p>\n' for url in body_images)
    return (
        f"\n---\ntitle: '{title}'\ncategories: \n - 新媒体\n - 36kr\nheadimg: '{hero}'\nauthor: 36kr\n"
        f"date: Wed, 08 May 2024 02:10:30 GMT\nthumbnail: '{thumbnail or hero}'\n---\n\n"
        f"<div>\n<p>{title}。这是为测试编写的正文。</p>\n{images}</div>\n"
    )


def run(*paths, **options):
    """Run the command with downloads from the local server allowed; return (stdout, stderr)."""
    options.setdefault("download_images", True)
    options.setdefault("allow_private_image_hosts", True)
    out, err = io.StringIO(), io.StringIO()
    call_command("import_frontmatter", *map(str, paths), stdout=out, stderr=err, **options)
    return out.getvalue(), err.getvalue()


def media_files():
    root = Path(settings.MEDIA_ROOT)
    return sorted(p for p in root.rglob("*") if p.is_file()) if root.exists() else []


def test_hero_thumbnail_and_body_images_land_in_the_library(tmp_path, server):
    urls = {name: server.url(f"/{name}") for name in ("hero.jpg", "thumb.png", "body.jpg")}
    write(
        tmp_path,
        "a.md",
        legacy_file(
            "青禾物流夜间配送试点", hero=urls["hero.jpg"], thumbnail=urls["thumb.png"], body_images=[urls["body.jpg"]]
        ),
    )

    out, err = run(tmp_path)

    assert err == ""
    article = Article.objects.get()
    assert article.hero_image.file and article.hero_image.source_url == urls["hero.jpg"]
    assert article.thumbnail.file and article.thumbnail.source_url == urls["thumb.png"]
    assert (article.hero_image.width, article.thumbnail.format) == (64, "PNG")
    body_image = Image.objects.get(source_url=urls["body.jpg"])
    assert body_image.file and body_image.renditions
    assert urls["body.jpg"] not in article.body
    assert "<picture>" in article.body and f"/renditions/{body_image.sha256[:2]}/{body_image.sha256}/" in article.body
    assert list(article.body_images.all()) == [body_image]


def test_files_sharing_an_image_fetch_it_once_and_store_it_once(tmp_path, server):
    hero, body = server.url("/hero.jpg"), server.url("/body.jpg")
    for n in range(3):
        write(tmp_path, f"{n}.md", legacy_file(f"文章{n}", hero=hero, body_images=[body, hero]))

    out, _ = run(tmp_path)

    assert "3 created" in out
    assert server.count("/hero.jpg") == 1 and server.count("/body.jpg") == 1
    assert Image.objects.count() == 2
    assert set(Article.objects.values_list("hero_image__source_url", flat=True)) == {hero}


def test_downloads_work_alongside_worker_processes(tmp_path, server):
    hero = server.url("/hero.jpg")
    for n in range(3):
        write(tmp_path, f"{n}.md", legacy_file(f"并行{n}", hero=hero, body_images=[server.url("/body.jpg")]))

    out, _ = run(tmp_path, jobs=2)

    assert "3 created" in out
    assert server.count("/hero.jpg") == 1 and Image.objects.stored().count() == 2
    assert all("<picture>" in body for body in Article.objects.values_list("body", flat=True))


def test_second_run_fetches_nothing(tmp_path, server):
    write(tmp_path, "a.md", legacy_file("第一篇", hero=server.url("/hero.jpg"), body_images=[server.url("/body.jpg")]))
    run(tmp_path)
    fetched, files = len(server.requests), media_files()

    out, err = run(tmp_path)

    assert "1 unchanged" in out and err == ""
    assert len(server.requests) == fetched and media_files() == files


def test_changed_file_reuses_the_images_downloaded_before(tmp_path, server):
    write(tmp_path, "a.md", legacy_file("第一版", hero=server.url("/hero.jpg"), body_images=[server.url("/body.jpg")]))
    run(tmp_path)
    fetched, images = len(server.requests), set(Image.objects.values_list("pk", flat=True))
    write(tmp_path, "a.md", legacy_file("第二版", hero=server.url("/hero.jpg"), body_images=[server.url("/body.jpg")]))

    out, _ = run(tmp_path)

    assert "1 updated" in out
    assert len(server.requests) == fetched
    assert set(Image.objects.values_list("pk", flat=True)) == images
    assert "<picture>" in Article.objects.get().body


def test_failed_downloads_keep_the_remote_url_and_are_reported(tmp_path, server):
    missing, fake = server.url("/missing.jpg"), server.url("/fake.jpg")
    path = write(tmp_path, "a.md", legacy_file("坏图片", hero=fake, body_images=[missing, server.url("/body.jpg")]))
    report = tmp_path / "report.jsonl"

    out, err = run(tmp_path, report=report)

    assert "1 created" in out
    assert f"{path}: warning: image {missing} not downloaded, the remote URL stays: HTTP 404 Not Found" in err
    assert (
        f"{path}: warning: image {fake} not downloaded, the remote URL stays: not an image: the content is HTML" in err
    )
    article = Article.objects.get()
    assert article.hero_image.source_url == fake and not article.hero_image.file
    assert f'<img src="{missing}" alt="配图" loading="lazy" referrerpolicy="no-referrer">' in article.body
    assert "<picture>" in article.body  # the good body image is still downloaded
    line, _summary = map(json.loads, report.read_text("utf-8").splitlines())
    assert line["outcome"] == "created" and len(line["warnings"]) == 2


def test_without_allow_private_image_hosts_the_local_server_is_refused(tmp_path, server):
    hero = server.url("/hero.jpg")
    path = write(tmp_path, "a.md", legacy_file("内网图片", hero=hero))

    out, err = run(tmp_path, allow_private_image_hosts=False)

    assert "1 created" in out
    assert server.requests == []
    assert (
        f"{path}: warning: image {hero} not downloaded, the remote URL stays: "
        "address 127.0.0.1 is a loopback address (use --allow-private-image-hosts)"
    ) in err
    assert Image.objects.get().source_url == hero and media_files() == []


def test_remote_image_recorded_without_the_flag_gets_its_file(tmp_path, server):
    hero = server.url("/hero.jpg")
    write(tmp_path, "a.md", legacy_file("先导入", hero=hero))
    run(tmp_path, download_images=False)
    remote = Image.objects.get()
    assert not remote.file and server.requests == []
    write(tmp_path, "b.md", legacy_file("后导入", hero=hero))

    run(tmp_path)

    filled = Image.objects.get()
    assert filled.pk == remote.pk and filled.file and filled.source_url == hero
    assert set(Article.objects.values_list("hero_image", flat=True)) == {remote.pk}


def test_picture_already_in_the_library_is_reused_and_learns_its_address(tmp_path, server):
    uploaded = store_image(HERO, name="upload.jpg").image
    write(tmp_path, "a.md", legacy_file("同一张图", hero=server.url("/hero.jpg")))

    run(tmp_path)

    assert Image.objects.get() == uploaded
    assert Image.objects.get().source_url == server.url("/hero.jpg")
    assert Article.objects.get().hero_image == uploaded


def test_dry_run_downloads_but_stores_nothing(tmp_path, server):
    path = write(
        tmp_path, "a.md", legacy_file("演习", hero=server.url("/hero.jpg"), body_images=[server.url("/missing.jpg")])
    )

    out, err = run(tmp_path, dry_run=True)

    assert "1 would be created" in out
    assert f"{path}: warning: image {server.url('/missing.jpg')} not downloaded" in err
    assert Image.objects.count() == 0 and Article.objects.count() == 0 and media_files() == []


def test_a_file_that_fails_after_its_download_leaves_no_image_behind(tmp_path, server, monkeypatch):
    write(
        tmp_path, "a.md", legacy_file("写到一半", hero=server.url("/hero.jpg"), body_images=[server.url("/body.jpg")])
    )

    def refuse(*args):
        raise RuntimeError("the database went away")

    monkeypatch.setattr(Importer, "_record_legacy_urls", refuse)
    out, err = io.StringIO(), io.StringIO()
    with pytest.raises(CommandError, match="1 of 1 files failed to import"):
        call_command(
            "import_frontmatter",
            str(tmp_path),
            download_images=True,
            allow_private_image_hosts=True,
            stdout=out,
            stderr=err,
        )

    assert "cannot save: the database went away" in err.getvalue()
    assert Image.objects.count() == 0 and media_files() == []
