"""The privacy centre's demo: claire.martin opens « Qui a consulté » for Lucas."""

from django.test import TestCase
from django.urls import reverse

from cartable.core.models import AuditEvent
from cartable.demo.region import load_demo_region
from cartable.directory.models import Role


class WhoReadLucasDemoTests(TestCase):
    @classmethod
    def setUpTestData(cls):
        cls.region = load_demo_region()
        cls.people = cls.region.personas.people

    def test_paul_read_lucass_grades_and_nadia_his_absences_in_their_roles(self):
        """The rows come from the real read helpers, with the role each acted through."""
        lucas = self.people["lucas.martin"]
        reads = AuditEvent.objects.filter(kind=AuditEvent.Kind.READ, subject_id=lucas.pk)
        paul = set(reads.filter(actor=self.people["paul.dupont"]).values_list("verb", "role"))
        nadia = set(reads.filter(actor=self.people["nadia.petit"]).values_list("verb", "role"))
        self.assertEqual(paul, {("grades.read_gradebook", Role.TEACHER)})
        self.assertEqual(nadia, {("attendance.view_student", Role.EDUCATION)})

    def test_claire_sees_them_in_words(self):
        self.client.force_login(self.people["claire.martin"])
        page = self.client.get(reverse("privacy:who_read", args=[self.people["lucas.martin"].pk])).content.decode()
        paul, nadia = page.index("Paul Dupont"), page.index("Nadia Petit")
        paul_part = page[paul:nadia] if paul < nadia else page[paul:]
        nadia_part = page[nadia:paul] if nadia < paul else page[nadia:]
        self.assertIn("a consulté les notes, 3 fois", paul_part)
        self.assertNotIn("absences", paul_part)
        self.assertIn("a consulté les absences, 1 fois", nadia_part)
        self.assertNotIn("notes", nadia_part)

    def test_claires_rectification_request_waits_in_marcs_queue(self):
        self.client.force_login(self.people["marc.leroy"])
        page = self.client.get(reverse("privacy:queue")).content.decode()
        self.assertIn("Rectification (art. 16)", page)
        self.assertIn("Lucas Martin", page)
        self.assertIn("par Claire Martin", page)
