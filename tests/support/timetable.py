"""A small timetable over the persona school, shared by the timetable tests.

Last week (MONDAY_A, its Monday: over on any day the suite runs, inside the persona school's year) is an A
week, this week (MONDAY_B) a B week. 5e A: maths (paul.dupont) Monday 8:00 in B12; French (sophie.bernard)
Tuesday 9:00 in C3; Latin (group, sophie.bernard) Thursday 15:45; Friday 10:15 maths on A weeks, French
on B weeks. 4e B: French Wednesday 8:00. The lycée's 2nde GT 1: maths (paul.dupont) Monday 14:00.
"""

from __future__ import annotations

import datetime as dt

from django.utils import timezone

from cartable.directory.models import TeachingAssignment
from cartable.timetable import queries
from cartable.timetable.models import LessonChange, Room, Slot, TimetableSettings, Weeks
from cartable.timetable.queries import monday_of
from tests.support.personas import PersonaTestCase

MONDAY_A = monday_of(timezone.localdate()) - dt.timedelta(days=7)
MONDAY_B = MONDAY_A + dt.timedelta(days=7)
T = dt.time


def iso_week(day: dt.date) -> str:
    """The ?semaine= value of the week holding ``day`` (2026-W48)."""
    year, week, _ = day.isocalendar()
    return f"{year}-W{week:02d}"


def build_timetable(school) -> dict:
    college, lycee = school.college, school.lycee
    people = school.people
    five_a, four_b = college.classes["5e A"], college.classes["4e B"]

    def assignment(username, code, **target):
        return TeachingAssignment.objects.get(teacher=people[username], subject__code=code, **target)

    math = assignment("paul.dupont", "MATH", school_class=five_a)
    french = assignment("sophie.bernard", "FRA", school_class=five_a)
    latin = assignment("sophie.bernard", "LAT", group__name="Latin 5e")
    french_4b = assignment("sophie.bernard", "FRA", school_class=four_b)
    math_lycee = assignment("paul.dupont", "MATH", school_class=lycee.classes["2nde GT 1"])
    b12 = Room.objects.create(establishment=college.establishment, name="B12")
    c3 = Room.objects.create(establishment=college.establishment, name="C3")
    TimetableSettings.objects.create(
        establishment=college.establishment, week_a_monday=MONDAY_A - dt.timedelta(days=70)
    )
    start = college.year.start_date

    def slot(a, weekday, begin, end, room=None, weeks=Weeks.ALL, **extra):
        return Slot.objects.create(
            establishment_id=a.establishment_id,
            assignment=a,
            weekday=weekday,
            start_time=begin,
            end_time=end,
            room=room,
            weeks=weeks,
            valid_from=extra.pop("valid_from", start),
            **extra,
        )

    return {
        "math": math,
        "french": french,
        "latin": latin,
        "b12": b12,
        "c3": c3,
        "math_monday": slot(math, 0, T(8), T(9), b12),
        "french_tuesday": slot(french, 1, T(9), T(10), c3),
        "latin_thursday": slot(latin, 3, T(15, 45), T(16, 45)),
        "math_friday_a": slot(math, 4, T(10, 15), T(11, 15), b12, Weeks.A),
        "french_friday_b": slot(french, 4, T(10, 15), T(11, 15), c3, Weeks.B),
        "french_4b": slot(french_4b, 2, T(8), T(9), c3),
        "math_lycee": slot(math_lycee, 0, T(14), T(15)),
    }


class TimetableCase(PersonaTestCase):
    @classmethod
    def setUpTestData(cls):
        super().setUpTestData()
        cls.tt = build_timetable(cls.school)
        cls.college = cls.school.college.establishment
        cls.five_a = cls.school.college.classes["5e A"]

    def change(self, slot_name, day, kind, **fields):
        slot = self.tt[slot_name]
        return LessonChange.objects.create(establishment=self.college, slot=slot, date=day, kind=kind, **fields)

    def class_week(self, monday=MONDAY_A):
        return queries.week_of_class(school_class=self.five_a, monday=monday)
