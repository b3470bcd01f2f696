"""Reads of the governance app: what an establishment's administrators have to do."""

from __future__ import annotations

from django.core.paginator import Page, Paginator
from django.db.models import Prefetch, QuerySet

from cartable.core import authz, registry
from cartable.directory.actor import Actor, current
from cartable.directory.models import Membership, User

PER_PAGE = 50


def _to_activate(actor: Actor, establishment_id: int) -> QuerySet[User]:
    """People of the establishment (current memberships) whose provisioned account was never activated."""
    here = current(Membership.objects.filter(establishment_id=establishment_id)).values("person_id")
    return User.objects.visible_to(actor).filter(pk__in=here, is_active=True, activated_at__isnull=True)


def accounts_to_activate(actor: Actor, establishment_id: int, *, page: int | str = 1) -> Page:
    """One page of the accounts still to activate, with their roles here: three queries (count, page,
    memberships) whatever their number."""
    people = (
        _to_activate(actor, establishment_id)
        .order_by("last_name", "first_name", "id")
        .prefetch_related(
            Prefetch(
                "memberships",
                queryset=current(Membership.objects.filter(establishment_id=establishment_id)).order_by("role"),
                to_attr="memberships_here",
            )
        )
    )
    return Paginator(people, PER_PAGE).get_page(page)


def account_to_activate(actor: Actor, establishment_id: int, person_id: int) -> User | None:
    """One of the establishment's accounts still to activate, or None (one query)."""
    return _to_activate(actor, establishment_id).filter(pk=person_id).first()


def admin_tasks(actor: Actor) -> dict | None:
    """The ENT administrator's tasks on the dashboard: accounts to activate (one query), the communication
    rules and the modules (links, no query). None for someone who does not manage the establishment."""
    establishment = actor.establishment
    if establishment is None or not authz.allows(actor, authz.Action.MANAGE, establishment):
        return None
    messaging_on = registry.module_enabled(actor.module_settings, "messaging")
    return {
        "to_activate": _to_activate(actor, establishment.pk).count(),
        "can_edit_rules": messaging_on and authz.can(actor, "messaging.edit_rules", establishment),
    }
