"""Who may import into the directory and read the runs: the regional administrator only (the académies'
feeds are the region's business; an establishment's staff never sees another's). The activation letters
of an establishment's classes: its direction and ENT administrators."""

from __future__ import annotations

from django.db import models
from django.db.models import QuerySet

from cartable.core import authz
from cartable.core.authz import Action
from cartable.directory.actor import Actor
from cartable.directory.models import ADMIN_ROLES, Establishment
from cartable.provisioning.models import (
    ContactDetails,
    FedEstablishment,
    FunctionRole,
    ImportRun,
    LeaverPurge,
    LetterBatch,
    LocalFeed,
)


@authz.permission("provisioning.import", about=None)
def may_import(actor: Actor, _obj: None = None) -> bool:
    """Import a set of files (or simulate it): the regional administrator."""
    return bool(actor) and actor.is_authenticated and actor.is_regional_admin


@authz.permission("provisioning.print_letters", about=Establishment)
def may_print_letters(actor: Actor, establishment: Establishment) -> bool:
    """Print the activation letters of the establishment's classes (new codes for whoever has not activated
    their account yet): its direction and its ENT administrators."""
    return bool(actor) and actor.is_authenticated and actor.holds_in(establishment.pk, ADMIN_ROLES)


class RegionOnly(authz.Policy[models.Model]):
    """Every action for the regional administrator, none for anybody else."""

    def allows(self, actor: Actor, action: Action | str, obj: models.Model) -> bool:
        return bool(actor) and actor.is_authenticated and actor.is_regional_admin

    def scope(self, actor: Actor, queryset: QuerySet[models.Model]) -> QuerySet[models.Model]:
        if not actor or not actor.is_authenticated or not actor.is_regional_admin:
            return queryset.none()
        return queryset


for _model in (ImportRun, FunctionRole, FedEstablishment, ContactDetails, LocalFeed, LeaverPurge):
    authz.register(_model)(RegionOnly)


@authz.register(LetterBatch)
class LetterBatchPolicy(authz.Policy[LetterBatch]):
    """A class's letters hold activation codes in clear: only whoever asked for them follows and downloads
    them, while they still may print that establishment's letters."""

    def allows(self, actor: Actor, action: Action | str, obj: LetterBatch) -> bool:
        return (
            bool(actor)
            and actor.is_authenticated
            and obj.requested_by_id == actor.user_id
            and actor.holds_in(obj.establishment_id, ADMIN_ROLES)
        )

    def scope(self, actor: Actor, queryset: QuerySet[LetterBatch]) -> QuerySet[LetterBatch]:
        if not actor or not actor.is_authenticated:
            return queryset.none()
        places = [e for e in actor.establishment_ids if actor.holds_in(e, ADMIN_ROLES)]
        return queryset.filter(requested_by_id=actor.user_id, establishment_id__in=places)
