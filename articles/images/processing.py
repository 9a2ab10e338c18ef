"""Everything an accepted picture needs before it is stored, computed without the database or
storage, so that it can run in any thread (the importer's download threads do): validation,
normalisation and the renditions' bytes.
"""

import hashlib
import io
import time
from dataclasses import dataclass, field

from PIL import Image as PILImage
from PIL import ImageOps

from .renditions import render_renditions
from .validation import ImageInfo, ImageRejected, inspect_image

EXIF_ORIENTATION = 0x0112
# Metadata (location, camera serials, editing history, comments) never reaches the library: every
# file is written again without it. The ICC profile stays: it is colour, not about anyone.
CENTRE = (0.5, 0.5)


@dataclass(frozen=True)
class PreparedImage:
    """A picture ready for the library: its digest, the file to store and its renditions."""

    sha256: str  # of the bytes as they arrived: the same upload again is recognised
    info: ImageInfo  # of the normalised content
    content: bytes
    focal_point: tuple
    renditions: dict = field(default_factory=dict)  # the layout for Image.renditions
    files: dict = field(default_factory=dict, repr=False)  # {storage name: bytes}


def content_digest(data):
    return hashlib.sha256(data).hexdigest()


def prepare_image(data, *, name="", focal_point=CENTRE, max_bytes=None, deadline=None):
    """The PreparedImage for `data`, or ImageRejected saying why it cannot be in the library.

    `deadline` (a time.monotonic() value) bounds the whole of it, downloads' processing too:
    each step is bounded by the pixel limits, and none starts once the time is up.
    """
    info = inspect_image(data, name=name, max_bytes=max_bytes)
    _check(deadline, name)
    digest = content_digest(data)
    content, info = normalise(data, info)
    _check(deadline, name)
    renditions, files = render_renditions(content, info, digest, focal_point)
    return PreparedImage(digest, info, content, tuple(focal_point), renditions, files)


def _check(deadline, name):
    if deadline is not None and time.monotonic() > deadline:
        raise ImageRejected(f"“{name or '该图片'}”的处理超过了时限。")


def normalise(data, info):
    """The file content to store for `data`: upright (EXIF orientation applied), re-encoded
    without metadata, with the ImageInfo of that content.

    Every picture is written again, whatever its format: a file's text chunks (PNG tEXt, iTXt,
    zTXt), comments (GIF, JPEG), EXIF and XMP stay behind, and so does anything appended after
    the picture's end (a GIF that is also a script). JPEG keeps its quantisation tables
    ("keep") when it needs no rotation, so that the copy is as good as the upload.
    """
    with PILImage.open(io.BytesIO(data)) as picture:
        exif = picture.getexif()
        orientation = exif.get(EXIF_ORIENTATION, 1)
        rotate = orientation not in (1, None)
        icc = {"icc_profile": picture.info["icc_profile"]} if picture.info.get("icc_profile") else {}
        buffer = io.BytesIO()
        if info.animated or info.format == "GIF":
            # Frames are written again without the metadata; orientation is not a thing in GIF.
            # Pillow would copy the comment over from the file it read: an empty one is none.
            options = {"comment": b""} if info.format == "GIF" else {}
            picture.save(buffer, info.format, save_all=info.animated, **options, **icc)
        elif info.format == "JPEG" and not rotate:
            # No Huffman optimisation: readers get the renditions, and it costs a third of the time.
            picture.save(buffer, "JPEG", quality="keep", comment=b"", **icc)
        else:
            upright = ImageOps.exif_transpose(picture) if rotate else picture
            options = dict(icc)
            if info.format == "JPEG":
                options.update(quality=92, optimize=True, comment=b"")
            elif info.format in ("WEBP", "AVIF"):
                options.update(quality=90)
            upright.save(buffer, info.format, **options)
        content = buffer.getvalue()
    with PILImage.open(io.BytesIO(content)) as stored:
        width, height = stored.size
    return content, ImageInfo(format=info.format, width=width, height=height, animated=info.animated)
