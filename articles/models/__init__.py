from .author import Author
from .category import Category
from .image import Image
from .image_usage import BodyImage
from .tagging import Tag, TaggedArticle
from .article import Article
from .redirect import LegacyURL
from .search import SearchDocument
from .transition import Transition

__all__ = ["Article", "BodyImage", "Author", "Category", "Image", "LegacyURL", "SearchDocument", "Tag", "TaggedArticle", "Transition"]
