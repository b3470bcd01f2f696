"""A person's calendar feed: the token's owner, and their lessons, due dates, tests and events as iCalendar.

The feed is read without a session (calendars fetch it on their own), so the actor is rebuilt from the
feed: the person, acting as the guardian of the feed's child when it has one, else in their first role
(a guardian then gets all their children, merged). A fixed number of queries whatever the data's size.
"""

from __future__ import annotations

import datetime as dt
import html

from django.utils import timezone
from django.utils.translation import gettext as _

from cartable.agenda import queries
from cartable.agenda.actions import hash_token
from cartable.agenda.ical import Calendar, VEvent
from cartable.agenda.models import CalendarFeed
from cartable.core import richtext
from cartable.directory.actor import Actor
from cartable.directory.models import Role
from cartable.timetable import queries as timetable

WEEKS_BEFORE = 1
WEEKS_AFTER = 6


def feed_for_token(token: str) -> CalendarFeed | None:
    """The active feed of a token, with its person; None for a wrong or revoked token (one query)."""
    if not token or len(token) > 200:
        return None
    return (
        CalendarFeed.objects.select_related("user")
        .filter(token_hash=hash_token(token), revoked_at__isnull=True, user__is_active=True)
        .first()
    )


def actor_for(feed: CalendarFeed) -> Actor:
    """The actor whose view the feed shows: the person in the role the feed was made for (a teacher who is
    also a parent has one feed as each), as the guardian of its child when it has one."""
    actor = Actor(feed.user)
    if feed.child_id is None:
        membership = next((m for m in actor.memberships if m.role == feed.role), None)
        return actor.acting_as(membership.pk) if membership else actor
    child = next((c for c in actor.children if c.id == feed.child_id), None)
    if child is None:
        return actor
    membership = next(
        (m for m in actor.memberships if m.role == Role.GUARDIAN and m.establishment_id in child.establishment_ids),
        None,
    )
    return actor.acting_as(membership.pk if membership else None, child_id=child.id)


def period(today: dt.date) -> tuple[dt.date, dt.date]:
    """From the Monday of the previous week to the Sunday ``WEEKS_AFTER`` weeks ahead."""
    monday = today - dt.timedelta(days=today.weekday())
    return monday - dt.timedelta(weeks=WEEKS_BEFORE), monday + dt.timedelta(weeks=WEEKS_AFTER, days=6)


def _establishment_of(item) -> int | None:
    if item.event is not None:
        return item.event.establishment_id
    return getattr(item.homework, "establishment_id", None)


def calendar_for(feed: CalendarFeed, *, today: dt.date | None = None) -> Calendar:
    """The feed's calendar: lessons, due dates and announced tests, and events — of the establishments
    where the timetable, the homework log and the agenda modules are on (a module switched off leaves the
    feed as it leaves the menus)."""
    actor = actor_for(feed)
    start, end = period(today or timezone.localdate())
    merged = feed.child_id is None
    stamp = timezone.now()
    timetable_on = queries.establishments_with(actor, "timetable")
    module_of = {
        "event": queries.establishments_with(actor, "agenda"),
        "homework": queries.establishments_with(actor, "homework"),
    }
    module_of["test"] = module_of["homework"]
    calendar = Calendar(name=_("Cartable — %(name)s") % {"name": feed.user.get_full_name()})
    for lesson in timetable.lessons_for_actor(actor, start, end, all_children=merged):
        if lesson.assignment.establishment_id in timetable_on:
            calendar.events.append(lesson_vevent(lesson, stamp, teacher=actor.role == Role.TEACHER))
    for item in queries.agenda(actor, start, end, merged=merged):
        establishment_id = _establishment_of(item)
        if establishment_id is None or establishment_id in module_of.get(item.kind, set()):
            calendar.events.append(item_vevent(item, stamp))
    return calendar


def lesson_vevent(lesson, stamp: dt.datetime, *, teacher: bool = False) -> VEvent:
    """A lesson as a VEVENT; a changed lesson gets SEQUENCE 1, a cancelled one STATUS:CANCELLED."""
    details = [lesson.teacher_name]
    change = getattr(lesson, "change_text", "")
    if change:
        details.append(change)
    if lesson.note:
        details.append(lesson.note)
    children = lesson.extra.get("children") if lesson.extra else None
    summary = lesson.subject_name
    if children:
        summary = f"{summary} ({', '.join(children)})"
    elif teacher:
        summary = f"{summary} — {lesson.audience_name}"
    return VEvent(
        uid=f"lesson-{lesson.key.replace(':', '-')}@cartable",
        summary=summary,
        start=lesson.start,
        end=lesson.end,
        stamp=stamp,
        sequence=1 if lesson.status != "normal" else 0,
        description="\n".join(d for d in details if d),
        location=lesson.room_name,
        status="CANCELLED" if lesson.is_cancelled else "CONFIRMED",
        categories=[_("Cours")],
    )


def item_vevent(item: queries.AgendaItem, stamp: dt.datetime) -> VEvent:
    """An event, a due date or an announced test as a VEVENT with a stable UID."""
    if item.start is None:
        start, end = item.start_date, item.end_date + dt.timedelta(days=1)
    else:
        start, end = item.start, item.end or item.start
    names = f" ({', '.join(item.children)})" if item.children else ""
    if item.event is not None:
        event = item.event
        return VEvent(
            uid=f"event-{event.pk}@cartable",
            summary=item.title + names,
            start=start,
            end=end,
            stamp=stamp,
            sequence=event.sequence,
            description=html.unescape(richtext.to_text(event.description)),
            location=event.location,
            categories=[item.category],
        )
    homework = item.homework
    label = _("Contrôle") if item.kind == "test" else _("À faire")
    return VEvent(
        uid=f"homework-{homework.pk}@cartable",
        summary=f"{label} — {item.category} : {item.title}{names}",
        start=start,
        end=end,
        stamp=stamp,
        sequence=homework.version,
        description=html.unescape(richtext.to_text(homework.instructions)),
        categories=[item.detail],
    )
