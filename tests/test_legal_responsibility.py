"""A guardian without legal responsibility (a grandparent or host family named as a contact) follows the
child's days, not what the law keeps for those who hold parental authority.

Claire Martin is Lucas's and Emma's mother. Here her link to Lucas is made a contact's (no legal
responsibility): she still sees Lucas's timetable, homework and classes, but no longer his grades, report
cards, absences (nor may she justify or declare them) or disciplinary file; Emma's stay open to her.
"""

import datetime as dt

from django.utils import timezone

from cartable.attendance.models import Absence
from cartable.core import authz
from cartable.core.authz import Action
from cartable.directory.models import Guardianship, Role
from cartable.discipline.queries import family_student_id
from cartable.reportcards.models import ReportCard
from tests.support.personas import PersonaTestCase


class LegalResponsibilityTests(PersonaTestCase):
    def setUp(self):
        Guardianship.objects.filter(guardian=self.people["claire.martin"], student=self.people["lucas.martin"]).update(
            legal_responsibility=False
        )
        self.lucas, self.emma = self.people["lucas.martin"], self.people["emma.martin"]

    def claire(self, establishment=None):
        return self.actor("claire.martin", role=Role.GUARDIAN, establishment=establishment)

    def test_the_actor_knows_which_children_are_legal(self):
        claire = self.claire()
        self.assertEqual(claire.children_ids, {self.lucas.pk, self.emma.pk})
        self.assertEqual(claire.legal_children_ids, {self.emma.pk})
        self.assertNotIn(self.lucas.pk, claire.legal_family_student_ids)

    def test_grades_are_closed_but_the_days_stay_open(self):
        college = self.school.college.establishment
        claire = self.claire(college)
        for name in ("grades.view_student", "grades.read_as_family", "grades.view_student_averages"):
            with self.subTest(permission=name):
                self.assertFalse(authz.can(claire, name, self.lucas))
        self.assertTrue(authz.allows(claire, Action.VIEW, self.school.college.classes["5e A"]))
        self.assertTrue(authz.allows(claire, Action.VIEW, self.lucas))  # the annuaire still shows her child
        self.assertIn(self.lucas.pk, claire.children_ids)  # and the timetable, homework, agenda follow him
        lycee = self.claire(self.school.lycee.establishment)
        self.assertTrue(authz.can(lycee, "grades.read_as_family", self.emma))

    def test_absences_cannot_be_read_justified_or_declared(self):
        college = self.school.college.establishment
        now = timezone.now()
        absence = Absence.objects.create(
            establishment=college,
            student=self.lucas,
            start=now - dt.timedelta(hours=3),
            end=now - dt.timedelta(hours=2),
            source=Absence.Source.STAFF,
        )
        claire = self.claire(college)
        self.assertFalse(authz.allows(claire, Action.VIEW, absence))
        self.assertFalse(authz.can(claire, "attendance.justify", absence))
        self.assertFalse(Absence.objects.visible_to(claire).filter(pk=absence.pk).exists())
        self.assertFalse(authz.can(claire, "attendance.declare_absence"))  # Lucas is her only child here

    def test_report_cards_and_discipline_are_closed(self):
        college = self.school.college.establishment
        claire = self.claire(college)
        card = ReportCard(establishment=college, student=self.lucas, school_class=self.school.college.classes["5e A"])
        self.assertFalse(authz.allows(claire, Action.VIEW, card))
        self.assertFalse(authz.can(claire, "discipline.view_file", self.lucas))
        self.assertIsNone(family_student_id(self.actor_with_child(self.lucas.pk)))

    def actor_with_child(self, child_id):
        claire = self.claire(self.school.college.establishment)
        return claire.acting_as(claire.membership.pk, child_id=child_id)

    def test_a_legal_guardian_keeps_everything(self):
        """Nothing changes for a guardian who holds legal responsibility (Emma's side)."""
        Guardianship.objects.update(legal_responsibility=True)
        claire = self.claire(self.school.college.establishment)
        self.assertTrue(authz.can(claire, "grades.read_as_family", self.lucas))
        self.assertTrue(authz.can(claire, "discipline.view_file", self.lucas))
        self.assertEqual(family_student_id(self.actor_with_child(self.lucas.pk)), self.lucas.pk)
