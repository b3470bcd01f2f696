"""Who may see and change the timetable.

Weeks are not rows, so they are asked through named permissions (``timetable.view_group_week``...,
declared at the end, over the functions below); the timetable's rows have a policy each. Seeing:

* a class's week: its students, their guardians, its teachers, the establishment's staff (the class's
  own policy: ``SchoolClass`` view);
* a group's week: its students, their guardians, the establishment's staff;
* a teacher's week: the teacher and the establishment's staff;
* a room's week: the establishment's staff;
* a student's week: the student, their guardians, the establishment's staff.

Changing (changes, slots, rooms, non-school days, settings): the establishment's direction, ENT
administrators and vie scolaire (``actor.is_manager_of``), and the region.
"""

from __future__ import annotations

from typing import Any

from django.db.models import Q, QuerySet

from cartable.core import authz
from cartable.core.authz import Action
from cartable.directory.actor import Actor, current
from cartable.directory.models import (
    OWN_LESSON_ROLES,
    STAFF_ROLES,
    Enrolment,
    Establishment,
    Group,
    GroupMembership,
    Role,
    SchoolClass,
    TeachingAssignment,
    User,
)
from cartable.timetable.models import LessonChange, NonSchoolDay, Room, Slot, TimetableImport, TimetableSettings

WRITES = (Action.CREATE, Action.CHANGE, Action.DELETE, Action.MANAGE)


def can_edit(actor: Actor | None, establishment_id: int | None) -> bool:
    """Direction, ENT administrators and vie scolaire edit their establishment's timetable."""
    return (
        actor is not None
        and actor.is_authenticated
        and establishment_id is not None
        and actor.is_manager_of(establishment_id)
    )


def _staff(actor: Actor | None, establishment_id: int | None) -> bool:
    return (
        actor is not None
        and actor.is_authenticated
        and (actor.is_regional_admin or actor.holds_in(establishment_id, STAFF_ROLES))
    )


def can_browse_weeks(actor: Actor | None, establishment_id: int | None) -> bool:
    """Staff choose any class, group, teacher or room of their establishment."""
    return establishment_id is not None and _staff(actor, establishment_id)


def can_view_class_week(actor: Actor, school_class: SchoolClass) -> bool:
    return authz.allows(actor, Action.VIEW, school_class)


def can_view_group_week(actor: Actor | None, group: Group) -> bool:
    if _staff(actor, group.establishment_id):
        return True
    if actor is None or not actor.is_authenticated:
        return False
    if group.pk in actor.group_ids:
        return True
    return group.pk in actor.children_group_ids


def can_view_teacher_week(actor: Actor | None, teacher_id: int, establishment_id: int) -> bool:
    if _staff(actor, establishment_id):
        return True
    return (
        actor is not None
        and actor.is_authenticated
        and actor.user_id == teacher_id
        and actor.has_role(Role.TEACHER, establishment_id)
    )


def can_view_room_week(actor: Actor | None, room: Room) -> bool:
    return _staff(actor, room.establishment_id)


def can_view_student_week(actor: Actor | None, student_id: int, establishment_id: int) -> bool:
    """The student, their guardians and the staff of an establishment where the student is enrolled."""
    if actor is None or not actor.is_authenticated:
        return False
    enrolled = current(Enrolment.objects.filter(student_id=student_id, establishment_id=establishment_id))
    if actor.user_id == student_id or student_id in actor.children_ids:
        return enrolled.exists()
    return _staff(actor, establishment_id) and enrolled.exists()


def _visible_establishments(actor: Actor) -> list[int]:
    """Establishments whose rooms, days and settings a person may read: where they belong, or a child is."""
    ids = set(actor.establishment_ids)
    for child in actor.children:
        ids |= child.establishment_ids
    return list(ids)


class _EstablishmentRows(authz.Policy[Any]):
    """Rows of an establishment's calendar (non-school days, settings): its members see them,
    its managers change them."""

    def allows(self, actor: Actor, action: Action | str, obj: Any) -> bool:
        if action in WRITES:
            return can_edit(actor, obj.establishment_id)
        if action == Action.VIEW:
            return actor.is_regional_admin or obj.establishment_id in _visible_establishments(actor)
        return False

    def scope(self, actor: Actor, queryset: QuerySet[Any]) -> QuerySet[Any]:
        if actor.is_regional_admin:
            return queryset
        return queryset.filter(establishment_id__in=_visible_establishments(actor))


@authz.register(NonSchoolDay)
class NonSchoolDayPolicy(_EstablishmentRows):
    """Members (and guardians of its students) see an establishment's non-school days; managers change them."""


@authz.register(TimetableImport)
class TimetableImportPolicy(authz.Policy[Any]):
    """An import's run and report are seen by those who edit the establishment's timetable; nobody changes one."""

    def allows(self, actor: Actor, action: Action | str, obj: Any) -> bool:
        return action == Action.VIEW and can_edit(actor, obj.establishment_id)

    def scope(self, actor: Actor, queryset: QuerySet[Any]) -> QuerySet[Any]:
        if actor.is_regional_admin:
            return queryset
        return queryset.filter(establishment_id__in=[e for e in actor.establishment_ids if can_edit(actor, e)])


@authz.register(TimetableSettings)
class TimetableSettingsPolicy(_EstablishmentRows):
    """Members see the A-week reference; managers change it."""


@authz.register(Room)
class RoomPolicy(authz.Policy[Any]):
    """Staff see the rooms; managers change them."""

    def allows(self, actor: Actor, action: Action | str, obj: Any) -> bool:
        if action in WRITES:
            return can_edit(actor, obj.establishment_id)
        if action == Action.VIEW:
            return _staff(actor, obj.establishment_id)
        return False

    def scope(self, actor: Actor, queryset: QuerySet[Any]) -> QuerySet[Any]:
        if actor.is_regional_admin:
            return queryset
        return queryset.filter(establishment_id__in=sorted(actor.establishments_where(STAFF_ROLES)))


def _audience_scope(actor: Actor) -> Q:
    """Teaching assignments whose lessons the actor may see (Q on TeachingAssignment)."""
    staff_of = sorted(actor.establishments_where(STAFF_ROLES))
    children = list(actor.children_ids)
    classes = current(Enrolment.objects.filter(student_id__in=[actor.user_id, *children])).values("school_class_id")
    groups = current(GroupMembership.objects.filter(student_id__in=[actor.user_id, *children])).values("group_id")
    return (
        Q(establishment_id__in=staff_of)
        | Q(teacher_id=actor.user_id)
        | Q(school_class_id__in=classes)
        | Q(group_id__in=groups)
    )


def _sees_assignment(actor: Actor, assignment: TeachingAssignment | None) -> bool:
    if assignment is None:
        return False
    if actor.is_regional_admin or _staff(actor, assignment.establishment_id) or assignment.teacher_id == actor.user_id:
        return True
    students = [actor.user_id, *actor.children_ids]
    if assignment.school_class_id:
        return current(
            Enrolment.objects.filter(school_class_id=assignment.school_class_id, student_id__in=students)
        ).exists()
    return current(GroupMembership.objects.filter(group_id=assignment.group_id, student_id__in=students)).exists()


@authz.register(Slot)
class SlotPolicy(authz.Policy[Any]):
    """A weekly lesson is seen by those who see its class or group's week; managers change it."""

    def allows(self, actor: Actor, action: Action | str, obj: Any) -> bool:
        if action in WRITES:
            return can_edit(actor, obj.establishment_id)
        if action == Action.VIEW:
            return _sees_assignment(actor, obj.assignment)
        return False

    def scope(self, actor: Actor, queryset: QuerySet[Any]) -> QuerySet[Any]:
        if actor.is_regional_admin:
            return queryset
        return queryset.filter(assignment__in=_assignment_ids(actor))


@authz.register(LessonChange)
class LessonChangePolicy(authz.Policy[Any]):
    """A change is seen by those who see its lesson, and by its substitute; managers make and undo it."""

    def allows(self, actor: Actor, action: Action | str, obj: Any) -> bool:
        if action in WRITES:
            return can_edit(actor, obj.establishment_id)
        if action == Action.VIEW:
            if obj.substitute_id is not None and obj.substitute_id == actor.user_id:
                return True
            return _sees_assignment(actor, obj.slot.assignment if obj.slot_id else obj.assignment)
        return False

    def scope(self, actor: Actor, queryset: QuerySet[Any]) -> QuerySet[Any]:
        if actor.is_regional_admin:
            return queryset
        visible = _assignment_ids(actor)
        return queryset.filter(
            Q(substitute_id=actor.user_id) | Q(slot__assignment__in=visible) | Q(assignment__in=visible)
        )


def _assignment_ids(actor: Actor) -> QuerySet[TeachingAssignment, dict[str, Any]]:
    ids: QuerySet[TeachingAssignment, dict[str, Any]] = TeachingAssignment.objects.filter(
        _audience_scope(actor)
    ).values("pk")
    return ids


# --- named permissions: the weeks, which are not rows -------------------------------------------------------
@authz.permission("timetable.edit", about=Establishment)
def edits(actor: Actor, establishment: Establishment | None) -> bool:
    """The establishment's timetable pages that change it (lessons, slots, rooms, days, the import)."""
    return establishment is not None and can_edit(actor, establishment.pk)


@authz.permission("timetable.browse_weeks", about=Establishment)
def browses_weeks(actor: Actor, establishment: Establishment | None) -> bool:
    """The chooser of any class's, group's, teacher's or room's week."""
    return establishment is not None and can_browse_weeks(actor, establishment.pk)


@authz.permission("timetable.view_own_week", about=None)
def views_own_week(actor: Actor, _obj: None) -> bool:
    """A week of one's own lessons: a student's, a guardian's child's, a teacher's (others choose one)."""
    return actor.role in OWN_LESSON_ROLES


@authz.permission("timetable.view_group_week", about=Group)
def views_group_week(actor: Actor, group: Group) -> bool:
    return can_view_group_week(actor, group)


@authz.permission("timetable.view_teacher_week", about=User)
def views_teacher_week(actor: Actor, teacher: User) -> bool:
    """A teacher's week in the active establishment; asked about a teacher of that establishment (the page
    finds them there first, and answers 404 for anyone else)."""
    return actor.establishment_id is not None and can_view_teacher_week(actor, teacher.pk, actor.establishment_id)


@authz.permission("timetable.view_student_week", about=Enrolment)
def views_student_week(actor: Actor, enrolment: Enrolment) -> bool:
    """A student's week in the establishment of that enrolment."""
    return can_view_student_week(actor, enrolment.student_id, enrolment.establishment_id)
