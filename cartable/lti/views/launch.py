"""The person's side of LTI: the activities page, a launch, the platform's authentication answer, Deep
Linking's start and return.

A launch is the OIDC third-party-initiated login: Cartable sends the browser to the tool's login initiation
with a ``login_hint``; the tool sends it back to ``auth`` with its ``state`` and ``nonce``; Cartable answers
with a signed ``id_token`` form-posted to the tool's registered ``redirect_uri``. An unknown client or an
unregistered ``redirect_uri`` gets a French page and no redirect; every other refusal too, and writes nothing.
"""

from __future__ import annotations

from urllib.parse import urlsplit

from django.contrib import messages
from django.contrib.auth.decorators import login_not_required
from django.http import HttpResponse
from django.http.response import HttpResponseBase
from django.shortcuts import redirect, render
from django.utils.csp import CSP
from django.utils.translation import gettext as _
from django.utils.translation import ngettext
from django.views.decorators.csrf import csrf_exempt
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from cartable.core import authz
from cartable.directory.http import ActorRequest
from cartable.lti import actions, queries
from cartable.lti.forms import DeepLinkForm
from cartable.lti.models import Link, LoginHint, Tool
from cartable.lti.protocol import Refused


def _autopost(
    request: ActorRequest, tool: Tool, action: str, fields: list[tuple[str, str]], method: str
) -> HttpResponse:
    """A page whose form goes to the tool by itself; its CSP lets forms go to that origin only."""
    context = {"tool": tool, "action": action, "fields": fields, "method": method}
    response = render(request, "lti/autopost.html", context)
    parts = urlsplit(action)
    policy = dict(getattr(response, "_csp_config", None) or _default_csp())
    policy["form-action"] = [CSP.SELF, f"{parts.scheme}://{parts.netloc}"]
    response._csp_config = policy  # type: ignore[attr-defined]
    return response


def _default_csp() -> dict:
    from django.conf import settings

    return dict(settings.SECURE_CSP)


def _to_login(request: ActorRequest, value: str, hint: LoginHint) -> HttpResponse:
    url = queries.login_initiation(value, hint)
    action, _sep, query = url.partition("?")
    from urllib.parse import parse_qsl

    return _autopost(request, hint.tool, action, parse_qsl(query), "get")


@require_GET
def index(request: ActorRequest) -> HttpResponse:
    """The activities of the person's classes and groups, and for a teacher the tools to pick from."""
    actor = request.actor
    tools = queries.placeable_tools(actor)
    form = DeepLinkForm(actor=actor, tools=tools) if tools else None
    return render(request, "lti/index.html", {"links": queries.links_for(actor), "form": form})


@require_POST
def launch(request: ActorRequest, pk: int) -> HttpResponse:
    """Open an activity: a login hint, then to the tool's login initiation."""
    link = authz.access(request.actor, Link.objects.select_related("tool"), pk)
    value, hint = actions.begin_launch(actor=request.actor, link=link)
    return _to_login(request, value, hint)


@require_POST
def deep_link(request: ActorRequest) -> HttpResponseBase:
    """A teacher asks a tool to pick activities for one of their classes."""
    actor = request.actor
    form = DeepLinkForm(request.POST, actor=actor, tools=queries.placeable_tools(actor))
    if not form.is_valid():
        links = queries.links_for(actor)
        return render(request, "lti/index.html", {"links": links, "form": form}, status=400)
    data = form.cleaned_data
    value, hint = actions.begin_deep_linking(actor=actor, tool=data["tool"], school_class=data["school_class"])
    return _to_login(request, value, hint)


@csrf_exempt  # the tool's page sends the browser here (GET or POST): the login hint is the proof
@require_http_methods(["GET", "POST"])
def auth(request: ActorRequest) -> HttpResponse:
    """The platform's authentication endpoint: the signed ``id_token``, form-posted to the tool."""
    params: dict[str, str] = (request.POST if request.method == "POST" else request.GET).dict()
    tool = queries.client(params.get("client_id", ""))
    if tool is None:
        return render(
            request, "lti/refused.html", {"reason": _("Cet outil n'est pas enregistré dans Cartable.")}, status=400
        )
    redirect_uri = params.get("redirect_uri", "")
    if redirect_uri not in tool.redirect_uri_list:
        reason = _("L'adresse de retour demandée n'est pas enregistrée pour cet outil : vous n'y serez pas envoyé.")
        return render(request, "lti/refused.html", {"reason": reason}, status=400)
    try:
        answer = actions.authenticate(actor=request.actor, tool=tool, params=params)
    except Refused as refused:
        return render(request, "lti/refused.html", {"reason": str(refused)}, status=403)
    return _autopost(request, tool, redirect_uri, list(answer.items()), "post")


@login_not_required  # a cross-site form post (no session cookie): the tool's signature and our data prove it
@csrf_exempt
@require_POST
def deep_link_return(request: ActorRequest) -> HttpResponseBase:
    """The tool's Deep Linking answer: its activities placed for the class, then to the activities page."""
    try:
        _hint, links = actions.accept_deep_linking(jwt_value=request.POST.get("JWT", ""))
    except Refused as refused:
        return render(request, "lti/refused.html", {"reason": str(refused)}, status=400)
    if request.user.is_authenticated:
        messages.success(
            request, ngettext("%(n)d activité ajoutée.", "%(n)d activités ajoutées.", len(links)) % {"n": len(links)}
        )
    return redirect("lti:index")
