"""The kernel's writes: the erasure of what it keeps on a person (named by the data providers in hooks.py)."""

from __future__ import annotations

from typing import Any

from django.apps import apps
from django.db import models, transaction

from cartable.core import erasure
from cartable.core.models import AuditEvent, Delivery, Notification


def _anonymise_trail(model: type[models.Model], user: Any) -> int:
    """The trail is a legal obligation: rows stay, without the person as their author (nor their address)."""
    return AuditEvent.objects.filter(actor=user).update(actor=None, ip_address=None)


ERASURE: dict[type[models.Model], erasure.Rule] = {
    AuditEvent: _anonymise_trail,
    Notification: erasure.delete("recipient", "about"),
    Delivery: erasure.keep("deleted with their notification"),
}
if apps.is_installed("django.contrib.admin"):
    from django.contrib.admin.models import LogEntry

    ERASURE[LogEntry] = erasure.delete("user")


@transaction.atomic
def erase_personal_data(*, user: Any, model: type[models.Model], actor: Any = None) -> int:
    """Erase or anonymise what ``model`` holds on ``user`` (its rule above), audited; returns the rows changed."""
    return erasure.erase(app="core", rules=ERASURE, user=user, model=model, actor=actor)
