"""Slowing down password guessing without letting an attacker lock anybody out.

Failures are counted per account *and* address together over a sliding window. Past ``per_account``
failures of one account from one address, that pair waits ``first_delay_seconds`` after its last failure,
then twice as long after each new one (never more than the window). The same account from another
address is not slowed: guessing Mme Bernard's password from home cannot lock her out before her roll
call. An address also has a high cap over all accounts (``per_address``), high enough for a school whose
computers share one address behind its router. Nothing is permanent: a real person waits seconds or
minutes, and a successful sign-in forgets the account's failures.
"""

from __future__ import annotations

import hashlib
from datetime import datetime, timedelta

from django.conf import settings
from django.db import transaction
from django.db.models import Count, Max
from django.utils import timezone

from cartable.accounts.models import LoginAttempt, ResetMailRequest


def _window() -> datetime:
    return timezone.now() - timedelta(seconds=settings.CARTABLE_LOGIN_THROTTLE["window_seconds"])


def retry_after(username: str, ip_address: str | None) -> int:
    """Seconds before this account may be tried again from this address (0: now)."""
    limits = settings.CARTABLE_LOGIN_THROTTLE
    recent = LoginAttempt.objects.filter(at__gte=_window())
    now = timezone.now()
    if ip_address and recent.filter(ip_address=ip_address).count() >= limits["per_address"]:
        oldest = recent.filter(ip_address=ip_address).order_by("at").values_list("at", flat=True).first()
        assert oldest is not None
        return max(1, int((oldest + timedelta(seconds=limits["window_seconds"]) - now).total_seconds()))
    if not username:
        return 0
    pair = recent.filter(username=username.lower(), ip_address=ip_address).aggregate(n=Count("id"), last=Max("at"))
    failures, last = pair["n"], pair["last"]
    if failures < limits["per_account"] or last is None:
        return 0
    delay = min(
        limits.get("first_delay_seconds", 30) * 2 ** (failures - limits["per_account"]), limits["window_seconds"]
    )
    return max(0, int((last + timedelta(seconds=delay) - now).total_seconds() + 0.999))


def is_throttled(username: str, ip_address: str | None) -> bool:
    return retry_after(username, ip_address) > 0


def record_failure(username: str, ip_address: str | None) -> None:
    LoginAttempt.objects.create(username=username.lower()[:150], ip_address=ip_address)


def clear(username: str) -> None:
    """A successful sign-in forgets the account's failures (not the address's)."""
    LoginAttempt.objects.filter(username=username.lower()).delete()


def purge_old() -> int:
    """Forget failed sign-ins older than the throttle window and reset requests older than theirs."""
    deleted, _ = LoginAttempt.objects.filter(at__lt=_window()).delete()
    requests, _ = ResetMailRequest.objects.filter(at__lt=_reset_window()).delete()
    return deleted + requests


RESET_LIMITS = {"per_address_email": 3, "per_address": 20, "window_seconds": 3600}


def _reset_window() -> datetime:
    return timezone.now() - timedelta(seconds=RESET_LIMITS["window_seconds"])


@transaction.atomic
def allow_reset_mail(email: str, ip_address: str | None) -> bool:
    """Whether to send one more reset e-mail: at most a few per e-mail address and per network address
    an hour, so nobody can flood an inbox. The page answers the same either way (nothing tells whether the
    address has an account). Counted in the database, shared by every process."""
    digest = hashlib.sha256(email.strip().lower().encode()).hexdigest()
    recent = ResetMailRequest.objects.filter(at__gte=_reset_window())
    allowed = recent.filter(email_digest=digest).count() < RESET_LIMITS["per_address_email"]
    if ip_address and recent.filter(ip_address=ip_address).count() >= RESET_LIMITS["per_address"]:
        allowed = False
    ResetMailRequest.objects.create(email_digest=digest, ip_address=ip_address)
    return allowed
