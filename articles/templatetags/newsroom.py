from django import template
from django.conf import settings
from django.utils import formats, translation

from articles import seo, text
from articles.images import markup
from articles.models import Category

register = template.Library()


@register.simple_tag
def top_categories(limit=8):
    """The root sections shown in the site navigation."""
    return Category.objects.filter(parent=None).only("name", "path").order_by("position", "name")[:limit]


IMAGE_SIZES = {"article": markup.ARTICLE_SIZES, "card": markup.CARD_SIZES}


@register.simple_tag
def responsive_image(image, layout="article", lazy=True, priority=False, alt=None):
    """An image as `<picture>`/`srcset` with its dimensions; `layout` picks the `sizes` rule."""
    if image is None:
        return ""
    return markup.picture_html(image, sizes=IMAGE_SIZES.get(layout, layout), lazy=lazy, priority=priority, alt=alt)


# --- dates, reading time and what search engines read (articles.seo) ---------------------------

NEWS_DATE_FORMATS = {"zh": "Y年n月j日", "en": "F j, Y"}


@register.filter(expects_localtime=True)
def news_date(value):
    """A date as readers of the active language write it: 2022年6月6日, or June 6, 2022."""
    if not value:
        return ""
    language = (translation.get_language() or settings.LANGUAGE_CODE).split("-")[0]
    return formats.date_format(value, NEWS_DATE_FORMATS.get(language, "DATE_FORMAT"))


@register.filter
def reading_minutes(body_html):
    """Whole minutes the body takes to read (articles.text.reading_minutes)."""
    return text.reading_minutes(body_html)


def _page_number(context):
    page = context.get("page_obj")
    return page.number if page is not None else 1


@register.simple_tag(takes_context=True)
def page_title(context, subject=""):
    """The <title>: 'subject · 第 N 页 · site', the page number only past the first."""
    return seo.page_title(subject, _page_number(context))


@register.inclusion_tag("includes/seo_meta.html", takes_context=True)
def seo_meta(context, subject="", description="", article=None):
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
            og_type="article",
            title=article.title,
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
        canonical = seo.absolute_url(path if number == 1 else f"{path}?page={number}")
        description = seo.list_description(description, subject, number)
        values.update(og_type="website", title=str(subject) if subject else seo.site_name())
        if page is not None and page.has_previous():
            previous = page.previous_page_number()
            values["prev_url"] = seo.absolute_url(path if previous == 1 else f"{path}?page={previous}")
        if page is not None and page.has_next():
            values["next_url"] = seo.absolute_url(f"{path}?page={page.next_page_number()}")
    values.update(canonical=canonical, description=description)
    return values
