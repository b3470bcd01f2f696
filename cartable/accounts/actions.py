"""Every write of the accounts app: keyword-only, atomic, audited."""

from __future__ import annotations

from collections.abc import Iterable

from django.db import transaction

from cartable.accounts.models import Charter, CharterAcceptance
from cartable.core import audit


@transaction.atomic
def accept_charters(*, actor, user, charters: Iterable[Charter]) -> None:
    """Record that ``user`` accepted these charter versions."""
    for charter in charters:
        _, created = CharterAcceptance.objects.get_or_create(user=user, charter=charter)
        if created:
            audit.record(
                actor=actor,
                verb="accounts.accept_charter",
                target=charter,
                subject_id=user.pk,
                after={"kind": charter.kind, "version": charter.version},
            )
