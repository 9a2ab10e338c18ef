from django.conf import settings
from rest_framework.throttling import AnonRateThrottle

from articles.middleware import client_ip_behind_proxy


class ReaderRateThrottle(AnonRateThrottle):
    """At most NEWSROOM_API["THROTTLE_RATE"] requests (None: no limit) from one client address,
    counted in the cache; then 429 with Retry-After.

    Answers the page cache holds never reach it: they cost the database nothing. The address is
    the one django-axes judges too: behind the TLS proxy, the one the proxy appended.
    """

    def get_rate(self):
        # Read on each request, not once when the class is made (as DRF's THROTTLE_RATES is).
        return settings.NEWSROOM_API["THROTTLE_RATE"]

    def get_ident(self, request):
        if settings.BEHIND_TLS_PROXY:
            return client_ip_behind_proxy(request)
        return request.META.get("REMOTE_ADDR")
