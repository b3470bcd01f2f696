"""Reads of the timetable: the lessons of a period for a class, group, teacher, room or student.

Lessons are computed, not stored: slots that apply each date (weekday, A/B week, validity, no non-school
day), with that date's changes applied, plus exceptional lessons. A fixed number of queries whatever the
period's length: slots, changes, non-school days, settings.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field

from django.db.models import Q

from cartable.directory.models import TeachingAssignment
from cartable.timetable.models import LessonChange, NonSchoolDay, Slot, TimetableSettings, Weeks


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

    @property
    def start(self) -> dt.datetime:
        from django.utils import timezone

        return timezone.make_aware(dt.datetime.combine(self.date, self.start_time))

    @property
    def end(self) -> dt.datetime:
        from django.utils import timezone

        return timezone.make_aware(dt.datetime.combine(self.date, self.end_time))

    @property
    def is_cancelled(self) -> bool:
        return self.status == LessonChange.Kind.CANCELLED

    @property
    def subject_name(self) -> str:
        return self.assignment.subject.name

    @property
    def audience_name(self) -> str:
        return str(self.assignment.school_class or self.assignment.group)


def monday_of(day: dt.date) -> dt.date:
    return day - dt.timedelta(days=day.weekday())


def lessons(
    *,
    establishment_id: int,
    start: dt.date,
    end: dt.date,
    assignments: Q,
) -> list[Lesson]:
    """The lessons from ``start`` to ``end`` (both included) of the teaching assignments matching
    ``assignments`` (a Q on TeachingAssignment), sorted by date and time."""
    assignment_ids = TeachingAssignment.objects.filter(assignments, establishment_id=establishment_id).values("pk")
    slots = list(
        Slot.objects.filter(establishment_id=establishment_id, assignment_id__in=assignment_ids, valid_from__lte=end)
        .filter(Q(valid_until__isnull=True) | Q(valid_until__gte=start))
        .select_related(
            "room", "assignment__subject", "assignment__teacher", "assignment__school_class", "assignment__group"
        )
    )
    changes = list(
        LessonChange.objects.filter(establishment_id=establishment_id, date__range=(start, end))
        .filter(Q(slot__in=[s.pk for s in slots]) | Q(assignment_id__in=assignment_ids, kind="exceptional"))
        .select_related(
            "room",
            "substitute",
            "assignment__subject",
            "assignment__teacher",
            "assignment__school_class",
            "assignment__group",
        )
    )
    closed = list(
        NonSchoolDay.objects.filter(establishment_id=establishment_id, start_date__lte=end, end_date__gte=start)
    )
    settings = TimetableSettings.objects.filter(establishment_id=establishment_id).first()
    by_lesson = {(c.slot_id, c.date): c for c in changes if c.slot_id}

    def is_closed(day: dt.date) -> bool:
        return any(n.start_date <= day <= n.end_date for n in closed)

    result: list[Lesson] = []
    day = start
    while day <= end:
        if not is_closed(day):
            week = settings.week_of(day) if settings else "A"
            for slot in slots:
                if slot.weekday != day.weekday() or not (slot.valid_from <= day <= (slot.valid_until or day)):
                    continue
                if slot.weeks != Weeks.ALL and slot.weeks != week:
                    continue
                lesson = Lesson(
                    key=f"{slot.pk}:{day.isoformat()}",
                    date=day,
                    start_time=slot.start_time,
                    end_time=slot.end_time,
                    assignment=slot.assignment,
                    room_name=slot.room.name if slot.room else "",
                    teacher_name=slot.assignment.teacher.display_name,
                    slot_id=slot.pk,
                )
                change = by_lesson.get((slot.pk, day))
                if change is not None:
                    _apply(lesson, change)
                result.append(lesson)
        day += dt.timedelta(days=1)
    for change in changes:
        if change.kind == LessonChange.Kind.EXCEPTIONAL and not is_closed(change.date):
            result.append(
                Lesson(
                    key=f"x{change.pk}",
                    date=change.date,
                    start_time=change.start_time,
                    end_time=change.end_time,
                    assignment=change.assignment,
                    room_name=change.room.name if change.room else "",
                    teacher_name=(change.substitute or change.assignment.teacher).display_name,
                    status=LessonChange.Kind.EXCEPTIONAL,
                    note=change.note,
                    change_id=change.pk,
                )
            )
    result.sort(key=lambda lesson: (lesson.date, lesson.start_time, lesson.key))
    return result


def _apply(lesson: Lesson, change: LessonChange) -> None:
    lesson.status = change.kind
    lesson.note = change.note
    lesson.change_id = change.pk
    if change.room is not None:
        lesson.original_room_name = lesson.room_name
        lesson.room_name = change.room.name
    if change.substitute is not None:
        lesson.substitute_name = change.substitute.display_name
        lesson.teacher_name = change.substitute.display_name


def assignments_of_class(class_id: int) -> Q:
    """A class's own lessons and those of the groups drawn from it."""
    return Q(school_class_id=class_id) | Q(group__classes=class_id)


def assignments_of_student(class_ids, group_ids) -> Q:
    return Q(school_class_id__in=list(class_ids)) | Q(group_id__in=list(group_ids))


def assignments_of_teacher(teacher_id: int) -> Q:
    return Q(teacher_id=teacher_id)
