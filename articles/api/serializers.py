"""What the API says about articles, categories, tags, authors and images.

Every address is absolute on NEWSROOM_SITE_URL (articles.seo.absolute_url), as the site's own
links, feeds and sitemaps are; times are ISO 8601 in the site's zone, with its offset (+08:00).
The values come from the functions the pages use (articles.seo, articles.text), so the API says
what the article page says.
"""

from django.urls import reverse
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import extend_schema_field
from rest_framework import serializers

from articles import seo, text


def site_url(item):
    """The absolute address of `item`'s page on the site."""
    return seo.absolute_url(item.get_absolute_url())


class AuthorSerializer(serializers.Serializer):
    name = serializers.CharField()
    slug = serializers.CharField()
    url = serializers.SerializerMethodField(help_text="作者页的地址。")

    @extend_schema_field(OpenApiTypes.URI)
    def get_url(self, author):
        return site_url(author)


class AuthorWithCountSerializer(AuthorSerializer):
    bio = serializers.CharField()
    article_count = serializers.IntegerField(help_text="已发布的文章数。")


class TagSerializer(serializers.Serializer):
    name = serializers.CharField()
    slug = serializers.CharField()
    url = serializers.SerializerMethodField(help_text="标签页的地址。")

    @extend_schema_field(OpenApiTypes.URI)
    def get_url(self, tag):
        return site_url(tag)


class TagWithCountSerializer(TagSerializer):
    article_count = serializers.IntegerField(help_text="已发布的文章数。")


class CategoryReferenceSerializer(serializers.Serializer):
    name = serializers.CharField()
    path = serializers.CharField(help_text="从根分类起的 URL 名称路径，如 tech/ai；用作 category 参数。")
    url = serializers.SerializerMethodField(help_text="分类页的地址。")

    @extend_schema_field(OpenApiTypes.URI)
    def get_url(self, category):
        return site_url(category)


class CategoryNodeSerializer(CategoryReferenceSerializer):
    url = serializers.URLField(help_text="分类页的地址。")
    slug = serializers.CharField()
    description = serializers.CharField()
    position = serializers.IntegerField()
    article_count = serializers.IntegerField(help_text="此分类及其下级分类中已发布的文章数（每篇计一次）。")


# Declared after the class: a node's children are nodes.
CategoryNodeSerializer._declared_fields["children"] = CategoryNodeSerializer(many=True)


class RenditionSerializer(serializers.Serializer):
    width = serializers.IntegerField()
    height = serializers.IntegerField()
    webp = serializers.URLField(allow_null=True)
    fallback = serializers.URLField(help_text="JPEG 或 PNG。")


class SocialCardSerializer(serializers.Serializer):
    url = serializers.URLField()
    width = serializers.IntegerField(allow_null=True)
    height = serializers.IntegerField(allow_null=True)


class ImageSerializer(serializers.Serializer):
    url = serializers.SerializerMethodField(help_text="原图（图库文件或旧站的外链）。")
    width = serializers.IntegerField(allow_null=True)
    height = serializers.IntegerField(allow_null=True)
    alt = serializers.CharField(source="alt_text")
    caption = serializers.CharField()
    credit = serializers.CharField()
    renditions = serializers.SerializerMethodField(help_text="各宽度的缩放图，从窄到宽；外链图片没有。")
    social_card = serializers.SerializerMethodField(help_text="分享卡片（1200×630），没有时为原图。")

    @extend_schema_field(OpenApiTypes.URI)
    def get_url(self, image):
        return seo.absolute_url(image.url)

    @extend_schema_field(RenditionSerializer(many=True))
    def get_renditions(self, image):
        return [
            {
                "width": width,
                # As articles.images.renditions scales them: the height follows the width.
                "height": max(1, round(image.height * width / image.width)) if image.width and image.height else None,
                "webp": seo.absolute_url(webp) if webp else None,
                "fallback": seo.absolute_url(fallback),
            }
            for width, webp, fallback in image.rendition_sources()
        ]

    @extend_schema_field(SocialCardSerializer(allow_null=True))
    def get_social_card(self, image):
        card = seo.social_image(image)
        return {key: card[key] for key in ("url", "width", "height")} if card else None


class ArticleSummarySerializer(serializers.Serializer):
    """An article as lists give it: everything but its body."""

    id = serializers.IntegerField()
    title = serializers.CharField()
    summary = serializers.CharField()
    url = serializers.SerializerMethodField(help_text="文章页的规范地址。")
    api_url = serializers.SerializerMethodField(help_text="本 API 中这篇文章的地址。")
    language = serializers.CharField(help_text="内容语言：zh-Hans、zh-Hant 或 en。")
    published_at = serializers.DateTimeField()
    modified_at = serializers.SerializerMethodField(
        help_text="内容最后修改的时间（未改动的导入文章为旧站文件的修改时间）。"
    )
    author = AuthorSerializer()
    categories = CategoryReferenceSerializer(many=True, source="categories.all")
    tags = TagSerializer(many=True, source="tags.all")
    hero_image = ImageSerializer(allow_null=True)

    @extend_schema_field(OpenApiTypes.URI)
    def get_url(self, article):
        return site_url(article)

    @extend_schema_field(OpenApiTypes.URI)
    def get_api_url(self, article):
        return seo.absolute_url(reverse("api:article", kwargs={"pk": article.pk}))

    @extend_schema_field(OpenApiTypes.DATETIME)
    def get_modified_at(self, article):
        return seo.iso(seo.modified_time(article))


class ArticleSerializer(ArticleSummarySerializer):
    """An article whole: its sanitized body, its text and what search engines are told."""

    body_html = serializers.CharField(source="body", help_text="正文 HTML，保存时已按站点的统一策略清理。")
    plain_text = serializers.SerializerMethodField(help_text="正文的纯文本。")
    seo_title = serializers.SerializerMethodField(help_text="搜索结果与分享卡片的标题。")
    seo_description = serializers.SerializerMethodField(help_text="搜索结果与分享卡片的描述。")

    def get_plain_text(self, article) -> str:
        return text.plain_text(article.body)

    def get_seo_title(self, article) -> str:
        return seo.article_title(article)

    def get_seo_description(self, article) -> str:
        return seo.article_description(article)
