"""The workload guard: a class's daily load of homework and announced tests against the establishment's limits,
and a suggested plan that spreads a student's work over the days before it is due.

* :func:`check` is called by the homework form before saving: it answers the warnings that adding one more
  piece of work on a date would raise (tests per day, minutes per day, tests per week), each with that day's
  load across all subjects.
* :func:`week_load` gives the days of a class's week with their minutes and tests (the heat map).
* :func:`plan` spreads estimated minutes over the school days before each due date (pure, no database).
"""

from __future__ import annotations

import datetime as dt
import math
from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import Any

from django.core.cache import cache
from django.db import transaction
from django.utils.translation import gettext as _

from cartable.core import audit, authz, dates
from cartable.core.authz import Action
from cartable.homework import queries
from cartable.homework.models import Homework, WorkloadThresholds
from cartable.timetable.queries import monday_of

SCHOOL_DAYS = (0, 1, 2, 3, 4)  # Monday to Friday: the days a plan may use
CHUNK_MINUTES = 15  # the smallest piece of work a plan sets on one day


# --- the load of a day ------------------------------------------------------------------------------------
@dataclass(frozen=True)
class LoadItem:
    """One piece of work due on a day: what, how long, in which subject, set by whom."""

    homework_id: int | None
    title: str
    kind: str
    minutes: int
    subject: str
    teacher: str
    due_date: dt.date

    @property
    def is_test(self) -> bool:
        return self.kind == Homework.Kind.TEST


@dataclass(frozen=True)
class DayLoad:
    """A class's load on one date, across all subjects."""

    date: dt.date
    items: tuple[LoadItem, ...] = ()

    @property
    def minutes(self) -> int:
        return sum(i.minutes for i in self.items)

    @property
    def tests(self) -> int:
        return sum(1 for i in self.items if i.is_test)


@dataclass(frozen=True)
class Warning:  # the homework form's word for it; never raised, only shown
    """Why adding a piece of work on a date passes one of the establishment's limits.

    ``code`` is ``tests_per_day``, ``minutes_per_day`` or ``tests_per_week``; ``message`` is French and ready to
    show; ``day`` is that date's load across all subjects before the new item is added.
    """

    code: str
    message: str
    limit: int
    total: int
    day: DayLoad

    @property
    def date(self) -> dt.date:
        return self.day.date

    @property
    def minutes(self) -> int:
        return self.day.minutes

    @property
    def tests(self) -> int:
        return self.day.tests

    @property
    def items(self) -> tuple[LoadItem, ...]:
        return self.day.items


# --- thresholds ---------------------------------------------------------------------------------------------
THRESHOLDS_CACHE = "workload-thresholds:%s"
THRESHOLDS_FIELDS = ("max_tests_per_day", "max_minutes_per_day", "max_tests_per_week")


def thresholds_for(establishment_id: int) -> WorkloadThresholds:
    """The establishment's limits; the defaults (unsaved) when the direction has set none yet. Cached (the
    dashboard asks on every visit); :func:`set_thresholds` forgets the cached value."""
    key = THRESHOLDS_CACHE % establishment_id
    values = cache.get(key)
    if values is None:
        found = WorkloadThresholds.objects.filter(establishment_id=establishment_id).first()
        found = found or WorkloadThresholds(establishment_id=establishment_id)
        values = {f: getattr(found, f) for f in THRESHOLDS_FIELDS}
        cache.set(key, values, 3600)
    return WorkloadThresholds(establishment_id=establishment_id, **values)


@transaction.atomic
def set_thresholds(
    *,
    actor: Any,
    establishment: Any,
    max_tests_per_day: int,
    max_minutes_per_day: int,
    max_tests_per_week: int,
) -> WorkloadThresholds:
    """Save the establishment's limits (the direction and ENT administrators only), audited."""
    authz.require(actor, Action.MANAGE, establishment)
    thresholds, _created = WorkloadThresholds.objects.select_for_update().get_or_create(establishment=establishment)
    fields = THRESHOLDS_FIELDS
    before = {f: getattr(thresholds, f) for f in fields}
    thresholds.max_tests_per_day = max_tests_per_day
    thresholds.max_minutes_per_day = max_minutes_per_day
    thresholds.max_tests_per_week = max_tests_per_week
    thresholds.save()
    cache.delete(THRESHOLDS_CACHE % establishment.pk)  # now, and once more after commit for racing readers
    transaction.on_commit(lambda: cache.delete(THRESHOLDS_CACHE % establishment.pk))
    audit.record(
        actor=actor,
        verb="homework.set_workload_thresholds",
        target=thresholds,
        establishment_id=establishment.pk,
        before=before,
        after={f: getattr(thresholds, f) for f in fields},
    )
    return thresholds


# --- loads from the homework queries ------------------------------------------------------------------------
def as_load_item(homework: Homework) -> LoadItem:
    """A LoadItem from a Homework whose assignment, subject and teacher are preloaded."""
    return LoadItem(
        homework_id=homework.pk,
        title=homework.title,
        kind=homework.kind,
        minutes=homework.estimated_minutes,
        subject=homework.assignment.subject.name,
        teacher=homework.assignment.teacher.display_name,
        due_date=homework.due_date,
    )


def week_load(
    *, establishment_id: int, class_id: int, start: dt.date, days: int = 7, exclude_homework_id: int | None = None
) -> list[DayLoad]:
    """The class's load on each of ``days`` dates from ``start`` (one query, through homework.queries)."""
    end = start + dt.timedelta(days=days - 1)
    rows = queries.class_load(
        establishment_id=establishment_id,
        class_id=class_id,
        start=start,
        end=end,
        exclude_homework_id=exclude_homework_id,
    )
    return [DayLoad(date=d, items=tuple(as_load_item(h) for h in load["items"])) for d, load in sorted(rows.items())]


# --- the check ----------------------------------------------------------------------------------------------
def check(
    *,
    establishment_id: int,
    class_id: int,
    due_date: dt.date,
    kind: str,
    minutes: int,
    exclude_homework_id: int | None = None,
) -> list[Warning]:
    """The warnings raised by adding a piece of work (``kind``, ``minutes``) due on ``due_date`` for a class.

    Warns when the day would pass the tests-per-day or minutes-per-day limit, or the week (Monday to Sunday)
    the tests-per-week limit. ``exclude_homework_id`` leaves out the homework being edited. Two queries.
    """
    limits = thresholds_for(establishment_id)
    week = week_load(
        establishment_id=establishment_id,
        class_id=class_id,
        start=monday_of(due_date),
        exclude_homework_id=exclude_homework_id,
    )
    day = next(d for d in week if d.date == due_date)
    is_test = kind == Homework.Kind.TEST
    minutes = max(int(minutes or 0), 0)
    date_label = _day_label(due_date)
    warnings: list[Warning] = []
    if is_test and day.tests + 1 > limits.max_tests_per_day:
        total = day.tests + 1
        warnings.append(
            Warning(
                code="tests_per_day",
                message=_(
                    "Le %(date)s, la classe aurait %(total)s contrôles "
                    "(limite de l'établissement : %(limit)s par jour)."
                )
                % {"date": date_label, "total": total, "limit": limits.max_tests_per_day},
                limit=limits.max_tests_per_day,
                total=total,
                day=day,
            )
        )
    if minutes and day.minutes + minutes > limits.max_minutes_per_day:
        total = day.minutes + minutes
        warnings.append(
            Warning(
                code="minutes_per_day",
                message=_(
                    "Le %(date)s, la classe aurait %(total)s minutes de travail "
                    "(limite de l'établissement : %(limit)s minutes par jour)."
                )
                % {"date": date_label, "total": total, "limit": limits.max_minutes_per_day},
                limit=limits.max_minutes_per_day,
                total=total,
                day=day,
            )
        )
    week_tests = sum(d.tests for d in week)
    if is_test and week_tests + 1 > limits.max_tests_per_week:
        total = week_tests + 1
        warnings.append(
            Warning(
                code="tests_per_week",
                message=_(
                    "La semaine du %(monday)s, la classe aurait %(total)s contrôles "
                    "(limite de l'établissement : %(limit)s par semaine)."
                )
                % {"monday": _day_label(week[0].date), "total": total, "limit": limits.max_tests_per_week},
                limit=limits.max_tests_per_week,
                total=total,
                day=day,
            )
        )
    return warnings


def _day_label(day: dt.date) -> str:
    return dates.date_jour(day)


# --- the suggested plan -------------------------------------------------------------------------------------
@dataclass(frozen=True)
class Work:
    """A piece of work to plan: its key, what, how long, and when it is due."""

    key: str
    title: str
    minutes: int
    due_date: dt.date
    subject: str = ""
    kind: str = ""

    @property
    def is_test(self) -> bool:
        return self.kind == Homework.Kind.TEST


@dataclass
class PlanDay:
    """One day of the plan: the pieces of work set on it, in minutes."""

    date: dt.date
    chunks: list[tuple[Work, int]] = field(default_factory=list)

    @property
    def minutes(self) -> int:
        return sum(m for _w, m in self.chunks)


@dataclass
class Plan:
    """The suggested plan: days with their chunks; ``late`` is work due today or before (nothing left to
    spread); ``over_limit`` lists the days the plan had to fill beyond the daily limit."""

    days: list[PlanDay]
    late: list[Work] = field(default_factory=list)
    over_limit: list[dt.date] = field(default_factory=list)

    def day(self, date: dt.date) -> PlanDay | None:
        return next((d for d in self.days if d.date == date), None)


def plan(
    works: Sequence[Work],
    *,
    today: dt.date,
    daily_limit: int,
    already: dict[dt.date, int] | None = None,
    chunk: int = CHUNK_MINUTES,
) -> Plan:
    """Spread each piece of work over the school days from ``today`` to the day before it is due.

    The algorithm, in words: take the work in order of due date (the most urgent has the fewest days to
    choose from), and cut its estimated minutes into pieces of ``chunk`` minutes (the last piece takes the
    remainder). Give each piece to the lightest of its available days (earliest first on a tie) whose total
    stays within ``daily_limit``; when every available day is full, to the lightest one anyway, and note
    that day as over the limit. Work due tomorrow can only go today; work due today or earlier cannot be
    planned and is listed as late. ``already`` adds minutes a day carries before planning (e.g. lessons).
    """
    horizon = max((w.due_date for w in works), default=today)
    days: dict[dt.date, PlanDay] = {}
    day = today
    while day < horizon:
        if day.weekday() in SCHOOL_DAYS:
            days[day] = PlanDay(date=day)
        day += dt.timedelta(days=1)
    base = dict(already or {})
    load = {d: base.get(d, 0) for d in days}
    result = Plan(days=list(days.values()))
    over: set[dt.date] = set()
    for work in sorted(works, key=lambda w: (w.due_date, -w.minutes, w.key)):
        if work.minutes <= 0:
            continue
        available = [d for d in days if d < work.due_date]
        if not available:
            result.late.append(work)
            continue
        pieces = _pieces(work.minutes, chunk)
        given: dict[dt.date, int] = {}
        for piece in pieces:
            fitting = [d for d in available if load[d] + piece <= daily_limit]
            pool = fitting or available
            target = min(pool, key=lambda d: (load[d], d))
            if not fitting:
                over.add(target)
            load[target] += piece
            given[target] = given.get(target, 0) + piece
        for d in sorted(given):
            days[d].chunks.append((work, given[d]))
    result.over_limit = sorted(over)
    return result


def _pieces(minutes: int, chunk: int) -> list[int]:
    """Cut ``minutes`` into pieces of ``chunk`` minutes (never more pieces than needed), remainder last."""
    count = max(1, math.floor(minutes / chunk))
    size, rest = divmod(minutes, count)
    return [size + (1 if n < rest else 0) for n in range(count)]
