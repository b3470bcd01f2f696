"""School life: who sees what, the roll call and its corrections, absences merged over consecutive
lessons, lateness and its threshold, justifications and their decision, notices, pages and budgets."""

from __future__ import annotations

import dataclasses
import datetime as dt
from zoneinfo import ZoneInfo

from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse
from django.utils import timezone

from cartable.attendance import actions, queries
from cartable.attendance.actions import Entry
from cartable.attendance.models import (
    Absence,
    AbsenceReason,
    AttendanceSettings,
    Justification,
    Lateness,
    Mark,
    MarkChange,
    RollCall,
    State,
    Status,
)
from cartable.attendance.policies import may_call
from cartable.core import authz, dates
from cartable.core.authz import Action
from cartable.core.models import AuditEvent, Notification
from cartable.demo.personas import enrol, person
from cartable.directory.models import SchoolClass
from cartable.timetable.models import Slot
from tests.support.personas import PersonaTestCase
from tests.support.timetable import MONDAY_A, T, build_timetable

PARIS = ZoneInfo("Europe/Paris")
PDF = b"%PDF-1.4\n1 0 obj<<>>endobj\ntrailer<<>>\n%%EOF\n"
EVERYBODY = [
    "lucas.martin",
    "lea.bernard",
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


def at(day: dt.date, hour: int, minute: int = 0) -> dt.datetime:
    return dt.datetime.combine(day, dt.time(hour, minute), tzinfo=PARIS)


class AttendanceTestCase(PersonaTestCase):
    @classmethod
    def setUpTestData(cls):
        super().setUpTestData()
        cls.college = cls.school.college.establishment
        cls.five_a = SchoolClass.objects.get(name="5e A")
        cls.tt = build_timetable(cls.school)
        # French right after maths on Monday: two consecutive lessons of 5e A.
        Slot.objects.create(
            establishment=cls.college,
            assignment=cls.tt["french"],
            weekday=0,
            start_time=T(9),
            end_time=T(10),
            valid_from=cls.school.college.year.start_date,
        )
        actions.ensure_default_reasons(establishment_id=cls.college.pk)
        cls.lucas = cls.people["lucas.martin"]
        cls.lea = cls.people["lea.bernard"]
        cls.reason = AbsenceReason.objects.get(establishment=cls.college, position=0)

    def lesson(self, username: str, day: dt.date = MONDAY_A, hour: int = 8):
        actor = self.actor(username)
        found = [c.lesson for c in queries.teacher_lessons(actor, day) if c.lesson.start_time.hour == hour]
        return found[0]

    def call(self, username: str, entries: dict, hour: int = 8, day: dt.date = MONDAY_A) -> RollCall:
        lesson = self.lesson(username, day, hour)
        actor = self.actor(username)
        return actions.take_roll_call(actor=actor, lesson=lesson, students=queries.students_of(lesson), entries=entries)

    def absence(self, student=None, status=Status.PENDING, **kw) -> Absence:
        return Absence.objects.create(
            establishment=self.college,
            student=student or self.lucas,
            start=kw.pop("start", at(MONDAY_A, 8)),
            end=kw.pop("end", at(MONDAY_A, 12)),
            status=status,
            source=kw.pop("source", Absence.Source.STAFF),
            **kw,
        )


class PolicyTests(AttendanceTestCase):
    def test_who_sees_an_absence_and_its_justification(self):
        """The student, the guardians, the CPE and the direction see an absence and its justification;
        teachers, the ENT admin, the region, other parents and charlie do not; both faces agree."""
        absence = self.absence()
        justification = Justification.objects.create(
            establishment=self.college,
            absence=absence,
            student=self.lucas,
            author=self.people["claire.martin"],
            reason=self.reason,
        )
        allowed = {"lucas.martin", "claire.martin", "nadia.petit", "marc.leroy"}
        for obj in (absence, justification):
            for who in EVERYBODY:
                with self.subTest(model=type(obj).__name__, who=who):
                    actor = self.actor(who)
                    expected = who in allowed
                    self.assertIs(authz.allows(actor, Action.VIEW, obj), expected)
                    self.assertIs(type(obj).objects.visible_to(actor).filter(pk=obj.pk).exists(), expected)

    def test_who_sees_and_changes_a_roll_call_and_its_marks(self):
        """The lesson's teacher, the CPE and the direction see and correct a roll call; the student and
        the guardians see the student's own mark; other teachers and charlie nothing."""
        roll_call = self.call("paul.dupont", {self.lucas.pk: Entry(State.ABSENT)})
        mark = Mark.objects.get(roll_call=roll_call, student=self.lucas)
        matrix = {
            "paul.dupont": (True, True, True),
            "nadia.petit": (True, True, True),
            "marc.leroy": (True, True, True),
            "lucas.martin": (False, False, True),
            "claire.martin": (False, False, True),
            "sophie.bernard": (False, False, False),
            "lea.bernard": (False, False, False),
            "julie.moreau": (False, False, False),
            "charlie.roux": (False, False, False),
        }
        for who, (view, change, view_mark) in matrix.items():
            with self.subTest(who=who):
                actor = self.actor(who)
                self.assertIs(authz.allows(actor, Action.VIEW, roll_call), view)
                self.assertIs(authz.allows(actor, Action.CHANGE, roll_call), change)
                self.assertIs(RollCall.objects.visible_to(actor).filter(pk=roll_call.pk).exists(), view)
                self.assertIs(authz.allows(actor, Action.VIEW, mark), view_mark)
                self.assertIs(Mark.objects.visible_to(actor).filter(pk=mark.pk).exists(), view_mark)

    def test_only_guardians_justify_and_only_school_life_decides(self):
        """A guardian may write a justification for their child; the CPE and direction decide it."""
        absence = self.absence()
        draft = Justification(establishment=self.college, absence=absence, student=self.lucas, reason=self.reason)
        for who, create, change in [
            ("claire.martin", True, False),
            ("lucas.martin", False, False),
            ("thomas.girard", False, False),
            ("nadia.petit", False, True),
            ("marc.leroy", False, True),
            ("paul.dupont", False, False),
            ("charlie.roux", False, False),
        ]:
            with self.subTest(who=who):
                self.assertIs(authz.allows(self.actor(who), Action.CREATE, draft), create)
                self.assertIs(authz.allows(self.actor(who), Action.CHANGE, absence), change)


class RollCallTests(AttendanceTestCase):
    def test_consecutive_absent_lessons_merge_into_one_absence(self):
        """Absent at 8:00 and at 9:00 the same morning: one absence from 8:00 to 10:00, one half-day."""
        self.call("paul.dupont", {self.lucas.pk: Entry(State.ABSENT)}, hour=8)
        self.call("sophie.bernard", {self.lucas.pk: Entry(State.ABSENT)}, hour=9)
        absence = Absence.objects.get(student=self.lucas)
        self.assertEqual((absence.start, absence.end), (at(MONDAY_A, 8), at(MONDAY_A, 10)))
        self.assertEqual(absence.source, Absence.Source.ROLL_CALL)
        self.assertEqual(absence.half_day_count, 1)
        self.assertEqual(Mark.objects.filter(absence=absence).count(), 2)

    def test_a_lesson_present_in_between_keeps_two_absences(self):
        """Present at 9:00 between two absent lessons: the absences stay apart."""
        Slot.objects.create(
            establishment=self.college,
            assignment=self.tt["math"],
            weekday=0,
            start_time=T(10, 15),
            end_time=T(11, 15),
            valid_from=self.school.college.year.start_date,
        )
        self.call("paul.dupont", {self.lucas.pk: Entry(State.ABSENT)}, hour=8)
        self.call("sophie.bernard", {}, hour=9)
        self.call("paul.dupont", {self.lucas.pk: Entry(State.ABSENT)}, hour=10)
        self.assertEqual(Absence.objects.filter(student=self.lucas).count(), 2)

    def test_a_correction_is_traced_and_the_absence_follows(self):
        """Marking Lucas present after validation removes his absence, keeps a visible history row
        and writes an audit row with before and after."""
        roll_call = self.call("paul.dupont", {self.lucas.pk: Entry(State.ABSENT)})
        self.assertEqual(Absence.objects.filter(student=self.lucas).count(), 1)
        self.call("paul.dupont", {self.lucas.pk: Entry(State.LATE, 10)})
        self.assertFalse(Absence.objects.filter(student=self.lucas).exists())
        change = MarkChange.objects.get(roll_call=roll_call)
        self.assertEqual((change.before, change.after, change.after_minutes), (State.ABSENT, State.LATE, 10))
        self.assertEqual(Lateness.objects.get(student=self.lucas).minutes, 10)
        event = AuditEvent.objects.filter(verb="attendance.correct_roll_call").get()
        self.assertEqual(event.before, {str(self.lucas.pk): State.ABSENT})
        self.assertEqual(event.after, {str(self.lucas.pk): State.LATE})

    def test_the_roll_call_of_a_later_lesson_is_not_open(self):
        """A lesson more than a quarter of an hour ahead cannot be called yet (a French message, a 400)."""
        monday = timezone.localdate() + dt.timedelta(days=7 - timezone.localdate().weekday())
        lesson = self.lesson("paul.dupont", monday)
        self.login("paul.dupont")
        url = reverse("attendance:roll_call", args=[monday.isoformat(), lesson.key])
        data = {f"state_{s.pk}": State.PRESENT for s in queries.students_of(lesson)}
        response = self.client.post(url, {**data, f"state_{self.lucas.pk}": State.ABSENT})
        self.assertContains(response, "L'appel s'ouvre le ", status_code=400)
        self.assertFalse(RollCall.objects.exists())

    def test_before_it_opens_the_sheet_says_when_and_offers_no_form(self):
        """Next Monday's 8:00 lesson: the sheet says « L'appel s'ouvre le lundi … à 7 h 45 », with no form to
        fill in for nothing; the lesson of the past has its form."""
        monday = timezone.localdate() + dt.timedelta(days=7 - timezone.localdate().weekday())
        lesson = self.lesson("paul.dupont", monday)
        self.login("paul.dupont")
        response = self.client.get(reverse("attendance:roll_call", args=[monday.isoformat(), lesson.key]))
        opens = f"L'appel s'ouvre le lundi {monday.day} "
        self.assertContains(response, opens)
        self.assertContains(response, " à 7 h 45.")
        self.assertNotContains(response, 'type="radio"')
        self.assertNotContains(response, "Valider l'appel")
        past = self.lesson("paul.dupont")
        response = self.client.get(reverse("attendance:roll_call", args=[MONDAY_A.isoformat(), past.key]))
        self.assertNotContains(response, "L'appel s'ouvre")
        self.assertContains(response, "Valider l'appel")

    def test_the_sheet_opens_a_quarter_of_an_hour_before_the_lesson(self):
        """A lesson two hours ahead is not open and opens a quarter of an hour before it starts (the policies'
        rule, the one the action applies); a past lesson is open."""
        lesson = self.lesson("paul.dupont")
        start = timezone.now() + dt.timedelta(hours=2)
        local = timezone.localtime(start)
        later = dataclasses.replace(lesson, date=local.date(), start_time=local.time(), end_time=local.time())
        sheet = queries.Sheet(later, None, [], [])
        self.assertFalse(sheet.is_open)
        self.assertEqual(sheet.opens_at, timezone.localtime(start - dt.timedelta(minutes=15)))
        self.assertTrue(queries.Sheet(lesson, None, [], []).is_open)

    def test_a_declared_absence_covers_the_lesson(self):
        """A student declared absent by the family is linked to that absence, not given a second one."""
        declared = self.absence(source=Absence.Source.DECLARED)
        self.call("paul.dupont", {self.lucas.pk: Entry(State.ABSENT)})
        self.assertEqual(list(Absence.objects.filter(student=self.lucas)), [declared])

    def test_another_teacher_cannot_call_the_roll(self):
        """Sophie may not call the roll of Paul's lesson; charlie cannot even find it."""
        lesson = self.lesson("paul.dupont")
        self.assertFalse(may_call(self.actor("sophie.bernard"), lesson))
        self.assertIsNone(queries.lesson_of(self.actor("charlie.roux"), MONDAY_A, lesson.key))

    def test_the_lateness_threshold_alerts_the_school_life(self):
        """The third lateness in the window notifies the CPE once."""
        AttendanceSettings.objects.create(establishment=self.college, lateness_threshold=3, lateness_window_days=3650)
        for days in (14, 7):
            Lateness.objects.create(
                establishment=self.college, student=self.lucas, at=at(MONDAY_A, 8) - dt.timedelta(days=days), minutes=5
            )
        self.call("paul.dupont", {self.lucas.pk: Entry(State.LATE, 5)})
        notices = Notification.objects.filter(kind="attendance.lateness_threshold")
        self.assertEqual([n.recipient.username for n in notices], ["nadia.petit"])
        self.assertIn("Lucas Martin", notices.get().title)


class NoticeTests(AttendanceTestCase):
    def test_families_are_told_the_same_day_once(self):
        """An unexplained roll-call absence of today is notified to the guardians (in-app and e-mail,
        about the child), once."""
        now = timezone.now()
        absence = self.absence(source=Absence.Source.ROLL_CALL, start=now - dt.timedelta(minutes=5), end=now)
        self.assertEqual(actions.notify_unexplained_absences(now), 1)
        self.assertEqual(actions.notify_unexplained_absences(now), 0)
        notice = Notification.objects.get(kind="attendance.absence")
        self.assertEqual((notice.recipient.username, notice.about_id), ("claire.martin", self.lucas.pk))
        self.assertTrue(notice.deliveries.filter(channel="email").exists())
        absence.refresh_from_db()
        self.assertIsNotNone(absence.notified_at)


class JustificationFlowTests(AttendanceTestCase):
    def test_a_parent_justifies_with_a_document_and_the_cpe_accepts(self):
        """Claire sends a reason, a comment and a PDF; the CPE is told; teachers cannot open the document;
        the CPE accepts with a message, the absence is justified and Claire is told."""
        absence = self.absence()
        self.login("claire.martin")
        url = reverse("attendance:absence", args=[absence.pk])
        response = self.client.post(
            url,
            {
                "form": "justify",
                "reason": self.reason.pk,
                "comment": "Fièvre",
                "document": SimpleUploadedFile("certificat.pdf", PDF),
            },
        )
        self.assertRedirects(response, url)
        justification = Justification.objects.get(absence=absence)
        self.assertEqual(justification.original_name, "certificat.pdf")
        self.assertTrue(Notification.objects.filter(kind="attendance.justification", recipient__username="nadia.petit"))
        document = reverse("attendance:document", args=[justification.pk])
        for who, status in [
            ("claire.martin", 200),
            ("nadia.petit", 200),
            ("marc.leroy", 200),
            ("paul.dupont", 404),
            ("julie.moreau", 404),
            ("charlie.roux", 404),
        ]:
            with self.subTest(who=who):
                self.login(who)
                response = self.client.get(document)
                self.assertEqual(response.status_code, status)
                if status == 200:
                    self.assertEqual(response["X-Content-Type-Options"], "nosniff")
        self.assertTrue(AuditEvent.objects.filter(verb="attendance.view_document", actor__username="nadia.petit"))
        self.login("nadia.petit")
        response = self.client.post(
            url, {"form": "decide", "justification": justification.pk, "decision": "accept", "message": "Merci"}
        )
        self.assertRedirects(response, url)
        absence.refresh_from_db()
        self.assertEqual((absence.status, absence.reason), (Status.JUSTIFIED, self.reason))
        notice = Notification.objects.get(kind="attendance.decision")
        self.assertEqual(
            (notice.recipient.username, notice.about_id, notice.body), ("claire.martin", self.lucas.pk, "Merci")
        )

    def test_a_disguised_file_is_refused_and_the_form_kept(self):
        """HTML named .pdf is refused with a French message and a 400; the comment typed is kept."""
        absence = self.absence()
        self.login("claire.martin")
        response = self.client.post(
            reverse("attendance:absence", args=[absence.pk]),
            {
                "form": "justify",
                "reason": self.reason.pk,
                "comment": "Fièvre",
                "document": SimpleUploadedFile("piege.pdf", b"<html><script>x()</script></html>"),
            },
        )
        self.assertEqual(response.status_code, 400)
        self.assertContains(response, "Ce type de fichier n", status_code=400)
        self.assertContains(response, "Fièvre", status_code=400)
        self.assertFalse(Justification.objects.exists())

    def test_a_refusal_needs_a_message(self):
        """Refusing without a message is refused; with one, the absence becomes unjustified."""
        absence = self.absence()
        justification = actions.justify(actor=self.actor("claire.martin"), record=absence, reason=self.reason)
        self.login("nadia.petit")
        url = reverse("attendance:absence", args=[absence.pk])
        response = self.client.post(url, {"form": "decide", "justification": justification.pk, "decision": "refuse"})
        self.assertEqual(response.status_code, 400)
        self.client.post(
            url,
            {"form": "decide", "justification": justification.pk, "decision": "refuse", "message": "Motif insuffisant"},
        )
        absence.refresh_from_db()
        self.assertEqual(absence.status, Status.UNJUSTIFIED)

    def test_a_parent_declares_an_absence_ahead(self):
        """Claire declares next Monday's morning (or, at the school year's end, the morning of its next school
        day); it waits with its justification; a past date is refused."""
        self.login("claire.martin")
        today, year = timezone.localdate(), self.school.college.year
        next_monday = today + dt.timedelta(days=7 - today.weekday())
        days = (next_monday, *(today + dt.timedelta(days=k) for k in range(7)))
        if not any(d <= year.end_date and d.weekday() < 5 for d in days):  # a weekend just before classes end
            year.end_date = today + dt.timedelta(days=14)
            year.save(update_fields=["end_date"])
        monday = next(d for d in days if d <= year.end_date and d.weekday() < 5)
        response = self.client.post(
            reverse("attendance:declare"),
            {
                "student": self.lucas.pk,
                "first_day": monday.isoformat(),
                "first_half": "am",
                "last_day": monday.isoformat(),
                "last_half": "am",
                "reason": self.reason.pk,
                "comment": "Dentiste",
            },
        )
        absence = Absence.objects.get(student=self.lucas)
        self.assertRedirects(response, reverse("attendance:absence", args=[absence.pk]))
        self.assertEqual((absence.source, absence.half_day_count), (Absence.Source.DECLARED, 1))
        self.assertEqual(absence.justifications.get().decision, Justification.Decision.SUBMITTED)
        response = self.client.post(
            reverse("attendance:declare"),
            {
                "student": self.lucas.pk,
                "first_day": "2020-01-06",
                "first_half": "am",
                "last_day": "2020-01-06",
                "last_half": "pm",
                "reason": self.reason.pk,
            },
        )
        self.assertEqual(response.status_code, 400)


class AbsenceCountTests(AttendanceTestCase):
    def test_the_family_counts_what_the_cpe_counts(self):
        """Lucas was away from a Friday to the Monday morning and is declared absent next week: his family's
        page, his file at the vie scolaire and the statistics all count three half-days (no weekend, nothing
        ahead)."""
        friday = MONDAY_A - dt.timedelta(days=3)
        self.absence(start=at(friday, 8), end=at(MONDAY_A, 12))
        next_monday = timezone.localdate() + dt.timedelta(days=7 - timezone.localdate().weekday())
        self.absence(start=at(next_monday, 8), end=at(next_monday, 18), source=Absence.Source.DECLARED)
        expected = queries.AbsenceCounts(3, 3, 0)
        self.login("claire.martin")
        self.assertEqual(self.client.get(reverse("attendance:family")).context["file"].counts, expected)
        self.login("nadia.petit")
        self.assertEqual(
            self.client.get(reverse("attendance:student", args=[self.lucas.pk])).context["file"].counts, expected
        )
        students = self.client.get(reverse("attendance:statistics")).context["students"]
        self.assertEqual(next(s.counts for s in students if s.student_id == self.lucas.pk), expected)

    def test_a_declaration_lies_in_the_current_school_year(self):
        """A declaration after the school year's last day is refused in French, with the dates typed kept."""
        year = self.school.college.year
        late = year.end_date + dt.timedelta(days=5)
        self.login("claire.martin")
        response = self.client.post(
            reverse("attendance:declare"),
            {
                "student": self.lucas.pk,
                "first_day": late.isoformat(),
                "first_half": "am",
                "last_day": late.isoformat(),
                "last_half": "pm",
                "reason": self.reason.pk,
                "comment": "Voyage",
            },
        )
        self.assertContains(response, "Choisissez une date de l&#x27;année scolaire en cours", status_code=400)
        self.assertContains(response, f'value="{late.isoformat()}"', status_code=400)
        self.assertContains(response, "Voyage", status_code=400)
        self.assertFalse(Absence.objects.exists())

    def test_the_counts_are_said_with_french_plurals(self):
        """One absence on the last weekday before today: « 1 demi-journée d'absence, dont 1 non justifiée ;
        aucun retard », not « 1 demi-journées … 0 retards » (French says no zero: « aucun »)."""
        day = timezone.localdate() - dt.timedelta(days=1)
        while day.weekday() >= 5:  # weekends are not counted
            day -= dt.timedelta(days=1)
        self.absence(start=at(day, 8), end=at(day, 9))
        self.login("claire.martin")
        response = self.client.get(reverse("attendance:family"))
        self.assertContains(response, "1 demi-journée d'absence, dont 1 non justifiée ; aucun retard.")
        self.assertNotContains(response, "1 demi-journées")

    def test_dates_show_the_year_when_it_is_not_this_one(self):
        """An absence of another calendar year shows its year on the family's page; one of this year does not."""
        old = timezone.localdate() - dt.timedelta(days=400)
        self.absence(start=at(old, 8), end=at(old, 9))
        today = timezone.localdate()
        self.absence(start=at(today, 8), end=at(today, 9))
        self.login("claire.martin")
        response = self.client.get(reverse("attendance:family"))
        self.assertContains(response, dates.date_heure_court(at(old, 8)))  # « 29 oct. 2025, 08:00 »
        self.assertIn(str(old.year), dates.date_heure_court(at(old, 8)))
        self.assertContains(response, dates.date_heure_court(at(today, 8)))  # « 3 déc., 08:00 »
        self.assertNotIn(str(today.year), dates.date_heure_court(at(today, 8)))


class PageTests(AttendanceTestCase):
    def test_who_reaches_each_page(self):
        """Each page answers its people and a 404 to the others."""
        absence = self.absence()
        pages = {
            reverse("attendance:lessons"): {"paul.dupont", "charlie.roux"},  # each teacher's own lessons
            reverse("attendance:board"): {"nadia.petit", "marc.leroy"},
            reverse("attendance:absences"): {"nadia.petit", "marc.leroy"},
            reverse("attendance:statistics"): {"nadia.petit", "marc.leroy"},
            reverse("attendance:settings"): {"nadia.petit", "marc.leroy"},
            reverse("attendance:lateness_list"): {"nadia.petit", "marc.leroy"},
            reverse("attendance:absence", args=[absence.pk]): {
                "lucas.martin",
                "claire.martin",
                "nadia.petit",
                "marc.leroy",
            },
            reverse("attendance:student", args=[self.lucas.pk]): {"nadia.petit", "marc.leroy"},
            reverse("attendance:family"): {"lucas.martin", "claire.martin", "thomas.girard", "lea.bernard"},
        }
        for url, allowed in pages.items():
            for who in [
                "lucas.martin",
                "claire.martin",
                "paul.dupont",
                "nadia.petit",
                "marc.leroy",
                "julie.moreau",
                "charlie.roux",
            ]:
                with self.subTest(url=url, who=who):
                    self.login(who)
                    self.assertEqual(self.client.get(url).status_code, 200 if who in allowed else 404)

    def test_staff_reads_of_an_absence_file_are_recorded(self):
        """The CPE opening Lucas's file and an absence leaves read records; Claire reading hers does not."""
        absence = self.absence()
        self.login("nadia.petit")
        self.client.get(reverse("attendance:student", args=[self.lucas.pk]))
        self.client.get(reverse("attendance:absence", args=[absence.pk]))
        self.login("claire.martin")
        self.client.get(reverse("attendance:absence", args=[absence.pk]))
        reads = AuditEvent.objects.filter(kind=AuditEvent.Kind.READ, subject_id=self.lucas.pk)
        self.assertEqual(
            sorted(reads.values_list("verb", flat=True)), ["attendance.view_absence", "attendance.view_student"]
        )
        self.assertEqual(set(reads.values_list("actor__username", flat=True)), {"nadia.petit"})

    def test_the_module_switch_closes_the_pages(self):
        """With the module off in the collège, its pages answer 404."""
        self.college.module_settings = {"attendance": False}
        self.college.save()
        self.login("nadia.petit")
        self.assertEqual(self.client.get(reverse("attendance:board")).status_code, 404)

    def test_statistics_signals_and_csv(self):
        """Four unjustified half-days in the month put Lucas on the signal list; the CSV lists him."""
        today = timezone.localdate()
        first = today.replace(day=1)
        days = [first + dt.timedelta(days=i) for i in range(10) if (first + dt.timedelta(days=i)).weekday() < 5][:2]
        for day in days:
            self.absence(start=at(day, 8), end=at(day, 17))
        self.login("nadia.petit")
        response = self.client.get(reverse("attendance:statistics"))
        self.assertEqual([s.name for s in response.context["signals"]], ["Lucas Martin"])
        self.assertContains(response, "<svg")
        response = self.client.get(reverse("attendance:statistics") + "?format=csv")
        self.assertEqual(response["Content-Type"], "text/csv; charset=utf-8")
        self.assertIn("Martin", response.content.decode())

    def test_settings_edit_thresholds_and_motifs(self):
        """The CPE changes the thresholds and adds a motif; a duplicate is refused with a message."""
        self.login("nadia.petit")
        url = reverse("attendance:settings")
        self.client.post(
            url, {"form": "settings", "lateness_threshold": 5, "lateness_window_days": 30, "half_day_threshold": 4}
        )
        self.assertEqual(AttendanceSettings.objects.get(establishment=self.college).lateness_threshold, 5)
        self.client.post(url, {"form": "reason", "label": "Sortie pédagogique", "is_active": "on"})
        self.assertTrue(AbsenceReason.objects.filter(label="Sortie pédagogique").exists())
        response = self.client.post(url, {"form": "reason", "label": "maladie", "is_active": "on"})
        self.assertContains(response, "Ce motif existe déjà.", status_code=400)


class BudgetTests(AttendanceTestCase):
    def grow_class(self, size: int) -> None:
        for i in range(size - 3):
            enrol(person(f"extra{i}", "Élève", f"Numéro {i:02}", password=None), self.five_a)

    def roll_call_queries(self) -> tuple[int, int, int]:
        """Queries of the page, of the first submit and of a correction."""
        from django.db import connection
        from django.test.utils import CaptureQueriesContext

        self.login("paul.dupont")
        lesson = self.lesson("paul.dupont")
        url = reverse("attendance:roll_call", args=[MONDAY_A.isoformat(), lesson.key])
        students = queries.students_of(lesson)
        data = {f"state_{s.pk}": State.PRESENT for s in students}
        data[f"state_{self.lucas.pk}"] = State.ABSENT
        data[f"state_{self.lea.pk}"], data[f"minutes_{self.lea.pk}"] = State.LATE, 5
        self.client.get(url)  # the establishment's calendar is cached from the first page on
        counts = []
        for request in (
            lambda: self.client.get(url),
            lambda: self.client.post(url, data),
            lambda: self.client.post(url, {**data, f"state_{self.lucas.pk}": State.PRESENT}),
        ):
            with CaptureQueriesContext(connection) as captured:
                response = request()
            self.assertIn(response.status_code, (200, 302))
            counts.append(len(captured))
        return tuple(counts)

    def test_the_roll_call_costs_the_same_for_3_and_35_students(self):
        """Page, submit and correction: pinned query counts, the same for a class of 3 and of 35."""
        small = self.roll_call_queries()
        RollCall.objects.all().delete()
        Absence.objects.all().delete()
        Lateness.objects.all().delete()
        self.grow_class(35)
        self.assertEqual(len(queries.students_of(self.lesson("paul.dupont"))), 35)
        self.assertEqual(self.roll_call_queries(), small)
        self.assertEqual(small, ROLL_CALL_QUERIES)

    def test_the_board_has_a_pinned_budget_that_does_not_grow(self):
        """The live board costs a pinned number of queries, the same with many more absences."""
        self.login("nadia.petit")
        url = reverse("attendance:board")
        self.client.get(url)
        with self.assertNumQueries(BOARD_QUERIES):
            self.client.get(url, headers={"HX-Request": "true"})
        today = timezone.localdate()
        for i in range(20):
            self.absence(start=at(today, 8) + dt.timedelta(minutes=i), end=at(today, 9))
        with self.assertNumQueries(BOARD_QUERIES):
            response = self.client.get(url, headers={"HX-Request": "true"})
        self.assertEqual(len(response.context["board"].absences), 20)

    def test_the_absences_list_budget(self):
        """The absences list costs the same for 1 and 30 absences."""
        self.login("nadia.petit")
        url = reverse("attendance:absences")
        self.absence()
        self.client.get(url)
        with self.assertNumQueries(ABSENCES_QUERIES):
            self.client.get(url)
        for i in range(29):
            self.absence(
                student=self.lea,
                start=at(MONDAY_A, 8) - dt.timedelta(days=i + 1),
                end=at(MONDAY_A, 9) - dt.timedelta(days=i + 1),
            )
        with self.assertNumQueries(ABSENCES_QUERIES):
            self.client.get(url)


# The page: session, user, memberships, the lesson (slots, changes; the calendar cached), the students,
# the roll call with its marks and corrections. The submit adds the writes (roll call, absences, lateness,
# marks, audit, the lateness threshold); a correction the history rows and the absence left behind.
ROLL_CALL_QUERIES = (7, 18, 24)
# Session, user, memberships, today's lessons (slots, changes), roll calls, absences, justifications.
BOARD_QUERIES = 8
# Session, user, memberships, count and page of absences, classes of those students, justifications to
# decide, the class filter.
ABSENCES_QUERIES = 8


class MoreFlowTests(AttendanceTestCase):
    def test_a_correction_of_a_student_without_a_mark_is_traced(self):
        """A roll call whose present students have no row (as in the demo): marking one absent later
        leaves a history row from "present"."""
        roll_call = self.call("paul.dupont", {})
        Mark.objects.filter(roll_call=roll_call).delete()
        self.call("paul.dupont", {self.lucas.pk: Entry(State.ABSENT)})
        change = MarkChange.objects.get(roll_call=roll_call)
        self.assertEqual((change.before, change.after), (State.PRESENT, State.ABSENT))
        self.assertTrue(Absence.objects.filter(student=self.lucas).exists())

    def test_a_parent_justifies_a_lateness(self):
        """Lateness follows the same flow: Claire justifies, the CPE refuses with a message."""
        lateness = Lateness.objects.create(
            establishment=self.college, student=self.lucas, at=at(MONDAY_A, 8), minutes=7
        )
        url = reverse("attendance:lateness", args=[lateness.pk])
        self.login("claire.martin")
        self.assertRedirects(self.client.post(url, {"form": "justify", "reason": self.reason.pk}), url)
        justification = Justification.objects.get(lateness=lateness)
        self.login("nadia.petit")
        self.client.post(
            url, {"form": "decide", "justification": justification.pk, "decision": "refuse", "message": "Non"}
        )
        lateness.refresh_from_db()
        self.assertEqual(lateness.status, Status.UNJUSTIFIED)
        self.login("paul.dupont")
        self.assertEqual(self.client.get(url).status_code, 404)

    def test_the_cpe_enters_an_absence_and_bad_input_is_kept(self):
        """An absence whose end precedes its start is refused in French with what was typed; a good one is
        saved, audited, and opens its page."""
        self.login("nadia.petit")
        url = reverse("attendance:absence_new")
        data = {
            "student": self.lucas.pk,
            "day": MONDAY_A.isoformat(),
            "start_time": "10:00",
            "end_time": "09:00",
            "status": Status.PENDING,
            "comment": "Vu au portail",
        }
        response = self.client.post(url, data)
        self.assertContains(response, "La fin de l&#x27;absence doit suivre son début.", status_code=400)
        self.assertContains(response, "Vu au portail", status_code=400)
        response = self.client.post(url, {**data, "end_time": "12:00", "reason": self.reason.pk})
        absence = Absence.objects.get(student=self.lucas)
        self.assertRedirects(response, reverse("attendance:absence", args=[absence.pk]))
        self.assertTrue(AuditEvent.objects.filter(verb="attendance.record_absence", subject_id=self.lucas.pk))

    def test_the_widgets_show_what_waits(self):
        """Claire's dashboard lists Lucas's absence to justify; the CPE's counts today's absences."""
        now = timezone.now()
        self.absence(start=now - dt.timedelta(hours=1), end=now)
        self.login("claire.martin")
        self.assertContains(self.client.get(reverse("dashboard:home")), "Absences à justifier")
        self.login("nadia.petit")
        self.assertContains(self.client.get(reverse("dashboard:home")), "1 absence du jour à justifier")


class SchoolLifeDashboardTests(AttendanceTestCase):
    def test_the_cpe_sees_what_waits_on_top(self):
        """nadia.petit's dashboard opens on the justifications to decide, the lessons begun without a roll call
        and the lateness alerts, before any other app's block; each says what waits and links to it."""
        AttendanceSettings.objects.create(establishment=self.college, lateness_threshold=2, lateness_window_days=30)
        now = timezone.now()
        for hours in (1, 26):
            Lateness.objects.create(
                establishment=self.college, student=self.lea, at=now - dt.timedelta(hours=hours), minutes=5
            )
        absence = self.absence(start=now - dt.timedelta(days=2, hours=1), end=now - dt.timedelta(days=2))
        Justification.objects.create(
            establishment=self.college,
            absence=absence,
            student=self.lucas,
            reason=self.reason,
            author=self.people["claire.martin"],
        )
        self.login("nadia.petit")
        response = self.client.get(reverse("dashboard:home"))
        keys = [w.key for w in response.context["widgets"] if w.key != "identity"]
        top = ["attendance.to_decide", "attendance.today", "attendance.lateness_alerts"]
        self.assertEqual(keys[:3], top)
        self.assertContains(response, "1 justification attend votre décision.")
        self.assertContains(response, reverse("attendance:absence", args=[absence.pk]))
        self.assertContains(response, "cours commencé")
        self.assertContains(response, "1 élève a atteint le seuil de retards sur 30 jours.")
        self.assertContains(response, "Léa Bernard</a> — 2 retards")
        self.login("paul.dupont")
        keys = {w.key for w in self.client.get(reverse("dashboard:home")).context["widgets"]}
        self.assertFalse(keys & set(top))


class PageBudgetTests(AttendanceTestCase):
    def grow(self, n: int) -> None:
        for i in range(n):
            day = MONDAY_A - dt.timedelta(days=i + 1)
            absence = self.absence(start=at(day, 8), end=at(day, 9))
            Justification.objects.create(
                establishment=self.college,
                absence=absence,
                student=self.lucas,
                reason=self.reason,
                author=self.people["claire.martin"],
            )
            Lateness.objects.create(establishment=self.college, student=self.lucas, at=at(day, 10), minutes=5)

    def counts(self, pages) -> dict:
        from django.db import connection
        from django.test.utils import CaptureQueriesContext

        found = {}
        for who, url in pages:
            self.login(who)
            self.client.get(url)
            with CaptureQueriesContext(connection) as captured:
                self.assertEqual(self.client.get(url).status_code, 200, url)
            found[(who, url)] = len(captured)
        return found

    def test_every_page_has_a_pinned_budget_that_does_not_grow(self):
        """Each page costs its pinned number of queries, the same with one and with twenty records."""
        self.grow(1)
        absence = Absence.objects.first()
        pages = [
            ("paul.dupont", reverse("attendance:lessons") + "?date=" + MONDAY_A.isoformat()),
            ("claire.martin", reverse("attendance:family")),
            ("lucas.martin", reverse("attendance:family")),
            ("nadia.petit", reverse("attendance:student", args=[self.lucas.pk])),
            ("nadia.petit", reverse("attendance:absence", args=[absence.pk])),
            ("claire.martin", reverse("attendance:absence", args=[absence.pk])),
            ("nadia.petit", reverse("attendance:statistics")),
            ("nadia.petit", reverse("attendance:lateness_list")),
            ("nadia.petit", reverse("attendance:settings")),
        ]
        before = self.counts(pages)
        self.grow(19)
        self.assertEqual(self.counts(pages), before)
        self.assertEqual(list(before.values()), PAGE_QUERIES)


# Each adds to the session, user and memberships (3): the teacher's lessons (slots, changes, calendar cached)
# and roll calls; a family's page: children (2), the school year, absences with justifications,
# lateness, the counts (2); a staff file adds the person, the enrolment check and the read record; an absence
# page: justifications, marks, the motifs (the student comes with the record; no page writes the default
# motifs any more, so neither the family's absence page nor the settings pay for that check); statistics:
# periods, classes, the students and their counts, the month's signal (again the students and counts).
PAGE_QUERIES = [6, 12, 9, 13, 8, 9, 13, 6, 5]
