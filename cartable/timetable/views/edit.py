"""Staff pages of the timetable: change a lesson, add an exceptional one, days off, A weeks, the import."""

from __future__ import annotations

import datetime as dt
from typing import Any

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.http import Http404, HttpResponse, HttpResponseRedirect
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.http import url_has_allowed_host_and_scheme
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from cartable.core import authz
from cartable.core.authz import Action
from cartable.core.views import require_module
from cartable.directory.http import ActorRequest
from cartable.directory.models import Establishment
from cartable.timetable import actions, forms, imports, queries
from cartable.timetable.models import LessonChange, NonSchoolDay, Slot

MODULE = "timetable"


def _next_url(request: ActorRequest, default: str) -> str:
    target = request.POST.get("next") or request.GET.get("next") or ""
    if url_has_allowed_host_and_scheme(target, {request.get_host()}, require_https=request.is_secure()):
        return target
    return default


def _errors(form: Any, error: ValidationError) -> None:
    for message in error.messages:
        form.add_error(None, message)


def _managed_establishment(request: ActorRequest) -> Establishment:
    """The active establishment, when the actor edits its timetable; a 404 otherwise."""
    establishment = request.actor.establishment
    authz.require_or_404(request.actor, "timetable.edit", establishment)
    assert establishment is not None  # the permission says so
    return establishment


def _change_back(request: ActorRequest, slot_row: Slot, day: dt.date) -> str:
    """Where to go after changing a lesson: ``next``, else the week of its class (or group) with that day."""
    back = _next_url(
        request,
        reverse("timetable:class", args=[slot_row.assignment.school_class_id])
        if slot_row.assignment.school_class_id
        else reverse("timetable:group", args=[slot_row.assignment.group_id]),
    )
    return back if "?" in back else f"{back}?lundi={queries.monday_of(day).isoformat()}"


def _lesson_day(slot_row: Slot, date: str) -> dt.date:
    """The day asked in the address, which must be a day the weekly lesson takes place on; a 404 otherwise."""
    try:
        day = dt.date.fromisoformat(date)
    except ValueError:
        raise Http404 from None
    if day.weekday() != slot_row.weekday:
        raise Http404
    return day


@require_module(MODULE)
def change_lesson(request: ActorRequest, slot: int, date: str) -> HttpResponse:
    """Cancel one lesson, move it to another room or give it a substitute; or undo its change."""
    related = Slot.objects.select_related(
        "room", "assignment__subject", "assignment__teacher", "assignment__school_class", "assignment__group"
    )
    slot_row = authz.access(request.actor, related, slot, Action.CHANGE)
    day = _lesson_day(slot_row, date)
    existing = queries.change_of(slot_row, day)
    back = _change_back(request, slot_row, day)
    initial = {}
    if existing is not None:
        initial = {
            "kind": existing.kind,
            "room": existing.room_id,
            "substitute": existing.substitute_id,
            "note": existing.note,
        }
    form = forms.LessonChangeForm(request.POST or None, initial=initial, establishment_id=slot_row.establishment_id)
    if request.method == "POST" and form.is_valid():
        try:
            actions.change_lesson(
                actor=request.actor,
                slot=slot_row,
                date=day,
                kind=form.cleaned_data["kind"],
                room=form.cleaned_data["room"],
                substitute=form.cleaned_data["substitute"],
                note=form.cleaned_data["note"],
            )
        except ValidationError as error:
            _errors(form, error)
        else:
            messages.success(request, _("La modification du cours est enregistrée."))
            return HttpResponseRedirect(back)
    context = {"slot": slot_row, "day": day, "form": form, "existing": existing, "back": back}
    return render(request, "timetable/change_lesson.html", context)


@require_module(MODULE)
@require_POST
def remove_change(request: ActorRequest, pk: int) -> HttpResponse:
    """Undo a change: the lesson takes place as planned (an exceptional lesson disappears)."""
    change = authz.access(
        request.actor, LessonChange.objects.select_related("slot__assignment", "assignment"), pk, Action.DELETE
    )
    monday = queries.monday_of(change.date).isoformat()
    actions.remove_change(actor=request.actor, change=change)
    messages.success(request, _("Le cours est rétabli comme prévu."))
    return HttpResponseRedirect(_next_url(request, reverse("timetable:home") + f"?lundi={monday}"))


@require_module(MODULE)
def exceptional_lesson(request: ActorRequest) -> HttpResponse:
    """Add a lesson outside the weekly timetable."""
    establishment = _managed_establishment(request)
    try:
        class_id = int(request.GET.get("classe", ""))
    except ValueError:
        class_id = None
    form = forms.ExceptionalLessonForm(request.POST or None, establishment_id=establishment.pk, class_id=class_id)
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        try:
            change = actions.add_exceptional_lesson(actor=request.actor, **data)
        except ValidationError as error:
            _errors(form, error)
        else:
            messages.success(request, _("Le cours exceptionnel est ajouté."))
            default = reverse("timetable:home") + f"?lundi={queries.monday_of(change.date).isoformat()}"
            return HttpResponseRedirect(_next_url(request, default))
    return render(request, "timetable/exceptional.html", {"form": form, "next": _next_url(request, "")})


@require_module(MODULE)
def settings(request: ActorRequest) -> HttpResponse:
    """The A-week reference and the non-school days of the active establishment."""
    establishment = _managed_establishment(request)
    current = queries.settings_of(establishment.pk)
    week_form = forms.WeekAForm(
        request.POST if request.POST.get("form") == "week" else None,
        initial={"week_a_monday": current.week_a_monday if current else None},
    )
    day_form = forms.NonSchoolDayForm(request.POST if request.POST.get("form") == "day" else None)
    if request.method == "POST":
        form = week_form if request.POST.get("form") == "week" else day_form
        if form.is_valid():
            try:
                if form is week_form:
                    actions.set_week_a(
                        actor=request.actor, establishment=establishment, monday=form.cleaned_data["week_a_monday"]
                    )
                    messages.success(request, _("La semaine A de référence est enregistrée."))
                else:
                    actions.add_non_school_day(actor=request.actor, establishment=establishment, **form.cleaned_data)
                    messages.success(request, _("Les jours sans cours sont enregistrés."))
            except ValidationError as error:
                _errors(form, error)
            else:
                return redirect("timetable:settings")
    context = {
        "week_form": week_form,
        "day_form": day_form,
        "days": queries.non_school_days(establishment.pk),
        "settings": current,
        "this_week": current.week_of(queries.default_monday()) if current else "",
    }
    return render(request, "timetable/settings.html", context)


@require_module(MODULE)
@require_POST
def remove_non_school_day(request: ActorRequest, pk: int) -> HttpResponse:
    day = authz.access(request.actor, NonSchoolDay, pk, Action.DELETE)
    actions.remove_non_school_day(actor=request.actor, day=day)
    messages.success(request, _("Les jours sans cours sont supprimés."))
    return redirect("timetable:settings")


@require_module(MODULE)
def import_file(request: ActorRequest) -> HttpResponse:
    """Upload a timetable file: every line is checked; nothing is imported while one line is wrong."""
    establishment = _managed_establishment(request)
    form = forms.ImportForm(request.POST or None, request.FILES or None, initial={"valid_from": timezone.localdate()})
    errors: list[tuple[int, str]] = []
    if request.method == "POST" and form.is_valid():
        upload = form.cleaned_data["file"]
        text = imports.decode(upload.read(imports.MAX_BYTES + 1)) if upload.size <= imports.MAX_BYTES else None
        if text is None:
            form.add_error("file", _("Le fichier doit être un texte UTF-8 de 1 Mo au plus."))
        else:
            parsed = imports.parse(text, establishment)
            errors = parsed.errors
            if parsed.ok:
                counts = actions.import_timetable(
                    actor=request.actor,
                    establishment=establishment,
                    rows=parsed.rows,
                    valid_from=form.cleaned_data["valid_from"],
                    replace=form.cleaned_data["replace"],
                )
                messages.success(
                    request,
                    _("Emploi du temps importé : %(slots)s cours, %(rooms)s salles créées.")
                    % {"slots": counts.slots, "rooms": counts.rooms},
                )
                return redirect("timetable:chooser")
    return render(request, "timetable/import.html", {"form": form, "errors": errors})
