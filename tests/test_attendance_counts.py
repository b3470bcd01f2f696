"""The contract other apps use: ``absence_counts`` per student and period, in constant queries."""

from __future__ import annotations

import datetime as dt
from zoneinfo import ZoneInfo

import hypothesis
from django.test import SimpleTestCase
from django.utils import timezone
from hypothesis import strategies

from cartable.attendance.models import Absence, Lateness, Status, half_days
from cartable.attendance.queries import AbsenceCounts, absence_counts
from cartable.timetable.models import NonSchoolDay
from cartable.timetable.queries import closed_dates
from tests.support.personas import PersonaTestCase
from tests.support.timetable import MONDAY_A

PARIS = ZoneInfo("Europe/Paris")
MONDAY = MONDAY_A - dt.timedelta(days=7)  # two weeks ago, inside the persona school's year


def at(day: dt.date, hour: int, minute: int = 0) -> dt.datetime:
    return dt.datetime.combine(day, dt.time(hour, minute), tzinfo=PARIS)


class HalfDayTests(PersonaTestCase):
    def test_a_morning_lesson_is_one_half_day(self):
        """An hour in the morning touches the morning only."""
        self.assertEqual(half_days(at(MONDAY, 8), at(MONDAY, 9)), {(MONDAY, 0)})

    def test_a_whole_day_is_two_half_days(self):
        """From 8:00 to 17:00 is the morning and the afternoon."""
        self.assertEqual(half_days(at(MONDAY, 8), at(MONDAY, 17)), {(MONDAY, 0), (MONDAY, 1)})

    def test_weekends_do_not_count(self):
        """An absence from Friday to Monday counts Friday and Monday, neither Saturday nor Sunday."""
        friday = MONDAY + dt.timedelta(days=4)
        found = half_days(at(friday, 8), at(friday + dt.timedelta(days=3), 18))
        self.assertEqual({d for d, _h in found}, {friday, friday + dt.timedelta(days=3)})
        self.assertEqual(len(found), 4)


class AbsenceCountsTests(PersonaTestCase):
    @classmethod
    def setUpTestData(cls):
        super().setUpTestData()
        cls.college = cls.school.college.establishment
        cls.lucas = cls.people["lucas.martin"]
        cls.lea = cls.people["lea.bernard"]

    def absence(self, student, start, end, status=Status.PENDING):
        return Absence.objects.create(
            establishment=self.college,
            student=student,
            start=start,
            end=end,
            status=status,
            source=Absence.Source.STAFF,
        )

    def test_counts_half_days_lateness_and_zeros(self):
        """Half-days are counted once, justified ones apart; lateness counted; unknown students get zeros."""
        self.absence(self.lucas, at(MONDAY, 8), at(MONDAY, 10))
        self.absence(self.lucas, at(MONDAY, 10), at(MONDAY, 12), Status.JUSTIFIED)
        self.absence(
            self.lucas, at(MONDAY + dt.timedelta(days=1), 8), at(MONDAY + dt.timedelta(days=1), 17), Status.JUSTIFIED
        )
        self.absence(self.lucas, at(MONDAY - dt.timedelta(days=7), 8), at(MONDAY - dt.timedelta(days=7), 9))
        for day in (MONDAY, MONDAY + dt.timedelta(days=2)):
            Lateness.objects.create(establishment=self.college, student=self.lucas, at=at(day, 8), minutes=5)
        closed_dates([self.college.pk], MONDAY, MONDAY)  # the calendar, cached as every page of lessons has it
        with self.assertNumQueries(2):
            counts = absence_counts(
                student_ids=[self.lucas.pk, self.lea.pk], start=MONDAY, end=MONDAY + dt.timedelta(days=6)
            )
        self.assertEqual(counts[self.lucas.pk], AbsenceCounts(3, 1, 2))
        self.assertEqual(counts[self.lea.pk], AbsenceCounts(0, 0, 0))

    def test_an_absence_across_the_period_counts_only_inside_it(self):
        """An absence from Monday to Wednesday counts only the days inside the period asked."""
        self.absence(self.lucas, at(MONDAY, 8), at(MONDAY + dt.timedelta(days=2), 17))
        counts = absence_counts(
            student_ids=[self.lucas.pk], start=MONDAY + dt.timedelta(days=1), end=MONDAY + dt.timedelta(days=1)
        )
        self.assertEqual(counts[self.lucas.pk], AbsenceCounts(2, 2, 0))

    def test_only_what_has_happened_counts(self):
        """A declaration ahead counts nothing; one that began counts up to now (the afternoon once begun)."""
        next_week = timezone.localdate() + dt.timedelta(days=7 - timezone.localdate().weekday())
        declared = self.absence(self.lucas, at(next_week, 8), at(next_week + dt.timedelta(days=2), 18))
        declared.source = Absence.Source.DECLARED
        declared.save()
        self.absence(self.lea, at(MONDAY, 8), at(MONDAY + dt.timedelta(days=2), 18))
        year = self.school.college.year
        counts = absence_counts(student_ids=[self.lucas.pk], start=year.start_date, end=year.end_date)
        self.assertEqual(counts[self.lucas.pk], AbsenceCounts(0, 0, 0))
        at_two = absence_counts(
            student_ids=[self.lea.pk], start=MONDAY, end=MONDAY + dt.timedelta(days=6), now=at(MONDAY, 14)
        )
        self.assertEqual(at_two[self.lea.pk], AbsenceCounts(2, 2, 0))

    def test_non_school_days_do_not_count_but_a_roll_call_saw_the_lesson(self):
        """A staff-entered absence from Monday to Wednesday over a closed Tuesday counts Monday and Wednesday; a
        roll-call absence on a Saturday (a lesson was held) counts."""
        NonSchoolDay.objects.create(
            establishment=self.college,
            label="Pont",
            start_date=MONDAY + dt.timedelta(days=1),
            end_date=MONDAY + dt.timedelta(days=1),
        )
        self.absence(self.lucas, at(MONDAY, 8), at(MONDAY + dt.timedelta(days=2), 18))
        saturday = MONDAY + dt.timedelta(days=5)
        seen = self.absence(self.lea, at(saturday, 8), at(saturday, 10))
        seen.source = Absence.Source.ROLL_CALL
        seen.save()
        self.absence(self.lea, at(saturday, 10), at(saturday, 12))  # entered by the staff: not a school day
        counts = absence_counts(student_ids=[self.lucas.pk, self.lea.pk], start=MONDAY, end=saturday)
        self.assertEqual(counts[self.lucas.pk], AbsenceCounts(4, 4, 0))
        self.assertEqual(counts[self.lea.pk], AbsenceCounts(1, 1, 0))

    def test_no_students_no_query(self):
        """An empty list of students asks nothing."""
        with self.assertNumQueries(0):
            self.assertEqual(absence_counts(student_ids=[], start=MONDAY, end=MONDAY), {})


class HalfDayPropertyTests(SimpleTestCase):
    @hypothesis.settings(max_examples=60, deadline=None)
    @hypothesis.given(
        start=strategies.integers(min_value=0, max_value=4 * 24 * 9),
        length=strategies.integers(min_value=1, max_value=4 * 24 * 9),
    )
    def test_half_days_match_a_minute_by_minute_count(self, start, length):
        """The half-days of any span (on a quarter-hour grid) are those of its quarters, weekends left out."""
        first = at(MONDAY, 0) + dt.timedelta(minutes=15 * start)
        last = first + dt.timedelta(minutes=15 * length)
        expected = set()
        moment = first
        while moment < last:
            local = moment.astimezone(PARIS)
            if local.weekday() < 5:
                expected.add((local.date(), 0 if local.hour < 12 else 1))
            moment += dt.timedelta(minutes=15)
        self.assertEqual(half_days(first, last), expected)
