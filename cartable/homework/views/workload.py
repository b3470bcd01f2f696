"""The workload pages: a class's week as a heat map, a student's week with a suggested plan, and the
establishment's thresholds (set by the direction)."""

from __future__ import annotations

import datetime as dt
from typing import Any

from django.contrib import messages
from django.http import HttpResponse
from django.shortcuts import redirect, render
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from cartable.core import authz, registry
from cartable.core.authz import Action
from cartable.core.views import require_module
from cartable.directory.actor import Actor
from cartable.directory.http import ActorRequest
from cartable.directory.models import Establishment, SchoolClass
from cartable.homework import queries, workload
from cartable.homework.forms import ThresholdsForm
from cartable.homework.queries import dashboard_due
from cartable.timetable.queries import default_monday


def _monday(request: ActorRequest) -> dt.date:
    try:
        day = dt.date.fromisoformat(request.GET.get("semaine", ""))
    except ValueError:
        return default_monday()  # on a weekend, the week to come, as the timetable does
    return workload.monday_of(day)


@require_module("homework")
def index(request: ActorRequest) -> HttpResponse:
    """Charge de travail: the classes whose week one may look at; for a student, their own week."""
    actor = request.actor
    if authz.can(actor, "homework.tick_done"):
        return my_week(request)  # a student's workload is their own week (the menu link stays current)
    can_set = actor.establishment is not None and authz.allows(actor, Action.MANAGE, actor.establishment)
    return render(
        request,
        "homework/workload/index.html",
        {
            "classes": queries.workload_classes(actor),
            "can_set": can_set,
            "can_view_student_week": authz.can(actor, "homework.view_student_week"),
        },
    )


@require_module("homework")
def class_week(request: ActorRequest, pk: int) -> HttpResponse:
    """A class's week: each day's minutes of homework and announced tests, against the thresholds."""
    school_class = authz.access(request.actor, SchoolClass, pk, Action.VIEW)
    monday = _monday(request)
    limits = workload.thresholds_for(school_class.establishment_id)
    days = workload.week_load(
        establishment_id=school_class.establishment_id, class_id=school_class.pk, start=monday, days=6
    )
    week_tests = sum(d.tests for d in days)
    rows = [{"day": d, **queries.level(d.minutes, d.tests, limits)} for d in days if d.date.weekday() < 5 or d.items]
    context = {
        "school_class": school_class,
        "monday": monday,
        "previous": monday - dt.timedelta(days=7),
        "following": monday + dt.timedelta(days=7),
        "rows": rows,
        "limits": limits,
        "week_tests": week_tests,
        "week_over": week_tests > limits.max_tests_per_week,
        "scale": queries.LEVELS,
    }
    return render(request, "homework/workload/class_week.html", context)


@require_module("homework")
def my_week(request: ActorRequest) -> HttpResponse:
    """Ma semaine: the student's load day by day, and a plan spreading each piece of work before its date."""
    actor = request.actor
    authz.require_or_404(actor, "homework.view_student_week", None)
    _student_id, name = queries.week_student(actor)
    monday, today = _monday(request), timezone.localdate()
    context = queries.student_week(actor, monday, today=today)
    context.update(
        {
            "name": name,
            "monday": monday,
            "previous": monday - dt.timedelta(days=7),
            "following": monday + dt.timedelta(days=7),
            "today": today,
            "can_follow_children": authz.can(actor, "homework.follow_children"),
        }
    )
    return render(request, "homework/workload/my_week.html", context)


@require_module("homework")
def thresholds(request: ActorRequest) -> HttpResponse:
    """The direction sets the establishment's limits; the guard warns teachers beyond them."""
    establishment = authz.access(request.actor, Establishment, request.actor.establishment_id, Action.MANAGE)
    current = workload.thresholds_for(establishment.pk)
    if request.method == "POST":
        form = ThresholdsForm(request.POST)
        if form.is_valid():
            workload.set_thresholds(actor=request.actor, establishment=establishment, **form.cleaned_data)
            messages.success(request, _("Les seuils de charge de travail sont enregistrés."))
            return redirect("homework:workload_thresholds")
    else:
        form = ThresholdsForm(
            initial={
                "max_tests_per_day": current.max_tests_per_day,
                "max_minutes_per_day": current.max_minutes_per_day,
                "max_tests_per_week": current.max_tests_per_week,
            }
        )
    return render(request, "homework/workload/thresholds.html", {"form": form, "establishment": establishment})


# --- registrations: the menu entry and the dashboard widget (imported from hooks.py) ---------------------------
def _sees_workload(actor: Actor) -> bool:
    return authz.can(actor, "homework.view_workload")


def _sees_week_widget(actor: Actor) -> bool:
    return authz.can(actor, "homework.view_week_widget")


def _week_widget(actor: Actor) -> dict[str, Any] | None:
    """The load of the student (or the active child) over the coming seven school days (weekends and the
    timetable's non-school days skipped), day by day: the due homework shared with "Devoirs à venir" (one
    query for both), the thresholds and the calendar cached."""
    if not authz.can(actor, "homework.view_student_week"):  # a guardian with no child here
        return None
    today = timezone.localdate()
    items = dashboard_due(actor)  # shared with "Devoirs à venir": one query for both widgets
    limits = queries.workload_limits(actor)
    days: list[dict[str, Any]] = []
    for day in queries.coming_school_days(actor):
        due = [i for i in items if i.due_date == day]
        minutes, tests = sum(i.estimated_minutes for i in due), sum(1 for i in due if i.kind == "test")
        days.append(
            {
                "date": day,
                "minutes": minutes,
                "tests": tests,
                "is_today": day == today,
                "new_week": bool(days) and day.weekday() < days[-1]["date"].weekday(),
                **queries.level(minutes, tests, limits),
            }
        )
    return {"days": days, "total": sum(d["minutes"] for d in days)}


registry.register_menu(
    registry.MenuEntry(
        key="workload",
        label=gettext_lazy("Charge de travail"),
        url_name="homework:workload",
        order=45,
        module="homework",
        visible=_sees_workload,
    )
)
registry.register_widget(
    registry.Widget(
        key="workload_week",
        title=gettext_lazy("Ma charge des prochains jours"),
        template="homework/workload/widget.html",
        context=_week_widget,
        order=45,
        module="homework",
        visible=_sees_week_widget,
    )
)
