"""Provisioning's reads: the import runs the regional administrator sees."""

from __future__ import annotations

from django.db.models import QuerySet

from cartable.directory.actor import Actor
from cartable.provisioning.models import ImportRun

HISTORY = 50


def runs(actor: Actor) -> QuerySet[ImportRun]:
    """The latest runs, newest first, with who asked for them (one query)."""
    return ImportRun.objects.visible_to(actor).select_related("requested_by")[:HISTORY]


def run_queryset() -> QuerySet[ImportRun]:
    return ImportRun.objects.select_related("requested_by")
