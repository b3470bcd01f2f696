"""The second factor's pages: enrolment with its recovery codes, the challenge after the password, the
region's rule, and an administrator's reset of a person's factors."""

from __future__ import annotations

import base64

from django.contrib import messages
from django.contrib.auth.decorators import login_not_required
from django.http import HttpResponse
from django.http.response import HttpResponseBase
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.cache import never_cache
from django.views.decorators.csrf import csrf_protect
from django.views.decorators.debug import sensitive_post_parameters
from django.views.decorators.http import require_POST

from cartable.accounts import actions, mfa, queries, throttle
from cartable.accounts.forms import CodeForm, FactorPolicyForm, ResetFactorsForm
from cartable.accounts.views import safe_next
from cartable.core import authz
from cartable.core.http import client_ip
from cartable.directory.http import ActorRequest, SignedInRequest


@never_cache
def security(request: SignedInRequest) -> HttpResponseBase:
    """The person's second factor: whether they have one, and the start of an enrolment (POST)."""
    authz.require_or_404(request.actor, "accounts.enrol_factor", None)
    if request.method == "POST":
        device = actions.start_totp_enrolment(actor=request.actor)
        secret = base64.b32encode(device.bin_key).decode()
        context = {"secret": secret, "uri": device.config_url, "form": CodeForm(), "next": safe_next(request)}
        return render(request, "accounts/mfa_enrol.html", context)
    context = {
        "has_factor": mfa.has_factor(request.user),
        "required": bool(request.session.get(mfa.MUST_ENROL)),
        "codes_left": mfa.recovery_codes_left(request.user),
        "can_set_policy": authz.can(request.actor, "accounts.set_factor_policy"),
        "next": safe_next(request),
    }
    return render(request, "accounts/mfa_security.html", context)


@require_POST
@sensitive_post_parameters("code")
def confirm(request: SignedInRequest) -> HttpResponseBase:
    """The first code from the application confirms the enrolment; the recovery codes are shown once."""
    device = mfa.pending_device(request.user)
    form = CodeForm(request.POST)
    codes = None
    if device is not None and form.is_valid():
        codes = actions.confirm_totp_enrolment(actor=request.actor, device=device, code=form.cleaned_data["code"])
    if codes is None:
        messages.error(request, _("Ce code ne convient pas. Recommencez l'enregistrement."))
        return redirect("accounts:mfa_security")
    request.session.pop(mfa.MUST_ENROL, None)
    request.session[mfa.VERIFIED] = True
    return render(request, "accounts/mfa_codes.html", {"codes": codes, "next": safe_next(request)})


@login_not_required
@sensitive_post_parameters("code")
@csrf_protect
@never_cache
def challenge(request: ActorRequest) -> HttpResponseBase:
    """After the password: a code from the application, or a recovery code; then signed in."""
    user, next_url = mfa.pending_user(request)
    if user is None:
        messages.info(request, _("Pour vous connecter, saisissez d'abord votre identifiant et votre mot de passe."))
        return redirect("accounts:login")
    form = CodeForm(request.POST if request.method == "POST" else None)
    if form.is_valid():
        ip = client_ip(request)
        if throttle.is_throttled(user.username, ip):
            form.add_error(None, _("Trop de tentatives. Par sécurité, patientez quelques minutes avant de réessayer."))
        elif actions.verify_second_factor(user=user, code=form.cleaned_data["code"], ip_address=ip):
            mfa.finish(request, user, verified=True)
            return redirect(next_url or safe_next(request))
        else:
            form.add_error("code", _("Code incorrect ou déjà utilisé."))
    return render(request, "accounts/mfa_challenge.html", {"form": form}, status=400 if form.is_bound else 200)


@never_cache
def policy(request: ActorRequest) -> HttpResponseBase:
    """The region's rule: which staff roles must give a second factor."""
    authz.require_or_404(request.actor, "accounts.set_factor_policy", None)
    form = FactorPolicyForm(request.POST or None, initial={"roles": mfa.required_roles()})
    if request.method == "POST" and form.is_valid():
        actions.set_second_factor_roles(actor=request.actor, roles=form.cleaned_data["roles"])
        messages.success(request, _("La règle de double authentification est enregistrée."))
        return redirect("accounts:mfa_policy")
    return render(request, "accounts/mfa_policy.html", {"form": form}, status=400 if form.errors else 200)


@never_cache
def reset(request: ActorRequest) -> HttpResponse:
    """An administrator removes a person's factors (lost phone), by their login."""
    authz.require_or_404(request.actor, "accounts.reset_somewhere", None)
    form = ResetFactorsForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        person = queries.person_by_username(form.cleaned_data["username"])
        if person is not None and authz.can(request.actor, "accounts.reset_factors", person):
            actions.reset_second_factors(actor=request.actor, user=person)
            messages.success(request, _("Les facteurs de %(name)s sont retirés.") % {"name": person.get_full_name()})
            form = ResetFactorsForm()
        else:
            form.add_error("username", _("Aucune personne que vous administrez n'a cet identifiant."))
    return render(request, "accounts/mfa_reset.html", {"form": form}, status=400 if form.errors else 200)
