"""The administrators' pages: the tools they register, and one tool's form with the values to copy into it."""

from __future__ import annotations

from django.contrib import messages
from django.http import HttpResponse
from django.http.response import HttpResponseBase
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_http_methods

from cartable.core import authz
from cartable.core.authz import Action
from cartable.directory.http import ActorRequest
from cartable.lti import actions, queries
from cartable.lti.forms import ToolForm


@require_GET
def manage(request: ActorRequest) -> HttpResponse:
    """The tools the person registers."""
    authz.require_or_404(request.actor, "lti.register_somewhere", None)
    return render(request, "lti/manage.html", {"tools": queries.managed_tools(request.actor)})


@require_http_methods(["GET", "POST"])
def edit(request: ActorRequest, pk: int | None = None) -> HttpResponseBase:
    """Register a tool (for the region or an establishment), or change one."""
    actor = request.actor
    tool = authz.access(actor, queries.tool_queryset(), pk, Action.CHANGE) if pk else None
    if tool is None:
        authz.require_or_404(actor, "lti.register_somewhere", None)
    form = ToolForm(request.POST or None, actor=actor, tool=tool)
    if request.method == "POST" and form.is_valid():
        if tool is None:
            place = queries.establishment(form.cleaned_data.get("establishment"))
            deployment_id = form.cleaned_data.get("deployment_id", "")
            tool = actions.register_tool(actor=actor, establishment=place, deployment_id=deployment_id, **form.values())
            messages.success(request, _("L'outil est enregistré : donnez-lui les valeurs ci-dessous."))
        else:
            actions.update_tool(actor=actor, tool=tool, **form.values())
            messages.success(request, _("L'outil est modifié."))
        return redirect("lti:edit", pk=tool.pk)
    values = queries.platform_values(tool) if tool else None
    status = 400 if request.method == "POST" else 200
    return render(request, "lti/form.html", {"form": form, "tool": tool, "values": values}, status=status)
