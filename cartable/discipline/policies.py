"""Who may see and change the discipline app's rows.

- Incident: seen by the vie scolaire and the direction of its establishment, and by the member of staff
  who reported it. Reported by teachers, the vie scolaire and the direction; changed by its reporter, the
  vie scolaire, the direction.
- Involvement (a person in an incident): seen with the incident; a student's own row (never a witness
  row) also by the student and their guardians.
- Punishment: seen by the student and their guardians, who gave it, the student's current teachers, the
  vie scolaire and the direction. Given by teachers, the vie scolaire and the direction to a student
  enrolled in the establishment; followed up by who gave it, the vie scolaire, the direction.
- Sanction: seen by the vie scolaire and the direction; by the student and their guardians once the family
  is informed. Opened, run and decided by the direction (chef d'établissement) only.

Witnesses' names are staff-only: families never read an incident's rows, only the facts of their child's
punishment or sanction. The ENT administrator (a technical role) and the regional administrator see no
disciplinary record: they have no need to know (data minimisation, documented in docs/architecture.md).
"""

from __future__ import annotations

from django.db.models import Q

from cartable.core import authz
from cartable.core.authz import Action
from cartable.directory.actor import current
from cartable.directory.models import Enrolment, GroupMembership, Role, User
from cartable.discipline.models import Incident, Involvement, Punishment, Sanction

DISCIPLINE_STAFF = frozenset({Role.DIRECTION, Role.EDUCATION})
PUNISHERS = frozenset({Role.TEACHER, Role.EDUCATION, Role.DIRECTION})
_TAUGHT_KEY = "_discipline_taught_student_ids"


def overseen(actor) -> list[int]:
    """Establishments whose whole disciplinary life the actor sees (vie scolaire, direction)."""
    return [e for e in actor.establishment_ids if actor.roles_in(e) & DISCIPLINE_STAFF]


def directed(actor) -> list[int]:
    """Establishments the actor directs (sanctions are theirs to decide)."""
    return [e for e in actor.establishment_ids if Role.DIRECTION in actor.roles_in(e)]


def may_punish(actor, establishment_id: int | None) -> bool:
    return bool(actor.roles_in(establishment_id) & PUNISHERS)


def _taught_students(actor):
    """The students in classes and groups the actor teaches now (a values queryset, no query of its own)."""
    by_class = current(Enrolment.objects.filter(school_class_id__in=list(actor.taught_class_ids))).values("student_id")
    by_group = current(GroupMembership.objects.filter(group_id__in=list(actor.taught_group_ids))).values("student_id")
    return by_class, by_group


def taught_student_ids(actor) -> frozenset[int]:
    """The students the actor teaches now (one query, kept on the actor; none for non-teachers)."""
    cached = actor.__dict__.get(_TAUGHT_KEY)
    if cached is None:
        if not actor.taught_class_ids and not actor.taught_group_ids:
            cached = frozenset()
        else:
            by_class, by_group = _taught_students(actor)
            people = User.objects.filter(Q(pk__in=by_class) | Q(pk__in=by_group))
            cached = frozenset(people.values_list("pk", flat=True))
        actor.__dict__[_TAUGHT_KEY] = cached
    return cached


def _family_ids(actor) -> set[int]:
    return {actor.user_id} | set(actor.children_ids)


# --- incidents -------------------------------------------------------------------------------------------
def can_view_incident(actor, incident: Incident) -> bool:
    return incident.establishment_id in overseen(actor) or (
        incident.reported_by_id == actor.user_id and actor.is_staff_of(incident.establishment_id)
    )


@authz.register(Incident)
class IncidentPolicy(authz.Policy):
    """Incidents: see the module docstring."""

    def allows(self, actor, action, obj):
        if action == Action.VIEW:
            return can_view_incident(actor, obj)
        if action == Action.CREATE:
            return may_punish(actor, obj.establishment_id)
        if action == Action.CHANGE:
            return obj.establishment_id in overseen(actor) or (
                obj.reported_by_id == actor.user_id and may_punish(actor, obj.establishment_id)
            )
        return False

    def scope(self, actor, queryset):
        staff_of = [e for e in actor.establishment_ids if actor.is_staff_of(e)]
        return queryset.filter(
            Q(establishment_id__in=overseen(actor)) | Q(reported_by_id=actor.user_id, establishment_id__in=staff_of)
        )


@authz.register(Involvement)
class InvolvementPolicy(authz.Policy):
    """People involved: with the incident for staff; a student's own row for the student and guardians."""

    def allows(self, actor, action, obj):
        if action != Action.VIEW:
            return False
        if can_view_incident(actor, obj.incident):
            return True
        return obj.role != Involvement.Role.WITNESS and obj.person_id in _family_ids(actor)

    def scope(self, actor, queryset):
        staff_of = [e for e in actor.establishment_ids if actor.is_staff_of(e)]
        return queryset.filter(
            Q(establishment_id__in=overseen(actor))
            | Q(incident__reported_by_id=actor.user_id, establishment_id__in=staff_of)
            | (~Q(role=Involvement.Role.WITNESS) & Q(person_id__in=_family_ids(actor)))
        )


# --- punishments -----------------------------------------------------------------------------------------
@authz.register(Punishment)
class PunishmentPolicy(authz.Policy):
    """Punishments: see the module docstring."""

    def allows(self, actor, action, obj):
        eid = obj.establishment_id
        if action == Action.VIEW:
            return (
                obj.student_id in _family_ids(actor)
                or eid in overseen(actor)
                or (actor.is_staff_of(eid) and obj.given_by_id == actor.user_id)
                or (Role.TEACHER in actor.roles_in(eid) and obj.student_id in taught_student_ids(actor))
            )
        if action == Action.CREATE:
            return may_punish(actor, eid) and obj.student_id != actor.user_id
        if action == Action.CHANGE:
            return eid in overseen(actor) or (obj.given_by_id == actor.user_id and may_punish(actor, eid))
        return False

    def scope(self, actor, queryset):
        teaching = [e for e in actor.establishment_ids if Role.TEACHER in actor.roles_in(e)]
        staff_of = [e for e in actor.establishment_ids if actor.is_staff_of(e)]
        condition = (
            Q(student_id__in=_family_ids(actor))
            | Q(establishment_id__in=overseen(actor))
            | Q(given_by_id=actor.user_id, establishment_id__in=staff_of)
        )
        if teaching and (actor.taught_class_ids or actor.taught_group_ids):
            by_class, by_group = _taught_students(actor)
            condition |= Q(establishment_id__in=teaching) & (Q(student_id__in=by_class) | Q(student_id__in=by_group))
        return queryset.filter(condition)


# --- sanctions -------------------------------------------------------------------------------------------
@authz.register(Sanction)
class SanctionPolicy(authz.Policy):
    """Sanctions: see the module docstring."""

    def allows(self, actor, action, obj):
        eid = obj.establishment_id
        if action == Action.VIEW:
            return eid in overseen(actor) or (obj.informed_on is not None and obj.student_id in _family_ids(actor))
        if action in (Action.CREATE, Action.CHANGE):
            return eid in directed(actor) and obj.student_id != actor.user_id
        return False

    def scope(self, actor, queryset):
        return queryset.filter(
            Q(establishment_id__in=overseen(actor)) | Q(informed_on__isnull=False, student_id__in=_family_ids(actor))
        )
