"""Pictures made to hurt: animations that decode to billions of pixels, metadata that would be
published, and files that are a picture and something else at once. Each is refused or cleaned
before anything is stored (the files are made by the tests, never committed)."""

import io
import struct
import time

import pytest
from django.core.files.storage import default_storage
from PIL import Image as PILImage
from PIL import PngImagePlugin

from articles.images.library import store_image
from articles.images.processing import prepare_image
from articles.images.validation import ImageRejected, gif_frame_count, inspect_image
from articles.tests.pictures import make_jpeg

SECRET = b"SECRET-METADATA"


def gif_with_frames(width, height, frames):
    """A GIF of `frames` 1×1 frames on a `width`×`height` canvas, written block by block (a
    Pillow-made one would need the whole canvas in memory for every frame)."""
    header = b"GIF89a" + struct.pack("<HHBBB", width, height, 0x80, 0, 0) + b"\x00\x00\x00\xff\xff\xff"
    frame = b"\x2c" + struct.pack("<HHHHB", 0, 0, 1, 1, 0) + b"\x02\x02\x44\x01\x00"
    return header + frame * frames + b"\x3b"


def files_of(image):
    names = [image.file.name, *image.rendition_names()]
    return {name: default_storage.open(name).read() for name in names}


# --- Animations ---------------------------------------------------------------------------------


def test_frames_are_counted_without_decoding_them():
    assert gif_frame_count(gif_with_frames(10, 10, 7), limit=1000) == 7
    assert gif_frame_count(gif_with_frames(10, 10, 5000), limit=100) == 100  # stops at the limit


def test_thousands_of_frames_on_a_large_canvas_are_refused():
    # 6000×6000 passes the pixel limit one frame at a time; 10,000 frames decode to 360 billion.
    bomb = gif_with_frames(6000, 6000, 10_000)
    with pytest.raises(ImageRejected, match="帧"):
        inspect_image(bomb, name="bomb.gif")


def test_a_small_animation_is_taken_whole(db):
    frames = [PILImage.new("RGB", (40, 30), (colour, 255 - colour, 90)) for colour in range(0, 200, 20)]
    buffer = io.BytesIO()
    frames[0].save(buffer, "GIF", save_all=True, append_images=frames[1:], duration=80, loop=0)
    info = inspect_image(buffer.getvalue(), name="ok.gif")
    assert info.animated
    stored = store_image(buffer.getvalue(), name="ok.gif").image
    with PILImage.open(default_storage.open(stored.file.name)) as picture:
        assert picture.n_frames == len(frames)


# --- Metadata -----------------------------------------------------------------------------------


def test_png_text_chunks_are_not_kept(db):
    text = PngImagePlugin.PngInfo()
    text.add_text("Author", SECRET.decode())
    text.add_itxt("Description", SECRET.decode())
    text.add_text("Comment", SECRET.decode(), zip=True)
    buffer = io.BytesIO()
    PILImage.new("RGB", (300, 200), "navy").save(buffer, "PNG", pnginfo=text)
    assert SECRET in buffer.getvalue() or b"Comment" in buffer.getvalue()
    image = store_image(buffer.getvalue(), name="text.png").image
    assert all(SECRET not in content for content in files_of(image).values())


def test_a_gif_comment_reaches_neither_the_file_nor_the_renditions_nor_the_card(db):
    buffer = io.BytesIO()
    PILImage.new("P", (700, 400), 3).save(buffer, "GIF", comment=SECRET)
    assert SECRET in buffer.getvalue()
    image = store_image(buffer.getvalue(), name="comment.gif").image
    stored = files_of(image)
    assert image.renditions.get("social") in stored  # the card is among them
    assert all(SECRET not in content for content in stored.values())


def test_a_jpeg_comment_is_not_kept(db):
    image = store_image(make_jpeg(700, 400, comment=SECRET), name="comment.jpg").image
    assert all(SECRET not in content for content in files_of(image).values())


# --- Polyglots ----------------------------------------------------------------------------------


@pytest.mark.parametrize("image_format", ["GIF", "PNG", "JPEG", "WEBP"])
def test_what_follows_the_picture_is_not_stored(db, image_format):
    buffer = io.BytesIO()
    PILImage.new("RGB", (120, 90), "teal").save(buffer, image_format)
    polyglot = buffer.getvalue() + b"<script>alert(document.cookie)</script>"
    image = store_image(polyglot, name=f"polyglot.{image_format.lower()}").image
    assert all(b"<script>" not in content for content in files_of(image).values())


# --- Time -----------------------------------------------------------------------------------------


def test_processing_stops_at_the_deadline():
    with pytest.raises(ImageRejected, match="时限"):
        prepare_image(make_jpeg(200, 100), name="late.jpg", deadline=time.monotonic() - 1)
