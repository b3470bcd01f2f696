"""The workload guard: the check the homework form calls, the study planner, and the workload pages."""

from __future__ import annotations

import datetime as dt

from django.test import SimpleTestCase
from django.urls import reverse
from django.utils import timezone

from cartable.core.models import AuditEvent
from cartable.directory.models import SchoolClass, TeachingAssignment
from cartable.homework import workload
from cartable.homework.models import Homework, HomeworkDone, WorkloadThresholds
from cartable.homework.workload import Work, plan
from cartable.timetable.queries import default_monday
from tests.support.personas import PersonaTestCase

MONDAY = dt.date(2025, 3, 3)  # a Monday


def day(n: int) -> dt.date:
    return MONDAY + dt.timedelta(days=n)


class PlannerTests(SimpleTestCase):
    def minutes(self, result) -> dict[dt.date, int]:
        return {d.date: d.minutes for d in result.days if d.minutes}

    def test_work_due_tomorrow_goes_entirely_on_today(self):
        """Due Tuesday, planned on Monday: all 45 minutes today."""
        result = plan([Work("a", "Exercices", 45, day(1))], today=MONDAY, daily_limit=90)
        self.assertEqual(self.minutes(result), {MONDAY: 45})

    def test_long_work_is_spread_over_the_days_before_it_is_due(self):
        """120 minutes due Friday spread evenly over Monday to Thursday, 30 minutes a day."""
        result = plan([Work("a", "Exposé", 120, day(4))], today=MONDAY, daily_limit=90)
        self.assertEqual(self.minutes(result), {day(0): 30, day(1): 30, day(2): 30, day(3): 30})

    def test_the_lightest_days_are_filled_first(self):
        """A full Monday (work due Tuesday) pushes Friday's work onto Tuesday to Thursday."""
        result = plan([Work("a", "Maths", 60, day(1)), Work("b", "Histoire", 45, day(4))], today=MONDAY, daily_limit=60)
        self.assertEqual(result.day(MONDAY).chunks[0][0].key, "a")
        self.assertEqual(result.day(MONDAY).minutes, 60)
        self.assertEqual(sum(m for d in result.days for w, m in d.chunks if w.key == "b"), 45)
        self.assertFalse(any(w.key == "b" for w, _m in result.day(MONDAY).chunks))

    def test_a_full_day_overflows_only_when_there_is_no_room(self):
        """Two hours due tomorrow with a 90-minute limit: Monday is over the limit, and says so."""
        result = plan([Work("a", "Révisions", 120, day(1))], today=MONDAY, daily_limit=90)
        self.assertEqual(self.minutes(result), {MONDAY: 120})
        self.assertEqual(result.over_limit, [MONDAY])

    def test_weekends_are_skipped_and_work_due_today_is_late(self):
        """From Friday, Monday's work goes on Friday (not the weekend); work due today is listed as late."""
        friday = day(4)
        result = plan([Work("a", "Lecture", 30, day(7)), Work("b", "Fiche", 20, friday)], today=friday, daily_limit=90)
        self.assertEqual(self.minutes(result), {friday: 30})
        self.assertEqual([w.key for w in result.late], ["b"])

    def test_already_busy_days_count(self):
        """Minutes a day already carries push new work to the other days."""
        result = plan([Work("a", "Exercices", 30, day(2))], today=MONDAY, daily_limit=60, already={MONDAY: 60})
        self.assertEqual(self.minutes(result), {day(1): 30})

    def test_work_without_an_estimate_is_not_planned(self):
        """A test announced without minutes adds nothing to the plan."""
        self.assertEqual(self.minutes(plan([Work("a", "Contrôle", 0, day(3))], today=MONDAY, daily_limit=60)), {})


class CheckTests(PersonaTestCase):
    @classmethod
    def setUpTestData(cls):
        super().setUpTestData()
        cls.college = cls.school.college.establishment
        cls.five_a = SchoolClass.objects.get(name="5e A")
        cls.maths = TeachingAssignment.objects.get(teacher=cls.people["paul.dupont"], school_class=cls.five_a)
        cls.french = TeachingAssignment.objects.get(teacher=cls.people["sophie.bernard"], school_class=cls.five_a)
        cls.latin = TeachingAssignment.objects.get(teacher=cls.people["sophie.bernard"], group__name="Latin 5e")

    def add(self, assignment, *, due, kind=Homework.Kind.EXERCISE, minutes=30, title="Travail"):
        return Homework.objects.create(
            establishment=self.college,
            assignment=assignment,
            kind=kind,
            title=title,
            due_date=due,
            estimated_minutes=minutes,
            published_at=timezone.now(),
            author=assignment.teacher,
        )

    def check(self, due, kind=Homework.Kind.TEST, minutes=0, exclude=None):
        return workload.check(
            establishment_id=self.college.pk,
            class_id=self.five_a.pk,
            due_date=due,
            kind=kind,
            minutes=minutes,
            exclude_homework_id=exclude,
        )

    def test_a_second_test_on_the_same_day_warns_with_that_days_load(self):
        """With the default limit of one test a day, a second one warns and lists the day's work."""
        self.add(self.french, due=day(2), kind=Homework.Kind.TEST, minutes=0, title="Dictée")
        self.add(self.latin, due=day(2), minutes=20, title="Déclinaisons")
        warnings = self.check(day(2))
        self.assertEqual([w.code for w in warnings], ["tests_per_day"])
        warning = warnings[0]
        self.assertIn("2 contrôles", warning.message)
        self.assertEqual((warning.tests, warning.minutes), (1, 20))
        self.assertEqual(
            {(i.subject, i.title, i.teacher) for i in warning.items},
            {("Latin", "Déclinaisons", "Mme Sophie Bernard"), ("Français", "Dictée", "Mme Sophie Bernard")},
        )
        self.assertEqual(self.check(day(3)), [])

    def test_minutes_and_weekly_tests_warn_past_the_thresholds(self):
        """Past 90 minutes a day, or a fourth test in the week, the check warns; under them, it does not."""
        self.add(self.french, due=day(1), minutes=80)
        self.assertEqual(self.check(day(1), kind=Homework.Kind.EXERCISE, minutes=10), [])
        self.assertEqual(
            [w.code for w in self.check(day(1), kind=Homework.Kind.EXERCISE, minutes=11)], ["minutes_per_day"]
        )
        for n in range(3):
            self.add(self.maths, due=day(n), kind=Homework.Kind.TEST, minutes=0)
        self.assertEqual([w.code for w in self.check(day(4))], ["tests_per_week"])
        workload.set_thresholds(
            actor=self.actor("marc.leroy"),
            establishment=self.college,
            max_tests_per_day=2,
            max_minutes_per_day=90,
            max_tests_per_week=5,
        )
        self.assertEqual(self.check(day(4)), [])

    def test_the_homework_being_edited_does_not_count_against_itself(self):
        """Editing the day's only test does not warn about itself."""
        test = self.add(self.maths, due=day(2), kind=Homework.Kind.TEST, minutes=0)
        self.assertEqual(len(self.check(day(2))), 1)
        self.assertEqual(self.check(day(2), exclude=test.pk), [])

    def test_the_check_costs_one_query_once_the_thresholds_are_cached(self):
        """The class's load is one query, however much work is set; the thresholds one more, once."""
        for n in range(10):
            self.add(self.maths, due=day(n % 5))
        with self.assertNumQueries(2):
            self.check(day(2))
        with self.assertNumQueries(1):
            self.check(day(3))


class WorkloadPageTests(CheckTests):
    def test_who_sees_a_class_heat_map(self):
        """Staff of the collège, the class's students and their guardians see 5e A's week; not charlie, not
        the family of a 4e B student, not a lycée-only student."""
        url = reverse("homework:workload_class", args=[self.five_a.pk])
        for who, status in [
            ("paul.dupont", 200),
            ("sophie.bernard", 200),
            ("nadia.petit", 200),
            ("marc.leroy", 200),
            ("lucas.martin", 200),
            ("claire.martin", 200),
            ("thomas.girard", 404),
            ("ines.girard", 404),
            ("emma.martin", 404),
            ("charlie.roux", 404),
        ]:
            with self.subTest(who=who):
                self.login(who)
                self.assertEqual(self.client.get(url).status_code, status)

    def test_the_heat_map_shows_numbers_in_text_and_costs_a_fixed_number_of_queries(self):
        """Each day's minutes, tests and level are written out; the query count does not grow with the data."""
        self.login("paul.dupont")
        url = reverse("homework:workload_class", args=[self.five_a.pk])
        monday = default_monday()  # the week the page opens on
        self.add(self.maths, due=monday + dt.timedelta(days=1), kind=Homework.Kind.TEST, minutes=0)
        self.add(self.french, due=monday + dt.timedelta(days=1), kind=Homework.Kind.TEST, minutes=100)
        self.client.get(url)
        with self.assertNumQueries(5):
            response = self.client.get(url)
        self.assertContains(response, "Au-delà du seuil")
        self.assertContains(response, ">100</td>")
        for n in range(20):
            self.add(self.latin, due=monday + dt.timedelta(days=n % 5), minutes=5)
        with self.assertNumQueries(5):
            self.client.get(url)

    def test_a_student_sees_their_week_and_a_plan_without_work_already_done(self):
        """Lucas's week lists his work; the plan spreads what is not ticked done."""
        today = timezone.localdate()
        due = today + dt.timedelta(days=7)
        todo = self.add(self.maths, due=due, minutes=60, title="Problèmes de proportionnalité")
        done = self.add(self.french, due=due, minutes=40, title="Rédaction déjà faite")
        HomeworkDone.objects.create(homework=done, student=self.people["lucas.martin"])
        self.login("lucas.martin")
        self.client.get(reverse("homework:workload_mine"))
        with self.assertNumQueries(6):
            response = self.client.get(reverse("homework:workload_mine"))
        plan_part = response.content.decode().split("Plan de travail suggéré")[1]
        self.assertIn(todo.title, plan_part)
        self.assertNotIn(done.title, plan_part)
        self.assertContains(self.client.get(reverse("homework:workload")), "Plan de travail suggéré")

    def test_a_parent_sees_the_active_childs_week(self):
        """claire.martin's "Ma semaine" page is Lucas's."""
        self.add(self.maths, due=timezone.localdate() + dt.timedelta(days=3), minutes=30, title="Fiche 12")
        self.login("claire.martin")
        response = self.client.get(reverse("homework:workload_mine"))
        self.assertContains(response, "La semaine de Lucas")
        self.assertContains(response, "Fiche 12")

    def test_only_the_direction_sets_the_thresholds_and_it_is_audited(self):
        """marc.leroy saves new limits (audited); a teacher gets a 404; bad values keep the input."""
        url = reverse("homework:workload_thresholds")
        self.login("paul.dupont")
        self.assertEqual(self.client.get(url).status_code, 404)
        self.login("marc.leroy")
        response = self.client.post(
            url, {"max_tests_per_day": "0", "max_minutes_per_day": "75", "max_tests_per_week": "4"}
        )
        self.assertEqual(response.status_code, 200)
        self.assertContains(response, 'value="75"')
        response = self.client.post(
            url, {"max_tests_per_day": "2", "max_minutes_per_day": "75", "max_tests_per_week": "4"}
        )
        self.assertRedirects(response, url)
        limits = WorkloadThresholds.objects.get(establishment=self.college)
        self.assertEqual((limits.max_tests_per_day, limits.max_minutes_per_day, limits.max_tests_per_week), (2, 75, 4))
        self.assertTrue(AuditEvent.objects.filter(verb="homework.set_workload_thresholds").exists())

    def test_the_dashboard_shows_the_week_load_to_students(self):
        """Lucas's dashboard has "Ma charge des prochains jours"; paul.dupont's does not."""
        self.login("lucas.martin")
        self.assertContains(self.client.get(reverse("dashboard:home")), "Ma charge des prochains jours")
        self.login("paul.dupont")
        self.assertNotContains(self.client.get(reverse("dashboard:home")), "Ma charge des prochains jours")
