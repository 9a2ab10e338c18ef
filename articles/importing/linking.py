"""The last step of an import run: placeholder links between articles made real (see crosslinks)."""

from articles.models import Article

from .crosslinks import PLACEHOLDER, LinkIndex, Target, resolve_cross_links


def link_imported_articles():
    """Rewrite every stored body that holds a placeholder link; return [(source path, Unresolved)].

    Run once all files of an import are saved. Links are looked up among the articles of the
    same archive. Bodies left with placeholders by an interrupted run are mended too.
    """
    pending = list(
        Article.objects.filter(body__contains=PLACEHOLDER).values_list("pk", "source_archive", "source_path", "body")
    )
    unresolved = []
    for archive in sorted({row[1] for row in pending}):
        index = LinkIndex(_targets(archive))
        for pk, _, source_path, body in (row for row in pending if row[1] == archive):
            linked, missing = resolve_cross_links(body, index, source_path=source_path)
            # update() stores the body through the one sanitizer and keeps updated_at, so the
            # article still counts as "as imported".
            Article.objects.filter(pk=pk).update(body=linked)
            unresolved.extend((source_path, link) for link in missing)
    return unresolved


def _targets(archive):
    rows = (
        Article.objects.filter(source_archive=archive)
        .exclude(source_path="")
        .values_list("source_path", "slug", "published_at", "created_at", "title")
    )
    return {
        path: Target(Article(slug=slug, published_at=published, created_at=created).get_absolute_url(), title)
        for path, slug, published, created, title in rows
    }
