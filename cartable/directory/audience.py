"""Whom an item addressed to part of an establishment reaches: the audience match that news and the agenda
share (everyone, its staff, its families, its students, some classes).

The items keep their own ``Audience`` choices; the values below are the ones they have in common. Both a
yes/no face (in memory, for one item) and a Q face (subqueries, for lists) are given, so the two agree.
"""

from __future__ import annotations

from collections.abc import Callable, Collection, Iterable
from typing import Any

from django.db.models import Q, QuerySet

from cartable.directory.actor import Actor, current
from cartable.directory.models import STAFF_ROLES, Enrolment, Guardianship, Role

EVERYONE = "everyone"
STAFF = "staff"
FAMILIES = "families"
STUDENTS = "students"
CLASSES = "classes"


def family_classes(actor: Actor) -> QuerySet[Enrolment, int]:
    """The classes the actor or their children attend now (a values queryset: a subquery, no query)."""
    children = Guardianship.objects.filter(guardian_id=actor.user_id).values("student_id")
    enrolments = current(Enrolment.objects.filter(Q(student_id=actor.user_id) | Q(student_id__in=children)))
    return enrolments.order_by().values_list("school_class_id", flat=True)


def item_class_ids(item: Any) -> list[int]:
    """An item's classes: the ones about to be saved (``item.target_class_ids``), else its rows."""
    pending = getattr(item, "target_class_ids", None)
    if pending is not None:
        return list(pending)
    if item.pk is None:
        return []
    return [c.pk for c in item.classes.all()]


def reaches(
    actor: Actor,
    *,
    establishment_id: int | None,
    audience: str,
    class_ids: Callable[[], Iterable[int]],
    related_class_ids: Callable[[], frozenset[int]],
    class_readers: frozenset[str] = STAFF_ROLES,
) -> bool:
    """Whether an item of that establishment and audience reaches the actor (in memory but for
    ``class_ids``/``related_class_ids``, asked only for class items).

    Everyone: the establishment's members; staff: its staff; families and students: them and its staff;
    classes: the holders of ``class_readers`` there, and whoever is related to one of the item's classes."""
    roles = actor.roles_in(establishment_id)
    staff = bool(roles & STAFF_ROLES)
    match audience:
        case "everyone":
            return bool(roles)
        case "staff":
            return staff
        case "families":
            return staff or Role.GUARDIAN in roles
        case "students":
            return staff or Role.STUDENT in roles
        case "classes":
            return bool(roles & class_readers) or bool(set(class_ids()) & related_class_ids())
    return False


def audience_q(
    actor: Actor,
    *,
    audiences: Collection[str],
    class_items: QuerySet[Any, Any],
    class_readers: frozenset[str] = STAFF_ROLES,
    prefix: str = "",
) -> Q:
    """The items whose audience reaches the actor, as a Q (subqueries, no query of its own); the Q face of
    :func:`reaches`. ``audiences`` are the values the model knows, ``class_items`` the ids of the class items
    related to the actor (a values queryset)."""

    def f(**kw: Any) -> Q:
        return Q(**{f"{prefix}{k}": v for k, v in kw.items()})

    staff = sorted(actor.establishments_where(STAFF_ROLES))
    q = f(audience=EVERYONE, establishment_id__in=sorted(actor.establishment_ids)) | f(
        audience=STAFF, establishment_id__in=staff
    )
    if FAMILIES in audiences:
        q |= f(audience=FAMILIES, establishment_id__in=sorted(actor.establishments_where((Role.GUARDIAN,))) + staff)
    if STUDENTS in audiences:
        q |= f(audience=STUDENTS, establishment_id__in=sorted(actor.establishments_where((Role.STUDENT,))) + staff)
    if CLASSES in audiences:
        q |= f(audience=CLASSES, establishment_id__in=sorted(actor.establishments_where(class_readers)))
        q |= f(audience=CLASSES) & f(pk__in=class_items)
    return q
