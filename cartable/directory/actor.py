"""The Actor: who acts, as which role, in which establishment, built once per request.

Everything a policy asks is on the actor, loaded lazily and at most once per request, so rules run
in memory: memberships (one query, with their establishments), children (one query), classes taught
or attended (one query each, only when asked).
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from functools import cached_property
from typing import TYPE_CHECKING, Any, NamedTuple, TypeVar

from django.core.exceptions import PermissionDenied
from django.db.models import IntegerField, Q, Value
from django.utils import timezone

from cartable.directory.models import (
    MANAGER_ROLES,
    STAFF_ROLES,
    Enrolment,
    Group,
    GroupMembership,
    Guardianship,
    Membership,
    Role,
    SchoolClass,
    TeachingAssignment,
    User,
)

if TYPE_CHECKING:
    from django.db.models import Model, QuerySet

    from cartable.directory.models import Establishment

T = TypeVar("T")

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


def current[M: Model](qs: QuerySet[M], on: dt.date | None = None) -> QuerySet[M]:
    """The rows of a dated relation (membership, enrolment, assignment...) in force ``on`` (today)."""
    on = on or timezone.localdate()
    return qs.filter(Q(start_date__lte=on), Q(end_date__isnull=True) | Q(end_date__gte=on))


@dataclass(frozen=True)
class Child:
    id: int
    first_name: str
    last_name: str
    establishment_ids: frozenset[int]
    # Whether the guardian holds legal responsibility (autorité parentale) for the child. One who does not (a
    # grandparent or host family named as a contact) follows the child's days — timetable, homework, agenda,
    # news — but not what the law keeps for legal guardians: grades, report cards, absences and their
    # justification, discipline.
    legal: bool = True

    @property
    def name(self) -> str:
        return f"{self.first_name} {self.last_name}"


class Teaching(NamedTuple):
    """One current teaching assignment, as policies read it: a class or a group, and a subject."""

    class_id: int | None
    group_id: int | None
    subject_id: int


class Headed(NamedTuple):
    """What a head teacher (professeur principal) follows: the classes, the groups drawn from them, and
    the classes' current students."""

    class_ids: frozenset[int]
    group_ids: frozenset[int]
    student_ids: frozenset[int]


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
        for loaded in ("memberships", "children", "children_places", "_places", "teaching", "_memos"):
            if loaded in self.__dict__:
                other.__dict__[loaded] = self.__dict__[loaded]
        return other

    def memo(self, key: str, compute: Callable[[], T]) -> T:
        """A value computed once per actor (so once per request): rows several policies or widgets share.

        Only for values that depend on the person, never on the membership they act through (the memo is
        shared by :meth:`acting_as`)."""
        memos: dict[str, Any] = self.__dict__.setdefault("_memos", {})
        if key not in memos:
            memos[key] = compute()
        return memos[key]  # type: ignore[no-any-return]

    # --- identity ------------------------------------------------------------------------------
    @property
    def is_authenticated(self) -> bool:
        return self.user is not None

    @property
    def user_id(self) -> int | None:
        return self.user.pk if self.user else None

    @property
    def person_id(self) -> int:
        """The signed-in person's id, for the rows an action writes in their name (an anonymous actor is
        refused: actions are only reached signed in, and this says so to the type checker too)."""
        if self.user is None:
            raise PermissionDenied
        return int(self.user.pk)

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
        return self.is_regional_admin or bool(self.roles_in(establishment_id) & MANAGER_ROLES)

    def establishments_where(self, roles: Iterable[str]) -> frozenset[int]:
        """The establishments where the person holds one of ``roles`` now (in memory: memberships are loaded).

        The question nearly every policy asks; role sets come from ``directory.models`` (``STAFF_ROLES``...)."""
        wanted = frozenset(roles)
        return frozenset(m.establishment_id for m in self.memberships if m.establishment_id and m.role in wanted)

    def holds_in(self, establishment_id: int | None, roles: Iterable[str]) -> bool:
        """Whether the person holds one of ``roles`` in that establishment."""
        return bool(self.roles_in(establishment_id) & frozenset(roles))

    @property
    def direction_ids(self) -> frozenset[int]:
        """The establishments the person directs (principal, deputy)."""
        return self.establishments_where((Role.DIRECTION,))

    def directs(self, establishment_id: int | None) -> bool:
        """The direction of that establishment, or the regional administrator (who oversees every one)."""
        return self.is_regional_admin or establishment_id in self.direction_ids

    @property
    def module_settings(self) -> dict[str, Any]:
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
        legal = {link.student_id for link in links if link.legal_responsibility}
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
        return [
            Child(s.pk, s.first_name, s.last_name, frozenset(enrolled.get(s.pk, ())), legal=s.pk in legal)
            for s in students
        ]

    @cached_property
    def children_places(self) -> dict[int, tuple[frozenset[int], frozenset[int]]]:
        """For each child: the classes and groups they attend now (loaded with ``children``)."""
        self.children  # noqa: B018  (fills this attribute)
        places: dict[int, tuple[frozenset[int], frozenset[int]]] = self.__dict__["children_places"]
        return places

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

    @property
    def family_student_ids(self) -> frozenset[int]:
        """The students whose school life the person reads as family: themself as a student, their children."""
        ids = set(self.children_ids)
        if self.user_id is not None and self.has_role(Role.STUDENT):
            ids.add(self.user_id)
        return frozenset(ids)

    @property
    def legal_children_ids(self) -> frozenset[int]:
        """The children for whom the person holds legal responsibility (see :class:`Child`)."""
        return frozenset(c.id for c in self.children if c.legal)

    @property
    def legal_family_student_ids(self) -> frozenset[int]:
        """Whose grades, report cards, absences and discipline the person reads as family: themself as a
        student, and the children they are legally responsible for."""
        return self.family_student_ids - (self.children_ids - self.legal_children_ids)

    # --- teaching --------------------------------------------------------------------------------
    @cached_property
    def teaching(self) -> tuple[Teaching, ...]:
        """The person's current teaching assignments (one query, none unless they teach somewhere)."""
        if self.user is None or not self.has_role(Role.TEACHER):
            return ()
        rows = current(TeachingAssignment.objects.filter(teacher=self.user)).values_list(
            "school_class_id", "group_id", "subject_id"
        )
        return tuple(Teaching(*row) for row in rows)

    @property
    def taught_class_ids(self) -> frozenset[int]:
        return frozenset(t.class_id for t in self.teaching if t.class_id)

    @property
    def taught_group_ids(self) -> frozenset[int]:
        return frozenset(t.group_id for t in self.teaching if t.group_id)

    def teaches_subject_to(self, *, subject_id: int, class_id: int | None = None, group_id: int | None = None) -> bool:
        """Whether the person teaches that subject to that class or that group (a current assignment)."""
        return any(
            t.subject_id == subject_id
            and ((class_id and t.class_id == class_id) or (group_id and t.group_id == group_id))
            for t in self.teaching
        )

    @property
    def headed(self) -> Headed:
        """The classes the person is head teacher of, their groups and students (two queries, once; none
        unless the person teaches)."""
        return self.memo("directory.headed", self._load_headed)

    def _load_headed(self) -> Headed:
        if self.user_id is None or not self.has_role(Role.TEACHER):
            return Headed(frozenset(), frozenset(), frozenset())
        class_ids = frozenset(SchoolClass.objects.filter(head_teacher_id=self.user_id).values_list("pk", flat=True))
        if not class_ids:
            return Headed(class_ids, frozenset(), frozenset())
        links = Group.classes.through.objects.filter(schoolclass_id__in=class_ids)
        group_ids = frozenset(links.values_list("group_id", flat=True))
        students = current(Enrolment.objects.filter(school_class_id__in=class_ids)).values_list("student_id", flat=True)
        return Headed(class_ids, group_ids, frozenset(students))

    @property
    def taught_student_ids(self) -> frozenset[int]:
        """The students of the classes and groups the person teaches now (one query, once)."""
        return self.memo("directory.taught_students", self._load_taught_students)

    def _load_taught_students(self) -> frozenset[int]:
        if not (self.taught_class_ids or self.taught_group_ids):
            return frozenset()
        in_classes = current(Enrolment.objects.filter(school_class_id__in=self.taught_class_ids)).values("student_id")
        in_groups = current(GroupMembership.objects.filter(group_id__in=self.taught_group_ids)).values("student_id")
        rows = current(Enrolment.objects.filter(Q(student_id__in=in_classes) | Q(student_id__in=in_groups)))
        return frozenset(rows.values_list("student_id", flat=True))

    @property
    def taught_class_subjects(self) -> dict[tuple[int, int], frozenset[int] | None]:
        """The (class, subject) pairs the person teaches now, each with the groups it is taught through
        (``None`` when taught to the whole class). One query for the groups' classes, once."""
        return self.memo("directory.taught_class_subjects", self._load_taught_class_subjects)

    def _load_taught_class_subjects(self) -> dict[tuple[int, int], frozenset[int] | None]:
        pairs: dict[tuple[int, int], set[int] | None] = {}
        for t in self.teaching:
            if t.class_id:
                pairs[t.class_id, t.subject_id] = None
        by_group = {t.group_id: t.subject_id for t in self.teaching if t.group_id}
        if by_group:
            links = Group.classes.through.objects.filter(group_id__in=list(by_group))
            for group_id, class_id in links.values_list("group_id", "schoolclass_id"):
                key = (class_id, by_group[group_id])
                known = pairs.setdefault(key, set())
                if known is not None:
                    known.add(group_id)
        return {k: (frozenset(v) if v is not None else None) for k, v in pairs.items()}

    @property
    def teaching_reach(self) -> tuple[frozenset[int], frozenset[int]]:
        """The classes and groups a teacher follows: those taught, the classes of the groups taught, and the
        groups drawn from all these classes (one query, once)."""
        return self.memo("directory.teaching_reach", self._load_teaching_reach)

    def _load_teaching_reach(self) -> tuple[frozenset[int], frozenset[int]]:
        class_ids, group_ids = set(self.taught_class_ids), set(self.taught_group_ids)
        if class_ids or group_ids:
            links = Group.classes.through.objects
            classes_of_groups = links.filter(group_id__in=group_ids).values("schoolclass_id")
            rows = list(
                links.filter(Q(schoolclass_id__in=class_ids) | Q(schoolclass_id__in=classes_of_groups)).values_list(
                    "group_id", "schoolclass_id"
                )
            )
            class_ids |= {c for g, c in rows if g in self.taught_group_ids}
            group_ids |= {g for g, _c in rows}
        return frozenset(class_ids), frozenset(group_ids)


ANONYMOUS = Actor(None)
