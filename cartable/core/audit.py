"""Audit trail: ``record`` from actions (writes), ``record_read`` from views of sensitive data."""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable
from decimal import Decimal
from typing import Any

from django.db import models, transaction

from cartable.core import fragments, registry
from cartable.core.models import AuditEvent


def plain(value: Any) -> Any:
    """A field's value as an audit row stores it (JSON): dates and times in ISO 8601, decimals as text."""
    if isinstance(value, dt.date | dt.time | dt.datetime):
        return value.isoformat()
    if isinstance(value, Decimal):
        return str(value)
    return value


def snapshot(obj: models.Model, fields: Iterable[str]) -> dict[str, Any]:
    """The ``before`` or ``after`` of an audit row: the named fields of ``obj``, as :func:`plain` values."""
    return {f: plain(getattr(obj, f)) for f in fields}


def target_of(obj: models.Model | None) -> tuple[str, str]:
    if obj is None:
        return "", ""
    return obj._meta.label_lower, str(obj.pk)


def _actor_fields(actor: Any) -> dict:
    if actor is None:
        return {"actor_id": None, "establishment_id": None, "ip_address": None}
    return {
        "actor_id": getattr(actor, "user_id", None),
        "establishment_id": getattr(actor, "establishment_id", None),
        "ip_address": getattr(actor, "ip_address", None),
        "role": getattr(actor, "role", None) or "",
    }


def record(
    *,
    actor: Any,
    verb: str,
    target: models.Model | None = None,
    subject_id: int | None = None,
    before: dict | None = None,
    after: dict | None = None,
    establishment_id: int | None = None,
) -> AuditEvent:
    """Write one audit row for a change; call it inside the action's transaction."""
    target_type, target_id = target_of(target)
    fields = _actor_fields(actor)
    if establishment_id is not None:
        fields["establishment_id"] = establishment_id
    stale = registry.widgets_changed_by(verb)
    if stale:  # the dashboard fragments this write changes: now, and again once the change is visible to all
        fragments.forget(stale)
        transaction.on_commit(lambda: fragments.forget(stale))
    return AuditEvent.objects.create(
        kind=AuditEvent.Kind.WRITE,
        verb=verb,
        target_type=target_type,
        target_id=target_id,
        subject_id=subject_id,
        before=before,
        after=after,
        **fields,
    )


def record_read(*, actor: Any, verb: str, target: models.Model | None = None, subject_id: int | None) -> None:
    """Record that staff read a person's sensitive data (grades, absences, sanctions, a child's file).

    Only reads of somebody else's data are recorded: a person reading their own data, or a guardian
    their child's, is the data's subject and is not watched.
    """
    record_reads(actor=actor, verb=verb, target=target, subject_ids=[] if subject_id is None else [subject_id])


def record_reads(*, actor: Any, verb: str, target: models.Model | None = None, subject_ids: Iterable[int]) -> None:
    """``record_read`` for many people at once (a class's grades, a register): one insert.

    ``verb`` must be registered (``registry.register_read_verb``), so that « Qui a consulté » can say what was
    read in words: an unknown verb raises ``LookupError`` here, at once, rather than showing a code later."""
    registry.read_verb(verb)
    if actor is None:
        return
    skipped = {getattr(actor, "user_id", None), *getattr(actor, "children_ids", ())}
    target_type, target_id = target_of(target)
    rows = [
        AuditEvent(
            kind=AuditEvent.Kind.READ,
            verb=verb,
            target_type=target_type,
            target_id=target_id,
            subject_id=subject_id,
            **_actor_fields(actor),
        )
        for subject_id in dict.fromkeys(subject_ids)
        if subject_id not in skipped
    ]
    if len(rows) == 1:
        rows[0].save()
    elif rows:
        AuditEvent.objects.bulk_create(rows)
