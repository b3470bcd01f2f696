"""The OpenID Connect provider's doors: django-oauth-toolkit's views behind Cartable's own gates.

``authorize`` is where people come: behind the sign-in, charters and second factor like every page (the
middleware), then the service's audience, then the French consent screen. The token, userinfo, JWKS and
discovery endpoints are called by the services' servers: public (the protocol says so), no CSRF.
"""

from __future__ import annotations

from typing import Any

from django.contrib.auth.decorators import login_not_required
from django.http import HttpRequest, HttpResponse
from django.http.response import HttpResponseBase
from django.shortcuts import redirect, render
from django.utils.http import urlencode
from oauth2_provider import views as dot

from cartable.core import authz
from cartable.directory.http import ActorRequest
from cartable.sso import actions, queries


class Authorize(dot.AuthorizationView):
    """The authorization endpoint: unknown client, look-alike ``redirect_uri``: a French page, no redirect."""

    template_name = "sso/oidc_authorize.html"
    request: ActorRequest

    def dispatch(self, request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponseBase:
        client_id = request.GET.get("client_id") or request.POST.get("client_id", "")
        self.service = queries.oidc_service_for(client_id)
        if self.service is None:
            return render(request, "sso/unknown_service.html", status=400)
        if not authz.can(request.actor, "sso.launch", self.service):  # type: ignore[attr-defined]
            return render(request, "sso/out_of_audience.html", {"service": self.service}, status=403)
        return super().dispatch(request, *args, **kwargs)

    def get(self, request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponseBase:
        # PKCE « plain » is refused before the consent screen, as a missing challenge is: back to the
        # (registered, exactly) redirect URI with the protocol's error (RFC 7636 §4.4.1).
        redirect_uri = request.GET.get("redirect_uri", "")
        method = request.GET.get("code_challenge_method")
        assert self.service is not None  # dispatch refused the others
        if method is not None and method != "S256" and redirect_uri in self.service.address_list:
            error = {"error": "invalid_request", "error_description": "code_challenge_method must be S256"}
            if "state" in request.GET:
                error["state"] = request.GET["state"]
            return redirect(f"{redirect_uri}?{urlencode(error)}")
        return super().get(request, *args, **kwargs)

    def get_context_data(self, **kwargs: Any) -> dict[str, Any]:
        return super().get_context_data(service=self.service, **kwargs)

    def form_valid(self, form: Any) -> HttpResponse:
        response = super().form_valid(form)
        assert self.service is not None  # dispatch refused the others
        if form.cleaned_data.get("allow") and "code=" in response.get("Location", ""):
            scopes = str(form.cleaned_data.get("scope", "")).split()
            actions.record_oidc_authorization(actor=self.request.actor, service=self.service, scopes=scopes)
        return response


token = login_not_required(dot.TokenView.as_view())
userinfo = login_not_required(dot.UserInfoView.as_view())
jwks = login_not_required(dot.JwksInfoView.as_view())
discovery = login_not_required(dot.ConnectDiscoveryInfoView.as_view())
authorize = Authorize.as_view()
