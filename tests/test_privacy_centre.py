"""« Mes données personnelles »: who read a person's data, their sessions, the archive of their data."""

import datetime as dt
import io
import json
import os
import tempfile
import tracemalloc
import zipfile

from django.core.files.base import ContentFile
from django.core.files.storage import default_storage
from django.test import Client, override_settings
from django.urls import reverse
from django.utils import timezone
from django.utils.html import escape

from cartable.core import audit, authz, registry
from cartable.core.models import AuditEvent
from cartable.directory.models import Guardianship, Membership, Role
from cartable.privacy import actions, archive
from cartable.privacy.models import DataExport
from tests.support.personas import PersonaTestCase

FIREFOX = "Mozilla/5.0 (Windows NT 10.0; Win64; x64; rv:128.0) Gecko/20100101 Firefox/128.0"
PHONE = (
    "Mozilla/5.0 (Linux; Android 14; Pixel 8) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/126.0 Mobile Safari/537.36"
)


class ReadVerbTests(PersonaTestCase):
    def test_an_unknown_read_verb_raises_when_recorded(self):
        """A read whose verb no app declared raises at once, even for a reader who is not recorded."""
        with self.assertRaises(LookupError):
            audit.record_read(actor=self.actor("nadia.petit"), verb="grades.peek", subject_id=1)
        with self.assertRaises(LookupError):
            audit.record_read(actor=None, verb="grades.peek", subject_id=1)

    def test_the_reads_of_todays_helpers_are_declared_with_a_french_label(self):
        """Every verb the apps record today has a label saying what was read."""
        for verb in ["grades.read_student", "attendance.view_absence", "discipline.view_sanction", "reportcards.read"]:
            with self.subTest(verb=verb):
                self.assertTrue(str(registry.read_verb(verb).label).strip())

    def test_the_role_at_the_time_is_stored_on_the_read_row(self):
        """sophie.bernard reading as a teacher leaves « teacher » on the row, whatever she becomes later."""
        sophie = self.actor("sophie.bernard", role=Role.TEACHER)
        audit.record_read(actor=sophie, verb="grades.read_student", subject_id=self.people["lucas.martin"].pk)
        self.assertEqual(AuditEvent.objects.get(kind=AuditEvent.Kind.READ).role, Role.TEACHER)


class WhoReadTests(PersonaTestCase):
    @classmethod
    def setUpTestData(cls):
        super().setUpTestData()
        cls.lucas = cls.people["lucas.martin"]
        Guardianship.objects.create(
            guardian=cls.people["thomas.girard"], student=cls.lucas, relationship="other", legal_responsibility=False
        )

    def url(self, person):
        return reverse("privacy:who_read", args=[person.pk])

    def read(self, username, verb, times=1, *, role=None):
        for _ in range(times):
            audit.record_read(actor=self.actor(username, role=role), verb=verb, subject_id=self.lucas.pk)

    def test_who_sees_who_read_lucass_data(self):
        """Lucas and his mother see it; a guardian without legal responsibility, another family, staff: 404."""
        for who, expected in [
            ("lucas.martin", 200),
            ("claire.martin", 200),
            ("thomas.girard", 404),  # named as a contact of Lucas's, without legal responsibility
            ("sophie.bernard", 404),  # another family (and Lucas's teacher)
            ("ines.girard", 404),
            ("paul.dupont", 404),
            ("nadia.petit", 404),
            ("marc.leroy", 404),
            ("charlie.roux", 404),
        ]:
            with self.subTest(who=who):
                self.login(who)
                self.assertEqual(self.client.get(self.url(self.lucas)).status_code, expected)
                self.assertIs(authz.allows(self.actor(who), "privacy.view_reads", self.lucas), expected == 200)

    def test_a_forged_person_id_is_the_same_404(self):
        self.login("claire.martin")
        self.assertEqual(self.client.get(reverse("privacy:who_read", args=[999999])).status_code, 404)

    def test_reads_are_grouped_per_person_and_day_in_words(self):
        """« a consulté les notes, 3 fois » under paul.dupont's name and role; the CPE's absences apart."""
        self.read("paul.dupont", "grades.read_student", 2)
        self.read("paul.dupont", "grades.read_gradebook", 1)
        self.read("nadia.petit", "attendance.view_student", 1)
        self.login("claire.martin")
        page = self.client.get(self.url(self.lucas)).content.decode()
        self.assertIn("Paul Dupont", page)
        self.assertIn("a consulté les notes, 3 fois", page)
        self.assertIn("Nadia Petit", page)
        self.assertIn("a consulté les absences, 1 fois", page)
        self.assertNotIn("Claire Martin</h2>", page)  # a mother reading her son's data is not watched

    def test_the_role_shown_is_the_one_of_the_time(self):
        """After sophie.bernard's teaching membership ends, her read still says « Enseignante »."""
        self.read("sophie.bernard", "grades.read_student", role=Role.TEACHER)
        Membership.objects.filter(person=self.people["sophie.bernard"], role=Role.TEACHER).update(
            end_date=timezone.localdate() - dt.timedelta(days=1)
        )
        self.login("lucas.martin")
        self.assertIn("(Enseignante)", self.client.get(self.url(self.lucas)).content.decode())

    def test_the_page_costs_the_same_for_3_or_3000_reads(self):
        """Aggregated in SQL: the query count does not grow with the trail."""
        self.login("claire.martin")
        self.client.get(reverse("privacy:index"))  # the session's first request writes its clock
        self.read("paul.dupont", "grades.read_student", 3)
        with self.assertNumQueries(8):
            self.client.get(self.url(self.lucas))
        paul, nadia = self.people["paul.dupont"], self.people["nadia.petit"]
        now = timezone.now()
        rows = [
            AuditEvent(kind=AuditEvent.Kind.READ, verb=verb, actor=who, role=role, subject_id=self.lucas.pk)
            for i in range(1500)
            for who, verb, role in [
                (paul, "grades.read_gradebook", "teacher"),
                (nadia, "attendance.view_absence", "education"),
            ]
        ]
        AuditEvent.objects.bulk_create(rows)
        AuditEvent.objects.filter(kind=AuditEvent.Kind.READ).update(at=now - dt.timedelta(days=3))
        with self.assertNumQueries(8):
            page = self.client.get(self.url(self.lucas)).content.decode()
        self.assertIn("a consulté les notes, 1503 fois", page)

    def test_the_hub_lists_oneself_and_the_legal_children_only(self):
        self.login("thomas.girard")
        page = self.client.get(reverse("privacy:index")).content.decode()
        self.assertIn(reverse("privacy:who_read", args=[self.people["ines.girard"].pk]), page)
        self.assertNotIn(self.url(self.lucas), page)
        self.assertIn("<title>Mes données personnelles · Cartable</title>", page)


class SessionTests(PersonaTestCase):
    def sign_in(self, user_agent):
        client = Client(HTTP_USER_AGENT=user_agent)
        response = client.post(reverse("accounts:login"), {"username": "claire.martin", "password": "demo"})
        self.assertEqual(response.status_code, 302)
        return client

    def test_ones_open_sessions_name_the_device_and_mark_the_current_one(self):
        desk, phone = self.sign_in(FIREFOX), self.sign_in(PHONE)
        desk.get(reverse("privacy:index"))  # the session's first request writes its clock
        with self.assertNumQueries(7):
            page = desk.get(reverse("privacy:sessions")).content.decode()
        self.assertIn("Firefox sur Windows", page)
        self.assertIn("Chrome sur Android", page)
        self.assertEqual(page.count("Cette session"), 1)
        self.assertEqual(phone.get(reverse("privacy:sessions")).status_code, 200)

    def test_sign_out_everywhere_else_keeps_this_session_only(self):
        desk, phone = self.sign_in(FIREFOX), self.sign_in(PHONE)
        desk.post(reverse("privacy:end_sessions"), {"scope": "others"})
        self.assertEqual(desk.get(reverse("privacy:sessions")).status_code, 200)
        self.assertEqual(phone.get(reverse("privacy:sessions")).status_code, 302)
        event = AuditEvent.objects.get(verb="accounts.end_sessions")
        self.assertEqual(event.after["ended"], 1)

    def test_sign_out_everywhere_ends_this_session_too(self):
        desk, phone = self.sign_in(FIREFOX), self.sign_in(PHONE)
        response = desk.post(reverse("privacy:end_sessions"), {"scope": "all"})
        self.assertRedirects(response, reverse("accounts:login"), fetch_redirect_response=False)
        for client in (desk, phone):
            self.assertEqual(client.get(reverse("privacy:sessions")).status_code, 302)

    def test_another_persons_session_id_ends_nothing(self):
        """Ending one session by id only ever reaches one's own."""
        lucas = Client()
        lucas.force_login(self.people["lucas.martin"])
        desk = self.sign_in(FIREFOX)
        from cartable.accounts.models import AccountSession

        theirs = AccountSession.objects.get(user=self.people["lucas.martin"])
        desk.post(reverse("privacy:end_sessions"), {"scope": "one", "session": theirs.pk})
        self.assertEqual(lucas.get(reverse("privacy:sessions")).status_code, 200)


@override_settings(MEDIA_ROOT=tempfile.mkdtemp(prefix="cartable-privacy-"))
class ExportTests(PersonaTestCase):
    @classmethod
    def setUpTestData(cls):
        super().setUpTestData()
        cls.lucas = cls.people["lucas.martin"]
        Guardianship.objects.create(
            guardian=cls.people["thomas.girard"], student=cls.lucas, relationship="other", legal_responsibility=False
        )

    def request(self, username, person):
        self.login(username)
        with self.captureOnCommitCallbacks(execute=True):
            return self.client.post(reverse("privacy:request_export", args=[person.pk]))

    def archive_of(self, export):
        export.refresh_from_db()
        with default_storage.open(export.file.name, "rb") as handle:
            return zipfile.ZipFile(io.BytesIO(handle.read()))

    def test_a_guardian_downloads_her_childs_archive_built_in_the_background(self):
        """The task builds the zip (every provider done); the download is the requester's, audited."""
        self.assertEqual(self.request("claire.martin", self.lucas).status_code, 302)
        export = DataExport.objects.get()
        self.assertEqual((export.status, export.done, export.total), ("done", export.total, len(archive.providers())))
        zipped = self.archive_of(export)
        names = set(zipped.namelist())
        self.assertIn("LISEZMOI.md", names)
        for provider in archive.providers():
            with self.subTest(model=provider.model._meta.label):
                self.assertIn(archive.json_name(provider), names)
        readme = zipped.read("LISEZMOI.md").decode()
        self.assertIn("Lucas Martin", readme)
        self.assertIn("Sur quelle base", readme)
        users = json.loads(zipped.read("donnees/directory.user.json"))
        self.assertEqual(users[0]["username"], "lucas.martin")
        response = self.client.post(reverse("privacy:download", args=[export.pk]))
        self.assertEqual(response.status_code, 200)
        self.assertTrue(AuditEvent.objects.filter(verb="privacy.download_export", actor=self.people["claire.martin"]))
        self.assertTrue(AuditEvent.objects.filter(verb="privacy.request_export", subject_id=self.lucas.pk))

    def test_a_childs_archive_holds_no_other_students_data(self):
        """Nothing of Lucas's classmates or of another family appears in his archive (art. 15(4))."""
        self.request("claire.martin", self.lucas)
        zipped = self.archive_of(DataExport.objects.get())
        text = "".join(zipped.read(n).decode(errors="ignore") for n in zipped.namelist())
        for other in ["ines.girard", "lea.bernard", "hugo.lambert"]:
            person = self.people[other]
            with self.subTest(other=other):
                self.assertNotIn(person.username, text)
                self.assertNotIn(person.get_full_name(), text)

    def test_who_may_ask_for_an_archive(self):
        """Oneself or a legal child; a guardian without legal responsibility or another family: 404."""
        for who, expected in [
            ("lucas.martin", 302),
            ("claire.martin", 302),
            ("thomas.girard", 404),
            ("paul.dupont", 404),
        ]:
            with self.subTest(who=who):
                self.assertEqual(self.request(who, self.lucas).status_code, expected)

    def test_an_archive_is_its_requesters_only_and_gone_after_seven_days(self):
        """Lucas cannot open the archive his mother asked for; nobody can once it expired (the same 404)."""
        self.request("claire.martin", self.lucas)
        export = DataExport.objects.get()
        progress = reverse("privacy:export_progress", args=[export.pk])
        for who in ["lucas.martin", "paul.dupont"]:
            with self.subTest(who=who):
                self.login(who)
                self.assertEqual(self.client.get(progress).status_code, 404)
                self.assertEqual(self.client.post(reverse("privacy:download", args=[export.pk])).status_code, 404)
        self.login("claire.martin")
        self.client.get(reverse("privacy:index"))
        with self.assertNumQueries(3):
            self.assertEqual(self.client.get(progress).status_code, 200)
        DataExport.objects.update(expires_at=timezone.now() - dt.timedelta(seconds=1))
        self.assertEqual(self.client.get(progress).status_code, 404)
        name = export.file.name
        with self.captureOnCommitCallbacks(execute=True):
            self.assertEqual(actions.purge_expired_exports(), 1)
        self.assertFalse(default_storage.exists(name))

    def test_the_archive_is_written_in_bounded_memory(self):
        """A 24 MB justification goes into the zip through a temporary file, never whole in memory."""
        from cartable.attendance.models import Absence, AbsenceReason, Justification

        college = self.school.college.establishment
        name = default_storage.save("attendance/big.bin", ContentFile(os.urandom(24 * 1024 * 1024)))
        self.addCleanup(default_storage.delete, name)
        reason = AbsenceReason.objects.create(establishment=college, label="Maladie")
        now = timezone.now()
        absence = Absence.objects.create(
            establishment=college,
            student=self.lucas,
            start=now,
            end=now + dt.timedelta(hours=1),
            source=Absence.Source.values[0],
        )
        Justification.objects.create(
            establishment=college,
            absence=absence,
            student=self.lucas,
            reason=reason,
            document=name,
            original_name="certificat.bin",
        )
        self.request("claire.martin", self.people["emma.martin"])  # the first archive imports what it needs
        tracemalloc.start()
        try:
            self.request("claire.martin", self.lucas)
            _current, peak = tracemalloc.get_traced_memory()
        finally:
            tracemalloc.stop()
        export = DataExport.objects.get(subject=self.lucas)
        self.assertEqual(export.status, "done")
        self.assertGreater(export.size, 24 * 1024 * 1024)  # random bytes do not compress
        self.assertLess(peak, 8 * 1024 * 1024)
        self.assertIn("fichiers/attendance.justification/0001-certificat.bin", self.archive_of(export).namelist())

    def test_the_hub_costs_a_fixed_number_of_queries(self):
        self.login("claire.martin")
        self.client.get(reverse("privacy:sessions"))
        with self.assertNumQueries(6):
            page = self.client.get(reverse("privacy:index")).content.decode()
        self.assertIn("Les données de Lucas Martin", page)

    def test_the_exports_page_costs_the_same_with_more_archives(self):
        self.login("claire.martin")
        self.client.get(reverse("privacy:index"))  # the session's first request writes its clock
        with self.assertNumQueries(6):
            self.client.get(reverse("privacy:exports"))
        for person in [self.lucas, self.people["emma.martin"], self.people["claire.martin"]]:
            self.request("claire.martin", person)
        with self.assertNumQueries(6):
            page = self.client.get(reverse("privacy:exports")).content.decode()
        self.assertEqual(page.count("Télécharger l'archive"), 3)


class RegisterTests(PersonaTestCase):
    def test_the_register_is_public_generated_from_every_provider_and_free(self):
        """Before sign-in, from the login page: every provider's purpose, basis and retention, no query."""
        self.assertIn(reverse("privacy:register"), self.client.get(reverse("accounts:login")).content.decode())
        with self.assertNumQueries(0):
            page = self.client.get(reverse("privacy:register")).content.decode()
        for model, provider in registry.data_providers().items():
            with self.subTest(model=model._meta.label):
                self.assertIn(escape(str(provider.purpose)), page)
                self.assertIn(escape(str(provider.retention)), page)
        self.assertIn("Mission d&#x27;intérêt public", page)
        self.assertIn("Transferts hors de l'Union européenne", page)
