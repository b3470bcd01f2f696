"""Slowing down password guessing without letting an attacker lock anybody out for good.

Failures are counted per account and per address over a sliding window; past the limit, sign-in is
refused until the oldest failure leaves the window. Nothing is permanent: a real person waits minutes.
"""

from __future__ import annotations

from datetime import timedelta

from django.conf import settings
from django.utils import timezone

from cartable.accounts.models import LoginAttempt


def _window():
    return timezone.now() - timedelta(seconds=settings.CARTABLE_LOGIN_THROTTLE["window_seconds"])


def is_throttled(username: str, ip_address: str | None) -> bool:
    limits = settings.CARTABLE_LOGIN_THROTTLE
    since = _window()
    recent = LoginAttempt.objects.filter(at__gte=since)
    if username and recent.filter(username=username.lower()).count() >= limits["per_account"]:
        return True
    return bool(ip_address) and recent.filter(ip_address=ip_address).count() >= limits["per_address"]


def record_failure(username: str, ip_address: str | None) -> None:
    LoginAttempt.objects.create(username=username.lower()[:150], ip_address=ip_address)


def clear(username: str) -> None:
    """A successful sign-in forgets the account's failures (not the address's)."""
    LoginAttempt.objects.filter(username=username.lower()).delete()


def purge_old() -> int:
    deleted, _ = LoginAttempt.objects.filter(at__lt=_window()).delete()
    return deleted


RESET_LIMITS = {"per_address_email": 3, "per_address": 20, "window_seconds": 3600}


def allow_reset_mail(email: str, ip_address: str | None) -> bool:
    """Whether to send one more reset e-mail: at most a few per address per hour, so nobody can flood an
    inbox. The page answers the same either way (nothing tells whether the address has an account)."""
    import hashlib

    from django.core.cache import cache

    window = RESET_LIMITS["window_seconds"]
    digest = hashlib.sha256(email.strip().lower().encode()).hexdigest()[:32]
    keys = [(f"accounts:reset:mail:{digest}", RESET_LIMITS["per_address_email"])]
    if ip_address:
        keys.append((f"accounts:reset:ip:{ip_address}", RESET_LIMITS["per_address"]))
    allowed = True
    for key, limit in keys:
        cache.add(key, 0, window)
        try:
            count = cache.incr(key)
        except ValueError:  # expired between add and incr
            cache.set(key, 1, window)
            count = 1
        if count is not None and count > limit:
            allowed = False
    return allowed
