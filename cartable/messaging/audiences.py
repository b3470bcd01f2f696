"""The groups an author may pick ("Parents de 5e A", "La vie scolaire", "Mes professeurs"...) and the people
they stand for. A group is only a shortcut: each of its people still passes the communication rules.

Keys: ``class:<id>:students``, ``class:<id>:guardians``, ``class:<id>:teachers``, ``role:education``,
``role:direction``, ``mine:teachers`` (a student's teachers), ``mine:children_teachers`` (a parent's).
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from django.db.models import Q
from django.utils.translation import gettext as _

from cartable.core import french
from cartable.directory.actor import Actor, current
from cartable.directory.models import (
    STAFF_ROLES,
    Enrolment,
    GroupMembership,
    Guardianship,
    Membership,
    Role,
    SchoolClass,
    TeachingAssignment,
)


@dataclass(frozen=True)
class Audience:
    key: str
    label: str

    @property
    def value(self) -> str:
        return f"g:{self.key}"


def _class_ids_for(actor: Actor, establishment_id: int | None) -> list[int] | None:
    """The classes whose groups the actor is offered: all of the establishment for staff (None), else their
    own classes and their children's."""
    if actor.holds_in(establishment_id, STAFF_ROLES):
        return None
    return sorted(actor.class_ids | actor.children_class_ids)


def offered(actor: Actor) -> list[Audience]:
    """The groups offered to the actor in their active establishment (one or two queries)."""
    establishment_id = actor.establishment_id
    if establishment_id is None:
        return []
    class_ids = _class_ids_for(actor, establishment_id)
    classes = SchoolClass.objects.filter(establishment_id=establishment_id).order_by("name")
    if class_ids is not None:
        classes = classes.filter(pk__in=class_ids)
    staff = actor.holds_in(establishment_id, STAFF_ROLES)
    result = []
    if actor.role == Role.STUDENT:
        result.append(Audience("mine:teachers", _("Mes professeurs")))
    if actor.role == Role.GUARDIAN:
        result.append(Audience("mine:children_teachers", _("Les professeurs de mes enfants")))
    result.append(Audience("role:education", _("La vie scolaire")))
    result.append(Audience("role:direction", _("La direction")))
    for school_class in classes:
        name = french.de(school_class.name)
        if staff or actor.role == Role.STUDENT:
            result.append(Audience(f"class:{school_class.pk}:students", _("Élèves %(name)s") % {"name": name}))
        if staff or actor.role == Role.GUARDIAN:
            result.append(Audience(f"class:{school_class.pk}:guardians", _("Parents %(name)s") % {"name": name}))
        result.append(Audience(f"class:{school_class.pk}:teachers", _("Professeurs %(name)s") % {"name": name}))
    return result


def expand(actor: Actor, keys: list[str], offered_groups: list[Audience]) -> tuple[set[int], list[str]]:
    """The people behind the chosen groups (one query per group) and their labels; unknown keys raise
    ``KeyError``."""
    known = {a.key: a for a in offered_groups}
    people: set[int] = set()
    labels = []
    establishment_id = actor.establishment_id
    for key in keys:
        audience = known[key]
        labels.append(audience.label)
        people |= set(_members(actor, key, establishment_id))
    return people, labels


def _members(actor: Actor, key: str, establishment_id: int | None) -> Any:
    kind, _sep, rest = key.partition(":")
    if kind == "role":
        return current(Membership.objects.filter(establishment_id=establishment_id, role=rest)).values_list(
            "person_id", flat=True
        )
    if kind == "mine":
        class_ids: Any
        group_ids: Any
        if rest == "teachers":
            class_ids, group_ids = list(actor.class_ids), list(actor.group_ids)
        else:
            students = list(actor.children_ids)
            class_ids = current(Enrolment.objects.filter(student_id__in=students)).values("school_class_id")
            group_ids = current(GroupMembership.objects.filter(student_id__in=students)).values("group_id")
        return current(
            TeachingAssignment.objects.filter(
                Q(school_class_id__in=class_ids) | Q(group_id__in=group_ids), establishment_id=establishment_id
            )
        ).values_list("teacher_id", flat=True)
    _class, class_id, who = key.split(":")
    pupils = current(Enrolment.objects.filter(school_class_id=int(class_id))).values("student_id")
    if who == "students":
        return pupils.values_list("student_id", flat=True)
    if who == "guardians":
        return Guardianship.objects.filter(student_id__in=pupils).values_list("guardian_id", flat=True)
    return current(
        TeachingAssignment.objects.filter(Q(school_class_id=int(class_id)) | Q(group__classes=int(class_id)))
    ).values_list("teacher_id", flat=True)
