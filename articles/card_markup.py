"""An article's card (includes/article_card.html) written out in Python, for lists whose cards
are rendered rather than read from the kept parts.

Contract: card(article, picture) is exactly what the card template renders for `article`, the
same text to the byte, while that template is the one this module was written from (its
digest is WRITTEN_FOR); a card template that differs (an edit) is rendered by the template
engine instead, and a test asks for this module to be brought in line. Values are escaped and
dates made local as the template engine does. Per node, the engine's work was most of the cost
of a list page whose cards are rendered (the kept parts off, or a card's first render).
"""
import functools
import hashlib

from django.utils.formats import date_format
from django.utils.html import conditional_escape
from django.utils.timezone import template_localtime

# The first 16 hex digits of the SHA-256 of includes/article_card.html as card() writes it.
WRITTEN_FOR = "0a41816455b6c3ae"


def follows(template):
    """Whether `template` (the engine's Template of the card) is the one card() writes out."""
    return _digest(template.source) == WRITTEN_FOR


@functools.lru_cache(maxsize=4)
def _digest(source):
    return hashlib.sha256(source.encode()).hexdigest()[:16]


def card(article, picture, news_date):
    """The card of `article`; `picture` and `news_date` are the template's responsive_image
    tag and news_date filter."""
    esc = conditional_escape
    url = esc(article.get_absolute_url())
    author = article.author
    lang = "" if article.language == "zh-Hans" else f' lang="{esc(article.language)}"'
    image = ""
    if article.thumbnail:
        image = (
            f'\n    <a class="card-image" href="{url}" tabindex="-1" aria-hidden="true">\n      \n'
            f'      {esc(picture(article.thumbnail, "card", alt=""))}\n    </a>\n  '
        )
    published = template_localtime(article.published_at)
    stamp = date_format(published, "c") if published is not None else ""
    categories = "".join(
        f'\n    · <a href="{esc(category.get_absolute_url())}">{esc(category.name)}</a>\n  '
        for category in article.categories.all()
    )
    return (
        f'\n<article class="card"{lang}>\n'
        f"  {image}\n"
        '  <div class="card-text">\n'
        f'    <h2 class="card-title"><a href="{url}">{esc(article.title)}</a></h2>\n'
        f'    <p class="card-summary">{esc(article.summary)}</p>\n'
        '    <p class="meta">\n'
        f'  <a href="{esc(author.get_absolute_url())}">{esc(author.name)}</a>\n'
        f'  · <time datetime="{esc(stamp)}">{esc(news_date(published))}</time>\n'
        f"  {categories}\n"
        "</p>\n"
        "  </div>\n"
        "</article>\n"
        "\n"
    )
