"""The legal rules of discipline, as data: the defence time of the contradictory procedure and when each
kind of sanction leaves the student's administrative file (article R. 511-13 of the Code de l'éducation and
the circulaire of 2014 on the application of school rules).

The erasure schedule is :data:`ERASURE_RULES`, one line per kind of sanction; every sanction also leaves the
file when the student's secondary schooling ends (:data:`SCHOOLING_ENDS_AFTER`). ``actions.erase_expired_
sanctions`` applies them; nothing else decides when a sanction goes.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from enum import StrEnum

from cartable.discipline.models import Sanction

Kind = Sanction.Kind
Authority = Sanction.Authority


class Clock(StrEnum):
    """What an erasure delay is counted from."""

    END_OF_SCHOOL_YEAR = "end_of_school_year"  # the end of the school year of the decision
    AFTER_DECISION = "after_decision"  # a delay after the date the sanction was pronounced
    END_OF_SCHOOLING = "end_of_schooling"  # only when the student leaves secondary schooling


@dataclass(frozen=True)
class ErasureRule:
    kind: str
    clock: Clock
    years: int = 0  # for AFTER_DECISION: gone on the anniversary of the decision


ERASURE_RULES: dict[str, ErasureRule] = {
    rule.kind: rule
    for rule in (
        ErasureRule(Kind.WARNING, Clock.END_OF_SCHOOL_YEAR),
        ErasureRule(Kind.REPRIMAND, Clock.END_OF_SCHOOL_YEAR),
        ErasureRule(Kind.RESPONSIBILITY, Clock.END_OF_SCHOOL_YEAR),
        ErasureRule(Kind.CLASS_EXCLUSION, Clock.AFTER_DECISION, years=1),
        ErasureRule(Kind.SCHOOL_EXCLUSION, Clock.AFTER_DECISION, years=1),
        ErasureRule(Kind.PERMANENT_EXCLUSION, Clock.END_OF_SCHOOLING),
    )
}

# The end of secondary schooling, for every sanction: the student has no current or future enrolment in any
# establishment of the region, and their last enrolment ended more than this long ago — a summer holiday
# passed with no new enrolment (so a student waiting for September's enrolment keeps their file).
SCHOOLING_ENDS_AFTER = dt.timedelta(days=92)

# The contradictory procedure: the family has at least this time, from the day it is informed, to present
# its defence (article R. 421-10-1: two working days for the principal alone; eight days for the council).
DEFENCE_TIME: dict[str, tuple[int, bool]] = {  # authority -> (days, counted in working days?)
    Authority.PRINCIPAL: (2, True),
    Authority.COUNCIL: (8, False),
}

# The principal alone decides up to a temporary exclusion; the council decides every sanction.
DECIDED_BY: dict[str, frozenset[str]] = {
    Authority.PRINCIPAL: frozenset(k for k in Kind.values if k != Kind.PERMANENT_EXCLUSION),
    Authority.COUNCIL: frozenset(Kind.values),
}
MAX_EXCLUSION_DAYS = 8
# Sursis (suspension) applies to sanctions 3 to 6 of the scale, not to a warning or a reprimand.
MAY_BE_SUSPENDED = frozenset(
    {Kind.RESPONSIBILITY, Kind.CLASS_EXCLUSION, Kind.SCHOOL_EXCLUSION, Kind.PERMANENT_EXCLUSION}
)
WITH_DAYS = frozenset({Kind.CLASS_EXCLUSION, Kind.SCHOOL_EXCLUSION})


def _easter(year: int) -> dt.date:
    """Easter Sunday (the anonymous Gregorian algorithm)."""
    a, b, c = year % 19, year // 100, year % 100
    d, e = b // 4, b % 4
    g = (8 * b + 13) // 25
    h = (19 * a + b - d - g + 15) % 30
    i, k = c // 4, c % 4
    l_ = (32 + 2 * e + 2 * i - h - k) % 7
    m = (a + 11 * h + 19 * l_) // 433
    month = (h + l_ - 7 * m + 90) // 25
    return dt.date(year, month, (h + l_ - 7 * m + 33 * month + 19) % 32)


def public_holidays(year: int) -> frozenset[dt.date]:
    """France's public holidays (jours fériés) of a year."""
    easter = _easter(year)
    fixed = [(1, 1), (5, 1), (5, 8), (7, 14), (8, 15), (11, 1), (11, 11), (12, 25)]
    moving = [easter + dt.timedelta(days=n) for n in (1, 39, 50)]  # Easter Monday, Ascension, Whit Monday
    return frozenset([dt.date(year, m, d) for m, d in fixed] + moving)


def is_working_day(day: dt.date) -> bool:
    """A jour ouvrable: Monday to Saturday, not a public holiday."""
    return day.weekday() != 6 and day not in public_holidays(day.year)


def defence_deadline(authority: str, informed_on: dt.date) -> dt.date:
    """The last day the family may present its defence, counted from the day after it is informed."""
    days, working = DEFENCE_TIME[authority]
    day, counted = informed_on, 0
    while counted < days:
        day += dt.timedelta(days=1)
        if not working or is_working_day(day):
            counted += 1
    return day


def erasure_date(sanction: Sanction, school_year_end: dt.date | None) -> dt.date | None:
    """The day a decided sanction leaves the file by its kind's rule (None: only at the end of schooling).

    ``school_year_end`` is the last day of the school year of the decision.
    """
    if sanction.decided_on is None:
        return None
    rule = ERASURE_RULES[sanction.kind]
    if rule.clock == Clock.END_OF_SCHOOL_YEAR:
        end = school_year_end or fallback_school_year_end(sanction.decided_on)
        return end + dt.timedelta(days=1)
    if rule.clock == Clock.AFTER_DECISION:
        return _anniversary(sanction.decided_on, rule.years)
    return None


def fallback_school_year_end(day: dt.date) -> dt.date:
    """When the establishment has no school year recorded for the date: the 31 August that ends it."""
    return dt.date(day.year if day.month < 9 else day.year + 1, 8, 31)


def _anniversary(day: dt.date, years: int) -> dt.date:
    try:
        return day.replace(year=day.year + years)
    except ValueError:  # 29 February
        return day.replace(year=day.year + years, day=28) + dt.timedelta(days=1)
