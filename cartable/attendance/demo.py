"""Vie scolaire: the demo region's roll calls, absences, lateness and justifications.

Three weeks of roll calls on the timetable's lessons up to now, in both schools (only marks other than
"present" are written, to stay fast; the page shows a student without a mark as present): a few absent
for a half-day or a day (their absent marks merged into one absence), a few late. Older absences are
mostly justified, recent ones wait; some families have sent a justification the CPE still has to decide.
Lucas Martin has an absence to justify, one justification waiting and one accepted, and a declared
absence next week. Today, paul.dupont's lessons and one lesson in four already begun have no roll call,
so the teacher's widget and the CPE's board have something to show. Seeded randomness, bulk inserts.

Writes: bulk inserts of three weeks of roll calls, marks, absences and justifications, dated in the past
(``take_roll_call`` records one lesson at a time, as its teacher, audited, with the families' notices).
"""

from __future__ import annotations

import datetime as dt
import random
from collections import defaultdict

from django.db.models import Q
from django.utils import timezone

from cartable.attendance.actions import ensure_default_reasons
from cartable.attendance.models import (
    Absence,
    AbsenceReason,
    Justification,
    Lateness,
    Mark,
    RollCall,
    State,
    Status,
)
from cartable.directory.actor import current
from cartable.directory.models import Enrolment, GroupMembership, Guardianship
from cartable.timetable.queries import lessons as timetable_lessons

DAYS_BACK = 21


def _aware(day: dt.date, time: dt.time) -> dt.datetime:
    return dt.datetime.combine(day, time, timezone.get_current_timezone())


def load_demo(personas, now: dt.datetime | None = None) -> dict[str, int]:
    """Fill both schools; return the counts."""
    now = now or timezone.now()
    counts: dict[str, int] = defaultdict(int)
    for index, kit in enumerate((personas.college, personas.lycee)):
        _fill(kit.establishment.pk, personas, now, random.Random(20261128 + index), counts)
    _lucas(personas, now, counts)
    return dict(counts)


def _students(establishment_id: int):
    by_class: dict[int, list[int]] = defaultdict(list)
    by_group: dict[int, list[int]] = defaultdict(list)
    for student_id, class_id in current(Enrolment.objects.filter(establishment_id=establishment_id)).values_list(
        "student_id", "school_class_id"
    ):
        by_class[class_id].append(student_id)
    for student_id, group_id in current(GroupMembership.objects.filter(establishment_id=establishment_id)).values_list(
        "student_id", "group_id"
    ):
        by_group[group_id].append(student_id)
    return by_class, by_group


def _fill(establishment_id: int, personas, now: dt.datetime, rng: random.Random, counts) -> None:
    ensure_default_reasons(establishment_id=establishment_id)
    reasons = list(AbsenceReason.objects.filter(establishment_id=establishment_id).order_by("position"))
    today = timezone.localdate(now)
    paul = personas.people["paul.dupont"].pk
    found = [
        lesson
        for lesson in timetable_lessons(
            establishment_id=establishment_id, start=today - dt.timedelta(days=DAYS_BACK), end=today, assignments=Q()
        )
        if not lesson.is_cancelled and lesson.start <= now
    ]
    found = [
        lesson
        for lesson in found
        if lesson.date < today or (lesson.assignment.teacher_id != paul and rng.random() >= 0.25)
    ]
    if not found:
        return
    by_class, by_group = _students(establishment_id)
    off: dict[tuple[int, dt.date], set[int]] = {}  # (student, date) -> halves absent

    lucas = personas.people["lucas.martin"].pk  # his absences are written by _lucas

    def absent_halves(student_id: int, day: dt.date) -> set[int]:
        if student_id == lucas:
            return set()
        if (student_id, day) not in off:
            draw = rng.random()
            off[(student_id, day)] = {0, 1} if draw < 0.012 else {0} if draw < 0.03 else {1} if draw < 0.045 else set()
        return off[(student_id, day)]

    calls, marks_of, absent_lessons = [], {}, defaultdict(list)
    for lesson in found:
        a = lesson.assignment
        members = by_class.get(a.school_class_id, []) if a.school_class_id else by_group.get(a.group_id, [])
        call = RollCall(
            establishment_id=establishment_id,
            lesson_key=lesson.key,
            date=lesson.date,
            start=lesson.start,
            end=lesson.end,
            assignment=a,
            called_by_id=lesson.substitute_id or a.teacher_id,
            validated_at=lesson.start + dt.timedelta(minutes=rng.randint(2, 12)),
        )
        calls.append(call)
        half = 0 if lesson.start_time.hour < 12 else 1
        marks = []
        for student_id in members:
            if half in absent_halves(student_id, lesson.date):
                mark = Mark(
                    establishment_id=establishment_id, roll_call=call, student_id=student_id, state=State.ABSENT
                )
                absent_lessons[(student_id, lesson.date)].append((lesson, mark))
            elif rng.random() < 0.015:
                mark = Mark(establishment_id=establishment_id, roll_call=call, student_id=student_id, state=State.LATE)
                mark.minutes = rng.choice((3, 5, 5, 10, 15, 20))
            elif rng.random() < 0.004:
                mark = Mark(
                    establishment_id=establishment_id, roll_call=call, student_id=student_id, state=State.INFIRMARY
                )
            else:
                continue  # present: no row (the page shows a student without a mark as present)
            marks.append(mark)
        marks_of[lesson.key] = marks
    RollCall.objects.bulk_create(calls)
    counts["roll_calls"] += len(calls)

    absences, links = [], []
    for (student_id, day), rows in sorted(absent_lessons.items(), key=lambda item: (item[0][1], item[0][0])):
        age = (today - day).days
        draw = rng.random()
        status = (
            Status.JUSTIFIED
            if age > 7 and draw < 0.7
            else Status.UNJUSTIFIED
            if age > 7 and draw < 0.85
            else Status.PENDING
        )
        absence = Absence(
            establishment_id=establishment_id,
            student_id=student_id,
            start=min(lesson.start for lesson, _m in rows),
            end=max(lesson.end for lesson, _m in rows),
            status=status,
            reason=rng.choice(reasons[:4]) if status == Status.JUSTIFIED else None,
            source=Absence.Source.ROLL_CALL,
            created_by_id=rows[0][0].assignment.teacher_id,
            notified_at=min(lesson.start for lesson, _m in rows) + dt.timedelta(minutes=30),
        )
        absences.append(absence)
        links.append([m for _l, m in rows])
    Absence.objects.bulk_create(absences)
    for absence, marks in zip(absences, links, strict=True):
        for mark in marks:
            mark.absence = absence
    counts["absences"] += len(absences)

    lateness = []
    for lesson in found:
        for mark in marks_of[lesson.key]:
            if mark.state == State.LATE:
                mark.lateness = Lateness(
                    establishment_id=establishment_id,
                    student_id=mark.student_id,
                    at=lesson.start,
                    minutes=mark.minutes or 0,  # a late mark always has its minutes
                    status=Status.JUSTIFIED if rng.random() < 0.3 else Status.PENDING,
                    created_by_id=lesson.assignment.teacher_id,
                )
                lateness.append(mark.lateness)
    Lateness.objects.bulk_create(lateness)
    counts["lateness"] += len(lateness)
    Mark.objects.bulk_create([m for lesson in found for m in marks_of[lesson.key]])

    guardians = dict(
        Guardianship.objects.filter(student_id__in=[a.student_id for a in absences]).values_list(
            "student_id", "guardian_id"
        )
    )
    justifications = []
    for absence in absences:
        guardian = guardians.get(absence.student_id)
        if guardian is None or absence.status == Status.UNJUSTIFIED:
            continue
        if absence.status == Status.JUSTIFIED or rng.random() < 0.4:
            decided = absence.status == Status.JUSTIFIED
            justifications.append(
                Justification(
                    establishment_id=establishment_id,
                    absence=absence,
                    student_id=absence.student_id,
                    author_id=guardian,
                    reason=absence.reason or rng.choice(reasons[:4]),
                    comment="",
                    decision=Justification.Decision.ACCEPTED if decided else Justification.Decision.SUBMITTED,
                    decided_at=absence.end + dt.timedelta(days=1) if decided else None,
                )
            )
    Justification.objects.bulk_create(justifications)
    counts["justifications"] += len(justifications)


def _lucas(personas, now: dt.datetime, counts) -> None:
    """Lucas's own story: one absence to justify, one justification waiting, one accepted, one declared."""
    college = personas.college.establishment.pk
    lucas, claire, nadia = (personas.people[n] for n in ("lucas.martin", "claire.martin", "nadia.petit"))
    reasons = {r.position: r for r in AbsenceReason.objects.filter(establishment_id=college)}
    today = timezone.localdate(now)

    def school_day(days_back: int) -> dt.date:
        day = today - dt.timedelta(days=days_back)
        while day.weekday() >= 5:
            day -= dt.timedelta(days=1)
        return day

    to_justify = Absence(
        establishment_id=college,
        student=lucas,
        start=_aware(school_day(2), dt.time(8)),
        end=_aware(school_day(2), dt.time(12)),
        source=Absence.Source.ROLL_CALL,
        created_by=personas.people["paul.dupont"],
        notified_at=_aware(school_day(2), dt.time(8, 30)),
    )
    waiting = Absence(
        establishment_id=college,
        student=lucas,
        start=_aware(school_day(6), dt.time(13, 30)),
        end=_aware(school_day(6), dt.time(16, 30)),
        source=Absence.Source.ROLL_CALL,
        notified_at=_aware(school_day(6), dt.time(14)),
    )
    accepted = Absence(
        establishment_id=college,
        student=lucas,
        start=_aware(school_day(12), dt.time(8)),
        end=_aware(school_day(12), dt.time(17)),
        source=Absence.Source.ROLL_CALL,
        status=Status.JUSTIFIED,
        reason=reasons[0],
        notified_at=_aware(school_day(12), dt.time(8, 30)),
    )
    next_week = today + dt.timedelta(days=7 - today.weekday() + 1)  # next Tuesday
    declared = Absence(
        establishment_id=college,
        student=lucas,
        start=_aware(next_week, dt.time(8)),
        end=_aware(next_week, dt.time(12)),
        source=Absence.Source.DECLARED,
        reason=reasons[1],
        comment="Rendez-vous chez l'orthodontiste.",
        created_by=claire,
        notified_at=now,
    )
    Absence.objects.bulk_create([to_justify, waiting, accepted, declared])
    Justification.objects.bulk_create(
        [
            Justification(
                establishment_id=college,
                absence=waiting,
                student=lucas,
                author=claire,
                reason=reasons[2],
                comment="Obsèques de son grand-père.",
            ),
            Justification(
                establishment_id=college,
                absence=accepted,
                student=lucas,
                author=claire,
                reason=reasons[0],
                comment="Gastro-entérite.",
                decision=Justification.Decision.ACCEPTED,
                decided_by=nadia,
                decided_at=accepted.end + dt.timedelta(days=1),
                decision_message="Bon rétablissement à Lucas.",
            ),
            Justification(
                establishment_id=college,
                absence=declared,
                student=lucas,
                author=claire,
                reason=reasons[1],
                comment="Rendez-vous chez l'orthodontiste.",
            ),
        ]
    )
    counts["absences"] += 4
    counts["justifications"] += 3
