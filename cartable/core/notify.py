"""``notify``: the outbox. Call it from an action, inside its transaction.

The notification rows (and one pending delivery per extra channel) are written in the same transaction
as the change, so a crash can never keep the change and lose the notice. After commit, a background
task delivers the pending rows; it is idempotent: each row is sent at most once per channel.
"""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any

from django.db import models, transaction

from cartable.core import registry
from cartable.core.models import Delivery, Notification


def notify(
    *,
    recipients: Iterable[Any],
    kind: str,
    title: str,
    body: str = "",
    url: str = "",
    target: models.Model | None = None,
    establishment_id: int | None = None,
    channels: Iterable[str] | None = None,
    about: Any = None,
) -> list[Notification]:
    """Write one notification per recipient (users or user ids) and queue its deliveries.

    ``about`` is the student (user or id) the notice concerns, when it is sent to their guardians.
    """
    about_id = about if isinstance(about, int) or about is None else about.pk
    declared = registry.notification_kind(kind)
    wanted = tuple(channels) if channels is not None else declared.default_channels
    extra = [c for c in wanted if c in Delivery.Channel.values]
    target_type, target_id = (target._meta.label_lower, str(target.pk)) if target is not None else ("", "")
    ids = sorted({r if isinstance(r, int) else r.pk for r in recipients})
    if not ids:
        return []
    rows = Notification.objects.bulk_create(
        [
            Notification(
                recipient_id=uid,
                kind=kind,
                about_id=about_id,
                title=str(title)[:200],
                body=str(body),
                url=url,
                target_type=target_type,
                target_id=target_id,
                establishment_id=establishment_id,
            )
            for uid in ids
        ]
    )
    if extra:
        if any(n.pk is None for n in rows):  # backends that do not return ids from bulk inserts
            rows = list(
                Notification.objects.filter(recipient_id__in=ids, kind=kind, target_id=target_id).order_by("-id")[
                    : len(ids)
                ]
            )
        Delivery.objects.bulk_create([Delivery(notification=n, channel=c) for n in rows for c in extra])
        transaction.on_commit(_enqueue_delivery)
    return rows


def _enqueue_delivery() -> None:
    from cartable.core.tasks import deliver_pending

    deliver_pending.enqueue()
