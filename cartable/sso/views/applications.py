"""The « Applications » pages: the tiles, a tile's launch, and the managers' registration and usage pages."""

from __future__ import annotations

import csv

from django.contrib import messages
from django.http import HttpResponse
from django.http.response import HttpResponseBase
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.http import urlencode
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_POST

from cartable.core import authz
from cartable.core.authz import Action
from cartable.directory.http import ActorRequest
from cartable.sso import actions, queries
from cartable.sso.forms import ServiceForm
from cartable.sso.models import Service


@require_GET
def index(request: ActorRequest) -> HttpResponse:
    """The services open to the person, as tiles."""
    actor = request.actor
    context = {"tiles": queries.tiles(actor), "can_manage": authz.can(actor, "sso.register_somewhere")}
    return render(request, "sso/index.html", context)


@require_POST
def launch(request: ActorRequest, pk: int) -> HttpResponseBase:
    """A tile followed: counted, then to the service (a CAS service through /cas/login, with its ticket)."""
    service = authz.access(request.actor, Service, pk, "sso.launch")
    actions.record_launch(actor=request.actor, service=service)
    if service.kind == Service.Kind.CAS:
        return redirect(f"{reverse('sso:cas_login')}?{urlencode({'service': service.url})}")
    return redirect(service.url)


@require_GET
def manage(request: ActorRequest) -> HttpResponse:
    """The services the person registers, with a link to each one's form."""
    authz.require_or_404(request.actor, "sso.register_somewhere", None)
    return render(request, "sso/manage.html", {"services": queries.managed_services(request.actor)})


def _values(form: ServiceForm) -> dict:
    data = form.cleaned_data
    names = ("name", "description", "icon", "kind", "url", "addresses", "roles", "profile", "allow_proxy", "enabled")
    return {name: data[name] for name in names}


def edit(request: ActorRequest, pk: int | None = None) -> HttpResponseBase:
    """Register a service (for the region or an establishment), or change one."""
    actor = request.actor
    service = authz.access(actor, queries.service_queryset(), pk, Action.CHANGE) if pk else None
    if service is None:
        authz.require_or_404(actor, "sso.register_somewhere", None)
    form = ServiceForm(request.POST or None, actor=actor, service=service)
    if request.method == "POST" and form.is_valid():
        if service is None:
            establishment = queries.establishment(form.cleaned_data.get("establishment"))
            service = actions.register_service(actor=actor, establishment=establishment, **_values(form))
            messages.success(request, _("L'application est enregistrée."))
        else:
            actions.update_service(actor=actor, service=service, **_values(form))
            messages.success(request, _("L'application est modifiée."))
        return redirect("sso:manage")
    status = 400 if request.method == "POST" else 200
    return render(request, "sso/form.html", {"form": form, "service": service}, status=status)


@require_GET
def usage(request: ActorRequest) -> HttpResponse:
    """Launches per service, day, role and establishment (no names), as a table or as CSV."""
    authz.require_or_404(request.actor, "sso.register_somewhere", None)
    rows = queries.usage(request.actor)
    if request.GET.get("format") != "csv":
        return render(request, "sso/usage.html", {"rows": rows, "days": queries.USAGE_DAYS})
    response = HttpResponse(content_type="text/csv; charset=utf-8")
    response["Content-Disposition"] = 'attachment; filename="usage-applications.csv"'
    writer = csv.writer(response, delimiter=";")
    writer.writerow([_("Application"), _("Jour"), _("Rôle"), _("Établissement"), _("Ouvertures")])
    for row in rows:
        writer.writerow([row.service, row.day.isoformat(), row.role, row.establishment, row.launches])
    return response
