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
