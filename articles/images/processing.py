"""Everything an accepted picture needs before it is stored, computed without the database or
storage, so that it can run in any thread (the importer's download threads do): validation,
normalisation and the renditions' bytes.
"""
import hashlib
import io
from dataclasses import dataclass, field

from PIL import Image as PILImage
from PIL import ImageOps

from .renditions import render_renditions
from .validation import ImageInfo, inspect_image

EXIF_ORIENTATION = 0x0112
# Metadata that can carry location, camera serials or editing history. The ICC profile stays:
# it is colour, not information about anyone.
_METADATA_KEYS = ("exif", "xmp", "XML:com.adobe.xmp", "photoshop", "comment", "iptc")
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


def prepare_image(data, *, name="", focal_point=CENTRE, max_bytes=None):
    """The PreparedImage for `data`, or ImageRejected saying why it cannot be in the library."""
    info = inspect_image(data, name=name, max_bytes=max_bytes)
    digest = content_digest(data)
    content, info = normalise(data, info)
    renditions, files = render_renditions(content, info, digest, focal_point)
    return PreparedImage(digest, info, content, tuple(focal_point), renditions, files)


def normalise(data, info):
    """The file content to store for `data`: upright (EXIF orientation applied) and without
    metadata, with the ImageInfo of that content.

    JPEG is always rewritten, keeping its quantisation tables ("keep") when it needs no
    rotation, so that the copy is as good as the upload; other formats are rewritten only
    when they carry metadata or need rotating, since their pixels say nothing else.
    """
    with PILImage.open(io.BytesIO(data)) as picture:
        exif = picture.getexif()
        orientation = exif.get(EXIF_ORIENTATION, 1)
        carries_metadata = bool(exif) or any(picture.info.get(key) for key in _METADATA_KEYS)
        rotate = orientation not in (1, None)
        if info.format != "JPEG" and not carries_metadata and not rotate:
            return data, info
        icc = {"icc_profile": picture.info["icc_profile"]} if picture.info.get("icc_profile") else {}
        buffer = io.BytesIO()
        if info.animated:
            # Frames are written again without the metadata; orientation is not a thing in GIF.
            picture.save(buffer, info.format, save_all=True, **icc)
        elif info.format == "JPEG" and not rotate:
            # No Huffman optimisation: readers get the renditions, and it costs a third of the time.
            picture.save(buffer, "JPEG", quality="keep", comment=b"", **icc)
        else:
            upright = ImageOps.exif_transpose(picture)
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
