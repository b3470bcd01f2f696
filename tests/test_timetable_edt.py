"""Timetables from EDT and UDT exports: the persona collège's week read from invented files in the true layouts.

The import matches teachers (by jointure, else by name), classes, groups and subjects; writes every week, A
and B lessons; reports other rhythms and leaves those courses out; refuses a file with one bad course whole;
simulates; never touches a lesson made by hand; and records each run.
"""

import datetime as dt
import io
import tempfile
import zipfile
from io import StringIO
from pathlib import Path

from django.core.files.uploadedfile import SimpleUploadedFile
from django.core.management import CommandError, call_command
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from cartable.core.models import AuditEvent
from cartable.directory.actor import Actor
from cartable.directory.models import ExternalIdentifier
from cartable.timetable import actions, exports
from cartable.timetable.models import LessonChange, Room, Slot, TimetableImport, TimetableSettings, Weeks
from tests.support.personas import PersonaTestCase
from tests.support.timetable import MONDAY_A, build_timetable
from tests.support.timetable_exports import (
    BAD_PATTERN,
    EDT_COURSES,
    UDT_BAD_PATTERN,
    UDT_COURSES,
    UDT_UNKNOWN_TEACHER,
    UNKNOWN_TEACHER,
    edt_line,
    edt_xml,
    udt_zip,
)

T = dt.time
# Queries of the import page (the form and the last ten runs) and of a run's report, however many runs.
IMPORT_PAGE_BUDGET = 4
REPORT_BUDGET = 5


def shape(slots) -> set[tuple]:
    """Slots as (weekday, start, end, subject code, class or group, teacher, room, weeks)."""
    return {
        (
            s.weekday,
            s.start_time,
            s.end_time,
            s.assignment.subject.code,
            str(s.assignment.school_class or s.assignment.group),
            s.assignment.teacher.username,
            s.room.name if s.room else "",
            s.weeks,
        )
        for s in slots
    }


WEEK = {
    (0, T(8), T(9), "MATH", "5e A", "paul.dupont", "B12", Weeks.ALL),
    (1, T(9), T(10), "FRA", "5e A", "sophie.bernard", "C3", Weeks.ALL),
    (4, T(10), T(11), "MATH", "5e A", "paul.dupont", "B12", Weeks.A),
    (4, T(10), T(11), "FRA", "5e A", "sophie.bernard", "C3", Weeks.B),
    (3, T(15), T(16), "LAT", "Latin 5e", "sophie.bernard", "Salle du Cœur", Weeks.ALL),
}


class ExportTestCase(PersonaTestCase):
    def setUp(self):
        self.college = self.school.college.establishment
        self.year_start = self.school.college.year.start_date
        TimetableSettings.objects.create(establishment=self.college, week_a_monday=MONDAY_A)
        self.manager = Actor(self.people["marc.leroy"])

    def run_import(self, data: bytes, *, name="EXP_COURS.xml", dry_run=False, valid_from=MONDAY_A):
        return actions.import_timetable_export(
            actor=self.manager,
            establishment=self.college,
            file_name=name,
            data=data,
            valid_from=valid_from,
            dry_run=dry_run,
        )

    def imported(self):
        return Slot.objects.filter(establishment=self.college, fed_by__in=["edt", "udt"]).exclude(
            valid_until__lt=MONDAY_A
        )

    def udt(self, **kwargs) -> bytes:
        return udt_zip(first_monday=MONDAY_A, year_start=self.year_start, **kwargs)


class EdtTests(ExportTestCase):
    def test_an_edt_export_becomes_the_week_with_a_and_b_lessons_rooms_and_a_group(self):
        """ISO-8859-15 as declared (« Cœur »), a class written « 5E A », Q1 and Q2 as weeks A and B, the Latin
        group's lesson; missing rooms created, existing assignments reused; one audited run."""
        run, _plan = self.run_import(edt_xml())
        self.assertEqual(run.outcome, TimetableImport.Outcome.APPLIED)
        self.assertEqual(run.format, "edt")
        self.assertEqual(shape(self.imported()), WEEK)
        self.assertEqual(run.counts["slots"], {"created": 5, "changed": 0, "ended": 0, "unchanged": 0})
        self.assertEqual(run.counts["rooms"], {"created": 3})
        self.assertEqual(run.counts["assignments"], {"created": 0})
        self.assertEqual(len(run.sha256), 64)
        self.assertEqual(run.warnings, [])
        written = AuditEvent.objects.filter(verb="timetable.import_export.create")
        self.assertEqual(written.count(), 8)  # 3 rooms, 5 lessons
        self.assertTrue(all(e.after["run"] == run.pk for e in written))
        self.assertEqual(AuditEvent.objects.get(verb="timetable.import_export").after["outcome"], "applied")

    def test_a_dry_run_lists_the_difference_and_writes_nothing(self):
        """The simulation says what it would create, in words; lessons, rooms and assignments stay as they were."""
        before = (Slot.objects.count(), Room.objects.count())
        run, _plan = self.run_import(edt_xml(), dry_run=True)
        self.assertEqual(run.outcome, TimetableImport.Outcome.DRY_RUN)
        self.assertEqual((Slot.objects.count(), Room.objects.count()), before)
        self.assertFalse(AuditEvent.objects.filter(verb__startswith="timetable.import_export.").exists())
        self.assertIn("+ lundi 08:00–09:00, Mathématiques — 5e A — M. Paul Dupont, salle B12", run.changes)
        self.assertIn(
            "+ vendredi 10:00–11:00 (semaine A), Mathématiques — 5e A — M. Paul Dupont, salle B12", run.changes
        )
        self.assertIn("+ salle Salle du Cœur", run.changes)
        self.assertEqual(run.counts["slots"]["created"], 5)

    def test_importing_the_same_file_again_changes_nothing(self):
        """A second import of the same export: every lesson unchanged, no row written but the run."""
        self.run_import(edt_xml())
        ids = set(self.imported().values_list("pk", flat=True))
        events = AuditEvent.objects.count()
        run, _plan = self.run_import(edt_xml())
        self.assertEqual(run.counts["slots"], {"created": 0, "changed": 0, "ended": 0, "unchanged": 5})
        self.assertEqual(set(self.imported().values_list("pk", flat=True)), ids)
        self.assertEqual(AuditEvent.objects.count(), events + 1)  # the run's own audit row
        self.assertEqual(run.changes, [])

    def test_a_new_export_changes_ends_and_creates_from_its_date_and_leaves_hand_made_lessons(self):
        """Maths moves to C3, French on Tuesday goes, a Wednesday lesson comes: from the new date only (the old
        versions end the day before, their later changes move to the new version); hand-made lessons stay."""
        TimetableSettings.objects.filter(establishment=self.college).delete()  # build_timetable sets its own
        hand_made = build_timetable(self.school)
        first = MONDAY_A - dt.timedelta(weeks=2)
        self.run_import(edt_xml(), valid_from=first)
        monday = self.imported().get(weekday=0)
        later = LessonChange.objects.create(
            establishment=self.college,
            kind=LessonChange.Kind.CANCELLED,
            slot=monday,
            date=MONDAY_A + dt.timedelta(weeks=1),
        )
        courses = list(EDT_COURSES)
        courses[0] = (*courses[0][:9], "C3")
        del courses[1]
        courses.append(("mercredi", "08h00", "1h00", "H", "FRA", "FRANCAIS", "BERNARD", "Sophie", "4e B", "C3"))
        run, _plan = self.run_import(edt_xml(courses))
        self.assertEqual(run.counts["slots"], {"created": 1, "changed": 1, "ended": 1, "unchanged": 3})
        self.assertIn(
            "~ lundi 08:00–09:00, Mathématiques — 5e A — M. Paul Dupont, salle C3 : salle B12 → C3", run.changes
        )
        self.assertTrue(any(line.startswith("- mardi 09:00–10:00, Français — 5e A") for line in run.changes))
        monday.refresh_from_db()
        self.assertEqual(monday.valid_until, MONDAY_A - dt.timedelta(days=1))
        new_monday = self.imported().get(weekday=0, valid_from=MONDAY_A)
        self.assertEqual(new_monday.room.name, "C3")
        later.refresh_from_db()
        self.assertEqual(later.slot_id, new_monday.pk)
        tuesday = Slot.objects.get(fed_by="edt", weekday=1)
        self.assertEqual(tuesday.valid_until, MONDAY_A - dt.timedelta(days=1))
        for name in ("math_monday", "french_tuesday", "latin_thursday", "french_4b"):
            slot = hand_made[name]
            slot.refresh_from_db()
            self.assertIsNone(slot.valid_until, name)
            self.assertEqual(slot.fed_by, "")

    def test_one_unknown_teacher_refuses_the_whole_file_naming_the_line(self):
        """« MARTIN Jean » teaches nowhere here: the file is refused, its line named, nothing written."""
        run, _plan = self.run_import(edt_xml([*EDT_COURSES, UNKNOWN_TEACHER]))
        self.assertEqual(run.outcome, TimetableImport.Outcome.REFUSED)
        self.assertIsNone(_plan)
        self.assertEqual(
            run.errors,
            [
                {
                    "file": "EXP_COURS.xml",
                    "line": edt_line(5),
                    "message": "Enseignant inconnu dans l'établissement « Jean MARTIN ».",
                }
            ],
        )
        self.assertFalse(Slot.objects.exists())
        self.assertFalse(Room.objects.filter(name="Salle du Cœur").exists())

    def test_another_week_pattern_is_reported_and_left_out(self):
        """« T1 » is neither every week, nor A, nor B: a warning with its line, the other courses imported."""
        run, _plan = self.run_import(edt_xml([*EDT_COURSES, BAD_PATTERN]))
        self.assertEqual(run.outcome, TimetableImport.Outcome.APPLIED)
        self.assertEqual(shape(self.imported()), WEEK)
        self.assertEqual(len(run.warnings), 1)
        self.assertEqual(run.warnings[0]["line"], edt_line(5))
        self.assertIn("Semaines « T1 » non prises en charge", run.warnings[0]["message"])

    def test_bad_courses_each_name_their_line_and_what_is_wrong(self):
        """A day, a time, a duration, a class and a subject unknown: every error with its line."""
        bad = [
            ("dimanche", "25h00", "deux heures", "H", "MATH", "", "DUPONT", "Paul", "5e A", ""),
            ("lundi", "08h00", "1h00", "H", "XYZ", "", "DUPONT", "Paul", "6e Z", ""),
        ]
        run, _plan = self.run_import(edt_xml([EDT_COURSES[0], *bad]))
        by_line: dict[int, str] = {}
        for item in run.errors:
            by_line[item["line"]] = by_line.get(item["line"], "") + item["message"]
        self.assertEqual(set(by_line), {edt_line(1), edt_line(2)})
        for expected in ("Jour inconnu « dimanche »", "Heure de début illisible", "Durée illisible"):
            self.assertIn(expected, by_line[edt_line(1)])
        for expected in ("Classe ou groupe inconnu « 6e Z »", "Matière inconnue « XYZ »"):
            self.assertIn(expected, by_line[edt_line(2)])

    def test_unsafe_or_unknown_files_are_refused_with_a_french_message(self):
        """Entities, malformed XML (with its line), another XML, a zip with « .. » or without UDT tables."""
        entity = (
            b'<?xml version="1.0"?>\n<!DOCTYPE TABLE [<!ENTITY x SYSTEM "file:///etc/passwd">]>\n<TABLE>&x;</TABLE>'
        )
        malformed = b'<?xml version="1.0"?>\n<TABLE nom="Cours">\n<Cours>\n</TABLE>\n'
        other = b'<?xml version="1.0"?>\n<ficAlimMENESR/>\n'
        sneaky, empty = io.BytesIO(), io.BytesIO()
        with zipfile.ZipFile(sneaky, "w") as archive:
            archive.writestr("../UDCal_12.xml", "<UDT/>")
        with zipfile.ZipFile(empty, "w") as archive:
            archive.writestr("notes.txt", "rien")
        cases = [
            (entity, "entités XML"),
            (malformed, "XML mal formé"),
            (other, "Format non reconnu"),
            (sneaky.getvalue(), "Chemin refusé dans l'archive"),
            (empty.getvalue(), "Format non reconnu"),
        ]
        for data, expected in cases:
            with self.subTest(expected=expected):
                run, _plan = self.run_import(data)
                self.assertEqual(run.outcome, TimetableImport.Outcome.REFUSED)
                self.assertIn(expected, run.errors[0]["message"])
        self.assertEqual(self._line_of(malformed), 4)
        self.assertFalse(Slot.objects.exists())

    def _line_of(self, data: bytes) -> int:
        return exports.read("x.xml", data).errors[0].line


class UdtTests(ExportTestCase):
    def setUp(self):
        super().setUp()
        ExternalIdentifier.objects.create(
            person=self.people["paul.dupont"], source="aaf", issuer=self.college.academy.code, value="JT-PAUL"
        )

    def test_a_udt_export_gives_the_same_week_from_its_published_weeks(self):
        """Paul by his jointure, Sophie by her name, a class by its code, the group by its STS code, rooms by
        name; weeks read from the weekly tables: every week, A weeks, B weeks."""
        run, _plan = self.run_import(self.udt(), name="export_udt.zip")
        self.assertEqual(run.format, "udt")
        self.assertEqual(run.errors, [])
        self.assertEqual(run.warnings, [])
        self.assertEqual(shape(self.imported()), WEEK)
        again, _plan = self.run_import(self.udt(), name="export_udt.zip")
        self.assertEqual(again.counts["slots"]["unchanged"], 5)

    def test_the_jointure_is_what_matches_a_teacher_even_when_names_differ(self):
        """Paul is found by his AAF jointure: his name in UDT does not matter."""
        teacher = self.people["paul.dupont"]
        teacher.last_name = "Dupont-Moreau"
        teacher.save(update_fields=["last_name"])
        run, _plan = self.run_import(self.udt())
        self.assertEqual(run.errors, [])

    def test_a_course_on_some_weeks_only_is_reported_not_approximated(self):
        """Three weeks out of six, not A nor B: a warning naming the file and line; the rest is imported."""
        run, _plan = self.run_import(self.udt(courses=[*UDT_COURSES, UDT_BAD_PATTERN]))
        self.assertEqual(run.outcome, TimetableImport.Outcome.APPLIED)
        self.assertEqual(shape(self.imported()), WEEK)
        self.assertEqual(len(run.warnings), 1)
        self.assertEqual(run.warnings[0]["file"], "UDCal_12.xml")
        self.assertGreater(run.warnings[0]["line"], 1)
        self.assertIn("3 semaines sur 6", run.warnings[0]["message"])

    def test_a_closed_day_does_not_break_a_weekly_course(self):
        """A Monday off (a non-school day) in one published week: the Monday lesson is still every week."""
        from cartable.timetable.models import NonSchoolDay

        off = MONDAY_A + dt.timedelta(weeks=2)
        NonSchoolDay.objects.create(establishment=self.college, label="Pont", start_date=off, end_date=off)
        courses = [c if c[0] != 1 else (*c[:8], tuple(w for w in range(6) if w != 2)) for c in UDT_COURSES]
        run, _plan = self.run_import(self.udt(courses=courses))
        self.assertEqual(run.warnings, [])
        self.assertEqual(shape(self.imported()), WEEK)

    def test_an_unknown_teacher_refuses_the_export(self):
        """Jean Martin is nobody here: refused, with the line of his course in UDCal_12.xml."""
        run, _plan = self.run_import(self.udt(courses=[*UDT_COURSES, UDT_UNKNOWN_TEACHER]))
        self.assertEqual(run.outcome, TimetableImport.Outcome.REFUSED)
        self.assertEqual(run.errors[0]["file"], "UDCal_12.xml")
        self.assertIn("Enseignant inconnu dans l'établissement « Jean MARTIN »", run.errors[0]["message"])
        self.assertFalse(Slot.objects.exists())

    def test_alternating_weeks_need_the_week_a_reference(self):
        """Without a week A set, an every-other-week course cannot be named A or B: reported."""
        TimetableSettings.objects.filter(establishment=self.college).delete()
        run, _plan = self.run_import(self.udt())
        self.assertEqual(len(run.warnings), 2)
        self.assertTrue(all("aucune semaine A" in w["message"] for w in run.warnings))
        self.assertEqual(run.counts["slots"]["created"], 3)

    def test_a_missing_table_is_named(self):
        """A zip of UDT tables without the time sheets: the missing table is named."""
        source = zipfile.ZipFile(io.BytesIO(self.udt()))
        buffer = io.BytesIO()
        with zipfile.ZipFile(buffer, "w") as archive:
            for info in source.infolist():
                if not info.filename.endswith("UDCal_11.xml"):
                    archive.writestr(info.filename, source.read(info))
        run, _plan = self.run_import(buffer.getvalue())
        self.assertIn("UDCal_11.xml", run.errors[0]["message"])


class PageAndCommandTests(ExportTestCase):
    def upload(self, data: bytes, name="EXP_COURS.xml", **extra):
        self.login("marc.leroy")
        body = {"file": SimpleUploadedFile(name, data), "valid_from": MONDAY_A.isoformat(), **extra}
        return self.client.post(reverse("timetable:import"), body)

    def test_the_page_recognises_an_export_simulates_then_imports(self):
        """The same upload page as the CSV: a simulation leads to its report, then the import writes."""
        response = self.upload(edt_xml(), dry_run="on")
        run = TimetableImport.objects.get()
        self.assertRedirects(response, reverse("timetable:import_run", args=[run.pk]))
        report = self.client.get(reverse("timetable:import_run", args=[run.pk]))
        self.assertContains(report, "Simulation : rien n'a été écrit.")
        self.assertContains(report, "+ mardi 09:00–10:00, Français — 5e A — Mme Sophie Bernard, salle C3")
        self.assertFalse(Slot.objects.exists())
        self.upload(edt_xml())
        self.assertEqual(shape(self.imported()), WEEK)
        page = self.client.get(reverse("timetable:import"))
        self.assertContains(page, "Derniers imports d'EDT et d'UDT")
        self.assertContains(page, "Simulé (rien d&#x27;écrit)")

    def test_a_refused_export_is_shown_on_the_page_with_its_lines(self):
        """A 400 listing every error with its line; the date chosen is kept in the form."""
        response = self.upload(edt_xml([*EDT_COURSES, UNKNOWN_TEACHER]), dry_run="on")
        self.assertEqual(response.status_code, 400)
        self.assertContains(response, "1 erreur : rien n'a été importé.", status_code=400)
        self.assertContains(response, f"<td>{edt_line(5)}</td>", status_code=400)
        self.assertContains(response, f'value="{MONDAY_A.isoformat()}"', status_code=400)

    def test_only_managers_see_the_reports(self):
        """A run's report: a 404 for a teacher, a family, or charlie from the other school."""
        run, _plan = self.run_import(edt_xml(), dry_run=True)
        for username, status in [
            ("nadia.petit", 200),
            ("paul.dupont", 404),
            ("claire.martin", 404),
            ("charlie.roux", 404),
        ]:
            with self.subTest(username=username):
                self.login(username)
                self.assertEqual(self.client.get(reverse("timetable:import_run", args=[run.pk])).status_code, status)

    def test_the_pages_query_budgets_do_not_grow_with_the_runs(self):
        """The import page (form and history) and a report cost the same with one run or ten."""
        self.login("marc.leroy")
        counts = {}
        for runs in (1, 10):
            while TimetableImport.objects.count() < runs:
                run, _plan = self.run_import(edt_xml(), dry_run=True)
            for url in (reverse("timetable:import"), reverse("timetable:import_run", args=[run.pk])):
                self.client.get(url)  # the session and the actor's caches warmed once
                with CaptureQueriesContext(connection) as queries:
                    self.assertEqual(self.client.get(url).status_code, 200)
                counts[(url.count("/"), runs)] = len(queries)
        self.assertEqual(counts[(3, 1)], counts[(3, 10)])  # the import page
        self.assertEqual(counts[(4, 1)], counts[(4, 10)])  # a report
        self.assertEqual((counts[(3, 10)], counts[(4, 10)]), (IMPORT_PAGE_BUDGET, REPORT_BUDGET))

    def test_the_command_simulates_imports_and_refuses(self):
        """cartable import_timetable recognises the export, prints the difference with --dry-run, then writes;
        a bad file is refused with its lines."""
        with tempfile.TemporaryDirectory() as folder:
            good, bad, udt = Path(folder, "EXP_COURS.xml"), Path(folder, "bad.xml"), Path(folder, "udt.zip")
            good.write_bytes(edt_xml())
            bad.write_bytes(edt_xml([*EDT_COURSES, UNKNOWN_TEACHER]))
            out = StringIO()
            call_command(
                "import_timetable", "0540042K", str(good), "--from", MONDAY_A.isoformat(), "--dry-run", stdout=out
            )
            self.assertIn("+ lundi 08:00–09:00, Mathématiques — 5e A", out.getvalue())
            self.assertIn("Simulation : rien n'a été écrit.", out.getvalue())
            self.assertFalse(Slot.objects.exists())
            out = StringIO()
            call_command("import_timetable", "0540042K", str(good), "--from", MONDAY_A.isoformat(), stdout=out)
            self.assertIn("cours créés 5", out.getvalue())
            err = StringIO()
            with self.assertRaises(CommandError):
                call_command("import_timetable", "0540042K", str(bad), stderr=err)
            self.assertIn(f"EXP_COURS.xml, ligne {edt_line(5)}".replace("EXP_COURS", "bad"), err.getvalue())
            udt.write_bytes(self.udt(courses=[*UDT_COURSES, UDT_BAD_PATTERN]))
            ExternalIdentifier.objects.create(
                person=self.people["paul.dupont"], source="aaf", issuer=self.college.academy.code, value="JT-PAUL"
            )
            err = StringIO()
            call_command(
                "import_timetable", "0540042K", str(udt), "--from", MONDAY_A.isoformat(), stderr=err, stdout=StringIO()
            )
            self.assertIn("avertissement : UDCal_12.xml, ligne", err.getvalue())
        self.assertEqual(shape(self.imported()), WEEK)
        self.assertEqual(TimetableImport.objects.count(), 4)
