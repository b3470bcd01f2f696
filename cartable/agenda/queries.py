"""Reads of the agenda: the events and the due dates a person sees over a period, per child or merged for
guardians. A fixed number of queries whatever the data's size."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field
from typing import Any
from zoneinfo import ZoneInfo

from django.db.models import Prefetch, QuerySet
from django.urls import NoReverseMatch, reverse
from django.utils import timezone

from cartable.agenda import policies
from cartable.agenda.models import CalendarFeed, Event
from cartable.core import authz, registry
from cartable.directory.actor import Actor, current
from cartable.directory.models import OWN_LESSON_ROLES, Enrolment, SchoolClass, User
from cartable.homework import queries as homework_queries

PARIS = ZoneInfo("Europe/Paris")


@dataclass
class AgendaItem:
    """One line of the agenda: an event, a homework due date or an announced test."""

    key: str
    kind: str  # "event", "homework" or "test"
    title: str
    start_date: dt.date
    end_date: dt.date
    start: dt.datetime | None = None  # None for all-day entries and due dates without a time
    end: dt.datetime | None = None
    category: str = ""
    location: str = ""
    detail: str = ""
    children: list[str] = field(default_factory=list)
    url: str = ""
    event: Event | None = None
    homework: Any = None

    def occurs_on(self, day: dt.date) -> bool:
        return self.start_date <= day <= self.end_date

    @property
    def all_day(self) -> bool:
        return self.start is None


def local_range(start: dt.date, end: dt.date) -> tuple[dt.datetime, dt.datetime]:
    """The aware datetimes bounding the days from ``start`` to ``end`` (both included) in Paris."""
    begin = dt.datetime.combine(start, dt.time.min, tzinfo=PARIS)
    finish = dt.datetime.combine(end + dt.timedelta(days=1), dt.time.min, tzinfo=PARIS)
    return begin, finish


def events_between(actor: Actor, start: dt.date, end: dt.date) -> QuerySet[Event]:
    """The events the actor sees that overlap the days from ``start`` to ``end``, classes preloaded
    (two queries when evaluated)."""
    begin, finish = local_range(start, end)
    return (
        Event.objects.visible_to(actor)
        .filter(start__lt=finish, end__gte=begin)
        .select_related("establishment")
        .prefetch_related(Prefetch("classes", queryset=SchoolClass.objects.order_by("name")))
        .order_by("start", "id")
    )


def children_classes(actor: Actor) -> dict[int, set[int]]:
    """For each of a guardian's children, the classes they attend now (one query; none without children)."""
    if not actor.children:
        return {}
    result: dict[int, set[int]] = {c.id: set() for c in actor.children}
    rows = current(Enrolment.objects.filter(student_id__in=list(result))).values_list("student_id", "school_class_id")
    for student_id, class_id in rows:
        result[student_id].add(class_id)
    return result


def is_guardian_view(actor: Actor) -> bool:
    """Whether the agenda is a guardian's, shown per child (or all children together)."""
    return policies.can_merge_children(actor, None)


def _event_children(event: Event, children, classes_of: dict[int, set[int]]) -> list:
    """The children an event concerns (by establishment, or by class for class events)."""
    if event.audience == Event.Audience.PERSONAL:
        return []
    if event.audience == Event.Audience.CLASSES:
        event_classes = {c.pk for c in event.classes.all()}
        return [c for c in children if classes_of.get(c.id, set()) & event_classes]
    if event.audience == Event.Audience.STAFF:
        return []
    return [c for c in children if event.establishment_id in c.establishment_ids]


def _url(name: str, pk: int) -> str:
    try:
        return reverse(name, args=[pk])
    except NoReverseMatch:
        return ""


def event_item(event: Event, children_names: list[str] | None = None) -> AgendaItem:
    local_start, local_end = timezone.localtime(event.start, PARIS), timezone.localtime(event.end, PARIS)
    start_date, end_date = local_start.date(), local_end.date()
    start: dt.datetime | None = None if event.all_day else local_start
    end: dt.datetime | None = None if event.all_day else local_end
    where = [c.name for c in event.classes.all()] if event.audience == Event.Audience.CLASSES else []
    return AgendaItem(
        key=f"event-{event.pk}",
        kind="event",
        title=event.title,
        start_date=start_date,
        end_date=max(end_date, start_date),
        start=start,
        end=end,
        category=event.get_kind_display(),
        location=event.location,
        detail=", ".join(where),
        children=children_names or [],
        url=reverse("agenda:event", args=[event.pk]),
        event=event,
    )


def homework_item(homework, children_names: list[str] | None = None) -> AgendaItem:
    assignment = homework.assignment
    is_test = homework.kind == "test"
    start = end = None
    if homework.due_time is not None:
        start = dt.datetime.combine(homework.due_date, homework.due_time, tzinfo=PARIS)
        end = start + dt.timedelta(hours=1)
    return AgendaItem(
        key=f"homework-{homework.pk}",
        kind="test" if is_test else "homework",
        title=homework.title,
        start_date=homework.due_date,
        end_date=homework.due_date,
        start=start,
        end=end,
        category=assignment.subject.name,
        detail=homework.get_kind_display(),
        children=children_names or [],
        url=_url("homework:detail", homework.pk),
        homework=homework,
    )


def agenda(actor: Actor, start: dt.date, end: dt.date, *, merged: bool = False) -> list[AgendaItem]:
    """The actor's agenda from ``start`` to ``end``: events and due dates, sorted by day and time.

    A guardian sees the active child's (``merged=False``) or all their children's (``merged=True``),
    each line labelled with the children it concerns. Staff other than teachers see events only.
    """
    guardian = is_guardian_view(actor)
    children = (actor.children if merged else [actor.child]) if guardian else []
    children = [c for c in children if c is not None]
    classes_of = children_classes(actor) if guardian else {}
    items: list[AgendaItem] = []
    for event in events_between(actor, start, end):
        if guardian:
            concerned = _event_children(event, children, classes_of)
            if not concerned and event.owner_id != actor.user_id:
                continue
            items.append(event_item(event, [c.first_name for c in concerned] if merged else []))
        else:
            items.append(event_item(event))
    if actor.role in OWN_LESSON_ROLES:
        ids = [c.id for c in children] if guardian else None
        # Due dates come from the homework log: only where the establishment uses it.
        homework_on = establishments_with(actor, "homework")
        for homework in homework_queries.due_items(actor, start, end, student_ids=ids):
            if homework.establishment_id not in homework_on:
                continue
            names = [c.first_name for c in getattr(homework, "children", [])] if guardian and merged else []
            items.append(homework_item(homework, names))
    items.sort(key=lambda i: (i.start_date, i.start is not None, i.start or dt.datetime.min.replace(tzinfo=PARIS)))
    return items


def establishments_with(actor: Actor, module: str) -> set[int]:
    """The actor's establishments where ``module`` is switched on (from the memberships already loaded)."""
    return {
        m.establishment_id
        for m in actor.memberships
        if m.establishment_id is not None
        and m.establishment is not None
        and registry.module_enabled(m.establishment.module_settings, module)
    }


def upcoming_events(actor: Actor, *, days: int = 30, limit: int = 5) -> list[Event]:
    """The next events the actor sees (those not over yet), for the dashboard (one query)."""
    now = timezone.now()
    return list(
        Event.objects.visible_to(actor)
        .filter(end__gte=now, start__lte=now + dt.timedelta(days=days))
        .order_by("start", "id")[:limit]
    )


def event_queryset() -> QuerySet[Event]:
    return Event.objects.select_related("establishment", "owner")


def event_with_classes() -> QuerySet[Event]:
    return Event.objects.prefetch_related("classes")


def live_feeds() -> QuerySet[CalendarFeed]:
    """Calendar feeds not revoked: to fetch one through the guard."""
    return CalendarFeed.objects.filter(revoked_at__isnull=True)


def feeds_of(actor: Actor) -> list[CalendarFeed]:
    """The actor's calendar feeds not revoked, with their child (one query)."""
    return list(authz.scope(actor, live_feeds()).select_related("child"))


def events_starting_on(day: dt.date) -> list[tuple[Event, list[int]]]:
    """Events starting on ``day`` in every establishment that concern identifiable people, each with them:
    a personal event's owner, a class event's students (three queries: for the reminders job, not for a page).
    Events for a whole establishment or population are left to the agenda itself."""
    begin, finish = local_range(day, day)
    events = list(
        Event.objects.filter(
            start__gte=begin, start__lt=finish, audience__in=[Event.Audience.PERSONAL, Event.Audience.CLASSES]
        ).order_by("start", "id")
    )
    class_ids_of: dict[int, set[int]] = {}
    for event_id, class_id in Event.classes.through.objects.filter(
        event_id__in=[e.pk for e in events if e.audience == Event.Audience.CLASSES]
    ).values_list("event_id", "schoolclass_id"):
        class_ids_of.setdefault(event_id, set()).add(class_id)
    all_classes = set().union(*class_ids_of.values()) if class_ids_of else set()
    students_of: dict[int, list[int]] = {}
    if all_classes:
        for class_id, student_id in current(Enrolment.objects.filter(school_class_id__in=all_classes)).values_list(
            "school_class_id", "student_id"
        ):
            students_of.setdefault(class_id, []).append(student_id)
    result = []
    for event in events:
        if event.audience == Event.Audience.PERSONAL:
            people = [event.owner_id]
        else:
            people = sorted({s for c in class_ids_of.get(event.pk, ()) for s in students_of.get(c, [])})
        result.append((event, people))
    return result


def live_feed_count(user: User) -> int:
    """How many secret calendar addresses of the person still answer (one query)."""
    return CalendarFeed.objects.filter(user=user, revoked_at__isnull=True).count()
