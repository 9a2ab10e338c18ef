"""Renditions: the scaled copies a browser picks from, and the social card.

Pure image work, no database and no storage: `render_renditions()` returns the bytes of every
rendition and the layout recorded on the image row; articles.images.library writes them to
default storage (STORAGES["default"], local or S3-compatible).
"""

import io
import os
from concurrent.futures import ThreadPoolExecutor

from django.conf import settings
from PIL import Image as PILImage

WEBP = "image/webp"
JPEG = "image/jpeg"
PNG = "image/png"


def target_widths(width):
    """The rendition widths for a picture `width` pixels wide: never wider than the original."""
    widths = settings.NEWSROOM_IMAGES["RENDITION_WIDTHS"]
    largest = max(widths)
    return sorted({w for w in widths if w < width} | {min(width, largest)})


def social_card_box(width, height, focal_point, card_size=None):
    """The crop (left, top, right, bottom) of the card's aspect ratio, centred on the focal point
    as far as the picture allows."""
    card_w, card_h = card_size or settings.NEWSROOM_IMAGES["SOCIAL_CARD_SIZE"]
    ratio = card_w / card_h
    if width / height > ratio:
        crop_w, crop_h = round(height * ratio), height
    else:
        crop_w, crop_h = width, round(width / ratio)
    fx, fy = focal_point
    left = min(max(round(fx * width - crop_w / 2), 0), width - crop_w)
    top = min(max(round(fy * height - crop_h / 2), 0), height - crop_h)
    return left, top, left + crop_w, top + crop_h


def folder_for(sha256):
    return f"renditions/{sha256[:2]}/{sha256}"


def social_card_name(sha256, focal_point):
    # The focal point is in the name: a new crop is a new URL, so no cache serves the old one.
    fx, fy = focal_point
    return f"{folder_for(sha256)}/social-{fx:.3f}-{fy:.3f}.jpg"


def render_renditions(content, info, sha256, focal_point):
    """(layout for Image.renditions, {storage name: bytes}) for the picture `content`.

    Animated pictures get none: scaling would keep only their first frame.
    """
    if info.animated:
        return {}, {}
    options = settings.NEWSROOM_IMAGES
    folder = folder_for(sha256)
    with PILImage.open(io.BytesIO(content)) as picture:
        widths = target_widths(picture.width)
        # JPEG can decode at 1/2, 1/4, 1/8 scale for free; ask for no less than the largest need.
        largest = widths[-1]
        picture.draft("RGB", (largest, round(picture.height * largest / picture.width)))
        has_alpha = picture.mode in ("RGBA", "LA", "PA") or "transparency" in picture.info
        picture = picture.convert("RGBA" if has_alpha else "RGB")
        # The copy carries the original's info (a GIF's comment, EXIF …), which encoders write
        # into what they make from it: renditions and the social card carry none.
        picture.info.clear()
    fallback_type = PNG if has_alpha else JPEG
    width, height = picture.size
    layout = {"widths": widths, "webp": {}, "fallback": {}, "fallback_type": fallback_type}
    jobs = {}  # storage name: (picture, format, options)
    source = picture
    for target in reversed(widths):
        size = (target, max(1, round(height * target / width)))
        # Scaling each size from the next larger one is as sharp and much faster than from the
        # original every time.
        scaled = source if source.size == size else source.resize(size, PILImage.LANCZOS, reducing_gap=3.0)
        source = scaled
        name = f"{folder}/{target}w.webp"
        jobs[name] = (scaled, "WEBP", {"quality": options["WEBP_QUALITY"], "method": options["WEBP_METHOD"]})
        layout["webp"][str(target)] = name
        if fallback_type == PNG:
            name = f"{folder}/{target}w.png"
            jobs[name] = (scaled, "PNG", {})
        else:
            name = f"{folder}/{target}w.jpg"
            jobs[name] = (scaled, "JPEG", {"quality": options["JPEG_QUALITY"], "optimize": True, "progressive": True})
        layout["fallback"][str(target)] = name
    # Encoding is most of the work and Pillow releases the GIL while it encodes: one thread a core.
    with ThreadPoolExecutor(max_workers=os.cpu_count() or 1) as pool:
        social = pool.submit(render_social_card, picture, sha256, focal_point)
        encoded = {name: pool.submit(_encode, *job[:2], **job[2]) for name, job in jobs.items()}
        files = {name: future.result() for name, future in encoded.items()}
        name, files[name] = social.result()
    layout["social"] = name
    return layout, files


def render_social_card(picture, sha256, focal_point):
    """(storage name, JPEG bytes) of the 1200×630 card cropped around the focal point; a picture
    smaller than the card is cropped but never enlarged."""
    card_size = settings.NEWSROOM_IMAGES["SOCIAL_CARD_SIZE"]
    card = picture.crop(social_card_box(picture.width, picture.height, focal_point, card_size))
    card.info.clear()  # nothing of the original's metadata goes out with the card
    if card.width > card_size[0]:
        card = card.resize(card_size, PILImage.LANCZOS, reducing_gap=3.0)
    if card.mode != "RGB":
        # Social networks flatten transparency onto black; white reads better for a newsroom.
        background = PILImage.new("RGB", card.size, "white")
        background.paste(card, mask=card.getchannel("A") if "A" in card.getbands() else None)
        card = background
    jpeg = _encode(card, "JPEG", quality=settings.NEWSROOM_IMAGES["JPEG_QUALITY"], optimize=True)
    return social_card_name(sha256, focal_point), jpeg


def _encode(picture, image_format, **options):
    buffer = io.BytesIO()
    picture.save(buffer, image_format, **options)
    return buffer.getvalue()
