"""Who may see and change the directory's rows."""

from __future__ import annotations

from django.db.models import Q

from cartable.core import authz
from cartable.core.authz import Action
from cartable.directory.actor import current
from cartable.directory.models import (
    STAFF_ROLES,
    Establishment,
    Membership,
    Role,
    SchoolClass,
    User,
)

ADMIN_ROLES = {Role.DIRECTION, Role.ESTABLISHMENT_ADMIN}


@authz.register(Establishment)
class EstablishmentPolicy(authz.Policy):
    """Members see their establishments; its direction and ENT administrators change its settings."""

    def allows(self, actor, action, obj):
        if actor.is_regional_admin:
            return True
        if action == Action.VIEW:
            return obj.pk in actor.establishment_ids
        if action in (Action.CHANGE, Action.MANAGE):
            return bool(actor.roles_in(obj.pk) & ADMIN_ROLES)
        return False

    def scope(self, actor, queryset):
        if actor.is_regional_admin:
            return queryset
        return queryset.filter(pk__in=actor.establishment_ids)


@authz.register(SchoolClass)
class SchoolClassPolicy(authz.Policy):
    """Staff see their establishment's classes; students their own; guardians their children's."""

    def allows(self, actor, action, obj):
        if actor.is_regional_admin:
            return True
        if action == Action.VIEW:
            if actor.is_staff_of(obj.establishment_id):
                return True
            if obj.pk in actor.class_ids:
                return True
            # Current enrolments only, as in scope(): a class a child has left opens nothing.
            return obj.pk in actor.children_class_ids
        if action in (Action.CHANGE, Action.MANAGE):
            return bool(actor.roles_in(obj.establishment_id) & ADMIN_ROLES)
        return False

    def scope(self, actor, queryset):
        if actor.is_regional_admin:
            return queryset
        staff_of = [e for e in actor.establishment_ids if actor.is_staff_of(e)]
        return queryset.filter(
            Q(establishment_id__in=staff_of) | Q(pk__in=actor.class_ids) | Q(pk__in=actor.children_class_ids)
        )


@authz.register(User)
class PersonPolicy(authz.Policy):
    """A person sees themself and their children; staff see the people of their establishments;
    students and families see the staff of their establishments. Only the region changes people."""

    def allows(self, actor, action, obj):
        if actor.is_regional_admin:
            return True
        if action == Action.VIEW:
            if obj.pk == actor.user_id or obj.pk in actor.children_ids:
                return True
            return self.scope(actor, User.objects.filter(pk=obj.pk)).exists()
        if action == Action.CHANGE:
            return obj.pk == actor.user_id
        return False

    def scope(self, actor, queryset):
        if actor.is_regional_admin:
            return queryset
        staff_of = [e for e in actor.establishment_ids if actor.is_staff_of(e)]
        members = current(Membership.objects.filter(establishment_id__in=staff_of)).values("person_id")
        staff_here = current(
            Membership.objects.filter(establishment_id__in=actor.establishment_ids, role__in=STAFF_ROLES)
        ).values("person_id")
        return queryset.filter(
            Q(pk=actor.user_id) | Q(pk__in=actor.children_ids) | Q(pk__in=members) | Q(pk__in=staff_here)
        )


@authz.register(Membership)
class MembershipPolicy(authz.Policy):
    """A person sees their own memberships; the establishment's managers see its memberships."""

    def allows(self, actor, action, obj):
        if actor.is_regional_admin:
            return True
        if action == Action.VIEW:
            return obj.person_id == actor.user_id or actor.is_manager_of(obj.establishment_id)
        return False

    def scope(self, actor, queryset):
        if actor.is_regional_admin:
            return queryset
        managed = [e for e in actor.establishment_ids if actor.is_manager_of(e)]
        return queryset.filter(Q(person_id=actor.user_id) | Q(establishment_id__in=managed))
