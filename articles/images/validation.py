"""What the library accepts as a picture: checked with Pillow before anything is stored.

`inspect_image(data, name=...)` is the single gate for uploads, imported files and downloads.
"""

import io
import os
import warnings
from dataclasses import dataclass

from django.conf import settings
from PIL import Image as PILImage
from PIL import features

# Pillow format name: (file name extensions that may carry it, MIME type).
WEB_FORMATS = {
    "JPEG": ((".jpg", ".jpeg", ".jpe", ".jfif"), "image/jpeg"),
    "PNG": ((".png",), "image/png"),
    "GIF": ((".gif",), "image/gif"),
    "WEBP": ((".webp",), "image/webp"),
}
if features.check("avif"):
    WEB_FORMATS["AVIF"] = ((".avif",), "image/avif")

# Extensions that name a known non-web or dangerous format, refused whatever the content.
_REFUSED_EXTENSIONS = {
    ".svg": "SVG", ".svgz": "SVG", ".html": "HTML", ".htm": "HTML", ".xhtml": "HTML",
    ".pdf": "PDF", ".tif": "TIFF", ".tiff": "TIFF", ".bmp": "BMP", ".ico": "ICO", ".psd": "PSD",
}  # fmt: skip

_IMAGE_EXTENSIONS = {ext for exts, _mime in WEB_FORMATS.values() for ext in exts}


class ImageRejected(ValueError):
    """A file that is not a picture the library can take; the message says why, for people."""


@dataclass(frozen=True)
class ImageInfo:
    format: str  # Pillow's name: JPEG, PNG, GIF, WEBP, AVIF
    width: int
    height: int
    animated: bool

    @property
    def mime_type(self):
        return WEB_FORMATS[self.format][1]

    @property
    def extension(self):
        return WEB_FORMATS[self.format][0][0]


def accepted_formats_text():
    return "、".join(WEB_FORMATS)


def inspect_image(data, *, name="", max_bytes=None, max_pixels=None):
    """The facts about `data` as a picture, or ImageRejected saying why it cannot be one.

    Refuses files over `max_bytes`, pictures over `max_pixels` (decompression bombs), formats
    other than WEB_FORMATS, truncated or corrupt data, and a name whose extension promises
    another format than the content has. A name without a known extension (many legacy CDN
    URLs have none) is judged by its content alone.
    """
    limits = settings.NEWSROOM_IMAGES
    max_bytes = limits["MAX_BYTES"] if max_bytes is None else max_bytes
    max_pixels = limits["MAX_PIXELS"] if max_pixels is None else max_pixels
    max_animation_pixels = limits.get("MAX_ANIMATION_PIXELS", 200_000_000)
    label = f"“{name}”" if name else "该文件"
    extension = os.path.splitext(name.lower())[1]

    if extension in _REFUSED_EXTENSIONS:
        raise ImageRejected(
            f"{label}是 {_REFUSED_EXTENSIONS[extension]} 文件，图片库只接受 {accepted_formats_text()} 图片。"
        )
    if not data:
        raise ImageRejected(f"{label}是空文件。")
    if len(data) > max_bytes:
        raise ImageRejected(f"{label}有 {_megabytes(len(data))}，超过了 {_megabytes(max_bytes)} 的上限。")
    sniffed = _sniff_non_image(data)
    if sniffed:
        raise ImageRejected(f"{label}的内容是 {sniffed}，不是图片。")

    try:
        with warnings.catch_warnings():
            # Pillow warns (and only warns) between MAX_IMAGE_PIXELS and twice that; our own
            # limit below is the rule, so its warning is noise here.
            warnings.simplefilter("ignore", PILImage.DecompressionBombWarning)
            picture = PILImage.open(io.BytesIO(data), formats=list(WEB_FORMATS))
    except PILImage.DecompressionBombError:
        raise ImageRejected(f"{label}的像素数超过了 {_megapixels(max_pixels)} 的上限。") from None
    except (OSError, SyntaxError, ValueError):
        raise ImageRejected(f"{label}不是可读的图片（只接受 {accepted_formats_text()}），或文件已损坏。") from None

    with picture:
        width, height = picture.size
        image_format = picture.format
        if width * height > max_pixels:
            raise ImageRejected(
                f"{label}有 {width}×{height} 像素（{_megapixels(width * height)}），"
                f"超过了 {_megapixels(max_pixels)} 的上限。"
            )
        if extension in _IMAGE_EXTENSIONS and extension not in WEB_FORMATS[image_format][0]:
            raise ImageRejected(f"{label}的扩展名是 {extension}，但内容是 {image_format} 图片；请改正扩展名后再上传。")
        animated = getattr(picture, "is_animated", False)
        frames = frame_count(data, picture, limit=max_animation_pixels // max(1, width * height) + 1)
        if frames * width * height > max_animation_pixels:
            raise ImageRejected(
                f"{label}是 {frames} 帧以上的 {width}×{height} 动画（逐帧解码共 "
                f"{_megapixels(frames * width * height)}），超过了 {_megapixels(max_animation_pixels)} 的上限。"
            )
        try:
            # Decoding the whole picture is what finds truncated and corrupt data; the pixel
            # check above keeps this bounded. Animated pictures are decoded frame by frame.
            for frame in range(frames if animated else 1):
                picture.seek(frame)
                picture.load()
        except (OSError, SyntaxError, ValueError, EOFError):
            raise ImageRejected(f"{label}已损坏或不完整，无法解码。") from None
    return ImageInfo(format=image_format, width=width, height=height, animated=animated)


def frame_count(data, picture, *, limit):
    """How many frames `picture` (opened from `data`) has, counting no further than `limit`.

    A GIF's frames are counted by walking its blocks, which reads each frame's header and skips
    its pixels: Pillow's own count seeks frame by frame, which for thousands of frames on a
    large canvas is what the limit is there to avoid.
    """
    if picture.format != "GIF":
        return getattr(picture, "n_frames", 1)
    return gif_frame_count(data, limit=limit)


def gif_frame_count(data, *, limit):
    """Frames in the GIF `data` (image descriptors), up to `limit`; linear in the file's size."""
    if len(data) < 13:
        return 1
    position = 13
    flags = data[10]
    if flags & 0x80:  # a global colour table follows the screen descriptor
        position += 3 * (2 ** ((flags & 0x07) + 1))
    frames = 0
    while position < len(data) and frames < limit:
        block = data[position]
        if block == 0x2C:  # an image: its descriptor, a local colour table, then data sub-blocks
            frames += 1
            if position + 10 > len(data):
                break
            local = data[position + 9]
            position += 10
            if local & 0x80:
                position += 3 * (2 ** ((local & 0x07) + 1))
            position += 1  # LZW minimum code size
            position = _skip_sub_blocks(data, position)
        elif block == 0x21:  # an extension: its label, then sub-blocks
            position = _skip_sub_blocks(data, position + 2)
        else:  # the trailer (0x3B), or data that is not GIF any more
            break
    return max(frames, 1)


def _skip_sub_blocks(data, position):
    while position < len(data):
        size = data[position]
        position += 1 + size
        if size == 0:
            break
    return position


def _sniff_non_image(data):
    """Names a text or document format `data` starts with (what a renamed file would hide)."""
    head = data[:512].lstrip(b"\xef\xbb\xbf \t\r\n").lower()
    if head.startswith(b"%pdf"):
        return "PDF"
    if head.startswith((b"<svg", b"<?xml")) and b"<svg" in data[:4096].lower():
        return "SVG"
    if head.startswith((b"<!doctype html", b"<html", b"<head", b"<body", b"<script", b"<")):
        return "HTML"
    return None


def _megabytes(size):
    return f"{size / (1024 * 1024):.1f} MB"


def _megapixels(pixels):
    return f"{pixels / 1_000_000:.0f} 百万像素" if pixels >= 1_000_000 else f"{pixels} 像素"
