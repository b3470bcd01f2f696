"""Accounts pages: sign in and out, charters."""

from django.conf import settings
from django.contrib.auth import login as auth_login
from django.contrib.auth import logout as auth_logout
from django.contrib.auth.decorators import login_not_required
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.http import url_has_allowed_host_and_scheme
from django.views.decorators.cache import never_cache
from django.views.decorators.csrf import csrf_protect
from django.views.decorators.debug import sensitive_post_parameters
from django.views.decorators.http import require_POST

from cartable.accounts import actions, charters, throttle
from cartable.accounts.forms import LoginForm


def safe_next(request, default: str = "") -> str:
    target = request.POST.get("next") or request.GET.get("next") or ""
    if url_has_allowed_host_and_scheme(target, {request.get_host()}, require_https=request.is_secure()):
        return target
    return default or reverse(settings.LOGIN_REDIRECT_URL)


@login_not_required
@sensitive_post_parameters("password")
@csrf_protect
@never_cache
def login(request):
    if request.user.is_authenticated:
        return redirect(safe_next(request))
    form = LoginForm(request, data=request.POST or None)
    if request.method == "POST" and form.is_valid():
        auth_login(request, form.user)  # a new session id at every sign-in
        throttle.clear(form.user.username)
        return redirect(safe_next(request))
    return render(
        request,
        "accounts/login.html",
        {"form": form, "next": safe_next(request, default=""), "show_demo_hint": settings.DEMO},
        status=400 if request.method == "POST" else 200,
    )


@require_POST
def logout(request):
    auth_logout(request)
    return redirect(settings.LOGOUT_REDIRECT_URL)


@never_cache
def charters_view(request):
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


def preferences(request):
    """Placeholder, replaced by the preferences page."""
    return render(request, "core/error.html", {"title": "Préférences", "message": "À venir."})


def password_change(request):
    """Placeholder, replaced by the password change page."""
    return render(request, "core/error.html", {"title": "Mot de passe", "message": "À venir."})


@login_not_required
def activate(request):
    """Placeholder, replaced by the activation page."""
    return render(request, "core/error.html", {"title": "Activation", "message": "À venir."})


@login_not_required
def password_reset(request):
    """Placeholder, replaced by the password reset page."""
    return render(request, "core/error.html", {"title": "Mot de passe oublié", "message": "À venir."})
