"""The vie scolaire's pages (and the direction's): the live board, absences and lateness with their entry
forms, a student's file, statistics and the settings of the establishment."""

from __future__ import annotations

import csv
import datetime as dt
from collections.abc import Iterable
from typing import Any

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.forms import Form
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_http_methods

from cartable.attendance import actions, charts, forms, queries
from cartable.attendance.models import Status
from cartable.attendance.views.common import MODULE, actor_of, followed_establishment
from cartable.core import authz
from cartable.core.authz import Action
from cartable.core.views import require_module
from cartable.directory.models import User


@require_GET
@require_module(MODULE)
def board(request: HttpRequest) -> HttpResponse:
    """The live board: lessons begun without a roll call (refreshed by htmx), today's absences."""
    establishment_id = followed_establishment(request)
    context = {"board": queries.board(actor_of(request), establishment_id), "now": timezone.localtime()}
    template = "attendance/board.html#live" if request.htmx else "attendance/board.html"  # type: ignore[attr-defined]
    return render(request, template, context)


def _class_asked(request: HttpRequest) -> int | None:
    try:
        return int(request.GET.get("classe", "") or 0) or None
    except ValueError:
        return None


@require_GET
@require_module(MODULE)
def absences(request: HttpRequest) -> HttpResponse:
    """The establishment's absences, filtered by state and class, and the justifications to decide."""
    actor, establishment_id = actor_of(request), followed_establishment(request)
    status = request.GET.get("etat", "")
    status = status if status in Status.values else ""
    class_id = _class_asked(request)
    page = queries.absences_page(
        actor, establishment_id, status=status, class_id=class_id, page=request.GET.get("page", 1)
    )
    names = queries.class_names([a.student_id for a in page], establishment_id)
    context = {
        "page": page,
        "rows": [(a, names.get(a.student_id, "")) for a in page],
        "status": status,
        "class_id": class_id,
        "statuses": Status.choices,
        "classes": queries.classes_here(actor, establishment_id),
        "to_decide": queries.justifications_to_decide(actor, establishment_id),
    }
    template = "attendance/absences.html#results" if request.htmx else "attendance/absences.html"  # type: ignore[attr-defined]
    return render(request, template, context)


@require_http_methods(["GET", "POST"])
@require_module(MODULE)
def absence_new(request: HttpRequest) -> HttpResponse:
    """The vie scolaire enters an absence (the motifs offered are the establishment's, or the defaults)."""
    actor, establishment_id = actor_of(request), followed_establishment(request)
    students = queries.students_here(actor, establishment_id)
    form = forms.AbsenceForm(request.POST or None, students=students, establishment_id=establishment_id)
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        try:
            absence = actions.record_absence(
                actor=actor,
                student=data["student"],
                establishment_id=establishment_id,
                start=data["start"],
                end=data["end"],
                reason=data.get("reason"),
                status=data["status"],
                comment=data["comment"],
            )
        except ValidationError as error:  # a default motif renamed meanwhile
            form.add_error("reason", error)
        else:
            messages.success(request, _("Absence enregistrée."))
            return redirect("attendance:absence", absence.pk)
    context = {"form": form, "title": _("Saisir une absence")}
    return render(request, "attendance/record_form.html", context, status=400 if request.method == "POST" else 200)


@require_http_methods(["GET", "POST"])
@require_module(MODULE)
def lateness_new(request: HttpRequest) -> HttpResponse:
    """The vie scolaire enters a lateness."""
    actor, establishment_id = actor_of(request), followed_establishment(request)
    form = forms.LatenessForm(request.POST or None, students=queries.students_here(actor, establishment_id))
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        at = dt.datetime.combine(data["day"], data["time"], timezone.get_current_timezone())
        lateness = actions.record_lateness(
            actor=actor,
            student=data["student"],
            establishment_id=establishment_id,
            at=at,
            minutes=data["minutes"],
            comment=data["comment"],
        )
        messages.success(request, _("Retard enregistré."))
        return redirect("attendance:lateness", lateness.pk)
    context = {"form": form, "title": _("Saisir un retard")}
    return render(request, "attendance/record_form.html", context, status=400 if request.method == "POST" else 200)


@require_GET
@require_module(MODULE)
def lateness_list(request: HttpRequest) -> HttpResponse:
    """Students past the lateness threshold, and the latest lateness."""
    establishment_id = followed_establishment(request)
    settings = queries.settings_of(establishment_id)
    recent = queries.recent_lateness(actor_of(request), establishment_id)
    return render(
        request,
        "attendance/lateness_list.html",
        {"alerts": queries.lateness_alerts(establishment_id, settings), "settings": settings, "recent": recent},
    )


@require_GET
@require_module(MODULE)
def student(request: HttpRequest, pk: int) -> HttpResponse:
    """A student's absence file, for the vie scolaire and the direction (the read is recorded)."""
    actor = actor_of(request)
    found = authz.access(actor, User, pk, Action.VIEW)
    authz.require_or_404(actor, "attendance.view_student_file", found)
    start, end = queries.school_year(actor.establishment_id)
    return render(
        request, "attendance/student.html", {"file": queries.student_file(actor, found, start=start, end=end)}
    )


# --- statistics and settings --------------------------------------------------------------------------


@require_GET
@require_module(MODULE)
def statistics(request: HttpRequest) -> HttpResponse:
    """Absence rates per class and student, the students past the legal signal, an SVG chart, CSV."""
    actor, establishment_id = actor_of(request), followed_establishment(request)
    periods, period, start, end = queries.period_asked(establishment_id, request.GET.get("periode", ""))
    class_id = _class_asked(request)
    students, classes = queries.statistics(establishment_id, start=start, end=end, class_id=class_id)
    if request.GET.get("format") == "csv":
        return _csv(students, start, end)
    settings = queries.settings_of(establishment_id)
    month = timezone.localdate()
    context = {
        "periods": periods,
        "period": period,
        "start": start,
        "end": end,
        "class_id": class_id,
        "classes": queries.classes_here(actor, establishment_id),
        "students": students,
        "class_stats": classes,
        "chart": charts.bars([(c.name, c.rate) for c in classes]),
        "signals": queries.signals(establishment_id, month=month, threshold=settings.half_day_threshold),
        "settings": settings,
        "month": month,
        "query": request.GET.urlencode(),
    }
    return render(request, "attendance/statistics.html", context)


def _csv(students: Iterable[queries.StudentStat], start: dt.date, end: dt.date) -> HttpResponse:
    response = HttpResponse(content_type="text/csv; charset=utf-8")
    response["Content-Disposition"] = f'attachment; filename="absences-{start}-{end}.csv"'
    response.write("\ufeff")
    writer = csv.writer(response, delimiter=";")
    writer.writerow(
        [_("Classe"), _("Élève"), _("Demi-journées d'absence"), _("Dont non justifiées"), _("Retards"), _("Taux (%)")]
    )
    for s in students:
        name = s.name if s.name[:1] not in "=+-@" else "'" + s.name
        counts = s.counts
        row = [s.class_name, name, counts.absent_half_days, counts.unjustified_half_days, counts.lateness]
        writer.writerow([*row, str(s.rate).replace(".", ",")])
    return response


def _settings_page(request: HttpRequest, establishment_id: int, status: int = 200, **bound: Form) -> HttpResponse:
    current = queries.settings_of(establishment_id)
    initial = {
        "lateness_threshold": current.lateness_threshold,
        "lateness_window_days": current.lateness_window_days,
        "half_day_threshold": current.half_day_threshold,
    }
    context: dict[str, Any] = {
        "settings_form": forms.SettingsForm(initial=initial),
        "reason_form": forms.ReasonForm(),
        "reasons": queries.reasons(establishment_id, active_only=False),
    }
    return render(request, "attendance/settings.html", context | bound, status=status)


def _save_thresholds(request: HttpRequest, establishment_id: int) -> HttpResponse:
    form = forms.SettingsForm(request.POST)
    if not form.is_valid():
        return _settings_page(request, establishment_id, 400, settings_form=form)
    actions.save_settings(actor=actor_of(request), establishment_id=establishment_id, **form.cleaned_data)
    messages.success(request, _("Seuils enregistrés."))
    return redirect("attendance:settings")


def _save_reason(request: HttpRequest, establishment_id: int) -> HttpResponse:
    actor = actor_of(request)
    reason = queries.reason_to_change(actor, establishment_id, request.POST.get("reason", ""))
    form = forms.ReasonForm(request.POST)
    if form.is_valid():
        try:
            actions.save_reason(actor=actor, establishment_id=establishment_id, reason=reason, **form.cleaned_data)
        except ValidationError as error:
            form.add_error("label", error)
        else:
            messages.success(request, _("Motif enregistré."))
            return redirect("attendance:settings")
    return _settings_page(request, establishment_id, 400, reason_form=form)


@require_http_methods(["GET", "POST"])
@require_module(MODULE)
def settings(request: HttpRequest) -> HttpResponse:
    """The establishment's motifs (the built-in defaults until it writes its own) and alert thresholds."""
    establishment_id = followed_establishment(request)
    if request.method != "POST":
        return _settings_page(request, establishment_id)
    what = request.POST.get("form")
    if what == "settings":
        return _save_thresholds(request, establishment_id)
    if what == "reason":
        return _save_reason(request, establishment_id)
    raise Http404
