"""Background work of the kernel: delivering the notification outbox and the daily digests."""

from __future__ import annotations

import datetime as dt
import logging

from django.conf import settings
from django.core.mail import send_mail
from django.db import IntegrityError, transaction
from django.db.models import F, Q
from django.tasks import task
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import ngettext

from cartable.core import dates
from cartable.core.models import Delivery, DigestRun
from cartable.core.notify import PARIS

log = logging.getLogger(__name__)
MAX_ATTEMPTS = 5
# A claim older than this belongs to a worker that died while sending: the delivery is tried again.
STALE_CLAIM = dt.timedelta(minutes=15)


@task
def deliver_pending(batch_size: int = 200) -> int:
    """Send pending deliveries; each row is claimed before sending, so concurrent workers send it once."""
    release_stale_claims()
    sent = 0
    due = Q(not_before__isnull=True) | Q(not_before__lte=timezone.now())  # quiet hours hold some e-mails
    pending = list(
        Delivery.objects.filter(due, status=Delivery.Status.PENDING, attempts__lt=MAX_ATTEMPTS)
        .exclude(channel=Delivery.Channel.DIGEST)
        .select_related("notification__recipient")
        .order_by("created_at")[:batch_size]
    )
    for delivery in pending:
        # Claim the row: one atomic UPDATE, so only one worker moves it out of "pending".
        claimed = Delivery.objects.filter(pk=delivery.pk, status=Delivery.Status.PENDING).update(
            status=Delivery.Status.SENDING, claimed_at=timezone.now(), attempts=F("attempts") + 1
        )
        if not claimed:
            continue
        attempts = delivery.attempts + 1
        try:
            if _send(delivery):
                Delivery.objects.filter(pk=delivery.pk).update(status=Delivery.Status.SENT, sent_at=timezone.now())
                sent += 1
            else:
                Delivery.objects.filter(pk=delivery.pk).update(status=Delivery.Status.SKIPPED)
        except Exception as exc:  # a mail server down must not stop the others
            log.warning("Delivery %s failed: %s", delivery.pk, exc)
            status = Delivery.Status.FAILED if attempts >= MAX_ATTEMPTS else Delivery.Status.PENDING
            Delivery.objects.filter(pk=delivery.pk).update(status=status, last_error=str(exc)[:2000])
    return sent


def release_stale_claims() -> int:
    """Put back deliveries claimed by a worker that died mid-send (at least once rather than never)."""
    stale = Q(status=Delivery.Status.SENDING, claimed_at__lt=timezone.now() - STALE_CLAIM)
    Delivery.objects.filter(stale, attempts__gte=MAX_ATTEMPTS).update(status=Delivery.Status.FAILED)
    return Delivery.objects.filter(stale).update(status=Delivery.Status.PENDING)


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


# The daily digest leaves at this hour (Paris time), once per person and day.
DIGEST_HOUR = dt.time(17, 0)
DIGEST_PREFERENCES = "/notifications/preferences/"  # where each digest says preferences are changed


@task
def send_digests() -> int:
    """Send today's digest to everyone with notices waiting for it, once per person and day; return how many.

    Runs often; does nothing before DIGEST_HOUR. A person's digest is claimed by a unique (person, day) row in
    the same transaction as the sending, so two workers, or two runs, never send it twice."""
    now = timezone.now()
    local = timezone.localtime(now, PARIS)
    if local.time() < DIGEST_HOUR:
        return 0
    waiting: dict[int, list[Delivery]] = {}
    rows = (
        Delivery.objects.filter(channel=Delivery.Channel.DIGEST, status=Delivery.Status.PENDING, created_at__lte=now)
        .select_related("notification__recipient")
        .order_by("notification__recipient_id", "created_at", "id")
    )
    for delivery in rows:
        waiting.setdefault(delivery.notification.recipient_id, []).append(delivery)
    sent = 0
    for user_id, deliveries in waiting.items():
        try:
            with transaction.atomic():
                DigestRun.objects.create(user_id=user_id, day=local.date())
                ids = [d.pk for d in deliveries]
                recipient = deliveries[0].notification.recipient
                if recipient.email:
                    _send_digest(recipient, [d.notification for d in deliveries], local.date())
                    status = Delivery.Status.SENT
                    sent += 1
                else:
                    status = Delivery.Status.SKIPPED
                Delivery.objects.filter(pk__in=ids, status=Delivery.Status.PENDING).update(
                    status=status, sent_at=now, attempts=F("attempts") + 1
                )
        except IntegrityError:  # already sent today: what came since waits for tomorrow's
            continue
        except Exception as exc:  # a mail server down: the claim is undone, the next run tries again
            log.warning("Digest for %s failed: %s", user_id, exc)
    return sent


def _send_digest(recipient, notifications, day: dt.date) -> None:
    count = len(notifications)
    subject = ngettext(
        "Votre résumé du %(day)s : %(count)d notification",
        "Votre résumé du %(day)s : %(count)d notifications",
        count,
    ) % {"day": dates.date_long(day), "count": count}
    lines = [_("Bonjour %(name)s,") % {"name": recipient.first_name}, ""]
    for notification in notifications:
        lines.append(f"- {notification.title}")
        if notification.body:
            lines.append(f"  {notification.body}")
        if notification.url:
            lines.append(f"  {settings.CARTABLE_BASE_URL}{notification.url}")
    lines += ["", _("Choisir ce que vous recevez : %(url)s") % {"url": settings.CARTABLE_BASE_URL + DIGEST_PREFERENCES}]
    send_mail(
        subject=f"[{settings.CARTABLE_SITE_NAME}] {subject}",
        message="\n".join(lines),
        from_email=None,
        recipient_list=[recipient.email],
    )


AUDIT_RETENTION = dt.timedelta(days=365)
READ_NOTIFICATION_RETENTION = dt.timedelta(days=183)
UNREAD_NOTIFICATION_RETENTION = dt.timedelta(days=365)
DIGEST_RUN_RETENTION = dt.timedelta(days=31)  # the claim only matters on its day


@task
def purge_expired_records() -> dict[str, int]:
    """Apply the kernel's retention rules: audit trail one year, notifications six months after reading
    (a year when never read), expired sessions, digest claims after a month."""
    from django.contrib.sessions.models import Session

    from cartable.core.models import AuditEvent, Notification

    now = timezone.now()
    audit, _ = AuditEvent.objects.filter(at__lt=now - AUDIT_RETENTION).delete()
    notifications, _ = Notification.objects.filter(
        Q(read_at__lt=now - READ_NOTIFICATION_RETENTION) | Q(created_at__lt=now - UNREAD_NOTIFICATION_RETENTION)
    ).delete()
    sessions, _ = Session.objects.filter(expire_date__lt=now).delete()
    digests, _ = DigestRun.objects.filter(day__lt=(now - DIGEST_RUN_RETENTION).date()).delete()
    return {"audit": audit, "notifications": notifications, "sessions": sessions, "digests": digests}


@task
def sweep_orphan_files() -> int:
    """Remove stored files that no row points to any more (erased people's work, cascaded deletions)."""
    from cartable.core.uploads import sweep_orphans

    return sweep_orphans()
