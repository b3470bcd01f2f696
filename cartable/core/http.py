"""Small HTTP facts about a request that several apps need."""

from __future__ import annotations

from django.conf import settings
from django.contrib import messages
from django.utils.translation import ngettext


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


def search_query(request, *, limit: int) -> str:
    """The ``q`` search of a GET request, stripped and cut at ``limit`` characters.

    A longer search (a paste, a probe) is not refused: it is shortened, the field shows what was kept, and a
    full page says so in French (an htmx fragment has no message area, so it is cut silently)."""
    search = request.GET.get("q", "").strip()
    if len(search) <= limit:
        return search
    if not getattr(request, "htmx", False):
        messages.warning(
            request,
            ngettext(
                "Votre recherche a été raccourcie à son premier caractère.",
                "Votre recherche a été raccourcie à ses %(limit)d premiers caractères.",
                limit,
            )
            % {"limit": limit},
        )
    return search[:limit].strip()
