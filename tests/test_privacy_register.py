"""The processing register as a PDF, and the DPO's dry run of the retention rules."""

import datetime as dt
import io

from django.core.management import call_command
from django.urls import reverse
from django.utils import timezone

from cartable.attendance.models import Absence
from cartable.core import registry
from cartable.privacy import queries
from tests.support.personas import PersonaTestCase


class RegisterPdfTests(PersonaTestCase):
    def test_the_register_is_a_public_pdf_made_without_a_query(self):
        with self.assertNumQueries(0):
            response = self.client.get(reverse("privacy:register_pdf"))
        pdf = b"".join(response.streaming_content)
        self.assertEqual(response["Content-Type"], "application/pdf")
        self.assertIn("inline", response["Content-Disposition"])
        self.assertTrue(pdf.startswith(b"%PDF"))
        self.assertIn(b"Registre des traitements", pdf)  # the document's title, uncompressed
        self.assertIn(reverse("privacy:register_pdf"), self.client.get(reverse("privacy:register")).content.decode())

    def test_the_register_prints_each_structured_rule_with_its_source(self):
        """A rule given as data shows in the register in words, with what sets it."""
        lines = [line for _app, group in queries.register() for line in group]
        ruled = [p for p in registry.data_providers().values() if p.retention_rule]
        self.assertEqual(sum(1 for line in lines if line.rule), len(ruled))
        page = self.client.get(reverse("privacy:register")).content.decode()
        self.assertIn("Jusqu&#x27;à la fin de l&#x27;année scolaire", page)
        self.assertIn("CNIL, recommandation de 2021", page)


class RetentionReportTests(PersonaTestCase):
    def test_only_the_region_reads_the_dry_run(self):
        for who, expected in [
            ("admin.region", 200),
            ("marc.leroy", 404),
            ("julie.moreau", 404),
            ("claire.martin", 404),
        ]:
            with self.subTest(who=who):
                self.login(who)
                self.assertEqual(self.client.get(reverse("privacy:retention")).status_code, expected)

    def test_the_dry_run_costs_the_same_with_more_rows_and_removes_nothing(self):
        self.login("admin.region")
        url = reverse("privacy:retention")
        self.client.get(url)
        with self.assertNumQueries(15) as first:  # one count per retention rule (TimetableImport's is new)
            self.client.get(url)
        start = timezone.now() - dt.timedelta(days=800)
        Absence.objects.bulk_create(
            Absence(
                establishment=self.school.college.establishment,
                student=self.people["lucas.martin"],
                start=start + dt.timedelta(days=i),
                end=start + dt.timedelta(days=i, hours=1),
                source="staff",
            )
            for i in range(30)
        )
        with self.assertNumQueries(len(first.captured_queries)):
            page = self.client.get(url).content.decode()
        self.assertIn("<td>30</td>", page)
        self.assertEqual(Absence.objects.filter(student=self.people["lucas.martin"]).count(), 30)


class RetentionCommandTests(PersonaTestCase):
    def test_the_command_prints_the_dry_run_then_applies_it(self):
        start = timezone.now() - dt.timedelta(days=800)
        Absence.objects.create(
            establishment=self.school.college.establishment,
            student=self.people["lucas.martin"],
            start=start,
            end=start + dt.timedelta(hours=1),
            source="staff",
        )
        out = io.StringIO()
        call_command("retention", stdout=out)
        self.assertIn("attendance.Absence\t1\t", out.getvalue())
        self.assertTrue(Absence.objects.exists())
        call_command("retention", "--apply", stdout=io.StringIO())
        self.assertFalse(Absence.objects.exists())
