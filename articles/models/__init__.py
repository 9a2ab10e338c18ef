from .author import Author
from .category import Category
from .image import Image
from .tagging import Tag, TaggedArticle
from .article import Article

__all__ = ["Article", "Author", "Category", "Image", "Tag", "TaggedArticle"]
