"""The admin's article form, with an optimistic lock: an edit made on an outdated copy is refused
(with who changed the article and when) instead of silently overwriting someone else's work;
and the image library's upload forms, which check every file with Pillow before anything is stored."""

from typing import NamedTuple

from django import forms
from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import router, transaction
from django.template.defaultfilters import filesizeformat
from django.utils import timezone
from django.utils.text import capfirst
from django.utils.translation import gettext_lazy as _

from articles.bodies import oversized
from articles.editor import body_widget
from articles.images.validation import WEB_FORMATS, ImageRejected, inspect_image
from articles.models import Article, Image
from articles.revisions import current_edit_version, last_change
from articles.sanitize import MarkupTooComplex, clean_html

CONFLICT_MESSAGE = _(
    "这篇文章已被 %(name)s 于 %(time)s 修改。你的修改尚未保存：请核对后再次保存（你输入的内容仍在表单中）。"
)
UNKNOWN_EDITOR = _("其他人")
BODY_TOO_LARGE = _("正文过大：%(size)s，最多 %(limit)s。")


class ArticleAdminForm(forms.ModelForm):
    # The article's edit_version when this form was opened; Article.save() moves it on every save.
    edit_version = forms.IntegerField(widget=forms.HiddenInput, required=True, min_value=0)

    class Meta:
        model = Article
        fields = "__all__"  # non-editable fields are left out; the admin's fieldsets choose
        # edit_version is the model's (non-editable) field, handled by hand here. Naming it in
        # `exclude` lets an admin list "edit_version" in its fieldsets (the hidden field must be
        # rendered) without Django refusing a non-editable field; the declared field stays.
        exclude = ("edit_version",)
        widgets = {"body": body_widget()}

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        if "language" in self.fields:
            # A form posted without it (a script, an autosave from before articles had a
            # language) leaves the article's as it is: see clean_language().
            self.fields["language"].required = False
        if self.instance.pk and "slug" in self.fields:
            # The slug prefill (static/articles/admin/slug-from-title.js) ignores this row.
            self.fields["slug"].widget.attrs["data-slug-pk"] = str(self.instance.pk)
        if self.instance.pk:
            # The database's value, not the instance's: in reversion's revision view the instance
            # is an old version, whose edit_version would otherwise be refused (or go backwards).
            self.initial["edit_version"] = current_edit_version(self.instance.pk)
        else:
            # A new article has nothing to conflict with.
            self.initial.setdefault("edit_version", 0)
            self.fields["edit_version"].required = False

    def clean_language(self):
        return self.cleaned_data["language"] or self.instance.language

    def clean_body(self):
        """The body sanitized once here (saving does not repeat it), or why it is refused: past
        the size limit or the sanitizer's markup bounds (articles.sanitize)."""
        body = self.cleaned_data["body"]
        if too_large := oversized(body):
            size, limit = too_large
            raise ValidationError(
                BODY_TOO_LARGE,
                code="body_too_large",
                params={"size": filesizeformat(size), "limit": filesizeformat(limit)},
            )
        try:
            return clean_html(body)
        except MarkupTooComplex as error:
            raise ValidationError(str(error), code="body_too_complex") from None

    def clean(self):
        cleaned_data = super().clean()
        if not self.instance.pk or "edit_version" not in cleaned_data:
            return cleaned_data
        submitted = cleaned_data["edit_version"]
        in_transaction = transaction.get_connection(router.db_for_write(Article)).in_atomic_block
        current = current_edit_version(self.instance.pk, lock=in_transaction)
        if submitted != current:
            # Saving on purpose stays possible: the re-rendered form carries the current value,
            # together with everything the user typed.
            data = self.data.copy()
            data[self.add_prefix("edit_version")] = str(current)
            self.data = data
            raise ValidationError(self.conflict_message(), code="edit_conflict")
        # Article.save() adds one; starting from the current value keeps the number rising.
        self.instance.edit_version = current
        return cleaned_data

    def conflict_message(self):
        name, when = last_change(self.instance.pk)
        when = timezone.localtime(when) if timezone.is_aware(when) else when
        return CONFLICT_MESSAGE % {"name": name or UNKNOWN_EDITOR, "time": when.strftime("%Y-%m-%d %H:%M:%S")}


class ArticleRestoreForm(ArticleAdminForm):
    """The article form as the revision view shows it: an old version's content, saved only
    once the person confirms that it replaces the current one."""

    confirm_restore = forms.BooleanField(
        label=_("我确认用这一版本替换当前内容"),
        required=True,
        error_messages={"required": _("恢复前请勾选确认。")},
    )
    # The tag names the version recorded (articles.revisions), or None when it recorded none:
    # reversion's revert leaves tags as they are today.
    restored_tag_names = None

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        if self.restored_tag_names is not None and "tags" in self.fields:
            # Tag-like values: the tag widget writes them out, has_changed() reads their names.
            self.initial["tags"] = [_Named(name) for name in self.restored_tag_names]


class _Named(NamedTuple):
    name: str


# --- The image library: one upload in the change form, many at once in the upload view -------

# What the browser's file dialog offers; the server decides (inspect_image), whatever is picked.
ACCEPTED_IMAGE_TYPES = ",".join(
    sorted(
        {mime for _exts, mime in WEB_FORMATS.values()} | {ext for exts, _mime in WEB_FORMATS.values() for ext in exts}
    )
)


def read_upload(upload):
    """The bytes of `upload`, or ImageRejected naming it when it is over the byte limit (checked
    before reading, so that an oversized upload is never held in memory)."""
    limit = settings.NEWSROOM_IMAGES["MAX_BYTES"]
    if upload.size > limit:
        raise ImageRejected(f"“{upload.name}”有 {filesizeformat(upload.size)}，超过了 {filesizeformat(limit)} 的上限。")
    upload.seek(0)
    return upload.read()


class ImageAdminForm(forms.ModelForm):
    """An image's descriptive fields; on a new image also the file, checked with Pillow here so
    that a refused file is reported with the form and nothing is stored.

    The admin stores an accepted file through articles.images.library.store_image (normalised,
    deduplicated, with renditions), using `upload_name` and `upload_data`; a stored file is never
    replaced, so the upload field exists only on the add form.
    """

    upload = forms.FileField(
        label=_("图片文件"),
        allow_empty_file=True,  # inspect_image says "empty", naming the file
        widget=forms.FileInput(attrs={"accept": ACCEPTED_IMAGE_TYPES}),
    )

    class Meta:
        model = Image
        fields = (
            "title", "alt_text", "caption", "credit", "source_url", "focal_point_x", "focal_point_y",
        )  # fmt: skip

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.upload_name = self.upload_data = None
        if self.instance.pk:
            del self.fields["upload"]
        else:
            self.fields["upload"].help_text = _("接受 %(formats)s；最大 %(size)s、%(pixels)s 百万像素。") % {
                "formats": "、".join(WEB_FORMATS),
                "size": filesizeformat(settings.NEWSROOM_IMAGES["MAX_BYTES"]),
                "pixels": settings.NEWSROOM_IMAGES["MAX_PIXELS"] // 1_000_000,
            }

    def clean_upload(self):
        upload = self.cleaned_data["upload"]
        try:
            data = read_upload(upload)
            inspect_image(data, name=upload.name)
        except ImageRejected as error:
            raise ValidationError(str(error), code="image_rejected") from None
        self.upload_name, self.upload_data = upload.name, data
        return upload


class MultipleFileInput(forms.FileInput):
    allow_multiple_selected = True


class MultipleFileField(forms.FileField):
    """Several files from one `<input type=file multiple>` (the pattern of Django's "Uploading
    multiple files"); each is judged on its own later, so an empty one does not fail the form."""

    def __init__(self, *args, **kwargs):
        kwargs.setdefault("widget", MultipleFileInput(attrs={"accept": ACCEPTED_IMAGE_TYPES}))
        kwargs.setdefault("allow_empty_file", True)
        super().__init__(*args, **kwargs)

    def clean(self, data, initial=None):
        single_file_clean = super().clean
        if isinstance(data, (list, tuple)):
            return [single_file_clean(item, initial) for item in data]
        return [single_file_clean(data, initial)]


class MultipleImageUploadForm(forms.Form):
    """Files for the library, with a credit (and, for a single file, a source address) for all."""

    files = MultipleFileField(label=_("图片文件"), help_text=_("可以一次选择多个文件。"))
    credit = forms.CharField(
        label=capfirst(Image._meta.get_field("credit").verbose_name),
        max_length=Image._meta.get_field("credit").max_length,
        required=False,
    )
    source_url = forms.URLField(
        label=capfirst(Image._meta.get_field("source_url").verbose_name),
        max_length=Image._meta.get_field("source_url").max_length,
        required=False,
        assume_scheme="https",
        # The library records each original address once (image_unique_source_url).
        help_text=_("一个原始地址只属于一张图片：上传多个文件时请留空，之后在各图片页填写。"),
    )

    def clean(self):
        cleaned_data = super().clean()
        source_url = cleaned_data.get("source_url")
        if source_url and len(cleaned_data.get("files") or ()) > 1:
            self.add_error("source_url", _("一个原始地址只属于一张图片；上传多个文件时请留空。"))
        elif source_url and Image.objects.filter(source_url=source_url).exists():
            self.add_error("source_url", _("图片库中已有一张图片使用这个原始地址。"))
        return cleaned_data
