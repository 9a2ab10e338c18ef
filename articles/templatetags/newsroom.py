from django import template

from articles.models import Category

register = template.Library()


@register.simple_tag
def top_categories(limit=8):
    """The root sections shown in the site navigation."""
    return Category.objects.filter(parent=None).only("name", "path").order_by("position", "name")[:limit]
