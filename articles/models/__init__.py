from .author import Author
from .category import Category
from .image import Image
from .tagging import Tag, TaggedArticle
from .article import Article
from .redirect import LegacyURL
from .transition import Transition

__all__ = ["Article", "Author", "Category", "Image", "LegacyURL", "Tag", "TaggedArticle", "Transition"]
