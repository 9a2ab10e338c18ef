import json

from django import template
from django.conf import settings
from django.core.signals import setting_changed
from django.template.defaulttags import querystring
from django.utils import dateformat, formats, translation
from django.utils.http import urlencode
from django.utils.safestring import mark_safe

from articles import caching, fragments, seo, text
from articles.images import markup
from articles.pagination import BEFORE

register = template.Library()
CARD_TEMPLATE = "includes/article_card.html"


SEO_META_TEMPLATE = "includes/seo_meta.html"
PAGINATION_TEMPLATE = "includes/pagination.html"


# --- templates that show only the values they are given -----------------------------------------

# Such a template is a pure function of its values: each rendering is kept, by those values,
# for the life of the process. Rendering the SEO tags and the page links of a list page cost
# as much as its twenty kept cards.
_RENDERED = caching.ProcessLocalCache(4096)


def rendered_from(context, template_name, values):
    """`template_name` rendered with `values` alone (and the page's autoescaping)."""
    try:
        key = (template_name, context.autoescape, _frozen(values))
        html = _RENDERED.get(key)
    except TypeError:  # a value that is no plain data: rendered each time
        key = html = None
    if html is None:
        shown = context.template.engine.get_template(template_name)
        html = shown.render(template.Context(values, autoescape=context.autoescape))
        if key is not None:
            _RENDERED.keep(key, html)
    return html


def _frozen(value):
    if isinstance(value, dict):
        return tuple(sorted((name, _frozen(item)) for name, item in value.items()))
    if isinstance(value, (list, tuple)):
        return tuple(_frozen(item) for item in value)
    hash(value)  # TypeError for anything else that cannot be a key
    return (type(value), value)


def _forget_renderings(setting, **kwargs):
    if setting == "TEMPLATES":
        _RENDERED.clear()


setting_changed.connect(_forget_renderings)


@register.simple_tag(takes_context=True)
def pagination(context):
    """The list's page links (PAGINATION_TEMPLATE); the page's other parameters (a search's q)
    stay in them."""
    page = context.get("page_obj")
    if page is None or not context.get("is_paginated"):
        return ""
    paginator = page.paginator
    # Only what the page reads: a reader who came with `?utm_source=…` is not handed it on, and
    # the page is the same as without it (the page cache answers both with one, articles.caching).
    query = caching.read_query(context.request)

    def link(number):
        return querystring(context, query, page=number)

    continues_after = getattr(page, "continues_after", None)
    return rendered_from(context, PAGINATION_TEMPLATE, {
        "number": page.number,
        # The count stops a few pages ahead (articles.pagination): beyond it the total is unknown.
        "num_pages": paginator.num_pages if paginator.count_is_exact else None,
        "previous_url": link(page.previous_page_number()) if page.has_previous() else "",
        "next_url": link(page.next_page_number()) if page.has_next() else "",
        "last_url": "" if paginator.count_is_exact or not page.has_next() else link("last"),
        # Past the run of pages: the articles after this page's last (articles.pagination).
        "earlier_url": querystring(context, query, page=None, before=continues_after) if continues_after else "",
        "newest_url": querystring(context, query, page=None, before=None) if getattr(page, "listed_after", None) is not None else "",
    })  # fmt: skip


# --- parts kept rendered per article (articles.fragments) -------------------------------------


@register.tag("part")
def part(parser, token):
    """`{% part "content" article %}…{% endpart %}`: the enclosed markup, kept per article.

    Looked up in the page's `article_parts` (a fragments.KeptParts the view made); without one (a
    preview, or parts turned off) the markup is simply rendered.
    """
    bits = token.split_contents()
    if len(bits) != 3:
        raise template.TemplateSyntaxError("{% part %} takes a part name and an article")
    nodelist = parser.parse(("endpart",))
    parser.delete_first_token()
    return PartNode(nodelist, parser.compile_filter(bits[1]), parser.compile_filter(bits[2]))


class PartNode(template.Node):
    def __init__(self, nodelist, name, article):
        self.nodelist, self.name, self.article = nodelist, name, article

    def render(self, context):
        parts = context.get("article_parts")
        if parts is None:
            return self.nodelist.render(context)
        name, pk = self.name.resolve(context), self.article.resolve(context).pk
        html = parts.get(name, pk)
        if html is None:
            html = self.nodelist.render(context)
            parts.store(name, pk, html)
        return html


@register.simple_tag(takes_context=True)
def article_cards(context, articles):
    """The list's cards (CARD_TEMPLATE), each kept rendered per article when parts are on.

    Then the list's own query fetched the ids only; the articles whose cards must be rendered
    are fetched here, in one query with what cards show.
    """
    from articles.models import Article

    articles = list(articles)
    card = context.template.engine.get_template(CARD_TEMPLATE)
    if not fragments.enabled():
        return mark_safe("".join(card.render(template.Context({"article": article})) for article in articles))
    pks = [article.pk for article in articles]
    parts = fragments.KeptParts(pks, ("card",))
    rendered = {}
    missing = parts.missing("card", pks)
    if missing:
        for pk, article in Article.objects.for_listing().in_bulk(missing).items():
            rendered[pk] = card.render(template.Context({"article": article}))
            parts.store("card", pk, rendered[pk])
    return mark_safe("".join(parts.markup("card", pk) or rendered.get(pk, "") for pk in pks))


def _site_sections(limit):
    from articles.navigation import navigation_categories

    return navigation_categories(limit)


@register.simple_tag(takes_context=True)
def site_header(context, limit=8):
    """The site's header: its name, its sections (articles.navigation.navigation_categories) and the
    search box. The same on every page but a search's (whose box shows the query), so rendered
    once a content version (and again when `published()` changes, which may reorder them)."""

    def rendered(search_query=""):
        header = context.template.engine.get_template("includes/site_header.html")
        values = {"site_name": seo.site_name(), "sections": _site_sections(limit), "search_query": search_query}
        return header.render(template.Context(values))

    if context.get("search_query"):
        return rendered(context["search_query"])
    return caching.kept_per_content_version(f"site-header:{limit}", rendered)


@register.simple_tag
def site_name():
    """The site's name from the settings, for pages rendered without the context processors (500.html)."""
    return seo.site_name()


@register.simple_tag(takes_context=True)
def site_feeds(context):
    """The site's feed links for <head>, rendered once a content version."""

    def rendered():
        feeds = context.template.engine.get_template("includes/site_feeds.html")
        return feeds.render(template.Context({"site_name": seo.site_name()}))

    return caching.kept_per_content_version("site-feeds", rendered, follows_published=False)


IMAGE_SIZES = {"article": markup.ARTICLE_SIZES, "card": markup.CARD_SIZES}
# picture_html() of the same image values: a list page shows 20 pictures, each asking the
# storage for ten rendition URLs. The key holds every field the markup is made of.
_PICTURES = caching.ProcessLocalCache(4096)


@register.simple_tag
def responsive_image(image, layout="article", lazy=True, priority=False, alt=None):
    """An image as `<picture>`/`srcset` with its dimensions; `layout` picks the `sizes` rule."""
    if image is None:
        return ""
    sizes = IMAGE_SIZES.get(layout, layout)
    key = (
        image.pk, image.file.name, image.source_url, image.width, image.height, image.alt_text,
        json.dumps(image.renditions, sort_keys=True), sizes, lazy, priority, alt,
    )  # fmt: skip
    html = _PICTURES.get(key)
    if html is None:
        html = _PICTURES.keep(key, markup.picture_html(image, sizes=sizes, lazy=lazy, priority=priority, alt=alt))
    return html


def _forget_pictures(setting, **kwargs):
    # Rendition URLs are the storage's: tests that move MEDIA_URL or the storage get new ones.
    if setting in {"MEDIA_URL", "STORAGES", "NEWSROOM", "NEWSROOM_IMAGES"}:
        _PICTURES.clear()


setting_changed.connect(_forget_pictures)


# --- dates, reading time and what search engines read (articles.seo) ---------------------------

NEWS_DATE_FORMATS = {"zh": "Y年n月j日", "en": "F j, Y"}


@register.filter(expects_localtime=True)
def news_date(value):
    """A date as readers of the active language write it: 2022年6月6日, or June 6, 2022."""
    if not value:
        return ""
    language = (translation.get_language() or settings.LANGUAGE_CODE).split("-")[0]
    if language in NEWS_DATE_FORMATS:
        # A literal format needs none of date_format()'s per-call lookups of locale formats.
        return dateformat.format(value, NEWS_DATE_FORMATS[language])
    return formats.date_format(value, "DATE_FORMAT")


@register.filter
def news_language(language):
    """An article's language as Google News names it (zh-cn, zh-tw, en)."""
    return seo.news_language(language)


@register.filter
def reading_minutes(body_html):
    """Whole minutes the body takes to read (articles.text.reading_minutes)."""
    return text.reading_minutes(body_html)


def _page_number(context):
    page = context.get("page_obj")
    return page.number if page is not None else 1


@register.simple_tag(takes_context=True)
def page_title(context, subject="", article=None):
    """The <title>: 'subject · 第 N 页 · site', the page number only past the first; an article's
    subject is its SEO title when it has one (seo.article_title)."""
    if article is not None:
        subject = seo.article_title(article)
    return seo.page_title(subject, _page_number(context))


@register.simple_tag(takes_context=True)
def seo_meta(context, subject="", description="", article=None):
    """The <head> tags for search engines and social networks (SEO_META_TEMPLATE)."""
    return rendered_from(context, SEO_META_TEMPLATE, _seo_values(context, subject, description, article))


def _seo_values(context, subject, description, article):
    """The <head> tags for search engines and social networks: a list page's about `subject`, or
    an article's when `article` is given."""
    request = context.get("request")
    path = request.path if request is not None else "/"
    page = context.get("page_obj")
    values = {"og_locale": "zh_CN", "site_name": seo.site_name()}
    if article is not None:
        categories, tags = list(article.categories.all()), list(article.tags.all())
        canonical = seo.absolute_url(article.get_absolute_url())
        description = seo.article_description(article)
        image = seo.social_image(article.hero_image) if article.hero_image_id else None
        values.update(
            og_locale=seo.og_locale(article.language),
            og_type="article",
            title=seo.article_title(article),
            image=image,
            published_time=seo.iso(article.published_at),
            modified_time=seo.iso(seo.modified_time(article)),
            author_url=seo.absolute_url(article.author.get_absolute_url()),
            section=categories[0].name if categories else "",
            tags=[tag.name for tag in tags],
            json_ld=seo.json_ld(
                seo.article_json_ld(
                    article, description=description, canonical=canonical, categories=categories, tags=tags
                )
            ),
        )
    else:
        number = page.number if page is not None else 1
        # A run of pages after an article (articles.pagination, ?before=) is a list of its own.
        after = getattr(page, "listed_after", None)

        def page_url(number):
            params = ([(BEFORE, after)] if after is not None else []) + ([("page", number)] if number != 1 else [])
            return seo.absolute_url(f"{path}?{urlencode(params)}" if params else path)

        canonical = page_url(number)
        description = seo.list_description(description, subject, number)
        values.update(og_type="website", title=str(subject) if subject else seo.site_name())
        if page is not None and page.has_previous():
            values["prev_url"] = page_url(page.previous_page_number())
        if page is not None and page.has_next():
            values["next_url"] = page_url(page.next_page_number())
    values.update(canonical=canonical, description=description)
    return values
