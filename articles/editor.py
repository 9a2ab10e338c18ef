"""The rich-text editor for article bodies: django-prose-editor (ProseMirror/Tiptap), served
from the package's own static files.

Its toolbar offers only what articles.sanitize keeps, so nothing an editor formats is lost on
save (tested); pasted Word or web markup is reduced to the editor's schema in the browser and
then to the one bleach policy on the server.

The figure dialog also offers the image library (static/articles/admin/image-picker.js, fed by
the admin's `articles_image_library` JSON view whose address the textarea carries) and takes new
files there (`articles_image_library_upload`). Our own Tiptap extension, VideoEmbed
(static/articles/admin/video-embed.js, registered in settings.DJANGO_PROSE_EDITOR_EXTENSIONS),
inserts the video players articles.sanitize keeps. Under the editor, static/articles/admin/
body-stats.js counts characters and reading time by the rule the public page uses
(articles.text.reading_rule(), carried by the textarea's data attributes).

The editor speaks the admin's language through Django's JavaScript catalog: the admin's change
form loads its /admin/jsi18n/ before any form media, and that catalog merges the project's
locale/<language>/LC_MESSAGES/djangojs.mo (Chinese for the editor's English strings, English for
ours). The toolbar's button names, which the editor does not translate, are renamed by
static/articles/admin/editor-toolbar-labels.js.
"""

import json

from django.urls import NoReverseMatch, reverse
from django.utils.translation import gettext_lazy as _
from django_prose_editor.widgets import AdminProseEditorWidget
from js_asset import Media, Script

from articles.sanitize import VIDEO_EMBED_TITLE, VIDEO_PLAYERS, VIDEO_QUERY
from articles.text import reading_rule

IMAGE_PICKER_JS = "articles/admin/image-picker.js"
IMAGE_PICKER_CSS = "articles/admin/image-picker.css"
TOOLBAR_LABELS_JS = "articles/admin/editor-toolbar-labels.js"
IMAGE_LIBRARY_URL_NAME = "admin:articles_image_library"
IMAGE_UPLOAD_URL_NAME = "admin:articles_image_library_upload"
VIDEO_EMBED_JS = "articles/admin/video-embed.js"
BODY_STATS_JS = "articles/admin/body-stats.js"
ARTICLE_EDITOR_CSS = "articles/admin/article-editor.css"

# Under the editor: "字数 1,234（汉字 1,200，英文单词 34）· 约 4 分钟读完".
BODY_STATS_TEXT = _("字数 %(count)s（汉字 %(hanzi)s，英文单词 %(words)s）· 约 %(minutes)s 分钟读完")

VIDEO_EMBED = {
    # The policy's players and query, as articles.sanitize judges them.
    "players": VIDEO_PLAYERS,
    "query": VIDEO_QUERY,
    "defaultTitle": VIDEO_EMBED_TITLE,
    "labels": {
        "insert": _("插入视频"),
        "edit": _("修改视频"),
        "address": _("视频网址或嵌入代码"),
        "addressHelp": _("哔哩哔哩、YouTube、腾讯视频或 Vimeo 的视频页网址，或它们的嵌入代码。"),
        "title": _("视频标题（供读屏软件朗读，可留空）"),
        "submit": _("插入"),
        "update": _("更新"),
        "refused": _("无法识别：只能嵌入哔哩哔哩、YouTube、腾讯视频和 Vimeo 的视频。"),
    },
}

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
    "VideoEmbed": VIDEO_EMBED,
}


class BodyEditorWidget(AdminProseEditorWidget):
    """The prose editor plus the image-library picker in its figure dialog, the character count
    and reading time under it, and its toolbar labelled in the admin's language.

    The textarea carries the library's addresses in data-image-library-url and
    data-image-upload-url; they are looked up when the widget renders, so a URLconf without the
    image admin (as some tests use) simply gets the editor without the picker.
    """

    library_url_name = IMAGE_LIBRARY_URL_NAME
    upload_url_name = IMAGE_UPLOAD_URL_NAME

    def get_context(self, name, value, attrs):
        context = super().get_context(name, value, attrs)
        widget_attrs = context["widget"]["attrs"]
        widget_attrs["data-reading-rule"] = json.dumps(reading_rule())
        widget_attrs["data-body-stats-text"] = str(BODY_STATS_TEXT)
        try:
            widget_attrs.setdefault("data-image-library-url", reverse(self.library_url_name))
            widget_attrs.setdefault("data-image-upload-url", reverse(self.upload_url_name))
        except NoReverseMatch:
            return context
        from articles.forms import ACCEPTED_IMAGE_TYPES  # the forms module imports this one

        widget_attrs["data-image-upload-accept"] = ACCEPTED_IMAGE_TYPES
        return context

    @property
    def media(self):
        return super().media + Media(
            css={"all": [IMAGE_PICKER_CSS, ARTICLE_EDITOR_CSS]},
            js=[
                Script(TOOLBAR_LABELS_JS, type="module"),
                Script(IMAGE_PICKER_JS, type="module"),
                Script(BODY_STATS_JS, type="module"),
            ],
        )


def body_widget():
    return BodyEditorWidget(
        config={"extensions": TOOLBAR_EXTENSIONS},
        preset="configurable",
    )
