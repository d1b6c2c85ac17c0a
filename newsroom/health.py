"""/healthz for load balancers and monitoring: can this instance reach its database and its cache?"""

import logging
import uuid

from django.core.cache import cache
from django.db import connection
from django.http import JsonResponse
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_safe

logger = logging.getLogger("newsroom.health")


def database_ok():
    try:
        with connection.cursor() as cursor:
            cursor.execute("SELECT 1")
            return cursor.fetchone() == (1,)
    except Exception:
        logger.warning("Health check: database unreachable", exc_info=True)
        return False


def cache_ok():
    # A round trip through the shared cache under a key of this probe's own: probes run concurrently (several
    # balancers, several workers), and a shared key let one probe read another's value and report a false 503.
    probe = uuid.uuid4().hex
    key = f"healthz:probe:{probe}"
    try:
        cache.set(key, probe, timeout=10)
        ok = cache.get(key) == probe
        cache.delete(key)
        return ok
    except Exception:
        logger.warning("Health check: cache unreachable", exc_info=True)
        return False


@never_cache
@require_safe
def healthz(request):
    checks = {"database": database_ok(), "cache": cache_ok()}
    healthy = all(checks.values())
    body = {"status": "ok" if healthy else "unavailable"}
    body.update({name: "ok" if ok else "down" for name, ok in checks.items()})
    return JsonResponse(body, status=200 if healthy else 503)
