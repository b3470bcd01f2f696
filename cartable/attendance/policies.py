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

from django.db.models import Q

from cartable.attendance.models import (
    Absence,
    AbsenceReason,
    AttendanceSettings,
    Justification,
    Lateness,
    Mark,
    MarkChange,
    RollCall,
)
from cartable.core import authz
from cartable.core.authz import Action
from cartable.directory.models import Role

LIFE_ROLES = frozenset({Role.EDUCATION, Role.DIRECTION})


def life_establishments(actor) -> list[int]:
    """The establishments where the actor is vie scolaire or direction (in memory)."""
    return [e for e in actor.establishment_ids if actor.roles_in(e) & LIFE_ROLES]


def is_life_staff(actor, establishment_id: int | None) -> bool:
    return bool(actor.roles_in(establishment_id) & LIFE_ROLES)


def _family_q(actor, field: str = "student_id") -> Q:
    return Q(**{field: actor.user_id}) | Q(**{f"{field}__in": list(actor.children_ids)})


def _is_family(actor, student_id: int) -> bool:
    return student_id == actor.user_id or student_id in actor.children_ids


def caller_of(lesson) -> int:
    """Who calls the roll of a timetable lesson: the substitute when there is one, else its teacher."""
    return lesson.substitute_id or lesson.assignment.teacher_id


def may_call(actor, lesson) -> bool:
    """Whether the actor may take (or correct) the roll call of a timetable lesson."""
    if actor is None or not actor.is_authenticated or lesson.is_cancelled:
        return False
    return caller_of(lesson) == actor.user_id or is_life_staff(actor, lesson.establishment_id)


class _StudentRecordPolicy(authz.Policy):
    def allows(self, actor, action, obj) -> bool:
        if action == Action.VIEW and _is_family(actor, obj.student_id):
            return True
        return is_life_staff(actor, obj.establishment_id) and action in (Action.VIEW, Action.CHANGE, Action.CREATE)

    def scope(self, actor, queryset):
        return queryset.filter(_family_q(actor) | Q(establishment_id__in=life_establishments(actor)))


@authz.register(Absence)
class AbsencePolicy(_StudentRecordPolicy):
    pass


@authz.register(Lateness)
class LatenessPolicy(_StudentRecordPolicy):
    pass


@authz.register(Justification)
class JustificationPolicy(_StudentRecordPolicy):
    """Families see and write their justifications; the vie scolaire and direction decide."""

    def allows(self, actor, action, obj) -> bool:
        if action == Action.CREATE:
            return obj.student_id in actor.children_ids
        return super().allows(actor, action, obj)


class _RollCallPolicy(authz.Policy):
    def allows(self, actor, action, obj) -> bool:
        roll_call = obj if isinstance(obj, RollCall) else obj.roll_call
        if action not in (Action.VIEW, Action.CHANGE):
            return False
        if is_life_staff(actor, roll_call.establishment_id):
            return True
        return actor.user_id in (roll_call.called_by_id, roll_call.assignment.teacher_id)

    def scope(self, actor, queryset, prefix: str = ""):
        return queryset.filter(
            Q(establishment_id__in=life_establishments(actor))
            | Q(**{f"{prefix}called_by_id": actor.user_id})
            | Q(**{f"{prefix}assignment__teacher_id": actor.user_id})
        )


@authz.register(RollCall)
class RollCallPolicy(_RollCallPolicy):
    pass


@authz.register(MarkChange)
class MarkChangePolicy(_RollCallPolicy):
    def scope(self, actor, queryset, prefix: str = "roll_call__"):
        return super().scope(actor, queryset, prefix)


@authz.register(Mark)
class MarkPolicy(_RollCallPolicy):
    """A mark is the roll call's, and its student's and their guardians' to see."""

    def allows(self, actor, action, obj) -> bool:
        if action == Action.VIEW and _is_family(actor, obj.student_id):
            return True
        return super().allows(actor, action, obj)

    def scope(self, actor, queryset, prefix: str = "roll_call__"):
        return queryset.filter(
            _family_q(actor)
            | Q(establishment_id__in=life_establishments(actor))
            | Q(roll_call__called_by_id=actor.user_id)
            | Q(roll_call__assignment__teacher_id=actor.user_id)
        )


@authz.register(AbsenceReason)
class AbsenceReasonPolicy(authz.Policy):
    def allows(self, actor, action, obj) -> bool:
        if action == Action.VIEW:
            return obj.establishment_id in actor.establishment_ids
        return is_life_staff(actor, obj.establishment_id)

    def scope(self, actor, queryset):
        return queryset.filter(establishment_id__in=list(actor.establishment_ids))


@authz.register(AttendanceSettings)
class AttendanceSettingsPolicy(authz.Policy):
    def allows(self, actor, action, obj) -> bool:
        if action == Action.VIEW:
            return actor.is_staff_of(obj.establishment_id)
        return is_life_staff(actor, obj.establishment_id)

    def scope(self, actor, queryset):
        return queryset.filter(establishment_id__in=[e for e in actor.establishment_ids if actor.is_staff_of(e)])
