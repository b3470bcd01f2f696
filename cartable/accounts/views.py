"""Accounts pages: sign in and out, activation, charters, password change and reset, preferences."""

from __future__ import annotations

import time

from django.conf import settings
from django.contrib import messages
from django.contrib.auth import logout as auth_logout
from django.contrib.auth.decorators import login_not_required
from django.contrib.auth.views import INTERNAL_RESET_SESSION_TOKEN, PasswordResetConfirmView
from django.http import HttpRequest, QueryDict
from django.http.response import HttpResponseBase
from django.shortcuts import redirect, render
from django.urls import reverse, reverse_lazy
from django.utils import translation
from django.utils.http import url_has_allowed_host_and_scheme
from django.utils.translation import gettext as _
from django.utils.translation import ngettext
from django.views.decorators.cache import never_cache
from django.views.decorators.csrf import csrf_protect
from django.views.decorators.debug import sensitive_post_parameters
from django.views.decorators.http import require_POST

from cartable.accounts import actions, charters, mfa, queries, sessions, tasks, throttle
from cartable.accounts.activation import ActivationError
from cartable.accounts.forms import (
    ActivationForm,
    ChangePasswordForm,
    LanguageForm,
    LoginForm,
    NewPasswordForm,
    PreferencesForm,
    ResetRequestForm,
)
from cartable.accounts.models import ActivationCode, Preferences
from cartable.core.http import client_ip
from cartable.core.views import bad_request
from cartable.directory.http import ActorRequest, SignedInRequest

ACTIVATION_SESSION = "cartable.activation"
ACTIVATION_STEP_SECONDS = 15 * 60  # time to choose a password once the code matched
LANGUAGE_COOKIE_AGE = 365 * 24 * 3600


def safe_next(request: HttpRequest, default: str = "") -> str:
    target = request.POST.get("next") or request.GET.get("next") or ""
    if url_has_allowed_host_and_scheme(target, {request.get_host()}, require_https=request.is_secure()):
        return target
    return default or reverse(settings.LOGIN_REDIRECT_URL)


def _posted(request: HttpRequest) -> QueryDict | None:
    return request.POST if request.method == "POST" else None


def _status(request: HttpRequest) -> int:
    """200 for a page shown, 400 for a form sent back with errors."""
    return 400 if request.method == "POST" else 200


def _set_language_cookie(response: HttpResponseBase, language: str) -> None:
    response.set_cookie(
        settings.LANGUAGE_COOKIE_NAME,
        language,
        max_age=LANGUAGE_COOKIE_AGE,
        path=settings.LANGUAGE_COOKIE_PATH,
        domain=settings.LANGUAGE_COOKIE_DOMAIN,
        secure=settings.LANGUAGE_COOKIE_SECURE or settings.SESSION_COOKIE_SECURE,
        httponly=settings.LANGUAGE_COOKIE_HTTPONLY,
        samesite=settings.LANGUAGE_COOKIE_SAMESITE or "Lax",
    )


@login_not_required
@sensitive_post_parameters("password")
@csrf_protect
@never_cache
def login(request: ActorRequest) -> HttpResponseBase:
    if request.user.is_authenticated:
        return redirect(safe_next(request))
    form = LoginForm(request, data=_posted(request))
    if form.is_valid():
        # The second factor's challenge when the person has one; else signed in (a new session id).
        return mfa.sign_in(request, form.user, next_url=safe_next(request)) or redirect(safe_next(request))
    return render(
        request,
        "accounts/login.html",
        {
            "form": form,
            "next": safe_next(request, default=""),
            "show_demo_hint": settings.DEMO,
            # EduConnect (sso/saml.py) is offered once configured; only its setting is read here.
            "show_educonnect": bool(getattr(settings, "CARTABLE_SAML", {}).get("entity_id")),
        },
        status=_status(request),
    )


@require_POST
def logout(request: ActorRequest) -> HttpResponseBase:
    auth_logout(request)
    return redirect(settings.LOGOUT_REDIRECT_URL)


@never_cache
def charters_view(request: ActorRequest) -> HttpResponseBase:
    pending = charters.pending_for(request)
    if not pending:
        return redirect(safe_next(request))
    error = None
    if request.method == "POST":
        accepted = set(request.POST.getlist("accept"))
        if accepted >= {str(c.pk) for c in pending}:
            actions.accept_charters(actor=request.actor, user=request.user, charters=pending)
            request.session.pop(charters.SESSION_ACCEPTED, None)
            return redirect(safe_next(request))
        error = True
    return render(
        request,
        "accounts/charters.html",
        {"pending": pending, "error": error, "next": safe_next(request)},
        status=400 if error else 200,
    )


# --- Activation of a provisioned account -------------------------------------------------------------


@login_not_required
@sensitive_post_parameters("code")
@csrf_protect
@never_cache
def activate(request: ActorRequest) -> HttpResponseBase:
    """Step 1: the login and the one-time code handed out by the school."""
    if request.user.is_authenticated:
        return redirect(safe_next(request))
    form = ActivationForm(request, data=_posted(request))
    if form.is_valid():
        code = form.activation_code
        request.session[ACTIVATION_SESSION] = {"user": code.user_id, "code": code.pk, "at": time.time()}
        return redirect("accounts:activate_password")
    return render(request, "accounts/activate.html", {"form": form}, status=_status(request))


def _pending_activation(request: HttpRequest) -> ActivationCode | None:
    pending = request.session.get(ACTIVATION_SESSION)
    if not isinstance(pending, dict) or time.time() - pending.get("at", 0) > ACTIVATION_STEP_SECONDS:
        return None
    return ActivationCode.objects.select_related("user").filter(pk=pending["code"], user_id=pending["user"]).first()


@login_not_required
@sensitive_post_parameters()
@csrf_protect
@never_cache
def activate_password(request: ActorRequest) -> HttpResponseBase:
    """Step 2: the person chooses a password; the account is activated and signed in."""
    if request.user.is_authenticated:
        return redirect(safe_next(request))
    code = _pending_activation(request)
    if code is None:
        request.session.pop(ACTIVATION_SESSION, None)
        messages.info(request, _("Pour activer votre compte, saisissez d'abord votre identifiant et votre code."))
        return redirect("accounts:activate")
    user = code.user
    form = NewPasswordForm(user, data=_posted(request))
    if form.is_valid():
        try:
            actions.activate_account(user=user, code=code, password=form.password, ip_address=client_ip(request))
        except ActivationError as error:
            request.session.pop(ACTIVATION_SESSION, None)
            messages.error(request, error.message)
            return redirect("accounts:activate")
        request.session.pop(ACTIVATION_SESSION, None)
        messages.success(request, _("Votre compte est activé. Bienvenue !"))
        # The same door as the login page: a role the region obliges to a second factor enrols one first;
        # the charter middleware asks for the usage charter and the privacy notice.
        next_url = reverse(settings.LOGIN_REDIRECT_URL)
        return mfa.sign_in(request, user, next_url=next_url) or redirect(next_url)
    return render(request, "accounts/activate_password.html", {"form": form, "person": user}, status=_status(request))


# --- Password change and reset ---------------------------------------------------------------------------


@sensitive_post_parameters()
@never_cache
def password_change(request: SignedInRequest) -> HttpResponseBase:
    form = ChangePasswordForm(request.user, data=_posted(request), request=request)
    if form.is_valid():
        revoked = actions.change_password(
            actor=request.actor, user=request.user, password=form.password, revoke=form.links_to_revoke
        )
        sessions.keep_after_password_change(request, request.user)
        messages.success(request, _("Votre mot de passe a été changé."))
        if revoked:
            messages.info(
                request,
                ngettext("%(count)d lien secret a été révoqué.", "%(count)d liens secrets ont été révoqués.", revoked)
                % {"count": revoked},
            )
        return redirect("accounts:password_change")
    return render(request, "accounts/password_change.html", {"form": form}, status=_status(request))


@login_not_required
@csrf_protect
@never_cache
def password_reset(request: ActorRequest) -> HttpResponseBase:
    """Asks for an e-mail address; the same answer whether it belongs to an account or not."""
    form = ResetRequestForm(data=_posted(request))
    if form.is_valid():
        # Sent by the worker: the page answers at once, in the same time for any address.
        if throttle.allow_reset_mail(form.cleaned_data["email"], client_ip(request)):
            tasks.send_password_reset.enqueue(email=form.cleaned_data["email"], language=translation.get_language())
        return redirect("accounts:password_reset_done")
    return render(request, "accounts/password_reset.html", {"form": form}, status=_status(request))


@login_not_required
def password_reset_done(request: ActorRequest) -> HttpResponseBase:
    return render(
        request, "accounts/password_reset_done.html", {"valid_minutes": settings.PASSWORD_RESET_TIMEOUT // 60}
    )


class PasswordResetConfirm(PasswordResetConfirmView):
    """The link from the e-mail: checks its token, then asks for a new password (audited action).

    Django's view moves the token from the URL into the session before showing the form, so it
    never leaks through the Referer header.
    """

    template_name = "accounts/password_reset_confirm.html"
    form_class = NewPasswordForm
    reset_url_token = "nouveau"  # noqa: S105 (a URL segment, not a password)
    success_url = reverse_lazy("accounts:login")

    def get_user(self, uidb64):
        user = super().get_user(uidb64)
        return user if user is not None and user.is_active else None

    def form_valid(self, form):
        actions.reset_password(user=self.user, password=form.password, ip_address=client_ip(self.request))
        del self.request.session[INTERNAL_RESET_SESSION_TOKEN]
        messages.success(self.request, _("Votre mot de passe a été changé. Vous pouvez maintenant vous connecter."))
        return redirect(self.success_url)

    def form_invalid(self, form):
        return self.render_to_response(self.get_context_data(form=form), status=400)

    def render_to_response(self, context, **kwargs):
        if not self.validlink:
            kwargs["status"] = 400
        return super().render_to_response(context, **kwargs)


password_reset_confirm = PasswordResetConfirm.as_view()


# --- Preferences and language ----------------------------------------------------------------------------


@never_cache
def preferences(request: SignedInRequest) -> HttpResponseBase:
    current = queries.preferences_of(request.user)
    # A detached copy: validating the form must not touch the person's cached preferences.
    shown = Preferences(**{name: getattr(current, name) for name in actions.PREFERENCE_FIELDS})
    form = PreferencesForm(data=_posted(request), instance=shown)
    if form.is_valid():
        values = {name: form.cleaned_data[name] for name in actions.PREFERENCE_FIELDS}
        prefs = actions.update_preferences(actor=request.actor, user=request.user, **values)
        translation.activate(prefs.language)
        messages.success(request, _("Vos préférences sont enregistrées."))
        response = redirect("accounts:preferences")
        _set_language_cookie(response, prefs.language)
        return response
    return render(request, "accounts/preferences.html", {"form": form}, status=_status(request))


@login_not_required
@require_POST
def set_language(request: ActorRequest) -> HttpResponseBase:
    """Chooses the language of the pages: a cookie for visitors, the preferences once signed in."""
    form = LanguageForm(request.POST)
    if not form.is_valid():
        return bad_request(request)
    language = form.cleaned_data["language"]
    if request.user.is_authenticated:
        actions.update_preferences(actor=request.actor, user=request.user, language=language)
    response = redirect(safe_next(request, default=reverse(settings.LOGIN_URL)))
    _set_language_cookie(response, language)
    return response
