"""The week pages: a person's own week, and the weeks of a class, group, teacher, room and student."""

from __future__ import annotations

import datetime as dt
from typing import Any

from django.contrib import messages
from django.http import Http404, HttpResponse
from django.shortcuts import render
from django.utils.text import capfirst
from django.utils.translation import gettext as _

from cartable.core import authz, french
from cartable.core.authz import Action
from cartable.core.views import require_module
from cartable.directory.http import ActorRequest
from cartable.directory.models import Establishment, Group, SchoolClass
from cartable.timetable import queries
from cartable.timetable.models import Room

MODULE = "timetable"


def requested_monday(request: ActorRequest) -> dt.date:
    """The Monday asked by ``?semaine=2026-W48`` or ``?lundi=2026-11-23``, else the current week's.

    A value that cannot be read shows the current week, with a message saying so."""
    week = request.GET.get("semaine", "").strip()
    monday = request.GET.get("lundi", "").strip()
    try:
        if week:
            year, number = week.upper().split("-W")
            return dt.date.fromisocalendar(int(year), int(number), 1)
        if monday:
            return queries.monday_of(dt.date.fromisoformat(monday))
    except ValueError:
        messages.warning(request, _("Semaine non reconnue : voici la semaine en cours."))
    return queries.default_monday()


def iso_week(day: dt.date) -> str:
    year, number, _weekday = day.isocalendar()
    return f"{year}-W{number:02d}"


def render_week(
    request: ActorRequest, week: queries.Week, *, title: str, establishment: Establishment | None, **extra: Any
) -> HttpResponse:
    """The week page, or only its grid for htmx navigation."""
    context = {
        "week": week,
        "title": title,
        "previous_week": iso_week(week.previous_monday),
        "next_week": iso_week(week.next_monday),
        "this_week": iso_week(queries.default_monday()),
        "is_this_week": week.monday == queries.default_monday(),
        "can_edit": authz.can(request.actor, "timetable.edit", establishment),
        "can_choose": authz.can(request.actor, "timetable.browse_weeks", establishment),
        **extra,
    }
    template = "timetable/week.html#grid" if request.htmx else "timetable/week.html"
    return render(request, template, context)


@require_module(MODULE)
def home(request: ActorRequest) -> HttpResponse:
    """Each person's own week: a student's, a guardian's active child's, a teacher's; staff choose one."""
    actor = request.actor
    monday = requested_monday(request)
    if not authz.can(actor, "timetable.view_own_week"):
        return chooser(request)
    own = queries.own_week(actor, monday)
    if own is None:
        return render(request, "timetable/no_week.html", {"message": _("Aucun enfant n'est inscrit ici.")})
    week, child = own
    title = _("Emploi du temps %(name)s") % {"name": french.de(child.first_name)} if child else _("Mon emploi du temps")
    return render_week(request, week, title=title, establishment=actor.establishment)


@require_module(MODULE)
def chooser(request: ActorRequest) -> HttpResponse:
    """Staff pick the week of a class, a group, a teacher or a room of their establishment."""
    establishment = request.actor.establishment
    authz.require_or_404(request.actor, "timetable.browse_weeks", establishment)
    assert establishment is not None  # the permission says so
    context = {
        **queries.chooser_lists(establishment),
        "can_edit": authz.can(request.actor, "timetable.edit", establishment),
    }
    return render(request, "timetable/chooser.html", context)


@require_module(MODULE)
def class_week(request: ActorRequest, pk: int) -> HttpResponse:
    school_class = authz.access(request.actor, SchoolClass.objects.select_related("establishment"), pk, Action.VIEW)
    week = queries.week_of_class(school_class=school_class, monday=requested_monday(request))
    title = _("Emploi du temps de la classe %(name)s") % {"name": school_class.name}
    return render_week(
        request,
        week,
        title=title,
        establishment=school_class.establishment,
        school_class=school_class,
        add_slot_query=f"classe={school_class.pk}",
    )


@require_module(MODULE)
def group_week(request: ActorRequest, pk: int) -> HttpResponse:
    group = authz.access(request.actor, Group.objects.select_related("establishment"), pk, Action.VIEW)
    authz.require_or_404(request.actor, "timetable.view_group_week", group)
    week = queries.week_of_group(group=group, monday=requested_monday(request))
    title = _("Emploi du temps du groupe %(name)s") % {"name": group.name}
    return render_week(
        request, week, title=title, establishment=group.establishment, add_slot_query=f"groupe={group.pk}"
    )


@require_module(MODULE)
def teacher_week(request: ActorRequest, pk: int) -> HttpResponse:
    """A teacher's week in the active establishment (the teacher and the staff only)."""
    actor = request.actor
    teacher = queries.teacher_here(actor.establishment_id, pk)
    if teacher is None:
        raise Http404
    authz.require_or_404(actor, "timetable.view_teacher_week", teacher)
    week = queries.week_of_teacher(
        teacher_id=teacher.pk, establishment_id=actor.establishment_id or 0, monday=requested_monday(request)
    )
    title = _("Emploi du temps %(name)s") % {"name": french.de(teacher.display_name)}
    return render_week(
        request, week, title=title, establishment=actor.establishment, add_slot_query=f"enseignant={teacher.pk}"
    )


@require_module(MODULE)
def room_week(request: ActorRequest, pk: int) -> HttpResponse:
    room = authz.access(request.actor, Room.objects.select_related("establishment"), pk, Action.VIEW)
    week = queries.week_of_room(room=room, monday=requested_monday(request))
    title = _("Occupation : %(room)s") % {"room": capfirst(room.label)}
    return render_week(request, week, title=title, establishment=room.establishment)


@require_module(MODULE)
def student_week(request: ActorRequest, pk: int) -> HttpResponse:
    """A student's week, in the establishment where they are enrolled (the active one if several)."""
    enrolment = queries.week_enrolment(request.actor, pk)
    if enrolment is None:
        raise Http404
    authz.require_or_404(request.actor, "timetable.view_student_week", enrolment)
    week = queries.week_of_student(
        student_id=pk, establishment_id=enrolment.establishment_id, monday=requested_monday(request)
    )
    title = _("Emploi du temps %(name)s") % {"name": french.de(enrolment.student.get_full_name())}
    return render_week(request, week, title=title, establishment=enrolment.establishment)
