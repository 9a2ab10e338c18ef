"""The image library in the admin: uploads (one or many) checked with Pillow and stored through
the library, the list with its thumbnails, filters and search at a constant query count, the
change page, and deletion that never breaks an article."""

import hashlib
import random
import re
from pathlib import Path

import pytest
from django.conf import settings
from django.contrib.messages import get_messages
from django.contrib.staticfiles import finders
from django.core.files.storage import default_storage
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from PIL import features

from articles.images.library import store_image
from articles.models import Article, BodyImage, Image
from articles.permissions import WRITER_GROUP
from articles.tests.factories import make_article, make_image, make_staff
from articles.tests.pictures import (
    HTML,
    PDF,
    SVG,
    camera_exif,
    decompression_bomb_png,
    make_jpeg,
    make_picture,
    make_png,
    noisy_jpeg,
    opened,
    truncated,
    upload,
)

ADD = reverse("admin:articles_image_add")
CHANGELIST = reverse("admin:articles_image_changelist")
UPLOAD = reverse("admin:articles_image_upload")
LIBRARY = reverse("admin:articles_image_library")

WEB_FORMATS = ["JPEG", "PNG", "GIF", "WEBP"] + (["AVIF"] if features.check("avif") else [])
EXTENSIONS = {"JPEG": "jpg", "PNG": "png", "GIF": "gif", "WEBP": "webp", "AVIF": "avif"}


def change_url(image):
    return reverse("admin:articles_image_change", args=[image.pk])


def delete_url(image):
    return reverse("admin:articles_image_delete", args=[image.pk])


def add_image(client, name, data, **fields):
    return client.post(ADD, {"upload": upload(name, data), "alt_text": "图", **fields})


def stored_files():
    """Every file under MEDIA_ROOT, as storage names."""
    root = Path(settings.MEDIA_ROOT)
    return {str(path.relative_to(root)) for path in root.rglob("*") if path.is_file()}


def names_of(image):
    return {image.file.name} | image.rendition_names()


def messages_of(response):
    return [str(message) for message in get_messages(response.wsgi_request)]


def stored(name="photo.jpg", data=None, **fields):
    """A library image stored the way the admin stores one."""
    return store_image(data or make_jpeg(), name=name, **fields).image


# --- One upload in the add form --------------------------------------------------------------


@pytest.mark.parametrize("image_format", WEB_FORMATS)
def test_each_web_format_is_stored_with_its_digest_and_renditions(chief_client, image_format):
    data = make_picture(image_format)
    response = add_image(chief_client, f"chip.{EXTENSIONS[image_format]}", data, credit="新华社")
    image = Image.objects.get()
    assert response.status_code == 302 and response.url == CHANGELIST
    assert (image.format, image.width, image.height) == (image_format, 64, 48)
    assert image.sha256 == hashlib.sha256(data).hexdigest()
    assert image.credit == "新华社" and image.title == "chip"
    assert image.renditions["widths"] == [64] and image.renditions["social"]
    assert names_of(image) <= stored_files()
    assert opened(image.file).format == image_format


@pytest.mark.parametrize(
    "name, data, reason",
    [
        ("logo.svg", SVG, "是 SVG 文件"),
        ("page.jpg", HTML, "的内容是 HTML"),
        ("report.pdf", PDF, "是 PDF 文件"),
        ("cut.jpg", truncated(noisy_jpeg(64, 48), keep=0.7), "已损坏或不完整"),
        # Fixed noise: random bytes now and then begin with some format's signature.
        ("noise.jpg", random.Random(20261201).randbytes(2048), "不是可读的图片"),
        ("photo.png", make_jpeg(), "的扩展名是 .png，但内容是 JPEG 图片"),
        ("empty.jpg", b"", "是空文件"),
    ],
)
def test_a_file_that_is_not_a_web_picture_is_refused_by_name_and_nothing_is_stored(chief_client, name, data, reason):
    response = add_image(chief_client, name, data)
    assert response.status_code == 200
    assert f"“{name}”{reason}" in response.content.decode()
    assert not Image.objects.exists()
    assert stored_files() == set()


def test_a_file_over_the_byte_limit_is_refused(chief_client, settings):
    settings.NEWSROOM_IMAGES = {**settings.NEWSROOM_IMAGES, "MAX_BYTES": 4096}
    data = noisy_jpeg(64, 64)
    assert len(data) > 4096
    html = add_image(chief_client, "huge.jpg", data).content.decode().replace("\xa0", " ")
    assert "“huge.jpg”有" in html and "超过了 4.0 KB 的上限" in html
    assert not Image.objects.exists() and stored_files() == set()


def test_a_decompression_bomb_over_the_default_pixel_limit_is_refused(chief_client):
    bomb = decompression_bomb_png()
    assert len(bomb) < 100_000 and settings.NEWSROOM_IMAGES["MAX_PIXELS"] == 40_000_000
    html = add_image(chief_client, "bomb.png", bomb).content.decode()
    assert "“bomb.png”有 8000×6000 像素" in html and "超过了 40 百万像素 的上限" in html
    assert not Image.objects.exists() and stored_files() == set()


def test_exif_orientation_is_applied_and_location_stripped_from_file_and_renditions(chief_client):
    sideways = make_jpeg(64, 48, exif=camera_exif(orientation=6))
    assert opened(sideways).getexif().get_ifd(0x8825)  # the upload does carry a location
    add_image(chief_client, "phone.jpg", sideways)
    image = Image.objects.get()
    assert (image.width, image.height) == (48, 64)
    assert opened(image.file).size == (48, 64)
    for name in names_of(image):
        with default_storage.open(name) as handle:
            picture = opened(handle.read())
        assert not picture.getexif(), name
        assert "exif" not in picture.info and "xmp" not in picture.info, name


def test_metadata_is_stripped_from_a_png_too(chief_client):
    add_image(chief_client, "screen.png", make_png(exif=camera_exif()))
    assert not opened(Image.objects.get().file).getexif()


def test_uploading_a_file_already_in_the_library_reuses_it(chief_client):
    data = make_jpeg()
    add_image(chief_client, "first.jpg", data)
    first = Image.objects.get()
    files = stored_files()

    response = add_image(chief_client, "again.jpg", data, alt_text="另一段说明")
    assert response.status_code == 302 and response.url == change_url(first)
    assert messages_of(response)[-1].startswith("该图片已在图片库中：“first”")
    assert Image.objects.get() == first and first.alt_text == "图"
    assert stored_files() == files


def test_writers_may_upload(newsroom_roles, writer_client):
    assert add_image(writer_client, "mine.jpg", make_jpeg()).status_code == 302
    assert Image.objects.get().title == "mine"


# --- Many files at once ----------------------------------------------------------------------


def test_a_batch_stores_each_file_on_its_own_and_reports_each(chief_client, settings):
    settings.NEWSROOM_IMAGES = {**settings.NEWSROOM_IMAGES, "MAX_BYTES": 8192}
    existing = stored("known.jpg", make_jpeg(colour=(0, 0, 255)))
    files = [
        upload("one.jpg", make_jpeg()),
        upload("bad.svg", SVG),
        upload("two.png", make_png(colour=(0, 200, 0))),
        upload("copy.jpg", make_jpeg(colour=(0, 0, 255))),
        upload("broken.jpg", truncated(make_jpeg())),
        upload("huge.jpg", noisy_jpeg(128, 128)),
    ]
    response = chief_client.post(UPLOAD, {"files": files, "credit": "路透社"})
    assert response.status_code == 200
    html = response.content.decode()

    one, two = Image.objects.get(title="one"), Image.objects.get(title="two")
    assert Image.objects.count() == 3
    assert one.credit == two.credit == "路透社" and existing.credit == ""
    results = {row["name"]: row for row in response.context["results"]}
    assert [row["outcome"] for row in response.context["results"]] == [
        "stored", "refused", "stored", "reused", "refused", "refused",
    ]  # fmt: skip
    assert results["copy.jpg"]["image"] == existing
    assert f'href="{change_url(existing)}"' in html and f'href="{change_url(one)}"' in html
    assert "“bad.svg”是 SVG 文件" in html
    assert "“broken.jpg”" in html and "“huge.jpg”有" in html
    assert messages_of(response) == ["处理了 6 个文件：存入 2 个，已在图片库中 1 个，拒收 3 个。"]


def test_the_upload_page_offers_a_multiple_file_input(chief_client):
    html = chief_client.get(UPLOAD).content.decode()
    assert 'type="file" name="files"' in html and " multiple" in html
    assert 'enctype="multipart/form-data"' in html


def test_the_change_list_links_to_the_batch_upload(chief_client):
    html = chief_client.get(CHANGELIST).content.decode()
    assert f'href="{UPLOAD}"' in html and "批量上传" in html


def test_one_source_address_cannot_go_to_several_files(chief_client):
    files = [upload("a.jpg", make_jpeg()), upload("b.png", make_png())]
    response = chief_client.post(UPLOAD, {"files": files, "source_url": "https://example.com/kit"})
    assert "一个原始地址只属于一张图片" in response.content.decode()
    assert not Image.objects.exists()


def test_writers_may_upload_a_batch_but_staff_without_add_permission_may_not(newsroom_roles, writer_client, client):
    response = writer_client.post(UPLOAD, {"files": [upload("w.jpg", make_jpeg())]})
    assert response.status_code == 200 and Image.objects.filter(title="w").exists()
    client.force_login(make_staff("visitor"))
    assert client.get(UPLOAD).status_code == 403
    assert client.post(UPLOAD, {"files": [upload("v.jpg", make_png())]}).status_code == 403
    assert not Image.objects.filter(title="v").exists()


# --- The list --------------------------------------------------------------------------------


def test_the_list_shows_thumbnail_size_format_alt_text_credit_and_usage(chief_client):
    image = stored("chip.png", make_png(), alt_text="晶圆", credit="新华社")
    make_article(hero_image=image)
    make_article(thumbnail=image)
    remote = make_image("https://img.example.com/legacy.jpg")

    html = chief_client.get(CHANGELIST).content.decode()
    thumbnail = default_storage.url(image.renditions["fallback"]["64"])
    assert f'<img src="{thumbnail}"' in html
    assert (
        '<img src="https://img.example.com/legacy.jpg" alt="" width="64" height="48" loading="lazy" referrerpolicy="no-referrer"'
        in html
    )
    assert "64×48" in html and ">PNG<" in html and "晶圆" in html and "新华社" in html
    row = response_row(html, "chip")
    assert '<td class="field-usage">2</td>' in row
    assert '<td class="field-usage">0</td>' in response_row(html, str(remote))
    assert "缺少替代文本" in response_row(html, str(remote)) and "缺少替代文本" not in row


def response_row(html, title):
    """The change list's table row of the image titled `title`."""
    for row in html.split("<tr")[1:]:
        row = row.split("</tr>")[0]
        if f">{title}</a>" in row:
            return row
    raise AssertionError(f"no row for {title}")


def listed(client, **params):
    response = client.get(CHANGELIST, params)
    assert response.status_code == 200
    return {str(image) for image in response.context["cl"].result_list}


def test_the_usage_filter_lists_unused_or_used_images(chief_client):
    hero, thumb, body, unused = (make_image(title=title) for title in ("头图", "缩略图", "正文图", "闲置"))
    article = make_article(hero_image=hero, thumbnail=thumb)
    BodyImage.objects.create(article=article, image=body)
    assert listed(chief_client, usage="unused") == {"闲置"}
    assert listed(chief_client, usage="used") == {"头图", "缩略图", "正文图"}


def test_the_alt_text_filter_lists_images_missing_it_or_having_it(chief_client):
    make_image(title="有", alt_text="一块芯片")
    make_image(title="无")
    make_image(title="空白", alt_text="  ")
    assert listed(chief_client, alt="missing") == {"无", "空白"}
    assert listed(chief_client, alt="present") == {"有"}


@pytest.mark.parametrize("query, expected", [("晶圆", {"甲"}), ("芯片", {"乙"}), ("路透", {"丙"})])
def test_search_covers_title_alt_text_and_credit(chief_client, query, expected):
    make_image(title="甲：晶圆厂")
    make_image(title="乙", alt_text="一块芯片")
    make_image(title="丙", credit="路透社")
    assert {name[0] for name in listed(chief_client, q=query)} == expected


def test_the_list_costs_the_same_queries_for_5_and_25_images(chief_client, django_assert_max_num_queries):
    def count_queries():
        chief_client.get(CHANGELIST)  # warm the session and user lookups alike for both runs
        with CaptureQueriesContext(connection) as queries:
            assert chief_client.get(CHANGELIST).status_code == 200
        return len(queries)

    def add(n):
        for i in range(n):
            image = make_image(title=f"图 {i}", renditions={"widths": [64], "fallback": {"64": f"r/{i}.jpg"}})
            article = make_article(hero_image=image, thumbnail=image)
            BodyImage.objects.create(article=article, image=image)

    add(5)
    few = count_queries()
    add(20)
    assert count_queries() == few
    # One of them is the header's count of unread notifications, on every admin page.
    with django_assert_max_num_queries(7):
        chief_client.get(CHANGELIST)


# --- The change page -------------------------------------------------------------------------


def test_the_change_page_shows_preview_facts_renditions_and_where_it_is_used(chief_client):
    image = stored("chip.jpg", make_jpeg(64, 48))
    hero = make_article("头图文章", hero_image=image, thumbnail=image)
    body = make_article("正文文章", body=f'<p><img src="{image.file.url}" alt="芯片"></p>')
    html = chief_client.get(change_url(image)).content.decode()
    assert "<picture>" in html and "64×48" in html and image.sha256 in html
    assert 'name="upload"' not in html  # a stored file is never replaced
    for name in image.rendition_names():
        assert default_storage.url(name) in html
    assert f'<a href="{reverse("admin:articles_article_change", args=[hero.pk])}">头图文章</a>（头图、缩略图）' in html
    assert f'<a href="{reverse("admin:articles_article_change", args=[body.pk])}">正文文章</a>（正文）' in html


def test_the_preview_is_the_focal_point_picker_with_its_script(chief_client):
    image = stored("chip.jpg", make_jpeg(), focal_point_x=0.25, focal_point_y=0.75)
    html = chief_client.get(change_url(image)).content.decode()
    assert re.search(
        r'<div class="focal-point-frame" data-focal-point-x="0.25"\s+data-focal-point-y="0.75"><picture>', html
    )
    assert '<span class="focal-point-marker" hidden></span>' in html
    assert re.search(r'src="/static/articles/admin/focal-point.js"[^>]* type="module"', html)
    assert "articles/admin/image-admin.css" in html
    for asset in ("articles/admin/focal-point.js", "articles/admin/image-admin.css"):
        assert finders.find(asset), asset


def change_form_data(image, **changes):
    fields = ("title", "alt_text", "caption", "credit", "source_url", "focal_point_x", "focal_point_y")
    data = {name: getattr(image, name) or "" for name in fields}
    return {**data, **changes}


def test_the_stored_file_cannot_be_replaced(chief_client):
    image = stored("chip.jpg", make_jpeg())
    before = (image.file.name, image.sha256)
    data = change_form_data(image, title="新标题", upload=upload("other.png", make_png()))
    assert chief_client.post(change_url(image), data).status_code == 302
    image.refresh_from_db()
    assert image.title == "新标题" and (image.file.name, image.sha256) == before


def test_moving_the_focal_point_renews_the_social_card(chief_client):
    image = stored("square.jpg", noisy_jpeg(400, 400))  # every row differs
    old_card = image.renditions["social"]
    with default_storage.open(old_card) as handle:
        old_pixels = opened(handle.read()).tobytes()

    data = change_form_data(image, focal_point_x="0.5", focal_point_y="0.9")
    assert chief_client.post(change_url(image), data).status_code == 302
    image.refresh_from_db()
    new_card = image.renditions["social"]
    assert new_card != old_card and default_storage.exists(new_card)
    assert not default_storage.exists(old_card)
    with default_storage.open(new_card) as handle:
        assert opened(handle.read()).tobytes() != old_pixels


def test_saving_without_moving_the_focal_point_keeps_the_card(chief_client):
    image = stored("wide.jpg", make_jpeg(400, 400), focal_point_x=0.2, focal_point_y=0.3)
    card = image.renditions["social"]
    chief_client.post(change_url(image), change_form_data(image, alt_text="新的说明"))
    image.refresh_from_db()
    assert image.alt_text == "新的说明" and image.renditions["social"] == card


# --- Deleting --------------------------------------------------------------------------------


def in_use(role, image):
    if role == "hero":
        return make_article("用作头图的文章", hero_image=image)
    if role == "thumbnail":
        return make_article("用作缩略图的文章", thumbnail=image)
    if role == "body":
        return make_article("正文用图的文章", body=f'<p><img src="{image.file.url}" alt="图"></p>')
    # A body written by update() has no BodyImage row; its page would still break.
    article = make_article("update 写入正文的文章")
    Article.objects.filter(pk=article.pk).update(body=f'<p><img src="{image.file.url}" alt="图"></p>')
    BodyImage.objects.filter(image=image).delete()
    return article


@pytest.mark.parametrize("role", ["hero", "thumbnail", "body", "body_by_update"])
def test_an_image_in_use_cannot_be_deleted_and_the_page_names_the_article(chief_client, role):
    image = stored()
    article = in_use(role, image)
    html = chief_client.get(delete_url(image)).content.decode()
    assert article.title in html and "受保护" in html
    chief_client.post(delete_url(image), {"post": "yes"})
    assert Image.objects.filter(pk=image.pk).exists()
    assert names_of(image) <= stored_files()


@pytest.mark.parametrize("role", ["hero", "body_by_update"])
def test_the_bulk_delete_action_refuses_images_in_use_alike(chief_client, role):
    image, unused = stored(), stored("other.png", make_png())
    article = in_use(role, image)
    action = {"action": "delete_selected", "_selected_action": [image.pk, unused.pk]}
    html = chief_client.post(CHANGELIST, action).content.decode()
    assert article.title in html and "受保护" in html
    chief_client.post(CHANGELIST, {**action, "post": "yes"})
    assert Image.objects.count() == 2


def test_deleting_an_unused_image_removes_its_file_and_renditions(chief_client, django_capture_on_commit_callbacks):
    image, other = stored(), stored("other.png", make_png())
    names = names_of(image)
    assert names <= stored_files() and len(names) >= 4
    with django_capture_on_commit_callbacks(execute=True):
        response = chief_client.post(delete_url(image), {"post": "yes"})
    assert response.status_code == 302
    assert not Image.objects.filter(pk=image.pk).exists()
    assert stored_files() == names_of(other)


def test_bulk_deleting_unused_images_removes_their_files(chief_client, django_capture_on_commit_callbacks):
    images = [stored(), stored("other.png", make_png())]
    action = {"action": "delete_selected", "_selected_action": [i.pk for i in images], "post": "yes"}
    with django_capture_on_commit_callbacks(execute=True):
        chief_client.post(CHANGELIST, action)
    assert not Image.objects.exists() and stored_files() == set()


# --- The body editor's picker ----------------------------------------------------------------


def test_the_picker_lists_the_smallest_rendition_as_thumbnail(chief_client):
    image = stored("wide.jpg", make_jpeg(700, 100))
    remote = make_image("https://img.example.com/r.jpg")
    rows = {row["id"]: row for row in chief_client.get(LIBRARY).json()["images"]}
    assert image.renditions["widths"] == [320, 640, 700]
    assert rows[image.pk]["thumbnail"] == default_storage.url(image.renditions["fallback"]["320"])
    assert "thumbnail" not in rows[remote.pk]


def test_an_image_group_member_sees_the_upload_link(newsroom_roles, client):
    client.force_login(make_staff("writer2", WRITER_GROUP))
    assert f'href="{UPLOAD}"' in client.get(CHANGELIST).content.decode()
