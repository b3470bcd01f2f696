"""The notification centre's pages: the timeline, the header counter, the preferences and quiet hours."""

from __future__ import annotations

from django.contrib import messages
from django.http import HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from cartable.core import authz
from cartable.core.authz import Action
from cartable.core.models import Notification, NotificationPreference
from cartable.directory.actor import Actor
from cartable.notifications import actions, queries
from cartable.notifications.forms import QuietHoursForm, field_name, parse_preferences

CHANGED = "notifications-changed"  # the htmx event that makes the header counter refresh at once


def _page(request) -> int:
    try:
        return int(request.GET.get("page", "1"))
    except ValueError:
        return 1


@require_GET
def timeline(request) -> HttpResponse:
    """One's notifications, newest first, paginated; ``?non-lues=1`` keeps the unread ones, ``?concerne=<id>``
    a guardian's notices about one child."""
    unread_only = request.GET.get("non-lues") == "1"
    child = request.GET.get("concerne", "")
    page = queries.timeline(
        request.actor, unread_only=unread_only, page=_page(request), child_id=int(child) if child.isdigit() else None
    )
    template = "notifications/timeline.html#list" if request.htmx else "notifications/timeline.html"
    return render(request, template, {"timeline": page})


@require_GET
def counter(request) -> HttpResponse:
    """The header's unread count, polled by htmx (one query); 204 when it is still the count shown (``?vu=``),
    so that the live region does not announce it again."""
    count = queries.unread_count(request.actor)
    if request.GET.get("vu") == str(count):
        return HttpResponse(status=204)
    return render(request, "notifications/_counter.html", {"count": count})


@require_POST
def read(request, pk: int) -> HttpResponse:
    """Mark one notice read; htmx gets the updated line, others go back to the timeline."""
    notification = authz.access(request.actor, Notification, pk, Action.CHANGE)
    actions.mark_read(actor=request.actor, notification=notification)
    if request.htmx:
        notification.refresh_from_db(fields=["read_at"])
        response = render(request, "notifications/timeline.html#item", {"n": notification})
        response["HX-Trigger"] = CHANGED
        return response
    return redirect(_back(request))


@require_POST
def read_all(request) -> HttpResponse:
    """Mark every notice of the actor read."""
    count = actions.mark_all_read(actor=request.actor)
    if count:
        messages.success(request, _("Toutes vos notifications sont marquées comme lues."))
    return redirect(_back(request))


def _back(request) -> str:
    url = reverse("notifications:timeline")
    if request.POST.get("non-lues") == "1":
        url += "?non-lues=1"
    return url


def _apply_posted(groups, data) -> None:
    """Show what was typed when the grid is redisplayed."""
    for group in groups:
        for row in group.rows:
            row.general = data.get(field_name(row.kind.key, None), row.general)
            row.per_child = [(child, data.get(field_name(row.kind.key, child.id), "")) for child, _old in row.per_child]


def _with_fields(groups) -> None:
    """Name each cell's field for the template."""
    for group in groups:
        for row in group.rows:
            row.general_field = field_name(row.kind.key, None)
            row.child_fields = [(child, choice, field_name(row.kind.key, child.id)) for child, choice in row.per_child]


@require_http_methods(["GET", "POST"])
def preferences(request) -> HttpResponse:
    """What arrives, how, and when: the grid of kinds × channels (per child for guardians) and quiet hours."""
    actor = request.actor
    groups, children = queries.preference_grid(actor)
    errors: list[str] = []
    status = 200
    quiet = queries.quiet_hours_of(actor)
    quiet_form = QuietHoursForm(initial=_initial(quiet))
    if request.method == "POST":
        choices, errors = parse_preferences(request.POST, groups, children)
        if not errors:
            actions.set_preferences(actor=actor, choices=choices)
            messages.success(request, _("Vos préférences de notification sont enregistrées."))
            return redirect("notifications:preferences")
        _apply_posted(groups, request.POST)
        status = 400
    _with_fields(groups)
    return render(
        request,
        "notifications/preferences.html",
        _preferences_context(actor, groups, children, errors, quiet_form),
        status=status,
    )


def _initial(window) -> dict:
    if window is None:
        return {}
    return {"start": window.start, "end": window.end, "weekends": window.weekends}


def _preferences_context(actor: Actor, groups, children, errors, quiet_form) -> dict:
    return {
        "groups": groups,
        "children": children,
        "errors": errors,
        "channels": NotificationPreference.Channel.choices,
        "quiet_form": quiet_form,
        "can_set_establishment": authz.can(actor, "notifications.set_establishment_quiet_hours", actor.establishment),
    }


@require_POST
def quiet_hours(request) -> HttpResponse:
    """Set one's own quiet hours (the form sits on the preferences page)."""
    actor = request.actor
    form = QuietHoursForm(request.POST)
    if form.is_valid():
        data = form.cleaned_data
        actions.set_quiet_hours(actor=actor, start=data["start"], end=data["end"], weekends=data["weekends"])
        messages.success(request, _("Vos heures de tranquillité sont enregistrées."))
        return redirect("notifications:preferences")
    groups, children = queries.preference_grid(actor)
    _with_fields(groups)
    return render(
        request,
        "notifications/preferences.html",
        _preferences_context(actor, groups, children, [], form),
        status=400,
    )


@require_http_methods(["GET", "POST"])
def establishment_quiet_hours(request) -> HttpResponse:
    """The active establishment's quiet hours, for its direction and ENT administrators."""
    actor = request.actor
    establishment_id = actor.establishment_id
    authz.require_or_404(actor, "notifications.set_establishment_quiet_hours", actor.establishment)
    window = queries.establishment_quiet_hours(establishment_id)
    form = QuietHoursForm(request.POST if request.method == "POST" else None, initial=_initial(window))
    if form.is_bound and form.is_valid():
        data = form.cleaned_data
        actions.set_establishment_quiet_hours(
            actor=actor,
            establishment_id=establishment_id,
            start=data["start"],
            end=data["end"],
            weekends=data["weekends"],
        )
        messages.success(request, _("Les heures de tranquillité de l'établissement sont enregistrées."))
        return redirect("notifications:establishment_quiet_hours")
    context = {"form": form, "establishment": actor.establishment}
    return render(request, "notifications/establishment.html", context, status=400 if form.is_bound else 200)
