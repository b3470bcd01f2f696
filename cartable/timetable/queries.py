"""Reads of the timetable: the lessons of a period for a class, group, teacher, room or student.

Lessons are computed, not stored: slots that apply each date (weekday, A/B week, validity, no non-school
day), with that date's changes applied, plus exceptional lessons. A fixed number of queries whatever the
period's length or the data's size: slots, changes, non-school days, settings (four).
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable
from dataclasses import dataclass, field
from typing import Any

from django.core.cache import cache
from django.db.models import BooleanField, Case, Count, Q, QuerySet, Value, When
from django.utils import timezone
from django.utils.translation import gettext as _

from cartable.directory.actor import Actor, Child, current
from cartable.directory.models import (
    Enrolment,
    Establishment,
    Group,
    GroupMembership,
    Membership,
    Role,
    SchoolClass,
    TeachingAssignment,
    User,
)
from cartable.directory.queries import people_with_role
from cartable.timetable.models import (
    LessonChange,
    NonSchoolDay,
    Room,
    Slot,
    TimetableImport,
    TimetableSettings,
    Weeks,
    room_label,
)

ASSIGNMENT_RELATED = ("assignment__subject", "assignment__teacher", "assignment__school_class", "assignment__group")


@dataclass
class Lesson:
    """One lesson on one date, with what changed. ``key`` is stable: ``"<slot id>:<date>"`` for a weekly
    lesson, ``"x<change id>"`` for an exceptional one (the homework log and the calendar feed use it)."""

    key: str
    date: dt.date
    start_time: dt.time
    end_time: dt.time
    assignment: TeachingAssignment
    room_name: str = ""
    teacher_name: str = ""
    status: str = "normal"  # normal, cancelled, room, substitute, exceptional
    note: str = ""
    original_room_name: str = ""
    substitute_name: str = ""
    change_id: int | None = None
    slot_id: int | None = None
    extra: dict = field(default_factory=dict)
    room_id: int | None = None
    substitute_id: int | None = None
    weeks: str = Weeks.ALL

    @property
    def start(self) -> dt.datetime:
        return timezone.make_aware(dt.datetime.combine(self.date, self.start_time))

    @property
    def end(self) -> dt.datetime:
        return timezone.make_aware(dt.datetime.combine(self.date, self.end_time))

    @property
    def is_cancelled(self) -> bool:
        return self.status == LessonChange.Kind.CANCELLED

    @property
    def is_changed(self) -> bool:
        return self.status != "normal"

    @property
    def change_text(self) -> str:
        """The change in words ("Annulé", "Salle modifiée : B12 → C3"...), empty when nothing changed."""
        if not self.is_changed:
            return ""
        return describe(
            kind=self.status,
            room=self.room_name,
            original_room=self.original_room_name,
            substitute=self.substitute_name,
        )

    @property
    def room_label(self) -> str:
        """« salle B12 », « Salle 105 », « Gymnase »: the room as written beside the lesson (models.room_label)."""
        return room_label(self.room_name)

    @property
    def subject_name(self) -> str:
        return self.assignment.subject.name

    @property
    def audience_name(self) -> str:
        return str(self.assignment.school_class or self.assignment.group)

    @property
    def establishment_id(self) -> int:
        return self.assignment.establishment_id


def describe(*, kind: str, room: str = "", original_room: str = "", substitute: str = "") -> str:
    """The words that show a change, never a colour alone: "Annulé", "Salle modifiée : B12 → C3"..."""
    if kind == LessonChange.Kind.CANCELLED:
        return _("Annulé")
    if kind == LessonChange.Kind.ROOM:
        if original_room:
            return _("Salle modifiée : %(old)s → %(new)s") % {"old": original_room, "new": room}
        return _("Salle modifiée : %(new)s") % {"new": room}
    if kind == LessonChange.Kind.SUBSTITUTE:
        return _("Remplacé par %(name)s") % {"name": substitute}
    if kind == LessonChange.Kind.EXCEPTIONAL:
        return _("Cours exceptionnel")
    return ""


def monday_of(day: dt.date) -> dt.date:
    return day - dt.timedelta(days=day.weekday())


def default_monday(today: dt.date | None = None) -> dt.date:
    """The week a timetable opens on: this week, or the next one from Saturday on (the week is over)."""
    today = today or timezone.localdate()
    return monday_of(today + dt.timedelta(days=2)) if today.weekday() >= 5 else monday_of(today)


@dataclass
class _Calendar:
    """An establishment's non-school days and A-week reference, for the dates being computed."""

    closed: list[NonSchoolDay]
    settings: TimetableSettings | None

    def closure(self, day: dt.date) -> NonSchoolDay | None:
        return next((n for n in self.closed if n.start_date <= day <= n.end_date), None)

    def week_of(self, day: dt.date) -> str:
        return self.settings.week_of(day) if self.settings else Weeks.A


CALENDAR_CACHE = "timetable:calendar:%d"
CALENDAR_SECONDS = 3600


def _calendars(establishment_ids: Iterable[int], start: dt.date, end: dt.date) -> dict[int, _Calendar]:
    """Each establishment's non-school days overlapping the period, and its settings.

    Both change a few times a year and every page of lessons needs them: they are cached per establishment
    (no query when cached, two otherwise) and forgotten by the actions that change them (``forget_calendar``).
    """
    ids = list(dict.fromkeys(establishment_ids))
    cached = cache.get_many([CALENDAR_CACHE % eid for eid in ids])
    found: dict[int, tuple[list[NonSchoolDay], TimetableSettings | None]] = {}
    for eid in ids:
        if (CALENDAR_CACHE % eid) in cached:
            found[eid] = cached[CALENDAR_CACHE % eid]
    missing = [eid for eid in ids if eid not in found]
    if missing:
        loaded: dict[int, tuple[list[NonSchoolDay], TimetableSettings | None]] = {eid: ([], None) for eid in missing}
        for closed in NonSchoolDay.objects.filter(establishment_id__in=missing).order_by("start_date"):
            loaded[closed.establishment_id][0].append(closed)
        for settings in TimetableSettings.objects.filter(establishment_id__in=missing):
            loaded[settings.establishment_id] = (loaded[settings.establishment_id][0], settings)
        cache.set_many({CALENDAR_CACHE % eid: value for eid, value in loaded.items()}, CALENDAR_SECONDS)
        found.update(loaded)
    return {
        eid: _Calendar([n for n in closed if n.start_date <= end and n.end_date >= start], settings)
        for eid, (closed, settings) in found.items()
    }


def closed_dates(establishment_ids: Iterable[int], start: dt.date, end: dt.date) -> dict[int, set[dt.date]]:
    """Each establishment's non-school days from ``start`` to ``end`` (from the cached calendars: no query
    once cached, two otherwise)."""
    found: dict[int, set[dt.date]] = {}
    for eid, calendar in _calendars(establishment_ids, start, end).items():
        days: set[dt.date] = set()
        for closure in calendar.closed:
            day = max(closure.start_date, start)
            while day <= min(closure.end_date, end):
                days.add(day)
                day += dt.timedelta(days=1)
        found[eid] = days
    return found


SCHOOL_DAYS_HORIZON = 150  # days looked ahead for school days (the summer holidays included)


def school_days(establishment_id: int | None, start: dt.date, count: int) -> list[dt.date]:
    """The first ``count`` school days from ``start`` on (``start`` included): Monday to Friday, without the
    establishment's non-school days. No query once the calendar is cached (see ``_calendars``)."""
    end = start + dt.timedelta(days=SCHOOL_DAYS_HORIZON)
    calendar = _calendars([establishment_id], start, end)[establishment_id] if establishment_id else None
    days: list[dt.date] = []
    day = start
    while len(days) < count and day <= end:
        if day.weekday() < 5 and (calendar is None or calendar.closure(day) is None):
            days.append(day)
        day += dt.timedelta(days=1)
    return days


def forget_calendar(establishment_id: int) -> None:
    """Drop an establishment's cached calendar (call it after commit, from the actions that change it)."""
    cache.delete(CALENDAR_CACHE % establishment_id)


def lessons(
    *,
    establishment_id: int | Iterable[int],
    start: dt.date,
    end: dt.date,
    assignments: Q | None = None,
    substitute_id: int | None = None,
    room_id: int | None = None,
    calendars: dict[int, _Calendar] | None = None,
) -> list[Lesson]:
    """The lessons from ``start`` to ``end`` (both included), sorted by date and time, of the teaching
    assignments matching ``assignments`` (a Q on TeachingAssignment), plus the lessons ``substitute_id``
    teaches as a substitute and the lessons held in room ``room_id`` (by the slot or by a change).

    ``establishment_id`` may be several establishments (a teacher in two schools, a family's children).
    Four queries; two when ``calendars`` (non-school days and settings) are given.
    """
    ids = [establishment_id] if isinstance(establishment_id, int) else list(establishment_id)
    if calendars is None:
        calendars = _calendars(ids, start, end)
    own = Q(pk__in=[])
    exceptional = Q(pk__in=[])
    if assignments is not None:
        assignment_ids = TeachingAssignment.objects.filter(assignments, establishment_id__in=ids).values("pk")
        own |= Q(assignment_id__in=assignment_ids)
        exceptional |= Q(assignment_id__in=assignment_ids)
    if room_id is not None:
        own |= Q(room_id=room_id)
        exceptional |= Q(room_id=room_id)
    through_change = Q(pk__in=[])
    in_period = LessonChange.objects.filter(establishment_id__in=ids, date__range=(start, end), slot__isnull=False)
    if substitute_id is not None:
        through_change |= Q(pk__in=in_period.filter(substitute_id=substitute_id).values("slot_id"))
        exceptional |= Q(substitute_id=substitute_id)
    if room_id is not None:
        through_change |= Q(pk__in=in_period.filter(room_id=room_id).values("slot_id"))
    slots = list(
        Slot.objects.filter(establishment_id__in=ids, valid_from__lte=end)
        .filter(Q(valid_until__isnull=True) | Q(valid_until__gte=start))
        .filter(own | through_change)
        .annotate(own=Case(When(own, then=Value(True)), default=Value(False), output_field=BooleanField()))
        .select_related("room", *ASSIGNMENT_RELATED)
    )
    changes = list(
        LessonChange.objects.filter(establishment_id__in=ids, date__range=(start, end))
        .filter(Q(slot_id__in=[s.pk for s in slots]) | (Q(kind=LessonChange.Kind.EXCEPTIONAL) & exceptional))
        .select_related("room", "substitute", *ASSIGNMENT_RELATED)
    )
    by_lesson = {(c.slot_id, c.date): c for c in changes if c.slot_id}
    by_weekday: dict[int, list[Slot]] = {}
    for slot in slots:
        by_weekday.setdefault(slot.weekday, []).append(slot)

    result: list[Lesson] = []
    day = start
    while day <= end:
        for slot in by_weekday.get(day.weekday(), ()):
            calendar = calendars[slot.establishment_id]
            if not (slot.valid_from <= day <= (slot.valid_until or day)) or calendar.closure(day):
                continue
            if slot.weeks != Weeks.ALL and slot.weeks != calendar.week_of(day):
                continue
            change = by_lesson.get((slot.pk, day))
            is_own: bool = slot.own  # type: ignore[attr-defined]  # annotated by the query above
            if not is_own and not _concerns(change, substitute_id, room_id):
                continue
            lesson = _weekly_lesson(slot, day)
            if change is not None:
                _apply(lesson, change)
            result.append(lesson)
        day += dt.timedelta(days=1)
    for change in changes:
        if change.kind == LessonChange.Kind.EXCEPTIONAL and not calendars[change.establishment_id].closure(change.date):
            result.append(_exceptional_lesson(change))
    result.sort(key=lambda lesson: (lesson.date, lesson.start_time, lesson.key))
    return result


def _concerns(change: LessonChange | None, substitute_id: int | None, room_id: int | None) -> bool:
    """Whether a lesson found through its change (not its slot) belongs to the week asked for."""
    if change is None or change.kind == LessonChange.Kind.CANCELLED:
        return False
    return (substitute_id is not None and change.substitute_id == substitute_id) or (
        room_id is not None and change.room_id == room_id
    )


def _weekly_lesson(slot: Slot, day: dt.date) -> Lesson:
    return Lesson(
        key=f"{slot.pk}:{day.isoformat()}",
        date=day,
        start_time=slot.start_time,
        end_time=slot.end_time,
        assignment=slot.assignment,
        room_name=slot.room.name if slot.room else "",
        room_id=slot.room_id,
        teacher_name=slot.assignment.teacher.display_name,
        slot_id=slot.pk,
        weeks=slot.weeks,
    )


def _exceptional_lesson(change: LessonChange) -> Lesson:
    # An exceptional lesson has its own times and assignment (see LessonChange: slot empty, assignment set).
    assert change.start_time is not None and change.end_time is not None and change.assignment is not None
    return Lesson(
        key=f"x{change.pk}",
        date=change.date,
        start_time=change.start_time,
        end_time=change.end_time,
        assignment=change.assignment,
        room_name=change.room.name if change.room else "",
        room_id=change.room_id,
        teacher_name=(change.substitute or change.assignment.teacher).display_name,
        substitute_id=change.substitute_id,
        substitute_name=change.substitute.display_name if change.substitute else "",
        status=LessonChange.Kind.EXCEPTIONAL.value,
        note=change.note,
        change_id=change.pk,
    )


def _apply(lesson: Lesson, change: LessonChange) -> None:
    lesson.status = change.kind
    lesson.note = change.note
    lesson.change_id = change.pk
    if change.start_time and change.end_time:
        lesson.start_time, lesson.end_time = change.start_time, change.end_time
    if change.room is not None and change.room_id != lesson.room_id:
        lesson.original_room_name = lesson.room_name
        lesson.room_name = change.room.name
        lesson.room_id = change.room_id
    if change.substitute is not None:
        lesson.substitute_id = change.substitute_id
        lesson.substitute_name = change.substitute.display_name
        lesson.teacher_name = change.substitute.display_name


def assignments_of_class(class_id: int) -> Q:
    """A class's own lessons and those of the groups drawn from it."""
    return Q(school_class_id=class_id) | Q(group__classes=class_id)


def assignments_of_group(group_id: int) -> Q:
    return Q(group_id=group_id)


def assignments_of_students(student_ids: Iterable[int]) -> Q:
    """The lessons of the classes and groups the students attend now, as subqueries (no query of its own)."""
    ids = list(student_ids)
    classes = current(Enrolment.objects.filter(student_id__in=ids)).values("school_class_id")
    groups = current(GroupMembership.objects.filter(student_id__in=ids)).values("group_id")
    return Q(school_class_id__in=classes) | Q(group_id__in=groups)


def assignments_of_teacher(teacher_id: int) -> Q:
    return Q(teacher_id=teacher_id)


# --- weeks -----------------------------------------------------------------------------------------


@dataclass
class Day:
    date: dt.date
    lessons: list[Lesson]
    closed_label: str = ""

    @property
    def is_today(self) -> bool:
        return self.date == timezone.localdate()


@dataclass
class Week:
    """A week of lessons, Monday to Friday (Saturday too when it has lessons), with its A/B label."""

    monday: dt.date
    days: list[Day]
    label: str  # "A", "B", or "" when the establishment does not alternate weeks

    @property
    def lessons(self) -> list[Lesson]:
        return [lesson for day in self.days for lesson in day.lessons]

    @property
    def previous_monday(self) -> dt.date:
        return self.monday - dt.timedelta(days=7)

    @property
    def next_monday(self) -> dt.date:
        return self.monday + dt.timedelta(days=7)

    @property
    def sunday(self) -> dt.date:
        return self.monday + dt.timedelta(days=6)


def week(*, establishment_id: int, monday: dt.date, **criteria) -> Week:
    """The week from ``monday`` of the lessons matching ``criteria`` (see :func:`lessons`); four queries."""
    monday = monday_of(monday)
    end = monday + dt.timedelta(days=5)
    calendars = _calendars([establishment_id], monday, end)
    found = lessons(establishment_id=establishment_id, start=monday, end=end, calendars=calendars, **criteria)
    calendar = calendars[establishment_id]
    days = []
    for offset in range(6):
        day = monday + dt.timedelta(days=offset)
        closure = calendar.closure(day)
        day_lessons = [lesson for lesson in found if lesson.date == day]
        if offset == 5 and not day_lessons:
            continue  # Saturday only when something happens on it
        days.append(Day(day, day_lessons, closure.label if closure else ""))
    return Week(monday, days, calendar.week_of(monday) if calendar.settings else "")


def week_of_class(*, school_class, monday: dt.date) -> Week:
    """A class's week: its own lessons and those of the groups drawn from it."""
    return week(
        establishment_id=school_class.establishment_id, monday=monday, assignments=assignments_of_class(school_class.pk)
    )


def week_of_group(*, group, monday: dt.date) -> Week:
    return week(establishment_id=group.establishment_id, monday=monday, assignments=assignments_of_group(group.pk))


def week_of_teacher(*, teacher_id: int, establishment_id: int, monday: dt.date) -> Week:
    """A teacher's week in one establishment, the lessons they teach as a substitute included."""
    return week(
        establishment_id=establishment_id,
        monday=monday,
        assignments=assignments_of_teacher(teacher_id),
        substitute_id=teacher_id,
    )


def week_of_room(*, room: Room, monday: dt.date) -> Week:
    """What happens in a room: its weekly lessons and those moved into it."""
    return week(establishment_id=room.establishment_id, monday=monday, room_id=room.pk)


def week_of_student(*, student_id: int, establishment_id: int, monday: dt.date) -> Week:
    """A student's week: the lessons of their classes and of their groups."""
    return week(establishment_id=establishment_id, monday=monday, assignments=assignments_of_students([student_id]))


# --- a person's own lessons ------------------------------------------------------------------------


def _actor_criteria(actor: Actor, all_children: bool = False) -> tuple[list[int], dict[str, Any], list] | None:
    """Where and what a person's own lessons are, by the role they act in: (establishment ids, criteria
    for :func:`lessons`, the children concerned), or None when the role has no lessons of its own."""
    role = actor.role
    if role == Role.STUDENT:
        return list(actor.establishment_ids), {"assignments": assignments_of_students([actor.person_id])}, []
    if role == Role.TEACHER:
        teaching = [m.establishment_id for m in actor.memberships if m.role == Role.TEACHER and m.establishment_id]
        return teaching, {"assignments": assignments_of_teacher(actor.person_id), "substitute_id": actor.person_id}, []
    if role == Role.GUARDIAN:
        children = actor.children if all_children else [actor.child] if actor.child else []
        if not children:
            return None
        where = sorted({eid for c in children for eid in c.establishment_ids})
        return where, {"assignments": assignments_of_students([c.id for c in children])}, children
    return None


def lessons_for_actor(actor: Actor, start: dt.date, end: dt.date, *, all_children: bool = False) -> list[Lesson]:
    """What a person's calendar feed and dashboard show, by the role they act in: a student's lessons; a
    guardian's child's (the active one, or all of them with ``all_children``, each lesson naming the
    children concerned in ``extra["children"]``); a teacher's, substitutions included. Others: none.

    Four queries (six for all children: their classes and groups name them), the actor's own loading aside.
    """
    found = _actor_criteria(actor, all_children)
    if found is None:
        return []
    where, criteria, children = found
    result = lessons(establishment_id=where, start=start, end=end, **criteria)
    if all_children:
        _name_children(result, children)
    return result


def day_of_actor(actor: Actor, day: dt.date | None = None) -> Day | None:
    """A person's own lessons of one day (today by default), with the active establishment's closure;
    None when the role has no lessons of its own. Four queries."""
    day = day or timezone.localdate()
    found = _actor_criteria(actor)
    if found is None:
        return None
    where, criteria, _children = found
    calendars = _calendars(where, day, day)
    result = lessons(establishment_id=where, start=day, end=day, calendars=calendars, **criteria)
    calendar = calendars.get(actor.establishment_id) if actor.establishment_id is not None else None
    closure = calendar.closure(day) if calendar else None
    return Day(day, result, closure.label if closure else "")


def _name_children(found: list[Lesson], children) -> None:
    """Tag each lesson with the names of the children who attend it (two queries)."""
    ids = [c.id for c in children]
    names = {c.id: c.first_name for c in children}
    attends: dict[tuple[str, int], set[int]] = {}
    for student_id, class_id in current(Enrolment.objects.filter(student_id__in=ids)).values_list(
        "student_id", "school_class_id"
    ):
        attends.setdefault(("class", class_id), set()).add(student_id)
    for student_id, group_id in current(GroupMembership.objects.filter(student_id__in=ids)).values_list(
        "student_id", "group_id"
    ):
        attends.setdefault(("group", group_id), set()).add(student_id)
    for lesson in found:
        a = lesson.assignment
        who = attends.get(("class", a.school_class_id), set()) if a.school_class_id else set()
        who = who | attends.get(("group", a.group_id), set()) if a.group_id else who
        lesson.extra["children"] = sorted(names[i] for i in who)


def own_week(actor: Actor, monday: dt.date) -> tuple[Week, Child | None] | None:
    """The week of one's own lessons in the active establishment, by the role one acts in: a student's, a
    teacher's, a guardian's active child's (with that child). None for a guardian with no child here."""
    establishment_id = actor.establishment_id or 0
    if actor.role == Role.GUARDIAN:
        child = actor.child
        if child is None:
            return None
        return week_of_student(student_id=child.id, establishment_id=establishment_id, monday=monday), child
    if actor.role == Role.TEACHER:
        return week_of_teacher(teacher_id=actor.user_id or 0, establishment_id=establishment_id, monday=monday), None
    return week_of_student(student_id=actor.user_id or 0, establishment_id=establishment_id, monday=monday), None


def chooser_lists(establishment: Establishment) -> dict[str, QuerySet[Any]]:
    """The classes, groups, teachers and rooms of an establishment whose week staff may choose."""
    return {
        "classes": SchoolClass.objects.filter(establishment_id=establishment.pk).order_by("name"),
        "groups": Group.objects.filter(establishment_id=establishment.pk).order_by("name"),
        "teachers": people_with_role(establishment, Role.TEACHER),
        "rooms": rooms_of(establishment.pk),
    }


def teacher_here(establishment_id: int | None, pk: int) -> User | None:
    """The person ``pk`` if they teach in that establishment now, else None (one query)."""
    teaching = current(Membership.objects.filter(establishment_id=establishment_id, role=Role.TEACHER))
    return User.objects.filter(pk=pk, pk__in=teaching.values("person_id")).first()


def week_enrolment(actor: Actor, student_id: int) -> Enrolment | None:
    """The current enrolment whose establishment a student's week is shown in: the active establishment's
    when the student is enrolled there, else the first one's; None when the student is enrolled nowhere."""
    rows = list(current(Enrolment.objects.filter(student_id=student_id)).select_related("student", "establishment"))
    if not rows:
        return None
    here = [e for e in rows if e.establishment_id == actor.establishment_id]
    return here[0] if here else min(rows, key=lambda e: e.establishment_id)


def change_of(slot: Slot, day: dt.date) -> LessonChange | None:
    """The change of a weekly lesson on one day, with its room and substitute (one query)."""
    return LessonChange.objects.filter(slot=slot, date=day).select_related("room", "substitute").first()


def rooms_with_use(establishment: Establishment) -> list[Room]:
    """An establishment's rooms by name, each with ``slot_count``, the weekly lessons held there (one query)."""
    return list(Room.objects.filter(establishment=establishment).annotate(slot_count=Count("slots")).order_by("name"))


def rooms_of(establishment_id: int) -> QuerySet[Room]:
    return Room.objects.filter(establishment_id=establishment_id).order_by("name")


def non_school_days(establishment_id: int) -> QuerySet[NonSchoolDay]:
    return NonSchoolDay.objects.filter(establishment_id=establishment_id).order_by("start_date")


def settings_of(establishment_id: int) -> TimetableSettings | None:
    return TimetableSettings.objects.filter(establishment_id=establishment_id).first()


IMPORT_HISTORY = 10


def import_runs(*, actor: Actor, establishment_id: int) -> list[TimetableImport]:
    """The establishment's last imports of exports, newest first, with who asked (one query)."""
    return list(
        TimetableImport.objects.visible_to(actor)
        .filter(establishment_id=establishment_id)
        .select_related("requested_by")
        .defer("changes", "warnings", "errors")[:IMPORT_HISTORY]
    )
