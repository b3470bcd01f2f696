"""The AAF import: a complete set feeds an invented académie's collège and lycée, a delta moves people,
a second import changes nothing, a dry-run writes nothing, and every kind of bad input is refused whole
with a French message naming the file and the line."""

from __future__ import annotations

import datetime as dt
import hashlib
import io
import tempfile
import zipfile
from io import StringIO
from pathlib import Path

from django.core.files.uploadedfile import SimpleUploadedFile
from django.core.management import CommandError, call_command
from django.db import connection
from django.test import TestCase, override_settings
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone

from cartable.core.models import AuditEvent
from cartable.directory.models import (
    Enrolment,
    Establishment,
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
from cartable.provisioning.aaf import parser, sources
from cartable.provisioning.models import ContactDetails, FedEstablishment, FunctionRole, ImportRun, ImportUpload
from tests.support import aaf
from tests.support.personas import PersonaTestCase

TABLES = (
    User,
    ExternalIdentifier,
    Establishment,
    Membership,
    Enrolment,
    GroupMembership,
    Guardianship,
    TeachingAssignment,
    SchoolClass,
    ContactDetails,
    FedEstablishment,
)


run_files = aaf.run_files
person = aaf.fed_person


def snapshot() -> dict[str, int]:
    return {model.__name__: model.objects.count() for model in TABLES}


def roles(user: User, *, current_only: bool = True) -> set[tuple[str, str]]:
    today = timezone.localdate()
    rows = Membership.objects.filter(person=user).select_related("establishment")
    return {
        (m.establishment.uai, m.role) for m in rows if not current_only or m.end_date is None or m.end_date >= today
    }


class CompleteSetTests(TestCase):
    @classmethod
    def setUpTestData(cls):
        cls.first, cls.plan = run_files(aaf.complete_set())

    def test_the_run_is_recorded_with_its_files_and_their_sha256(self):
        """Who, when, which files (name, SHA-256, size, kind recognised by content), the outcome."""
        run = self.first
        self.assertEqual(run.outcome, ImportRun.Outcome.APPLIED, run.errors)
        self.assertEqual(run.source_kind, ImportRun.SourceKind.AAF_COMPLETE)
        self.assertFalse(run.dry_run)
        expected = {name: hashlib.sha256(data).hexdigest() for name, data in aaf.complete_set().items()}
        self.assertEqual({f["name"]: f["sha256"] for f in run.files}, expected)
        self.assertEqual(sorted(f["kind"] for f in run.files), ["Eleve", "EtabEducNat", "PersEducNat", "PersRelEleve"])
        self.assertEqual(run.counts["people"], {"created": 10, "changed": 0, "ended": 0, "unchanged": 0})
        self.assertIsNotNone(run.finished_at)

    def test_establishments_are_opened_with_their_academy_and_jointure(self):
        college = Establishment.objects.get(uai=aaf.COLLEGE[1])
        lycee = Establishment.objects.get(uai=aaf.LYCEE[1])
        self.assertEqual((college.name, college.kind, college.academy.code), (aaf.COLLEGE[2], "college", aaf.ACADEMY))
        self.assertEqual(lycee.kind, Establishment.Kind.LYCEE_GT)
        self.assertEqual(
            set(FedEstablishment.objects.values_list("jointure", "academy_code")),
            {(aaf.CJ, aaf.ACADEMY), (aaf.LJ, aaf.ACADEMY)},
        )

    def test_names_and_addresses_come_through_both_encodings(self):
        """« œ » in a name (UTF-8 and ISO-8859-15 files), « € » in an address (ISO-8859-15)."""
        self.assertEqual(person("E1").last_name, "Cœurdevey")
        self.assertEqual(person("P2").last_name, "Cœurdevey")  # from the ISO-8859-15 file
        anne = person("P1")
        contact = ContactDetails.objects.get(person=anne)
        self.assertEqual(contact.address, "12 rue des Écus, boîte « 5 € »")
        self.assertTrue(contact.address_shared)  # O/N
        self.assertEqual(
            (anne.email, anne.title, anne.birth_date), ("anne.lefevre@example.org", "mme", dt.date(1980, 5, 5))
        )
        self.assertEqual(person("E1").username, "chloe.coeurdevey")

    def test_every_person_gets_the_roles_their_functions_give(self):
        college, lycee = aaf.COLLEGE[1], aaf.LYCEE[1]
        expected = {
            "E1": {(college, Role.STUDENT)},
            "E2": {(lycee, Role.STUDENT)},
            "T1": {(college, Role.TEACHER), (lycee, Role.TEACHER)},
            "C1": {(college, Role.EDUCATION)},
            "D1": {(college, Role.DIRECTION)},
            "S1": {(college, Role.ADMINISTRATIVE)},
            "X1": {(lycee, Role.TEACHER)},  # ZZZ is unknown: reported, not guessed
            "P1": {(college, Role.GUARDIAN), (lycee, Role.GUARDIAN)},  # children in both
            "P2": {(college, Role.GUARDIAN)},
            "P3": set(),  # a contact, not legally responsible: no account opened
        }
        for jointure, wanted in expected.items():
            with self.subTest(jointure=jointure):
                self.assertEqual(roles(person(jointure)), wanted)
        self.assertTrue(Membership.objects.filter(fed_by="aaf").count() == 11)
        cpe = Membership.objects.get(person=person("C1"))
        self.assertEqual(cpe.job_title, "Conseiller principal d'education")
        self.assertEqual(
            [w["message"] for w in self.first.warnings],
            ["Code de fonction inconnu « ZZZ » : aucun rôle donné (voir les fonctions AAF)."],
        )
        self.assertTrue(
            self.first.warnings[0]["file"].endswith("PersEducNat_0000.xml") and self.first.warnings[0]["line"]
        )

    def test_classes_groups_teaching_and_head_teacher(self):
        chloe, paul = person("E1"), person("T1")
        self.assertEqual(
            list(Enrolment.objects.filter(student=chloe).values_list("school_class__name", flat=True)), ["5e A"]
        )
        self.assertEqual(
            list(GroupMembership.objects.filter(student=chloe).values_list("group__name", flat=True)), ["Latin 5e"]
        )
        five_a = SchoolClass.objects.get(name="5e A")
        self.assertEqual((five_a.head_teacher, five_a.level, five_a.school_year.start_date.month), (paul, "5e", 9))
        services = {
            (
                t.establishment.uai,
                t.subject.code,
                t.subject.name,
                t.school_class.name if t.school_class else t.group.name,
            )
            for t in TeachingAssignment.objects.filter(teacher=paul).select_related(
                "establishment", "subject", "school_class", "group"
            )
        }
        self.assertEqual(
            services,
            {
                (aaf.COLLEGE[1], "MATHS", "Mathématiques", "5e A"),
                (aaf.LYCEE[1], "MATHS", "Mathématiques", "2nde 1"),
                (aaf.COLLEGE[1], "LCALA", "Latin", "Latin 5e"),
            },
        )

    def test_guardians_keep_the_dominant_relation(self):
        """Anne is named twice for Chloé (contact, then legal guardian): the legal relation wins."""
        links = {
            (g.guardian.first_name, g.relationship, g.legal_responsibility, g.receives_notifications)
            for g in Guardianship.objects.filter(student=person("E1")).select_related("guardian")
        }
        self.assertEqual(
            links,
            {("Anne", "mother", True, True), ("Marc", "father", True, True), ("Odette", "tutor", False, False)},
        )
        self.assertEqual(Guardianship.objects.filter(student=person("E2")).get().guardian, person("P1"))

    def test_every_change_is_audited_and_tied_to_the_run(self):
        rows = AuditEvent.objects.filter(verb__startswith="provisioning.aaf.")
        self.assertGreater(rows.count(), 30)
        self.assertEqual({r.after["import_run"] for r in rows}, {self.first.pk})
        self.assertEqual(AuditEvent.objects.filter(verb="provisioning.import", target_id=str(self.first.pk)).count(), 1)
        self.assertEqual(AuditEvent.objects.filter(verb="directory.open_establishment").count(), 2)

    def test_importing_the_same_set_again_changes_nothing(self):
        """Idempotent: every count is « unchanged », no row and no audited write is added."""
        before, audited = snapshot(), AuditEvent.objects.filter(verb__startswith="provisioning.aaf.").count()
        run, plan = run_files(aaf.complete_set(), seed=99)
        self.assertEqual(run.outcome, ImportRun.Outcome.APPLIED)
        for kind, counts in run.counts.items():
            with self.subTest(kind=kind):
                self.assertEqual((counts["created"], counts["changed"], counts["ended"]), (0, 0, 0), plan.lines)
        self.assertEqual(run.counts["people"]["unchanged"], 10)
        self.assertEqual(snapshot(), before)
        self.assertEqual(AuditEvent.objects.filter(verb__startswith="provisioning.aaf.").count(), audited)

    def test_a_zip_of_the_set_is_the_same_set(self):
        with tempfile.TemporaryDirectory() as folder:
            archive = Path(folder) / "lot.zip"
            archive.write_bytes(aaf.zipped(aaf.complete_set()))
            run, _plan = actions.import_aaf(actor=None, sources=sources.from_paths([archive]))
        self.assertEqual(run.outcome, ImportRun.Outcome.APPLIED, run.errors)
        self.assertEqual(run.count("created") + run.count("changed") + run.count("ended"), 0)
        self.assertEqual(len(run.files), 4)

    def test_a_delta_creates_moves_and_ends(self):
        """A new student in 5e A with two guardians, Chloé moving to 5e B, Odette's telephone changed and
        nothing else of hers, the secretary leaving: his membership ends, his account stays."""
        run, _plan = run_files(aaf.delta_set())
        self.assertEqual(run.outcome, ImportRun.Outcome.APPLIED, run.errors)
        self.assertEqual(run.source_kind, ImportRun.SourceKind.AAF_DELTA)
        awa = person("E3")
        self.assertEqual(roles(awa), {(aaf.COLLEGE[1], Role.STUDENT)})
        self.assertEqual(
            list(Enrolment.objects.filter(student=awa).values_list("school_class__name", flat=True)), ["5e A"]
        )
        for jointure in ("P4", "P5"):
            self.assertEqual(roles(person(jointure)), {(aaf.COLLEGE[1], Role.GUARDIAN)})
        yesterday = timezone.localdate() - dt.timedelta(days=1)
        chloe = {
            e.school_class.name: e.end_date
            for e in Enrolment.objects.filter(student=person("E1")).select_related("school_class")
        }
        self.assertEqual(chloe, {"5e A": yesterday, "5e B": None})
        self.assertEqual(GroupMembership.objects.filter(student=person("E1"), end_date=None).count(), 1)  # untouched
        odette = person("P3")
        self.assertEqual((odette.first_name, odette.last_name), ("Odette", "Cœurdevey"))
        self.assertEqual(ContactDetails.objects.get(person=odette).phone, "0300000003")
        yann = person("S1")
        self.assertEqual(roles(yann), set())
        self.assertEqual(Membership.objects.get(person=yann).end_date, yesterday)
        self.assertTrue(User.objects.filter(pk=yann.pk).exists())
        self.assertEqual(run.counts["memberships"]["ended"], 1)
        again, _plan = run_files(aaf.delta_set())
        self.assertEqual(again.count("created") + again.count("changed") + again.count("ended"), 0, _plan.lines)

    def test_a_complete_set_ends_what_it_no_longer_lists_and_leaves_hand_made_rows(self):
        """Yann (secretary) and Hugo (lycée) missing from the next complete set lose their memberships there,
        Anne her lycée one; Paul's hand-made ENT administrator membership and service stay."""
        paul, college = person("T1"), Establishment.objects.get(uai=aaf.COLLEGE[1])
        handmade = Membership.objects.create(person=paul, establishment=college, role=Role.ESTABLISHMENT_ADMIN)
        subject = TeachingAssignment.objects.filter(teacher=paul, school_class__name="5e A").get().subject
        five_b = SchoolClass.objects.create(
            establishment=college, school_year=SchoolClass.objects.get(name="5e A").school_year, name="5e B", level="5e"
        )
        service = TeachingAssignment.objects.create(
            establishment=college, teacher=paul, subject=subject, school_class=five_b
        )
        files = aaf.complete_set()
        eleves = [r for r in aaf.STUDENTS if "<id>E2</id>" not in r]
        staff = [r for r in aaf.STAFF if "<id>S1</id>" not in r]
        files["ENT_AC-VALDOR_Complet_20260901_Eleve_0000.xml"] = aaf.document(eleves)
        files["ENT_AC-VALDOR_Complet_20260901_PersEducNat_0000.xml"] = aaf.document(staff)
        run, _plan = run_files(files)
        self.assertEqual(run.outcome, ImportRun.Outcome.APPLIED, run.errors)
        self.assertEqual(roles(person("S1")), set())
        self.assertEqual(roles(person("E2")), set())
        self.assertEqual(
            Enrolment.objects.get(student=person("E2")).end_date, timezone.localdate() - dt.timedelta(days=1)
        )
        self.assertEqual(roles(person("P1")), {(aaf.COLLEGE[1], Role.GUARDIAN)})
        handmade.refresh_from_db()
        service.refresh_from_db()
        self.assertIsNone(handmade.end_date)
        self.assertIsNone(service.end_date)
        self.assertEqual(run.counts["memberships"]["ended"], 3)
        self.assertEqual(User.objects.filter(pk=person("E2").pk).count(), 1)  # never hard-deleted

    def test_an_adult_known_to_two_academies_keeps_both_jointures(self):
        """Paul also teaches in another académie, whose directory knows him as Z9: one account, two jointures."""
        other = {
            "ENT_AC-AUTRE_Complet_EtabEducNat.xml": aaf.document(
                [aaf.structure("8880001A", "0888001Z", "Collège d'ailleurs", "CLG").replace(aaf.ACADEMY, "AC-AUTRE")]
            ),
            "ENT_AC-AUTRE_Complet_PersEducNat.xml": aaf.document(
                [
                    aaf.person(
                        "PersEducNat",
                        "Z9",
                        "Nguyen",
                        "Paul",
                        "M.",
                        "20/06/1985",
                        ENTPersonFonctions=["8880001A$ENS$ENSEIGNEMENT$L1300$MATHEMATIQUES"],
                    )
                ]
            ),
        }
        run, _plan = run_files(other)
        self.assertEqual(run.outcome, ImportRun.Outcome.APPLIED, run.errors)
        paul = person("T1")
        self.assertEqual(
            set(paul.external_ids.values_list("issuer", "value")), {(aaf.ACADEMY, "T1"), ("AC-AUTRE", "Z9")}
        )
        self.assertEqual(roles(paul), {(aaf.COLLEGE[1], "teacher"), (aaf.LYCEE[1], "teacher"), ("0888001Z", "teacher")})
        self.assertEqual(run.counts["people"]["created"], 0)


class DryRunTests(TestCase):
    def test_a_dry_run_writes_nothing_but_its_run(self):
        before = snapshot()
        audited = AuditEvent.objects.count()
        run, plan = run_files(aaf.complete_set(), dry_run=True)
        self.assertEqual(snapshot(), before)
        self.assertEqual(AuditEvent.objects.count(), audited)
        self.assertEqual((run.outcome, run.dry_run), (ImportRun.Outcome.DRY_RUN, True))
        self.assertEqual(run.counts["people"]["created"], 10)
        self.assertIn("created  people             Chloé Cœurdevey (E1)", [str(line) for line in plan.lines])

    def test_the_command_prints_the_difference_with_old_and_new_values(self):
        run_files(aaf.complete_set())
        rename = aaf.request("PersRelEleve", "P2", {"sn": "Cœurdevey-Martin"}, op="modify")
        with tempfile.TemporaryDirectory() as folder:
            path = Path(folder) / "ENT_AC-VALDOR_Delta_PersRelEleve.xml"
            path.write_bytes(aaf.document([rename], encoding="ISO-8859-15"))
            out = StringIO()
            call_command("import_aaf", str(path), "--dry-run", stdout=out)
        text = out.getvalue()
        self.assertIn("Simulé (rien d'écrit)", text)
        self.assertIn(
            "changer Personnes — Marc Cœurdevey-Martin (P2) : last_name=Cœurdevey → last_name=Cœurdevey-Martin", text
        )
        self.assertEqual(person("P2").last_name, "Cœurdevey")

    def test_the_command_refuses_a_bad_set_and_says_why(self):
        files = aaf.complete_set()
        files["ENT_AC-VALDOR_Complet_20260901_Eleve_0000.xml"] = b"<ficAlimMENESR><addRequest>"
        with tempfile.TemporaryDirectory() as folder:
            aaf.write(Path(folder), files)
            out = StringIO()
            with self.assertRaisesMessage(CommandError, "1 erreur : rien n'a été importé."):
                call_command("import_aaf", folder, stdout=out)
        self.assertIn("Erreur — ENT_AC-VALDOR_Complet_20260901_Eleve_0000.xml, ligne 1 : XML mal formé", out.getvalue())
        self.assertEqual(User.objects.count(), 0)


ELEVE = "ENT_AC-VALDOR_Complet_20260901_Eleve_0000.xml"
STAFF = "ENT_AC-VALDOR_Complet_20260901_PersEducNat_0000.xml"
ETAB = "ENT_AC-VALDOR_Complet_20260901_EtabEducNat_0000.xml"


def _replace(name: str, old: str, new: str):
    def change(files: dict[str, bytes]) -> None:
        encoding = "ISO-8859-15" if b"ISO-8859-15" in files[name][:60] else "UTF-8"
        text = files[name].decode(encoding)
        assert old in text, old
        files[name] = text.replace(old, new, 1).encode(encoding)

    return change


def _set(name: str, data: bytes):
    def change(files: dict[str, bytes]) -> None:
        files[name] = data

    return change


BOMB = '<!DOCTYPE ficAlimMENESR [<!ENTITY a "aaaaaaaaaa"><!ENTITY b "&a;&a;&a;&a;&a;&a;&a;&a;&a;&a;">]>\n'
XXE = '<!DOCTYPE ficAlimMENESR [<!ENTITY xxe SYSTEM "file:///etc/passwd">]>\n'


class BadInputTests(TestCase):
    """Each bad file makes the whole set refused, with a French message naming the file and line."""

    def refused(self, change, message: str, *, file: str, line: bool = True) -> ImportRun:
        files = aaf.complete_set()
        change(files)
        before = snapshot()
        run, _plan = run_files(files)
        self.assertEqual(run.outcome, ImportRun.Outcome.REFUSED)
        self.assertEqual(snapshot(), before, "nothing is written")
        self.assertTrue(
            any(message in e["message"] and e["file"].endswith(file) and (e["line"] or not line) for e in run.errors),
            run.errors,
        )
        return run

    def test_each_bad_input_is_refused_whole(self):
        cases = [
            ("malformed XML", _set(ELEVE, aaf.complete_set()[ELEVE][:-40]), "XML mal formé", ELEVE),
            (
                "wrong root",
                _set(ELEVE, aaf.document(aaf.STUDENTS, root="autreRacine", doctype="")),
                "Racine inattendue",
                ELEVE,
            ),
            (
                "wrong DTD",
                _set(ELEVE, aaf.document(aaf.STUDENTS, doctype='<!DOCTYPE ficAlimMENESR SYSTEM "autre.dtd">\n')),
                "DTD inattendue",
                ELEVE,
            ),
            (
                "unknown establishment",
                _replace(ELEVE, f"<value>{aaf.LJ}</value>", "<value>INCONNU</value>"),
                "Établissement inconnu « INCONNU »",
                ELEVE,
            ),
            (
                "class of another establishment",
                _replace(ELEVE, f"{aaf.CJ}$5e A", f"{aaf.LJ}$2nde 1"),
                "d'un autre établissement (0999002L)",
                ELEVE,
            ),
            (
                "duplicate id",
                _set(ELEVE, aaf.document([*aaf.STUDENTS, aaf.STUDENTS[0]])),
                "Identifiant en double « E1 »",
                ELEVE,
            ),
            (
                "missing sn",
                _replace(STAFF, '<attr name="sn"><value>Roche</value></attr>', ""),
                "Attribut obligatoire manquant : sn",
                STAFF,
            ),
            (
                "missing givenName",
                _replace(STAFF, '<attr name="givenName"><value>Inès</value></attr>', ""),
                "Attribut obligatoire manquant : givenName",
                STAFF,
            ),
            (
                "missing jointure",
                _replace(STAFF, '<attr name="ENTPersonJointure"><value>C1</value></attr>', ""),
                "Attribut obligatoire manquant : ENTPersonJointure",
                STAFF,
            ),
            (
                "missing UAI",
                _replace(ETAB, f'<attr name="ENTStructureUAI"><value>{aaf.LYCEE[1]}</value></attr>', ""),
                "Attribut obligatoire manquant : ENTStructureUAI",
                ETAB,
            ),
            ("bad date", _replace(STAFF, "03/02/1990", "1990-02-03"), "Date illisible « 1990-02-03 »", STAFF),
            ("unknown guardian", _replace(ELEVE, "P2$1$0$2", "P9$1$0$2"), "Responsable inconnu « P9 »", ELEVE),
            ("entity expansion", _set(ELEVE, aaf.document(aaf.STUDENTS, doctype=BOMB)), "entités XML", ELEVE),
            ("external entity", _set(ELEVE, aaf.document(aaf.STUDENTS, doctype=XXE)), "entités XML", ELEVE),
        ]
        for name, change, message, file in cases:
            with self.subTest(name):
                self.refused(change, message, file=file, line=name not in ("entity expansion", "external entity"))

    def test_a_modify_request_for_an_unknown_id_is_refused(self):
        delta = {
            "ENT_AC-VALDOR_Delta_Eleve.xml": aaf.document([aaf.request("Eleve", "E404", {"sn": "X"}, op="modify")])
        }
        run_files({ETAB: aaf.complete_set()[ETAB]})
        run, _plan = run_files(delta)
        self.assertEqual(run.outcome, ImportRun.Outcome.REFUSED)
        self.assertEqual(run.errors[0]["message"], "Modification d'un identifiant inconnu « E404 ».")
        self.assertEqual((run.errors[0]["file"], run.errors[0]["line"]), ("ENT_AC-VALDOR_Delta_Eleve.xml", 4))

    @override_settings(CARTABLE_AAF_MAX_FILE_BYTES=2000)
    def test_a_file_over_the_size_limit_is_refused(self):
        with self.assertRaises(parser.AafError) as raised, tempfile.TemporaryDirectory() as folder:
            sources.from_paths(aaf.write(Path(folder), aaf.complete_set()))
        self.assertIn("dépasse la taille permise (2 Ko)", str(raised.exception))
        # Uploaded (or zipped) files are measured while they are read.
        run, _plan = actions.import_aaf(actor=None, sources=sources.from_uploads(list(aaf.complete_set().items())))
        self.assertEqual(run.outcome, ImportRun.Outcome.REFUSED)
        self.assertIn("dépasse la taille permise", run.errors[0]["message"])
        self.assertEqual(User.objects.count(), 0)

    def test_a_zip_bomb_and_a_path_out_of_the_archive_are_refused(self):
        bomb = io.BytesIO()
        with zipfile.ZipFile(bomb, "w", zipfile.ZIP_DEFLATED) as archive:
            archive.writestr("ENT_Complet_Eleve.xml", b"<" + b" " * 50_000_000 + b">")
        evil = io.BytesIO()
        with zipfile.ZipFile(evil, "w") as archive:
            archive.writestr("../../etc/ENT_Complet_Eleve.xml", aaf.complete_set()[ELEVE])
        for data, message in [(bomb.getvalue(), "limites de décompression"), (evil.getvalue(), "Chemin interdit")]:
            with self.subTest(message), self.assertRaisesMessage(parser.AafError, message):
                sources.from_uploads([("lot.zip", data)])
        run, _plan = actions.import_aaf(actor=None, sources=[])
        self.assertEqual(run.outcome, ImportRun.Outcome.REFUSED)

    def test_the_parser_never_fetches_a_dtd(self):
        """A DOCTYPE naming the DTD by a web address is read without touching the network."""
        files = aaf.complete_set()
        remote = '<!DOCTYPE ficAlimMENESR SYSTEM "http://aaf.invalid/ficAlimMENESR.dtd">\n'
        files[ELEVE] = aaf.document(aaf.STUDENTS, doctype=remote)
        run, _plan = run_files(files)
        self.assertEqual(run.outcome, ImportRun.Outcome.APPLIED, run.errors)

    def test_sub_fields_dates_and_yes_no(self):
        self.assertEqual(parser.split("a$$c", 4), ["a", "", "c", ""])
        self.assertEqual(parser.split("P1$2$0$1$0$0", 6), ["P1", "2", "0", "1", "0", "0"])
        self.assertEqual(parser.date("01/09/2026"), dt.date(2026, 9, 1))
        self.assertIsNone(parser.date(""))
        self.assertEqual((parser.yes_no("O"), parser.yes_no("n"), parser.yes_no("")), (True, False, None))
        with self.assertRaises(ValueError):
            parser.yes_no("oui")


class MappingAndScaleTests(TestCase):
    def test_function_codes_are_data(self):
        """The data migration fills the table; a code added in the admin is used by the next import."""
        self.assertEqual(
            dict(FunctionRole.objects.values_list("code", "role")),
            {
                "ENS": "teacher",
                "DOC": "teacher",
                "DIR": "direction",
                "EDU": "education",
                "SUR": "education",
                "ORI": "education",
                "ADF": "administrative",
                "MDS": "administrative",
            },
        )
        FunctionRole.objects.create(code="ZZZ", label="Essai", role=Role.ADMINISTRATIVE)
        run, _plan = run_files(aaf.complete_set())
        self.assertEqual(run.warnings, [])
        self.assertEqual(roles(person("X1")), {(aaf.LYCEE[1], Role.TEACHER), (aaf.LYCEE[1], Role.ADMINISTRATIVE)})

    def test_queries_do_not_grow_with_the_set(self):
        """Reading the directory and writing the plan take the same number of queries for 2 or 40 students."""

        def measure(count: int) -> tuple[int, int]:
            students = [
                aaf.person(
                    "Eleve",
                    f"N{i}",
                    f"Nom{i}",
                    f"Prénom{i}",
                    "M",
                    "01/01/2014",
                    ENTPersonStructRattach=aaf.CJ,
                    ENTEleveClasses=f"{aaf.CJ}$6e {i % 3}",
                    ENTElevePersRelEleve=[aaf.link(f"R{i}", "1", "1")],
                )
                for i in range(count)
            ]
            relatives = [aaf.person("PersRelEleve", f"R{i}", f"Nom{i}", "Parent", "M.", "") for i in range(count)]
            files = {
                ETAB: aaf.document([aaf.structure(*aaf.COLLEGE)]),
                "Eleve.xml": aaf.document(students),
                "PersRelEleve.xml": aaf.document(relatives),
            }
            with CaptureQueriesContext(connection) as dry:
                run_files(files, dry_run=True)
            with CaptureQueriesContext(connection) as real:
                run, _plan = run_files(files)
            self.assertEqual(run.counts["people"]["created"], 2 * count)
            Membership.objects.all().delete()
            Enrolment.objects.all().delete()
            Guardianship.objects.all().delete()
            ExternalIdentifier.objects.all().delete()
            User.objects.all().delete()
            SchoolClass.objects.all().delete()
            return len(dry.captured_queries), len(real.captured_queries)

        measure(1)  # the establishment is opened once, by the first import
        few, many = measure(2), measure(40)
        self.assertEqual(few[0], many[0])
        self.assertLessEqual(many[1], few[1] + 2)  # at most a batch more


class PageTests(PersonaTestCase):
    """The regional administrator's history of imports and a run's report; nobody else sees them."""

    def setUp(self):
        self.run, _plan = run_files(aaf.complete_set(), dry_run=True)

    def test_the_region_reads_the_history_and_a_report(self):
        self.login("admin.region")
        response = self.client.get(reverse("provisioning:index"))
        self.assertContains(response, "Simulé (rien d&#x27;écrit)")
        self.assertContains(response, reverse("provisioning:detail", args=[self.run.pk]))
        response = self.client.get(reverse("provisioning:detail", args=[self.run.pk]))
        self.assertContains(response, self.run.files[0]["sha256"])
        self.assertContains(response, "Code de fonction inconnu « ZZZ »")
        self.assertContains(response, '<th scope="row">Personnes</th><td>10</td>', html=False)

    def test_nobody_else_sees_them(self):
        for username in ("julie.moreau", "paul.dupont", "claire.martin", "charlie.roux"):
            with self.subTest(username):
                self.login(username)
                self.assertEqual(self.client.get(reverse("provisioning:index")).status_code, 404)
                self.assertEqual(self.client.get(reverse("provisioning:detail", args=[self.run.pk])).status_code, 404)

    def test_the_pages_cost_the_same_with_one_run_or_many(self):
        self.login("admin.region")
        self.client.get(reverse("provisioning:index"))  # warm the session and the menus' caches
        for count in (1, 30):
            ImportRun.objects.bulk_create(
                [ImportRun(files=self.run.files, counts=self.run.counts) for _ in range(count - 1)]
            )
            with self.subTest(runs=count), self.assertNumQueries(INDEX_QUERIES):
                self.client.get(reverse("provisioning:index"))
            with self.subTest(runs=count), self.assertNumQueries(DETAIL_QUERIES):
                self.client.get(reverse("provisioning:detail", args=[self.run.pk]))

    def test_a_function_code_changed_in_the_admin_is_audited(self):
        self.login("admin.region")
        function = FunctionRole.objects.get(code="DOC")
        url = reverse("admin:provisioning_functionrole_change", args=[function.pk])
        response = self.client.post(url, {"code": "DOC", "label": "Documentation", "role": Role.EDUCATION})
        self.assertEqual(response.status_code, 302)
        event = AuditEvent.objects.get(verb="provisioning.save_function_role")
        self.assertEqual((event.before["role"], event.after["role"]), ("teacher", "education"))
        self.assertEqual(event.actor_id, self.people["admin.region"].pk)


INDEX_QUERIES = 6  # session, person, memberships, the runs, whether the demo example exists, the next year
DETAIL_QUERIES = 4  # session, person, the run and its requester, memberships


class UploadTests(PersonaTestCase):
    """The regional administrator uploads a set (files or one zip); the worker imports it; the page
    follows its progress and shows the report."""

    def upload(self, files: list[tuple[str, bytes]], *, dry_run: bool):
        payload = [SimpleUploadedFile(name, data, content_type="application/xml") for name, data in files]
        data = {"set_files": payload, **({"dry_run": "on"} if dry_run else {})}
        with self.captureOnCommitCallbacks(execute=True):
            return self.client.post(reverse("provisioning:index"), data)

    def test_a_dry_run_then_the_import_from_the_page(self):
        self.login("admin.region")
        response = self.upload(list(aaf.complete_set().items()), dry_run=True)
        run = ImportRun.objects.get()
        self.assertRedirects(response, reverse("provisioning:detail", args=[run.pk]))
        self.assertEqual((run.outcome, run.dry_run, run.requested_by.username), ("dry_run", True, "admin.region"))
        self.assertFalse(ExternalIdentifier.objects.filter(issuer=aaf.ACADEMY).exists())
        self.assertEqual(ImportUpload.objects.count(), 0)  # the uploaded files are gone, their SHA-256 kept
        page = self.client.get(response["Location"])
        self.assertContains(page, "Terminé : Simulé (rien d&#x27;écrit).")
        self.assertContains(page, '<progress id="import-bar" max="100" value="100">', html=False)
        response = self.upload([("lot.zip", aaf.zipped(aaf.complete_set()))], dry_run=False)
        run = ImportRun.objects.order_by("-pk").first()
        self.assertEqual(run.outcome, ImportRun.Outcome.APPLIED, run.errors)
        self.assertEqual(person("T1").first_name, "Paul")
        event = AuditEvent.objects.filter(verb="provisioning.aaf.create").first()
        self.assertEqual((event.actor_id, event.after["import_run"]), (self.people["admin.region"].pk, run.pk))

    def test_a_pending_run_is_polled_until_it_ends(self):
        self.login("admin.region")
        run = actions.request_import(
            actor=self.actor("admin.region"),
            files=[SimpleUploadedFile(n, d) for n, d in aaf.complete_set().items()],
            dry_run=True,
        )
        fragment = self.client.get(reverse("provisioning:detail", args=[run.pk]), headers={"HX-Request": "true"})
        self.assertContains(fragment, 'hx-trigger="every 1s"', html=False)
        self.assertContains(fragment, "En cours : 0 %")
        self.assertNotContains(fragment, "<h1>")
        actions.run_requested(run.pk)
        fragment = self.client.get(reverse("provisioning:detail", args=[run.pk]), headers={"HX-Request": "true"})
        self.assertNotContains(fragment, "hx-trigger", html=False)
        self.assertContains(fragment, "Personnes")
        self.assertEqual(actions.run_requested(run.pk).outcome, ImportRun.Outcome.DRY_RUN)  # claimed once

    def test_a_bad_set_is_reported_on_the_page_and_a_missing_file_keeps_the_form(self):
        self.login("admin.region")
        files = aaf.complete_set()
        files[ELEVE] = files[ELEVE][:-40]
        response = self.upload(list(files.items()), dry_run=False)
        page = self.client.get(response["Location"])
        self.assertContains(page, "Erreurs : rien n'a été importé")
        self.assertContains(page, f"{ELEVE}, ligne")
        self.assertEqual(User.objects.filter(username="chloe.coeurdevey").count(), 0)
        response = self.client.post(reverse("provisioning:index"), {"dry_run": "on"})
        self.assertContains(response, "Choisissez les fichiers du lot, ou une archive zip.", status_code=400)

    def test_nobody_else_uploads(self):
        self.login("julie.moreau")
        response = self.client.post(
            reverse("provisioning:index"), {"set_files": [SimpleUploadedFile("a.xml", b"<x/>")]}
        )
        self.assertEqual(response.status_code, 404)
        self.assertEqual(ImportRun.objects.count(), 0)


class DemoTests(PersonaTestCase):
    """The demo: the personas carry jointures, admin.region finds a simulated run of the example delta,
    downloads the delta and imports it."""

    def test_the_example_delta_moves_the_personas(self):
        from cartable.provisioning import demo

        run = demo.load_demo(self.school)
        self.assertIsNone(demo.load_demo(self.school))  # once
        self.assertEqual((run.outcome, run.requested_by.username), (ImportRun.Outcome.DRY_RUN, "admin.region"))
        self.assertEqual(run.errors, [])
        lucas = self.people["lucas.martin"]
        self.assertTrue(lucas.external_ids.filter(source="aaf").exclude(issuer="").exists())
        self.assertFalse(self.people["julie.moreau"].external_ids.exclude(issuer="").exists())  # ENT admin only
        self.login("admin.region")
        self.assertContains(self.client.get(reverse("provisioning:index")), "exemple de lot différentiel")
        response = self.client.get(reverse("provisioning:example_delta"))
        self.assertEqual(response["Content-Type"], "application/zip")
        applied, _plan = actions.import_aaf(
            actor=self.actor("admin.region"), sources=sources.from_uploads([("delta.zip", response.content)])
        )
        self.assertEqual(applied.outcome, ImportRun.Outcome.APPLIED, applied.errors)
        today = timezone.localdate()
        current = {
            e.school_class.name
            for e in Enrolment.objects.filter(student=lucas).select_related("school_class")
            if e.end_date is None or e.end_date >= today
        }
        self.assertEqual(current, {"4e B"})
        jade = User.objects.get(first_name="Jade", last_name="Rousseau")
        self.assertEqual(Enrolment.objects.get(student=jade).school_class.name, "5e A")
        self.assertEqual(Membership.objects.filter(role=Role.GUARDIAN, person__last_name="Rousseau").count(), 2)
        sophie = self.people["sophie.bernard"]
        self.assertEqual(roles(sophie), {(self.school.college.establishment.uai, Role.GUARDIAN)})
        self.login("julie.moreau")
        self.assertEqual(self.client.get(reverse("provisioning:example_delta")).status_code, 404)
