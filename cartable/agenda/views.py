"""The agenda's pages: month, week, day and list views, an event's page and form, and the feed page."""

from __future__ import annotations

import calendar
import datetime as dt
from typing import Any

from django.contrib import messages
from django.contrib.auth.decorators import login_not_required
from django.core.exceptions import PermissionDenied
from django.http import Http404, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET

from cartable.agenda import actions, feed, queries
from cartable.agenda.forms import EventForm
from cartable.agenda.models import Event
from cartable.core import authz
from cartable.core.authz import Action
from cartable.core.views import require_module

VIEWS = ("month", "week", "day", "list")
LIST_DAYS = 28


def _anchor(request) -> dt.date:
    """The date the page is about: ``?date=YYYY-MM-DD``, else today (a bad date is today, not an error)."""
    try:
        return dt.date.fromisoformat(request.GET.get("date", ""))
    except ValueError:
        return timezone.localdate()


def _period(view: str, day: dt.date) -> tuple[dt.date, dt.date, dt.date, dt.date]:
    """The first and last day shown, and the anchors of the previous and next pages."""
    if view == "month":
        first = day.replace(day=1)
        last = first.replace(day=calendar.monthrange(first.year, first.month)[1])
        start = first - dt.timedelta(days=first.weekday())
        end = last + dt.timedelta(days=6 - last.weekday())
        previous = (first - dt.timedelta(days=1)).replace(day=1)
        return start, end, previous, last + dt.timedelta(days=1)
    if view == "week":
        start = day - dt.timedelta(days=day.weekday())
        return start, start + dt.timedelta(days=6), start - dt.timedelta(days=7), start + dt.timedelta(days=7)
    if view == "day":
        return day, day, day - dt.timedelta(days=1), day + dt.timedelta(days=1)
    span = dt.timedelta(days=LIST_DAYS)
    return day, day + span - dt.timedelta(days=1), day - span, day + span


def _days(start: dt.date, end: dt.date, items: list[queries.AgendaItem]) -> list[dict[str, Any]]:
    days = []
    day = start
    while day <= end:
        days.append({"date": day, "items": [i for i in items if i.occurs_on(day)]})
        day += dt.timedelta(days=1)
    return days


@require_GET
@require_module("agenda")
def agenda(request, view: str = "month") -> HttpResponse:
    """The agenda over a month, a week, a day or as a list; phones get the list layout of each view."""
    if view not in VIEWS:
        raise Http404
    actor = request.actor
    anchor = _anchor(request)
    can_merge_children = authz.can(actor, "agenda.merge_children")
    merged = can_merge_children and request.GET.get("enfants") == "tous"
    start, end, previous, following = _period(view, anchor)
    items = queries.agenda(actor, start, end, merged=merged)
    days = _days(start, end, items)
    context = {
        "view": view,
        "anchor": anchor,
        "today": timezone.localdate(),
        "start": start,
        "end": end,
        "previous": previous,
        "following": following,
        "days": days,
        "busy_days": [d for d in days if d["items"]],
        "weeks": [days[i : i + 7] for i in range(0, len(days), 7)] if view == "month" else [],
        "merged": merged,
        "can_merge_children": can_merge_children,
        "suffix": "&enfants=tous" if merged else "",
        "can_add": True,
    }
    return render(request, "agenda/agenda.html", context)


@require_GET
@require_module("agenda")
def event(request, pk: int) -> HttpResponse:
    """One event, for those its audience reaches."""
    found = authz.access(request.actor, queries.event_queryset(), pk, Action.VIEW)
    return render(
        request,
        "agenda/event.html",
        {"event": found, "can_edit": authz.allows(request.actor, Action.CHANGE, found)},
    )


def _save(request, form: EventForm, found: Event | None) -> Event:
    data = form.cleaned_data
    values = {
        "kind": data["kind"],
        "audience": data["audience"],
        "title": data["title"],
        "start": data["start"],
        "end": data["end"],
        "all_day": data["all_day"],
        "location": data.get("location", ""),
        "description": data.get("description", ""),
        "class_ids": [c.pk for c in data.get("classes") or []],
    }
    if found is None:
        return actions.create_event(actor=request.actor, establishment_id=request.actor.establishment_id, **values)
    return actions.update_event(actor=request.actor, event=found, **values)


@require_module("agenda")
def event_form(request, pk: int | None = None) -> HttpResponse:
    """Create or change an event; what the form offers follows what the actor may create."""
    found = None
    if pk is not None:
        found = authz.access(request.actor, queries.event_with_classes(), pk, Action.CHANGE)
    if request.method == "POST":
        form = EventForm(request.POST, actor=request.actor)
        if form.is_valid():
            try:
                saved = _save(request, form, found)
            except PermissionDenied:
                form.add_error(None, _("Vous ne pouvez pas publier cet événement pour ce public."))
            else:
                messages.success(request, _("L'événement est enregistré."))
                return redirect("agenda:event", pk=saved.pk)
    else:
        initial = EventForm.initial_for(found) if found else {"start_date": _anchor(request)}
        form = EventForm(initial=initial, actor=request.actor)
    return render(request, "agenda/event_form.html", {"form": form, "event": found})


@require_module("agenda")
def event_delete(request, pk: int) -> HttpResponse:
    """Confirm, then delete an event."""
    found = authz.access(request.actor, queries.event_with_classes(), pk, Action.DELETE)
    if request.method == "POST":
        actions.delete_event(actor=request.actor, event=found)
        messages.success(request, _("L'événement est supprimé."))
        return redirect("agenda:home")
    return render(request, "agenda/event_delete.html", {"event": found})


@require_module("agenda")
def feeds(request) -> HttpResponse:
    """The person's calendar feeds: issue (or regenerate) one, per child or for everyone, or revoke it."""
    actor = request.actor
    token_url, issued = "", None
    if request.method == "POST":
        if request.POST.get("revoke"):
            found = authz.access(actor, queries.live_feeds(), request.POST["revoke"])
            actions.revoke_feed(actor=actor, feed=found)
            messages.success(request, _("Le flux est révoqué : son adresse ne répond plus."))
            return redirect("agenda:feeds")
        child = None
        choice = request.POST.get("child", "")
        if choice:
            child = next((c for c in actor.children if str(c.id) == choice), None)
            if child is None:
                raise Http404
        issued, token = actions.issue_feed(actor=actor, child_id=child.id if child else None)
        token_url = request.build_absolute_uri(reverse("agenda:ical", args=[token]))
    active = queries.feeds_of(actor)
    return render(
        request,
        "agenda/feeds.html",
        {"feeds": active, "children": actor.children, "token_url": token_url, "issued": issued},
    )


@login_not_required
@require_GET
def ical(request, token: str) -> HttpResponse:
    """The public calendar feed of a secret token; a wrong or revoked token answers 404."""
    found = feed.feed_for_token(token)
    if found is None:
        raise Http404
    actions.mark_feed_read(feed=found)
    body = feed.calendar_for(found).to_ical()
    response = HttpResponse(body.encode("utf-8"), content_type="text/calendar; charset=utf-8")
    response["Content-Disposition"] = 'inline; filename="cartable.ics"'
    response["Cache-Control"] = "private, max-age=900"
    response["X-Robots-Tag"] = "noindex"
    return response
