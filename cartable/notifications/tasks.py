"""The notification centre's periodic jobs: tomorrow's reminders, from the sources apps register (homework
not done yet, events)."""

from __future__ import annotations

import datetime as dt

from django.db import IntegrityError, transaction
from django.tasks import task
from django.utils import timezone

from cartable.core import registry
from cartable.core.notify import PARIS, notify
from cartable.notifications.models import ReminderRun

# Reminders for tomorrow leave from this hour (Paris time), before the 17:00 digest that may carry them.
REMINDER_HOUR = dt.time(16, 0)
HOMEWORK_DUE = "notifications.homework_due"
EVENT_TOMORROW = "notifications.event_tomorrow"


@task
def send_reminders() -> int:
    """Remind students of tomorrow's homework they have not ticked done, and people of tomorrow's events.

    Runs often; does nothing before REMINDER_HOUR; each day's reminders are claimed by a unique row per
    kind and day, so they go out once however many workers run the job. Returns the notices written."""
    return remind(timezone.now())


def remind(now: dt.datetime) -> int:
    local = timezone.localtime(now, PARIS)
    if local.time() < REMINDER_HOUR:
        return 0
    tomorrow = local.date() + dt.timedelta(days=1)
    return sum(_send(source, local.date(), tomorrow) for source in registry.reminder_sources())


def _claim(kind: str, day: dt.date) -> ReminderRun | None:
    try:
        with transaction.atomic():
            return ReminderRun.objects.create(kind=kind, day=day)
    except IntegrityError:
        return None


@transaction.atomic
def _send(source: registry.ReminderSource, today: dt.date, tomorrow: dt.date) -> int:
    """Today's run of one source (apps register theirs in their ``hooks.py``): claimed once, then sent."""
    run = _claim(source.kind, today)
    if run is None:
        return 0
    sent = 0
    for reminder in source.due(tomorrow):
        if not reminder.recipients:
            continue
        rows = notify(
            recipients=reminder.recipients,
            kind=source.kind,
            title=reminder.title,
            body=reminder.body,
            url=reminder.url,
            target=reminder.target,
            establishment_id=reminder.establishment_id,
        )
        sent += len(rows)
    ReminderRun.objects.filter(pk=run.pk).update(sent=sent)
    return sent
