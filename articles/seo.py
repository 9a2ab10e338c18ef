"""What search engines and social networks read about a page: titles, descriptions, absolute
URLs, OpenGraph/Twitter values and the JSON-LD `NewsArticle`. Plain functions of models and
settings; templates/includes/seo_meta.html renders them.

Absolute URLs are built from NEWSROOM["SITE_URL"], never from the request's Host header, so a
proxy or a forged header cannot change what a page claims as its address.
"""

import json

from django.conf import settings
from django.core.serializers.json import DjangoJSONEncoder
from django.utils import timezone
from django.utils.html import format_html
from django.utils.safestring import mark_safe

from articles.text import excerpt, plain_text, sentence_excerpt

DESCRIPTION_LENGTH = 120
TITLE_SEPARATOR = " · "
# Characters that could end the <script> data block or start markup, as django's json_script.
_JSON_SCRIPT_ESCAPES = {ord("<"): "\\u003C", ord(">"): "\\u003E", ord("&"): "\\u0026"}


# An article's content language (Article.language) as each reader of it names languages.
OG_LOCALES = {"zh-Hans": "zh_CN", "zh-Hant": "zh_TW", "en": "en_US"}  # OpenGraph's og:locale
NEWS_LANGUAGES = {"zh-Hans": "zh-cn", "zh-Hant": "zh-tw", "en": "en"}  # Google News, RSS (RFC 1766)
DEFAULT_LANGUAGE = "zh-Hans"


def og_locale(language):
    return OG_LOCALES.get(language, OG_LOCALES[DEFAULT_LANGUAGE])


def news_language(language):
    return NEWS_LANGUAGES.get(language, NEWS_LANGUAGES[DEFAULT_LANGUAGE])


def site_name():
    return settings.NEWSROOM["SITE_NAME"]


def absolute_url(url):
    """`url` made absolute against SITE_URL when it is a site path ("/…" or "//host/…")."""
    if not url:
        return url
    site = settings.NEWSROOM["SITE_URL"].rstrip("/")
    if url.startswith("//"):
        return site.split("//", 1)[0] + url
    if url.startswith("/"):
        return site + url
    return url


def page_title(subject, page_number=1):
    """'subject · 第 N 页 · site' (the page only past the first); the site name alone without subject."""
    parts = [str(subject)] if subject else []
    if page_number and page_number > 1:
        parts.append(f"第 {page_number} 页")
    return TITLE_SEPARATOR.join([*parts, site_name()])


def list_description(text, subject, page_number=1):
    """A list page's description: its own text (bio, category description) or a sentence about it."""
    description = sentence_excerpt(plain_text(text), DESCRIPTION_LENGTH) if text else ""
    if not description:
        description = f"{site_name()}：{subject}的最新文章。" if subject else f"{site_name()}：最新科技新闻。"
    if page_number and page_number > 1:
        # Each page of a list is its own page to a search engine; say which one it is.
        description += f"（第 {page_number} 页）"
    return description


def article_title(article):
    """What search results and share cards call the article: its SEO title, else its title.

    The page's own heading stays the title; only what is read about the page changes.
    """
    return " ".join((article.seo_title or "").split()) or article.title


def article_description(article):
    """The SEO description an editor wrote, else the summary, else the body's opening, cut on a
    sentence end where possible."""
    override = " ".join((article.seo_description or "").split())
    if override:
        return override
    summary = (article.summary or "").strip()
    automatic = summary == excerpt(article.body, settings.NEWSROOM["SUMMARY_LENGTH"])
    # An automatic summary was cut mid-sentence with an ellipsis; the body gives a cleaner cut.
    source = plain_text(article.body) if automatic or not summary else summary
    return sentence_excerpt(source, DESCRIPTION_LENGTH)


def social_image(image):
    """{url, width, height, alt} for og:image and twitter:image, or None; sizes only for the card."""
    if image is None:
        return None
    url = absolute_url(image.social_card_url)
    if not url:
        return None
    width = height = None
    if image.renditions.get("social"):
        width, height = settings.NEWSROOM_IMAGES["SOCIAL_CARD_SIZE"]
    return {"url": url, "width": width, "height": height, "alt": image.alt_text}


def modified_time(article):
    """When the article's content last changed: an untouched import keeps its legacy time."""
    if article.imported_at is not None and not article.edited_since_import:
        # The import itself is no edit; the legacy file's own `updated` is the better answer.
        modified = article.source_updated_at or article.published_at
    else:
        modified = article.updated_at
    if article.published_at and (modified is None or modified < article.published_at):
        return article.published_at
    return modified


def iso(moment):
    """A local-time ISO 8601 timestamp with its offset, or None."""
    return timezone.localtime(moment).isoformat() if moment else None


def article_json_ld(article, *, description, canonical, categories, tags):
    """The schema.org NewsArticle for an article page, as a dict ready for json_ld()."""
    image = social_image(article.hero_image) if article.hero_image_id else None
    data = {
        "@context": "https://schema.org",
        "@type": "NewsArticle",
        "headline": article_title(article),
        "description": description,
        "url": canonical,
        "mainEntityOfPage": {"@type": "WebPage", "@id": canonical},
        "datePublished": iso(article.published_at),
        "dateModified": iso(modified_time(article)),
        "inLanguage": article.language,
        "author": [
            {
                "@type": "Person",
                "name": article.author.name,
                "url": absolute_url(article.author.get_absolute_url()),
            }
        ],
        "publisher": {
            "@type": "Organization",
            "name": site_name(),
            "url": absolute_url("/"),
        },
    }
    if image:
        data["image"] = [image["url"]]
    if categories:
        data["articleSection"] = [category.name for category in categories]
    if tags:
        data["keywords"] = [tag.name for tag in tags]
    return data


def json_ld(data):
    """`data` as a `<script type="application/ld+json">` block that no value can break out of."""
    text = json.dumps(data, cls=DjangoJSONEncoder, ensure_ascii=False).translate(_JSON_SCRIPT_ESCAPES)
    # Escaped above exactly as django.utils.html.json_script escapes; ld+json is a data block,
    # never executed, so a script-src Content-Security-Policy does not block it.
    return format_html('<script type="application/ld+json">{}</script>', mark_safe(text))
