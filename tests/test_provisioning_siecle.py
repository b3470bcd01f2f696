"""SIECLE and STS-web imports, for an establishment the académie's directory does not feed: an invented
collège's students, guardians and teachers come from its own exports, with the AAF import's guarantees (one
transaction, the run audited, a bad file refusing the set, idempotence, a full export as the truth), and
each bad input refused with a French message naming the file and the line."""

from __future__ import annotations

import hashlib
from io import StringIO

from django.core.files.uploadedfile import SimpleUploadedFile
from django.core.management import CommandError, call_command
from django.test import TestCase, override_settings
from django.urls import reverse
from django.utils import timezone

from cartable.core.models import AuditEvent
from cartable.directory.models import (
    Enrolment,
    ExternalIdentifier,
    GroupMembership,
    Guardianship,
    Membership,
    Role,
    SchoolClass,
    TeachingAssignment,
    User,
)
from cartable.provisioning import actions
from cartable.provisioning.models import ContactDetails, FedEstablishment, ImportRun, LocalFeed
from tests.support import aaf, siecle
from tests.support.personas import PersonaTestCase

TABLES = (User, ExternalIdentifier, Membership, Enrolment, GroupMembership, Guardianship, TeachingAssignment)
fed = siecle.fed


def snapshot() -> dict[str, int]:
    return {model.__name__: model.objects.count() for model in (*TABLES, SchoolClass, LocalFeed, ContactDetails)}


def roles(user: User) -> set[str]:
    today = timezone.localdate()
    return {m.role for m in Membership.objects.filter(person=user) if m.end_date is None or m.end_date >= today}


def classes_of(user: User) -> set[str]:
    today = timezone.localdate()
    rows = Enrolment.objects.filter(student=user).select_related("school_class")
    return {e.school_class.name for e in rows if e.end_date is None or e.end_date >= today}


class SiecleTests(TestCase):
    @classmethod
    def setUpTestData(cls):
        cls.college = siecle.open_college()
        cls.first_run, cls.plan = siecle.run(siecle.siecle_set())
        cls.sts_run, cls.sts_plan = siecle.run(siecle.sts_set(), feed="sts")

    def test_the_runs_are_recorded_with_their_files_and_sha256(self):
        """Each run: its kind, files recognised by content with their SHA-256, the outcome, counts per kind."""
        self.assertEqual(
            (self.first_run.outcome, self.first_run.source_kind), ("applied", "siecle"), self.first_run.errors
        )
        self.assertEqual((self.sts_run.outcome, self.sts_run.source_kind), ("applied", "sts"), self.sts_run.errors)
        files = {f["name"]: f for f in self.first_run.files}
        data = dict(siecle.siecle_set())
        for name in (siecle.STUDENTS_FILE, siecle.GUARDIANS_FILE):
            self.assertEqual(files[name]["sha256"], hashlib.sha256(data[name]).hexdigest())
        self.assertEqual(files[siecle.STUDENTS_FILE]["kind"], "SIECLE élèves")
        self.assertEqual(self.first_run.counts["people"]["created"], 9)
        self.assertTrue(LocalFeed.objects.filter(establishment=self.college).exists())

    def test_students_are_keyed_on_eleve_id_with_their_ine_in_their_division_and_groups(self):
        """Both encodings come through (« œ » in ISO-8859-15); the INE is kept; division and groups."""
        zoe = fed("eleve-1001")
        self.assertEqual((zoe.first_name, zoe.last_name, zoe.username), ("Zoé", "Cœurdelion", "zoe.coeurdelion"))
        self.assertEqual(zoe.external_ids.get(source="ine").value, "070707070AB")
        self.assertEqual(roles(zoe), {Role.STUDENT})
        self.assertEqual(classes_of(zoe), {"5A"})
        self.assertEqual(
            set(GroupMembership.objects.filter(student=zoe).values_list("group__name", flat=True)), {"5A-LAT"}
        )
        self.assertEqual(Membership.objects.get(person=zoe).fed_by, "siecle")

    def test_only_legal_guardians_get_an_account_with_their_kinship(self):
        """RESP_LEGAL 1 or 2 gives a guardian's membership; 0 (a contact) none; CODE_PARENTE maps the kinship;
        a guardian of two children is one person; « € » survives UTF-8."""
        helene, paul, odile = fed("resp-501"), fed("resp-502"), fed("resp-504")
        self.assertEqual(roles(helene), {Role.GUARDIAN})
        self.assertEqual(roles(paul), {Role.GUARDIAN})
        self.assertEqual(roles(odile), set())
        children = Guardianship.objects.filter(guardian=helene).values_list("student__first_name", "relationship")
        self.assertEqual(set(children), {("Noé", "mother"), ("Léa", "mother")})
        self.assertEqual(Guardianship.objects.get(guardian=paul, student=fed("eleve-1002")).relationship, "father")
        contact = Guardianship.objects.get(guardian=odile)
        self.assertFalse(contact.legal_responsibility)
        details = ContactDetails.objects.get(person=helene)
        self.assertEqual((details.address, details.city), ("3 rue de l'Œuvre, boîte « 5 € »", "VAL-D'OR"))
        self.assertEqual(helene.title, "mme")

    def test_teachers_services_groups_and_head_teachers_come_from_sts(self):
        """INDIVIDUS by their FONCTION; services of divisions and groups with their subjects; head teachers
        through PROFS_PRINC and through the division's PROFESSEURS_PRINCIPAUX; groups keep their divisions."""
        renee, louis, yves = fed("ind-9001", "sts"), fed("ind-9002", "sts"), fed("ind-9003", "sts")
        self.assertEqual((renee.last_name, renee.birth_date.isoformat()), ("Lebœuf", "1978-04-12"))
        self.assertEqual(roles(renee), {Role.TEACHER})
        self.assertEqual(roles(yves), {Role.DIRECTION})
        self.assertEqual(Membership.objects.get(person=renee).job_title, "Lettres modernes")
        services = {
            (t.subject.code, (t.school_class or t.group).name)
            for t in TeachingAssignment.objects.filter(teacher=louis).select_related("subject", "school_class", "group")
        }
        self.assertEqual(services, {("ANG1", "ANG-G1"), ("MATHS", "4B")})
        self.assertEqual(TeachingAssignment.objects.filter(teacher=renee).count(), 3)
        heads = dict(SchoolClass.objects.values_list("name", "head_teacher"))
        self.assertEqual(heads, {"5A": renee.pk, "4B": louis.pk})
        group = self.college and SchoolClass.objects.get(name="4B").groups.get()
        self.assertEqual(group.name, "ANG-G1")
        self.assertEqual(set(group.classes.values_list("name", flat=True)), {"5A", "4B"})

    def test_every_change_is_audited_and_tied_to_the_run(self):
        events = AuditEvent.objects.filter(verb__startswith="provisioning.siecle.")
        self.assertTrue(events.exists())
        self.assertEqual({e.after["import_run"] for e in events}, {self.first_run.pk})
        self.assertTrue(
            AuditEvent.objects.filter(verb="provisioning.sts.create", after__import_run=self.sts_run.pk).exists()
        )

    def test_importing_the_same_exports_again_changes_nothing(self):
        before = snapshot()
        for files, feed in ((siecle.siecle_set(), "siecle"), (siecle.sts_set(), "sts")):
            run, _plan = siecle.run(files, feed=feed)
            with self.subTest(feed):
                self.assertEqual((run.count("created"), run.count("changed"), run.count("ended")), (0, 0, 0))
        self.assertEqual(snapshot(), before)

    def test_a_zip_of_the_exports_is_the_same_set(self):
        run, _plan = siecle.run([("export.zip", siecle.zipped(siecle.siecle_set()))])
        self.assertEqual((run.outcome, run.count("created"), run.count("changed")), ("applied", 0, 0), run.errors)

    def test_a_second_export_brings_a_newcomer_moves_a_student_and_ends_a_leaver(self):
        """The full export is the truth: Linh arrives with her mother, Noé moves to 4B, Sacha (absent) loses
        his memberships and so does his father; a hand-made membership there stays."""
        sacha, marc = fed("eleve-1004"), fed("resp-505")
        hand_made = Membership.objects.create(person=sacha, establishment=self.college, role=Role.ESTABLISHMENT_ADMIN)
        run, _plan = siecle.run(siecle.second_siecle_set())
        self.assertEqual(run.outcome, "applied", run.errors)
        linh, thi = fed("eleve-1005"), fed("resp-506")
        self.assertEqual(classes_of(linh), {"5A"})
        self.assertEqual(roles(thi), {Role.GUARDIAN})
        self.assertEqual(classes_of(fed("eleve-1002")), {"4B"})
        self.assertEqual(roles(sacha), {Role.ESTABLISHMENT_ADMIN})
        self.assertEqual(classes_of(sacha), set())
        self.assertEqual(roles(marc), set())
        self.assertTrue(User.objects.filter(pk=sacha.pk).exists())  # never hard-deleted
        hand_made.refresh_from_db()
        self.assertIsNone(hand_made.end_date)

    def test_a_teacher_left_out_of_sts_loses_her_services_not_her_account(self):
        run, _plan = siecle.run([(siecle.STS_FILE, siecle.sts_xml(siecle.PEOPLE[1:], siecle.SERVICES[3:]))], feed="sts")
        self.assertEqual(run.outcome, "applied", run.errors)
        renee = fed("ind-9001", "sts")
        self.assertEqual(roles(renee), set())
        today = timezone.localdate()
        self.assertFalse(
            [t for t in TeachingAssignment.objects.filter(teacher=renee) if t.end_date is None or t.end_date >= today]
        )
        self.assertEqual(roles(fed("resp-501")), {Role.GUARDIAN})  # SIECLE's rows are not STS's to end

    def test_the_guardians_export_alone_changes_only_the_links(self):
        """ResponsablesAvecAdresses without the students' export: students stay as they are."""
        links = [link for link in siecle.LINKS if link[1] != "502"]
        run, _plan = siecle.run([(siecle.GUARDIANS_FILE, siecle.guardians_xml(siecle.GUARDIANS, links))])
        self.assertEqual(run.outcome, "applied", run.errors)
        self.assertEqual(roles(fed("resp-502")), set())
        self.assertEqual(classes_of(fed("eleve-1002")), {"5A"})
        self.assertEqual(roles(fed("eleve-1004")), {Role.STUDENT})

    def test_a_dry_run_writes_nothing_but_its_run(self):
        before = snapshot()
        run, _plan = siecle.run(siecle.second_siecle_set(), dry_run=True)
        self.assertEqual((run.outcome, run.dry_run), ("dry_run", True))
        self.assertEqual(run.counts["people"]["created"], 2)
        self.assertEqual(snapshot(), before)

    def test_a_student_moving_from_another_such_establishment_keeps_her_account(self):
        """Her INE finds her: the same account gets the other collège's ELEVE_ID."""
        from cartable.directory.actions import open_establishment
        from cartable.directory.models import Establishment

        other = open_establishment(
            actor=None,
            establishment=Establishment(
                academy=self.college.academy, uai="0999102B", name="Collège Sophie Germain", kind="college"
            ),
        )
        zoe = fed("eleve-1001")
        moved = [siecle.Student("7001", "070707070AB", "Cœurdelion", "Zoé", "12/05/2013", "4C")]
        run, _plan = siecle.run([(siecle.STUDENTS_FILE, siecle.students_xml(moved, uaj=other.uai))])
        self.assertEqual(run.outcome, "applied", run.errors)
        self.assertEqual(ExternalIdentifier.objects.get(issuer="siecle:0999102B", value="eleve-7001").person_id, zoe.pk)
        self.assertIn("rapproché", run.warnings[0]["message"])

    def test_the_commands_print_the_difference_and_refuse_a_bad_set(self):
        import tempfile
        from pathlib import Path

        with tempfile.TemporaryDirectory() as folder:
            paths = []
            for name, data in siecle.second_siecle_set():
                (Path(folder) / name).write_bytes(data)
                paths.append(str(Path(folder) / name))
            out = StringIO()
            call_command("import_siecle", *paths, "--dry-run", stdout=out)
            self.assertIn("créer Inscriptions en classe — Noé Martin (eleve-1002) — 4B", out.getvalue())
            self.assertIn("clore Inscriptions en classe — Noé Martin (eleve-1002) — 5A", out.getvalue())
            with self.assertRaisesMessage(CommandError, "rien n'a été importé."):
                call_command("import_sts", *paths, stdout=StringIO())
            sts = Path(folder) / siecle.STS_FILE
            sts.write_bytes(siecle.sts_xml())
            out = StringIO()
            call_command("import_sts", str(sts), "--uai", siecle.UAI, stdout=out)
            self.assertIn("STS-web", out.getvalue())


def bad(data: bytes, old: str, new: str) -> bytes:
    text = data.decode("ISO-8859-15" if b"ISO-8859-15" in data[:60] else "UTF-8")
    assert old in text, old
    encoding = "ISO-8859-15" if b"ISO-8859-15" in data[:60] else "UTF-8"
    return text.replace(old, new, 1).encode(encoding)


class BadInputTests(TestCase):
    """Each bad input refuses the whole set with a French message naming the file (and the line); nothing
    is written."""

    @classmethod
    def setUpTestData(cls):
        cls.college = siecle.open_college()

    def refused(self, files, message: str, *, feed: str | None = "siecle", uai: str = "", line: bool = True):
        before = snapshot()
        run, _plan = siecle.run(files, feed=feed, uai=uai)
        self.assertEqual(run.outcome, "refused")
        self.assertTrue(any(message in e["message"] for e in run.errors), run.errors)
        error = next(e for e in run.errors if message in e["message"])
        self.assertTrue(error["file"])
        if line:
            self.assertGreater(error["line"], 0, error)
        self.assertEqual(snapshot(), before)

    def test_each_bad_input_is_refused_whole(self):
        students, guardians = siecle.students_xml(), siecle.guardians_xml()
        sts = siecle.sts_xml()
        g = siecle.GUARDIANS_FILE
        cases = [
            ("malformed", [(siecle.STUDENTS_FILE, students[:-30]), (g, guardians)], "XML mal formé", "siecle"),
            (
                "wrong root",
                [
                    (
                        siecle.STUDENTS_FILE,
                        bad(students, "BEE_ELEVES", "BEE_ELEVEZ").replace(b"</BEE_ELEVES>", b"</BEE_ELEVEZ>"),
                    )
                ],
                "Racine inattendue « BEE_ELEVEZ »",
                "siecle",
            ),
            ("an AAF file", [("aaf.xml", aaf.document([]))], "Racine inattendue « ficAlimMENESR »", "siecle"),
            ("STS to import_siecle", [(siecle.STS_FILE, sts)], "importez-le avec « cartable import_sts »", "siecle"),
            (
                "two establishments",
                [(siecle.STUDENTS_FILE, students), (g, siecle.guardians_xml(uaj="0999102B"))],
                "plusieurs établissements",
                "siecle",
            ),
            (
                "duplicate ELEVE_ID",
                [(siecle.STUDENTS_FILE, bad(students, 'ELEVE_ID="1002" ELENOET', 'ELEVE_ID="1001" ELENOET'))],
                "Identifiant en double « 1001 »",
                "siecle",
            ),
            (
                "duplicate PERSONNE_ID",
                [(g, bad(guardians, 'PERSONNE_ID="502"', 'PERSONNE_ID="501"'))],
                "Identifiant en double « 501 »",
                "siecle",
            ),
            (
                "duplicate INDIVIDU",
                [(siecle.STS_FILE, bad(sts, 'INDIVIDU ID="9002"', 'INDIVIDU ID="9001"'))],
                "Identifiant en double « 9001 »",
                "sts",
            ),
            (
                "missing name",
                [(siecle.STUDENTS_FILE, bad(students, "<PRENOM>Noé</PRENOM>", "<PRENOM/>"))],
                "Champ obligatoire manquant : PRENOM",
                "siecle",
            ),
            (
                "missing ELEVE_ID",
                [(siecle.STUDENTS_FILE, bad(students, 'ELEVE_ID="1003" ELENOET', "ELENOET"))],
                "Attribut obligatoire manquant : ELEVE_ID",
                "siecle",
            ),
            (
                "missing NOM_USAGE",
                [
                    (
                        siecle.STS_FILE,
                        bad(
                            bad(sts, "<NOM_USAGE>Castel</NOM_USAGE>", ""),
                            "<NOM_PATRONYMIQUE>Castel</NOM_PATRONYMIQUE>",
                            "",
                        ),
                    )
                ],
                "Champ obligatoire manquant : NOM_USAGE",
                "sts",
            ),
            (
                "unknown guardian",
                [(g, bad(guardians, "<PERSONNE_ID>505</PERSONNE_ID>", "<PERSONNE_ID>999</PERSONNE_ID>"))],
                "Responsable inconnu « 999 »",
                "siecle",
            ),
            (
                "unknown teacher",
                [(siecle.STS_FILE, bad(sts, 'ENSEIGNANT ID="9002"', 'ENSEIGNANT ID="9999"'))],
                "Enseignant inconnu « 9999 »",
                "sts",
            ),
            (
                "unknown subject",
                [(siecle.STS_FILE, bad(sts, 'CODE_MATIERE="061300"', 'CODE_MATIERE="000000"'))],
                "Matière inconnue « 000000 »",
                "sts",
            ),
            (
                "external entity",
                [
                    (
                        siecle.STUDENTS_FILE,
                        bad(
                            students,
                            "<BEE_ELEVES",
                            '<!DOCTYPE BEE_ELEVES [<!ENTITY x SYSTEM "file:///etc/passwd">]>\n<BEE_ELEVES',
                        ),
                    )
                ],
                "entités XML",
                "siecle",
            ),
        ]
        for label, files, message, feed in cases:
            with self.subTest(label):
                self.refused(files, message, feed=feed, line=label != "external entity")

    def test_the_uaj_must_be_the_establishment(self):
        self.refused(siecle.siecle_set(), "ce n'est pas l'établissement attendu (0999102B)", uai="0999102B")
        self.refused(
            [(siecle.STUDENTS_FILE, siecle.students_xml(uaj="0999199Z"))],
            "Établissement inconnu « 0999199Z »",
            line=False,
        )
        self.refused([(siecle.STUDENTS_FILE, siecle.students_xml(uaj="09991"))], "UAI invalide « 09991 »")

    def test_an_establishment_fed_by_aaf_refuses_these_exports_and_the_reverse(self):
        FedEstablishment.objects.create(establishment=self.college, academy_code="AC-VALDOR", jointure="J1")
        self.refused(siecle.siecle_set(), "est alimenté par l'AAF")
        FedEstablishment.objects.all().delete()
        run, _plan = siecle.run(siecle.sts_set(), feed="sts")
        self.assertEqual(run.outcome, "applied", run.errors)
        structure = aaf.structure("9990009Z", siecle.UAI, siecle.NAME, "CLG")
        run, _plan = aaf.run_files({"ENT_AC-VALDOR_Complet_EtabEducNat.xml": aaf.document([structure])})
        self.assertEqual(run.outcome, "refused")
        self.assertIn("propres exports SIECLE et STS-web", run.errors[0]["message"])
        self.assertGreater(run.errors[0]["line"], 0)

    @override_settings(CARTABLE_AAF_MAX_FILE_BYTES=1000)
    def test_a_file_over_the_size_limit_is_refused(self):
        with self.assertRaisesMessage(Exception, "dépasse la taille permise"):
            siecle.run(siecle.siecle_set())
        run, _plan = actions.import_exports(actor=None, sources=_sources(siecle.siecle_set()), feed="siecle")
        self.assertEqual(run.outcome, "refused")
        self.assertIn("dépasse la taille permise", run.errors[0]["message"])
        self.assertEqual(run.errors[0]["file"], siecle.STUDENTS_FILE)
        self.assertEqual(User.objects.count(), 0)

    def test_a_zip_with_a_path_out_of_the_archive_is_refused(self):
        archive = siecle.zipped(
            siecle.siecle_set(), names=["../ElevesSansAdresses.xml", "ResponsablesAvecAdresses.xml"]
        )
        with self.assertRaisesMessage(Exception, "Chemin interdit dans l'archive"):
            siecle.run([("export.zip", archive)])
        self.assertEqual(ImportRun.objects.filter(outcome="applied").count(), 0)


class ScaleTests(TestCase):
    def test_queries_do_not_grow_with_the_export(self):
        """Reading the directory takes the same number of queries for 3 or 30 students (and their guardians)
        dry-run, and writing them at most a batch more; re-importing 30 takes what re-importing 3 takes."""
        from django.db import connection
        from django.test.utils import CaptureQueriesContext

        siecle.open_college()

        def files(count: int) -> list[tuple[str, bytes]]:
            students = [
                siecle.Student(str(2000 + i), f"08080{i:04d}XY", f"Nom{i}", "Élève", "01/01/2013", f"6{i % 3}", ["G1"])
                for i in range(count)
            ]
            guardians = [
                siecle.Guardian(str(3000 + i), f"Nom{i}", "Parent", "M.", "1 rue", "99100", "Val") for i in range(count)
            ]
            links = [(str(2000 + i), str(3000 + i), "1", "20") for i in range(count)]
            return [
                (siecle.STUDENTS_FILE, siecle.students_xml(students)),
                (siecle.GUARDIANS_FILE, siecle.guardians_xml(guardians, links)),
            ]

        def measure(count: int) -> tuple[int, int, int]:
            with CaptureQueriesContext(connection) as dry:
                siecle.run(files(count), dry_run=True)
            with CaptureQueriesContext(connection) as real:
                run, _plan = siecle.run(files(count))
            self.assertEqual(run.counts["people"]["created"], 2 * count, run.errors)
            with CaptureQueriesContext(connection) as again:
                siecle.run(files(count))
            for model in (Membership, Enrolment, GroupMembership, Guardianship, ExternalIdentifier, ContactDetails):
                model.objects.all().delete()
            User.objects.all().delete()
            return len(dry.captured_queries), len(real.captured_queries), len(again.captured_queries)

        measure(3)  # the first import marks the collège and makes its year, classes and group
        few, many = measure(3), measure(30)
        self.assertEqual(few[0], many[0])
        self.assertLessEqual(many[1], few[1] + 2)
        self.assertEqual(few[2], many[2])


class UploadTests(PersonaTestCase):
    """The regional administrator's « Alimentation » page takes these exports too, recognised by content."""

    def test_the_page_simulates_then_imports_siecle_exports_and_lists_them(self):
        siecle.open_college()
        self.login("admin.region")
        files = [SimpleUploadedFile(n, d, content_type="application/xml") for n, d in siecle.siecle_set()]
        with self.captureOnCommitCallbacks(execute=True):
            response = self.client.post(reverse("provisioning:index"), {"set_files": files, "dry_run": "on"})
        run = ImportRun.objects.get()
        self.assertRedirects(response, reverse("provisioning:detail", args=[run.pk]))
        self.assertEqual((run.outcome, run.source_kind), ("dry_run", "siecle"), run.errors)
        archive = SimpleUploadedFile("export.zip", siecle.zipped(siecle.sts_set()))
        with self.captureOnCommitCallbacks(execute=True):
            self.client.post(reverse("provisioning:index"), {"set_files": [archive]})
        run = ImportRun.objects.order_by("-pk").first()
        self.assertEqual((run.outcome, run.source_kind), ("applied", "sts"), run.errors)
        page = self.client.get(reverse("provisioning:index"))
        self.assertContains(page, "SIECLE (élèves, responsables)")
        self.assertContains(page, "STS-web (enseignants, services)")
        self.assertContains(
            self.client.get(reverse("provisioning:detail", args=[run.pk])), "Services d&#x27;enseignement"
        )

    def test_a_set_mixing_siecle_and_sts_is_refused(self):
        siecle.open_college()
        run, _plan = actions.import_any(actor=None, sources=_sources(siecle.siecle_set() + siecle.sts_set()))
        self.assertEqual(run.outcome, "refused")
        self.assertIn("mêle des exports SIECLE et STS-web", run.errors[0]["message"])


def _sources(files):
    from cartable.provisioning.aaf import sources

    return sources.from_uploads(files)
