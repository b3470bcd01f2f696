"""Which charter versions are current, and whether a person has accepted them (cached, no query per page)."""

from __future__ import annotations

from django.core.cache import cache

from cartable.accounts.models import Charter, CharterAcceptance

CACHE_KEY = "accounts:current-charters"
SESSION_ACCEPTED = "cartable.charters"


def current_charters() -> list[Charter]:
    """The latest version of each kind of charter (cached until a new one is published)."""
    found = cache.get(CACHE_KEY)
    if found is None:
        latest: dict[str, Charter] = {}
        for charter in Charter.objects.order_by("kind", "-version"):
            latest.setdefault(charter.kind, charter)
        found = list(latest.values())
        cache.set(CACHE_KEY, found, 300)
    return found


def forget_current() -> None:
    cache.delete(CACHE_KEY)


def pending_for(request) -> list[Charter]:
    """The current charters the signed-in person has not accepted yet."""
    current = current_charters()
    if not current:
        return []
    wanted = sorted(c.pk for c in current)
    if request.session.get(SESSION_ACCEPTED) == wanted:
        return []
    accepted = set(
        CharterAcceptance.objects.filter(user=request.user, charter__in=current).values_list("charter_id", flat=True)
    )
    missing = [c for c in current if c.pk not in accepted]
    if not missing:
        request.session[SESSION_ACCEPTED] = wanted
    return missing
