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
from django.utils.translation import ngettext
from django.views.decorators.http import require_POST

from cartable.core import authz
from cartable.core.authz import Action
from cartable.core.views import require_module
from cartable.directory.http import ActorRequest
from cartable.directory.models import Establishment
from cartable.timetable import actions, exports, forms, imports, queries
from cartable.timetable.models import LessonChange, NonSchoolDay, Slot, TimetableImport

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
    """Upload a timetable: a CSV, or an EDT or UDT export (recognised by content). Every line is checked;
    nothing is imported while one line is wrong. An export can be simulated first (the difference, nothing
    written); each import of an export is recorded, and listed below the form."""
    establishment = _managed_establishment(request)
    form = forms.ImportForm(
        request.POST or None,
        request.FILES or None,
        initial={"valid_from": timezone.localdate(), "dry_run": True},
    )
    errors: list[tuple[int, str]] = []
    refused = None
    status = 200
    if request.method == "POST" and form.is_valid():
        upload = form.cleaned_data["file"]
        data = upload.read(exports.max_bytes() + 1)
        if exports.looks_like_export(data):
            run, _plan = actions.import_timetable_export(
                actor=request.actor,
                establishment=establishment,
                file_name=upload.name,
                data=data,
                valid_from=form.cleaned_data["valid_from"],
                dry_run=form.cleaned_data["dry_run"],
            )
            if run.outcome != TimetableImport.Outcome.REFUSED:
                return redirect("timetable:import_run", run.pk)
            refused, status = run, 400
        else:
            response = _import_csv(request, form, establishment, data, upload.size)
            if isinstance(response, HttpResponseRedirect):
                return response
            errors = response  # the CSV page answers 200 with its errors, as it always has
    runs = queries.import_runs(actor=request.actor, establishment_id=establishment.pk)
    context = {"form": form, "errors": errors, "refused": refused, "runs": runs}
    return render(request, "timetable/import.html", context, status=status)


def _import_csv(request: ActorRequest, form: Any, establishment: Establishment, data: bytes, size: int):
    """The CSV path: import (or only count, when simulated) and go back to the chooser, or the errors."""
    text = imports.decode(data) if size <= imports.MAX_BYTES else None
    if text is None:
        form.add_error("file", _("Le fichier doit être un texte UTF-8 de 1 Mo au plus."))
        return []
    parsed = imports.parse(text, establishment)
    if not parsed.ok:
        return parsed.errors
    if form.cleaned_data["dry_run"]:
        n = len(parsed.rows)
        messages.info(
            request,
            ngettext(
                "Simulation : %(n)s cours serait importé. Rien n'a été écrit.",
                "Simulation : %(n)s cours seraient importés. Rien n'a été écrit.",
                n,
            )
            % {"n": n},
        )
        return []
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


@require_module(MODULE)
def import_run(request: ActorRequest, pk: int) -> HttpResponse:
    """The report of an import of an export: file, counts, the difference, warnings and errors by line."""
    run = authz.access(request.actor, TimetableImport, pk, Action.VIEW)
    outcomes = ("created", "changed", "ended", "unchanged")
    rows = [
        (label, [run.counts.get(kind, {}).get(outcome) for outcome in outcomes])  # None: not counted for the kind
        for kind, label in (
            ("slots", _("Cours hebdomadaires")),
            ("rooms", _("Salles")),
            ("assignments", _("Services d'enseignement")),
        )
    ]
    return render(request, "timetable/import_run.html", {"run": run, "rows": rows})
