"""The CAS 3.0 endpoints under ``/cas/``: login, logout, the validations and the proxy.

The validation endpoints are called by the services' servers, not by people: public, no session, no CSRF
(GET, as the protocol says). ``login`` is where people come: the same sign-in form and throttle as
Cartable's own page, then the same gates (deactivated account, charters) before any ticket.
"""

from __future__ import annotations

import time

from django.contrib.auth import logout as auth_logout
from django.contrib.auth.decorators import login_not_required
from django.http import HttpRequest, HttpResponse
from django.http.response import HttpResponseBase
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.http import urlencode
from django.views.decorators.cache import never_cache
from django.views.decorators.csrf import csrf_exempt, csrf_protect
from django.views.decorators.debug import sensitive_post_parameters

from cartable.accounts import mfa
from cartable.accounts.forms import LoginForm
from cartable.core import authz
from cartable.directory.http import ActorRequest
from cartable.sso import actions, cas, queries
from cartable.sso.models import Service

FRESH_LOGIN = "cartable.cas.fresh"  # when the password was last typed at /cas/login (renew)
FRESH_SECONDS = 300


def _true(request: HttpRequest, name: str) -> bool:
    return request.GET.get(name, "").lower() in ("true", "1", "yes")


def _with_ticket(url: str, ticket: str) -> str:
    return f"{url}{'&' if '?' in url else '?'}{urlencode({'ticket': ticket})}"


def _refuse(request: HttpRequest, template: str, context: dict | None = None) -> HttpResponse:
    return render(request, f"sso/{template}.html", context or {}, status=403)


def _issue(request: ActorRequest, service: Service, service_url: str, renew: bool) -> HttpResponseBase | None:
    """The signed-in person at a registered service: a ticket if they are in its audience (None: ``renew``
    asks for the password first)."""
    fresh = time.time() - float(request.session.pop(FRESH_LOGIN, 0)) < FRESH_SECONDS
    if renew and not fresh:
        return None
    if not authz.can(request.actor, "sso.launch", service):
        return _refuse(request, "out_of_audience", {"service": service})
    ticket = actions.issue_service_ticket(
        actor=request.actor,
        service=service,
        service_url=service_url,
        session_key=request.session.session_key or "",
        primary=fresh,
    )
    return redirect(_with_ticket(service_url, ticket))


@login_not_required
@sensitive_post_parameters("password")
@csrf_protect
@never_cache
def login(request: ActorRequest) -> HttpResponseBase:
    """``/cas/login?service=…[&renew=true|&gateway=true]``: sign in (or not), then back with a ticket."""
    service_url = request.GET.get("service", "")
    renew = _true(request, "renew")
    service = queries.cas_service_for(service_url) if service_url else None
    if service_url and service is None:
        return _refuse(request, "unknown_service")
    if request.method == "GET" and request.user.is_authenticated:
        if service is None:
            return render(request, "sso/signed_in.html")
        issued = _issue(request, service, service_url, renew)
        if issued is not None:
            return issued
    elif request.method == "GET" and service_url and _true(request, "gateway") and not renew:
        return redirect(service_url)
    form = LoginForm(request, data=request.POST if request.method == "POST" else None)
    if form.is_valid():
        # Back to this page by GET: the charter gate runs there, before any ticket is issued; a person with
        # a second factor gives it first (the challenge then comes back here).
        back = f"{reverse('sso:cas_login')}?{request.GET.urlencode()}"
        challenge = mfa.sign_in(request, form.user, next_url=back)
        request.session[FRESH_LOGIN] = time.time()
        return challenge or redirect(back)
    status = 400 if request.method == "POST" else 200
    return render(request, "sso/cas_login.html", {"form": form, "service": service}, status=status)


@login_not_required
@never_cache
def logout(request: ActorRequest) -> HttpResponseBase:
    """Sign out of Cartable and of every service of the session (single logout, in the background); then
    to ``service`` only if it is registered (the CAS 2 ``url`` parameter is ignored)."""
    auth_logout(request)
    service_url = request.GET.get("service", "")
    if service_url and queries.cas_service_for(service_url) is not None:
        return redirect(service_url)
    return render(request, "sso/signed_out.html")


def _validation(request: HttpRequest, kinds: frozenset[str], attributes: bool) -> HttpResponse:
    outcome = cas.validate(
        ticket=request.GET.get("ticket", ""),
        service=request.GET.get("service", ""),
        kinds=kinds,
        renew=_true(request, "renew"),
        pgt_url=request.GET.get("pgtUrl", ""),
        attributes=attributes,
    )
    if request.GET.get("format", "").upper() == "JSON":
        return HttpResponse(cas.validation_json(outcome), content_type="application/json; charset=utf-8")
    return HttpResponse(cas.validation_xml(outcome), content_type="application/xml; charset=utf-8")


@login_not_required
@csrf_exempt
@never_cache
def validate(request: HttpRequest) -> HttpResponse:
    """CAS 1.0: ``yes`` and the user, or ``no``."""
    outcome = cas.validate(
        ticket=request.GET.get("ticket", ""),
        service=request.GET.get("service", ""),
        kinds=cas.SERVICE_KINDS,
        renew=_true(request, "renew"),
        attributes=False,
    )
    body = f"yes\n{outcome.user}\n" if outcome.ok else "no\n\n"
    return HttpResponse(body, content_type="text/plain; charset=utf-8")


@login_not_required
@csrf_exempt
@never_cache
def service_validate(request: HttpRequest) -> HttpResponse:
    """CAS 2.0 ``serviceValidate``: service tickets only, no attributes."""
    return _validation(request, cas.SERVICE_KINDS, attributes=False)


@login_not_required
@csrf_exempt
@never_cache
def proxy_validate(request: HttpRequest) -> HttpResponse:
    """CAS 2.0 ``proxyValidate``: service and proxy tickets, with the proxy chain."""
    return _validation(request, cas.PROXY_KINDS, attributes=False)


@login_not_required
@csrf_exempt
@never_cache
def p3_service_validate(request: HttpRequest) -> HttpResponse:
    """CAS 3.0 ``p3/serviceValidate``: service tickets, with the service's attribute profile."""
    return _validation(request, cas.SERVICE_KINDS, attributes=True)


@login_not_required
@csrf_exempt
@never_cache
def p3_proxy_validate(request: HttpRequest) -> HttpResponse:
    """CAS 3.0 ``p3/proxyValidate``: service and proxy tickets, with attributes and the proxy chain."""
    return _validation(request, cas.PROXY_KINDS, attributes=True)


@login_not_required
@csrf_exempt
@never_cache
def proxy(request: HttpRequest) -> HttpResponse:
    """``proxy?pgt=…&targetService=…``: a proxy ticket for a registered service that accepts proxies."""
    ticket, code, description = cas.proxy(
        pgt=request.GET.get("pgt", ""), target_service=request.GET.get("targetService", "")
    )
    if request.GET.get("format", "").upper() == "JSON":
        return HttpResponse(cas.proxy_json(ticket, code, description), content_type="application/json; charset=utf-8")
    return HttpResponse(cas.proxy_xml(ticket, code, description), content_type="application/xml; charset=utf-8")
