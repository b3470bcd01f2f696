"""Who sees and who registers connected services.

| service | seen (as a tile, and at ``/cas/login``) by | registered and changed by |
|---|---|---|
| region-wide (no establishment) | people holding one of its roles anywhere in the region | the regional administrator |
| an establishment's | people holding one of its roles there | its direction and ENT admins; the region |

A disabled service is seen by nobody but those who manage it. Usage figures are for the managers of the
service (counts per day, role and establishment, never names).
"""

from __future__ import annotations

from django.db.models import Q, QuerySet

from cartable.core import authz
from cartable.core.authz import Action
from cartable.directory.actor import Actor
from cartable.directory.models import ADMIN_ROLES, Establishment, Membership
from cartable.sso.models import Service


def managed_establishments(actor: Actor) -> list[int]:
    """The establishments whose services the actor registers: where they direct or administer the ENT."""
    return sorted(actor.establishments_where(ADMIN_ROLES))


@authz.permission("sso.register_somewhere", about=None)
def registers_somewhere(actor: Actor, _obj: None = None) -> bool:
    """Whether the « Applications » page offers to manage services: the region, an establishment's admins."""
    return actor.is_regional_admin or bool(managed_establishments(actor))


@authz.permission("sso.register_in", about=Establishment)
def registers_in(actor: Actor, establishment: Establishment | None) -> bool:
    """Region-wide services (no establishment) for the region; an establishment's for its admins."""
    if establishment is None:
        return actor.is_regional_admin
    return actor.is_regional_admin or actor.holds_in(establishment.pk, ADMIN_ROLES)


def can_manage(actor: Actor, service: Service) -> bool:
    if actor.is_regional_admin:
        return True
    return service.establishment_id is not None and actor.holds_in(service.establishment_id, ADMIN_ROLES)


def audience_membership(actor: Actor, service: Service) -> Membership | None:
    """The actor's membership the service is open to (the active one first), or None: out of its audience."""
    if not service.enabled:
        return None
    roles = set(service.role_list)
    candidates = [actor.membership, *actor.memberships] if actor.membership else actor.memberships
    for membership in candidates:
        if membership is None or membership.role not in roles:
            continue
        if service.establishment_id is None or membership.establishment_id == service.establishment_id:
            return membership
    return None


@authz.permission("sso.launch", about=Service)
def launches(actor: Actor, service: Service) -> bool:
    """Whether the service opens for the actor: one of their memberships is in its audience."""
    return actor.is_authenticated and audience_membership(actor, service) is not None


def audience_q(actor: Actor) -> Q:
    """The enabled services open to one of the actor's memberships, as a Q (no query of its own)."""
    reach = Q(pk__in=[])
    for membership in actor.memberships:
        place = Q(establishment__isnull=True)
        if membership.establishment_id:
            place |= Q(establishment_id=membership.establishment_id)
        reach |= place & Q(roles__contains=f",{membership.role},")
    return Q(enabled=True) & reach


def managed_q(actor: Actor) -> Q:
    if actor.is_regional_admin:
        return Q()
    return Q(establishment_id__in=managed_establishments(actor))


@authz.register(Service)
class ServicePolicy(authz.Policy[Service]):
    """Connected services: see the module docstring."""

    def allows(self, actor: Actor, action: Action | str, obj: Service) -> bool:
        if not actor or not actor.is_authenticated:
            return False
        if action == Action.VIEW:
            return can_manage(actor, obj) or audience_membership(actor, obj) is not None
        if action in (Action.CREATE, Action.CHANGE, Action.DELETE, Action.MANAGE):
            return can_manage(actor, obj)
        return False

    def scope(self, actor: Actor, queryset: QuerySet[Service]) -> QuerySet[Service]:
        if not actor or not actor.is_authenticated:
            return queryset.none()
        if actor.is_regional_admin:
            return queryset
        return queryset.filter(managed_q(actor) | audience_q(actor))
