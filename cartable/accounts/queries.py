"""Reads of the accounts app."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from importlib import import_module

from django.conf import settings
from django.utils import timezone
from django.utils.translation import gettext as _

from cartable.accounts.activation import LENGTH, ActivationError, hash_code, normalize
from cartable.accounts.models import AccountSession, ActivationCode, Preferences
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


@dataclass(frozen=True)
class OpenSession:
    """One of a person's signed-in sessions, as « Sessions et appareils » shows it."""

    id: int
    browser: str
    system: str
    created_at: dt.datetime
    last_active: dt.datetime
    current: bool


_BROWSERS = (
    ("Edg/", "Edge"),
    ("OPR/", "Opera"),
    ("Firefox/", "Firefox"),
    ("Chromium/", "Chromium"),
    ("Chrome/", "Chrome"),
    ("Safari/", "Safari"),
)
_SYSTEMS = (
    ("Android", "Android"),
    ("iPhone", "iOS"),
    ("iPad", "iPadOS"),
    ("CrOS", "ChromeOS"),
    ("Windows", "Windows"),
    ("Mac OS X", "macOS"),
    ("Linux", "Linux"),
)


def describe_user_agent(user_agent: str) -> tuple[str, str]:
    """The browser and the system a User-Agent names, simply (« Firefox », « Windows »), or « inconnu »."""
    browser = next((name for token, name in _BROWSERS if token in user_agent), "")
    system = next((name for token, name in _SYSTEMS if token in user_agent), "")
    unknown = _("inconnu")
    return browser or unknown, system or unknown


def open_sessions(user, *, current_key: str | None) -> list[OpenSession]:
    """The person's open sessions, the most recently active first (two queries, whatever their number).

    The device and the last activity are read from the session itself (``SESSION_USER_AGENT`` and the
    idle clock ``SESSION_SEEN_AT`` the expiry middleware keeps), decoded in memory."""
    from django.contrib.sessions.models import Session

    from cartable.accounts.middleware import SESSION_AUTH_AT, SESSION_SEEN_AT
    from cartable.accounts.sessions import SESSION_USER_AGENT

    rows = list(AccountSession.objects.filter(user=user).order_by("-created_at"))
    stored = Session.objects.filter(session_key__in=[r.session_key for r in rows], expire_date__gt=timezone.now())
    decoder = import_module(settings.SESSION_ENGINE).SessionStore()
    data = {s.session_key: decoder.decode(s.session_data) for s in stored}
    found = []
    for row in rows:
        if row.session_key not in data:
            continue  # ended or expired: the row is forgotten at the next sign-in
        values = data[row.session_key]
        seen = values.get(SESSION_SEEN_AT) or values.get(SESSION_AUTH_AT)
        last = dt.datetime.fromtimestamp(seen, tz=dt.UTC) if seen else row.created_at
        browser, system = describe_user_agent(values.get(SESSION_USER_AGENT, ""))
        found.append(OpenSession(row.pk, browser, system, row.created_at, last, row.session_key == current_key))
    return sorted(found, key=lambda s: (not s.current, -s.last_active.timestamp()))
