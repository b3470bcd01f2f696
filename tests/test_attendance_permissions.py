"""The named permissions of school life (attendance and discipline), asked for every persona: who follows
an establishment's school life, calls the roll, declares and justifies absences, reads a student's file,
punishes, opens a procedure, oversees, sees the staff's side."""

from __future__ import annotations

import datetime as dt
from zoneinfo import ZoneInfo

from django.utils import timezone

from cartable.attendance.models import Absence, Status
from cartable.core import authz
from tests.support.personas import PersonaTestCase

PARIS = ZoneInfo("Europe/Paris")
EVERYBODY = [
    "lucas.martin",
    "claire.martin",
    "thomas.girard",
    "paul.dupont",
    "sophie.bernard",
    "nadia.petit",
    "marc.leroy",
    "julie.moreau",
    "admin.region",
    "charlie.roux",
]


class NamedPermissionMatrixTests(PersonaTestCase):
    @classmethod
    def setUpTestData(cls):
        super().setUpTestData()
        cls.college = cls.school.college.establishment
        start = dt.datetime.combine(timezone.localdate() - dt.timedelta(days=2), dt.time(8), PARIS)
        cls.record = Absence.objects.create(
            establishment=cls.college,
            student=cls.people["lucas.martin"],
            start=start,
            end=start + dt.timedelta(hours=4),
            source=Absence.Source.STAFF,
        )

    def assert_matrix(self, name: str, obj, allowed: set[str]) -> None:
        answers = {who: authz.allows(self.actor(who), name, obj) for who in EVERYBODY}
        expected = {who: who in allowed for who in EVERYBODY}
        self.assertEqual(answers, expected, f"{name}: who may (True) and who may not")

    def test_who_follows_the_college_school_life(self):
        """The CPE and the principal; not the teachers, the ENT admin, the region, families or charlie."""
        self.assert_matrix("attendance.follow_school_life", self.college, {"nadia.petit", "marc.leroy"})
        self.assertFalse(authz.allows(self.actor("nadia.petit"), "attendance.follow_school_life", None))

    def test_who_has_lessons_of_their_own_and_who_declares_absences(self):
        """Teachers call their own lessons' roll; a guardian acting as one declares absences ahead."""
        self.assert_matrix("attendance.view_own_lessons", None, {"paul.dupont", "sophie.bernard", "charlie.roux"})
        self.assert_matrix("attendance.declare_absence", None, {"claire.martin", "thomas.girard"})
        self.assertTrue(
            authz.allows(
                self.actor("sophie.bernard", role="guardian", establishment=self.college),
                "attendance.declare_absence",
                None,
            )
        )

    def test_who_justifies_an_absence(self):
        """Lucas's guardian, while the absence is not justified; nobody once it is."""
        self.assert_matrix("attendance.justify", self.record, {"claire.martin"})
        self.record.status = Status.JUSTIFIED
        self.assert_matrix("attendance.justify", self.record, set())

    def test_who_reads_a_student_absence_file(self):
        """The school life of the student's establishment only."""
        self.assert_matrix("attendance.view_student_file", self.people["lucas.martin"], {"nadia.petit", "marc.leroy"})

    def test_who_calls_a_roll_asked_about_nothing(self):
        """Asked about no lesson, the roll call permission answers no (it is asked about timetable lessons)."""
        self.assert_matrix("attendance.take_roll_call", None, set())

    def test_discipline_permissions_in_the_college(self):
        """Teachers, the CPE and the principal punish; the principal opens procedures; the CPE and the principal
        oversee; every member of staff sees the staff's side; none of it for families, the region or charlie
        (who punishes in his own collège, as paul.dupont does in the lycée where he also teaches)."""
        staff = {"paul.dupont", "sophie.bernard", "nadia.petit", "marc.leroy"}
        self.assert_matrix("discipline.punish", self.college, staff)
        self.assert_matrix("discipline.open_sanction", self.college, {"marc.leroy"})
        self.assert_matrix("discipline.oversee", self.college, {"nadia.petit", "marc.leroy"})
        self.assert_matrix("discipline.see_staff_side", self.college, staff | {"julie.moreau"})
        self.assert_matrix("discipline.punish", self.school.lycee.establishment, {"paul.dupont"})
        self.assert_matrix("discipline.punish", self.school.other.establishment, {"charlie.roux"})

    def test_who_reads_a_student_disciplinary_file(self):
        """Staff of the active establishment, the student and the guardians (charlie is staff elsewhere: his
        file page shows only what he may see, which is nothing of Lucas)."""
        allowed = {
            "lucas.martin",
            "claire.martin",
            "paul.dupont",
            "sophie.bernard",
            "nadia.petit",
            "marc.leroy",
            "julie.moreau",
            "charlie.roux",
        }
        self.assert_matrix("discipline.view_file", self.people["lucas.martin"], allowed)
