"""Real picture files for tests, made with Pillow in memory: tiny unless the size is the point.

`make_jpeg(64, 48, exif=camera_exif(orientation=6))` is a phone photo taken sideways, with a
location; `decompression_bomb_png()` is a small file that decodes to more pixels than allowed.
"""

import functools
import io

from django.core.files.uploadedfile import SimpleUploadedFile
from PIL import ExifTags
from PIL import Image as PILImage

MIME_TYPES = {
    "JPEG": "image/jpeg",
    "PNG": "image/png",
    "GIF": "image/gif",
    "WEBP": "image/webp",
    "AVIF": "image/avif",
}
EXTENSIONS = {"JPEG": "jpg", "PNG": "png", "GIF": "gif", "WEBP": "webp", "AVIF": "avif"}

# A PDF as small as a reader accepts, and an SVG that would run script if served as-is.
PDF = b"%PDF-1.4\n1 0 obj<</Type/Catalog/Pages 2 0 R>>endobj\ntrailer<</Root 1 0 R>>\n%%EOF\n"
SVG = b'<svg xmlns="http://www.w3.org/2000/svg" onload="alert(1)"><rect width="4" height="4"/></svg>'
HTML = b"<!DOCTYPE html><html><body><script>alert(1)</script></body></html>"


def camera_exif(*, orientation=None, gps=True, camera="Newsroom Test Camera"):
    """EXIF as a phone writes it: camera model, optionally an orientation and a GPS position."""
    exif = PILImage.Exif()
    exif[ExifTags.Base.Make] = camera
    exif[ExifTags.Base.Model] = f"{camera} Pro"
    if orientation is not None:
        exif[ExifTags.Base.Orientation] = orientation
    if gps:
        exif[ExifTags.Base.GPSInfo] = {
            ExifTags.GPS.GPSLatitudeRef: "N",
            ExifTags.GPS.GPSLatitude: (39.0, 54.0, 27.0),
            ExifTags.GPS.GPSLongitudeRef: "E",
            ExifTags.GPS.GPSLongitude: (116.0, 23.0, 50.0),
        }
    return exif


def make_picture(image_format, width=64, height=48, *, mode=None, colour=(200, 60, 30), **options):
    """The bytes of a `width`×`height` picture in `image_format` (a Pillow format name).

    The left half is `colour` and the right half white, so that a rotation or a crop shows.
    `options` go to Pillow's save() (exif=..., quality=..., save_all=...).
    """
    mode = mode or ("P" if image_format == "GIF" else "RGB")
    picture = PILImage.new("RGB", (width, height), "white")
    picture.paste(colour, (0, 0, max(1, width // 2), height))
    if mode != "RGB":
        picture = picture.convert(mode)
    if "exif" in options and hasattr(options["exif"], "tobytes"):
        options["exif"] = options["exif"].tobytes()
    buffer = io.BytesIO()
    picture.save(buffer, image_format, **options)
    return buffer.getvalue()


def make_jpeg(width=64, height=48, **options):
    return make_picture("JPEG", width, height, **options)


def make_png(width=64, height=48, **options):
    return make_picture("PNG", width, height, **options)


def make_gif(width=64, height=48, **options):
    return make_picture("GIF", width, height, **options)


def make_webp(width=64, height=48, **options):
    return make_picture("WEBP", width, height, **options)


def make_avif(width=64, height=48, **options):
    return make_picture("AVIF", width, height, **options)


def noisy_jpeg(width, height, *, seed=0):
    """A JPEG that does not compress well (random pixels): for tests about file size."""
    import random

    generator = random.Random(seed)
    picture = PILImage.frombytes("RGB", (width, height), generator.randbytes(width * height * 3))
    buffer = io.BytesIO()
    picture.save(buffer, "JPEG", quality=95)
    return buffer.getvalue()


@functools.cache
def decompression_bomb_png(width=8000, height=6000):
    """A 1-bit PNG of a few kilobytes that decodes to `width`×`height` pixels (48 MP by default)."""
    buffer = io.BytesIO()
    PILImage.new("1", (width, height)).save(buffer, "PNG", optimize=True)
    return buffer.getvalue()


def truncated(data, keep=0.5):
    """The first `keep` part of `data`: what an interrupted upload leaves."""
    return data[: max(1, int(len(data) * keep))]


def upload(name, data, content_type="application/octet-stream"):
    """`data` as a browser would upload it under the file name `name`."""
    return SimpleUploadedFile(name, data, content_type=content_type)


def opened(data_or_file):
    """A Pillow image of bytes or of a stored file (read whole, so the file can be closed)."""
    if hasattr(data_or_file, "open"):
        with data_or_file.open("rb") as handle:
            data_or_file = handle.read()
    picture = PILImage.open(io.BytesIO(data_or_file))
    picture.load()
    return picture
