from types import SimpleNamespace

from django.contrib import admin, messages
from django.contrib.admin.utils import unquote
from django.contrib.admin.views.main import ChangeList
from django.contrib.auth.admin import GroupAdmin, UserAdmin
from django.contrib.auth.models import Group, User
from django.core.exceptions import PermissionDenied
from django.db import router, transaction
from django.db.models import Count, Func, IntegerField, OuterRef, Prefetch, Q, Subquery
from django.http import Http404, HttpResponseNotAllowed, HttpResponseRedirect
from django.template.defaultfilters import filesizeformat
from django.urls import path, reverse
from django.utils import timezone
from django.utils.dateparse import parse_datetime
from django.utils.html import format_html, format_html_join
from django.utils.safestring import mark_safe
from django.utils.text import capfirst
from django.utils.translation import gettext, ngettext, pgettext_lazy
from django.utils.translation import gettext_lazy as _
from js_asset import Media, Script
from reversion.admin import VersionAdmin
from reversion.models import Version
from taggit.models import Tag as TaggitDefaultTag

from . import autosave, dashboard, revisions, workflow
from .editor import ARTICLE_EDITOR_CSS
from .forms import ArticleAdminForm, ArticleRestoreForm, ImageAdminForm
from .images.library import StorageFull, refresh_social_card, store_image
from .images.markup import picture_html
from .models import Article, Author, BodyImage, Category, Image, LegacyURL, Tag
from .permission_labels import PermissionLabelsMixin
from .permissions import can_view, is_editor, may_change

# Articles use our own Tag model (pinyin slugs, integer foreign keys); taggit's stays empty.
admin.site.unregister(TaggitDefaultTag)


@admin.register(Tag)
class TagAdmin(admin.ModelAdmin):
    list_display = ("name", "slug")
    search_fields = ("name", "slug")

    def get_urls(self):
        # The article form's tag input asks for completions here (articles.admin_views).
        info = self.opts.app_label, self.opts.model_name
        return [
            path(
                "suggest/",
                self.admin_site.admin_view(self.suggest_view),
                name="%s_%s_suggest" % info,
            ),
        ] + super().get_urls()

    def suggest_view(self, request):
        from .admin_views import tag_suggest_view

        return tag_suggest_view(self, request)


@admin.register(Category)
class CategoryAdmin(admin.ModelAdmin):
    # Editors choose the site header's sections here, and their order (articles.navigation.navigation_categories).
    list_display = ("indented_name", "slug", "url_path", "in_navigation", "position")
    list_editable = ("in_navigation", "position")
    list_filter = ("in_navigation", ("parent", admin.EmptyFieldListFilter))
    search_fields = ("name", "slug", "path")
    list_select_related = ("parent",)
    autocomplete_fields = ("parent",)
    fields = ("name", "slug", "parent", "description", "in_navigation", "position")

    @admin.display(description=_("名称"), ordering="path")
    def indented_name(self, category):
        return format_html("{}{}", "— " * category.depth, category.name)

    # Model fields without a Chinese verbose_name (giving them one would take a migration) are
    # shown through methods that name them.
    @admin.display(description=_("URL 路径"), ordering="path")
    def url_path(self, category):
        return category.path


@admin.register(Author)
class AuthorAdmin(admin.ModelAdmin):
    list_display = ("name", "slug", "user")
    search_fields = ("name", "slug")
    autocomplete_fields = ("user",)


# --- The image library -----------------------------------------------------------------------
#
# New files go through articles.images.library.store_image (checked, normalised, deduplicated,
# with renditions); a stored file is never replaced; an image in use is never deleted.

MISSING_ALT_TEXT = _("缺少替代文本")
IMAGE_ADMIN_CSS = "articles/admin/image-admin.css"
FOCAL_POINT_JS = "articles/admin/focal-point.js"


class ImageUsageFilter(admin.SimpleListFilter):
    title = _("使用情况")
    parameter_name = "usage"

    def lookups(self, request, model_admin):
        return [("used", _("已使用")), ("unused", _("未使用"))]

    def queryset(self, request, queryset):
        if self.value() == "unused":
            return queryset.unused()
        if self.value() == "used":
            return queryset.exclude(pk__in=Image.objects.unused().values("pk"))
        return queryset


class AltTextFilter(admin.SimpleListFilter):
    title = _("替代文本")
    parameter_name = "alt"

    def lookups(self, request, model_admin):
        return [("missing", MISSING_ALT_TEXT), ("present", _("已填写"))]

    def queryset(self, request, queryset):
        if self.value() == "missing":
            return queryset.missing_alt_text()
        if self.value() == "present":
            return queryset.exclude(pk__in=Image.objects.missing_alt_text().values("pk"))
        return queryset


def usage_count():
    """How many articles show the image (hero, thumbnail or body), each counted once: a
    subquery per row of the same query, so the list costs the same whatever its length."""
    in_bodies = BodyImage.objects.filter(image=OuterRef(OuterRef("pk"))).values("article")
    articles = Article.objects.filter(Q(hero_image=OuterRef("pk")) | Q(thumbnail=OuterRef("pk")) | Q(pk__in=in_bodies))
    return Subquery(
        articles.order_by().annotate(n=Func("pk", function="COUNT")).values("n"),
        output_field=IntegerField(),
    )


class AlreadyInLibrary(Exception):
    """The upload's content is a library image already: nothing was stored, show that one."""

    def __init__(self, image):
        super().__init__(image.pk)
        self.image = image


@admin.register(Image)
class ImageAdmin(admin.ModelAdmin):
    form = ImageAdminForm
    list_display = (
        "thumbnail", "display_title", "dimensions", "human_size", "format", "alt_text_or_mark",
        "credit", "usage",
    )  # fmt: skip
    list_display_links = ("thumbnail", "display_title")
    list_filter = (ImageUsageFilter, AltTextFilter, "format")
    search_fields = ("title", "alt_text", "caption", "credit", "source_url")
    list_per_page = 50
    change_list_template = "admin/articles/image/change_list.html"
    add_fieldsets = (
        (None, {"fields": ("upload", "title", "alt_text", "caption", "credit", "source_url")}),
        (_("焦点"), {"fields": ("focal_point_x", "focal_point_y")}),
    )
    change_fieldsets = (
        (None, {"fields": ("preview", "title", "alt_text", "caption", "credit", "source_url")}),
        (
            _("焦点"),
            {
                "fields": ("focal_point_x", "focal_point_y"),
                "description": _("社交分享卡片（1200×630）以焦点为中心裁剪；修改后卡片会重新生成。"),
            },
        ),
        (_("使用位置"), {"fields": ("usage_list",)}),
        (
            pgettext_lazy("fieldset", "文件"),
            {
                "fields": (
                    "file",
                    "dimensions",
                    "format",
                    "human_size",
                    "content_digest",
                    "rendition_list",
                    "created_at",
                )
            },
        ),
    )
    change_readonly_fields = (
        "preview", "usage_list", "file", "dimensions", "format", "human_size", "content_digest",
        "rendition_list", "created_at",
    )  # fmt: skip

    class Media:
        # The change page's preview: it fits its column, and a click on it sets the focal point.
        css = {"all": [IMAGE_ADMIN_CSS]}
        js = [Script(FOCAL_POINT_JS, type="module")]

    def get_queryset(self, request):
        return super().get_queryset(request).annotate(usage_count=usage_count())

    def has_change_permission(self, request, obj=None):
        if obj is None:
            return super().has_change_permission(request)
        # A picture shown on a live article (or anyone else's) is the editors' to change.
        return may_change(request.user, obj)

    def has_add_permission(self, request):
        return may_change(request.user, Image())

    def get_fieldsets(self, request, obj=None):
        return self.change_fieldsets if obj is not None else self.add_fieldsets

    def get_readonly_fields(self, request, obj=None):
        return self.change_readonly_fields if obj is not None else ()

    # --- Saving: new files through the library; a moved focal point renews the social card ---

    def save_model(self, request, obj, form, change):
        if change:
            if {"focal_point_x", "focal_point_y"} & set(form.changed_data):
                refresh_social_card(obj)
            super().save_model(request, obj, form, change)
            return
        stored = store_image(form.upload_data, name=form.upload_name, image=obj)
        if not stored.created:
            # Raised inside the add view's transaction, so that nothing is logged or saved.
            raise AlreadyInLibrary(stored.image)

    def add_view(self, request, form_url="", extra_context=None):
        try:
            return super().add_view(request, form_url, extra_context)
        except AlreadyInLibrary as reused:
            messages.info(
                request,
                format_html(
                    gettext("该图片已在图片库中：“{}”。没有另存一份，这里打开的是已有的图片。"),
                    reused.image,
                ),
            )
            return HttpResponseRedirect(self._image_url("change", reused.image.pk))
        except StorageFull as full:
            # Raised inside the add view's transaction: no row; store_image removed its files.
            messages.error(request, full.strerror)
            return HttpResponseRedirect(request.get_full_path())

    def _image_url(self, view, *args):
        return reverse(
            f"{self.admin_site.name}:{self.opts.app_label}_{self.opts.model_name}_{view}",
            args=args,
            current_app=self.admin_site.name,
        )

    # --- Deleting: never an image an article still shows --------------------------------------

    def get_deleted_objects(self, objs, request):
        """Django's list of what deleting `objs` takes along or is blocked by, plus the articles
        whose stored body shows an image without a BodyImage row (bodies written by update())."""
        deleted, model_count, perms_needed, protected = super().get_deleted_objects(objs, request)
        for image in objs:
            for article in image.bodies_referring().exclude(body_images=image).only("pk", "title"):
                protected.append(self._protecting_article(request, article))
        return deleted, model_count, perms_needed, protected

    def _protecting_article(self, request, article):
        """The article as Django names protecting objects: "文章: <a>title</a>"."""
        label = capfirst(Article._meta.verbose_name)
        if not request.user.has_perm("articles.view_article"):
            return f"{label}: {article}"
        return format_html('{}: <a href="{}">{}</a>', label, self._article_url(article), article)

    # --- Extra URLs: the editor's picker and the multi-file upload ----------------------------

    def get_urls(self):
        info = self.opts.app_label, self.opts.model_name
        return [
            # The body editor's image picker lists the library from here (articles.admin_views).
            path(
                "library/",
                self.admin_site.admin_view(self.library_view),
                name="%s_%s_library" % info,
            ),
            # The picker's own upload: one file in, its library row out (JSON).
            path(
                "library/upload/",
                self.admin_site.admin_view(self.library_upload_view),
                name="%s_%s_library_upload" % info,
            ),
            path(
                "upload/",
                self.admin_site.admin_view(self.upload_view),
                name="%s_%s_upload" % info,
            ),
        ] + super().get_urls()

    def library_view(self, request):
        from .admin_views import image_library_view

        return image_library_view(self, request)

    def library_upload_view(self, request):
        from .admin_views import image_library_upload_view

        return image_library_upload_view(self, request)

    def upload_view(self, request):
        from .admin_views import image_upload_view

        return image_upload_view(self, request)

    # --- The list --------------------------------------------------------------------------------

    @admin.display(description=_("缩略图"))
    def thumbnail(self, image):
        url = image.thumbnail_url or image.url
        if not url:
            return "—"
        # Legacy CDNs serve their pictures only to requests without a referrer.
        return format_html(
            '<img src="{}" alt="" width="64" height="48" loading="lazy" referrerpolicy="no-referrer"'
            ' class="image-thumb">',
            url,
        )

    @admin.display(description=_("标题"), ordering="title")
    def display_title(self, image):
        return str(image)

    @admin.display(description=_("尺寸"), ordering="width")
    def dimensions(self, image):
        return f"{image.width}×{image.height}" if image.width and image.height else "—"

    @admin.display(description=_("大小"), ordering="file_size")
    def human_size(self, image):
        return filesizeformat(image.file_size) if image.file_size else "—"

    @admin.display(description=_("替代文本"), ordering="alt_text")
    def alt_text_or_mark(self, image):
        if image.has_alt_text:
            return image.alt_text
        return format_html('<strong class="missing-alt-text">⚠ {}</strong>', MISSING_ALT_TEXT)

    @admin.display(description=_("使用次数"), ordering="usage_count")
    def usage(self, image):
        return image.usage_count

    @admin.display(description=_("文件 SHA-256"))
    def content_digest(self, image):
        return image.sha256 or "—"

    # --- The change page -------------------------------------------------------------------------

    @admin.display(description=_("预览"))
    def preview(self, image):
        if not image.url:
            return "—"
        # static/articles/admin/focal-point.js: a click on the picture sets the focal point.
        return format_html(
            '<div class="image-preview"><div class="focal-point-frame" data-focal-point-x="{}"'
            ' data-focal-point-y="{}">{}<span class="focal-point-marker" hidden></span></div>'
            '<p class="focal-point-hint">{}</p></div>',
            "" if image.focal_point_x is None else image.focal_point_x,
            "" if image.focal_point_y is None else image.focal_point_y,
            picture_html(image, sizes="(max-width: 767px) 100vw, 32rem", lazy=False),
            gettext("点击图片设定焦点（分享卡片以它为中心裁剪）；也可以在“焦点”一栏输入数值。"),
        )

    @admin.display(description=_("效果图"))
    def rendition_list(self, image):
        fallback_format = image.renditions.get("fallback_type", "image/jpeg").split("/")[-1].upper()
        rows = [
            (f"{width} px", kind, url)
            for width, webp, fallback in image.rendition_sources()
            for kind, url in (("WebP", webp), (fallback_format, fallback))
            if url
        ]
        if image.renditions.get("social"):
            rows.append((gettext("社交分享卡片"), "JPEG", image.social_card_url))
        if not rows:
            return "—"
        return format_html(
            '<table class="image-renditions"><tbody>{}</tbody></table>',
            format_html_join(
                "", '<tr><td>{}</td><td>{}</td><td><a href="{}">{}</a></td></tr>',
                ((label, kind, url, url.rsplit("/", 1)[-1]) for label, kind, url in rows),
            ),
        )  # fmt: skip

    @admin.display(description=_("使用位置"))
    def usage_list(self, image):
        roles = {
            "hero": gettext("头图"),
            "thumbnail": gettext("缩略图"),
            "body": gettext("正文"),
        }
        in_bodies = set(BodyImage.objects.filter(image=image).values_list("article_id", flat=True))
        articles = image.usage().only("pk", "title", "hero_image_id", "thumbnail_id")
        items = []
        for article in articles.order_by("title"):
            uses = [
                roles[role]
                for role, used in (
                    ("hero", article.hero_image_id == image.pk),
                    ("thumbnail", article.thumbnail_id == image.pk),
                    ("body", article.pk in in_bodies),
                )
                if used
            ]
            items.append((self._article_url(article), article, "、".join(uses)))
        if not items:
            return gettext("没有文章使用这张图片。")
        return format_html(
            '<ul class="image-usage">{}</ul>',
            format_html_join("", '<li><a href="{}">{}</a>（{}）</li>', items),
        )

    def _article_url(self, article):
        return reverse(f"{self.admin_site.name}:articles_article_change", args=[article.pk])


# --- Articles: the editorial workflow -------------------------------------------------------
#
# Every rule is enforced on the server (querysets, permission hooks, save_model, the workflow
# verbs); the templates only leave out what a user could not do anyway.

STATE_LABELS = {
    "draft": _("草稿"),
    "sent_back": _("已退回"),
    "review": _("待审核"),
    "scheduled": _("已排期"),
    "published": _("已发布"),
    "expired": _("已过期"),
    "unpublished": _("已撤下"),
    "archived": _("已归档"),
}

SLUG_FROM_TITLE_JS = "articles/admin/slug-from-title.js"
TAG_SUGGEST_JS = "articles/admin/tag-suggest.js"
TAG_SUGGEST_CSS = "articles/admin/tag-suggest.css"
SHARE_PREVIEW_JS = "articles/admin/share-preview.js"
AUTOSAVE_JS = "articles/admin/autosave.js"
AUTOSAVE_CSS = "articles/admin/autosave.css"

SLUG_HELP = _(
    "可以留空：保存时由标题自动生成拼音地址（如“后台文章” → hou-tai-wen-zhang）。"
    "输入标题时会按标题预先填好，可以改成自己的。发布后不可修改。"
)


def state_badge_html(state):
    # Colours per state in static/articles/admin/newsroom-admin.css (the CSP refuses style="").
    return format_html('<span class="article-state article-state--{}">{}</span>', state, STATE_LABELS.get(state, state))


class ArticleStateFilter(admin.SimpleListFilter):
    title = _("状态")
    parameter_name = "state"

    def lookups(self, request, model_admin):
        return [
            ("draft", _("草稿")),
            ("sent_back", _("已退回")),
            ("review", _("待审核（等待审核）")),
            ("scheduled", _("已排期")),
            ("published", _("已发布（在线）")),
            ("expired", _("已过期")),
            ("unpublished", _("已撤下")),
            ("archived", _("已归档")),
        ]

    def queryset(self, request, queryset):
        value = self.value()
        if value == "review":
            return queryset.awaiting_review()
        if value == "sent_back":
            return queryset.sent_back()
        if value == "scheduled":
            return queryset.scheduled()
        if value == "published":
            return queryset.published()
        if value == "expired":
            return queryset.filter(status=Article.Status.PUBLISHED, expires_at__lte=timezone.now())
        if value in {"draft", "unpublished", "archived"}:
            return queryset.filter(status=value)
        return queryset


class MineFilter(admin.SimpleListFilter):
    title = _("我的文章")
    parameter_name = "mine"

    def lookups(self, request, model_admin):
        return [("drafts", _("我的草稿")), ("all", _("我创建的全部"))]

    def queryset(self, request, queryset):
        if self.value() == "drafts":
            return queryset.filter(created_by=request.user, status=Article.Status.DRAFT)
        if self.value() == "all":
            return queryset.filter(created_by=request.user)
        return queryset


class CategoryTreeFilter(admin.SimpleListFilter):
    """A category and everything below it: choosing 科技 also lists articles filed in 科技 › 芯片."""

    title = _("分类（含下级）")
    parameter_name = "category"

    def lookups(self, request, model_admin):
        # The categories the person's own list files articles in, and those above them (choosing
        # one lists its whole subtree), named by their path; from the kept tree, so that the
        # sidebar costs the same two queries at most whatever the number of categories.
        from articles.navigation import categories_by_path

        known = categories_by_path()
        used = Category.objects.filed_with(model_admin.get_queryset(request)).values_list("path", flat=True)
        paths = {path for leaf in used if leaf in known for path in known[leaf].ancestor_paths()}
        return [(str(known[path].pk), known[path].display_path) for path in sorted(paths) if path in known]

    def queryset(self, request, queryset):
        if not self.value():
            return queryset
        # From the kept tree, as the reader's category page: with its subtree's ids and
        # commonness, in_category() reads the links by id instead of joining the paths.
        from articles.navigation import categories_by_path

        wanted = int(self.value()) if self.value().isdigit() else None
        category = next((c for c in categories_by_path().values() if c.pk == wanted), None)
        return queryset.in_category(category) if category else queryset.none()


class TagFilter(admin.SimpleListFilter):
    """The tags most used in the person's own list as choices; any tag id works in the URL
    (links from elsewhere)."""

    title = _("标签")
    parameter_name = "tag"
    CHOICES = 30

    def lookups(self, request, model_admin):
        visible = model_admin.get_queryset(request)
        tags = Tag.objects.all()
        if visible.query.has_filters():  # else all articles: no join to them
            # Filtered before counting: `uses` then counts the links to these articles only.
            tags = tags.filter(tagged_articles__content_object__in=visible.order_by().values("pk"))
        tags = tags.annotate(uses=Count("tagged_articles")).filter(uses__gt=0)
        return [(str(t.pk), t.name) for t in tags.order_by("-uses", "name")[: self.CHOICES]]

    def queryset(self, request, queryset):
        if not self.value():
            return queryset
        if not self.value().isdigit():
            return queryset.none()
        return queryset.filter(tags__pk=self.value())


class ArticleChangeList(ChangeList):
    """The list's rows: related rows joined or prefetched, bodies left out (constant queries)."""

    def get_queryset(self, request, exclude_parameters=None):
        return (
            super()
            .get_queryset(request, exclude_parameters)
            .prefetch_related(Prefetch("categories", queryset=Category.objects.only("name", "path").order_by("path")))
            .defer("body", "front_matter")
        )

    def get_results(self, request):
        super().get_results(request)
        # The 已退回 badge needs each shown row's latest move: read for the page's rows in one
        # query, since as an annotation of the list it would be computed for every row sorted.
        shown = {article.pk: article for article in self.result_list}
        latest = Article.objects.filter(pk__in=shown).with_latest_move().values_list("pk", "latest_verb")
        for pk, verb in latest:
            shown[pk].latest_verb = verb


RESTORE_NOTE = _(
    "下面是这一版本保存时的内容。确认并保存后，它将替换文章当前的内容；"
    "文章的状态、发布与下线时间、已发布的地址保持不变。"
)


@admin.register(Article)
class ArticleAdmin(VersionAdmin):
    # Optimistic lock: the hidden edit_version refuses a save made on an outdated copy.
    form = ArticleAdminForm
    list_display = (
        "title",
        "state_badge",
        "author",
        "category_list",
        "published_at",
        "updated_at",
        "thumb",
    )
    list_filter = (
        ArticleStateFilter,
        MineFilter,
        CategoryTreeFilter,
        ("author", admin.RelatedOnlyFieldListFilter),
        TagFilter,
        "published_at",
    )
    search_fields = ("title", "summary")
    date_hierarchy = "published_at"
    ordering = ("-updated_at", "-id")
    list_select_related = ("author", "thumbnail", "hero_image")
    autocomplete_fields = ("author", "categories", "hero_image", "thumbnail")
    readonly_fields = (
        "state_badge", "status", "created_by", "created_at", "updated_at",
        "source_archive", "source_path", "source_hash", "front_matter", "share_preview",
    )  # fmt: skip
    fieldsets = (
        (None, {"fields": ("title", "body", "edit_version")}),
        (_("摘要与地址"), {"fields": ("summary", "slug", "seo_title", "seo_description", "share_preview")}),
        (_("署名、分类与标签"), {"fields": ("author", "categories", "tags", "language")}),
        (
            pgettext_lazy("fieldset", "发布"),
            {"fields": ("state_badge", "published_at", "expires_at", "allow_comments", "created_by")},
        ),
        (_("图片"), {"fields": ("hero_image", "thumbnail")}),
        (
            _("来源"),
            {
                "classes": ("collapse",),
                "fields": ("source_archive", "source_path", "source_hash", "front_matter", "created_at", "updated_at"),
            },
        ),
    )
    actions = ("submit_selected", "publish_selected", "unpublish_selected", "archive_selected")
    change_list_template = "admin/articles/article/change_list.html"
    history_latest_first = True

    class Media:
        # Slug prefilled from the title, tag completions, the search-result and share-card preview,
        # autosave and the warning before leaving unsaved edits (addresses and settings come from
        # data attributes).
        css = {"all": [TAG_SUGGEST_CSS, ARTICLE_EDITOR_CSS, AUTOSAVE_CSS]}
        js = [
            Script(SLUG_FROM_TITLE_JS, type="module"),
            Script(TAG_SUGGEST_JS, type="module"),
            Script(SHARE_PREVIEW_JS, type="module"),
            Script(AUTOSAVE_JS, type="module"),
        ]

    # --- Who sees and changes what ----------------------------------------------------------

    def get_queryset(self, request):
        # Writers never see other writers' articles: not in the list, not by URL, not in actions.
        # They do see all of their own, in every state (read-only once submitted), so that they
        # can follow and withdraw a submission; whether they may edit is has_change_permission's.
        queryset = super().get_queryset(request)
        if request.user.is_superuser:
            return queryset
        return queryset.visible_to(request.user)

    def get_changelist(self, request, **kwargs):
        return ArticleChangeList

    def has_view_permission(self, request, obj=None):
        if not super().has_view_permission(request, obj):
            return False
        return obj is None or can_view(request.user, obj)

    def has_change_permission(self, request, obj=None):
        if obj is None:
            return super().has_change_permission(request)
        # The gate judges the row as stored, not `obj`: in the revision view `obj` is an old
        # version that reversion wrote over the row before Django's own checks ran.
        stored = self._stored(request, obj.pk)
        return stored is not None and may_change(request.user, obj, stored=stored)

    def has_delete_permission(self, request, obj=None):
        return is_editor(request.user) and super().has_delete_permission(request, obj)

    def has_publish_permission(self, request):
        return is_editor(request.user)

    def get_readonly_fields(self, request, obj=None):
        fields = list(super().get_readonly_fields(request, obj))
        if not is_editor(request.user):
            # Writers propose; editors decide when an article goes live and comes down.
            fields += ["published_at", "expires_at"]
        # A published address is a promise to readers and search engines. (The stored state: in
        # the revision view `obj` holds an old version's.)
        stored = self._stored(request, obj.pk) if obj is not None else None
        if stored is not None and stored.status in {
            Article.Status.PUBLISHED,
            Article.Status.UNPUBLISHED,
            Article.Status.ARCHIVED,
        }:
            fields.append("slug")
        return fields

    def formfield_for_dbfield(self, db_field, request, **kwargs):
        formfield = super().formfield_for_dbfield(db_field, request, **kwargs)
        if formfield is not None and db_field.name == "slug":
            formfield.help_text = SLUG_HELP
            # static/articles/admin/slug-from-title.js asks this address for the title's slug.
            formfield.widget.attrs["data-slug-url"] = reverse(
                f"{self.admin_site.name}:articles_article_slug", current_app=self.admin_site.name
            )
        elif formfield is not None and db_field.name == "tags":
            # static/articles/admin/tag-suggest.js asks this address for completions.
            formfield.widget.attrs["data-suggest-url"] = reverse(
                f"{self.admin_site.name}:articles_tag_suggest", current_app=self.admin_site.name
            )
            formfield.widget.attrs["autocomplete"] = "off"
        return formfield

    def get_changeform_initial_data(self, request):
        initial = super().get_changeform_initial_data(request)
        # A writer's byline is their own author profile, when they have one.
        profile = Author.objects.filter(user=request.user).first()
        if profile is not None:
            initial.setdefault("author", profile.pk)
        return initial

    def save_model(self, request, obj, form, change):
        """States move only through the workflow verbs; no posted field can move one."""
        if not change:
            obj.created_by = request.user
            obj.status = Article.Status.DRAFT
            if not is_editor(request.user):
                obj.published_at = obj.expires_at = None
        else:
            stored = self._stored(request, obj.pk)
            if stored is not None:
                obj.status = stored.status
                obj.created_by_id = stored.created_by_id
                obj.edit_version = max(obj.edit_version, stored.edit_version)
                if not is_editor(request.user) or getattr(request, "_restoring", False):
                    # Writers propose; editors decide the times. A restored revision brings back
                    # its text, never the dates it had.
                    obj.published_at, obj.expires_at = stored.published_at, stored.expires_at
                if "slug" not in form.fields:
                    obj.slug = stored.slug  # a published address stays, whatever the revision held
            if getattr(request, "_recovering", False):
                # A deleted article comes back as a draft: going live again takes a publication.
                obj.status = Article.Status.DRAFT
        if self._moves_only(request, form, change):
            return
        super().save_model(request, obj, form, change)

    def save_related(self, request, form, formsets, change):
        if not getattr(request, "_moves_only", False):
            super().save_related(request, form, formsets, change)

    def log_change(self, request, obj, message):
        if not getattr(request, "_moves_only", False):
            super().log_change(request, obj, message)

    @staticmethod
    def _moves_only(request, form, change):
        """A workflow button pressed on an unchanged form moves the article without saving it
        (no empty revision, no log entry)."""
        request._moves_only = bool(change and "_workflow" in request.POST and not form.has_changed())
        return request._moves_only

    # Read once a request, before anything in it rewrites the row (see has_change_permission).
    STORED_FIELDS = (
        "status", "created_by_id", "published_at", "expires_at", "edit_version", "slug",
    )  # fmt: skip

    def _stored(self, request, pk):
        """The article `pk` as stored when this request first asked (None if there is none)."""
        kept = request.__dict__.setdefault("_stored_articles", {})
        if pk not in kept:
            values = Article.objects.filter(pk=pk).values("pk", *self.STORED_FIELDS).first()
            kept[pk] = SimpleNamespace(**values) if values else None
        return kept[pk]

    # --- Revisions (django-reversion) -------------------------------------------------------

    def revision_view(self, request, object_id, version_id, extra_context=None):
        """Restore an old revision: only by those who may change the article as it is stored,
        confirmed, keeping today's state, dates, writer and published address."""
        article = self.get_object(request, unquote(object_id))
        if article is None or not self.has_view_permission(request, article):
            raise PermissionDenied
        # Asked before reversion reverts the row (it does so before Django's own checks), and
        # kept for the request: every later check and save_model see the row as it was.
        if not self.has_change_permission(request, article):
            raise PermissionDenied
        stored = self._stored(request, article.pk)
        if request.method == "POST" and "_saveasnew" in request.POST:
            # A copy would leave the reverted row (old state included) behind, committed.
            raise PermissionDenied
        request._restoring = True
        version = Version.objects.filter(pk=version_id, object_id=str(article.pk)).first()
        stored_values = revisions.stored_values(version) if version is not None else None
        request._restored_tag_names = (stored_values or {}).get("tags")
        with transaction.atomic(using=router.db_for_write(Article)):
            response = super().revision_view(request, object_id, version_id, extra_context)
            if request.method == "POST" and response.status_code == 302:
                now = Article.objects.filter(pk=article.pk).values(*self.STORED_FIELDS[:4]).first()
                if now != {field: getattr(stored, field) for field in self.STORED_FIELDS[:4]}:
                    # Defence in depth: whatever path saved, a restore never moves the state.
                    raise PermissionDenied
        return response

    def recover_view(self, request, version_id, extra_context=None):
        if not (is_editor(request.user) and may_change(request.user, Article())):
            raise PermissionDenied
        request._recovering = True
        return super().recover_view(request, version_id, extra_context)

    def changeform_view(self, request, object_id=None, form_url="", extra_context=None):
        if request.method == "POST" and "_saveasnew" in request.POST:
            raise PermissionDenied  # "save as new" is not offered for articles
        return super().changeform_view(request, object_id, form_url, extra_context)

    def get_form(self, request, obj=None, change=False, **kwargs):
        if getattr(request, "_restoring", False):
            kwargs["form"] = type(
                "ArticleRestoreForm", (ArticleRestoreForm,), {"restored_tag_names": request._restored_tag_names}
            )
        return super().get_form(request, obj, change=change, **kwargs)

    def get_fieldsets(self, request, obj=None):
        fieldsets = super().get_fieldsets(request, obj)
        if getattr(request, "_restoring", False):
            # Restoring keeps today's state and dates: they are not part of what is brought back.
            kept = {"published_at", "expires_at", "state_badge"}
            fieldsets = [
                (name, {**options, "fields": [f for f in options["fields"] if f not in kept]})
                for name, options in fieldsets
            ]
            return [(_("恢复此版本"), {"fields": ["confirm_restore"], "description": RESTORE_NOTE})] + fieldsets
        if obj is None or self.has_change_permission(request, obj):
            return fieldsets
        # Read-only: the body as readers will see it, not its HTML source.
        return [
            (name, {**options, "fields": ["body_as_shown" if f == "body" else f for f in options["fields"]]})
            for name, options in fieldsets
        ]

    def history_view(self, request, object_id, extra_context=None):
        response = super().history_view(request, object_id, extra_context)
        article = self.get_object(request, unquote(object_id))
        if (
            article is not None
            and hasattr(response, "context_data")
            and not self.has_change_permission(request, article)
        ):
            # Someone who may not restore reads old versions through the comparison instead.
            compare = reverse(
                f"{self.admin_site.name}:articles_article_compare", args=[article.pk], current_app=self.admin_site.name
            )
            for action in response.context_data.get("action_list", []):
                version = action["url"].rstrip("/").rsplit("/", 1)[-1]
                action["url"] = f"{compare}?b={version}"
        return response

    def changelist_view(self, request, extra_context=None):
        context = {"can_recover": is_editor(request.user) and self.has_add_permission(request)}
        return super().changelist_view(request, {**context, **(extra_context or {})})

    def recoverlist_view(self, request, extra_context=None):
        # Deleted articles may be anyone's: only editors (who can delete) may browse or restore.
        if not is_editor(request.user):
            raise PermissionDenied
        return super().recoverlist_view(request, extra_context)

    # --- Extra URLs: workflow verbs and the revision comparison -----------------------------

    def get_urls(self):
        info = self.opts.app_label, self.opts.model_name
        view = self.admin_site.admin_view  # login, staff and CSRF checks
        return [
            path(
                "<path:object_id>/workflow/<str:verb>/",
                view(self.workflow_view),
                name="%s_%s_workflow" % info,
            ),
            path("<path:object_id>/compare/", view(self.compare_view), name="%s_%s_compare" % info),
            path("slug/", view(self.slug_view), name="%s_%s_slug" % info),
            *autosave.admin_urls(self),  # before <object_id>/: the form's content kept while typing
        ] + super().get_urls()

    def slug_view(self, request):
        from .admin_views import slug_from_title_view

        return slug_from_title_view(self, request)

    def _visible_article(self, request, object_id):
        article = self.get_object(request, unquote(object_id))
        if article is None or not self.has_view_permission(request, article):
            raise Http404(gettext("没有这篇文章。"))
        return article

    def workflow_view(self, request, object_id, verb):
        """A move on its own (people who may not edit the article, bulk-free hand-made posts);
        people who may edit it move through the change form, which saves their edits first."""
        if request.method != "POST":
            return HttpResponseNotAllowed(["POST"])
        if verb not in workflow.VERBS:
            raise Http404(gettext("没有这个操作。"))
        article = self._visible_article(request, object_id)
        # PermissionDenied propagates: a user who may not do this gets a 403 and no change.
        self._move(request, article, verb, request.POST.get("comment", ""), request.POST.get("publish_at", ""))
        return HttpResponseRedirect(self._change_url(article))

    def response_change(self, request, obj):
        verb = request.POST.get("_workflow")
        if verb is None:
            return super().response_change(request, obj)
        # The form was saved (or had nothing to save) in this request; the move comes second,
        # and its refusal keeps the saved edits.
        if verb not in workflow.VERBS:
            messages.error(request, gettext("没有这个操作。"))
            return HttpResponseRedirect(self._change_url(obj))
        if not getattr(request, "_moves_only", False):
            messages.success(request, gettext("修改已保存。"))
        comment = request.POST.get(f"_workflow_comment_{verb}", "")
        try:
            self._move(request, obj, verb, comment, request.POST.get("_workflow_publish_at", ""))
        except PermissionDenied as refusal:
            messages.error(
                request,
                gettext("未能%(action)s：%(reason)s")
                % {"action": workflow.VERBS[verb].label, "reason": str(refusal) or gettext("没有权限。")},
            )
        return HttpResponseRedirect(self._change_url(obj))

    def _change_url(self, article):
        return reverse(
            f"{self.admin_site.name}:{self.opts.app_label}_{self.opts.model_name}_change",
            args=[article.pk],
            current_app=self.admin_site.name,
        )

    def _move(self, request, article, verb, comment, publish_at):
        """Apply `verb` to `article` for the request's user and say how it went (messages).
        Raises PermissionDenied when the user may not."""
        label = workflow.VERBS[verb].label
        kwargs = {"by": request.user, "comment": comment.strip()}
        if verb == "publish" and publish_at.strip():
            try:
                at = parse_datetime(publish_at.strip())
            except ValueError:
                at = None
            if at is None:
                messages.error(request, gettext("发布时间格式不正确，请重新选择。"))
                return
            kwargs["at"] = timezone.make_aware(at) if timezone.is_naive(at) else at
        try:
            getattr(workflow, verb)(article, **kwargs)
        except workflow.WorkflowError as error:
            messages.error(request, gettext("未能%(action)s：%(reason)s") % {"action": label, "reason": error})
            return
        if article.is_scheduled:
            when = timezone.localtime(article.published_at).strftime("%Y-%m-%d %H:%M")
            messages.success(
                request,
                gettext("《%(title)s》已安排在 %(when)s 发布。") % {"title": article.title, "when": when},
            )
        else:
            messages.success(
                request, gettext("《%(title)s》：%(action)s完成。") % {"title": article.title, "action": label}
            )

    def compare_view(self, request, object_id):
        self._visible_article(request, object_id)
        from .admin_views import compare_view

        return compare_view(self, request, object_id)

    # --- The change page ---------------------------------------------------------------------

    def save_form(self, request, form, change):
        # The valid form is being saved, in the view's transaction: what autosave kept of it is
        # done with (a save that fails after this rolls the deletion back).
        autosave.discard_on_save(request.user, form.instance, adding=not change)
        return super().save_form(request, form, change)

    def render_change_form(self, request, context, add=False, change=False, form_url="", obj=None):
        # Autosave's settings and offer; ?autosave=restore fills the form with what was kept.
        context.update(autosave.form_context(self, request, context, obj))
        if obj is not None and change and not (context.get("revert") or context.get("recover")):
            context.update(self._workflow_context(request, obj))
            context.update(dashboard.change_page_notes(request.user, obj))
            verb = request.POST.get("_workflow") if request.method == "POST" else None
            if verb in workflow.VERBS:
                # The form did not validate, so nothing was saved and the move was not made.
                context["workflow_move_not_made"] = workflow.VERBS[verb].label
                context["workflow_input"] = {
                    "verb": verb,
                    "comment": request.POST.get(f"_workflow_comment_{verb}", ""),
                    "publish_at": request.POST.get("_workflow_publish_at", ""),
                }
        # The rich-text editor's import map is an inline <script>: the Content-Security-Policy
        # lets it run by the request's nonce (django-csp adds it to the header once read).
        context["media"] = Media.from_media(context["media"], nonce=request.csp_nonce)
        return super().render_change_form(request, context, add, change, form_url, obj)

    def _workflow_context(self, request, article):
        from . import preview

        name = f"{self.admin_site.name}:{self.opts.app_label}_{self.opts.model_name}"
        statuses = dict(Article.Status.choices)
        transitions = list(article.transitions.select_related("by"))
        for transition in transitions:
            transition.from_label = statuses.get(transition.from_status, transition.from_status)
            transition.to_label = statuses.get(transition.to_status, transition.to_status)
        return {
            "workflow_panel": True,
            # Moves made by someone who may edit go through the change form: its edits are saved
            # first, in the same request, and never lost behind a workflow button.
            "moves_save_the_form": self.has_change_permission(request, article),
            "form_id": f"{self.opts.model_name}_form",
            "article_state": state_badge_html(article.display_state),
            "workflow_actions": [
                {
                    "verb": verb,
                    "label": workflow.VERBS[verb].label,
                    "url": reverse(f"{name}_workflow", args=[article.pk, verb]),
                    "needs_comment": verb == "send_back",
                    "schedules": verb == "publish",
                }
                for verb in workflow.allowed_verbs(request.user, article)
            ],
            "transitions": transitions,
            "preview_url": preview.preview_url(article),
            "share_url": preview.share_url(article, request),
            "history_url": reverse(f"{name}_history", args=[article.pk]),
            "compare_url": reverse(f"{name}_compare", args=[article.pk]),
        }

    @admin.display(description=_("搜索与分享预览"))
    def share_preview(self, article):
        from .share_preview import share_preview_html

        return share_preview_html(article)

    @admin.display(description=_("正文"))
    def body_as_shown(self, article):
        # Every way of storing a body sanitizes it (articles.bodies): the stored HTML is safe.
        return format_html('<div class="article-body-read-only">{}</div>', mark_safe(article.body))

    # --- The list ----------------------------------------------------------------------------

    @admin.display(description=_("状态"), ordering="status")
    def state_badge(self, article):
        return state_badge_html(article.display_state)

    @admin.display(description=_("分类"))
    def category_list(self, article):
        return "、".join(category.name for category in article.categories.all()) or "—"

    @admin.display(description=_("缩略图"))
    def thumb(self, article):
        image = article.thumbnail or article.hero_image
        if image is None or not image.url:
            return "—"
        return format_html(
            '<img src="{}" alt="" width="48" height="32" loading="lazy" class="article-thumb">',
            image.url,
        )

    def view_on_site(self, article):
        return article.get_absolute_url() if article.is_published else None

    # --- Bulk actions: one workflow verb per article, refusals reported one by one -----------

    MAX_REFUSALS_SHOWN = 20

    def _apply_to_each(self, request, queryset, verb):
        label = workflow.VERBS[verb].label
        done, refused = 0, []
        for article in (
            queryset.select_related(None).prefetch_related(None).only("pk", "title", "status", "published_at")
        ):
            try:
                getattr(workflow, verb)(article, by=request.user)
            except (workflow.WorkflowError, PermissionDenied) as error:
                refused.append((article, str(error) or gettext("没有权限。")))
            else:
                done += 1
        if done:
            messages.success(
                request,
                ngettext("%(action)s：%(count)d 篇完成。", "%(action)s：%(count)d 篇完成。", done)
                % {"action": label, "count": done},
            )
        for article, reason in refused[: self.MAX_REFUSALS_SHOWN]:
            messages.warning(
                request,
                gettext("《%(title)s》未能%(action)s：%(reason)s")
                % {"title": article.title, "action": label, "reason": reason},
            )
        if len(refused) > self.MAX_REFUSALS_SHOWN:
            more = len(refused) - self.MAX_REFUSALS_SHOWN
            messages.warning(
                request,
                ngettext("另有 %(count)d 篇未能%(action)s。", "另有 %(count)d 篇未能%(action)s。", more)
                % {"count": more, "action": label},
            )

    @admin.action(description=_("提交审核"), permissions=["change"])
    def submit_selected(self, request, queryset):
        self._apply_to_each(request, queryset, "submit")

    @admin.action(description=_("立即发布"), permissions=["publish"])
    def publish_selected(self, request, queryset):
        self._apply_to_each(request, queryset, "publish")

    @admin.action(description=_("撤下"), permissions=["publish"])
    def unpublish_selected(self, request, queryset):
        self._apply_to_each(request, queryset, "unpublish")

    @admin.action(description=_("归档"), permissions=["publish"])
    def archive_selected(self, request, queryset):
        self._apply_to_each(request, queryset, "archive")


@admin.register(LegacyURL)
class LegacyURLAdmin(admin.ModelAdmin):
    list_display = ("path", "article", "added_at")
    search_fields = ("path", "article__title")
    list_select_related = ("article",)
    autocomplete_fields = ("article",)

    @admin.display(description=_("创建时间"), ordering="created_at")
    def added_at(self, legacy_url):
        return legacy_url.created_at


# --- Accounts: permissions named in the admin's language (articles.permission_labels) --------

admin.site.unregister(User)
admin.site.unregister(Group)


@admin.register(User)
class NewsroomUserAdmin(PermissionLabelsMixin, UserAdmin):
    pass


@admin.register(Group)
class NewsroomGroupAdmin(PermissionLabelsMixin, GroupAdmin):
    pass


from . import comment_admin  # noqa: E402,F401 - registers the moderation queue (CommentAdmin)
