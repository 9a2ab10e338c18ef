"""The image library's pipeline: validation, normalisation, renditions, markup, usage."""

import datetime as dt
import io
import re

import pytest
from django.core.files.storage import default_storage
from django.db import connection
from django.db.models import ProtectedError
from django.test.utils import CaptureQueriesContext
from django.utils import timezone
from PIL import Image as PILImage
from PIL import features

from articles import workflow
from articles.images.library import store_image
from articles.images.markup import picture_html, responsive_body
from articles.images.renditions import social_card_box, target_widths
from articles.images.validation import ImageRejected, inspect_image
from articles.models import Article, BodyImage, Image
from articles.tests.factories import make_article, make_author, make_image, make_staff
from articles.tests.pictures import camera_exif, decompression_bomb_png, make_jpeg, make_picture, noisy_jpeg

pytestmark = pytest.mark.django_db


# --- validation -------------------------------------------------------------------------------


@pytest.mark.parametrize("image_format", ["JPEG", "PNG", "GIF", "WEBP"] + (["AVIF"] if features.check("avif") else []))
def test_web_formats_are_accepted(image_format):
    data = make_picture(image_format, 40, 30)
    info = inspect_image(data, name=f"photo.{image_format.lower()}")
    assert (info.format, info.width, info.height) == (image_format, 40, 30)


@pytest.mark.parametrize(
    "name, data, reason",
    [
        ("logo.svg", b'<svg xmlns="http://www.w3.org/2000/svg"><script>alert(1)</script></svg>', "SVG"),
        ("logo.png", b'<?xml version="1.0"?><svg xmlns="http://www.w3.org/2000/svg"></svg>', "SVG"),
        ("page.jpg", b"<!DOCTYPE html><html><body>not a picture</body></html>", "HTML"),
        ("report.pdf", b"%PDF-1.7\n1 0 obj\n<<>>\nendobj\n", "PDF"),
        ("report.jpg", b"%PDF-1.7\n1 0 obj\n<<>>\nendobj\n", "PDF"),
        ("noise.jpg", bytes(range(256)) * 8, "不是可读的图片"),
        ("empty.png", b"", "空文件"),
        ("scan.tiff", b"II*\x00" + b"\x00" * 64, "TIFF"),
    ],
)
def test_non_pictures_are_refused_naming_the_file(name, data, reason):
    with pytest.raises(ImageRejected) as refused:
        inspect_image(data, name=name)
    assert name in str(refused.value)
    assert reason in str(refused.value)


def test_truncated_jpeg_is_refused():
    data = make_jpeg(400, 300)
    with pytest.raises(ImageRejected, match="损坏或不完整"):
        inspect_image(data[: len(data) // 2], name="cut.jpg")


def test_content_must_match_its_extension():
    with pytest.raises(ImageRejected, match=r"扩展名是 \.png，但内容是 JPEG"):
        inspect_image(make_jpeg(20, 20), name="really-a-jpeg.png")


def test_a_name_without_extension_is_judged_by_content():
    assert inspect_image(make_jpeg(20, 20), name="v2_3b32337a_img_000").format == "JPEG"


def test_byte_limit_is_a_setting(settings):
    data = noisy_jpeg(300, 200)
    settings.NEWSROOM_IMAGES = {**settings.NEWSROOM_IMAGES, "MAX_BYTES": len(data) - 1}
    with pytest.raises(ImageRejected, match="超过了 .* MB 的上限"):
        inspect_image(data, name="big.jpg")
    settings.NEWSROOM_IMAGES = {**settings.NEWSROOM_IMAGES, "MAX_BYTES": len(data)}
    assert inspect_image(data, name="big.jpg").width == 300


def test_decompression_bomb_over_the_default_pixel_limit_is_refused():
    bomb = decompression_bomb_png(8000, 6000)  # 48 megapixels in a few dozen kilobytes
    assert len(bomb) < 200_000
    with pytest.raises(ImageRejected, match="像素"):
        inspect_image(bomb, name="bomb.png")


def test_default_limits_are_20_mb_and_40_megapixels(settings):
    assert settings.NEWSROOM_IMAGES["MAX_BYTES"] == 20 * 1024 * 1024
    assert settings.NEWSROOM_IMAGES["MAX_PIXELS"] == 40_000_000


# --- intake: normalisation and deduplication ------------------------------------------------


def test_exif_orientation_is_applied_and_metadata_stripped():
    upload = make_jpeg(60, 40, exif=camera_exif(orientation=6))
    with PILImage.open(io.BytesIO(upload)) as original:
        assert original.getexif().get_ifd(0x8825)  # the upload does carry a location
    image = store_image(upload, name="phone.jpg").image
    assert (image.width, image.height) == (40, 60)  # rotated upright
    names = [image.file.name, *image.rendition_names()]
    assert len(names) > 2
    for name in names:
        with default_storage.open(name) as handle, PILImage.open(handle) as stored:
            assert not stored.getexif(), f"{name} still carries EXIF"
            assert "xmp" not in stored.info and "comment" not in stored.info, name
            assert stored.height > stored.width or name.endswith(("social-0.500-0.500.jpg",)), name


def test_content_digest_size_and_format_are_recorded():
    import hashlib

    upload = make_picture("PNG", 50, 20)
    image = store_image(upload, name="chart.png").image
    assert image.sha256 == hashlib.sha256(upload).hexdigest()
    assert (image.format, image.width, image.height) == ("PNG", 50, 20)
    assert image.file_size == image.file.size
    assert image.title == "chart"


def test_the_same_file_twice_reuses_the_first_image():
    upload = make_jpeg(80, 60)
    first = store_image(upload, name="a.jpg")
    files_before = sorted(_stored_files())
    second = store_image(upload, name="copy-of-a.jpg")
    assert first.created and not second.created
    assert second.image.pk == first.image.pk
    assert Image.objects.count() == 1
    assert sorted(_stored_files()) == files_before


def test_a_refused_file_stores_nothing():
    with pytest.raises(ImageRejected):
        store_image(b"<html></html>", name="x.jpg")
    assert Image.objects.count() == 0
    assert _stored_files() == []


def _stored_files():
    found = []

    def walk(folder):
        directories, files = default_storage.listdir(folder)
        found.extend(f"{folder}/{name}".lstrip("/") for name in files)
        for directory in directories:
            walk(f"{folder}/{directory}".lstrip("/"))

    if default_storage.exists(""):
        walk("")
    return found


# --- renditions ---------------------------------------------------------------------------------


def test_rendition_widths_never_upscale():
    assert target_widths(4000) == [320, 640, 960, 1280, 1920]
    assert target_widths(1000) == [320, 640, 960, 1000]
    assert target_widths(200) == [200]


def test_renditions_are_webp_and_jpeg_stored_once_and_known_from_the_row():
    image = store_image(make_jpeg(1400, 700), name="wide.jpg").image
    assert image.renditions["widths"] == [320, 640, 960, 1280, 1400]
    sources = image.rendition_sources()
    assert [width for width, _w, _f in sources] == [320, 640, 960, 1280, 1400]
    for width, webp, fallback in sources:
        for url, image_format in ((webp, "WEBP"), (fallback, "JPEG")):
            with default_storage.open(url.removeprefix("/media/")) as handle, PILImage.open(handle) as picture:
                assert (picture.format, picture.width) == (image_format, width)
                assert picture.height == round(700 * width / 1400)
    reloaded = Image.objects.get(pk=image.pk)
    with CaptureQueriesContext(connection) as queries:
        reloaded.rendition_sources()
        _ = reloaded.social_card_url  # a property: reading it is the test
    assert len(queries) == 0


def test_transparent_pictures_fall_back_to_png():
    image = store_image(make_picture("PNG", 700, 400, mode="RGBA"), name="logo.png").image
    assert image.renditions["fallback_type"] == "image/png"
    assert all(name.endswith(".png") for name in image.renditions["fallback"].values())


def test_animated_gif_is_served_as_it_is():
    frames = [PILImage.new("RGB", (30, 20), colour) for colour in ("red", "blue")]
    buffer = io.BytesIO()
    frames[0].save(buffer, "GIF", save_all=True, append_images=frames[1:], duration=100, loop=0)
    image = store_image(buffer.getvalue(), name="spin.gif").image
    assert image.renditions == {}
    assert 'src="/media/images/' in str(picture_html(image))


def test_social_card_is_1200_by_630_around_the_focal_point():
    assert social_card_box(4000, 3000, (0.5, 0.5)) == (0, 450, 4000, 2550)
    assert social_card_box(4000, 3000, (0.5, 0.0)) == (0, 0, 4000, 2100)
    assert social_card_box(4000, 3000, (0.9, 1.0)) == (0, 900, 4000, 3000)
    assert social_card_box(1000, 1000, (0.1, 0.5))[0] == 0
    upload = make_jpeg(2400, 1800)
    image = store_image(upload, name="big.jpg", focal_point_x=0.5, focal_point_y=0.1).image
    assert "social-0.500-0.100" in image.social_card_url
    with default_storage.open(image.renditions["social"]) as handle, PILImage.open(handle) as card:
        assert card.size == (1200, 630)


def test_focal_point_change_renews_the_social_card():
    from articles.images.library import refresh_social_card

    image = store_image(make_jpeg(1600, 1200), name="f.jpg").image
    old = image.renditions["social"]
    image.focal_point_x, image.focal_point_y = 0.2, 0.8
    refresh_social_card(image)
    image.save()
    assert image.renditions["social"] != old
    assert not default_storage.exists(old)
    assert default_storage.exists(image.renditions["social"])


# --- markup ----------------------------------------------------------------------------------


def test_picture_markup_has_srcset_sizes_dimensions_and_lazy_loading():
    image = store_image(make_jpeg(1300, 650), name="p.jpg", alt_text='发布会现场 "A&B"').image
    html = str(picture_html(image))
    assert html.startswith('<picture><source type="image/webp" srcset="')
    assert re.search(r'srcset="[^"]+320w\.webp 320w, [^"]+ 1300w"', html)
    assert 'type="image/jpeg"' in html
    assert 'width="1300" height="650"' in html
    assert 'loading="lazy"' in html and 'sizes="(max-width: 44rem)' in html
    assert 'alt="发布会现场 &quot;A&amp;B&quot;"' in html
    eager = str(picture_html(image, lazy=False, priority=True))
    assert 'loading="lazy"' not in eager and 'fetchpriority="high"' in eager


def test_remote_images_keep_their_url_without_referrer():
    html = str(picture_html(make_image("https://img.example.com/a.jpg", alt_text="x")))
    assert html == '<img src="https://img.example.com/a.jpg" alt="x" loading="lazy" referrerpolicy="no-referrer">'


def test_body_images_from_the_library_become_responsive_on_save():
    image = store_image(make_jpeg(1000, 500), name="body.jpg", alt_text="库里的说明").image
    body = (
        f'<figure><img src="{image.file.url}" alt="正文里的说明" onerror="alert(1)"><figcaption>图</figcaption></figure>'
        '<p><img src="https://cdn.example.com/remote.jpg"></p>'
    )
    article = make_article("正文图片", body=body)
    assert '<picture><source type="image/webp"' in article.body
    assert 'alt="正文里的说明"' in article.body  # the body's own wording wins
    assert "onerror" not in article.body
    assert '<img src="https://cdn.example.com/remote.jpg" loading="lazy" referrerpolicy="no-referrer">' in article.body
    assert list(BodyImage.objects.filter(article=article).values_list("image_id", flat=True)) == [image.pk]


def test_saving_a_responsive_body_again_changes_nothing():
    image = store_image(make_jpeg(1000, 500), name="again.jpg", alt_text="说明").image
    article = make_article("再次保存", body=f'<p><img src="{image.file.url}"></p>')
    first = article.body
    article.save()
    Article.objects.filter(pk=article.pk).update(body=Article.objects.get(pk=article.pk).body)
    assert Article.objects.get(pk=article.pk).body == first
    assert 'alt="说明"' in first  # the library's text when the body has none


def test_removing_an_image_from_the_body_forgets_the_use():
    image = store_image(make_jpeg(500, 300), name="gone.jpg", alt_text="说明").image
    article = make_article("去掉图片", body=f'<p><img src="{image.file.url}"></p>')
    assert image.usage().count() == 1
    article.body = "<p>没有图片了</p>"
    article.save()
    assert image.usage().count() == 0
    assert Image.objects.unused().filter(pk=image.pk).exists()


def test_responsive_body_ignores_other_sites_and_unknown_files():
    html = '<p><img src="https://evil.example/media/images/x.jpg"><img src="/media/images/none.jpg"></p>'
    assert responsive_body(html) == (html, [])


# --- usage and deletion --------------------------------------------------------------------------


@pytest.mark.parametrize("role", ["hero_image", "thumbnail", "body"])
def test_an_image_in_use_cannot_be_deleted(role):
    image = store_image(make_jpeg(100, 80), name="used.jpg", alt_text="说明").image
    if role == "body":
        article = make_article("用图", body=f'<p><img src="{image.file.url}"></p>')
    else:
        article = make_article("用图", **{role: image})
    assert list(image.usage()) == [article]
    with pytest.raises(ProtectedError):
        image.delete()
    assert Image.objects.filter(pk=image.pk).exists()


def test_a_body_written_by_update_still_protects_its_image():
    image = store_image(make_jpeg(100, 80), name="update.jpg", alt_text="说明").image
    article = make_article("批量改写")
    Article.objects.filter(pk=article.pk).update(body=f'<p><img src="{image.file.url}"></p>')
    with pytest.raises(ProtectedError):
        image.delete()


def test_deleting_an_unused_image_removes_its_files(django_capture_on_commit_callbacks):
    image = store_image(make_jpeg(700, 400), name="unused.jpg").image
    names = [image.file.name, *image.rendition_names()]
    assert all(default_storage.exists(name) for name in names)
    with django_capture_on_commit_callbacks(execute=True):
        image.delete()
    assert not any(default_storage.exists(name) for name in names)


# --- alt text before publishing --------------------------------------------------------------------


def test_publishing_requires_alt_text_on_every_image_it_shows(newsroom_roles):
    from articles.permissions import EDITOR_GROUP

    editor = make_staff("editor", EDITOR_GROUP)
    hero = make_image("https://img.example.com/hero.jpg", alt_text="头图说明")
    body_image = store_image(make_jpeg(100, 80), name="无说明.jpg").image
    article = make_article("待发布", published=False, hero_image=hero, body=f'<p><img src="{body_image.file.url}"></p>')
    with pytest.raises(workflow.WorkflowError) as refused:
        workflow.publish(article, by=editor)
    assert "正文图片“无说明”" in str(refused.value)
    assert Article.objects.get(pk=article.pk).status == Article.Status.DRAFT
    body_image.alt_text = "一张图表"
    body_image.save()
    workflow.publish(article, by=editor)
    assert Article.objects.get(pk=article.pk).is_published


def test_a_body_picture_described_in_the_body_may_be_published(newsroom_roles):
    # The writer typed the description in the figure dialog: readers get it with the picture.
    from articles.permissions import EDITOR_GROUP

    undescribed = store_image(make_jpeg(100, 80), name="刚上传.jpg").image
    article = make_article(
        "正文里写了说明", published=False, body=f'<figure><img src="{undescribed.file.url}" alt="晶圆厂"></figure>'
    )
    assert article.images_missing_alt_text() == []
    assert 'alt="晶圆厂"' in article.body
    workflow.publish(article, by=make_staff("editor", EDITOR_GROUP))
    assert Article.objects.get(pk=article.pk).is_published
    # As hero image the same picture needs the library's description: the page shows that one.
    article.hero_image = undescribed
    assert [role for role, _image in article.images_missing_alt_text()] == ["头图"]


def test_a_thumbnail_without_alt_text_is_named(newsroom_roles):
    from articles.permissions import EDITOR_GROUP

    article = make_article("缩略图", published=False, thumbnail=make_image(title="封面小图"))
    with pytest.raises(workflow.WorkflowError, match="缩略图“封面小图”"):
        workflow.publish(article, by=make_staff("editor", EDITOR_GROUP))


# --- pages ---------------------------------------------------------------------------------------


def test_listing_of_20_articles_with_library_thumbnails_costs_constant_queries(client):
    author = make_author()
    start = timezone.now() - dt.timedelta(days=1)

    def add(count, offset):
        for i in range(count):
            thumb = store_image(make_jpeg(400 + i + offset, 300), name=f"t{i + offset}.jpg", alt_text="缩略").image
            make_article(
                author=author, thumbnail=thumb, hero_image=thumb, published_at=start - dt.timedelta(hours=i + offset)
            )

    def home_queries():
        with CaptureQueriesContext(connection) as queries:
            response = client.get("/")
        assert response.status_code == 200
        return len(queries), response.content.decode()

    add(5, 0)
    few, _html = home_queries()
    add(20, 100)
    many, html = home_queries()
    assert many == few <= 8
    assert html.count("<picture>") == 20
    assert html.count('loading="lazy"') >= 20


def test_article_page_shows_the_hero_as_eager_picture(client):
    hero = store_image(make_jpeg(1600, 900), name="hero.jpg", alt_text="头图说明").image
    article = make_article("头图文章", hero_image=hero)
    html = client.get(article.get_absolute_url()).content.decode()
    figure = html[html.index('<figure class="hero">') : html.index("</figure>")]
    assert "<picture>" in figure and 'fetchpriority="high"' in figure and 'loading="lazy"' not in figure
    assert 'width="1600" height="900"' in figure


def test_the_library_works_on_any_django_storage(settings):
    settings.STORAGES = {**settings.STORAGES, "default": {"BACKEND": "django.core.files.storage.InMemoryStorage"}}
    from django.core.files.storage import default_storage as storage

    image = store_image(make_jpeg(700, 350), name="memory.jpg").image
    assert type(storage._wrapped).__name__ == "InMemoryStorage"
    assert storage.exists(image.file.name)
    assert all(storage.exists(name) for name in image.rendition_names())
    assert "640w.webp 640w" in str(picture_html(image))


def test_a_hero_image_that_opens_the_body_is_not_shown_twice(client):
    hero = store_image(make_jpeg(900, 500), name="twice.jpg", alt_text="头图").image
    article = make_article("头图也在正文", hero_image=hero, body=f'<p><img src="{hero.file.url}"></p><p>正文</p>')
    html = client.get(article.get_absolute_url()).content.decode()
    assert 'class="hero"' not in html
    assert html.count("<picture>") == 1


def test_the_social_card_feeds_og_image(client, settings):
    hero = store_image(make_jpeg(2000, 1500), name="card.jpg", alt_text="头图", focal_point_y=0.2).image
    article = make_article("分享卡片", hero_image=hero)
    html = client.get(article.get_absolute_url()).content.decode()
    og_image = re.search(r'<meta property="og:image" content="([^"]+)"', html).group(1)
    assert og_image == settings.NEWSROOM["SITE_URL"].rstrip("/") + hero.social_card_url
    assert '<meta property="og:image:width" content="1200">' in html
    with default_storage.open(hero.renditions["social"]) as handle, PILImage.open(handle) as card:
        assert card.size == (1200, 630)
