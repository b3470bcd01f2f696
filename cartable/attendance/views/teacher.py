"""Where "Vie scolaire" leads, the teacher's lessons of a day and the roll call of one of them."""

from __future__ import annotations

import datetime as dt

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.utils.translation import ngettext
from django.views.decorators.http import require_GET, require_http_methods

from cartable.attendance import actions, forms, queries
from cartable.attendance.actions import Entry
from cartable.attendance.views.common import MODULE, actor_of, day_asked
from cartable.core import authz
from cartable.core.views import require_module
from cartable.timetable.queries import Lesson


@require_GET
@require_module(MODULE)
def home(request: HttpRequest) -> HttpResponse:
    """Where "Vie scolaire" leads, by the role acted in."""
    url_name = queries.home_url_name(actor_of(request))
    if url_name is None:
        raise Http404
    return redirect(url_name)


@require_GET
@require_module(MODULE)
def lessons(request: HttpRequest) -> HttpResponse:
    """The lessons a teacher gives on a day, each with "Faire l'appel" or its roll call's state."""
    actor = actor_of(request)
    authz.require_or_404(actor, "attendance.view_own_lessons", None)
    day = day_asked(request)
    return render(
        request,
        "attendance/lessons.html",
        {
            "day": day,
            "previous": day - dt.timedelta(days=1),
            "following": day + dt.timedelta(days=1),
            "calls": queries.teacher_lessons(actor, day),
        },
    )


def _lesson(request: HttpRequest, day: str, key: str) -> Lesson:
    """The lesson of the URL, when the actor may call its roll; 404 otherwise."""
    try:
        date = dt.date.fromisoformat(day)
    except ValueError:
        raise Http404 from None
    actor = actor_of(request)
    lesson = queries.lesson_of(actor, date, key)
    if lesson is None:
        raise Http404
    authz.require_or_404(actor, "attendance.take_roll_call", lesson)
    return lesson


@require_http_methods(["GET", "POST"])
@require_module(MODULE)
def roll_call(request: HttpRequest, day: str, key: str) -> HttpResponse:
    """Call the roll of a lesson in a few taps, validate it, correct it later (corrections are kept).

    Before the roll call opens, the sheet says when it opens and offers no form."""
    lesson = _lesson(request, day, key)
    sheet = queries.roll_call_sheet(lesson)
    students = [s for s, _m in sheet.rows]
    marks = {s.pk: m for s, m in sheet.rows if m is not None}
    form = forms.RollCallForm(request.POST or None, students=students, marks=marks)
    if request.method == "POST" and sheet.is_open and form.is_valid():
        entries = {sid: Entry(state, minutes) for sid, (state, minutes) in form.entries().items()}
        try:
            actions.take_roll_call(actor=actor_of(request), lesson=lesson, students=students, entries=entries)
        except ValidationError as error:
            form.add_error(None, error)
        else:
            done = ngettext("Appel validé pour %(n)s élève.", "Appel validé pour %(n)s élèves.", len(students)) % {
                "n": len(students)
            }
            messages.success(request, _("Appel corrigé.") if sheet.roll_call else done)
            return redirect(reverse("attendance:lessons") + "?date=" + lesson.date.isoformat())
    status = 400 if request.method == "POST" else 200
    context = {"sheet": sheet, "lesson": lesson, "form": form if sheet.is_open else None}
    return render(request, "attendance/roll_call.html", context, status=status)
