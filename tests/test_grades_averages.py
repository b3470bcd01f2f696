"""The averaging rule: a hand-checked golden class, and the SQL against the pure reference (hypothesis)."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

from django.utils import timezone
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from hypothesis.extra.django import TestCase as HypothesisTestCase

from cartable.grades import averages
from cartable.grades.averages import MarkInput, Stats
from cartable.grades.models import Evaluation, Mark, SubjectCoefficient
from cartable.grades.queries import averages_by_period, evaluation_stats, period_averages
from tests.support.personas import PersonaTestCase

D = Decimal


def make_evaluation(kit, teacher, subject, *, school_class=None, group=None, coefficient="1", scale="20", nr_zero=True):
    return Evaluation.objects.create(
        establishment=kit.establishment,
        teacher=teacher,
        subject=kit.subjects[subject],
        school_class=school_class,
        group=group,
        period=kit.periods[0],
        title="Contrôle",
        date=kit.periods[0].start_date + dt.timedelta(days=10),
        coefficient=D(coefficient),
        scale=D(scale),
        not_handed_in_counts_zero=nr_zero,
        publish_at=timezone.now(),
    )


def put(evaluation, student, entry):
    """A mark from a value (str) or a code (ABS, DISP, NN, NR)."""
    code = entry if entry in {"ABS", "DISP", "NN", "NR"} else ""
    return Mark.objects.create(
        establishment_id=evaluation.establishment_id,
        evaluation=evaluation,
        student=student,
        value=None if code else D(entry),
        code=code,
        updated_by=evaluation.teacher,
    )


class GoldenClassTests(PersonaTestCase):
    """5e A (lucas, lea, zoe) in mathematics and French; every number below is worked out by hand."""

    @classmethod
    def setUpTestData(cls):
        super().setUpTestData()
        kit, p = cls.school.college, cls.people
        five_a = kit.classes["5e A"]
        lucas, lea, zoe = p["lucas.martin"], p["lea.bernard"], p["zoe.fontaine"]
        cls.students = [lucas, lea, zoe]
        m1 = make_evaluation(kit, p["paul.dupont"], "MATH", school_class=five_a)
        cls.m2 = m2 = make_evaluation(kit, p["paul.dupont"], "MATH", school_class=five_a, coefficient="2", scale="10")
        m3 = make_evaluation(kit, p["paul.dupont"], "MATH", school_class=five_a, nr_zero=False)
        f1 = make_evaluation(kit, p["sophie.bernard"], "FRA", school_class=five_a)
        f2 = make_evaluation(kit, p["sophie.bernard"], "FRA", school_class=five_a, coefficient="3")
        for evaluation, entries in [
            (m1, ["12.5", "15", "ABS"]),
            (m2, ["7", "NR", "8.25"]),  # NR counts zero here
            (m3, ["NR", "11", "9"]),  # NR left out here
            (f1, ["10.01", "DISP", "13"]),
            (f2, ["14", "NN", "12"]),
        ]:
            for student, entry in zip(cls.students, entries, strict=True):
                put(evaluation, student, entry)
        SubjectCoefficient.objects.create(
            establishment=kit.establishment, subject=kit.subjects["MATH"], level="5e", coefficient=D(2)
        )
        cls.kit = kit

    def test_golden_class(self):
        """Subject, overall and class averages match the hand computation, rounded half up once."""
        kit = self.kit
        lucas, lea, zoe = (s.pk for s in self.students)
        math, french = kit.subjects["MATH"].pk, kit.subjects["FRA"].pk
        with self.assertNumQueries(3):
            result = period_averages(
                student_ids=[lucas, lea, zoe], period=kit.periods[0], establishment_id=kit.establishment.pk
            )
        # lucas: (12.5 + 2 x 14) / 3 = 13.5 ; lea: (15 + 2 x 0 + 11) / 4 = 6.5 ; zoe: (2 x 16.5 + 9) / 3 = 14
        self.assertEqual(result.students[lucas].subjects[math].average, D("13.50"))
        self.assertEqual(result.students[lea].subjects[math].average, D("6.50"))
        self.assertEqual(result.students[zoe].subjects[math].average, D("14.00"))
        self.assertEqual(result.students[lucas].subjects[math].coefficient, D(2))
        # (13.5 + 6.5 + 14) / 3 = 11.333...
        self.assertEqual(result.students[lucas].subjects[math].cohort, Stats(D("11.33"), D("6.50"), D("14.00"), 3))
        # French: lucas (10.01 + 3 x 14) / 4 = 13.0025 -> 13.00 ; lea only Disp/NN -> None ; zoe (13 + 36) / 4
        self.assertEqual(result.students[lucas].subjects[french].average, D("13.00"))
        self.assertIsNone(result.students[lea].subjects[french].average)
        self.assertEqual(result.students[zoe].subjects[french].average, D("12.25"))
        self.assertEqual(result.students[zoe].subjects[french].coefficient, D(1))
        # (13.00 + 12.25) / 2 = 12.625 -> 12.63 (half up)
        self.assertEqual(result.students[zoe].subjects[french].cohort, Stats(D("12.63"), D("12.25"), D("13.00"), 2))
        # Overall: lucas (2 x 13.5 + 13) / 3 = 13.333 ; lea 6.5 ; zoe (2 x 14 + 12.25) / 3 = 13.41666
        self.assertEqual(result.students[lucas].overall, D("13.33"))
        self.assertEqual(result.students[lea].overall, D("6.50"))
        self.assertEqual(result.students[zoe].overall, D("13.42"))
        # (13.33 + 6.50 + 13.42) / 3 = 11.0833
        self.assertEqual(result.overall_stats[kit.classes["5e A"].pk], Stats(D("11.08"), D("6.50"), D("13.42"), 3))
        self.assertEqual([s[1] for s in result.subjects], ["FRA", "MATH"])

    def test_every_period_at_once_gives_each_period_as_if_alone(self):
        """averages_by_period: three periods in 3 queries, each with the figures period_averages gives it alone."""
        kit = self.kit
        ids = [s.pk for s in self.students]
        later = make_evaluation(kit, self.people["paul.dupont"], "MATH", school_class=kit.classes["5e A"])
        Evaluation.objects.filter(pk=later.pk).update(
            period=kit.periods[1], date=kit.periods[1].start_date + dt.timedelta(days=3)
        )
        for student, entry in zip(self.students, ["4", "18", "NR"], strict=True):
            put(later, student, entry)
        alone = {
            period.pk: period_averages(student_ids=ids, period=period, establishment_id=kit.establishment.pk)
            for period in kit.periods
        }
        with self.assertNumQueries(3):
            together = averages_by_period(student_ids=ids, periods=kit.periods, establishment_id=kit.establishment.pk)
        self.assertEqual(together, alone)
        math = kit.subjects["MATH"].pk
        self.assertEqual(together[kit.periods[0].pk].students[ids[0]].subjects[math].average, D("13.50"))
        self.assertEqual(together[kit.periods[1].pk].students[ids[0]].subjects[math].average, D("4.00"))
        self.assertEqual(together[kit.periods[1].pk].students[ids[1]].overall, D("18.00"))

    def test_evaluation_statistics_on_its_own_scale(self):
        """An evaluation's class average, minimum and maximum are on its scale; a counted NR is a 0."""
        stats = evaluation_stats([self.m2.pk])[self.m2.pk]
        # (7 + 0 + 8.25) / 3 = 5.0833
        self.assertEqual(stats, Stats(D("5.08"), D("0.00"), D("8.25"), 3))

    def test_one_student_gets_the_class_statistics(self):
        """Asking for one student still gives the statistics of the whole class."""
        kit = self.kit
        lucas = self.students[0].pk
        result = period_averages(student_ids=[lucas], period=kit.periods[0], establishment_id=kit.establishment.pk)
        self.assertEqual(list(result.students), [lucas])
        self.assertEqual(result.overall_stats[kit.classes["5e A"].pk].average, D("11.08"))

    def test_an_empty_period_has_no_average(self):
        """A period without marks gives None, never 0."""
        kit = self.kit
        lucas = self.students[0].pk
        result = period_averages(student_ids=[lucas], period=kit.periods[1], establishment_id=kit.establishment.pk)
        self.assertEqual(result.students[lucas].subjects, {})
        self.assertIsNone(result.students[lucas].overall)


class ReferenceRuleTests(PersonaTestCase):
    def test_rounding_is_half_up_to_two_places(self):
        """12.345 rounds to 12.35, 12.3449 to 12.34, and exact thirds are not float-rounded."""
        self.assertEqual(averages.quantize(D("12.345")), D("12.35"))
        self.assertEqual(averages.quantize(D("12.3449")), D("12.34"))
        self.assertEqual(averages.quantize(D("0.005")), D("0.01"))
        self.assertEqual(averages.subject_average([MarkInput(D("1"), scale=D("3"))]), D("6.67"))

    def test_excluded_codes_and_empty_lists(self):
        """Abs, Disp, NN and a left-out NR never count; nothing counted gives None."""
        marks = [
            MarkInput(None, "ABS"),
            MarkInput(None, "DISP"),
            MarkInput(None, "NN"),
            MarkInput(None, "NR", not_handed_in_counts_zero=False),
        ]
        self.assertIsNone(averages.subject_average(marks))
        self.assertIsNone(averages.subject_average([]))
        self.assertEqual(averages.subject_average([*marks, MarkInput(None, "NR"), MarkInput(D(10))]), D("5.00"))


values = st.decimals(min_value=0, max_value=40, places=2)
entry = st.one_of(values, st.sampled_from(["ABS", "DISP", "NN", "NR"]))
evaluation_spec = st.tuples(
    st.decimals(min_value=0, max_value=5, places=2),  # coefficient
    st.sampled_from([D(20), D(10), D(40), D(30), D("7.5"), D(3)]),  # scale
    st.booleans(),  # NR counts zero
    st.lists(entry, min_size=3, max_size=3),
)


class PropertyTests(HypothesisTestCase, PersonaTestCase):
    """The database gives exactly the pure reference's numbers, for any marks."""

    @settings(max_examples=40, deadline=None, suppress_health_check=[HealthCheck.too_slow])
    @given(st.lists(evaluation_spec, min_size=0, max_size=5))
    def test_sql_matches_reference(self, specs):
        kit, p = self.school.college, self.people
        students = [p["lucas.martin"], p["lea.bernard"], p["zoe.fontaine"]]
        expected: dict[int, list[MarkInput]] = {s.pk: [] for s in students}
        for coefficient, scale, nr_zero, entries in specs:
            evaluation = make_evaluation(
                kit,
                p["paul.dupont"],
                "MATH",
                school_class=kit.classes["5e A"],
                coefficient=coefficient,
                scale=scale,
                nr_zero=nr_zero,
            )
            for student, raw in zip(students, entries, strict=True):
                if not isinstance(raw, str) and raw > scale:
                    raw = scale
                put(evaluation, student, str(raw))
                code = raw if isinstance(raw, str) else ""
                expected[student.pk].append(MarkInput(None if code else raw, code, coefficient, scale, nr_zero))
        result = period_averages(
            student_ids=[s.pk for s in students], period=kit.periods[0], establishment_id=kit.establishment.pk
        )
        math = kit.subjects["MATH"].pk
        reference = {pk: averages.subject_average(marks) for pk, marks in expected.items()}
        for pk, value in reference.items():
            got = result.students[pk].subjects.get(math)
            self.assertEqual(got.average if got else None, value)
            self.assertEqual(result.students[pk].overall, value)
        if specs:
            cohort = result.students[students[0].pk].subjects[math].cohort
            self.assertEqual(cohort, averages.stats(reference.values()))
