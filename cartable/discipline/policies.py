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

from typing import Any

from django.db.models import Q, QuerySet

from cartable.core import authz
from cartable.core.authz import Action
from cartable.directory.actor import Actor, current
from cartable.directory.models import (
    PUNISHER_ROLES,
    SCHOOL_LIFE_ROLES,
    STAFF_ROLES,
    Enrolment,
    Establishment,
    GroupMembership,
    Role,
    User,
)
from cartable.discipline.models import Incident, Involvement, Punishment, Sanction


def overseen(actor: Actor) -> frozenset[int]:
    """Establishments whose whole disciplinary life the actor sees (vie scolaire, direction)."""
    return actor.establishments_where(SCHOOL_LIFE_ROLES)


def directed(actor: Actor) -> frozenset[int]:
    """Establishments the actor directs (sanctions are theirs to decide)."""
    return actor.direction_ids


def may_punish(actor: Actor, establishment_id: int | None) -> bool:
    return actor.holds_in(establishment_id, PUNISHER_ROLES)


def _staff_of(actor: Actor) -> list[int]:
    return sorted(actor.establishments_where(STAFF_ROLES))


def _taught_students(actor: Actor) -> tuple[QuerySet[Any], QuerySet[Any]]:
    """The students in classes and groups the actor teaches now (a values queryset, no query of its own)."""
    by_class = current(Enrolment.objects.filter(school_class_id__in=list(actor.taught_class_ids))).values("student_id")
    by_group = current(GroupMembership.objects.filter(group_id__in=list(actor.taught_group_ids))).values("student_id")
    return by_class, by_group


def taught_student_ids(actor: Actor) -> frozenset[int]:
    """The students the actor teaches now (one query, once per request; none for non-teachers). The same
    students as the scope's subqueries, so that both faces of the punishment policy agree."""
    return actor.memo("discipline.taught_student_ids", lambda: _load_taught_student_ids(actor))


def _load_taught_student_ids(actor: Actor) -> frozenset[int]:
    if not actor.taught_class_ids and not actor.taught_group_ids:
        return frozenset()
    by_class, by_group = _taught_students(actor)
    people = User.objects.filter(Q(pk__in=by_class) | Q(pk__in=by_group))
    return frozenset(people.values_list("pk", flat=True))


def _family_ids(actor: Actor) -> set[int]:
    """The students whose records the actor reads as family: themself, their children."""
    ids = set(actor.legal_children_ids)
    if actor.user_id is not None:
        ids.add(actor.user_id)
    return ids


# --- named permissions: what is not a row ------------------------------------------------------------------
@authz.permission("discipline.punish", about=Establishment)
def punishes_in(actor: Actor, establishment: Establishment | None) -> bool:
    """Teachers, the vie scolaire and the direction report incidents and give punishments there."""
    return establishment is not None and may_punish(actor, establishment.pk)


@authz.permission("discipline.open_sanction", about=Establishment)
def opens_sanctions_in(actor: Actor, establishment: Establishment | None) -> bool:
    """The direction (chef d'établissement) opens disciplinary procedures."""
    return establishment is not None and establishment.pk in directed(actor)


@authz.permission("discipline.oversee", about=Establishment)
def oversees(actor: Actor, establishment: Establishment | None) -> bool:
    """The vie scolaire and the direction see the establishment's whole disciplinary life (its sanctions)."""
    return establishment is not None and establishment.pk in overseen(actor)


@authz.permission("discipline.see_staff_side", about=Establishment)
def sees_staff_side(actor: Actor, establishment: Establishment | None) -> bool:
    """Staff of the establishment see what families do not: the incident behind a record, a written report,
    the student's disciplinary file."""
    return establishment is not None and actor.holds_in(establishment.pk, STAFF_ROLES)


@authz.permission("discipline.view_file", about=User)
def may_view_file(actor: Actor, student: User | None) -> bool:
    """A student's disciplinary file: staff of the active establishment (the file shows what they may see
    of it), the student themself, their guardians."""
    if student is None:
        return False
    return actor.holds_in(actor.establishment_id, STAFF_ROLES) or student.pk in _family_ids(actor)


# --- incidents -------------------------------------------------------------------------------------------
def can_view_incident(actor: Actor, incident: Incident) -> bool:
    return incident.establishment_id in overseen(actor) or (
        incident.reported_by_id == actor.user_id and actor.holds_in(incident.establishment_id, STAFF_ROLES)
    )


@authz.register(Incident)
class IncidentPolicy(authz.Policy[Incident]):
    """Incidents: see the module docstring."""

    def allows(self, actor: Actor, action: Action | str, obj: Incident) -> bool:
        if action == Action.VIEW:
            return can_view_incident(actor, obj)
        if action == Action.CREATE:
            return may_punish(actor, obj.establishment_id)
        if action == Action.CHANGE:
            return obj.establishment_id in overseen(actor) or (
                obj.reported_by_id == actor.user_id and may_punish(actor, obj.establishment_id)
            )
        return False

    def scope(self, actor: Actor, queryset: QuerySet[Incident]) -> QuerySet[Incident]:
        return queryset.filter(
            Q(establishment_id__in=sorted(overseen(actor)))
            | Q(reported_by_id=actor.user_id, establishment_id__in=_staff_of(actor))
        )


@authz.register(Involvement)
class InvolvementPolicy(authz.Policy[Involvement]):
    """People involved: with the incident for staff; a student's own row for the student and guardians."""

    def allows(self, actor: Actor, action: Action | str, obj: Involvement) -> bool:
        if action != Action.VIEW:
            return False
        if can_view_incident(actor, obj.incident):
            return True
        return obj.role != Involvement.Role.WITNESS and obj.person_id in _family_ids(actor)

    def scope(self, actor: Actor, queryset: QuerySet[Involvement]) -> QuerySet[Involvement]:
        return queryset.filter(
            Q(establishment_id__in=sorted(overseen(actor)))
            | Q(incident__reported_by_id=actor.user_id, establishment_id__in=_staff_of(actor))
            | (~Q(role=Involvement.Role.WITNESS) & Q(person_id__in=_family_ids(actor)))
        )


# --- punishments -----------------------------------------------------------------------------------------
@authz.register(Punishment)
class PunishmentPolicy(authz.Policy[Punishment]):
    """Punishments: see the module docstring."""

    def allows(self, actor: Actor, action: Action | str, obj: Punishment) -> bool:
        eid = obj.establishment_id
        if action == Action.VIEW:
            return (
                obj.student_id in _family_ids(actor)
                or eid in overseen(actor)
                or (actor.holds_in(eid, STAFF_ROLES) and obj.given_by_id == actor.user_id)
                or (actor.holds_in(eid, {Role.TEACHER}) and obj.student_id in taught_student_ids(actor))
            )
        if action == Action.CREATE:
            return may_punish(actor, eid) and obj.student_id != actor.user_id
        if action == Action.CHANGE:
            return eid in overseen(actor) or (obj.given_by_id == actor.user_id and may_punish(actor, eid))
        return False

    def scope(self, actor: Actor, queryset: QuerySet[Punishment]) -> QuerySet[Punishment]:
        teaching = sorted(actor.establishments_where({Role.TEACHER}))
        condition = (
            Q(student_id__in=_family_ids(actor))
            | Q(establishment_id__in=sorted(overseen(actor)))
            | Q(given_by_id=actor.user_id, establishment_id__in=_staff_of(actor))
        )
        if teaching and (actor.taught_class_ids or actor.taught_group_ids):
            by_class, by_group = _taught_students(actor)
            condition |= Q(establishment_id__in=teaching) & (Q(student_id__in=by_class) | Q(student_id__in=by_group))
        return queryset.filter(condition)


# --- sanctions -------------------------------------------------------------------------------------------
@authz.register(Sanction)
class SanctionPolicy(authz.Policy[Sanction]):
    """Sanctions: see the module docstring."""

    def allows(self, actor: Actor, action: Action | str, obj: Sanction) -> bool:
        eid = obj.establishment_id
        if action == Action.VIEW:
            return eid in overseen(actor) or (obj.informed_on is not None and obj.student_id in _family_ids(actor))
        if action in (Action.CREATE, Action.CHANGE):
            return eid in directed(actor) and obj.student_id != actor.user_id
        return False

    def scope(self, actor: Actor, queryset: QuerySet[Sanction]) -> QuerySet[Sanction]:
        return queryset.filter(
            Q(establishment_id__in=sorted(overseen(actor)))
            | Q(informed_on__isnull=False, student_id__in=_family_ids(actor))
        )
