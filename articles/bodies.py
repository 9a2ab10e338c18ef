"""What an article body becomes when it is stored: the one policy applied, then library images
made responsive. Every way of writing a body (save, bulk_create, update, bulk_update, fixtures)
comes through here."""
from articles.images.markup import responsive_body
from articles.sanitize import clean_html


def stored_body(html):
    """(the body to store for `html`, ids of the library images it shows)."""
    return responsive_body(clean_html(html))
