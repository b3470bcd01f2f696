"""Small HTTP facts about a request that several apps need."""

from __future__ import annotations

from django.conf import settings


def client_ip(request) -> str | None:
    """The client's address: ``REMOTE_ADDR``, or behind ``CARTABLE_PROXY_HOPS`` trusted reverse proxies the
    address the nearest of them saw, read from the right of ``X-Forwarded-For`` (the left part is whatever
    the client claims and is never trusted)."""
    hops = settings.CARTABLE_PROXY_HOPS
    if hops > 0:
        forwarded = [a.strip() for a in request.META.get("HTTP_X_FORWARDED_FOR", "").split(",") if a.strip()]
        if len(forwarded) >= hops:
            return forwarded[-hops]
    return request.META.get("REMOTE_ADDR") or None
