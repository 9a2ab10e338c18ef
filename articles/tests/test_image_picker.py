"""The image library in the body editor's figure dialog: the admin JSON view it reads, the
static module that adds it (served from our own static files), and the whole thing in Chromium."""

import datetime as dt
import re
from pathlib import Path
from urllib.parse import urlsplit

import pytest
from django.contrib.auth import get_user_model
from django.contrib.staticfiles import finders
from django.core.files.uploadedfile import SimpleUploadedFile
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone

from articles.editor import IMAGE_PICKER_JS, body_widget
from articles.models import Article, Image
from articles.tests.browsing import ARTIFACTS, browser_test
from articles.tests.factories import STAFF_PASSWORD, make_author, make_image, make_staff
from articles.tests.pictures import PDF, SVG, make_jpeg, upload

LIBRARY = reverse("admin:articles_image_library")
ADD_ARTICLE = reverse("admin:articles_article_add")
PASSWORD = STAFF_PASSWORD

# The smallest valid GIF: 1×1, for an uploaded library file.
GIF = (
    b"GIF89a\x01\x00\x01\x00\x80\x00\x00\x00\x00\x00\xff\xff\xff!\xf9\x04\x01\x00\x00\x00\x00"
    b",\x00\x00\x00\x00\x01\x00\x01\x00\x00\x02\x02D\x01\x00;"
)


# --- The JSON view --------------------------------------------------------------------------


def test_anonymous_visitors_are_sent_to_the_login_page(client, db):
    response = client.get(LIBRARY)
    assert response.status_code == 302
    assert response.url.startswith(reverse("admin:login"))


def test_staff_without_view_image_permission_are_refused(client, db):
    client.force_login(make_staff("nobody"))
    assert client.get(LIBRARY).status_code == 403


def test_writers_get_the_library_newest_first(writer_client):
    old = make_image("https://img.example.com/old.jpg", alt_text="旧图", caption="旧图注")
    Image.objects.filter(pk=old.pk).update(created_at=timezone.now() - dt.timedelta(days=3))
    new = make_image("https://img.example.com/new.jpg", alt_text="芯片", caption="晶圆厂", credit="新华社")

    response = writer_client.get(LIBRARY)
    assert response.status_code == 200
    assert response["Content-Type"] == "application/json"
    images = response.json()["images"]
    assert [image["id"] for image in images] == [new.pk, old.pk]
    assert images[0] == {
        "id": new.pk,
        "url": "https://img.example.com/new.jpg",
        "alt": "芯片",
        "caption": "晶圆厂",
        "width": None,
        "height": None,
        "card": "https://img.example.com/new.jpg",  # a remote image is its own share card
    }


def test_uploaded_files_are_listed_by_their_own_address(writer_client):
    image = Image.objects.create(file=SimpleUploadedFile("chip.gif", GIF, "image/gif"), alt_text="上传")
    [row] = writer_client.get(LIBRARY).json()["images"]
    assert row["id"] == image.pk
    assert row["url"] == image.file.url and row["url"].startswith("/media/images/")
    assert (row["width"], row["height"]) == (1, 1)


def test_entries_with_nothing_to_insert_are_left_out(writer_client):
    Image.objects.create(alt_text="空的")
    assert writer_client.get(LIBRARY).json()["images"] == []


@pytest.mark.parametrize(
    "query, expected",
    [
        ("芯片", {"chip"}),  # alt text
        ("晶圆", {"chip"}),  # caption
        ("路透", {"phone"}),  # credit
        ("img.example.com/car", {"car"}),  # source URL
        ("EXAMPLE.COM", {"chip", "phone", "car"}),  # case-insensitive
        ("手机 路透", {"phone"}),  # every word must match
        ("手机 芯片", set()),
        ("  ", {"chip", "phone", "car"}),
    ],
)
def test_search_covers_alt_text_caption_credit_and_source(writer_client, query, expected):
    make_image("https://img.example.com/chip.jpg", alt_text="芯片", caption="晶圆厂")
    make_image("https://img.example.com/phone.jpg", alt_text="手机", credit="路透社")
    make_image("https://img.example.com/car.jpg", alt_text="汽车")
    images = writer_client.get(LIBRARY, {"q": query}).json()["images"]
    assert {urlsplit(image["url"]).path.strip("/").removesuffix(".jpg") for image in images} == expected


def test_at_most_fifty_images(writer_client):
    Image.objects.bulk_create(
        Image(source_url=f"https://img.example.com/{n}.jpg", alt_text=f"图 {n}") for n in range(60)
    )
    assert len(writer_client.get(LIBRARY).json()["images"]) == 50


def test_query_count_does_not_grow_with_the_library(chief_client):
    def count_queries():
        chief_client.get(LIBRARY)  # warm the session and user caches alike for both runs
        with CaptureQueriesContext(connection) as queries:
            assert chief_client.get(LIBRARY).status_code == 200
        return len(queries)

    for n in range(5):
        make_image(alt_text=f"图 {n}")
    few = count_queries()
    for n in range(25):
        make_image(alt_text=f"更多 {n}")
    many = count_queries()
    assert few == many
    # Beyond the session and user lookups the admin always makes, one query lists the images.
    with CaptureQueriesContext(connection) as queries:
        chief_client.get(LIBRARY)
    assert sum('"articles_image"' in q["sql"] for q in queries.captured_queries) == 1


def test_the_view_lives_under_the_image_admin():
    assert LIBRARY == "/admin/articles/image/library/"


# --- The widget and its static module -------------------------------------------------------


def test_the_widget_loads_the_picker_as_a_module_from_our_static_files():
    html = str(body_widget().media)
    assert f'<script src="/static/{IMAGE_PICKER_JS}" type="module"></script>' in html
    assert "articles/admin/image-picker.css" in html
    assert "django_prose_editor/configurable.js" in html  # the editor itself is still there
    assert "//cdn" not in html and "https://" not in html


def test_the_picker_files_are_found_by_the_staticfiles_finders():
    for asset in (IMAGE_PICKER_JS, "articles/admin/image-picker.css"):
        found = finders.find(asset)
        assert found, asset
        text = Path(found).read_text(encoding="utf-8")
        assert "https://" not in text and "http://" not in text  # nothing fetched from outside


def test_the_textarea_carries_the_library_address():
    html = body_widget().render("body", "<p>正文</p>")
    assert f'data-image-library-url="{LIBRARY}"' in html


@pytest.mark.urls("articles.urls")
def test_without_the_image_admin_the_editor_renders_without_the_picker():
    html = body_widget().render("body", "<p>正文</p>")
    assert "data-django-prose-editor-configurable" in html
    assert "data-image-library-url" not in html


def test_the_add_page_carries_the_library_address_and_the_script(chief_client):
    html = chief_client.get(ADD_ARTICLE).content.decode()
    assert f'data-image-library-url="{LIBRARY}"' in html
    # With the request's CSP nonce, as every script of the article form carries it.
    assert re.search(rf'src="/static/{IMAGE_PICKER_JS}" nonce="[^"]+" type="module"', html)


def test_one_image_can_be_asked_for_by_id_with_its_share_card(writer_client):
    card = make_image("https://img.example.com/card.jpg", renditions={"social": "renditions/ab/card.jpg"})
    make_image("https://img.example.com/other.jpg")
    [row] = writer_client.get(LIBRARY, {"id": card.pk}).json()["images"]
    assert row["id"] == card.pk and row["card"] == "/media/renditions/ab/card.jpg"
    assert writer_client.get(LIBRARY, {"id": "x"}).json()["images"] == []


# --- The picker's upload ----------------------------------------------------------------------

UPLOAD = reverse("admin:articles_image_library_upload")


def test_a_writer_uploads_a_picture_and_gets_its_library_row(writer_client):
    response = writer_client.post(UPLOAD, {"file": upload("wafer.jpg", make_jpeg(800, 600), "image/jpeg")})
    assert response.status_code == 201
    answer = response.json()
    image = Image.objects.get()
    assert answer["created"] is True
    assert answer["image"]["id"] == image.pk
    assert answer["image"]["url"] == image.file.url and answer["image"]["url"].startswith("/media/images/")
    assert (answer["image"]["width"], answer["image"]["height"]) == (800, 600)
    assert image.renditions.get("widths")  # stored through the library: checked, with renditions


def test_the_same_picture_again_is_the_image_already_there(writer_client):
    data = make_jpeg(320, 200)
    first = writer_client.post(UPLOAD, {"file": upload("a.jpg", data, "image/jpeg")}).json()
    again = writer_client.post(UPLOAD, {"file": upload("b.jpg", data, "image/jpeg")})
    assert again.status_code == 200
    assert again.json()["created"] is False and again.json()["image"]["id"] == first["image"]["id"]
    assert Image.objects.count() == 1


@pytest.mark.parametrize(
    "name, data", [("report.pdf", PDF), ("logo.svg", SVG), ("empty.jpg", b"")], ids=["pdf", "svg", "empty"]
)
def test_a_refused_file_says_why_and_stores_nothing(writer_client, name, data):
    response = writer_client.post(UPLOAD, {"file": upload(name, data)})
    assert response.status_code == 400
    assert name in response.json()["error"]  # the library's own reason, naming the file
    assert not Image.objects.exists()


def test_a_file_over_the_size_limit_is_refused_before_it_is_read(writer_client, settings):
    settings.NEWSROOM_IMAGES = {**settings.NEWSROOM_IMAGES, "MAX_BYTES": 1000}
    response = writer_client.post(UPLOAD, {"file": upload("big.jpg", make_jpeg(400, 300), "image/jpeg")})
    assert response.status_code == 400 and "上限" in response.json()["error"]
    assert not Image.objects.exists()


def test_staff_who_may_not_add_images_are_refused(client, db):
    from django.contrib.auth.models import Permission

    viewer = make_staff("viewer")
    viewer.user_permissions.add(Permission.objects.get(codename="view_image"))
    client.force_login(viewer)
    response = client.post(UPLOAD, {"file": upload("a.jpg", make_jpeg(), "image/jpeg")})
    assert response.status_code == 403
    assert not Image.objects.exists()


def test_the_upload_asks_the_permission_gate(writer_client, monkeypatch):
    from articles import permissions

    asked = []

    def refuse(user, obj, **kwargs):
        asked.append(obj)
        return False

    monkeypatch.setattr(permissions, "may_change", refuse)
    response = writer_client.post(UPLOAD, {"file": upload("a.jpg", make_jpeg(), "image/jpeg")})
    assert response.status_code == 403
    assert len(asked) == 1 and isinstance(asked[0], Image) and asked[0].pk is None


def test_the_upload_takes_posts_only_and_needs_a_login(client, writer_client):
    assert writer_client.get(UPLOAD).status_code == 405
    assert writer_client.post(UPLOAD, {}).status_code == 400  # no file
    client.logout()
    response = client.post(UPLOAD, {"file": upload("a.jpg", make_jpeg(), "image/jpeg")})
    assert response.status_code == 302 and response.url.startswith(reverse("admin:login"))


def test_the_upload_needs_the_csrf_token(db):
    from django.test import Client

    checked = Client(enforce_csrf_checks=True)
    checked.force_login(make_staff("csrf-writer", "撰稿人 Writer"))
    response = checked.post(UPLOAD, {"file": upload("a.jpg", make_jpeg(), "image/jpeg")})
    assert response.status_code == 403
    assert not Image.objects.exists()


def test_the_textarea_carries_the_upload_address_and_accepted_types():
    html = body_widget().render("body", "<p>正文</p>")
    assert f'data-image-upload-url="{UPLOAD}"' in html
    assert 'data-image-upload-accept="' in html and "image/jpeg" in html


# --- In the browser -------------------------------------------------------------------------


@browser_test
def test_an_editor_inserts_a_library_image_into_the_body(page, live_server):
    get_user_model().objects.create_superuser("chief", password=PASSWORD)
    make_author("编辑部")
    make_image("https://img.example.com/other.jpg", alt_text="别的图")
    chip = make_image("https://img.example.com/x.jpg", alt_text="芯片", caption="晶圆厂")

    page.goto(live_server.url + ADD_ARTICLE)
    page.fill("#id_username", "chief")
    page.fill("#id_password", PASSWORD)
    page.click("input[type=submit]")
    page.wait_for_url(live_server.url + ADD_ARTICLE)

    page.fill("#id_title", "图片库插图")
    page.locator("#id_author + .select2").click()
    page.locator(".select2-dropdown .select2-search__field").fill("编辑部")
    page.locator(".select2-results__option", has_text="编辑部").click()

    page.locator("button[data-name=figure]").first.click()
    dialog = page.locator("dialog[open]")
    dialog.locator("input[name=imageUrl]").wait_for()
    pick = dialog.locator(f'.image-library-item[data-image-id="{chip.pk}"]')
    pick.wait_for()
    assert dialog.locator(".image-library-item").count() == 2  # newest first, both listed

    # The search narrows the list without submitting the dialog.
    search = dialog.locator(".image-library-search")
    search.fill("芯片")
    search.press("Enter")
    page.wait_for_function("() => document.querySelectorAll('dialog[open] .image-library-item').length === 1")
    pick.click()
    assert dialog.locator("input[name=imageUrl]").input_value() == "https://img.example.com/x.jpg"
    assert dialog.locator("input[name=altText]").input_value() == "芯片"
    assert dialog.locator("input[name=caption]").input_value() == "晶圆厂"
    ARTIFACTS.mkdir(parents=True, exist_ok=True)
    page.screenshot(path=ARTIFACTS / "image-picker.png")
    dialog.get_by_role("button", name="插入").click()
    assert page.locator("dialog[open]").count() == 0

    page.locator("input[name=_save]").click()
    page.wait_for_load_state("load")
    article = Article.objects.get(title="图片库插图")
    assert '<img src="https://img.example.com/x.jpg" alt="芯片"' in article.body
    assert "晶圆厂" in article.body
    assert page.errors == []
    assert all(urlsplit(url).hostname == "img.example.com" for url in page.external_requests)
