"""RSS 2.0 and Atom feeds of the whole site, a category (with its descendants), a tag, an author.

Items are `Article.objects.published()` at request time, newest first, one page long. Feed
readers expect the summary in RSS `description` / Atom `summary` and the article in RSS
`content:encoded` / Atom `content`; `NEWSROOM["FEED_FULL_CONTENT"] = False` leaves the article out.
Every link is absolute on `NEWSROOM["SITE_URL"]`, never on the request's host. An Atom entry
carries its article's language (`xml:lang`); RSS 2.0 knows only the channel's.
"""

import mimetypes
import re
from urllib.parse import urlsplit

from django.conf import settings
from django.contrib.syndication.views import Feed
from django.urls import reverse
from django.utils.feedgenerator import Atom1Feed, Rss201rev2Feed
from django.utils.html import escape

from articles.images.validation import WEB_FORMATS
from articles.models import Article, Author, Category, Tag
from articles.querysets import with_commonness
from articles.seo import absolute_url, page_title
from articles.sitemaps import last_changed

CONTENT_NS = "http://purl.org/rss/1.0/modules/content/"


class RssWithContent(Rss201rev2Feed):
    """RSS 2.0 whose items may carry the whole article in `content:encoded`."""

    def rss_attributes(self):
        return {**super().rss_attributes(), "xmlns:content": CONTENT_NS}

    def add_item_elements(self, handler, item):
        super().add_item_elements(handler, item)
        if item.get("content") is not None:
            handler.addQuickElement("content:encoded", item["content"])


class AtomWithContent(Atom1Feed):
    """Atom whose entries may carry the whole article in `<content type="html">`, each in its
    own language (`xml:lang` on the entry, over the feed's)."""

    def item_attributes(self, item):
        attributes = super().item_attributes(item)
        if item.get("language"):
            attributes["xml:lang"] = item["language"]
        return attributes

    def add_item_elements(self, handler, item):
        super().add_item_elements(handler, item)
        if item.get("content") is not None:
            handler.addQuickElement("content", item["content"], {"type": "html"})


# A stored body is serialized by the sanitizer, which double-quotes every attribute.
_URL_ATTRIBUTE = re.compile(r'(\s(?:href|src)=")(/[^"]*)"')
_SRCSET_ATTRIBUTE = re.compile(r'(\ssrcset=")([^"]*)"')


def absolute_links(html):
    """`html` (sanitized) with site-relative href, src and srcset URLs made absolute.

    Feed readers show an item away from the site, where `/media/…` would point nowhere.
    """
    html = _URL_ATTRIBUTE.sub(lambda m: f'{m.group(1)}{absolute_url(m.group(2))}"', html)

    def srcset(match):
        candidates = []
        for candidate in match.group(2).split(","):
            url, _space, descriptor = candidate.strip().partition(" ")
            absolute = absolute_url(url)
            candidates.append(f"{absolute} {descriptor}".strip())
        return f'{match.group(1)}{", ".join(candidates)}"'

    return _SRCSET_ATTRIBUTE.sub(srcset, html)


def image_mime_type(image):
    """The picture's MIME type: from its library format, else guessed from its URL."""
    known = WEB_FORMATS.get(image.format.upper()) if image.format else None
    if known:
        return known[1]
    guessed, _encoding = mimetypes.guess_type(urlsplit(image.url).path)
    # RSS requires a type; a remote picture without an extension is honestly "some bytes".
    return guessed or "application/octet-stream"


class ArticleFeed(Feed):
    """The site's latest articles as RSS 2.0; subclasses narrow them to a subject."""

    feed_type = RssWithContent
    url_name = "articles:feed"
    # RFC 1766, as RSS readers and Google News expect (Django's language code is zh-hans). RSS
    # has a language for the channel only, none for an item: an article in another language
    # is told apart in the Atom feeds alone (item_extra_kwargs).
    language = "zh-cn"

    def subject_kwargs(self, subject):
        return {}

    def narrow(self, articles, subject):
        return articles

    def subject_title(self, subject):
        return ""

    def title(self, subject):
        return page_title(self.subject_title(subject))

    def description(self, subject):
        return f"{self.title(subject)}的最新文章"

    def subtitle(self, subject):
        return self.description(subject)

    def link(self, subject):
        return absolute_url(subject.get_absolute_url() if subject else reverse("articles:home"))

    def feed_url(self, subject):
        return absolute_url(reverse(self.url_name, kwargs=self.subject_kwargs(subject)))

    def items(self, subject):
        articles = self.narrow(Article.objects.published(), subject).for_feed()
        return articles[: settings.NEWSROOM["PAGE_SIZE"]]

    def item_title(self, article):
        # Readers treat titles as HTML (see Django's #6533): plain text must arrive escaped.
        return escape(article.title)

    def item_description(self, article):
        return escape(article.summary)

    def item_extra_kwargs(self, article):
        extra = {"language": article.language}
        if settings.NEWSROOM["FEED_FULL_CONTENT"]:
            # Sanitized when it was saved; only the links change here.
            extra["content"] = absolute_links(article.body)
        return extra

    def item_link(self, article):
        return absolute_url(article.get_absolute_url())

    def item_pubdate(self, article):
        return article.published_at

    def item_updateddate(self, article):
        return last_changed(article)

    def item_author_name(self, article):
        return article.author.name

    def item_author_link(self, article):
        return absolute_url(article.author.get_absolute_url())

    def item_categories(self, article):
        return [category.name for category in article.categories.all()] + [tag.name for tag in article.tags.all()]

    def item_enclosure_url(self, article):
        return absolute_url(article.hero_image.url) if article.hero_image_id else None

    def item_enclosure_length(self, article):
        return article.hero_image.file_size or 0

    def item_enclosure_mime_type(self, article):
        return image_mime_type(article.hero_image)


class CategoryFeed(ArticleFeed):
    url_name = "articles:category_feed"

    def get_object(self, request, path):
        # From the kept tree, as the category page: its subtree's ids and commonness come with it
        # (in_category() then reads the links by id instead of joining the paths).
        from articles.navigation import categories_by_path

        category = categories_by_path().get(path.strip("/"))
        if category is None:
            raise Category.DoesNotExist(path)
        return category

    def subject_kwargs(self, category):
        return {"path": category.path}

    def narrow(self, articles, category):
        return articles.in_category(category)

    def subject_title(self, category):
        return category.name


class TagFeed(ArticleFeed):
    url_name = "articles:tag_feed"

    def get_object(self, request, slug):
        return with_commonness(Tag.objects.all()).get(slug=slug)  # as the tag page (see tagged())

    def subject_kwargs(self, tag):
        return {"slug": tag.slug}

    def narrow(self, articles, tag):
        return articles.tagged(tag)

    def subject_title(self, tag):
        return f"标签：{tag.name}"


class AuthorFeed(ArticleFeed):
    url_name = "articles:author_feed"

    def get_object(self, request, slug):
        return Author.objects.get(slug=slug)

    def subject_kwargs(self, author):
        return {"slug": author.slug}

    def narrow(self, articles, author):
        return articles.filter(author=author)

    def subject_title(self, author):
        return author.name


class AtomFormat:
    """Mixed into a feed class: the same items, as Atom."""

    feed_type = AtomWithContent

    def item_title(self, article):
        # Atom titles without a type are plain text (RFC 4287 3.1): escaping would show entities.
        return article.title


class AtomArticleFeed(AtomFormat, ArticleFeed):
    url_name = "articles:feed_atom"


class AtomCategoryFeed(AtomFormat, CategoryFeed):
    url_name = "articles:category_feed_atom"


class AtomTagFeed(AtomFormat, TagFeed):
    url_name = "articles:tag_feed_atom"


class AtomAuthorFeed(AtomFormat, AuthorFeed):
    url_name = "articles:author_feed_atom"
