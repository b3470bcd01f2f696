"""The week pages: a person's own week, and the weeks of a class, group, teacher, room and student."""

from __future__ import annotations

import datetime as dt

from django.contrib import messages
from django.http import Http404
from django.shortcuts import render
from django.utils.translation import gettext as _

from cartable.core import authz
from cartable.core.authz import Action
from cartable.core.views import require_module
from cartable.directory.actor import current
from cartable.directory.models import Enrolment, Group, Membership, Role, SchoolClass, User
from cartable.timetable import policies, queries
from cartable.timetable.models import Room

MODULE = "timetable"
OWN_WEEK_ROLES = {Role.STUDENT, Role.GUARDIAN, Role.TEACHER}


def requested_monday(request) -> dt.date:
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


def render_week(request, week: queries.Week, *, title: str, establishment_id: int, **extra):
    """The week page, or only its grid for htmx navigation."""
    context = {
        "week": week,
        "title": title,
        "previous_week": iso_week(week.previous_monday),
        "next_week": iso_week(week.next_monday),
        "this_week": iso_week(queries.default_monday()),
        "is_this_week": week.monday == queries.default_monday(),
        "can_edit": policies.can_edit(request.actor, establishment_id),
        "can_choose": policies.can_browse_weeks(request.actor, establishment_id),
        **extra,
    }
    template = "timetable/week.html#grid" if request.htmx else "timetable/week.html"
    return render(request, template, context)


@require_module(MODULE)
def home(request):
    """Each person's own week: a student's, a guardian's active child's, a teacher's; staff choose one."""
    actor = request.actor
    monday = requested_monday(request)
    if actor.role == Role.STUDENT:
        week = queries.week_of_student(student_id=actor.user_id, establishment_id=actor.establishment_id, monday=monday)
        return render_week(request, week, title=_("Mon emploi du temps"), establishment_id=actor.establishment_id)
    if actor.role == Role.GUARDIAN:
        child = actor.child
        if child is None:
            return render(request, "timetable/no_week.html", {"message": _("Aucun enfant n'est inscrit ici.")})
        week = queries.week_of_student(student_id=child.id, establishment_id=actor.establishment_id, monday=monday)
        title = _("Emploi du temps de %(name)s") % {"name": child.first_name}
        return render_week(request, week, title=title, establishment_id=actor.establishment_id)
    if actor.role == Role.TEACHER:
        week = queries.week_of_teacher(teacher_id=actor.user_id, establishment_id=actor.establishment_id, monday=monday)
        return render_week(request, week, title=_("Mon emploi du temps"), establishment_id=actor.establishment_id)
    return chooser(request)


@require_module(MODULE)
def chooser(request):
    """Staff pick the week of a class, a group, a teacher or a room of their establishment."""
    establishment_id = request.actor.establishment_id
    if not policies.can_browse_weeks(request.actor, establishment_id):
        raise Http404
    teachers = current(Membership.objects.filter(establishment_id=establishment_id, role=Role.TEACHER)).values(
        "person_id"
    )
    context = {
        "classes": SchoolClass.objects.filter(establishment_id=establishment_id).order_by("name"),
        "groups": Group.objects.filter(establishment_id=establishment_id).order_by("name"),
        "teachers": User.objects.filter(pk__in=teachers).order_by("last_name", "first_name"),
        "rooms": queries.rooms_of(establishment_id),
        "can_edit": policies.can_edit(request.actor, establishment_id),
    }
    return render(request, "timetable/chooser.html", context)


@require_module(MODULE)
def class_week(request, pk: int):
    school_class = authz.access(request.actor, SchoolClass, pk, Action.VIEW)
    week = queries.week_of_class(school_class=school_class, monday=requested_monday(request))
    title = _("Emploi du temps de la classe %(name)s") % {"name": school_class.name}
    return render_week(
        request,
        week,
        title=title,
        establishment_id=school_class.establishment_id,
        school_class=school_class,
        add_slot_query=f"classe={school_class.pk}",
    )


@require_module(MODULE)
def group_week(request, pk: int):
    group = Group.objects.filter(pk=pk).first()
    if group is None or not policies.can_view_group_week(request.actor, group):
        raise Http404
    week = queries.week_of_group(group=group, monday=requested_monday(request))
    title = _("Emploi du temps du groupe %(name)s") % {"name": group.name}
    return render_week(
        request, week, title=title, establishment_id=group.establishment_id, add_slot_query=f"groupe={group.pk}"
    )


@require_module(MODULE)
def teacher_week(request, pk: int):
    """A teacher's week in the active establishment (the teacher and the staff only)."""
    establishment_id = request.actor.establishment_id
    teaching = current(Membership.objects.filter(establishment_id=establishment_id, role=Role.TEACHER))
    teacher = User.objects.filter(pk=pk, pk__in=teaching.values("person_id")).first()
    if teacher is None or not policies.can_view_teacher_week(request.actor, teacher.pk, establishment_id):
        raise Http404
    week = queries.week_of_teacher(
        teacher_id=teacher.pk, establishment_id=establishment_id, monday=requested_monday(request)
    )
    title = _("Emploi du temps de %(name)s") % {"name": teacher.display_name}
    return render_week(
        request, week, title=title, establishment_id=establishment_id, add_slot_query=f"enseignant={teacher.pk}"
    )


@require_module(MODULE)
def room_week(request, pk: int):
    room = Room.objects.filter(pk=pk).first()
    if room is None or not policies.can_view_room_week(request.actor, room):
        raise Http404
    week = queries.week_of_room(room=room, monday=requested_monday(request))
    title = _("Occupation de la salle %(name)s") % {"name": room.name}
    return render_week(request, week, title=title, establishment_id=room.establishment_id)


@require_module(MODULE)
def student_week(request, pk: int):
    """A student's week, in the establishment where they are enrolled (the active one if several)."""
    where = set(current(Enrolment.objects.filter(student_id=pk)).values_list("establishment_id", flat=True))
    if not where:
        raise Http404
    establishment_id = request.actor.establishment_id if request.actor.establishment_id in where else min(where)
    if not policies.can_view_student_week(request.actor, pk, establishment_id):
        raise Http404
    student = User.objects.get(pk=pk)
    week = queries.week_of_student(student_id=pk, establishment_id=establishment_id, monday=requested_monday(request))
    title = _("Emploi du temps de %(name)s") % {"name": student.get_full_name()}
    return render_week(request, week, title=title, establishment_id=establishment_id)
