"""Reads of school life: counts, roll calls, absence files, the live board, statistics."""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable
from dataclasses import dataclass

from django.db.models import Count
from django.utils import timezone

from cartable.attendance.models import Absence, Lateness, Status, half_days


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


def absence_counts(*, student_ids: Iterable[int], start: date, end: date) -> dict[int, AbsenceCounts]:
    """Counts per student for a period, in a constant number of queries (no actor: callers authorize).

    Two queries: the absences overlapping the period, the lateness counted per student. A half-day is
    counted once even when two absences touch it; it is unjustified when any absence on it is not
    justified.
    """
    ids = list(dict.fromkeys(student_ids))
    if not ids:
        return {}
    lo, hi = _bounds(start, end)
    absent: dict[int, set] = {i: set() for i in ids}
    unjustified: dict[int, set] = {i: set() for i in ids}
    rows = Absence.objects.filter(student_id__in=ids, start__lt=hi, end__gt=lo).values_list(
        "student_id", "start", "end", "status"
    )
    for student_id, a_start, a_end, status in rows:
        touched = half_days(a_start, a_end, first=start, last=end)
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


date = dt.date  # the contract's annotation
