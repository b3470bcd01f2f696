"""Provisioning's reads: the import runs the regional administrator sees."""

from __future__ import annotations

from django.db.models import QuerySet

from cartable.directory.actor import Actor
from cartable.provisioning.models import FedEstablishment, ImportRun

HISTORY = 50


def runs(actor: Actor) -> QuerySet[ImportRun]:
    """The latest runs, newest first, with who asked for them (one query)."""
    return ImportRun.objects.visible_to(actor).select_related("requested_by")[:HISTORY]


def run_queryset() -> QuerySet[ImportRun]:
    return ImportRun.objects.select_related("requested_by")


def has_example_delta() -> bool:
    """Whether the demo's personas are fed by the AAF, so that its example delta names them (one query)."""
    from cartable.provisioning.demo import STRUCTURES

    return FedEstablishment.objects.filter(jointure=STRUCTURES["college"]).exists()
