"""Which sessions a person has open, so that all of them can be ended at once.

Django keeps sessions by key only; a small table maps each signed-in session to its person. It is
filled on sign-in and emptied on sign-out (Django's ``user_logged_in``/``user_logged_out`` signals,
connected in ``hooks.py``, so every way of signing in is covered: our pages, the admin, tests).
"""

from __future__ import annotations

from datetime import timedelta
from importlib import import_module

from django.conf import settings
from django.contrib.auth import update_session_auth_hash
from django.utils import timezone

from cartable.accounts.models import AccountSession

# The browser's User-Agent at sign-in, kept in the session itself so that « Sessions et appareils » can
# name the device (no extra write: the session is saved at sign-in anyway).
SESSION_USER_AGENT = "cartable.user_agent"


def remember(sender, request, user, **kwargs) -> None:
    """Record the new session of ``user`` and forget their sessions that have expired anyway."""
    session = getattr(request, "session", None)
    if session is not None:
        session[SESSION_USER_AGENT] = request.META.get("HTTP_USER_AGENT", "")[:300]
    session_key = getattr(session, "session_key", None)
    if not session_key:
        return
    too_old = timezone.now() - timedelta(seconds=settings.SESSION_COOKIE_AGE)
    AccountSession.objects.filter(user=user, created_at__lt=too_old).delete()
    # Sign-in always gives a new key (session fixation); ignore_conflicts makes a repeat harmless.
    AccountSession.objects.bulk_create([AccountSession(user=user, session_key=session_key)], ignore_conflicts=True)


def forget(sender, request, user, **kwargs) -> None:
    session_key = getattr(getattr(request, "session", None), "session_key", None)
    if session_key:
        AccountSession.objects.filter(session_key=session_key).delete()


def keep_after_password_change(request, user) -> None:
    """Keep the current session signed in after a password change (its key changes: follow it)."""
    old_key = request.session.session_key
    update_session_auth_hash(request, user)
    new_key = request.session.session_key
    if old_key and new_key and old_key != new_key:
        AccountSession.objects.filter(session_key=old_key).update(session_key=new_key)


def end_all(user) -> int:
    """Delete every session ``user`` has open (through the session engine, so caches are cleared too)."""
    return end(AccountSession.objects.filter(user=user))


def end(rows) -> int:
    """Delete the sessions of these ``AccountSession`` rows, and the rows; returns how many."""
    store_class = import_module(settings.SESSION_ENGINE).SessionStore
    keys = list(rows.values_list("session_key", flat=True))
    for key in keys:
        store_class(session_key=key).delete()
    AccountSession.objects.filter(session_key__in=keys).delete()
    return len(keys)
