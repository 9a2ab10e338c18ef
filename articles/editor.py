"""The rich-text editor for article bodies: django-prose-editor (ProseMirror/Tiptap), served
from the package's own static files.

Its toolbar offers only what articles.sanitize keeps, so nothing an editor formats is lost on
save (tested); pasted Word or web markup is reduced to the editor's schema in the browser and
then to the one bleach policy on the server.

The figure dialog also offers the image library (static/articles/admin/image-picker.js, fed by
the admin's `articles_image_library` JSON view whose address the textarea carries).

The editor speaks the admin's language through Django's JavaScript catalog: the admin's change
form loads its /admin/jsi18n/ before any form media, and that catalog merges the project's
locale/<language>/LC_MESSAGES/djangojs.mo (Chinese for the editor's English strings, English for
ours). The toolbar's button names, which the editor does not translate, are renamed by
static/articles/admin/editor-toolbar-labels.js.
"""
from django.urls import NoReverseMatch, reverse
from django_prose_editor.widgets import AdminProseEditorWidget
from js_asset import Media, Script

IMAGE_PICKER_JS = "articles/admin/image-picker.js"
IMAGE_PICKER_CSS = "articles/admin/image-picker.css"
TOOLBAR_LABELS_JS = "articles/admin/editor-toolbar-labels.js"
IMAGE_LIBRARY_URL_NAME = "admin:articles_image_library"

TOOLBAR_EXTENSIONS = {
    "Bold": True,
    "Italic": True,
    "Underline": True,
    "Strike": True,
    "Subscript": True,
    "Superscript": True,
    "Heading": {"levels": [2, 3, 4]},  # the article title is the page's only h1
    "BulletList": True,
    "OrderedList": True,
    "ListItem": True,
    "Blockquote": True,
    "HorizontalRule": True,
    "HardBreak": True,
    "Link": {"enableTarget": True, "protocols": ["http", "https", "mailto"]},
    "Image": True,
    "Figure": True,
    "Caption": True,
    "Table": True,
    "TableRow": True,
    "TableHeader": True,
    "TableCell": True,
    "Code": True,
    "CodeBlock": True,
    "History": True,
    "HTML": True,
    "SpecialCharacters": True,
}


class BodyEditorWidget(AdminProseEditorWidget):
    """The prose editor plus the image-library picker in its figure dialog, with its toolbar
    labelled in the admin's language.

    The textarea carries the library's address in data-image-library-url; it is looked up when
    the widget renders, so a URLconf without the image admin (as some tests use) simply gets
    the editor without the picker.
    """

    library_url_name = IMAGE_LIBRARY_URL_NAME

    def get_context(self, name, value, attrs):
        context = super().get_context(name, value, attrs)
        try:
            url = reverse(self.library_url_name)
        except NoReverseMatch:
            return context
        context["widget"]["attrs"].setdefault("data-image-library-url", url)
        return context

    @property
    def media(self):
        return super().media + Media(
            css={"all": [IMAGE_PICKER_CSS]},
            js=[Script(TOOLBAR_LABELS_JS, type="module"), Script(IMAGE_PICKER_JS, type="module")],
        )


def body_widget():
    return BodyEditorWidget(
        config={"extensions": TOOLBAR_EXTENSIONS},
        preset="configurable",
    )
