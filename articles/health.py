"""/healthz: whether this process can reach the database and the cache, for a load balancer or
an orchestrator's probe. Never answered from the page cache, so it tests the process itself."""

import logging

from django.core.cache import cache
from django.db import DatabaseError, connection
from django.http import JsonResponse
from django.utils.crypto import get_random_string
from django.views.decorators.cache import never_cache

from .caching import CACHE_ERRORS

logger = logging.getLogger(__name__)
PROBE_KEY = "newsroom:health-probe"


def database_reachable():
    try:
        with connection.cursor() as cursor:
            cursor.execute("SELECT 1")
            return cursor.fetchone() == (1,)
    except DatabaseError as error:
        logger.warning("health check: database unreachable: %s", error)
        return False


def cache_reachable():
    token = get_random_string(12)
    try:
        cache.set(PROBE_KEY, token, timeout=10)
        return cache.get(PROBE_KEY) == token
    except CACHE_ERRORS as error:
        logger.warning("health check: cache unreachable: %s", error)
        return False


@never_cache
def healthz(request):
    """200 with {"database": "ok", "cache": "ok"}, or 503 naming what is down."""
    checks = {"database": database_reachable(), "cache": cache_reachable()}
    answer = {name: "ok" if up else "unreachable" for name, up in checks.items()}
    return JsonResponse(answer, status=200 if all(checks.values()) else 503)
