"""Who may see and change the directory's rows."""

from __future__ import annotations

from typing import Any

from django.db.models import Q, QuerySet

from cartable.core import authz
from cartable.core.authz import Action
from cartable.directory.actor import Actor, Child, current
from cartable.directory.models import (
    ADMIN_ROLES,
    MANAGER_ROLES,
    STAFF_ROLES,
    Establishment,
    Group,
    Membership,
    Period,
    Role,
    SchoolClass,
    Subject,
    User,
)


@authz.register(Establishment)
class EstablishmentPolicy(authz.Policy[Any]):
    """Members see their establishments; its direction and ENT administrators change its settings."""

    def allows(self, actor: Actor, action: Action | str, obj: Any) -> bool:
        if actor.is_regional_admin:
            return True
        if action == Action.VIEW:
            return obj.pk in actor.establishment_ids
        if action in (Action.CHANGE, Action.MANAGE):
            return actor.holds_in(obj.pk, ADMIN_ROLES)
        return False

    def scope(self, actor: Actor, queryset: QuerySet[Any]) -> QuerySet[Any]:
        if actor.is_regional_admin:
            return queryset
        return queryset.filter(pk__in=actor.establishment_ids)


@authz.register(SchoolClass)
class SchoolClassPolicy(authz.Policy[Any]):
    """Staff see their establishment's classes; students their own; guardians their children's."""

    def allows(self, actor: Actor, action: Action | str, obj: Any) -> bool:
        if actor.is_regional_admin:
            return True
        if action == Action.VIEW:
            if actor.holds_in(obj.establishment_id, STAFF_ROLES):
                return True
            if obj.pk in actor.class_ids:
                return True
            # Current enrolments only, as in scope(): a class a child has left opens nothing.
            return obj.pk in actor.children_class_ids
        if action in (Action.CHANGE, Action.MANAGE):
            return actor.holds_in(obj.establishment_id, ADMIN_ROLES)
        return False

    def scope(self, actor: Actor, queryset: QuerySet[Any]) -> QuerySet[Any]:
        if actor.is_regional_admin:
            return queryset
        staff_of = sorted(_staff_of(actor))
        return queryset.filter(
            Q(establishment_id__in=staff_of) | Q(pk__in=actor.class_ids) | Q(pk__in=actor.children_class_ids)
        )


@authz.register(User)
class PersonPolicy(authz.Policy[Any]):
    """A person sees themself and their children; staff see the people of their establishments;
    students and families see the staff of their establishments. Only the region changes people."""

    def allows(self, actor: Actor, action: Action | str, obj: Any) -> bool:
        if actor.is_regional_admin:
            return True
        if action == Action.VIEW:
            if obj.pk == actor.user_id or obj.pk in actor.children_ids:
                return True
            return self.scope(actor, User.objects.filter(pk=obj.pk)).exists()
        if action == Action.CHANGE:
            return bool(obj.pk == actor.user_id)
        return False

    def scope(self, actor: Actor, queryset: QuerySet[Any]) -> QuerySet[Any]:
        if actor.is_regional_admin:
            return queryset
        staff_of = sorted(_staff_of(actor))
        members = current(Membership.objects.filter(establishment_id__in=staff_of)).values("person_id")
        staff_here = current(
            Membership.objects.filter(establishment_id__in=actor.establishment_ids, role__in=STAFF_ROLES)
        ).values("person_id")
        return queryset.filter(
            Q(pk=actor.user_id) | Q(pk__in=actor.children_ids) | Q(pk__in=members) | Q(pk__in=staff_here)
        )


@authz.register(Membership)
class MembershipPolicy(authz.Policy[Any]):
    """A person sees their own memberships; the establishment's managers see its memberships."""

    def allows(self, actor: Actor, action: Action | str, obj: Any) -> bool:
        if actor.is_regional_admin:
            return True
        if action == Action.VIEW:
            return obj.person_id == actor.user_id or actor.is_manager_of(obj.establishment_id)
        return False

    def scope(self, actor: Actor, queryset: QuerySet[Any]) -> QuerySet[Any]:
        if actor.is_regional_admin:
            return queryset
        managed = sorted(actor.establishments_where(MANAGER_ROLES))
        return queryset.filter(Q(person_id=actor.user_id) | Q(establishment_id__in=managed))


def _staff_of(actor: Actor) -> frozenset[int]:
    return actor.establishments_where(STAFF_ROLES)


@authz.register(Group)
class GroupPolicy(authz.Policy[Group]):
    """Staff see their establishment's groups; students the groups they are in; guardians their
    children's (current memberships only). The direction and ENT administrators change them."""

    def allows(self, actor: Actor, action: Action | str, obj: Group) -> bool:
        if actor.is_regional_admin:
            return True
        if action == Action.VIEW:
            return (
                obj.establishment_id in _staff_of(actor)
                or obj.pk in actor.group_ids
                or obj.pk in actor.children_group_ids
            )
        if action in (Action.CHANGE, Action.MANAGE):
            return actor.holds_in(obj.establishment_id, ADMIN_ROLES)
        return False

    def scope(self, actor: Actor, queryset: QuerySet[Group]) -> QuerySet[Group]:
        if actor.is_regional_admin:
            return queryset
        return queryset.filter(
            Q(establishment_id__in=sorted(_staff_of(actor)))
            | Q(pk__in=sorted(actor.group_ids))
            | Q(pk__in=sorted(actor.children_group_ids))
        )


def _places(actor: Actor) -> frozenset[int]:
    """The establishments whose subjects and periods a person reads: where they belong, or a child is."""
    ids = set(actor.establishment_ids)
    for child in actor.children:
        ids |= child.establishment_ids
    return frozenset(ids)


class _EstablishmentReference(authz.Policy[Any]):
    """An establishment's reference rows (subjects, periods): its members and the guardians of its
    students read them; the direction and ENT administrators change them."""

    def allows(self, actor: Actor, action: Action | str, obj: Any) -> bool:
        if actor.is_regional_admin:
            return True
        if action == Action.VIEW:
            return obj.establishment_id in _places(actor)
        if action in (Action.CHANGE, Action.MANAGE):
            return actor.holds_in(obj.establishment_id, ADMIN_ROLES)
        return False

    def scope(self, actor: Actor, queryset: QuerySet[Any]) -> QuerySet[Any]:
        if actor.is_regional_admin:
            return queryset
        return queryset.filter(establishment_id__in=sorted(_places(actor)))


@authz.register(Subject)
class SubjectPolicy(_EstablishmentReference):
    """Subjects: see :class:`_EstablishmentReference`."""


@authz.register(Period)
class PeriodPolicy(_EstablishmentReference):
    """Trimesters and semesters: see :class:`_EstablishmentReference`."""


def guardian_membership_for(actor: Actor, child: Child) -> Membership | None:
    """The membership through which a guardian looks at that child: the active one when it is a guardian's
    in an establishment where the child is enrolled, else a guardian membership where the child is; None
    when none (someone acting as a teacher who is also a parent goes to their guardian membership)."""
    if actor.role == Role.GUARDIAN and actor.establishment_id in child.establishment_ids:
        return actor.membership
    return next(
        (m for m in actor.memberships if m.role == Role.GUARDIAN and m.establishment_id in child.establishment_ids),
        None,
    )


def listed_role(value: str) -> str:
    """The role the annuaire is filtered by, when ``value`` names one; "" (everyone) otherwise."""
    return value if value in Role.values else ""


def directory_role_choices() -> list[tuple[str, Any]]:
    """The roles the annuaire filters by: an establishment's, not the region's."""
    return [(value, label) for value, label in Role.choices if value != Role.REGIONAL_ADMIN]
