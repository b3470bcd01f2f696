"""The timetable's CSV import: a good file is written at once and audited once; one bad line imports nothing."""

import tempfile
from io import StringIO
from pathlib import Path

from django.core.files.uploadedfile import SimpleUploadedFile
from django.core.management import CommandError, call_command
from django.urls import reverse

from cartable.core.models import AuditEvent
from cartable.directory.models import TeachingAssignment
from cartable.timetable import imports
from cartable.timetable.models import Room, Slot, Weeks
from tests.support.personas import PersonaTestCase

GOOD = """Jour;Début;Fin;Matière;Enseignant;Classe;Salle;Semaines
lundi;08:00;09:00;MATH;paul.dupont;5e A;B12;toutes
2;9h;10h;FRA;sophie.bernard;5e A;C3;
vendredi;10:15;11:15;HG;sophie.bernard;4e B;B12;A
jeudi;15:45;16:45;LAT;sophie.bernard;Latin 5e;;B
"""

BAD = """jour,debut,fin,matiere,enseignant,classe,salle,semaines
lundi,08:00,09:00,MATH,paul.dupont,5e A,B12,toutes
dimanche,25:00,09:00,XYZ,charlie.roux,6e Z,B12,C
mardi,10:00,09:00,MATH,paul.dupont,5e A,,A
"""


class ImportTests(PersonaTestCase):
    def setUp(self):
        self.college = self.school.college.establishment

    def test_a_good_file_is_parsed_whatever_the_separator_and_accents(self):
        """Semicolons or commas, accents or not in the header, day names or numbers, 8h or 08:00."""
        for text in [GOOD, GOOD.replace(";", ",")]:
            with self.subTest(separator=text[4]):
                parsed = imports.parse(text, self.college)
                self.assertEqual(parsed.errors, [])
                self.assertEqual(
                    [(r.weekday, r.weeks) for r in parsed.rows], [(0, "all"), (1, "all"), (4, "A"), (3, "B")]
                )
                self.assertEqual(parsed.rows[3].group.name, "Latin 5e")

    def test_every_bad_line_is_reported_with_its_number(self):
        """Each error names its line and what is wrong; good lines are not enough to import."""
        parsed = imports.parse(BAD, self.college)
        self.assertFalse(parsed.ok)
        lines = {line for line, _message in parsed.errors}
        self.assertEqual(lines, {3, 4})
        messages = " ".join(m for line, m in parsed.errors if line == 3)
        for expected in [
            "Jour inconnu",
            "Heure de début illisible",
            "Matière inconnue",
            "Enseignant inconnu",
            "Classe ou groupe inconnu",
            "Semaines",
        ]:
            self.assertIn(expected, messages)
        self.assertIn("doit suivre", " ".join(m for line, m in parsed.errors if line == 4))

    def test_a_file_without_the_columns_is_refused(self):
        """A missing column is named."""
        parsed = imports.parse("jour;debut\nlundi;08:00\n", self.college)
        self.assertIn("Colonnes manquantes", parsed.errors[0][1])

    def test_staff_upload_a_good_file_in_one_audited_import(self):
        """The page imports the lessons, creates the rooms and missing assignments, and audits once."""
        self.login("marc.leroy")
        upload = SimpleUploadedFile("edt.csv", GOOD.encode("utf-8-sig"), content_type="text/csv")
        response = self.client.post(reverse("timetable:import"), {"file": upload, "valid_from": "2026-09-01"})
        self.assertEqual(response.status_code, 302)
        self.assertEqual(Slot.objects.filter(establishment=self.college).count(), 4)
        self.assertEqual(set(Room.objects.values_list("name", flat=True)), {"B12", "C3"})
        self.assertTrue(
            TeachingAssignment.objects.filter(subject__code="HG", teacher__username="sophie.bernard").exists()
        )
        event = AuditEvent.objects.get(verb="timetable.import")
        self.assertEqual(event.after["slots"], 4)
        self.assertEqual(event.after["rooms"], 2)
        self.assertEqual(event.after["assignments"], 1)
        self.assertEqual(Slot.objects.get(weekday=4).weeks, Weeks.A)

    def test_a_bad_file_imports_nothing_and_lists_its_errors(self):
        """One wrong line: every error shown line by line, nothing written, nothing audited."""
        self.login("nadia.petit")
        upload = SimpleUploadedFile("edt.csv", BAD.encode(), content_type="text/csv")
        response = self.client.post(reverse("timetable:import"), {"file": upload, "valid_from": "2026-09-01"})
        self.assertContains(response, "7 erreurs : rien n'a été importé.")
        self.assertContains(response, "<td>3</td>", html=False)
        self.assertContains(response, "<td>4</td>", html=False)
        self.assertFalse(Slot.objects.exists())
        self.assertFalse(AuditEvent.objects.filter(verb="timetable.import").exists())
        upload = SimpleUploadedFile("edt.csv", "jour;début\n".encode("latin-1"), content_type="text/csv")
        response = self.client.post(reverse("timetable:import"), {"file": upload, "valid_from": "2026-09-01"})
        self.assertContains(response, "UTF-8")

    def test_replacing_ends_the_lessons_in_force(self):
        """A second import with replace ends the lessons in force the day before it applies."""
        self.login("marc.leroy")
        for valid_from, replace in [("2026-09-01", False), ("2026-11-30", True)]:
            upload = SimpleUploadedFile("edt.csv", GOOD.encode(), content_type="text/csv")
            data = {"file": upload, "valid_from": valid_from}
            if replace:
                data["replace"] = "on"
            self.client.post(reverse("timetable:import"), data)
        self.assertEqual(Slot.objects.count(), 8)
        self.assertEqual(Slot.objects.filter(valid_until__isnull=False).count(), 4)
        self.assertEqual(str(Slot.objects.exclude(valid_until=None).first().valid_until), "2026-11-29")

    def test_teachers_and_families_cannot_import(self):
        """The import page is the managers': a 404 for anyone else."""
        for username in ["paul.dupont", "lucas.martin", "claire.martin", "charlie.roux"]:
            with self.subTest(username=username):
                self.login(username)
                self.assertEqual(self.client.get(reverse("timetable:import")).status_code, 404)

    def test_the_management_command_imports_or_lists_errors(self):
        """cartable import_timetable writes a good file and refuses a bad one with its errors."""
        with tempfile.TemporaryDirectory() as folder:
            good, bad = Path(folder, "good.csv"), Path(folder, "bad.csv")
            good.write_text(GOOD, encoding="utf-8")
            bad.write_text(BAD, encoding="utf-8")
            out = StringIO()
            call_command("import_timetable", "0540042K", str(good), "--from", "2026-09-01", stdout=out)
            self.assertIn("4 cours importés", out.getvalue())
            err = StringIO()
            with self.assertRaises(CommandError):
                call_command("import_timetable", "0540042K", str(bad), stderr=err)
            self.assertIn("ligne 3", err.getvalue())
            with self.assertRaises(CommandError):
                call_command("import_timetable", "9999999Z", str(good))
        self.assertEqual(Slot.objects.count(), 4)
        self.assertEqual(AuditEvent.objects.filter(verb="timetable.import").count(), 1)
