"""EduConnect's endpoints under ``/educonnect/``: the SP metadata, the sign-in (AuthnRequest, HTTP-Redirect),
the assertion consumer (HTTP-POST), and single logout (SP-initiated, and the IdP's requests and answers).

Public, as the protocol needs: the person is not signed in yet, and the IdP's answers come by the browser.
The assertion consumer is CSRF-exempt (EduConnect posts it), guarded instead by the signed assertion, the
request it answers (single-use, this browser's only) and the assertion ids already seen.
"""

from __future__ import annotations

import secrets

from django.contrib.auth import logout as auth_logout
from django.contrib.auth.decorators import login_not_required
from django.http import Http404, HttpRequest, HttpResponse
from django.http.response import HttpResponseBase
from django.shortcuts import redirect, render
from django.views.decorators.cache import never_cache
from django.views.decorators.csrf import csrf_exempt
from django.views.decorators.http import require_GET, require_POST

from cartable.accounts import mfa
from cartable.accounts.views import safe_next
from cartable.core.http import client_ip
from cartable.sso import actions, educonnect, queries, saml

BROWSER_COOKIE = "cartable_educonnect"
SAML_SESSION = "cartable.saml"  # {"name_id": …, "session_index": …}: for single logout


def _configured() -> None:
    if not saml.enabled():
        raise Http404


def _refused(request: HttpRequest, status: int = 403) -> HttpResponse:
    return render(request, "sso/educonnect_refused.html", status=status)


@login_not_required
@require_GET
def metadata(request: HttpRequest) -> HttpResponse:
    """Cartable's SP metadata, to give EduConnect (entity id, ACS, SLS, certificate)."""
    _configured()
    return HttpResponse(saml.metadata_xml(), content_type="application/samlmetadata+xml; charset=utf-8")


@login_not_required
@never_cache
def login(request: HttpRequest) -> HttpResponseBase:
    """« Se connecter avec ÉduConnect »: a signed AuthnRequest, the browser sent to EduConnect."""
    _configured()
    browser = request.COOKIES.get(BROWSER_COOKIE) or secrets.token_urlsafe(32)
    request_id, location = saml.authn_request(relay_state="")
    actions.start_educonnect_sign_in(request_id=request_id, browser=browser, next_url=safe_next(request))
    response = redirect(location)
    # EduConnect posts the answer from its own site: the cookie must go with a cross-site POST.
    response.set_cookie(
        BROWSER_COOKIE, browser, max_age=actions.SAML_REQUEST_SECONDS, secure=True, httponly=True, samesite="None"
    )
    return response


@login_not_required
@csrf_exempt
@require_POST
@never_cache
def acs(request: HttpRequest) -> HttpResponseBase:
    """The assertion consumer: EduConnect's signed answer, checked, matched to a provisioned person, then
    the same gates as a password (second factor, charters on the next page). Nobody matched: a French page,
    nothing created."""
    _configured()
    browser = request.COOKIES.get(BROWSER_COOKIE, "")
    try:
        assertion = saml.parse_response(
            request.POST.get("SAMLResponse", ""), outstanding=queries.saml_pending_requests(actions.digest(browser))
        )
        next_url = actions.accept_educonnect_assertion(assertion=assertion, browser=browser)
    except saml.Refused:
        return _refused(request, status=400)
    identity = educonnect.identity(assertion.attributes)
    person, linked = queries.educonnect_person(identity)
    if person is None:
        return render(request, "sso/educonnect_unknown.html", status=403)
    actions.record_educonnect_sign_in(person=person, identity=identity, linked=linked, ip_address=client_ip(request))
    challenge = mfa.sign_in(request, person, next_url=next_url)
    request.session[SAML_SESSION] = {"name_id": assertion.name_id, "session_index": assertion.session_index}
    response = challenge or redirect(next_url)
    response.delete_cookie(BROWSER_COOKIE, samesite="None")
    return response


@require_POST
def logout(request: HttpRequest) -> HttpResponseBase:
    """Sign out of Cartable, then of EduConnect when the session came from it (SP-initiated single logout)."""
    signed = request.session.get(SAML_SESSION)
    auth_logout(request)
    if not isinstance(signed, dict) or not saml.enabled():
        return render(request, "sso/signed_out.html")
    return redirect(saml.logout_request(name_id=signed["name_id"], session_index=signed.get("session_index", "")))


@login_not_required
@never_cache
def sls(request: HttpRequest) -> HttpResponseBase:
    """EduConnect's single logout service (HTTP-Redirect): its answer to Cartable's LogoutRequest, or its own
    LogoutRequest (the person signed out elsewhere), which ends this browser's Cartable session."""
    _configured()
    if "SAMLResponse" in request.GET:
        ok = saml.parse_logout_response(request.GET["SAMLResponse"])
        return render(
            request, "sso/signed_out.html" if ok else "sso/educonnect_refused.html", status=200 if ok else 400
        )
    try:
        name_id, answer = saml.parse_logout_request(request.GET.dict())
    except saml.Refused:
        return _refused(request, status=400)
    signed = request.session.get(SAML_SESSION)
    if isinstance(signed, dict) and signed.get("name_id") == name_id:
        auth_logout(request)
    return redirect(answer)
