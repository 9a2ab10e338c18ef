from django.conf import settings
from django.utils import timezone


def site(request):
    # The footer's year: {% now "Y" %} formats a whole date through dateformat on every page.
    return {"site_name": settings.NEWSROOM["SITE_NAME"], "this_year": timezone.localdate().year}
