from .article import Article
from .author import Author
from .autosave import Autosave
from .category import Category
from .comment import Comment
from .image import Image
from .image_usage import BodyImage
from .notification import Notification
from .redirect import LegacyURL
from .search import SearchDocument
from .tagging import Tag, TaggedArticle
from .transition import Transition

__all__ = [
    "Article",
    "Autosave",
    "BodyImage",
    "Author",
    "Category",
    "Comment",
    "Image",
    "LegacyURL",
    "Notification",
    "SearchDocument",
    "Tag",
    "TaggedArticle",
    "Transition",
]
