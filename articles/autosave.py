"""Autosave: what a person types into the article form, kept server-side while they type.

An autosave is never a revision and never touches the article's row: one per person and article
(and one per person for a new article not yet saved), replaced by each keep, offered back when
the form is opened again, and gone when the form is saved or the person discards it.

`data` holds the form's fields as the browser posted them (name -> list of values), the body
already through the one sanitizer, so that restoring reads it back exactly as the form's widgets
read a POST. static/articles/admin/autosave.js posts here; the admin's change form shows the offer
(templates/admin/articles/article/autosave.html) and saving the form discards what was kept.
"""

import re
from typing import NamedTuple

from django.conf import settings as django_settings
from django.contrib import messages
from django.contrib.admin.utils import unquote
from django.http import HttpResponseRedirect, JsonResponse
from django.urls import path, reverse
from django.utils import timezone
from django.utils.datastructures import MultiValueDict
from django.utils.translation import gettext

from articles import revisions
from articles.models import Autosave
from articles.permissions import may_change
from articles.sanitize import MarkupTooComplex, clean_html

# An autosave posts the whole form. Kept below Django's own request limit
# (DATA_UPLOAD_MAX_MEMORY_SIZE), so that an oversized one gets this module's clear answer.
MAX_BYTES = 2 * 1024 * 1024

# GET parameter of the change and add pages: open the form filled with the person's autosave.
RESTORE_PARAMETER = "autosave"
RESTORE_VALUE = "restore"

# Fields the form carries that are not typed content: the edit lock stays the article's own.
NOT_KEPT = frozenset({"edit_version"})

# The fields whose text the offer shows line by line; others are named when they differ.
TEXT_FIELDS = ("title", "summary", "body")

# Multi-part widgets (date and time) post their parts as name_0, name_1 ...
_PART_SUFFIX = re.compile(r"_\d+$")


# --- Reading and writing --------------------------------------------------------------------


def autosave_of(user, article):
    """`user`'s autosave of `article` (None: their new, unsaved article), or None."""
    return Autosave.objects.filter(user=user, article=article).first()


def kept_fields(field_names, posted):
    """The posted values (name -> list of strings) of the named form fields, the body sanitized."""
    fields = set(field_names) - NOT_KEPT
    data = {name: posted.getlist(name) for name in posted if name in fields or _PART_SUFFIX.sub("", name) in fields}
    if "body" in data:
        try:
            data["body"] = [clean_html(value) for value in data["body"]]
        except MarkupTooComplex:
            # Past the sanitizer's bounds: the form refuses it when saved; the autosave keeps
            # the rest of the fields.
            del data["body"]
    return data


def keep(user, article, data, *, base_edit_version=0):
    """Replace `user`'s autosave of `article` (None: their new article) with `data`; return it.

    The caller has asked the gate (may_change) for this person and article.
    """
    autosave, _created = Autosave.objects.update_or_create(
        user=user,
        article=article,
        defaults={"data": data, "base_edit_version": base_edit_version, "saved_at": timezone.now()},
    )
    return autosave


def discard(user, article):
    """Delete `user`'s autosave of `article` (None: their new article), if there is one."""
    Autosave.objects.filter(user=user, article=article).delete()


def form_values(form, data):
    """What `form`'s widgets read from `data` for each kept field, as from a POST: the values a
    restored form starts with (a checkbox left out of `data` reads as unticked, as posted)."""
    posted, no_files = MultiValueDict(data), MultiValueDict()
    return {
        name: field.widget.value_from_datadict(posted, no_files, form.add_prefix(name))
        for name, field in form.fields.items()
        if name not in NOT_KEPT and not field.disabled
    }


class TextChange(NamedTuple):
    label: str
    lines: list  # revisions.DiffLine, each run of unchanged lines folded into UNCHANGED_RUN


class Difference(NamedTuple):
    texts: list  # TextChange of title, summary and body, only those that differ
    other_fields: list  # labels of the other fields that differ

    def __bool__(self):
        return bool(self.texts or self.other_fields)


def _text_lines(name, value):
    """A text field's lines as the offer compares them: the body as its readable sentences."""
    if name == "body":
        return revisions.body_lines(value or "")
    return [line.strip() for line in (value or "").splitlines() if line.strip()]


def difference(form, data):
    """How `data` differs from what `form` shows now (the stored article, or an empty new one)."""
    values = form_values(form, data)
    shown = {name: form.get_initial_for_field(field, name) for name, field in form.fields.items()}
    texts = []
    for name in TEXT_FIELDS:
        if name not in values:
            continue
        lines = revisions.diff_lines(_text_lines(name, shown[name]), _text_lines(name, values[name]))
        if any(line.kind != revisions.SAME for line in lines):
            texts.append(TextChange(str(form.fields[name].label), changed_lines(lines)))
    other_fields = [
        str(field.label)
        for name, field in form.fields.items()
        if name in values and name not in TEXT_FIELDS and field.has_changed(shown[name], values[name])
    ]
    return Difference(texts, other_fields)


# Stands for a run of unchanged lines in the offer, which shows only what changed.
UNCHANGED_RUN = revisions.DiffLine(revisions.SAME, "…")


def changed_lines(lines):
    """`lines` with every run of unchanged lines folded into one UNCHANGED_RUN."""
    folded = []
    for line in lines:
        if line.kind != revisions.SAME:
            folded.append(line)
        elif not folded or folded[-1] is not UNCHANGED_RUN:
            folded.append(UNCHANGED_RUN)
    return folded


# --- The change and add pages ---------------------------------------------------------------


def restoring(request):
    return request.method == "GET" and request.GET.get(RESTORE_PARAMETER) == RESTORE_VALUE


def fill_from(form, autosave):
    """Show the unbound `form` holding `autosave`'s values; its edit lock stays the current one,
    so that saving the restored form works."""
    form.initial.update(form_values(form, autosave.data))
    # A bound field reads its initial value once: any read before this one must not stick.
    form._bound_fields_cache.clear()


def form_context(model_admin, request, context, article):
    """The change or add page's autosave settings and, when the person has kept something newer
    than the article's last save that differs from it, the offer to restore or discard it.

    Costs one query (the person's autosave) whether or not there is something to offer.
    """
    form = context["adminform"].form
    # A read-only form has no typed fields (the admin leaves them all out): nothing to keep.
    if context.get("revert") or context.get("recover") or not set(form.fields) - NOT_KEPT:
        return {}
    pk = getattr(article, "pk", None)
    settings = {
        "url": _url(model_admin, "autosave", pk),
        "discard_url": _url(model_admin, "autosave_discard", pk),
        "seconds": django_settings.NEWSROOM["AUTOSAVE_SECONDS"],  # read when the page is rendered
        # A refused save shows the form again with what was typed: not saved, whatever it holds.
        "unsaved": request.method == "POST",
    }
    if request.method != "GET":
        return {"autosave": settings}
    autosave = autosave_of(request.user, article)
    if autosave is None:
        return {"autosave": settings}
    if restoring(request):
        fill_from(form, autosave)
        return {"autosave": {**settings, "unsaved": True, "restored": autosave}}
    if article is not None and autosave.saved_at <= article.updated_at:
        return {"autosave": settings}
    changes = difference(form, autosave.data)
    if not changes:
        return {"autosave": settings}
    offer = {
        "kept": autosave,
        "changes": changes,
        "restore_url": f"{request.path}?{RESTORE_PARAMETER}={RESTORE_VALUE}",
        # Changed by someone (or some save) since this was typed: restoring would write over it.
        "article_changed": article is not None and autosave.base_edit_version != form.initial.get("edit_version"),
    }
    return {"autosave": {**settings, "offer": offer}}


def _url(model_admin, view, pk):
    """The admin address `view` ("autosave", "autosave_discard" or "change") of article `pk`, or
    the new article's own (named add_autosave, add_autosave_discard and add) when `pk` is None."""
    opts = model_admin.opts
    prefix = f"{model_admin.admin_site.name}:{opts.app_label}_{opts.model_name}_"
    if pk is None:
        name, args = ("add" if view == "change" else f"add_{view}"), []
    else:
        name, args = view, [pk]
    return reverse(prefix + name, args=args, current_app=model_admin.admin_site.name)


# --- The endpoints -------------------------------------------------------------------------


def admin_urls(model_admin):
    """The keep and discard addresses of the article admin: for an article, and (add/...) for
    the person's new article, each behind the admin's login, staff and CSRF checks."""
    info = model_admin.opts.app_label, model_admin.opts.model_name
    view = model_admin.admin_site.admin_view

    def keep_autosave(request, object_id=None):
        return keep_view(model_admin, request, object_id)

    def discard_autosave(request, object_id=None):
        return discard_view(model_admin, request, object_id)

    # The add page's own come first: "add" would otherwise be taken for an article's id.
    return [
        path("add/autosave/", view(keep_autosave), name="%s_%s_add_autosave" % info),
        path("add/autosave/discard/", view(discard_autosave), name="%s_%s_add_autosave_discard" % info),
        path("<path:object_id>/autosave/", view(keep_autosave), name="%s_%s_autosave" % info),
        path("<path:object_id>/autosave/discard/", view(discard_autosave), name="%s_%s_autosave_discard" % info),
    ]


def _error(message, status):
    return JsonResponse({"error": message}, status=status, json_dumps_params={"ensure_ascii": False})


def _article(model_admin, request, object_id):
    """The article `object_id` if the person may see it, else None (writers see only their own)."""
    if object_id is None:
        return None
    return model_admin.get_object(request, unquote(object_id))


def keep_view(model_admin, request, object_id=None):
    """POST the article form's fields: keep them as the person's autosave of the article
    (`object_id`; none: their new article). JSON {"saved_at": ISO time, "saved_at_display"}."""
    if request.method != "POST":
        return _error(gettext("只接受 POST 请求。"), 405)
    try:
        size = int(request.META.get("CONTENT_LENGTH") or 0)
    except ValueError:
        size = 0
    if size > MAX_BYTES:
        return _error(
            gettext("内容过长（超过 %(limit)d MB），未能自动保存；请手动保存。")
            % {"limit": MAX_BYTES // (1024 * 1024)},
            413,
        )
    article = _article(model_admin, request, object_id)
    if object_id is not None and article is None:
        return _error(gettext("没有这篇文章。"), 404)
    # The gate reads the article's row as stored: a submitted article is no longer the writer's
    # to change, whatever the open form says.
    if not may_change(request.user, Autosave(user=request.user, article=article)):
        return _error(gettext("你不能再修改这篇文章，未自动保存。"), 403)
    try:
        base_edit_version = int(request.POST.get("edit_version") or 0)
    except ValueError:
        return _error(gettext("表单的编辑版本无效。"), 400)
    form_class = model_admin.get_form(request, article, change=article is not None)
    data = kept_fields(form_class.base_fields, request.POST)
    if not data:
        return _error(gettext("没有可以保存的内容。"), 400)
    autosave = keep(request.user, article, data, base_edit_version=max(base_edit_version, 0))
    return JsonResponse(
        {
            "saved_at": autosave.saved_at.isoformat(),
            "saved_at_display": timezone.localtime(autosave.saved_at).strftime("%H:%M:%S"),
        }
    )


def discard_view(model_admin, request, object_id=None):
    """POST: delete the person's autosave of the article (`object_id`; none: their new article).
    JSON {"discarded": true} for scripts; a form post goes back to the article form."""
    if request.method != "POST":
        return _error(gettext("只接受 POST 请求。"), 405)
    article = _article(model_admin, request, object_id)
    if object_id is not None and article is None:
        return _error(gettext("没有这篇文章。"), 404)
    autosave = autosave_of(request.user, article)
    if autosave is not None:
        if not may_change(request.user, autosave):
            return _error(gettext("你不能再修改这篇文章。"), 403)
        autosave.delete()
    if "application/json" in request.headers.get("Accept", ""):
        return JsonResponse({"discarded": autosave is not None})
    messages.info(request, gettext("已丢弃自动保存的内容。"))
    return HttpResponseRedirect(_url(model_admin, "change", getattr(article, "pk", None)))


def discard_on_save(user, article, *, adding):
    """The form is being saved: end the person's autosave of it (of their new article, when
    `adding`)."""
    discard(user, None if adding else article)
