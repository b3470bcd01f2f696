"""The notification centre's periodic jobs: tomorrow's reminders (homework not done yet, events)."""

from __future__ import annotations

import datetime as dt

from django.db import IntegrityError, transaction
from django.tasks import task
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _

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
    return _homework(local.date(), tomorrow) + _events(local.date(), tomorrow)


def _claim(kind: str, day: dt.date) -> ReminderRun | None:
    try:
        with transaction.atomic():
            return ReminderRun.objects.create(kind=kind, day=day)
    except IntegrityError:
        return None


@transaction.atomic
def _homework(today: dt.date, tomorrow: dt.date) -> int:
    from cartable.homework.queries import undone_due_on

    run = _claim(HOMEWORK_DUE, today)
    if run is None:
        return 0
    sent = 0
    for homework, students in undone_due_on(tomorrow):
        if not students:
            continue
        rows = notify(
            recipients=students,
            kind=HOMEWORK_DUE,
            title=_("Pour demain en %(subject)s : %(title)s")
            % {"subject": homework.assignment.subject.name, "title": homework.title},
            body=_("Ce travail n'est pas encore marqué comme fait."),
            url=reverse("homework:detail", args=[homework.pk]),
            target=homework,
            establishment_id=homework.establishment_id,
        )
        sent += len(rows)
    ReminderRun.objects.filter(pk=run.pk).update(sent=sent)
    return sent


@transaction.atomic
def _events(today: dt.date, tomorrow: dt.date) -> int:
    from cartable.agenda.queries import events_starting_on

    run = _claim(EVENT_TOMORROW, today)
    if run is None:
        return 0
    sent = 0
    for event, people in events_starting_on(tomorrow):
        if not people:
            continue
        start = timezone.localtime(event.start, PARIS)
        if event.all_day:
            body = _("Demain, toute la journée.")
        else:
            body = _("Demain à %(time)s.") % {"time": start.strftime("%H:%M")}
        rows = notify(
            recipients=people,
            kind=EVENT_TOMORROW,
            title=_("Demain : %(title)s") % {"title": event.title},
            body=body,
            url=reverse("agenda:event", args=[event.pk]),
            target=event,
            establishment_id=event.establishment_id,
        )
        sent += len(rows)
    ReminderRun.objects.filter(pk=run.pk).update(sent=sent)
    return sent
