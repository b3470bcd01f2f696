"""Who may see and change school-life rows.

- Absences and lateness: seen by the student, their guardians, the vie scolaire (CPE) and the direction
  of the establishment; changed by the vie scolaire and the direction.
- Justifications (and their documents): the same people, never the teachers; written by a guardian,
  decided by the vie scolaire or the direction.
- Roll calls and their corrections: the lesson's teacher (or who called it), the vie scolaire, the
  direction. A mark (a student's state in a lesson) also to the student and their guardians.
- Motifs: seen by the establishment's members; settings by its staff; both changed by the vie scolaire
  and the direction.

Absences are sensitive: ENT administrators and the regional administrator do not read them (they run the
platform, not school life). Teachers see the states of their own lessons' roll calls, not the absence
files nor the documents.
"""

from __future__ import annotations

import datetime as dt
from typing import Any

from django.db.models import Q, QuerySet
from django.utils import timezone

from cartable.attendance.models import (
    Absence,
    AbsenceReason,
    AttendanceSettings,
    Justification,
    Lateness,
    Mark,
    MarkChange,
    RollCall,
    Status,
)
from cartable.core import authz
from cartable.core.authz import Action
from cartable.directory.actor import Actor, current
from cartable.directory.models import SCHOOL_LIFE_ROLES, STAFF_ROLES, Enrolment, Establishment, Role, User
from cartable.timetable.queries import Lesson, lessons, monday_of


def life_establishments(actor: Actor) -> frozenset[int]:
    """The establishments where the actor is vie scolaire or direction (in memory)."""
    return actor.establishments_where(SCHOOL_LIFE_ROLES)


def is_life_staff(actor: Actor, establishment_id: int | None) -> bool:
    return actor.holds_in(establishment_id, SCHOOL_LIFE_ROLES)


def _family_q(actor: Actor, field: str = "student_id") -> Q:
    return Q(**{field: actor.user_id}) | Q(**{f"{field}__in": list(actor.legal_children_ids)})


def _is_family(actor: Actor, student_id: int) -> bool:
    return student_id == actor.user_id or student_id in actor.legal_children_ids


# The roll call of a lesson opens a quarter of an hour before it begins (and stays open afterwards).
OPENS_BEFORE = dt.timedelta(minutes=15)


def roll_call_opens_at(lesson: Lesson) -> dt.datetime:
    """When the roll call of a lesson opens: ``OPENS_BEFORE`` its start."""
    return lesson.start - OPENS_BEFORE


def roll_call_is_open(lesson: Lesson, now: dt.datetime | None = None) -> bool:
    """Whether the roll call of a lesson may be taken now (the sheet shows no form before)."""
    return (now or timezone.now()) >= roll_call_opens_at(lesson)


def caller_of(lesson: Lesson) -> int:
    """Who calls the roll of a timetable lesson: the substitute when there is one, else its teacher."""
    return lesson.substitute_id or lesson.assignment.teacher_id


# --- named permissions: what is not a row ------------------------------------------------------------


def _example_lessons() -> list[Lesson]:
    """A few lessons of the nearest week that has some (holidays have none), for the suite to ask
    ``attendance.take_roll_call`` about."""
    this_week = monday_of(timezone.localdate())
    ids = list(Establishment.objects.order_by("pk").values_list("pk", flat=True))
    for weeks in (0, -1, 1, -2, 2, -3, 3, -4, 4, -6, -8, -10):
        monday = this_week + dt.timedelta(weeks=weeks)
        found = lessons(establishment_id=ids, start=monday, end=monday + dt.timedelta(days=4), assignments=Q())
        if found:
            return found[::97][:6]
    return []


@authz.permission("attendance.take_roll_call", about=Lesson, examples=_example_lessons)
def may_call(actor: Actor, lesson: Lesson | None) -> bool:
    """Whether the actor may take (or correct) the roll call of a timetable lesson (a ``Lesson`` of the
    timetable's queries, not a row: asked about anything else, it answers no)."""
    if not isinstance(lesson, Lesson) or actor is None or not actor.is_authenticated or lesson.is_cancelled:
        return False
    return caller_of(lesson) == actor.user_id or is_life_staff(actor, lesson.establishment_id)


@authz.permission("attendance.follow_school_life", about=Establishment)
def follows_school_life(actor: Actor, establishment: Establishment | None) -> bool:
    """The vie scolaire and the direction of an establishment: its board, absences, lateness, statistics
    and settings."""
    return establishment is not None and is_life_staff(actor, establishment.pk)


@authz.permission("attendance.view_own_lessons", about=None)
def calls_own_lessons(actor: Actor, _nothing: object = None) -> bool:
    """Teachers (somewhere) have lessons of their own whose roll they call."""
    return actor.has_role(Role.TEACHER)


@authz.permission("attendance.declare_absence", about=None)
def declares_absences(actor: Actor, _nothing: object = None) -> bool:
    """A guardian, acting as one, with a child in the active establishment, declares absences ahead."""
    return actor.role == Role.GUARDIAN and any(c.legal for c in actor.children_here)


@authz.permission("attendance.justify", about=Absence)
def may_justify(actor: Actor, record: Absence | Lateness | None) -> bool:
    """A guardian of the student justifies an absence or a lateness not yet justified."""
    return record is not None and record.student_id in actor.legal_children_ids and record.status != Status.JUSTIFIED


@authz.permission("attendance.view_student_file", about=User)
def may_view_student_file(actor: Actor, student: User | None) -> bool:
    """The vie scolaire and the direction of an establishment where the student is enrolled now (one query)."""
    if student is None:
        return False
    where = life_establishments(actor)
    if not where:
        return False
    return current(Enrolment.objects.filter(student=student, establishment_id__in=sorted(where))).exists()


class _StudentRecordPolicy(authz.Policy[Any]):
    def allows(self, actor: Actor, action: Action | str, obj: Any) -> bool:
        if action == Action.VIEW and _is_family(actor, obj.student_id):
            return True
        return is_life_staff(actor, obj.establishment_id) and action in (Action.VIEW, Action.CHANGE, Action.CREATE)

    def scope(self, actor: Actor, queryset: QuerySet[Any]) -> QuerySet[Any]:
        return queryset.filter(_family_q(actor) | Q(establishment_id__in=sorted(life_establishments(actor))))


@authz.register(Absence)
class AbsencePolicy(_StudentRecordPolicy):
    pass


@authz.register(Lateness)
class LatenessPolicy(_StudentRecordPolicy):
    pass


@authz.register(Justification)
class JustificationPolicy(_StudentRecordPolicy):
    """Families see and write their justifications; the vie scolaire and direction decide."""

    def allows(self, actor: Actor, action: Action | str, obj: Any) -> bool:
        if action == Action.CREATE:
            return obj.student_id in actor.legal_children_ids
        return super().allows(actor, action, obj)


class _RollCallPolicy(authz.Policy[Any]):
    def allows(self, actor: Actor, action: Action | str, obj: Any) -> bool:
        roll_call = obj if isinstance(obj, RollCall) else obj.roll_call
        if action not in (Action.VIEW, Action.CHANGE):
            return False
        if is_life_staff(actor, roll_call.establishment_id):
            return True
        return actor.user_id in (roll_call.called_by_id, roll_call.assignment.teacher_id)

    def scope(self, actor: Actor, queryset: QuerySet[Any], prefix: str = "") -> QuerySet[Any]:
        return queryset.filter(
            Q(establishment_id__in=sorted(life_establishments(actor)))
            | Q(**{f"{prefix}called_by_id": actor.user_id})
            | Q(**{f"{prefix}assignment__teacher_id": actor.user_id})
        )


@authz.register(RollCall)
class RollCallPolicy(_RollCallPolicy):
    pass


@authz.register(MarkChange)
class MarkChangePolicy(_RollCallPolicy):
    def scope(self, actor: Actor, queryset: QuerySet[Any], prefix: str = "roll_call__") -> QuerySet[Any]:
        return super().scope(actor, queryset, prefix)


@authz.register(Mark)
class MarkPolicy(_RollCallPolicy):
    """A mark is the roll call's, and its student's and their guardians' to see."""

    def allows(self, actor: Actor, action: Action | str, obj: Any) -> bool:
        if action == Action.VIEW and _is_family(actor, obj.student_id):
            return True
        return super().allows(actor, action, obj)

    def scope(self, actor: Actor, queryset: QuerySet[Any], prefix: str = "roll_call__") -> QuerySet[Any]:
        return queryset.filter(
            _family_q(actor)
            | Q(establishment_id__in=sorted(life_establishments(actor)))
            | Q(roll_call__called_by_id=actor.user_id)
            | Q(roll_call__assignment__teacher_id=actor.user_id)
        )


@authz.register(AbsenceReason)
class AbsenceReasonPolicy(authz.Policy[AbsenceReason]):
    def allows(self, actor: Actor, action: Action | str, obj: AbsenceReason) -> bool:
        if action == Action.VIEW:
            return obj.establishment_id in actor.establishment_ids
        return is_life_staff(actor, obj.establishment_id)

    def scope(self, actor: Actor, queryset: QuerySet[AbsenceReason]) -> QuerySet[AbsenceReason]:
        return queryset.filter(establishment_id__in=list(actor.establishment_ids))


@authz.register(AttendanceSettings)
class AttendanceSettingsPolicy(authz.Policy[AttendanceSettings]):
    def allows(self, actor: Actor, action: Action | str, obj: AttendanceSettings) -> bool:
        if action == Action.VIEW:
            return actor.holds_in(obj.establishment_id, STAFF_ROLES)
        return is_life_staff(actor, obj.establishment_id)

    def scope(self, actor: Actor, queryset: QuerySet[AttendanceSettings]) -> QuerySet[AttendanceSettings]:
        return queryset.filter(establishment_id__in=sorted(actor.establishments_where(STAFF_ROLES)))
