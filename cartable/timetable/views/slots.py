"""Staff pages for the weekly timetable: add, change and end a weekly lesson; list, add, rename and delete rooms."""

from __future__ import annotations

import datetime as dt
from typing import Any

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.http import HttpResponse, HttpResponseRedirect
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from cartable.core import authz
from cartable.core.authz import Action
from cartable.core.views import require_module
from cartable.directory.http import ActorRequest
from cartable.timetable import actions, forms, queries
from cartable.timetable.models import Room, Slot
from cartable.timetable.views.edit import MODULE, _errors, _managed_establishment, _next_url

SLOT_RELATED = ("room", "assignment__subject", "assignment__teacher", "assignment__school_class", "assignment__group")


def _int_param(request: ActorRequest, name: str) -> int | None:
    try:
        return int(request.GET.get(name, ""))
    except ValueError:
        return None


def _week_url(slot: Slot, day: dt.date) -> str:
    """The week of the lesson's class (or group) that contains ``day``."""
    assignment = slot.assignment
    if assignment.school_class_id:
        url = reverse("timetable:class", args=[assignment.school_class_id])
    else:
        url = reverse("timetable:group", args=[assignment.group_id])
    return f"{url}?lundi={queries.monday_of(day).isoformat()}"


def _render(request: ActorRequest, template: str, context: dict[str, Any], form: Any) -> HttpResponse:
    """The page, answering 400 when a posted form came back with errors (everything typed is kept)."""
    status = 400 if request.method == "POST" and form.is_bound and form.errors else 200
    return render(request, template, context, status=status)


@require_module(MODULE)
def create_slot(request: ActorRequest) -> HttpResponse:
    """Add a weekly lesson; ``?classe=``, ``?groupe=`` or ``?enseignant=`` narrow the lessons offered."""
    establishment = _managed_establishment(request)
    assignments = forms.assignments_of(
        establishment.pk,
        class_id=_int_param(request, "classe"),
        group_id=_int_param(request, "groupe"),
        teacher_id=_int_param(request, "enseignant"),
    )
    form = forms.SlotForm(
        request.POST or None,
        establishment_id=establishment.pk,
        assignments=assignments,
        initial={"valid_from": timezone.localdate(), "weekday": _int_param(request, "jour") or 0},
    )
    if request.method == "POST" and form.is_valid():
        try:
            slot = actions.create_slot(actor=request.actor, establishment=establishment, **form.cleaned_data)
        except ValidationError as error:
            _errors(form, error)
        else:
            messages.success(request, _("Le cours hebdomadaire est ajouté."))
            return HttpResponseRedirect(_next_url(request, _week_url(slot, slot.valid_from)))
    context = {"form": form, "next": _next_url(request, ""), "title": _("Ajouter un cours hebdomadaire")}
    return _render(request, "timetable/slot_form.html", context, form)


def _slot_forms(request: ActorRequest, slot: Slot, today: dt.date) -> tuple[forms.SlotForm, forms.EndSlotForm, bool]:
    """The change form and the end form of a weekly lesson, the posted one bound; and whether it is the end."""
    posted = request.POST if request.method == "POST" else None
    ending = posted is not None and "last_day" in posted
    form = forms.SlotForm(
        None if ending else posted,
        establishment_id=slot.establishment_id,
        initial={
            "assignment": slot.assignment_id,
            "weekday": slot.weekday,
            "start_time": slot.start_time,
            "end_time": slot.end_time,
            "room": slot.room_id,
            "weeks": slot.weeks,
            "valid_from": max(today, slot.valid_from),
        },
    )
    end_form = forms.EndSlotForm(posted if ending else None, initial={"last_day": slot.valid_until or today})
    return form, end_form, ending


@require_module(MODULE)
def edit_slot(request: ActorRequest, pk: int) -> HttpResponse:
    """Change a weekly lesson from a date on (earlier weeks stay as they were), or end it."""
    slot = authz.access(request.actor, Slot.objects.select_related(*SLOT_RELATED), pk, Action.CHANGE)
    today = timezone.localdate()
    form, end_form, ending = _slot_forms(request, slot, today)
    if ending and end_form.is_valid():
        try:
            actions.end_slot(actor=request.actor, slot=slot, last_day=end_form.cleaned_data["last_day"])
        except ValidationError as error:
            _errors(end_form, error)
        else:
            messages.success(request, _("Le cours hebdomadaire est terminé ; les semaines passées le gardent."))
            return HttpResponseRedirect(_next_url(request, _week_url(slot, today)))
    elif request.method == "POST" and not ending and form.is_valid():
        try:
            version = actions.update_slot(actor=request.actor, slot=slot, **form.cleaned_data)
        except ValidationError as error:
            _errors(form, error)
        else:
            messages.success(request, _("Le cours hebdomadaire est modifié à partir de la date choisie."))
            return HttpResponseRedirect(_next_url(request, _week_url(version, version.valid_from)))
    context = {
        "form": form,
        "end_form": end_form,
        "slot": slot,
        "next": _next_url(request, ""),
        "title": _("Modifier le cours hebdomadaire"),
    }
    return _render(request, "timetable/slot_form.html", context, end_form if ending else form)


@require_module(MODULE)
def rooms(request: ActorRequest) -> HttpResponse:
    """The establishment's rooms with their capacity and use; add, rename or delete one."""
    establishment = _managed_establishment(request)
    posted = request.POST if request.method == "POST" else None
    target = posted.get("room", "") if posted is not None else ""
    add_form = forms.RoomForm(posted if posted is not None and not target else None, prefix="new")
    listed: list[Any] = queries.rooms_with_use(establishment)
    for room in listed:
        bound = posted if target == str(room.pk) else None
        room.form = forms.RoomForm(
            bound, prefix=f"room-{room.pk}", initial={"name": room.name, "capacity": room.capacity}
        )
    failed = add_form if add_form.is_bound else next((r.form for r in listed if r.form.is_bound), None)
    if failed is not None and failed.is_valid():
        try:
            if failed is add_form:
                actions.create_room(actor=request.actor, establishment=establishment, **failed.cleaned_data)
                messages.success(request, _("La salle est ajoutée."))
            else:
                room = next(r for r in listed if r.form is failed)
                actions.rename_room(actor=request.actor, room=room, **failed.cleaned_data)
                messages.success(request, _("La salle est enregistrée."))
        except ValidationError as error:
            _errors(failed, error)
        else:
            return redirect("timetable:rooms")
    context = {"rooms": listed, "add_form": add_form, "open_room": target}
    return _render(request, "timetable/rooms.html", context, failed or add_form)


@require_module(MODULE)
@require_POST
def delete_room(request: ActorRequest, pk: int) -> HttpResponse:
    """Delete a room no lesson uses; otherwise say why not."""
    room = authz.access(request.actor, Room, pk, Action.DELETE)
    try:
        actions.delete_room(actor=request.actor, room=room)
    except ValidationError as error:
        for message in error.messages:
            messages.error(request, message)
    else:
        messages.success(request, _("Salle supprimée : %(name)s.") % {"name": room.name})
    return redirect("timetable:rooms")
