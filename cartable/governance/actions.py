"""Writes of the governance app."""

from __future__ import annotations

from django.core.exceptions import PermissionDenied
from django.db import transaction

from cartable.core import audit, authz, registry
from cartable.core.authz import Action
from cartable.directory.actor import Actor
from cartable.directory.models import Establishment, User

CODE_DAYS = 30  # how long a code handed out by the establishment stays valid


@transaction.atomic
def set_modules(*, actor: Actor, establishment: Establishment, enabled: set[str]) -> Establishment:
    """Switch the establishment's modules on or off; keys not registered are ignored."""
    authz.require(actor, Action.MANAGE, establishment)
    locked = Establishment.objects.select_for_update().get(pk=establishment.pk)
    before = dict(locked.module_settings)
    after = {m.key: m.key in enabled for m in registry.modules()}
    locked.module_settings = after
    locked.save(update_fields=["module_settings"])
    audit.record(
        actor=actor,
        verb="governance.set_modules",
        target=locked,
        establishment_id=locked.pk,
        before=before,
        after=after,
    )
    return locked


@transaction.atomic
def hand_out_activation_code(*, actor: Actor, establishment: Establishment, person_id: int) -> tuple[User, str]:
    """A new activation code for a person of the establishment whose account was never activated, for those
    who manage it (the code is returned once, in clear; the previous unused ones stop working)."""
    from cartable.accounts.actions import issue_activation_code
    from cartable.governance.queries import account_to_activate

    authz.require(actor, Action.MANAGE, establishment)
    person = account_to_activate(actor, establishment.pk, person_id)
    if person is None:
        raise PermissionDenied
    return person, issue_activation_code(actor=actor, user=person, valid_days=CODE_DAYS)
