"""What an article body becomes when it is stored: the one policy applied, code blocks
highlighted, then library images made responsive. Every way of writing a body (save,
bulk_create, update, bulk_update, fixtures, import) comes through here."""

from django.conf import settings

from articles.highlighting import highlight_code_blocks
from articles.images.markup import responsive_body
from articles.sanitize import CleanHTML, clean_html

# What the Markdown importer and the policy write around math (articles.importing.markdown_extensions).
MATH_MARKERS = ('<span class="math ', '<div class="math ')


def clean_body(html, *, removed=None):
    """`html` reduced to the policy, its code highlighted; applying it twice changes nothing.

    `removed` (a list) receives what the policy dropped with its content (articles.sanitize).
    """
    # The highlighter adds only escaped text and spans of classes the policy keeps, written as
    # the policy's serializer writes them (a test pins that cleaning its output changes nothing),
    # so the result needs no second pass through the policy.
    return CleanHTML(highlight_code_blocks(clean_html(html, removed=removed)))


def oversized(html):
    """(size, limit) in UTF-8 bytes when `html` is over the body size limit
    (NEWSROOM["BODY_MAX_BYTES"]), else None: every write path refuses such a body before
    sanitizing it."""
    size, limit = len(html.encode()), settings.NEWSROOM["BODY_MAX_BYTES"]
    return (size, limit) if size > limit else None


def stored_body(html):
    """(the body to store for `html`, ids of the library images it shows)."""
    return responsive_body(clean_body(html))


def body_has_math(html):
    """Whether a stored body holds math for KaTeX to render (its page then loads KaTeX)."""
    return any(marker in html for marker in MATH_MARKERS)
