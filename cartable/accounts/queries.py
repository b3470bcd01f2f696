"""Reads of the accounts app."""

from __future__ import annotations

from django.utils import timezone

from cartable.accounts.activation import LENGTH, ActivationError, hash_code, normalize
from cartable.accounts.models import ActivationCode, Preferences
from cartable.directory.models import User


def check_code_usable(code: ActivationCode) -> None:
    """Raise ``ActivationError`` if this (matched) code was used, replaced or is past its date."""
    if code.used_at is not None:
        raise ActivationError("used")
    if code.revoked_at is not None:
        raise ActivationError("revoked")
    if code.is_expired(timezone.now()):
        raise ActivationError("expired")


def matching_activation_code(*, username: str, code: str) -> ActivationCode:
    """The activation code typed for this login, still usable; raises ``ActivationError`` otherwise.

    An unknown login, a disabled account, a code of somebody else and a wrong code all give the
    same error, so the page cannot be used to learn which accounts exist.
    """
    normalized = normalize(code)
    username = (username or "").strip()
    if len(normalized) != LENGTH or not username:
        raise ActivationError("invalid")
    found = (
        ActivationCode.objects.select_related("user")
        .filter(code_hash=hash_code(normalized), user__username=username, user__is_active=True)
        .first()
    )
    if found is None:
        raise ActivationError("invalid")
    check_code_usable(found)
    return found


def preferences_of(user) -> Preferences:
    """The person's preferences, or unsaved defaults when they never chose any (no row is written)."""
    try:
        return user.preferences
    except Preferences.DoesNotExist:
        return Preferences(user=user)


def person_by_username(username: str) -> User | None:
    """The person with this login (case-insensitive), or None."""
    return User.objects.filter(username__iexact=username.strip()).first()
