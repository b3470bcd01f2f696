"""Reads of school life: counts, roll calls, absence files, the live board, statistics."""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable, Container, Iterable
from dataclasses import dataclass

from django.core.paginator import Page, Paginator
from django.db.models import Count, Prefetch, Q, QuerySet
from django.utils import timezone

from cartable.attendance.models import (
    Absence,
    AbsenceReason,
    AttendanceSettings,
    BuiltInReason,
    Justification,
    Lateness,
    Mark,
    MarkChange,
    RollCall,
    Status,
    built_in_reasons,
    half_days,
    is_weekend,
)
from cartable.attendance.policies import follows_school_life, roll_call_is_open, roll_call_opens_at
from cartable.core import audit, authz
from cartable.core.authz import Action
from cartable.directory.actor import Actor, current
from cartable.directory.models import Enrolment, GroupMembership, Period, Role, SchoolClass, SchoolYear, User
from cartable.timetable import queries as timetable
from cartable.timetable.queries import Lesson


def _bounds(start: dt.date, end: dt.date) -> tuple[dt.datetime, dt.datetime]:
    """The aware datetimes of ``start`` at midnight and the midnight after ``end`` (Europe/Paris)."""
    tz = timezone.get_current_timezone()
    return (
        dt.datetime.combine(start, dt.time(0), tz),
        dt.datetime.combine(end + dt.timedelta(days=1), dt.time(0), tz),
    )


@dataclass(frozen=True)
class AbsenceCounts:
    absent_half_days: int  # half-days of absence in [start, end]
    unjustified_half_days: int  # of those, not justified (pending or unjustified)
    lateness: int  # number of lateness records in [start, end]


def absence_counts(
    *, student_ids: Iterable[int], start: date, end: date, now: dt.datetime | None = None
) -> dict[int, AbsenceCounts]:
    """Counts per student for a period, in a constant number of queries (no actor: callers authorize).

    The one computation every page uses (the family's page, the vie scolaire's file and statistics, the
    report cards). Two queries, plus the establishments' calendars (cached): the absences overlapping the
    period, the lateness counted per student. A half-day is counted once even when two absences touch it;
    it is unjustified when any absence on it is not justified. Only what has happened counts: an absence
    declared ahead counts from the day it begins, up to ``now``. Weekends and the establishment's
    non-school days are not school days, except for an absence taken at a roll call (a lesson was held).
    """
    ids = list(dict.fromkeys(student_ids))
    if not ids:
        return {}
    now = now or timezone.now()
    lo, hi = _bounds(start, end)
    absent: dict[int, set] = {i: set() for i in ids}
    unjustified: dict[int, set] = {i: set() for i in ids}
    rows = list(
        Absence.objects.filter(student_id__in=ids, start__lt=min(hi, now), end__gt=lo).values_list(
            "student_id", "establishment_id", "start", "end", "status", "source"
        )
    )
    closed = timetable.closed_dates({row[1] for row in rows}, start, end) if rows else {}
    for student_id, establishment_id, a_start, a_end, status, source in rows:
        touched = half_days(
            a_start, min(a_end, now), first=start, last=end, skip=_skip(source, closed[establishment_id])
        )
        absent[student_id] |= touched
        if status != Status.JUSTIFIED:
            unjustified[student_id] |= touched
    late = dict(
        Lateness.objects.filter(student_id__in=ids, at__gte=lo, at__lt=hi)
        .order_by()
        .values("student_id")
        .annotate(n=Count("id"))
        .values_list("student_id", "n")
    )
    return {i: AbsenceCounts(len(absent[i]), len(unjustified[i]), late.get(i, 0)) for i in ids}


def _skip(source: str, closed: set[dt.date]) -> Callable[[dt.date], bool] | None:
    """The days an absence does not count on: none when a roll call saw it, else weekends and closures."""
    if source == Absence.Source.ROLL_CALL:
        return None
    return lambda day: is_weekend(day) or day in closed


date = dt.date  # the contract's annotation


# --- lessons and their students ----------------------------------------------------------------------


def lesson_of(actor: Actor, day: dt.date, key: str) -> Lesson | None:
    """The timetable lesson with this key on ``day`` in one of the actor's establishments, or None.

    Four queries at most (two when the establishments' calendars are cached).
    """
    try:
        criteria = Q(lesson_changes=int(key[1:])) if key.startswith("x") else Q(slots=int(key.split(":", 1)[0]))
    except ValueError:
        return None
    where = sorted(actor.establishment_ids)
    if not where:
        return None
    found = timetable.lessons(establishment_id=where, start=day, end=day, assignments=criteria)
    return next((lesson for lesson in found if lesson.key == key), None)


def students_of(lesson: Lesson) -> list[User]:
    """The students who attend a lesson on its date (its class, or its group), by name; one query."""
    assignment = lesson.assignment
    if assignment.school_class_id:
        rows = current(Enrolment.objects.filter(school_class_id=assignment.school_class_id), lesson.date)
    else:
        rows = current(GroupMembership.objects.filter(group_id=assignment.group_id), lesson.date)
    return list(User.objects.filter(pk__in=rows.values("student_id")).order_by("last_name", "first_name", "pk"))


# --- the teacher's lessons and the roll call page -----------------------------------------------------


class _Opening:
    """When the roll call of ``self.lesson`` opens (the rule is the policies'): no form before."""

    lesson: Lesson

    @property
    def opens_at(self) -> dt.datetime:
        return timezone.localtime(roll_call_opens_at(self.lesson))

    @property
    def is_open(self) -> bool:
        return roll_call_is_open(self.lesson)


@dataclass
class LessonCall(_Opening):
    """A lesson with its roll call (None while nobody called it)."""

    lesson: Lesson
    roll_call: RollCall | None

    @property
    def started(self) -> bool:
        return self.lesson.start <= timezone.now()


def teacher_lessons(actor: Actor, day: dt.date) -> list[LessonCall]:
    """The lessons the actor teaches (or substitutes) on ``day``, with their roll calls; five queries."""
    where = sorted(actor.establishments_where({Role.TEACHER}))
    if not where or actor.user_id is None:
        return []
    found = timetable.lessons(
        establishment_id=where,
        start=day,
        end=day,
        assignments=timetable.assignments_of_teacher(actor.user_id),
        substitute_id=actor.user_id,
    )
    return _with_roll_calls(found, where)


def _with_roll_calls(found: list[Lesson], where: list[int]) -> list[LessonCall]:
    keys = [lesson.key for lesson in found]
    calls = (
        {r.lesson_key: r for r in RollCall.objects.filter(establishment_id__in=where, lesson_key__in=keys)}
        if keys
        else {}
    )
    return [LessonCall(lesson, calls.get(lesson.key)) for lesson in found]


@dataclass
class Sheet(_Opening):
    """The roll call page: the lesson, its students with their current mark, and the corrections."""

    lesson: Lesson
    roll_call: RollCall | None
    rows: list[tuple[User, Mark | None]]
    changes: list[MarkChange]

    @property
    def opens_today(self) -> bool:
        return self.opens_at.date() == timezone.localdate()


def roll_call_sheet(lesson: Lesson) -> Sheet:
    """Everything the roll call page shows, in three queries whatever the class size."""
    students = students_of(lesson)
    roll_call = (
        RollCall.objects.filter(establishment_id=lesson.establishment_id, lesson_key=lesson.key)
        .prefetch_related(
            Prefetch("marks", queryset=Mark.objects.order_by()),
            Prefetch("changes", queryset=MarkChange.objects.select_related("student", "changed_by")),
        )
        .first()
    )
    marks = {m.student_id: m for m in roll_call.marks.all()} if roll_call else {}
    changes = list(roll_call.changes.all()) if roll_call else []
    return Sheet(lesson, roll_call, [(s, marks.get(s.pk)) for s in students], changes)


# --- the live board of the vie scolaire ---------------------------------------------------------------


@dataclass
class Board:
    missing: list[Lesson]
    called: int
    upcoming: int
    absences: list[Absence]
    to_decide: int


def board(actor: Actor, establishment_id: int, now: dt.datetime | None = None) -> Board:
    """Today's lessons that have begun without a roll call, today's unexplained absences and the
    justifications waiting for a decision. Seven queries at most, whatever the data."""
    now = now or timezone.now()
    day = timezone.localdate(now)
    found = [
        lesson
        for lesson in timetable.lessons(establishment_id=establishment_id, start=day, end=day, assignments=Q())
        if not lesson.is_cancelled
    ]
    calls = set(
        RollCall.objects.filter(establishment_id=establishment_id, date=day).values_list("lesson_key", flat=True)
    )
    started = [lesson for lesson in found if lesson.start <= now]
    lo, hi = _bounds(day, day)
    absences = list(
        Absence.objects.visible_to(actor)
        .filter(establishment_id=establishment_id, start__lt=hi, end__gt=lo, status=Status.PENDING)
        .select_related("student", "reason")
        .order_by("student__last_name", "student__first_name", "start")
    )
    to_decide = (
        Justification.objects.visible_to(actor)
        .filter(establishment_id=establishment_id, decision=Justification.Decision.SUBMITTED)
        .count()
    )
    return Board(
        missing=[lesson for lesson in started if lesson.key not in calls],
        called=sum(1 for lesson in found if lesson.key in calls),
        upcoming=len(found) - len(started),
        absences=absences,
        to_decide=to_decide,
    )


# --- absences: lists and files ------------------------------------------------------------------------


def class_names(student_ids: Iterable[int], establishment_id: int) -> dict[int, str]:
    """Each student's current class name in an establishment (one query)."""
    rows = current(Enrolment.objects.filter(establishment_id=establishment_id, student_id__in=list(student_ids)))
    return dict(rows.values_list("student_id", "school_class__name"))


def absences_page(
    actor: Actor, establishment_id: int, *, status: str = "", class_id: int | None = None, page: int | str = 1
) -> Page[Absence]:
    """The establishment's absences for the vie scolaire, newest first, 50 a page (three queries)."""
    qs = (
        Absence.objects.visible_to(actor)
        .filter(establishment_id=establishment_id)
        .select_related("student", "reason")
        .annotate(n_justifications=Count("justifications"))
        .order_by("-start", "-pk")
    )
    if status:
        qs = qs.filter(status=status)
    if class_id:
        enrolled = current(Enrolment.objects.filter(school_class_id=class_id)).values("student_id")
        qs = qs.filter(student_id__in=enrolled)
    return Paginator(qs, 50).get_page(page)


def justifications_to_decide(actor: Actor, establishment_id: int) -> list[Justification]:
    """The justifications waiting for a decision, oldest first (one query)."""
    return list(
        Justification.objects.visible_to(actor)
        .filter(establishment_id=establishment_id, decision=Justification.Decision.SUBMITTED)
        .select_related("student", "reason", "absence", "lateness")
        .order_by("created_at", "pk")
    )


def justification_to_decide(actor: Actor, record: Absence | Lateness, pk: str | None) -> Justification:
    """One of the record's justifications, which the actor may decide (404 otherwise)."""
    field = "absence" if isinstance(record, Absence) else "lateness"
    return authz.access(actor, Justification.objects.filter(**{field: record}), pk, Action.CHANGE)


def absence_detail(actor: Actor, absence: Absence) -> tuple[list[Justification], list[Mark]]:
    """An absence's justifications and the lessons it covers; a staff read is recorded."""
    audit.record_read(actor=actor, verb="attendance.view_absence", target=absence, subject_id=absence.student_id)
    justifications = list(absence.justifications.select_related("reason", "author", "decided_by"))
    marks = list(absence.marks.select_related("roll_call__assignment__subject").order_by("roll_call__start"))
    return justifications, marks


def lateness_detail(actor: Actor, lateness: Lateness) -> list[Justification]:
    audit.record_read(actor=actor, verb="attendance.view_lateness", target=lateness, subject_id=lateness.student_id)
    return list(lateness.justifications.select_related("reason", "author", "decided_by"))


@dataclass
class StudentFile:
    student: User
    absences: list[Absence]
    lateness: list[Lateness]
    counts: AbsenceCounts
    to_justify: list[Absence | Lateness]


def student_file(actor: Actor, student: User, *, start: dt.date, end: dt.date) -> StudentFile:
    """A student's absences and lateness (those the actor may see) and the year's counts; a staff
    read is recorded. Four queries."""
    audit.record_read(actor=actor, verb="attendance.view_student", target=student, subject_id=student.pk)
    absences = list(
        Absence.objects.visible_to(actor)
        .filter(student=student)
        .select_related("reason")
        .prefetch_related(Prefetch("justifications", queryset=Justification.objects.order_by("-created_at")))
        .order_by("-start")
    )
    lateness = list(Lateness.objects.visible_to(actor).filter(student=student).select_related("reason").order_by("-at"))
    counts = absence_counts(student_ids=[student.pk], start=start, end=end)[student.pk]
    to_justify = [r for r in [*absences, *lateness] if r.status == Status.PENDING]
    return StudentFile(student, absences, lateness, counts, to_justify)


def reasons(establishment_id: int, *, active_only: bool = True) -> list[AbsenceReason] | list[BuiltInReason]:
    """The establishment's motifs, or the built-in defaults while it has none of its own (one query; a read
    never writes them)."""
    rows = list(AbsenceReason.objects.filter(establishment_id=establishment_id))
    if not rows:
        return built_in_reasons()
    return [r for r in rows if r.is_active] if active_only else rows


def reason_to_change(actor: Actor, establishment_id: int, value: str) -> AbsenceReason | BuiltInReason | None:
    """The motif a settings form names: none (a new one), a default not written yet, or a row the actor may
    change (404 otherwise)."""
    if not value:
        return None
    built_in = BuiltInReason.from_value(value)
    if built_in is not None:
        return built_in
    return authz.access(actor, AbsenceReason.objects.filter(establishment_id=establishment_id), value, Action.CHANGE)


def settings_of(establishment_id: int) -> AttendanceSettings:
    return AttendanceSettings.objects.filter(establishment_id=establishment_id).first() or AttendanceSettings(
        establishment_id=establishment_id
    )


# --- follow-up and statistics -------------------------------------------------------------------------


def school_half_days(start: dt.date, end: dt.date, closed: Container[dt.date] = ()) -> int:
    """Half-days of school from ``start`` to ``end``: two per day, Monday to Friday, but for the
    ``closed`` days (the establishment's non-school days)."""
    days = 0
    day = start
    while day <= end:
        days += not is_weekend(day) and day not in closed
        day += dt.timedelta(days=1)
    return 2 * days


@dataclass
class StudentStat:
    student_id: int
    name: str
    class_name: str
    counts: AbsenceCounts
    rate: float  # percent of school half-days missed


@dataclass
class ClassStat:
    name: str
    students: int
    half_days: int
    unjustified: int
    lateness: int
    rate: float


def statistics(
    establishment_id: int, *, start: dt.date, end: dt.date, class_id: int | None = None
) -> tuple[list[StudentStat], list[ClassStat]]:
    """Absence rate per student and class for a period (three queries: the students, the counts).

    Callers authorize (the vie scolaire and direction)."""
    rows = current(Enrolment.objects.filter(establishment_id=establishment_id)).select_related(
        "student", "school_class"
    )
    if class_id:
        rows = rows.filter(school_class_id=class_id)
    enrolments = list(rows.order_by("school_class__name", "student__last_name", "student__first_name"))
    counts = absence_counts(student_ids=[e.student_id for e in enrolments], start=start, end=end)
    last = min(end, timezone.localdate())
    closed = timetable.closed_dates([establishment_id], start, last).get(establishment_id, set())
    possible = school_half_days(start, last, closed) or 1
    students = [
        StudentStat(
            e.student_id,
            e.student.display_name,
            e.school_class.name,
            counts[e.student_id],
            round(100 * counts[e.student_id].absent_half_days / possible, 1),
        )
        for e in enrolments
    ]
    classes: dict[str, list[StudentStat]] = {}
    for s in students:
        classes.setdefault(s.class_name, []).append(s)
    class_stats = [
        ClassStat(
            name,
            len(members),
            sum(m.counts.absent_half_days for m in members),
            sum(m.counts.unjustified_half_days for m in members),
            sum(m.counts.lateness for m in members),
            round(100 * sum(m.counts.absent_half_days for m in members) / (possible * len(members)), 1),
        )
        for name, members in classes.items()
    ]
    return students, class_stats


def signals(establishment_id: int, *, month: dt.date, threshold: int) -> list[StudentStat]:
    """Students with at least ``threshold`` unjustified half-days in the month (the legal signal is
    four), most first. Three queries."""
    first = month.replace(day=1)
    last = (first + dt.timedelta(days=32)).replace(day=1) - dt.timedelta(days=1)
    students, _classes = statistics(establishment_id, start=first, end=last)
    found = [s for s in students if s.counts.unjustified_half_days >= threshold]
    return sorted(found, key=lambda s: (-s.counts.unjustified_half_days, s.name))


@dataclass(frozen=True)
class LatenessAlert:
    student_id: int
    name: str
    count: int


def lateness_alerts(establishment_id: int, settings: AttendanceSettings) -> list[LatenessAlert]:
    """Students at or past the lateness threshold over the window, most first (one query)."""
    since = timezone.now() - dt.timedelta(days=settings.lateness_window_days)
    rows = (
        Lateness.objects.filter(establishment_id=establishment_id, at__gte=since)
        .order_by()
        .values("student_id", "student__first_name", "student__last_name")
        .annotate(n=Count("id"))
        .filter(n__gte=settings.lateness_threshold)
    )
    found = [
        LatenessAlert(r["student_id"], f"{r['student__first_name']} {r['student__last_name']}", r["n"]) for r in rows
    ]
    return sorted(found, key=lambda alert: (-alert.count, alert.name))


def periods_of(establishment_id: int | None) -> list[Period]:
    today = timezone.localdate()
    return list(
        Period.objects.filter(
            establishment_id=establishment_id, school_year__start_date__lte=today, school_year__end_date__gte=today
        ).order_by("position")
    )


# --- what the pages ask besides --------------------------------------------------------------------------


def home_url_name(actor: Actor) -> str | None:
    """Where "Vie scolaire" leads, by the role acted in: the board, the lessons, the family's page."""
    if follows_school_life(actor, actor.establishment):
        return "attendance:board"
    if actor.role == Role.TEACHER:
        return "attendance:lessons"
    if actor.role in (Role.GUARDIAN, Role.STUDENT):
        return "attendance:family"
    return None


def family_student(actor: Actor) -> User | None:
    """The student a family page is about: the child a guardian looks at, or the student themself."""
    if actor.role == Role.GUARDIAN and actor.child:
        return authz.access(actor, User, actor.child.id)
    if actor.role == Role.STUDENT:
        return actor.user
    return None


def students_here(actor: Actor, establishment_id: int) -> QuerySet[User]:
    """The students enrolled now in an establishment, by name (a queryset for a form's choices)."""
    enrolled = current(Enrolment.objects.filter(establishment_id=establishment_id)).values("student_id")
    return User.objects.visible_to(actor).filter(pk__in=enrolled).order_by("last_name", "first_name")


def classes_here(actor: Actor, establishment_id: int) -> QuerySet[SchoolClass]:
    """The establishment's classes the actor sees, by name (a filter's choices)."""
    return SchoolClass.objects.visible_to(actor).filter(establishment_id=establishment_id).order_by("name")


def recent_lateness(actor: Actor, establishment_id: int, size: int = 50) -> list[Lateness]:
    """The establishment's latest lateness, newest first (one query)."""
    return list(
        Lateness.objects.visible_to(actor)
        .filter(establishment_id=establishment_id)
        .select_related("student")
        .order_by("-at")[:size]
    )


def school_year(establishment_id: int | None) -> tuple[dt.date, dt.date]:
    """The establishment's current school year's first and last days (its ``SchoolYear``), else September
    1st to today. One query."""
    today = timezone.localdate()
    year = (
        SchoolYear.objects.filter(establishment_id=establishment_id, start_date__lte=today, end_date__gte=today)
        .order_by("-start_date")
        .first()
    )
    if year is not None:
        return year.start_date, year.end_date
    return dt.date(today.year - (today.month < 9), 9, 1), today


def period_asked(establishment_id: int, chosen: str) -> tuple[list[Period], Period | None, dt.date, dt.date]:
    """The periods, the one asked (``?periode=<id>``), and its bounds; else the school year so far."""
    periods = periods_of(establishment_id)
    start, end = school_year(establishment_id)
    for period in periods:
        if str(period.pk) == chosen:
            return periods, period, period.start_date, period.end_date
    return periods, None, start, min(end, timezone.localdate())
