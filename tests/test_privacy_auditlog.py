"""The audit-log viewer: the establishment's ENT administrator and the region browse and export its trail."""

import csv
import io

from django.urls import reverse

from cartable.core import audit
from cartable.core.models import AuditEvent
from cartable.privacy.auditlog import safe_cell
from tests.support.personas import PersonaTestCase


class AuditLogTests(PersonaTestCase):
    @classmethod
    def setUpTestData(cls):
        super().setUpTestData()
        cls.college = cls.school.college.establishment
        cls.lucas = cls.people["lucas.martin"]

    def url(self, establishment=None, **params):
        base = reverse("privacy:audit_log", args=[(establishment or self.college).pk])
        return base + ("?" + "&".join(f"{k}={v}" for k, v in params.items()) if params else "")

    def csv_url(self, **params):
        base = reverse("privacy:audit_csv", args=[self.college.pk])
        return base + ("?" + "&".join(f"{k}={v}" for k, v in params.items()) if params else "")

    def test_who_opens_the_colleges_audit_log(self):
        """Its ENT administrator and the region; not its head, a teacher, the CPE, a family nor another school."""
        for who, expected in [
            ("julie.moreau", 200),
            ("admin.region", 200),
            ("marc.leroy", 404),
            ("paul.dupont", 404),
            ("nadia.petit", 404),
            ("claire.martin", 404),
            ("lucas.martin", 404),
            ("charlie.roux", 404),
        ]:
            with self.subTest(who=who):
                self.login(who)
                self.assertEqual(self.client.get(self.url()).status_code, expected)
                self.assertEqual(self.client.get(self.csv_url()).status_code, expected)

    def test_filters_narrow_to_reads_of_a_person_by_an_actor(self):
        audit.record_read(actor=self.actor("paul.dupont"), verb="grades.read_student", subject_id=self.lucas.pk)
        audit.record_read(actor=self.actor("nadia.petit"), verb="attendance.view_absence", subject_id=self.lucas.pk)
        self.login("julie.moreau")
        page = self.client.get(self.url(kind="read", subject="lucas.martin", actor="Dupont")).content.decode()
        self.assertIn("grades.read_student", page)
        self.assertNotIn("attendance.view_absence", page)
        page = self.client.get(self.url(module="attendance")).content.decode()
        self.assertIn("attendance.view_absence", page)
        self.assertNotIn("grades.read_student", page)
        viewed = (
            AuditEvent.objects.filter(verb="privacy.view_audit", actor=self.people["julie.moreau"])
            .order_by("id")
            .first()
        )
        self.assertEqual(viewed.after["kind"], "read")
        self.assertEqual(viewed.after["subject"], "lucas.martin")

    def test_the_csv_is_streamed_escaped_and_its_export_recorded(self):
        """A cell starting like a formula gets an apostrophe, so a spreadsheet shows it instead of running it."""
        audit.record(actor=self.actor("marc.leroy"), verb="grades.edit", target=self.lucas, subject_id=self.lucas.pk)
        self.people["marc.leroy"].__class__.objects.filter(pk=self.people["marc.leroy"].pk).update(
            first_name="=HYPERLINK(1)"
        )
        self.login("julie.moreau")
        response = self.client.get(self.csv_url(module="grades"))
        self.assertTrue(response.streaming)
        rows = list(csv.reader(io.StringIO(b"".join(response.streaming_content).decode("utf-8-sig")), delimiter=";"))
        self.assertEqual(rows[0][2], "Action")
        self.assertEqual(rows[1][2], "grades.edit")
        self.assertTrue(rows[1][3].startswith("'=HYPERLINK(1)"))
        self.assertTrue(AuditEvent.objects.filter(verb="privacy.export_audit", after__module="grades").exists())

    def test_formula_like_cells_are_escaped(self):
        for raw, safe in [("=1+1", "'=1+1"), ("+33", "'+33"), ("-2", "'-2"), ("@SUM", "'@SUM"), ("Paul", "Paul")]:
            with self.subTest(raw=raw):
                self.assertEqual(safe_cell(raw), safe)

    def test_the_page_costs_the_same_with_more_rows(self):
        self.login("julie.moreau")
        self.client.get(self.url())
        with self.assertNumQueries(7):
            self.client.get(self.url())
        paul = self.actor("paul.dupont")
        for _ in range(150):
            audit.record_read(actor=paul, verb="grades.read_student", subject_id=self.lucas.pk)
        with self.assertNumQueries(7):
            page = self.client.get(self.url()).content.decode()
        self.assertIn("Plus anciennes", page)
