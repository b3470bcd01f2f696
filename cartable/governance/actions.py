"""Writes of the governance app."""

from __future__ import annotations

from django.db import transaction

from cartable.core import audit, authz, registry
from cartable.core.authz import Action
from cartable.directory.actor import Actor
from cartable.directory.models import Establishment


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
