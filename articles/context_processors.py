from django.conf import settings
from django.utils import timezone


def site(request):
    # The footer's year. In the site's own zone: the reading site activates no other, and
    # asking for the current one ({% now %}, localdate()) cost more than the rest of the footer.
    this_year = timezone.now().astimezone(timezone.get_default_timezone()).year
    return {"site_name": settings.NEWSROOM["SITE_NAME"], "this_year": this_year}
