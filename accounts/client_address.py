"""The client's address as the proxies in front of us saw it, read the same way everywhere.

Production sits behind TRUSTED_PROXIES reverse proxies (settings.py: the same ones whose X-Forwarded-Proto
is trusted). Each appends the address it received the request from to X-Forwarded-For, so the entry that
many places from the right was written by our own outermost proxy; anything left of it the client may have
made up. With no trusted proxies (development, tests) the socket's address is the client's.
"""

from django.conf import settings


def client_address(request):
    forwarded = [part.strip() for part in request.META.get("HTTP_X_FORWARDED_FOR", "").split(",")]
    forwarded = [part for part in forwarded if part]
    hops = settings.TRUSTED_PROXIES
    if hops and len(forwarded) >= hops:
        return forwarded[-hops]
    return request.META.get("REMOTE_ADDR") or None
