"""The search-result and share-card preview beside the article form: what a search engine and a
social network will show of the article, from the same functions the public page's head uses
(articles.seo). static/articles/admin/share-preview.js keeps it current as the form changes,
with the lengths and separators given here as data attributes.
"""

from urllib.parse import urlsplit

from django.conf import settings
from django.template.loader import render_to_string
from django.urls import NoReverseMatch, reverse

from articles import seo
from articles.text import SENTENCE_CUT_FROM

PREVIEW_TEMPLATE = "admin/articles/article/share_preview.html"
IMAGE_LIBRARY_URL_NAME = "admin:articles_image_library"


def share_preview_html(article):
    """The preview panel for `article` (saved or new) as the public page would describe it now."""
    title = seo.article_title(article) if article.title or article.seo_title else ""
    segments = []
    if article.slug:
        segments = [part for part in article.get_absolute_url().split("/") if part]
    image = article.hero_image if article.hero_image_id else None
    try:
        library_url = reverse(IMAGE_LIBRARY_URL_NAME)
    except NoReverseMatch:
        library_url = ""
    return render_to_string(
        PREVIEW_TEMPLATE,
        {
            "site_name": seo.site_name(),
            "site_host": urlsplit(settings.NEWSROOM["SITE_URL"]).netloc,
            "path_segments": segments[:-1],
            "slug": segments[-1] if segments else "",
            "page_title": seo.page_title(title),
            "title": title,
            "description": seo.article_description(article),
            # As the site's card shows it: the picture cropped around its focal point.
            "image_url": image.social_card_url if image is not None else "",
            "image_alt": image.alt_text if image is not None else "",
            "title_separator": seo.TITLE_SEPARATOR,
            "description_length": seo.DESCRIPTION_LENGTH,
            "sentence_cut_from": SENTENCE_CUT_FROM,
            "library_url": library_url,
        },
    )
