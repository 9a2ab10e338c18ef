"""Saving one mapped legacy article: atomically, and so that running it again changes nothing."""
import datetime as dt
import enum
import os
from dataclasses import dataclass, field
from pathlib import Path

from django.db import transaction

from articles.models import Article, Author, Category, Image

from .frontmatter import LegacyFileError, read_legacy_file
from .mapping import MappingError, map_record

DEFAULT_EXTENSIONS = (".md", ".markdown", ".html", ".htm", ".txt")


class Outcome(enum.Enum):
    CREATED = "created"
    UPDATED = "updated"
    UNCHANGED = "unchanged"
    SKIPPED = "skipped"
    FAILED = "failed"


@dataclass
class FileResult:
    path: Path
    outcome: Outcome
    reason: str = ""
    article: Article | None = None
    warnings: list = field(default_factory=list)


def find_legacy_files(paths, extensions=DEFAULT_EXTENSIONS):
    """Yield (file, root) for each importable file under `paths`, in a stable order.

    Hidden folders and files are skipped, and links are not followed out of the root.
    """
    for given in map(Path, paths):
        if given.is_file():
            yield given, given.parent
            continue
        if not given.is_dir():
            raise FileNotFoundError(f"{given}: no such file or folder")
        root = given.resolve()
        for folder, subfolders, files in os.walk(given):
            subfolders[:] = sorted(d for d in subfolders if not d.startswith("."))
            for name in sorted(files):
                candidate = Path(folder) / name
                if name.startswith(".") or candidate.suffix.lower() not in extensions:
                    continue
                if not candidate.resolve().is_relative_to(root):
                    continue
                yield candidate, given


def import_file(path, root, *, tz, default_author):
    """Import one file in its own transaction and say what happened; never raises for bad input."""
    try:
        record = read_legacy_file(path, root)
        fallback = dt.datetime.fromtimestamp(Path(path).stat().st_mtime, tz=tz)
        values = map_record(record, tz=tz, default_author=default_author, fallback_time=fallback)
    except LegacyFileError as error:
        reason = str(error)
        outcome = Outcome.SKIPPED if reason.startswith("no front matter") else Outcome.FAILED
        return FileResult(Path(path), outcome, reason)
    except MappingError as error:
        return FileResult(Path(path), Outcome.FAILED, str(error))
    except OSError as error:
        return FileResult(Path(path), Outcome.FAILED, f"cannot read: {error.strerror or error}")
    except Exception as error:  # an unforeseen value must fail this file, not the whole run
        reason = f"cannot map: {type(error).__name__}: {error}"
        return FileResult(Path(path), Outcome.FAILED, reason)
    try:
        article, outcome = save_article(values)
    except Exception as error:  # a database refusal of one file must not stop the others
        return FileResult(Path(path), Outcome.FAILED, f"cannot save: {error}", warnings=values.warnings)
    return FileResult(Path(path), outcome, article=article, warnings=values.warnings)


@transaction.atomic
def save_article(values):
    """Create or update the article imported from `values.source_path`; idempotent by content hash."""
    article = Article.objects.filter(source_path=values.source_path).first()
    if article is not None and article.source_hash == values.source_hash:
        return article, Outcome.UNCHANGED
    outcome = Outcome.CREATED if article is None else Outcome.UPDATED
    article = article or Article(source_path=values.source_path)

    article.title = values.title
    article.author, _ = Author.objects.get_or_create(name=values.author_name)
    article.summary = values.summary
    article.body = values.body_html
    article.status = values.status
    article.published_at = values.published_at
    article.allow_comments = values.allow_comments
    article.hero_image = _remote_image(values.hero_image_url)
    article.thumbnail = _remote_image(values.thumbnail_url)
    article.source_hash = values.source_hash
    article.front_matter = values.front_matter
    article.save()

    article.categories.set(
        [Category.objects.get_or_create_path(path) for path in values.category_paths]
    )
    article.tags.set(values.tags)
    return article, outcome


def _remote_image(url):
    if not url:
        return None
    image, _ = Image.objects.get_or_create(source_url=url)
    return image
