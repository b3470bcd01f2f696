"""Resumable uploads of « Mes documents »: the size declared first and refused unsent, chunks of 5 MiB, a
dropped connection resumed from the server's offset, a file that arrives whole or not at all."""

from __future__ import annotations

import hashlib

from django.test import override_settings
from django.urls import reverse

from cartable.directory.models import Role
from cartable.documents import actions
from cartable.documents.models import Document, QuotaRule, UploadSession
from cartable.documents.resumable import CHUNK_SIZE
from tests.support.files import OwnMediaTestCase

MiB = 1024 * 1024


class ResumableUploadTests(OwnMediaTestCase):
    def start(self, name: str, size: int, folder=None):
        data = {"name": name, "size": str(size)} | ({"folder": str(folder.pk)} if folder else {})
        return self.client.post(reverse("documents:upload_start"), data)

    def patch(self, url: str, offset: int, data: bytes):
        return self.client.patch(
            url, data, content_type="application/octet-stream", headers={"Upload-Offset": str(offset)}
        )

    def test_a_file_sent_in_chunks_survives_a_dropped_connection(self):
        """12 MiB in three chunks; a chunk lost in transit (sent again at a stale offset) gets 409 and the
        server's offset; nothing is a file until the last byte, then the whole file is, typed by content."""
        self.login("lucas.martin")
        body = ("Exposé\n" + "a" * (12 * MiB - 8) + "\n").encode()[: 12 * MiB]
        started = self.start("Exposé vidéo.txt", len(body))
        self.assertEqual(started.status_code, 201)
        url, chunk = started.json()["url"], started.json()["chunk_size"]
        self.assertEqual(chunk, CHUNK_SIZE)
        self.assertEqual(self.patch(url, 0, body[:chunk]).json()["offset"], chunk)
        self.assertFalse(Document.objects.exists())
        # The connection drops after the second chunk reached the server; the phone sends it again.
        self.assertEqual(self.patch(url, chunk, body[chunk : 2 * chunk]).status_code, 200)
        stale = self.patch(url, chunk, body[chunk : 2 * chunk])
        self.assertEqual((stale.status_code, stale.json()["offset"]), (409, 2 * chunk))
        self.assertEqual(self.client.get(url).json(), {"offset": 2 * chunk, "size": len(body)})
        done = self.patch(url, 2 * chunk, body[2 * chunk :]).json()
        self.assertTrue(done["done"])
        document = Document.objects.get()
        self.assertEqual(document.name, "Exposé vidéo.txt")
        self.assertEqual(document.current.sha256, hashlib.sha256(body).hexdigest())
        self.assertEqual(document.current.size, len(body))
        self.assertFalse(UploadSession.objects.exists())

    @override_settings(CARTABLE_DOCUMENTS_MAX_FILE_BYTES=200 * MiB)
    def test_the_size_is_declared_first_and_refused_unsent(self):
        """A 5 GB file: « La taille maximale est 200 Mo. »; over the quota: what is left; nothing stored."""
        self.login("lucas.martin")
        too_big = self.start("film.mp4", 5 * 1024 * MiB)
        self.assertEqual(too_big.status_code, 413)
        self.assertIn("La taille maximale est 200 Mo.", too_big.json()["error"])
        QuotaRule.objects.create(
            establishment=self.school.college.establishment, role=Role.STUDENT, max_bytes=120 * MiB
        )
        over = self.start("vacances.mp4", 150 * MiB)
        self.assertEqual(over.status_code, 413)
        self.assertIn("vacances.mp4 ne peut pas être ajouté. Il reste 120 Mo dans votre espace.", over.json()["error"])
        self.assertFalse(UploadSession.objects.exists())

    def test_an_upload_is_its_senders_only_and_a_refused_type_is_forgotten(self):
        """charlie.roux gets a 404 on lucas's upload; an HTML file refused at its end leaves nothing."""
        self.login("lucas.martin")
        body = b"<html><script>alert(1)</script></html>"
        url = self.start("page.txt", len(body)).json()["url"]
        self.login("charlie.roux")
        self.assertEqual(self.client.get(url).status_code, 404)
        self.assertEqual(self.patch(url, 0, body).status_code, 404)
        self.login("lucas.martin")
        refused = self.patch(url, 0, body)
        self.assertEqual(refused.status_code, 400)
        self.assertIn("page.txt", refused.json()["error"])
        self.assertFalse(UploadSession.objects.exists())
        self.assertFalse(Document.objects.exists())

    def test_a_contributor_sends_into_a_shared_folder(self):
        """sophie.bernard sends to the staff folder marc.leroy shares in contribution; lucas may not start one."""
        marc = self.actor("marc.leroy")
        folder = actions.create_folder(actor=marc, parent=None, name="Salle des profs")
        establishment = self.school.college.establishment
        actions.share(actor=marc, item=folder, kind="staff", grantee_id=establishment.pk, level="contribute")
        self.login("sophie.bernard")
        url = self.start("sortie.txt", 4, folder).json()["url"]
        self.assertTrue(self.patch(url, 0, b"oui\n").json()["done"])
        self.assertContains(self.client.get(reverse("documents:folder", args=[folder.pk])), "sortie.txt est ajouté.")
        self.assertEqual(Document.objects.get().folder_id, folder.pk)
        self.login("lucas.martin")
        self.assertEqual(self.start("intrus.txt", 4, folder).status_code, 404)
