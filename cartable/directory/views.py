"""Switching the active role, establishment or child: stored in the session, checked against the actor."""

from __future__ import annotations

from typing import Any

from django.http import Http404, HttpResponse, HttpResponseRedirect
from django.shortcuts import render
from django.urls import reverse
from django.utils.http import url_has_allowed_host_and_scheme
from django.views.decorators.http import require_POST

from cartable.core.http import search_query
from cartable.core.views import require_module
from cartable.directory import queries
from cartable.directory.actor import SESSION_CHILD, SESSION_MEMBERSHIP
from cartable.directory.http import ActorRequest
from cartable.directory.policies import directory_role_choices, guardian_membership_for, listed_role


def _back(request: ActorRequest) -> HttpResponseRedirect:
    target = request.POST.get("next") or ""
    if not url_has_allowed_host_and_scheme(target, {request.get_host()}, require_https=request.is_secure()):
        target = reverse("dashboard:home")
    return HttpResponseRedirect(target)


@require_POST
def switch_role(request: ActorRequest) -> HttpResponseRedirect:
    """Act through another of one's own memberships; anything else is a 404."""
    try:
        wanted = int(request.POST.get("membership", ""))
    except ValueError:
        raise Http404 from None
    if wanted not in {m.pk for m in request.actor.memberships}:
        raise Http404
    request.session[SESSION_MEMBERSHIP] = wanted
    request.session.pop(SESSION_CHILD, None)
    return _back(request)


@require_POST
def switch_child(request: ActorRequest) -> HttpResponseRedirect:
    """Look at another of one's own children; anything else is a 404."""
    try:
        wanted = int(request.POST.get("child", ""))
    except ValueError:
        raise Http404 from None
    child = next((c for c in request.actor.children if c.id == wanted), None)
    if child is None:
        raise Http404
    membership = guardian_membership_for(request.actor, child)
    if membership is None:
        raise Http404
    if membership != request.actor.membership:  # the child is elsewhere: act as guardian there
        request.session[SESSION_MEMBERSHIP] = membership.pk
    request.session[SESSION_CHILD] = wanted
    return _back(request)


@require_module("directory")
def people(request: ActorRequest) -> HttpResponse:
    """The annuaire of the active establishment, searchable, one page at a time."""
    search = search_query(request, limit=100)
    roles = directory_role_choices()
    role = listed_role(request.GET.get("role", ""))
    number: Any = request.GET.get("page") or 1  # the paginator reads the raw value (a bad one: page 1)
    page = queries.directory_page(request.actor, search=search, role=role, page=number)
    extras = queries.annuaire_extras(request.actor, page.object_list)
    rows = [(person, extras[person.pk]) for person in page.object_list]
    template = "directory/people.html#results" if request.htmx else "directory/people.html"
    return render(
        request,
        template,
        {"page": page, "rows": rows, "search": search, "role": role, "roles": roles},
    )
