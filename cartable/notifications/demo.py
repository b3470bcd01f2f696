"""Notifications: the demo region's notices, preferences and quiet hours.

Every notice is one the real code would have sent about a real thing of the demo, at the time it would have
sent it, and nothing stale: the news items announced when published (read), the reminders the daily job
sent (or sends today) through the registered reminder sources, about events and homework that exist, with
their own dates (read once their day has come), and the homework published in the last days and not yet
due, announced to the students of Lucas's and Emma's classes and to their guardians (claire.martin, about
each child). claire.martin chooses per child (Lucas's homework by e-mail, Emma's in the digest) and keeps
her evenings and weekends quiet; the collège holds its e-mails from 21:00 to 07:00.

Writes: ``notify`` (in the app only: the demo e-mails nobody) for news, reminders and homework, with their
dates set afterwards; bulk inserts of the preferences and quiet hours (no action writes those for somebody
else).
"""

from __future__ import annotations

import datetime as dt
from typing import TYPE_CHECKING

from django.utils import timezone

from cartable.core import registry
from cartable.core.models import Notification, NotificationPreference, QuietHours
from cartable.core.notify import PARIS, notify
from cartable.directory.models import Enrolment
from cartable.homework.actions import announce_for_demo
from cartable.homework.models import Homework
from cartable.news.actions import audience, notice_of
from cartable.news.models import NewsItem
from cartable.notifications.models import ReminderRun
from cartable.notifications.tasks import HOMEWORK_DUE, REMINDER_HOUR

if TYPE_CHECKING:  # the demo layer hands the personas in; no import of it at run time
    from cartable.demo.personas import Personas

READ_AFTER = dt.timedelta(hours=2)  # how long after its arrival a notice the demo shows as read was read


def load_demo(personas: Personas, *, now: dt.datetime | None = None) -> None:
    """Fill the demo region (unless claire.martin already has her quiet hours)."""
    p = personas.people
    claire = p["claire.martin"]
    if QuietHours.objects.filter(user=claire).exists():
        return
    now = now or timezone.now()
    people = {u.pk for u in p.values()}
    _news(people, now)
    _reminders(people, now)
    _homework(personas, now)
    college = personas.college.establishment
    emma, lucas = p["emma.martin"], p["lucas.martin"]
    NotificationPreference.objects.bulk_create(
        [
            NotificationPreference(user=claire, kind="homework.published", channel="digest"),
            NotificationPreference(user=claire, kind="homework.published", about=lucas, channel="email"),
            NotificationPreference(user=claire, kind="homework.published", about=emma, channel="in_app"),
            NotificationPreference(user=claire, kind=HOMEWORK_DUE, about=emma, channel="off"),
        ]
    )
    QuietHours.objects.bulk_create(
        [
            QuietHours(user=claire, start=dt.time(20), end=dt.time(7), weekends=True),
            QuietHours(establishment_id=college.pk, start=dt.time(21), end=dt.time(7)),
        ]
    )


def _news(people: set[int], now: dt.datetime) -> None:
    """The news items shown today, announced to the personas of their audience when published (read)."""
    shown = NewsItem.objects.filter(publish_at__lte=now).exclude(expires_at__lte=now).order_by("publish_at", "id")
    for item in shown:
        recipients, children = audience(item)
        title, body, url = notice_of(item)
        rows = notify(
            recipients=sorted(set(recipients) & people),
            kind="news.published",
            title=title,
            body=body,
            url=url,
            target=item,
            establishment_id=item.establishment_id,
            channels=("in_app",),
            about={g: s for g, s in children.items() if g in people} or None,
        )
        Notification.objects.filter(pk__in=[n.pk for n in rows]).update(
            created_at=item.publish_at, read_at=item.publish_at + READ_AFTER
        )


def _reminders(people: set[int], now: dt.datetime) -> None:
    """The reminders the daily job sent for yesterday and today, and sends today for tomorrow once its hour
    has come; each day's run is claimed, so the job does not send them again."""
    today = timezone.localtime(now, PARIS).date()
    for offset in (0, 1, 2):
        day = today + dt.timedelta(days=offset - 1)  # the day the reminders are about
        sent_at = dt.datetime.combine(day - dt.timedelta(days=1), REMINDER_HOUR, tzinfo=PARIS)
        if sent_at > now:
            continue
        for source in registry.reminder_sources():
            _run, claimed = ReminderRun.objects.get_or_create(kind=source.kind, day=day - dt.timedelta(days=1))
            if not claimed:
                continue
            for reminder in source.due(day):
                recipients = sorted({r if isinstance(r, int) else r.pk for r in reminder.recipients} & people)
                rows = notify(
                    recipients=recipients,
                    kind=source.kind,
                    title=reminder.title,
                    body=reminder.body,
                    url=reminder.url,
                    target=reminder.target,
                    establishment_id=reminder.establishment_id,
                    channels=("in_app",),
                )
                read_at = sent_at + READ_AFTER if day <= today else None
                Notification.objects.filter(pk__in=[n.pk for n in rows]).update(created_at=sent_at, read_at=read_at)


def _homework(personas: Personas, now: dt.datetime) -> None:
    """The latest homework of Lucas's and Emma's classes published in the last three days and not yet due,
    announced as when it was published (unread)."""
    p = personas.people
    today = timezone.localtime(now, PARIS).date()
    class_ids = Enrolment.objects.filter(student__in=[p["lucas.martin"], p["emma.martin"]]).values_list(
        "school_class_id", flat=True
    )
    items = []
    for class_id in sorted(set(class_ids)):
        latest = (
            Homework.objects.filter(
                assignment__school_class_id=class_id,
                published_at__lte=now,
                published_at__gte=now - dt.timedelta(days=3),
                due_date__gte=today,
            )
            .select_related("assignment__subject")
            .order_by("-published_at", "-id")
            .first()
        )
        if latest is not None:
            items.append(latest)
    if not items:
        return
    before = set(Notification.objects.filter(kind="homework.published").values_list("pk", flat=True))
    announce_for_demo(items)
    for item in items:
        Notification.objects.filter(kind="homework.published", target_id=str(item.pk)).exclude(pk__in=before).update(
            created_at=item.published_at
        )
