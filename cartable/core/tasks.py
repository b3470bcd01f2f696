"""Background work of the kernel: delivering the notification outbox."""

from __future__ import annotations

import logging

from django.conf import settings
from django.core.mail import send_mail
from django.db import transaction
from django.tasks import task
from django.utils import timezone

from cartable.core.models import Delivery

log = logging.getLogger(__name__)
MAX_ATTEMPTS = 5


@task
def deliver_pending(batch_size: int = 200) -> int:
    """Send pending deliveries; each row is claimed before sending so it goes out at most once."""
    sent = 0
    pending = list(
        Delivery.objects.filter(status=Delivery.Status.PENDING, attempts__lt=MAX_ATTEMPTS)
        .select_related("notification__recipient")
        .order_by("created_at")[:batch_size]
    )
    for delivery in pending:
        # Claim the row: only one worker wins the update, so it is sent once.
        with transaction.atomic():
            claimed = Delivery.objects.filter(
                pk=delivery.pk, status=Delivery.Status.PENDING, attempts=delivery.attempts
            ).update(attempts=delivery.attempts + 1)
        if not claimed:
            continue
        try:
            if _send(delivery):
                Delivery.objects.filter(pk=delivery.pk).update(status=Delivery.Status.SENT, sent_at=timezone.now())
                sent += 1
            else:
                Delivery.objects.filter(pk=delivery.pk).update(status=Delivery.Status.SKIPPED)
        except Exception as exc:  # a mail server down must not stop the others
            log.warning("Delivery %s failed: %s", delivery.pk, exc)
            status = Delivery.Status.FAILED if delivery.attempts + 1 >= MAX_ATTEMPTS else Delivery.Status.PENDING
            Delivery.objects.filter(pk=delivery.pk).update(status=status, last_error=str(exc)[:2000])
    return sent


def _send(delivery: Delivery) -> bool:
    notification = delivery.notification
    recipient = notification.recipient
    if delivery.channel == Delivery.Channel.EMAIL:
        if not recipient.email:
            return False
        body = notification.body
        if notification.url:
            body = f"{body}\n\n{settings.CARTABLE_BASE_URL}{notification.url}"
        send_mail(
            subject=f"[{settings.CARTABLE_SITE_NAME}] {notification.title}",
            message=body,
            from_email=None,
            recipient_list=[recipient.email],
        )
        return True
    return False
