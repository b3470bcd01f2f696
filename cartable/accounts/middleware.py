"""Per-request account rules: the person's language, session expiry, and charters to accept."""

from __future__ import annotations

import time

from django.conf import settings
from django.contrib import messages
from django.contrib.auth import logout
from django.shortcuts import redirect
from django.urls import reverse
from django.utils import translation
from django.utils.translation import gettext as _

from cartable.accounts import charters

SESSION_AUTH_AT = "cartable.auth_at"
SESSION_SEEN_AT = "cartable.seen_at"
SEEN_RESOLUTION = 60  # seconds: the session is written at most once a minute to record activity


class LanguageMiddleware:
    """French unless the person chose otherwise (preferences, or the language cookie when signed out).

    The browser's Accept-Language is deliberately ignored: Cartable is French first.
    """

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        language = request.COOKIES.get(settings.LANGUAGE_COOKIE_NAME)
        user = getattr(request, "user", None)
        if user is not None and user.is_authenticated:
            prefs = getattr(user, "preferences", None)
            if prefs is not None:
                language = prefs.language
        if language not in dict(settings.LANGUAGES):
            language = settings.LANGUAGE_CODE
        translation.activate(language)
        request.LANGUAGE_CODE = language
        response = self.get_response(request)
        response.headers.setdefault("Content-Language", language)
        return response


class SessionExpiryMiddleware:
    """Ends a session after an idle time and after an absolute lifetime, whichever comes first."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        user = getattr(request, "user", None)
        if user is not None and user.is_authenticated:
            now = time.time()
            session = request.session
            auth_at = session.get(SESSION_AUTH_AT)
            seen_at = session.get(SESSION_SEEN_AT, auth_at)
            if auth_at is None:
                session[SESSION_AUTH_AT] = session[SESSION_SEEN_AT] = now
            elif (
                now - auth_at > settings.CARTABLE_SESSION_ABSOLUTE_SECONDS
                or now - (seen_at or auth_at) > settings.CARTABLE_SESSION_IDLE_SECONDS
            ):
                logout(request)
                messages.info(request, _("Votre session a expiré. Merci de vous reconnecter."))
                return redirect(f"{reverse(settings.LOGIN_URL)}?next={request.path}")
            elif now - (seen_at or 0) > SEEN_RESOLUTION:
                session[SESSION_SEEN_AT] = now
        return self.get_response(request)


class CharterMiddleware:
    """Sends a signed-in person to the charter page until they accept the current versions."""

    EXEMPT_PREFIXES = ("/comptes/chartes/", "/comptes/deconnexion/", "/comptes/langue/", "/static/", "/i18n/")

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        user = getattr(request, "user", None)
        if (
            user is not None
            and user.is_authenticated
            and not request.path.startswith(self.EXEMPT_PREFIXES)
            and charters.pending_for(request)
        ):
            return redirect(f"{reverse('accounts:charters')}?next={request.get_full_path()}")
        return self.get_response(request)


class SecondFactorMiddleware:
    """Sends a person whose role must give a second factor, and who has none yet, to the enrolment page
    before any other page (the mark is set at sign-in: no query on other requests)."""

    EXEMPT_PREFIXES = (
        "/comptes/securite/",
        "/comptes/deconnexion/",
        "/comptes/chartes/",
        "/comptes/langue/",
        "/static/",
        "/i18n/",
        "/jsi18n/",
    )

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        session = getattr(request, "session", None)
        if (
            session is not None
            and session.get("cartable.mfa.enrol")
            and request.user.is_authenticated
            and not request.path.startswith(self.EXEMPT_PREFIXES)
        ):
            return redirect(f"{reverse('accounts:mfa_security')}?next={request.get_full_path()}")
        return self.get_response(request)
