"""School life pages: the teacher's lessons and the roll call, the live board, absences and lateness
with their justifications, a student's file, the family's page, statistics and settings."""

from __future__ import annotations

import csv
import datetime as dt

from django.contrib import messages
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import Http404, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_http_methods

from cartable.attendance import actions, charts, forms, queries
from cartable.attendance.actions import Entry
from cartable.attendance.models import Absence, AbsenceReason, Justification, Lateness, Status
from cartable.attendance.policies import is_life_staff, may_call
from cartable.core import audit, authz, uploads
from cartable.core.authz import Action
from cartable.core.views import require_module
from cartable.directory.actor import current
from cartable.directory.models import Enrolment, Role, SchoolClass, User

MODULE = "attendance"


def _day(request) -> dt.date:
    try:
        return dt.date.fromisoformat(request.GET.get("date", ""))
    except ValueError:
        return timezone.localdate()


def _life_staff(request) -> int:
    """The active establishment, when the actor is its vie scolaire or direction; 404 otherwise."""
    establishment_id = request.actor.establishment_id
    if not is_life_staff(request.actor, establishment_id):
        raise Http404
    return establishment_id


@require_GET
@require_module(MODULE)
def home(request):
    """Where "Vie scolaire" leads, by the role acted in."""
    actor = request.actor
    if is_life_staff(actor, actor.establishment_id):
        return redirect("attendance:board")
    if actor.role == Role.TEACHER:
        return redirect("attendance:lessons")
    if actor.role in (Role.GUARDIAN, Role.STUDENT):
        return redirect("attendance:family")
    raise Http404


# --- the teacher's lessons and the roll call ----------------------------------------------------------


@require_GET
@require_module(MODULE)
def lessons(request):
    """The lessons a teacher gives on a day, each with "Faire l'appel" or its roll call's state."""
    if not request.actor.has_role(Role.TEACHER):
        raise Http404
    day = _day(request)
    return render(
        request,
        "attendance/lessons.html",
        {
            "day": day,
            "previous": day - dt.timedelta(days=1),
            "following": day + dt.timedelta(days=1),
            "calls": queries.teacher_lessons(request.actor, day),
        },
    )


@require_http_methods(["GET", "POST"])
@require_module(MODULE)
def roll_call(request, day: str, key: str):
    """Call the roll of a lesson in a few taps, validate it, correct it later (corrections are kept)."""
    try:
        date = dt.date.fromisoformat(day)
    except ValueError:
        raise Http404 from None
    lesson = queries.lesson_of(request.actor, date, key)
    if lesson is None or not may_call(request.actor, lesson):
        raise Http404
    sheet = queries.roll_call_sheet(lesson)
    students = [s for s, _m in sheet.rows]
    marks = {s.pk: m for s, m in sheet.rows if m is not None}
    form = forms.RollCallForm(request.POST or None, students=students, marks=marks)
    if request.method == "POST" and form.is_valid():
        entries = {sid: Entry(state, minutes) for sid, (state, minutes) in form.entries().items()}
        try:
            actions.take_roll_call(actor=request.actor, lesson=lesson, students=students, entries=entries)
        except ValidationError as error:
            form.add_error(None, error)
            return render(
                request, "attendance/roll_call.html", {"sheet": sheet, "lesson": lesson, "form": form}, status=400
            )
        messages.success(
            request,
            _("Appel corrigé.") if sheet.roll_call else _("Appel validé pour %(n)s élèves.") % {"n": len(students)},
        )
        return redirect(reverse("attendance:lessons") + "?date=" + lesson.date.isoformat())
    status = 400 if request.method == "POST" else 200
    return render(request, "attendance/roll_call.html", {"sheet": sheet, "lesson": lesson, "form": form}, status=status)


# --- the vie scolaire ---------------------------------------------------------------------------------


@require_GET
@require_module(MODULE)
def board(request):
    """The live board: lessons begun without a roll call (refreshed by htmx), today's absences."""
    establishment_id = _life_staff(request)
    context = {"board": queries.board(request.actor, establishment_id), "now": timezone.localtime()}
    template = "attendance/board.html#live" if request.htmx else "attendance/board.html"
    return render(request, template, context)


@require_GET
@require_module(MODULE)
def absences(request):
    """The establishment's absences, filtered by state and class, and the justifications to decide."""
    establishment_id = _life_staff(request)
    status = request.GET.get("etat", "")
    status = status if status in Status.values else ""
    try:
        class_id = int(request.GET.get("classe", "") or 0) or None
    except ValueError:
        class_id = None
    page = queries.absences_page(
        request.actor, establishment_id, status=status, class_id=class_id, page=request.GET.get("page", 1)
    )
    names = queries.class_names([a.student_id for a in page], establishment_id)
    context = {
        "page": page,
        "rows": [(a, names.get(a.student_id, "")) for a in page],
        "status": status,
        "class_id": class_id,
        "statuses": Status.choices,
        "classes": SchoolClass.objects.visible_to(request.actor)
        .filter(establishment_id=establishment_id)
        .order_by("name"),
        "to_decide": queries.justifications_to_decide(request.actor, establishment_id),
    }
    template = "attendance/absences.html#results" if request.htmx else "attendance/absences.html"
    return render(request, template, context)


def _students_here(establishment_id: int):
    enrolled = current(Enrolment.objects.filter(establishment_id=establishment_id)).values("student_id")
    return User.objects.filter(pk__in=enrolled).order_by("last_name", "first_name")


@require_http_methods(["GET", "POST"])
@require_module(MODULE)
def absence_new(request):
    """The vie scolaire enters an absence."""
    establishment_id = _life_staff(request)
    actions.ensure_default_reasons(establishment_id=establishment_id)
    form = forms.AbsenceForm(
        request.POST or None, students=_students_here(establishment_id), establishment_id=establishment_id
    )
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        absence = actions.record_absence(
            actor=request.actor,
            student=data["student"],
            establishment_id=establishment_id,
            start=data["start"],
            end=data["end"],
            reason=data.get("reason"),
            status=data["status"],
            comment=data["comment"],
        )
        messages.success(request, _("Absence enregistrée."))
        return redirect("attendance:absence", absence.pk)
    return render(
        request,
        "attendance/record_form.html",
        {"form": form, "title": _("Saisir une absence")},
        status=400 if request.method == "POST" else 200,
    )


@require_http_methods(["GET", "POST"])
@require_module(MODULE)
def lateness_new(request):
    """The vie scolaire enters a lateness."""
    establishment_id = _life_staff(request)
    form = forms.LatenessForm(request.POST or None, students=_students_here(establishment_id))
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        at = dt.datetime.combine(data["day"], data["time"], timezone.get_current_timezone())
        lateness = actions.record_lateness(
            actor=request.actor,
            student=data["student"],
            establishment_id=establishment_id,
            at=at,
            minutes=data["minutes"],
            comment=data["comment"],
        )
        messages.success(request, _("Retard enregistré."))
        return redirect("attendance:lateness", lateness.pk)
    return render(
        request,
        "attendance/record_form.html",
        {"form": form, "title": _("Saisir un retard")},
        status=400 if request.method == "POST" else 200,
    )


@require_GET
@require_module(MODULE)
def lateness_list(request):
    """Students past the lateness threshold, and the latest lateness."""
    establishment_id = _life_staff(request)
    settings = queries.settings_of(establishment_id)
    recent = list(
        Lateness.objects.visible_to(request.actor)
        .filter(establishment_id=establishment_id)
        .select_related("student")
        .order_by("-at")[:50]
    )
    return render(
        request,
        "attendance/lateness_list.html",
        {"alerts": queries.lateness_alerts(establishment_id, settings), "settings": settings, "recent": recent},
    )


# --- one absence or lateness, its justifications ------------------------------------------------------


def _record_page(request, record, justifications, extra):
    actor = request.actor
    staff = is_life_staff(actor, record.establishment_id)
    family = record.student_id in actor.children_ids
    justify_form = decide_form = status_form = None
    if family and record.status != Status.JUSTIFIED:
        actions.ensure_default_reasons(establishment_id=record.establishment_id)
        justify_form = forms.JustifyForm(establishment_id=record.establishment_id)
    if staff:
        decide_form = forms.DecideForm()
        status_form = forms.StatusForm(
            establishment_id=record.establishment_id,
            initial={"status": record.status, "reason": record.reason_id, "comment": record.comment},
        )
    return {
        "record": record,
        "justifications": justifications,
        "justify_form": justify_form,
        "decide_form": decide_form,
        "status_form": status_form,
        "is_staff": staff,
        "student": User.objects.get(pk=record.student_id),
        **extra,
    }


def _post_on_record(request, record, detail_url):
    """Handle the three forms of a record's page: justify (family), decide and set status (staff)."""
    actor = request.actor
    what = request.POST.get("form")
    try:
        if what == "justify":
            form = forms.JustifyForm(request.POST, request.FILES, establishment_id=record.establishment_id)
            if form.is_valid():
                data = form.cleaned_data
                actions.justify(
                    actor=actor,
                    record=record,
                    reason=data["reason"],
                    comment=data["comment"],
                    document=data["document"],
                )
                messages.success(request, _("Justification envoyée à la vie scolaire."))
                return redirect(detail_url), None
            return None, ("justify_form", form)
        if what == "decide":
            justification = authz.access(
                actor,
                Justification.objects.filter(**{record._meta.model_name: record}),
                request.POST.get("justification"),
                Action.CHANGE,
            )
            form = forms.DecideForm(request.POST)
            if form.is_valid():
                actions.decide(
                    actor=actor,
                    justification=justification,
                    accept=form.cleaned_data["decision"] == "accept",
                    message=form.cleaned_data["message"],
                )
                messages.success(request, _("Décision enregistrée ; la famille est prévenue."))
                return redirect(detail_url), None
            return None, ("decide_form", form)
        if what == "status":
            form = forms.StatusForm(request.POST, establishment_id=record.establishment_id)
            if form.is_valid():
                data = form.cleaned_data
                actions.set_status(
                    actor=actor,
                    record=record,
                    status=data["status"],
                    reason=data.get("reason"),
                    comment=data["comment"],
                )
                messages.success(request, _("État enregistré."))
                return redirect(detail_url), None
            return None, ("status_form", form)
    except PermissionDenied:
        raise Http404 from None
    except ValidationError as error:
        messages.error(request, " ".join(error.messages))
        return redirect(detail_url), None
    raise Http404


@require_http_methods(["GET", "POST"])
@require_module(MODULE)
def absence(request, pk: int):
    """An absence: the lessons it covers, its justifications (documents), and what one may do."""
    record = authz.access(request.actor, Absence.objects.select_related("reason"), pk, Action.VIEW)
    url = reverse("attendance:absence", args=[pk])
    failed = None
    if request.method == "POST":
        response, failed = _post_on_record(request, record, url)
        if response:
            return response
    justifications, marks = queries.absence_detail(request.actor, record)
    context = _record_page(request, record, justifications, {"marks": marks, "kind": "absence"})
    if failed:
        context[failed[0]] = failed[1]
    return render(request, "attendance/record.html", context, status=400 if failed else 200)


@require_http_methods(["GET", "POST"])
@require_module(MODULE)
def lateness(request, pk: int):
    """A lateness and its justifications."""
    record = authz.access(request.actor, Lateness.objects.select_related("reason"), pk, Action.VIEW)
    url = reverse("attendance:lateness", args=[pk])
    failed = None
    if request.method == "POST":
        response, failed = _post_on_record(request, record, url)
        if response:
            return response
    justifications = queries.lateness_detail(request.actor, record)
    context = _record_page(request, record, justifications, {"marks": [], "kind": "lateness"})
    if failed:
        context[failed[0]] = failed[1]
    return render(request, "attendance/record.html", context, status=400 if failed else 200)


@require_GET
@require_module(MODULE)
def document(request, pk: int):
    """A justification's document, for those who see the justification (never the teachers)."""
    found = authz.access(request.actor, Justification, pk, Action.VIEW)
    audit.record_read(actor=request.actor, verb="attendance.view_document", target=found, subject_id=found.student_id)
    return uploads.serve_file(
        request, found.document, filename=found.original_name, content_type=found.content_type, inline=True
    )


# --- families -----------------------------------------------------------------------------------------


def _school_year(establishment_id: int) -> tuple[dt.date, dt.date]:
    periods = queries.periods_of(establishment_id)
    today = timezone.localdate()
    if periods:
        return periods[0].start_date, periods[-1].end_date
    return dt.date(today.year - (today.month < 9), 9, 1), today


@require_GET
@require_module(MODULE)
def family(request):
    """A family's (or a student's own) absences and lateness, with what is left to justify."""
    actor = request.actor
    if actor.role == Role.GUARDIAN and actor.child:
        student = User.objects.get(pk=actor.child.id)
    elif actor.role == Role.STUDENT:
        student = actor.user
    else:
        raise Http404
    start, end = _school_year(actor.establishment_id)
    return render(
        request,
        "attendance/family.html",
        {
            "file": queries.student_file(actor, student, start=start, end=end),
            "can_declare": actor.role == Role.GUARDIAN,
        },
    )


@require_GET
@require_module(MODULE)
def student(request, pk: int):
    """A student's absence file, for the vie scolaire and the direction (the read is recorded)."""
    found = authz.access(request.actor, User, pk, Action.VIEW)
    enrolled_here = current(Enrolment.objects.filter(student=found)).values_list("establishment_id", flat=True)
    if not any(is_life_staff(request.actor, e) for e in enrolled_here):
        raise Http404
    start, end = _school_year(request.actor.establishment_id)
    return render(
        request, "attendance/student.html", {"file": queries.student_file(request.actor, found, start=start, end=end)}
    )


@require_http_methods(["GET", "POST"])
@require_module(MODULE)
def declare(request):
    """A guardian declares an absence ahead, with a reason and optionally a document."""
    actor = request.actor
    children = actor.children_here if actor.role == Role.GUARDIAN else []
    if not children:
        raise Http404
    establishment_id = actor.establishment_id
    actions.ensure_default_reasons(establishment_id=establishment_id)
    form = forms.DeclareForm(
        request.POST or None,
        request.FILES or None,
        children=children,
        establishment_id=establishment_id,
        initial={"student": actor.child.id if actor.child else None},
    )
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        absence = actions.declare_absence(
            actor=actor,
            student=User.objects.get(pk=data["student"]),
            establishment_id=establishment_id,
            start=data["start"],
            end=data["end"],
            reason=data["reason"],
            comment=data["comment"],
            document=data["document"],
        )
        messages.success(request, _("Absence déclarée ; la vie scolaire en est informée."))
        return redirect("attendance:absence", absence.pk)
    return render(request, "attendance/declare.html", {"form": form}, status=400 if request.method == "POST" else 200)


# --- statistics and settings --------------------------------------------------------------------------


def _period(request, establishment_id: int):
    """The period asked (``?periode=<id>``, ``?du=&au=``), else the school year so far."""
    periods = queries.periods_of(establishment_id)
    start, end = _school_year(establishment_id)
    chosen = request.GET.get("periode", "")
    for period in periods:
        if str(period.pk) == chosen:
            return periods, period, period.start_date, period.end_date
    return periods, None, start, min(end, timezone.localdate())


@require_GET
@require_module(MODULE)
def statistics(request):
    """Absence rates per class and student, the students past the legal signal, an SVG chart, CSV."""
    establishment_id = _life_staff(request)
    periods, period, start, end = _period(request, establishment_id)
    try:
        class_id = int(request.GET.get("classe", "") or 0) or None
    except ValueError:
        class_id = None
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
        "classes": SchoolClass.objects.visible_to(request.actor)
        .filter(establishment_id=establishment_id)
        .order_by("name"),
        "students": students,
        "class_stats": classes,
        "chart": charts.bars([(c.name, c.rate) for c in classes]),
        "signals": queries.signals(establishment_id, month=month, threshold=settings.half_day_threshold),
        "settings": settings,
        "month": month,
        "query": request.GET.urlencode(),
    }
    return render(request, "attendance/statistics.html", context)


def _csv(students, start: dt.date, end: dt.date) -> HttpResponse:
    response = HttpResponse(content_type="text/csv; charset=utf-8")
    response["Content-Disposition"] = f'attachment; filename="absences-{start}-{end}.csv"'
    response.write("\ufeff")
    writer = csv.writer(response, delimiter=";")
    writer.writerow(
        [_("Classe"), _("Élève"), _("Demi-journées d'absence"), _("Dont non justifiées"), _("Retards"), _("Taux (%)")]
    )
    for s in students:
        name = s.name if s.name[:1] not in "=+-@" else "'" + s.name
        writer.writerow(
            [
                s.class_name,
                name,
                s.counts.absent_half_days,
                s.counts.unjustified_half_days,
                s.counts.lateness,
                str(s.rate).replace(".", ","),
            ]
        )
    return response


@require_http_methods(["GET", "POST"])
@require_module(MODULE)
def settings(request):
    """The establishment's motifs and alert thresholds."""
    establishment_id = _life_staff(request)
    actions.ensure_default_reasons(establishment_id=establishment_id)
    current_settings = queries.settings_of(establishment_id)
    settings_form = forms.SettingsForm(
        initial={
            "lateness_threshold": current_settings.lateness_threshold,
            "lateness_window_days": current_settings.lateness_window_days,
            "half_day_threshold": current_settings.half_day_threshold,
        }
    )
    reason_form = forms.ReasonForm()
    status = 200
    if request.method == "POST":
        what = request.POST.get("form")
        if what == "settings":
            settings_form = forms.SettingsForm(request.POST)
            if settings_form.is_valid():
                actions.save_settings(
                    actor=request.actor, establishment_id=establishment_id, **settings_form.cleaned_data
                )
                messages.success(request, _("Seuils enregistrés."))
                return redirect("attendance:settings")
        elif what == "reason":
            reason = None
            if request.POST.get("reason"):
                reason = authz.access(
                    request.actor,
                    AbsenceReason.objects.filter(establishment_id=establishment_id),
                    request.POST["reason"],
                    Action.CHANGE,
                )
            reason_form = forms.ReasonForm(request.POST)
            if reason_form.is_valid():
                try:
                    actions.save_reason(
                        actor=request.actor,
                        establishment_id=establishment_id,
                        reason=reason,
                        **reason_form.cleaned_data,
                    )
                except ValidationError as error:
                    reason_form.add_error("label", error)
                else:
                    messages.success(request, _("Motif enregistré."))
                    return redirect("attendance:settings")
        else:
            raise Http404
        status = 400
    return render(
        request,
        "attendance/settings.html",
        {
            "settings_form": settings_form,
            "reason_form": reason_form,
            "reasons": queries.reasons(establishment_id, active_only=False),
        },
        status=status,
    )
