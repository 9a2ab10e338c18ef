from django.contrib import admin
from django.utils.html import format_html
from taggit.models import Tag as TaggitDefaultTag

from .models import Article, Author, Category, Image, LegacyURL, Tag

# Articles use our own Tag model (pinyin slugs, integer foreign keys); taggit's stays empty.
admin.site.unregister(TaggitDefaultTag)


@admin.register(Tag)
class TagAdmin(admin.ModelAdmin):
    list_display = ("name", "slug")
    search_fields = ("name", "slug")


@admin.register(Category)
class CategoryAdmin(admin.ModelAdmin):
    list_display = ("indented_name", "slug", "path", "position")
    search_fields = ("name", "slug", "path")
    list_select_related = ("parent",)
    autocomplete_fields = ("parent",)
    fields = ("name", "slug", "parent", "description", "position")

    @admin.display(description="名称", ordering="path")
    def indented_name(self, category):
        return format_html("{}{}", "— " * category.depth, category.name)


@admin.register(Author)
class AuthorAdmin(admin.ModelAdmin):
    list_display = ("name", "slug", "user")
    search_fields = ("name", "slug")
    autocomplete_fields = ("user",)


@admin.register(Image)
class ImageAdmin(admin.ModelAdmin):
    list_display = ("__str__", "width", "height", "credit", "source_url", "created_at")
    search_fields = ("alt_text", "caption", "credit", "source_url")
    readonly_fields = ("width", "height", "sha256", "created_at")


@admin.register(Article)
class ArticleAdmin(admin.ModelAdmin):
    list_display = ("title", "author", "status", "published_at", "updated_at")
    list_filter = ("status", "categories", "author")
    search_fields = ("title", "summary", "slug")
    date_hierarchy = "published_at"
    list_select_related = ("author",)
    autocomplete_fields = ("author", "categories", "hero_image", "thumbnail")
    readonly_fields = ("created_at", "updated_at", "source_path", "source_hash", "front_matter")
    fieldsets = (
        (None, {"fields": ("title", "slug", "author", "summary", "body")}),
        ("发布", {"fields": ("status", "published_at", "allow_comments")}),
        ("分类与图片", {"fields": ("categories", "tags", "hero_image", "thumbnail")}),
        (
            "来源",
            {
                "classes": ("collapse",),
                "fields": ("source_path", "source_hash", "front_matter", "created_at", "updated_at"),
            },
        ),
    )

    def get_readonly_fields(self, request, obj=None):
        fields = super().get_readonly_fields(request, obj)
        # A published address is a promise to readers and search engines.
        if obj is not None and obj.status == Article.Status.PUBLISHED:
            fields = (*fields, "slug")
        return fields

    def view_on_site(self, article):
        return article.get_absolute_url() if article.is_published else None


@admin.register(LegacyURL)
class LegacyURLAdmin(admin.ModelAdmin):
    list_display = ("path", "article", "created_at")
    search_fields = ("path", "article__title")
    list_select_related = ("article",)
    autocomplete_fields = ("article",)
