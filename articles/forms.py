"""The admin's article form, with an optimistic lock: an edit made on an outdated copy is refused
(with who changed the article and when) instead of silently overwriting someone else's work."""
from django import forms
from django.core.exceptions import ValidationError
from django.db import router, transaction
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from articles.editor import body_widget
from articles.models import Article
from articles.revisions import current_edit_version, last_change

CONFLICT_MESSAGE = _(
    "这篇文章已被 %(name)s 于 %(time)s 修改。"
    "你的修改尚未保存：请核对后再次保存（你输入的内容仍在表单中）。"
)
UNKNOWN_EDITOR = _("其他人")


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
