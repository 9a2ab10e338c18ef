"""The rich-text editor for article bodies: django-prose-editor (ProseMirror/Tiptap), served
from the package's own static files.

Its toolbar offers only what articles.sanitize keeps, so nothing an editor formats is lost on
save (tested); pasted Word or web markup is reduced to the editor's schema in the browser and
then to the one bleach policy on the server.
"""
from django_prose_editor.widgets import AdminProseEditorWidget

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


def body_widget():
    return AdminProseEditorWidget(config={"extensions": TOOLBAR_EXTENSIONS}, preset="configurable")
