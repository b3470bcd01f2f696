"""Mes documents: who sees a space, the audited actions, the trash and its purge, versions, quotas, sharing
(the communication rules, class shares following enrolments, revocation), serving with Range, and the
pinned query budgets of a folder and of « Partagés avec moi »."""

from __future__ import annotations

import datetime as dt
import io
import random
import string
import zipfile

from django.core.exceptions import ValidationError
from django.core.files.uploadedfile import SimpleUploadedFile
from django.db import connection
from django.test import override_settings
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone

from cartable.core import authz, uploads
from cartable.core.authz import Action
from cartable.core.models import AuditEvent
from cartable.directory.models import Enrolment, Role
from cartable.documents import actions, queries
from cartable.documents.forms import check_file
from cartable.documents.models import Document, Folder, QuotaRule, Share, Version
from cartable.documents.policies import DocumentPolicy, FolderPolicy
from tests.support.files import OwnMediaTestCase
from tests.support.personas import EVERYBODY

MiB = 1024 * 1024


def checked(name: str = "notes.txt", text: str = "bonjour") -> uploads.CheckedFile:
    return uploads.validate_upload(SimpleUploadedFile(name, text.encode()), allowed=uploads.ALL)


class DocumentsTestCase(OwnMediaTestCase):
    @classmethod
    def setUpTestData(cls):
        super().setUpTestData()
        cls.college = cls.school.college.establishment
        cls.five_a = cls.school.college.classes["5e A"]

    def as_(self, username: str):
        return self.actor(username)

    def fill(self, owner: str, folder, count: int) -> None:
        docs = Document.objects.bulk_create(
            Document(owner=self.people[owner], folder=folder, path=folder.inner_path, name=f"f{n}.txt")
            for n in range(count)
        )
        versions = Version.objects.bulk_create(
            Version(document=d, number=1, file="documents/x.txt", size=10, content_type="text/plain", sha256="0")
            for d in docs
        )
        for d, v in zip(docs, versions, strict=True):
            d.current = v
        Document.objects.bulk_update(docs, ["current"])

    def upload(self, who: str = "lucas.martin", folder=None, name: str = "notes.txt", text: str = "bonjour"):
        return actions.upload_file(actor=self.as_(who), folder=folder, checked=checked(name, text))


class PolicyMatrixTests(DocumentsTestCase):
    def test_a_space_is_its_owners_and_its_sharees_only(self):
        """Nobody but lucas sees his files — not the direction, the ENT administrator nor the region — until he
        shares one with lea; charlie.roux sees nothing; the two faces agree."""
        folder = actions.create_folder(actor=self.as_("lucas.martin"), parent=None, name="Français")
        doc = self.upload(folder=folder)
        expected = {"lucas.martin"}
        for stage in ("private", "shared"):
            if stage == "shared":
                actions.share(
                    actor=self.as_("lucas.martin"),
                    item=folder,
                    kind="person",
                    grantee_id=self.people["lea.bernard"].pk,
                    level="read",
                )
                expected = {"lucas.martin", "lea.bernard"}
            for who in EVERYBODY:
                with self.subTest(stage=stage, who=who):
                    actor = self.as_(who)
                    self.assertIs(DocumentPolicy().allows(actor, Action.VIEW, doc), who in expected)
                    self.assertIs(FolderPolicy().allows(actor, Action.VIEW, folder), who in expected)
                    kept = Document.objects.visible_to(actor).filter(pk=doc.pk).exists()
                    self.assertIs(kept, who in expected)
                    self.assertIs(DocumentPolicy().allows(actor, Action.MANAGE, doc), who == "lucas.martin")

    def test_missing_and_forbidden_answer_the_same_404(self):
        """marc.leroy (the principal) gets the same 404 for lucas's file as for a file that does not exist."""
        doc = self.upload()
        self.login("marc.leroy")
        for url in (
            reverse("documents:document", args=[doc.pk]),
            reverse("documents:download", args=[doc.pk]),
            reverse("documents:document", args=[doc.pk + 1000]),
        ):
            with self.subTest(url=url):
                self.assertEqual(self.client.get(url).status_code, 404)
        self.assertEqual(self.client.post(reverse("documents:trash_document", args=[doc.pk])).status_code, 404)


class ActionTests(DocumentsTestCase):
    def test_upload_rename_move_copy_are_audited(self):
        """Each write leaves its audit row; a move rewrites the paths below a folder; a copy is a new file."""
        lucas = self.as_("lucas.martin")
        a = actions.create_folder(actor=lucas, parent=None, name="A")
        b = actions.create_folder(actor=lucas, parent=None, name="B")
        inner = actions.create_folder(actor=lucas, parent=a, name="Dedans")
        doc = self.upload(folder=inner)
        actions.rename(actor=lucas, item=doc, name="Résumé")
        doc.refresh_from_db()
        self.assertEqual(doc.name, "Résumé.txt")
        actions.move(actor=lucas, item=a, to=b)
        doc.refresh_from_db()
        self.assertEqual(doc.path, f"/{b.pk}/{a.pk}/{inner.pk}/")
        copy = actions.copy(actor=lucas, item=doc, to=None)
        self.assertNotEqual(copy.current.file.name, doc.current.file.name)
        inner.refresh_from_db()
        with self.assertRaises(ValidationError):
            actions.move(actor=lucas, item=b, to=inner)
        verbs = set(AuditEvent.objects.filter(verb__startswith="documents.").values_list("verb", flat=True))
        self.assertTrue({"documents.create_folder", "documents.upload", "documents.rename", "documents.move"} <= verbs)
        self.assertIn("documents.copy", verbs)

    def test_a_hostile_name_gets_a_generated_stored_name_and_a_clean_display_name(self):
        """« ../../x » never reaches the file system and is shown as « x.txt »."""
        doc = self.upload(name="../../x", text="piège")
        self.assertEqual(doc.name, "x.txt")
        self.assertNotIn("..", doc.current.file.name)
        self.assertRegex(doc.current.file.name, r"^documents/\d{4}/\d{2}/[0-9a-f]{32}\.txt$")

    def test_several_files_by_the_picker(self):
        """The upload form takes several files at once and names each one refused."""
        self.login("lucas.martin")
        response = self.client.post(
            reverse("documents:upload_root"),
            {
                "files": [
                    SimpleUploadedFile("un.txt", b"un"),
                    SimpleUploadedFile("deux.txt", b"deux"),
                    SimpleUploadedFile("vide.txt", b""),
                ]
            },
            follow=True,
        )
        self.assertEqual(sorted(Document.objects.values_list("name", flat=True)), ["deux.txt", "un.txt"])
        self.assertContains(response, "vide.txt")


class TrashTests(DocumentsTestCase):
    def test_trash_restore_and_purge_after_thirty_days(self):
        """A trashed folder hides what it holds (its shares stop); restored, it comes back where it was; a file
        whose folder is in the trash comes back at the root; the periodic job deletes what is 30 days old."""
        lucas = self.as_("lucas.martin")
        folder = actions.create_folder(actor=lucas, parent=None, name="Vieux")
        doc = self.upload(folder=folder)
        actions.share(actor=lucas, item=folder, kind="person", grantee_id=self.people["lea.bernard"].pk, level="read")
        actions.trash(actor=lucas, item=doc)
        actions.trash(actor=lucas, item=folder)
        self.assertFalse(DocumentPolicy().allows(self.as_("lea.bernard"), Action.VIEW, Document.objects.get(pk=doc.pk)))
        actions.restore(actor=lucas, item=Document.objects.get(pk=doc.pk))
        doc.refresh_from_db()
        self.assertIsNone(doc.folder_id)  # its folder is gone (in the trash): the root
        self.assertFalse(doc.hidden)
        actions.restore(actor=lucas, item=Folder.objects.get(pk=folder.pk))
        self.assertFalse(Folder.objects.get(pk=folder.pk).hidden)
        actions.trash(actor=lucas, item=Folder.objects.get(pk=folder.pk))
        stored = doc.current.file.name
        self.assertEqual(actions.purge_trash(now=timezone.now() + dt.timedelta(days=29)), 0)
        self.assertEqual(actions.purge_trash(now=timezone.now() + dt.timedelta(days=31)), 1)
        self.assertFalse(Folder.objects.filter(pk=folder.pk).exists())
        self.assertTrue(Document.objects.filter(pk=doc.pk).exists())  # it had left the folder
        self.assertTrue(uploads.default_storage.exists(stored))

    def test_restore_goes_back_to_its_folder(self):
        """A file trashed alone comes back to its folder when that folder is still there."""
        lucas = self.as_("lucas.martin")
        folder = actions.create_folder(actor=lucas, parent=None, name="Maths")
        doc = self.upload(folder=folder)
        actions.trash(actor=lucas, item=doc)
        actions.restore(actor=lucas, item=doc)
        doc.refresh_from_db()
        self.assertEqual(doc.folder_id, folder.pk)


class VersionTests(DocumentsTestCase):
    def test_the_same_name_makes_a_new_version_and_ten_are_kept(self):
        """Twelve uploads of one name: one file, its last ten versions; an earlier one is restorable."""
        for n in range(12):
            doc = self.upload(name="exposé.txt", text=f"version {n}")
        self.assertEqual(Document.objects.count(), 1)
        numbers = list(doc.versions.order_by("number").values_list("number", flat=True))
        self.assertEqual(numbers, list(range(3, 13)))
        old = doc.versions.get(number=5)
        restored = actions.restore_version(actor=self.as_("lucas.martin"), version=old)
        doc.refresh_from_db()
        self.assertEqual(doc.current_id, restored.pk)
        self.assertEqual(restored.sha256, old.sha256)
        self.assertEqual(doc.versions.count(), 10)


@override_settings(CARTABLE_DOCUMENTS_MAX_FILE_BYTES=2 * MiB)
class QuotaTests(DocumentsTestCase):
    def test_over_quota_names_the_file_and_what_is_left(self):
        """The establishment's quota, under the region's ceiling, is checked in the upload (trash included)."""
        QuotaRule.objects.create(establishment=self.college, role=Role.STUDENT, max_bytes=3 * MiB)
        self.upload(name="gros.txt", text="a" * (2 * MiB - 10))
        actions.trash(actor=self.as_("lucas.martin"), item=Document.objects.get())
        with self.assertRaises(ValidationError) as caught:
            self.upload(name="encore.txt", text="b" * (1 * MiB + 100))
        self.assertIn(
            "encore.txt ne peut pas être ajouté. Il reste 1 Mo dans votre espace.", caught.exception.messages[0]
        )

    def test_over_the_per_file_maximum(self):
        """A file over the region's maximum is refused with « La taille maximale est 2 Mo. »"""
        with self.assertRaises(ValidationError) as caught:
            check_file(SimpleUploadedFile("film.txt", b"c" * (3 * MiB)))
        self.assertIn("La taille maximale est 2 Mo.", caught.exception.messages[0])

    def test_the_gauge_and_its_warning(self):
        """Every page of the space shows « … utilisés sur 500 Mo », and a warning past 90 %."""
        self.login("lucas.martin")
        response = self.client.get(reverse("documents:index"))
        self.assertContains(response, "0 Mo utilisés sur 500 Mo")
        self.assertContains(response, "<meter")
        QuotaRule.objects.create(establishment=self.college, role=Role.STUDENT, max_bytes=1 * MiB)
        self.upload(name="plein.txt", text="a" * (MiB - 1000))
        response = self.client.get(reverse("documents:trash"))
        self.assertContains(response, "presque plein")

    def test_the_establishment_may_not_pass_the_region(self):
        """julie.moreau sets the collège's values under the region's ceiling; charlie.roux may not."""
        julie = self.as_("julie.moreau")
        actions.set_quotas(actor=julie, establishment=self.college, values={Role.STUDENT: 400 * MiB})
        self.assertEqual(queries.quota_of(self.people["lucas.martin"].pk), 400 * MiB)
        with self.assertRaises(ValidationError):
            actions.set_quotas(actor=julie, establishment=self.college, values={Role.STUDENT: 900 * MiB})
        self.assertFalse(authz.can(self.as_("charlie.roux"), "documents.set_quotas", self.college))
        self.login("julie.moreau")
        self.assertEqual(self.client.get(reverse("documents:quotas")).status_code, 200)
        self.login("lucas.martin")
        self.assertEqual(self.client.get(reverse("documents:quotas")).status_code, 404)


class SharingTests(DocumentsTestCase):
    def test_the_communication_rules_decide_with_their_reason(self):
        """lucas shares with his classmate lea, not with ines of another class (the rules' reason shown)."""
        lucas = self.as_("lucas.martin")
        doc = self.upload()
        actions.share(actor=lucas, item=doc, kind="person", grantee_id=self.people["lea.bernard"].pk, level="read")
        with self.assertRaises(ValidationError) as caught:
            actions.share(actor=lucas, item=doc, kind="person", grantee_id=self.people["ines.girard"].pk, level="read")
        self.assertIn("élèves", caught.exception.messages[0])
        with self.assertRaises(ValidationError):
            actions.share(actor=lucas, item=doc, kind="class", grantee_id=self.five_a.pk, level="read")

    def test_a_class_share_follows_enrolment_and_a_revocation_stops_at_once(self):
        """paul.dupont shares with 5e A: lea reads it; once she leaves the class she no longer does; revoked,
        lucas's next request is a 404."""
        paul = self.as_("paul.dupont")
        doc = self.upload(who="paul.dupont", name="cours.txt")
        share = actions.share(actor=paul, item=doc, kind="class", grantee_id=self.five_a.pk, level="read")
        self.assertTrue(DocumentPolicy().allows(self.as_("lea.bernard"), Action.VIEW, doc))
        Enrolment.objects.filter(student=self.people["lea.bernard"]).update(
            end_date=timezone.localdate() - dt.timedelta(days=1)
        )
        self.assertFalse(DocumentPolicy().allows(self.as_("lea.bernard"), Action.VIEW, doc))
        self.login("lucas.martin")
        url = reverse("documents:download", args=[doc.pk])
        self.assertEqual(self.client.get(url).status_code, 200)
        actions.revoke_share(actor=paul, share=share)
        self.assertEqual(self.client.get(url).status_code, 404)

    def test_contribution_adds_files_and_versions_to_the_owners_space(self):
        """The staff folder in contribution: sophie adds a file (charged to marc's space); read-only sharees may not."""
        marc = self.as_("marc.leroy")
        folder = actions.create_folder(actor=marc, parent=None, name="Salle des profs")
        actions.share(actor=marc, item=folder, kind="staff", grantee_id=self.college.pk, level="contribute")
        doc = self.upload(who="sophie.bernard", folder=folder, name="sortie.txt")
        self.assertEqual(doc.owner_id, self.people["marc.leroy"].pk)
        self.upload(who="paul.dupont", folder=folder, name="sortie.txt", text="v2")
        self.assertEqual(doc.versions.count(), 2)
        self.assertFalse(authz.can(self.as_("lucas.martin"), "documents.contribute", folder))
        self.assertFalse(DocumentPolicy().allows(self.as_("paul.dupont"), Action.MANAGE, doc))


class ServingTests(DocumentsTestCase):
    def test_headers_and_range(self):
        """A download is an attachment, never sniffed, sandboxed; a Range asks 206 with the bytes asked."""
        doc = self.upload(name="texte.txt", text="0123456789")
        self.login("lucas.martin")
        url = reverse("documents:download", args=[doc.pk])
        whole = self.client.get(url)
        self.assertEqual(whole["X-Content-Type-Options"], "nosniff")
        self.assertIn("sandbox", whole["Content-Security-Policy"])
        self.assertTrue(whole["Content-Disposition"].startswith("attachment;"))
        self.assertEqual(whole["Accept-Ranges"], "bytes")
        part = self.client.get(url, headers={"Range": "bytes=2-5"})
        self.assertEqual(part.status_code, 206)
        self.assertEqual(b"".join(part.streaming_content), b"2345")
        self.assertEqual(part["Content-Range"], "bytes 2-5/10")
        tail = self.client.get(url, headers={"Range": "bytes=-3"})
        self.assertEqual(b"".join(tail.streaming_content), b"789")
        self.assertEqual(self.client.get(url, headers={"Range": "bytes=50-"}).status_code, 416)


class BudgetTests(DocumentsTestCase):
    def test_a_folder_and_shared_with_me_cost_the_same_for_3_and_300_files(self):
        """The owner's folder, a sharee's folder and « Partagés avec moi » keep their query counts."""
        lucas = self.as_("lucas.martin")
        counts = {}
        for size in (3, 300):
            folder = actions.create_folder(actor=lucas, parent=None, name=f"Dossier {size}")
            self.fill("lucas.martin", folder, size)
            actions.share(
                actor=lucas, item=folder, kind="person", grantee_id=self.people["lea.bernard"].pk, level="read"
            )
            for who, url in (
                ("lucas.martin", reverse("documents:folder", args=[folder.pk])),
                ("lea.bernard", reverse("documents:folder", args=[folder.pk])),
                ("lea.bernard", reverse("documents:shared")),
            ):
                self.login(who)
                self.client.get(url)  # warm the session
                with CaptureQueriesContext(connection) as ctx:
                    response = self.client.get(url)
                self.assertEqual(response.status_code, 200)
                counts.setdefault((who, url.split("/")[2]), []).append(len(ctx))
        for key, (few, many) in counts.items():
            with self.subTest(page=key):
                self.assertEqual(few, many)
        self.assertEqual(counts[("lucas.martin", "dossier")][0], 9)
        self.assertEqual(counts[("lea.bernard", "dossier")][0], 11)
        self.assertEqual(counts[("lea.bernard", "partages-avec-moi")][0], 7)

    def test_share_records_share_rows(self):
        """A share is one row per grantee; sharing again changes its level."""
        lucas = self.as_("lucas.martin")
        doc = self.upload()
        lea = self.people["lea.bernard"].pk
        actions.share(actor=lucas, item=doc, kind="person", grantee_id=lea, level="read")
        actions.share(actor=lucas, item=doc, kind="person", grantee_id=lea, level="contribute")
        self.assertEqual(Share.objects.get().level, "contribute")


class SearchTests(DocumentsTestCase):
    def test_names_are_found_without_accents_within_what_one_may_open(self):
        """« expose chateaux » finds lucas's « Exposé châteaux.txt » and what lea shares with him, never
        another's unshared file nor the trash; the page costs the same for 3 and 300 files."""
        lucas = self.as_("lucas.martin")
        mine = self.upload(name="Exposé châteaux forts.txt")
        trashed = self.upload(name="Exposé châteaux brouillon.txt")
        actions.trash(actor=lucas, item=trashed)
        theirs = self.upload(who="lea.bernard", name="EXPOSÉ Châteaux (Léa).txt")
        self.upload(who="lea.bernard", name="Exposé châteaux privé.txt")
        actions.share(
            actor=self.as_("lea.bernard"),
            item=theirs,
            kind="person",
            grantee_id=self.people["lucas.martin"].pk,
            level="read",
        )
        _folders, documents = queries.search(self.as_("lucas.martin"), "expose  CHATEAUX")
        self.assertEqual({d.pk for d in documents}, {mine.pk, theirs.pk})
        self.login("lucas.martin")
        url = reverse("documents:search") + "?q=chateaux"
        counts = []
        for size in (3, 300):
            folder = actions.create_folder(actor=lucas, parent=None, name=f"Châteaux {size}")
            self.fill("lucas.martin", folder, size)
            Document.objects.filter(folder=folder).update(name_key="chateau fort")
            self.client.get(url)
            with CaptureQueriesContext(connection) as ctx:
                response = self.client.get(url)
            counts.append(len(ctx))
        self.assertContains(response, "Exposé châteaux forts.txt")
        self.assertEqual(counts[0], counts[1])
        self.assertEqual(counts[0], 9)


class ZipTests(DocumentsTestCase):
    def test_a_folder_zip_is_streamed_with_clean_unique_names_and_a_readme(self):
        """A shared folder downloads as a zip: its subfolders, cleaned names (« ../../x » stays inside), the
        trash left out, a missing stored file listed in LISEZMOI.txt; charlie.roux gets a 404."""
        lucas = self.as_("lucas.martin")
        top = actions.create_folder(actor=lucas, parent=None, name="Exposés")
        sub = actions.create_folder(actor=lucas, parent=top, name="../../x")
        self.upload(folder=top, name="plan.txt", text="plan")
        self.upload(folder=sub, name="notes.txt", text="notes")
        gone = self.upload(folder=top, name="perdu.txt", text="perdu")
        uploads.default_storage.delete(gone.current.file.name)
        actions.trash(actor=lucas, item=self.upload(folder=top, name="jeté.txt"))
        actions.share(actor=lucas, item=top, kind="person", grantee_id=self.people["lea.bernard"].pk, level="read")
        self.login("lea.bernard")
        response = self.client.get(reverse("documents:download_zip", args=[top.pk]))
        self.assertEqual(response["X-Content-Type-Options"], "nosniff")
        self.assertIn("Expos%C3%A9s.zip", response["Content-Disposition"])
        archive = zipfile.ZipFile(io.BytesIO(b"".join(response.streaming_content)))
        self.assertEqual(sorted(archive.namelist()), ["LISEZMOI.txt", "plan.txt", "x/notes.txt"])
        self.assertEqual(archive.read("x/notes.txt"), b"notes")
        self.assertIn("perdu.txt : le fichier est introuvable.", archive.read("LISEZMOI.txt").decode())
        self.login("charlie.roux")
        self.assertEqual(self.client.get(reverse("documents:download_zip", args=[top.pk])).status_code, 404)

    def test_a_zip_streams_in_bounded_chunks(self):
        """A 2 MiB file leaves as many small chunks, never the whole file at once."""
        lucas = self.as_("lucas.martin")
        top = actions.create_folder(actor=lucas, parent=None, name="Gros")
        text = "".join(random.Random(17).choice(string.ascii_letters + " \n") for _ in range(2 * MiB))
        self.upload(folder=top, name="gros.txt", text=text)
        self.login("lucas.martin")
        chunks = list(self.client.get(reverse("documents:download_zip", args=[top.pk])).streaming_content)
        self.assertGreater(len(chunks), 10)
        self.assertLess(max(len(c) for c in chunks), 256 * 1024)
        archive = zipfile.ZipFile(io.BytesIO(b"".join(chunks)))
        self.assertEqual(archive.read("gros.txt").decode(), text)
