"""The establishment's settings page: which modules are on."""

from __future__ import annotations

from django.contrib import messages
from django.core.exceptions import PermissionDenied
from django.http import Http404, HttpResponse
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _

from cartable.core import authz, registry
from cartable.core.authz import Action
from cartable.directory.http import ActorRequest
from cartable.directory.models import Establishment
from cartable.governance import actions, queries


def modules(request: ActorRequest) -> HttpResponse:
    """Direction and ENT administrators choose the modules their establishment uses."""
    establishment = authz.access(request.actor, Establishment, request.actor.establishment_id, Action.MANAGE)
    if request.method == "POST":
        enabled = set(request.POST.getlist("modules"))
        actions.set_modules(actor=request.actor, establishment=establishment, enabled=enabled)
        messages.success(request, _("Les modules de l'établissement ont été enregistrés."))
        return redirect("governance:modules")
    rows = [
        {"module": m, "enabled": registry.module_enabled(establishment.module_settings, m.key)}
        for m in registry.modules()
    ]
    return render(request, "governance/modules.html", {"establishment": establishment, "rows": rows})


def accounts(request: ActorRequest) -> HttpResponse:
    """The accounts of the establishment not yet activated, for those who manage it; « Donner un code »
    issues a person's activation code and shows it once, on the answer to that request only."""
    establishment = authz.access(request.actor, Establishment, request.actor.establishment_id, Action.MANAGE)
    issued = None
    if request.method == "POST":
        try:
            person_id = int(request.POST.get("person", ""))
            issued = actions.hand_out_activation_code(
                actor=request.actor, establishment=establishment, person_id=person_id
            )
        except (ValueError, PermissionDenied):
            raise Http404 from None
    page = queries.accounts_to_activate(request.actor, establishment.pk, page=request.GET.get("page") or 1)
    context = {"establishment": establishment, "page": page, "issued": issued, "days": actions.CODE_DAYS}
    return render(request, "governance/accounts.html", context)
