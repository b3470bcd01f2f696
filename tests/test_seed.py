"""``cartable seed``: a synthetic region of the requested size, added to what the database holds."""

import re
from io import StringIO

from django.core.management import CommandError, call_command
from django.db.models import Count
from django.test import TestCase

from cartable.demo.personas import build_personas
from cartable.demo.seed import COLLEGE_KIND, LYCEE_GT_KIND, kind_for, plan_for, seed_region
from cartable.directory.models import (
    Enrolment,
    Establishment,
    Guardianship,
    Membership,
    Role,
    SchoolClass,
    TeachingAssignment,
    User,
)


class SeedTests(TestCase):
    def seed(self, *args: str) -> tuple[str, str]:
        out, err = StringIO(), StringIO()
        call_command("seed", *args, stdout=out, stderr=err)
        return out.getvalue(), err.getvalue()

    def test_seed_creates_establishments_full_of_people(self):
        """3 establishments of 60 students: 180 students enrolled, with guardians, teachers and staff."""
        out, err = self.seed("--establishments", "3", "--students-per-establishment", "60", "--seed", "7")
        establishments = list(Establishment.objects.all())
        self.assertEqual(len(establishments), 3)
        self.assertEqual([kind_for(i) for i in range(3)], [COLLEGE_KIND, COLLEGE_KIND, LYCEE_GT_KIND])
        self.assertEqual(Membership.objects.filter(role=Role.STUDENT).count(), 180)
        self.assertEqual(Enrolment.objects.count(), 180)
        for establishment in establishments:
            with self.subTest(establishment=establishment.name):
                self.assertRegex(establishment.uai, r"^[0-9]{7}[A-Z]$")
                self.assertEqual(Enrolment.objects.filter(establishment=establishment).count(), 60)
                roles = set(Membership.objects.filter(establishment=establishment).values_list("role", flat=True))
                self.assertEqual(roles, {Role.STUDENT, Role.GUARDIAN, Role.TEACHER, Role.EDUCATION,
                                         Role.ADMINISTRATIVE, Role.DIRECTION, Role.ESTABLISHMENT_ADMIN})  # fmt: skip
        self.assertEqual(SchoolClass.objects.filter(head_teacher__isnull=True).count(), 0)
        per_student = set(Guardianship.objects.values("student").annotate(n=Count("id")).values_list("n", flat=True))
        self.assertLessEqual(per_student, {1, 2})
        self.assertEqual(Guardianship.objects.values("student").distinct().count(), 180)
        self.assertIn("3/3 établissements", err)
        rows = int(re.search(r"(\d+) lignes insérées en [\d.]+ s", out).group(1))
        self.assertGreater(rows, 180 * 4)

    def test_classes_hold_about_28_students_with_a_teacher_for_each_subject(self):
        """500 students make classes of about 28; every class has a teacher for each of its subjects."""
        report = seed_region(establishments=1, students_per_establishment=500, seed=3)
        plan = plan_for(COLLEGE_KIND, 500, [])
        classes = SchoolClass.objects.annotate(n=Count("enrolments"))
        self.assertEqual(classes.count(), sum(len(names) for names in plan.levels.values()))
        for school_class in classes:
            with self.subTest(school_class=school_class.name):
                self.assertTrue(25 <= school_class.n <= 32, school_class.n)
                level = school_class.level
                wanted = {c for c in plan.classes_per_teacher if c not in plan.not_taught.get(level, ())}
                self.assertEqual(set(school_class.assignments.values_list("subject__code", flat=True)), wanted)
        self.assertEqual(report.rows["enrolments"], 500)
        self.assertEqual(report.rows["users"], User.objects.count())
        self.assertEqual(report.rows["assignments"], TeachingAssignment.objects.count())

    def test_seeding_adds_to_what_is_there(self):
        """Seeding twice with the same seed, after the personas, adds new establishments with unused UAIs."""
        build_personas()
        before = set(Establishment.objects.values_list("uai", flat=True))
        people = User.objects.count()
        self.seed("--establishments", "2", "--students-per-establishment", "30", "--seed", "1")
        self.seed("--establishments", "2", "--students-per-establishment", "30", "--seed", "1")
        establishments = Establishment.objects.all()
        self.assertEqual(establishments.count(), len(before) + 4)
        self.assertEqual(len(set(establishments.values_list("name", flat=True))), len(before) + 4)
        self.assertEqual(User.objects.filter(username="lucas.martin").count(), 1)
        self.assertEqual(Membership.objects.filter(role=Role.STUDENT).count(), 6 + 4 * 30)
        self.assertGreater(User.objects.count(), people + 4 * 30)

    def test_seed_refuses_an_empty_region(self):
        """Zero establishments or zero students is a clear error, not an empty run."""
        for args in [("--establishments", "0"), ("--students-per-establishment", "0")]:
            with self.subTest(args=args), self.assertRaisesMessage(CommandError, "au moins un établissement"):
                self.seed(*args)
