"""Background work of the messaging: fanning a large message out to its recipients' inboxes."""

from __future__ import annotations

from django.tasks import task


@task
def fan_out(message_id: int) -> int:
    """Deliver a sent message to every recipient, once (a second run finds it claimed and does nothing)."""
    from cartable.messaging.actions import deliver

    return deliver(message_id)
