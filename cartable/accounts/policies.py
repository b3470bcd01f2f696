"""Named permissions of the second factor: who enrols one, who sets the region's rule, who resets one."""

from __future__ import annotations

from cartable.core import authz
from cartable.directory.actor import Actor, current
from cartable.directory.models import STAFF_ROLES, Membership, Role, User

# The roles that enrol a second factor, and that the region may oblige to: staff and administrators.
ENROLLING_ROLES = STAFF_ROLES | {Role.REGIONAL_ADMIN}


@authz.permission("accounts.enrol_factor", about=None)
def enrols_factor(actor: Actor, _obj: None = None) -> bool:
    """Staff, direction and administrators give a second factor; students and families do not."""
    return actor.is_authenticated and any(m.role in ENROLLING_ROLES for m in actor.memberships)


@authz.permission("accounts.set_factor_policy", about=None)
def sets_factor_policy(actor: Actor, _obj: None = None) -> bool:
    """The region's rule is the regional administrator's."""
    return actor.is_regional_admin


@authz.permission("accounts.reset_somewhere", about=None)
def resets_somewhere(actor: Actor, _obj: None = None) -> bool:
    """Whether the reset page opens: the region, and the ENT administrators of some establishment."""
    return actor.is_regional_admin or bool(actor.establishments_where((Role.ESTABLISHMENT_ADMIN,)))


@authz.permission("accounts.reset_factors", about=User)
def resets_factors(actor: Actor, person: User) -> bool:
    """The regional administrator, and an establishment's ENT administrator for its members (not oneself)."""
    if not actor.is_authenticated or person.pk == actor.user_id:
        return False
    if actor.is_regional_admin:
        return True
    places = actor.establishments_where((Role.ESTABLISHMENT_ADMIN,))
    if not places:
        return False
    return current(Membership.objects.filter(person=person, establishment_id__in=places)).exists()
