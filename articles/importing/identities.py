"""Which stored article a legacy file is: never one of another archive.

An article is found by its identity (archive, path inside the archive), or, within the same
archive, by its front-matter id when its old file is gone; else a file may adopt an article
imported before archives were recorded, by the rule `PreArchive` states. Collisions are told
as warnings or refusals, never merged. The importer holds one `KnownArticles` for a run.
"""

import collections

from articles.models import Article

from .archive import describe, pre_archive_paths
from .report import IDENTITY, warning


def identity_of(file, values):
    """The identity the article of `file` has: the archive and path an exported file names as its
    origin (export_frontmatter writes them), else the file's own, in its archive."""
    if values is not None and values.names_its_origin:
        return values.source_archive, values.source_path
    return file.identity


class KnownArticles:
    """What the database holds of imported articles, by identity, kept up to date during a run.

    One query up front, then a dictionary: unchanged files are recognised without parsing or
    querying, and each article is named in a report without another query.
    """

    def __init__(self):
        self.by_identity = {}  # (archive, path) -> enough of an Article to report it
        self.pre_archive = PreArchive()
        self.id_owners = collections.defaultdict(list)  # front-matter id -> [(archive, path)]
        rows = Article.objects.exclude(source_path="").values_list(
            "source_archive",
            "source_path",
            "pk",
            "source_hash",
            "slug",
            "published_at",
            "created_at",
            "title",
            "source_id",
        )
        for archive, path, pk, source_hash, slug, published_at, created_at, title, source_id in rows:
            article = Article(
                pk=pk,
                source_archive=archive,
                source_path=path,
                source_hash=source_hash,
                slug=slug,
                published_at=published_at,
                created_at=created_at,
                title=title,
                source_id=source_id,
            )
            if archive:
                self.by_identity[archive, path] = article
            else:
                self.pre_archive.articles[path] = article
            if source_id:
                self.id_owners[source_id].append((archive, path))
        self.hashes = {identity: article.source_hash for identity, article in self.by_identity.items()}
        self._first_with = {}
        self._later_twin = {}
        self._ids_this_run = {}

    def survey(self, files):
        """Learn, before anything is saved, which files of the run share an identity, and which
        match each article imported before archives were recorded."""
        self._first_with, self._later_twin, self._ids_this_run = {}, {}, {}
        for file in files:
            first = self._first_with.setdefault(file.identity, file)
            if first != file:
                self._later_twin.setdefault(first, file)
        self.pre_archive.survey(files)

    def first_with_identity(self, file):
        """The file of this run that has `file`'s identity first, when it is another one."""
        first = self._first_with.get(file.identity, file)
        return None if first == file else first  # by value: workers send back copies

    def later_with_identity(self, file):
        """A later file of this run with `file`'s identity (refused), or None."""
        return self._later_twin.get(file)

    def get(self, identity):
        return self.by_identity.get(identity)

    def find(self, values, file):
        """The article `file` updates, or None for a new one; never an article of another archive."""
        known = self.by_identity.get(identity_of(file, values))
        if known is not None:
            found = Article.objects.filter(pk=known.pk).first()
            if found is not None:
                return found
        if values.names_its_origin:
            # An exported file names its article: that one, or a new one where it is gone.
            archive, path = identity_of(file, values)
            return Article.objects.filter(source_archive=archive, source_path=path).first()
        if values.source_id:
            # A moved or renamed file keeps its article through the id in its front matter. Ids
            # are not unique in real archives (translations share an `abbrlink`), so the id only
            # counts when the file the article came from is gone.
            archive = file.archive
            for candidate in Article.objects.filter(source_archive=archive.name, source_id=values.source_id):
                if not (archive.root / candidate.source_path).exists():
                    return candidate
        return self.pre_archive.adopted_by(values, file)

    def warn_about_shared_id(self, values, file):
        """A new article whose front-matter id another file or article has is named, never merged."""
        if not values.source_id:
            return
        archive = file.archive.name
        earlier = self._ids_this_run.setdefault((archive, values.source_id), file)
        if earlier != file:
            values.warnings.append(
                warning(
                    IDENTITY,
                    f"id {values.source_id!r} is also the id of {earlier.path} in this run; "
                    "each file keeps its own article",
                )
            )
        elsewhere = next((owner for owner in self.id_owners.get(values.source_id, []) if owner[0] != archive), None)
        if elsewhere is not None:
            values.warnings.append(
                warning(
                    IDENTITY,
                    f"id {values.source_id!r} is also the id of {describe(*elsewhere)}; imported as a "
                    "separate article of this archive",
                )
            )

    def remember(self, article):
        """Keep what the run needs of a saved article: its identity, hash, slug and id."""
        identity = (article.source_archive, article.source_path)
        self.pre_archive.forget(article)
        self.hashes[identity] = article.source_hash
        self.by_identity[identity] = Article(
            pk=article.pk,
            source_archive=article.source_archive,
            source_path=article.source_path,
            source_hash=article.source_hash,
            slug=article.slug,
            published_at=article.published_at,
            created_at=article.created_at,
            title=article.title,
            source_id=article.source_id,
        )
        if article.source_id and identity not in self.id_owners[article.source_id]:
            self.id_owners[article.source_id].append(identity)


class PreArchive:
    """Articles imported before archives were recorded (archive ""), and the rule that adopts them.

    Such an article's path is below whatever folder was imported then. A file adopts it when
    exactly one has one of the file's paths below the archive's root or a folder between it and
    the file (what an earlier import may have been given) and is recognisably the file's article
    (the same bytes, front-matter id or title), and no other file of the run has that path too.
    A match that fails this is named in a warning, and the file becomes a new article.
    """

    def __init__(self):
        self.articles = {}  # path -> article
        self._claims = {}  # path -> the files of this run that have it
        self._adopting = {}  # pk -> the path it had

    def survey(self, files):
        self._claims = collections.defaultdict(list)
        if self.articles:
            for file in files:
                for path in pre_archive_paths(file.path, file.archive.root):
                    if path in self.articles:
                        self._claims[path].append(file)

    def adopted_by(self, values, file):
        """The article `file` adopts, or None (with a warning when one matched but was not adopted)."""
        matches = [p for p in pre_archive_paths(file.path, file.archive.root) if p in self.articles]
        if not matches:
            return None
        recognised = [p for p in matches if _recognisably(self.articles[p], values)]
        if not recognised:
            candidate = self.articles[matches[0]]
            return _not_adopted(
                values,
                f"{describe('', matches[0])} (article {candidate.pk}, {candidate.title!r}) has this file's path "
                "but neither its bytes, its id nor its title; not adopted",
            )
        if len(recognised) > 1:
            found = " and ".join(describe("", path) for path in recognised)
            return _not_adopted(values, f"{found} all match this file; none adopted")
        path = recognised[0]
        others = [other for other in self._claims.get(path, []) if other != file]
        if others:
            return _not_adopted(values, f"{describe('', path)} also matches {others[0].path} of this run; not adopted")
        candidate = self.articles[path]
        values.warnings.append(
            warning(
                IDENTITY,
                f"adopted article {candidate.pk}, imported from {path} before archives were recorded",
            )
        )
        self._adopting[candidate.pk] = path
        return Article.objects.filter(pk=candidate.pk).first()

    def forget(self, article):
        """A saved article that was being adopted is no longer one of no archive."""
        path = self._adopting.pop(article.pk, None)
        if path is not None:
            del self.articles[path]


def _recognisably(article, values):
    """Whether a stored article is the one `values` describe: the same bytes, id or title."""
    return (
        article.source_hash == values.source_hash
        or bool(article.source_id and article.source_id == values.source_id)
        or article.title == values.title
    )


def _not_adopted(values, message):
    values.warnings.append(warning(IDENTITY, f"{message}: imported as a new article"))
