"""The way into the image library: deduplicate, store, record.

Uploads in the admin, files copied from a legacy archive and downloaded legacy images all go
through `store_image()`, so every library file has been checked by Pillow, has its metadata
stripped and its renditions made (articles.images.processing), and is stored once however
often it arrives.
"""

import errno
import os
from dataclasses import dataclass

from django.core.files.base import ContentFile
from django.core.files.storage import default_storage
from django.db import IntegrityError, transaction
from PIL import Image as PILImage

from articles.models import Image

from .processing import content_digest, prepare_image
from .renditions import render_social_card

__all__ = ["StorageFull", "StoredImage", "content_digest", "find_duplicate", "refresh_social_card", "store_image"]


STORAGE_FULL_MESSAGE = "磁盘已满，图片没有保存（No space left on device）。请联系管理员腾出空间后重试。"


class StorageFull(OSError):
    """The media storage has no room left: nothing of the picture was kept."""


@dataclass(frozen=True)
class StoredImage:
    image: Image
    created: bool  # False when the same content was already in the library


def find_duplicate(digest):
    """The library image whose content has this SHA-256, if any."""
    return Image.objects.stored().filter(sha256=digest).first()


def store_image(data=None, *, name, prepared=None, image=None, stored_files=None, **fields):
    """Put the picture `data` (uploaded as `name`, or already `prepared`) into the library.

    Raises ImageRejected when it is not a picture the library takes. When the same content is
    already stored, returns that image (created=False) and writes nothing. Otherwise fills
    `image` (an existing row without a file, such as a remote legacy image) or a new Image with
    `fields`, stores the normalised file and its renditions, and saves the row. Every storage
    name written is appended to `stored_files`, so that a caller whose transaction fails can
    remove them; without that list, a failure here removes them itself.
    """
    digest = prepared.sha256 if prepared is not None else content_digest(data)
    existing = find_duplicate(digest)
    if existing is not None:
        return StoredImage(existing, created=False)

    image = image if image is not None else Image(**fields)
    focal_point = tuple(image.focal_point)
    if prepared is None or tuple(prepared.focal_point) != focal_point:
        prepared = prepare_image(data if data is not None else prepared.content, name=name, focal_point=focal_point)

    written = []
    try:
        with transaction.atomic():
            image.sha256 = prepared.sha256
            image.format = prepared.info.format
            image.file_size = len(prepared.content)
            if not image.title:
                image.title = _title_from(name)
            image.file.save(_file_name(name, prepared.info), ContentFile(prepared.content), save=False)
            written.append(image.file.name)
            # After file.save(), which resets the dimension fields from the new file name.
            image.width, image.height = prepared.info.width, prepared.info.height
            _write(prepared.files, written)
            image.renditions = prepared.renditions
            image.save()
    except IntegrityError:
        # Someone stored the same picture a moment ago: use theirs.
        delete_names(written)
        existing = find_duplicate(digest)
        if existing is None:
            raise
        return StoredImage(existing, created=False)
    except BaseException as error:
        if stored_files is None:
            delete_names(written)
        else:
            stored_files.extend(written)
        if isinstance(error, OSError) and error.errno in (errno.ENOSPC, errno.EDQUOT):
            raise StorageFull(error.errno, STORAGE_FULL_MESSAGE) from error
        raise
    if stored_files is not None:
        stored_files.extend(written)
    return StoredImage(image, created=True)


def refresh_social_card(image):
    """Re-crop the social card after the focal point moved; removes the card it replaces."""
    if not image.file or not image.renditions.get("social"):
        return
    old = image.renditions["social"]
    # The stored file is upright already: normalise() applied its orientation on the way in.
    with image.file.open("rb") as handle, PILImage.open(handle) as picture:
        picture = picture.convert("RGBA" if picture.mode in ("RGBA", "LA", "PA") else "RGB")
        name, card = render_social_card(picture, image.sha256, tuple(image.focal_point))
    _write({name: card}, [])
    image.renditions = {**image.renditions, "social": name}
    if name != old:
        delete_names([old])


def delete_names(names):
    """Remove stored files by name; a file already gone is no error."""
    for name in names:
        if name:
            default_storage.delete(name)


def _write(files, written):
    """Store `files` ({name: bytes}) under exactly those names, appending each to `written`."""
    for name, content in files.items():
        if default_storage.exists(name):
            # A rendition's name holds the content's digest: an existing file is this one.
            continue
        saved = default_storage.save(name, ContentFile(content))
        if saved == name:
            written.append(saved)
        else:
            # Another process stored the same content under this name a moment ago.
            default_storage.delete(saved)


def _title_from(name):
    stem = os.path.splitext(os.path.basename(name))[0]
    return stem.replace("_", " ").replace("-", " ").strip()[:300]


def _file_name(name, info):
    """A storage file name for the upload: its own stem, the extension of its real format."""
    stem = os.path.splitext(os.path.basename(name))[0].strip() or "image"
    return f"{stem[:80]}{info.extension}"
