"""The Actor: who acts, as which role, in which establishment, built once per request.

Everything a policy asks is on the actor, loaded lazily and at most once per request, so rules run
in memory: memberships (one query, with their establishments), children (one query), classes taught
or attended (one query each, only when asked).
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from functools import cached_property
from typing import TYPE_CHECKING, Any

from django.db.models import IntegerField, Q, Value
from django.utils import timezone

from cartable.directory.models import (
    STAFF_ROLES,
    Enrolment,
    GroupMembership,
    Guardianship,
    Membership,
    Role,
    TeachingAssignment,
    User,
)

if TYPE_CHECKING:
    from cartable.directory.models import Establishment

SESSION_MEMBERSHIP = "cartable.membership"
SESSION_CHILD = "cartable.child"

# When nothing is chosen, the role shown first: the one a person most likely came for.
ROLE_PRIORITY = [
    Role.REGIONAL_ADMIN,
    Role.DIRECTION,
    Role.ESTABLISHMENT_ADMIN,
    Role.EDUCATION,
    Role.ADMINISTRATIVE,
    Role.TEACHER,
    Role.GUARDIAN,
    Role.STUDENT,
]


def current(qs, on=None):
    on = on or timezone.localdate()
    return qs.filter(Q(start_date__lte=on), Q(end_date__isnull=True) | Q(end_date__gte=on))


@dataclass(frozen=True)
class Child:
    id: int
    first_name: str
    last_name: str
    establishment_ids: frozenset[int]

    @property
    def name(self) -> str:
        return f"{self.first_name} {self.last_name}"


class Actor:
    """A person acting through one of their memberships. Anonymous when ``user`` is None."""

    def __init__(
        self,
        user: User | None,
        *,
        membership_id: int | None = None,
        child_id: int | None = None,
        ip_address: str | None = None,
    ) -> None:
        self.user = user if user is not None and user.is_authenticated else None
        self._membership_id = membership_id
        self._child_id = child_id
        self.ip_address = ip_address

    def __repr__(self) -> str:
        return f"<Actor {self.user} as {self.role} in {self.establishment_id}>"

    def acting_as(self, membership_id: int | None, child_id: int | None = None) -> Actor:
        """The same person acting through another of their memberships; rows already loaded are reused."""
        other = Actor(self.user, membership_id=membership_id, child_id=child_id, ip_address=self.ip_address)
        for loaded in ("memberships", "children", "children_places", "_places", "_teaching"):
            if loaded in self.__dict__:
                other.__dict__[loaded] = self.__dict__[loaded]
        return other

    def memo(self, key: str, compute: Callable[[], Any]) -> Any:
        """A value computed once per actor (so once per request): rows several dashboard widgets share."""
        memos = self.__dict__.setdefault("_memos", {})
        if key not in memos:
            memos[key] = compute()
        return memos[key]

    # --- identity ------------------------------------------------------------------------------
    @property
    def is_authenticated(self) -> bool:
        return self.user is not None

    @property
    def user_id(self) -> int | None:
        return self.user.pk if self.user else None

    @property
    def is_regional_admin(self) -> bool:
        if self.user is None:
            return False
        return self.user.is_superuser or any(m.role == Role.REGIONAL_ADMIN for m in self.memberships)

    # --- memberships and the active one ---------------------------------------------------------
    @cached_property
    def memberships(self) -> list[Membership]:
        if self.user is None:
            return []
        rows = current(Membership.objects.filter(person=self.user)).select_related("establishment__academy")
        return sorted(rows, key=lambda m: (ROLE_PRIORITY.index(m.role), m.establishment_id or 0))

    @cached_property
    def membership(self) -> Membership | None:
        """The membership the person acts through now: the one chosen in the session, else the first."""
        for m in self.memberships:
            if m.pk == self._membership_id:
                return m
        return self.memberships[0] if self.memberships else None

    @property
    def role(self) -> str | None:
        return self.membership.role if self.membership else None

    @property
    def establishment(self) -> Establishment | None:
        return self.membership.establishment if self.membership else None

    @property
    def establishment_id(self) -> int | None:
        return self.membership.establishment_id if self.membership else None

    @cached_property
    def establishment_ids(self) -> frozenset[int]:
        return frozenset(m.establishment_id for m in self.memberships if m.establishment_id)

    def roles_in(self, establishment_id: int | None) -> frozenset[str]:
        return frozenset(m.role for m in self.memberships if m.establishment_id == establishment_id)

    def has_role(self, role: str, establishment_id: int | None = None) -> bool:
        """Whether the person holds ``role`` (in ``establishment_id`` when given), active or not."""
        return any(
            m.role == role and (establishment_id is None or m.establishment_id == establishment_id)
            for m in self.memberships
        )

    def is_staff_of(self, establishment_id: int | None) -> bool:
        return bool(self.roles_in(establishment_id) & STAFF_ROLES)

    def is_manager_of(self, establishment_id: int | None) -> bool:
        """Direction, vie scolaire and ENT administrators see the whole establishment's life."""
        managing = {Role.DIRECTION, Role.ESTABLISHMENT_ADMIN, Role.EDUCATION}
        return self.is_regional_admin or bool(self.roles_in(establishment_id) & managing)

    @property
    def module_settings(self) -> dict:
        return self.establishment.module_settings if self.establishment else {}

    # --- family --------------------------------------------------------------------------------
    @cached_property
    def children(self) -> list[Child]:
        if self.user is None or not self.has_role(Role.GUARDIAN):
            self.__dict__["children_places"] = {}
            return []
        links = (
            Guardianship.objects.filter(guardian=self.user)
            .select_related("student")
            .order_by("student__first_name", "student__id")
        )
        students = [link.student for link in links]
        # Where each child is now, in one UNION: establishments and classes (enrolments), groups.
        enrolled: dict[int, set[int]] = {}
        places: dict[int, tuple[set[int], set[int]]] = {s.pk: (set(), set()) for s in students}
        if students:
            kind = IntegerField()
            classes = current(Enrolment.objects.filter(student__in=students)).values_list(
                "student_id", "establishment_id", "school_class_id", Value(0, output_field=kind)
            )
            groups = current(GroupMembership.objects.filter(student__in=students)).values_list(
                "student_id", "establishment_id", "group_id", Value(1, output_field=kind)
            )
            for student_id, establishment_id, place_id, is_group in classes.union(groups, all=True):
                places[student_id][is_group].add(place_id)
                if not is_group:
                    enrolled.setdefault(student_id, set()).add(establishment_id)
        self.__dict__["children_places"] = {sid: (frozenset(c), frozenset(g)) for sid, (c, g) in places.items()}
        return [Child(s.pk, s.first_name, s.last_name, frozenset(enrolled.get(s.pk, ()))) for s in students]

    @cached_property
    def children_places(self) -> dict[int, tuple[frozenset[int], frozenset[int]]]:
        """For each child: the classes and groups they attend now (loaded with ``children``)."""
        self.children  # noqa: B018  (fills this attribute)
        return self.__dict__["children_places"]

    @property
    def children_class_ids(self) -> frozenset[int]:
        """The classes the person's children attend now (none unless they act as a guardian somewhere)."""
        return frozenset(c for classes, _groups in self.children_places.values() for c in classes)

    @property
    def children_group_ids(self) -> frozenset[int]:
        return frozenset(g for _classes, groups in self.children_places.values() for g in groups)

    @property
    def children_ids(self) -> frozenset[int]:
        return frozenset(c.id for c in self.children)

    @property
    def children_here(self) -> list[Child]:
        """The children enrolled in the active establishment."""
        return [c for c in self.children if self.establishment_id in c.establishment_ids]

    @property
    def child(self) -> Child | None:
        """The child a guardian is looking at now (chosen in the session), in the active establishment;
        None unless the person acts as a guardian."""
        if self.role != Role.GUARDIAN:
            return None
        here = self.children_here
        for c in here:
            if c.id == self._child_id:
                return c
        return here[0] if here else None

    # --- school life ---------------------------------------------------------------------------
    @cached_property
    def _places(self) -> tuple[frozenset[int], frozenset[int]]:
        """Classes and groups the person attends as a student, in one query (a UNION of both links)."""
        if self.user is None or not self.has_role(Role.STUDENT):
            return frozenset(), frozenset()
        classes = current(Enrolment.objects.filter(student=self.user)).values_list(
            "school_class_id", Value(0, output_field=IntegerField())
        )
        groups = current(GroupMembership.objects.filter(student=self.user)).values_list(
            "group_id", Value(1, output_field=IntegerField())
        )
        rows = list(classes.union(groups, all=True))
        return frozenset(pk for pk, kind in rows if kind == 0), frozenset(pk for pk, kind in rows if kind == 1)

    @property
    def class_ids(self) -> frozenset[int]:
        """Classes the person attends as a student (all establishments)."""
        return self._places[0]

    @property
    def group_ids(self) -> frozenset[int]:
        return self._places[1]

    @cached_property
    def _teaching(self) -> list[tuple[int | None, int | None, int]]:
        if self.user is None or not self.has_role(Role.TEACHER):
            return []
        return list(
            current(TeachingAssignment.objects.filter(teacher=self.user)).values_list(
                "school_class_id", "group_id", "subject_id"
            )
        )

    @property
    def taught_class_ids(self) -> frozenset[int]:
        return frozenset(c for c, _g, _s in self._teaching if c)

    @property
    def taught_group_ids(self) -> frozenset[int]:
        return frozenset(g for _c, g, _s in self._teaching if g)


ANONYMOUS = Actor(None)
