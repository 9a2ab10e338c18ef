"""Every real archive of ../shared/legacy/corpus (Hexo, Jekyll, Hugo) imported: no generator syntax
left as text in a stored body, and every link to another post (post_link, post_path, post_url,
link, ref, relref) leads to the imported article or is reported with its file."""

import html
import re
import zoneinfo
from pathlib import Path

import pytest
from django.conf import settings

from articles.importing.importer import Importer, ImportOptions, Outcome, find_legacy_files
from articles.models import Article

CORPUS = Path(settings.BASE_DIR).parent / "shared" / "legacy" / "corpus"
ARCHIVES = sorted(path.name for path in CORPUS.iterdir() if path.is_dir())

CODE_ELEMENT = re.compile(r"<(pre|code)\b.*?</\1>", re.S)
LEFT_AS_TEXT = re.compile(
    r"\{%-?\s*[A-Za-z_][^\n]{0,80}?%\}"  # Hexo and Liquid tags
    r"|\{\{[<%][^\n]{0,120}?[>%]\}\}"  # Hugo shortcodes
    r"|\{\{-?\s*(?:site|page)\.[^\n]{0,60}?\}\}"  # Liquid output
    r"|newsroom-link:"  # an unresolved placeholder
)
# Where the source itself asks for syntax to be shown: Liquid's raw, Hugo's commented shortcodes.
SHOWN_LITERALLY = re.compile(r"\{%-?\s*raw\s*-?%\}(.*?)\{%-?\s*endraw\s*-?%\}|\{\{[<%]/\*(.*?)\*/[>%]\}\}", re.S)
FENCE = re.compile(r"^[ \t>]*(`{3,}|~{3,}).*?^[ \t>]*\1[ \t]*$", re.S | re.M)
CODE_SPAN = re.compile(r"`[^`\n]+`")
CROSS_LINK = re.compile(
    r"\{%-?\s*(?:post_link|post_path|post_url)\s"
    r"|\{%-?\s*link\s+\S+\s*-?%\}"  # Jekyll's one-argument link
    r"|\{\{[<%]\s*(?:ref|relref)\s"
)
BLOCK_ATTRIBUTE_LINE = re.compile(r"^ {0,3}(\{:[^}\n]*\})[ \t]*$", re.M)
HREF = re.compile(r'href="([^"#]*)')


def import_archive(root):
    importer = Importer(ImportOptions(tz=zoneinfo.ZoneInfo("Asia/Shanghai"), default_author="编辑"))
    results = list(importer.import_files(find_legacy_files([root])))
    return results, importer.unresolved_links


def outside_code(body):
    return html.unescape(CODE_ELEMENT.sub("", body))


def prose(source):
    """The source without what its generator shows as written: raw blocks, fences, code spans."""
    return CODE_SPAN.sub("", FENCE.sub("", SHOWN_LITERALLY.sub("", source)))


@pytest.mark.django_db
@pytest.mark.parametrize("archive", ARCHIVES)
def test_archive_comes_across_without_generator_syntax(archive):
    root = CORPUS / archive
    results, unresolved = import_archive(root)
    # Files refused for their front matter or dates are other rules' concern; every other one is here.
    imported = {r.path: r.article for r in results if r.outcome is Outcome.CREATED}
    assert imported
    articles = {a.source_path: a for a in Article.objects.all()}
    urls = {article.get_absolute_url() for article in articles.values()}
    unresolved_by_file = {}
    for source_path, link in unresolved:
        unresolved_by_file.setdefault(source_path, []).append(link)

    problems = []
    for path in imported:
        source = path.read_text(encoding="utf-8-sig")
        article = articles[path.relative_to(root).as_posix()]
        shown = "".join(a or b for a, b in SHOWN_LITERALLY.findall(html.unescape(source)))
        text = outside_code(article.body)
        for match in LEFT_AS_TEXT.finditer(text):
            if match.group() not in shown:
                problems.append(f"{article.source_path}: {match.group()!r} left as text")
        for attributes in set(BLOCK_ATTRIBUTE_LINE.findall(prose(source))):
            # Each attribute list on a line of its own goes; the same words written in prose stay.
            on_own_line = len(re.findall(rf"^ {{0,3}}{re.escape(attributes)}[ \t]*$", prose(source), re.M))
            if text.count(attributes) > prose(source).count(attributes) - on_own_line:
                problems.append(f"{article.source_path}: kramdown {attributes} left as text")
        written = len(CROSS_LINK.findall(prose(source)))
        linked = sum(1 for href in HREF.findall(article.body) if href in urls)
        reported = len(unresolved_by_file.get(article.source_path, []))
        if written != linked + reported:
            problems.append(
                f"{article.source_path}: {written} links to posts written, {linked} lead to articles, {reported} reported"
            )
    assert problems == []
