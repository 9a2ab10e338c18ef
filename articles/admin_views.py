"""Admin views beyond Django's and reversion's: comparing two saved revisions, the image
library for the body editor's picker and the multi-file upload, typing assistance."""

from django.contrib import messages
from django.contrib.admin.utils import quote, unquote
from django.core.exceptions import PermissionDenied
from django.http import Http404
from django.template.response import TemplateResponse
from django.urls import NoReverseMatch, reverse
from django.utils.translation import gettext, ngettext

from articles import revisions
from articles.forms import MultipleImageUploadForm, read_upload
from articles.images.library import StorageFull, store_image
from articles.images.validation import ImageRejected
from articles.permissions import may_change
from articles.preview import revision_preview_url

COMPARE_TEMPLATE = "admin/articles/article/compare.html"


def _version_id(request, name):
    value = request.GET.get(name)
    if value in (None, ""):
        return None
    try:
        return int(value)
    except (TypeError, ValueError):
        raise Http404(gettext("无效的版本编号：%(name)s") % {"name": name}) from None


def _admin_url(model_admin, name, *args):
    opts = model_admin.model._meta
    try:
        return reverse(
            f"{model_admin.admin_site.name}:{opts.app_label}_{opts.model_name}_{name}",
            args=args,
            current_app=model_admin.admin_site.name,
        )
    except NoReverseMatch:
        return None


def compare_view(model_admin, request, object_id):
    """Two revisions of one article, every field compared: GET `a` (older) and `b` (newer) are
    version ids of this article; by default the two newest. Needs view or change permission on
    the article. A fixed number of queries, however many versions the article has."""
    obj = model_admin.get_object(request, unquote(object_id))
    if obj is None:
        raise Http404(gettext("文章不存在。"))
    if not model_admin.has_view_or_change_permission(request, obj):
        raise PermissionDenied

    # Only the two compared versions' data is read (once each), not every listed version's.
    versions = list(revisions.versions_for(obj).defer("serialized_data"))
    by_id = {version.pk: version for version in versions}
    a_id, b_id = _version_id(request, "a"), _version_id(request, "b")
    for wanted in (a_id, b_id):
        if wanted is not None and wanted not in by_id:
            raise Http404(gettext("该版本不属于这篇文章。"))

    old = new = None
    if versions:
        new = by_id[b_id] if b_id is not None else versions[0]
        if a_id is not None:
            old = by_id[a_id]
        else:
            older = [v for v in versions if v.pk != new.pk]
            old = older[0] if older else new
        # Always read older → newer, whichever order the two were picked in.
        if (old.revision.date_created, old.pk) > (new.revision.date_created, new.pk):
            old, new = new, old

    comparison = revisions.compare(old, new) if old else None
    rows = [
        {
            "version": version,
            "revision": version.revision,
            "user": revisions.user_name(version.revision.user),
            "comment": version.revision.get_comment(),
            "restore_url": _admin_url(model_admin, "revision", quote(obj.pk), version.pk),
            "preview_url": revision_preview_url(obj, version),
        }
        for version in versions
    ]

    opts = model_admin.model._meta
    request.current_app = model_admin.admin_site.name
    context = {
        **model_admin.admin_site.each_context(request),
        "title": gettext("比较版本：%(article)s") % {"article": obj},
        "subtitle": None,
        "opts": opts,
        "app_label": opts.app_label,
        "object": obj,
        "object_id": object_id,
        "rows": rows,
        "old": old,
        "new": new,
        "comparison": comparison,
        "change_url": _admin_url(model_admin, "change", quote(obj.pk)),
        "history_url": _admin_url(model_admin, "history", quote(obj.pk)),
        "changelist_url": _admin_url(model_admin, "changelist"),
    }
    return TemplateResponse(request, COMPARE_TEMPLATE, context)


# --- The image library: the body editor's picker and the multi-file upload -------------------

IMAGE_LIBRARY_LIMIT = 50
UPLOAD_TEMPLATE = "admin/articles/image/upload.html"


def image_library_view(model_admin, request):
    """JSON for the body editor's image picker: up to 50 library images, newest first, whose
    alt text, caption, credit or source URL contain every word of GET `q`, each with the URL of
    its smallest rendition as `thumbnail` when it has renditions. One query, however many images
    there are. Needs view permission on images."""
    from django.db.models import Q
    from django.http import JsonResponse

    if not model_admin.has_view_permission(request):
        raise PermissionDenied

    # A library entry with neither a file nor a remote address has nothing to insert.
    images = model_admin.model._default_manager.exclude(file="", source_url="").order_by("-created_at", "-pk")
    for word in request.GET.get("q", "").split():
        images = images.filter(
            Q(alt_text__icontains=word)
            | Q(caption__icontains=word)
            | Q(credit__icontains=word)
            | Q(source_url__icontains=word)
        )
    wanted = request.GET.get("id", "")
    if wanted:
        # One image by its id: what the share preview asks when the hero image changes.
        images = images.filter(pk=int(wanted)) if wanted.isdigit() else images.none()
    rows = [
        library_row(image)
        for image in images.only(
            "pk", "file", "source_url", "alt_text", "caption", "width", "height", "renditions", "created_at"
        )[:IMAGE_LIBRARY_LIMIT]
    ]
    return JsonResponse({"images": rows}, json_dumps_params={"ensure_ascii": False})


def library_row(image):
    """An image as the picker and the share preview read it: its address, texts and size, the
    URL of its smallest rendition as `thumbnail` (when it has renditions) and of its share card."""
    row = {
        "id": image.pk,
        "url": image.url,
        "alt": image.alt_text,
        "caption": image.caption,
        "width": image.width,
        "height": image.height,
        "card": image.social_card_url,
    }
    thumbnail = image.thumbnail_url
    if thumbnail:
        row["thumbnail"] = thumbnail
    return row


def image_library_upload_view(model_admin, request):
    """JSON for the body editor's image picker: POST `file` into the library through
    store_image, as the multi-file upload does, answered with its library_row() as `image`:
    201 when stored, 200 when the same picture was there already, 400 with the reason as
    `error` when refused. Needs permission to add library images (permissions.may_change)."""
    from django.http import JsonResponse

    from articles.permissions import may_change

    if request.method != "POST":
        return JsonResponse({"error": gettext("只接受 POST 请求。")}, status=405, headers={"Allow": "POST"})
    if not may_change(request.user, model_admin.model()):
        return JsonResponse({"error": gettext("没有向图片库添加图片的权限。")}, status=403)
    upload = request.FILES.get("file")
    if upload is None:
        return JsonResponse({"error": gettext("没有收到文件。")}, status=400)
    result = _store_upload(model_admin, upload, {})
    if result["outcome"] == "refused":
        return JsonResponse({"error": result["reason"]}, status=400, json_dumps_params={"ensure_ascii": False})
    return JsonResponse(
        {"image": library_row(result["image"]), "created": result["outcome"] == "stored"},
        status=201 if result["outcome"] == "stored" else 200,
        json_dumps_params={"ensure_ascii": False},
    )


def image_upload_view(model_admin, request):
    """Several files into the library at once (GET: the form; POST: store each and show the
    outcome per file). Each file goes through store_image on its own: one refused file stops
    none of the others. Needs add permission on images."""
    if not may_change(request.user, model_admin.model()):
        raise PermissionDenied

    results = []
    if request.method == "POST":
        form = MultipleImageUploadForm(request.POST, request.FILES)
        if form.is_valid():
            fields = {
                "credit": form.cleaned_data["credit"],
                "source_url": form.cleaned_data["source_url"],
            }
            for upload in form.cleaned_data["files"]:
                results.append(_store_upload(model_admin, upload, fields))
            counts = {outcome: sum(r["outcome"] == outcome for r in results) for outcome in UPLOAD_OUTCOMES}
            messages.info(
                request,
                ngettext(
                    "处理了 %(total)d 个文件：存入 %(stored)d 个，已在图片库中 %(reused)d 个，拒收 %(refused)d 个。",
                    "处理了 %(total)d 个文件：存入 %(stored)d 个，已在图片库中 %(reused)d 个，拒收 %(refused)d 个。",
                    len(results),
                )
                % {"total": len(results), **counts},
            )
            form = MultipleImageUploadForm(initial=fields)
    else:
        form = MultipleImageUploadForm()

    opts = model_admin.model._meta
    request.current_app = model_admin.admin_site.name
    context = {
        **model_admin.admin_site.each_context(request),
        "title": gettext("批量上传图片"),
        "subtitle": None,
        "opts": opts,
        "app_label": opts.app_label,
        "form": form,
        "results": results,
        "changelist_url": _admin_url(model_admin, "changelist"),
    }
    return TemplateResponse(request, UPLOAD_TEMPLATE, context)


# One upload's fate: stored as a new image, reused (the same content was there), or refused.
UPLOAD_OUTCOMES = ("stored", "reused", "refused")


def _store_upload(model_admin, upload, fields):
    """{"name", "outcome", "image", "url", "reason"} for one uploaded file, stored if it may be."""
    result = {"name": upload.name, "image": None, "url": None, "reason": ""}
    try:
        stored = store_image(read_upload(upload), name=upload.name, **fields)
    except ImageRejected as error:
        return {**result, "outcome": "refused", "reason": str(error)}
    except StorageFull as full:
        return {**result, "outcome": "refused", "reason": full.strerror}
    return {
        **result,
        "outcome": "stored" if stored.created else "reused",
        "image": stored.image,
        "url": _admin_url(model_admin, "change", quote(stored.image.pk)),
    }


# --- Typing assistance in the article form: slug from the title, tag suggestions ------------

TAG_SUGGESTION_LIMIT = 10


def slug_from_title_view(model_admin, request):
    """JSON for static/articles/admin/slug-from-title.js: the readable, unique slug that
    Article.save() would give an article titled GET `title` (ignoring the row GET `pk`, the
    article being edited). Needs add or change permission on articles."""
    from django.http import JsonResponse

    from articles.slugs import readable_slug, unique_slug

    if not (model_admin.has_add_permission(request) or model_admin.has_change_permission(request)):
        raise PermissionDenied
    others = model_admin.model._default_manager.all()
    pk = request.GET.get("pk", "")
    if pk.isdigit():
        others = others.exclude(pk=int(pk))
    base = readable_slug(request.GET.get("title", ""), max_length=100, fallback="article")
    slug = unique_slug(base, lambda s: others.filter(slug=s).exists(), max_length=120)
    return JsonResponse({"slug": slug})


def tag_suggest_view(model_admin, request):
    """JSON for static/articles/admin/tag-suggest.js: up to 10 tag names containing GET `q`
    (case-insensitive), most used first. One query. Needs view permission on tags or change
    permission on articles."""
    from django.db.models import Count
    from django.http import JsonResponse

    user = request.user
    if not (model_admin.has_view_permission(request) or user.has_perm("articles.change_article")):
        raise PermissionDenied
    query = request.GET.get("q", "").strip()
    if not query:
        return JsonResponse({"tags": []})
    names = list(
        model_admin.model._default_manager.filter(name__icontains=query)
        .annotate(uses=Count("tagged_articles"))
        .order_by("-uses", "name")
        .values_list("name", flat=True)[:TAG_SUGGESTION_LIMIT]
    )
    return JsonResponse({"tags": names}, json_dumps_params={"ensure_ascii": False})
