"""The antivirus at the upload: a real clamd (tests/support/clamd.py, our own configuration and signatures)
scans every file of « Mes documents »; an infected file is refused with a French message naming it and
nothing is stored; a file clamd did not read whole, or clamd down, is refused too (fail closed). Office
files are bounded as zips before anyone opens them."""

from __future__ import annotations

import zipfile
from pathlib import Path

from django.core.exceptions import ValidationError
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import SimpleTestCase, override_settings
from django.urls import reverse

from cartable.core import antivirus, uploads
from cartable.documents.models import Document, UploadSession, Version
from tests.support import clamd
from tests.support.files import OwnMediaTestCase, pdf_upload, zip_of

MiB = 1024 * 1024
SCANNER = "cartable.core.antivirus.scan"


def stored_files(root: str) -> set[Path]:
    return {p for p in Path(root).rglob("*") if p.is_file()}


@clamd.needs_clamd
class AntivirusUploadTests(OwnMediaTestCase):
    @classmethod
    def setUpClass(cls):
        cls._scanner = override_settings(CARTABLE_UPLOAD_SCANNER=SCANNER, CARTABLE_CLAMD_ADDRESS=clamd.address())
        cls._scanner.enable()
        super().setUpClass()

    @classmethod
    def tearDownClass(cls):
        super().tearDownClass()
        cls._scanner.disable()

    def setUp(self):
        self.before = stored_files(self._media)

    def new_files(self) -> set[Path]:
        return stored_files(self._media) - self.before

    def post_files(self, *files):
        self.login("lucas.martin")
        return self.client.post(reverse("documents:upload_root"), {"files": list(files)}, follow=True)

    def test_a_clean_file_is_scanned_and_stored(self):
        """A clean PDF passes clamd and becomes a document with its stored file."""
        self.post_files(pdf_upload("cours.pdf"))
        self.assertEqual(Document.objects.get().name, "cours.pdf")
        self.assertEqual(len(self.new_files()), 1)

    def test_eicar_is_refused_at_the_upload_and_nothing_is_stored(self):
        """The EICAR file is refused with a French message naming it and its signature; the clean file sent
        with it is kept; no row and no stored file for the infected one."""
        response = self.post_files(
            SimpleUploadedFile("eicar.txt", clamd.EICAR), SimpleUploadedFile("propre.txt", b"rien")
        )
        self.assertContains(response, "L&#x27;antivirus a trouvé un virus dans ce fichier : eicar.txt")
        self.assertContains(response, clamd.EICAR_SIGNATURE)
        self.assertEqual(list(Document.objects.values_list("name", flat=True)), ["propre.txt"])
        self.assertEqual(Version.objects.count(), 1)
        self.assertEqual(len(self.new_files()), 1)

    def test_signatures_are_found_inside_office_files(self):
        """clamd unpacks a DOCX and an ODT: EICAR and our custom signature are found inside."""
        docx = zip_of({"[Content_Types].xml": b"<Types/>", "word/document.xml": b"<w>" + clamd.EICAR + b"</w>"})
        odt = zip_of({"mimetype": b"application/vnd.oasis.opendocument.text", "content.xml": clamd.CUSTOM})
        for name, data, signature in [
            ("devoir.docx", docx, clamd.EICAR_SIGNATURE),
            ("fiche.odt", odt, clamd.CUSTOM_SIGNATURE),
        ]:
            with self.subTest(name=name), self.assertRaises(ValidationError) as caught:
                uploads.validate_upload(SimpleUploadedFile(name, data), allowed=uploads.ALL)
            self.assertEqual(caught.exception.code, "infected")
            self.assertIn(name, caught.exception.messages[0])
            self.assertIn(signature, caught.exception.messages[0])

    def test_a_large_upload_is_streamed_to_clamd_and_refused_whole(self):
        """A resumable upload of 6 MiB (two chunks) with the signature at its very end is scanned from the
        partial file (streamed, not read into memory) and refused; nothing remains."""
        self.login("lucas.martin")
        body = b"a" * (6 * MiB - len(clamd.CUSTOM) - 1) + clamd.CUSTOM + b"\n"
        started = self.client.post(reverse("documents:upload_start"), {"name": "gros.txt", "size": str(len(body))})
        url, chunk = started.json()["url"], started.json()["chunk_size"]
        headers = {"Upload-Offset": "0"}
        self.client.patch(url, body[:chunk], content_type="application/octet-stream", headers=headers)
        with self.captureOnCommitCallbacks(execute=True):
            last = self.client.patch(
                url, body[chunk:], content_type="application/octet-stream", headers={"Upload-Offset": str(chunk)}
            )
        self.assertEqual(last.status_code, 400)
        self.assertIn("gros.txt", last.json()["error"])
        self.assertIn(clamd.CUSTOM_SIGNATURE, last.json()["error"])
        self.assertFalse(Document.objects.exists())
        self.assertFalse(UploadSession.objects.exists())
        self.assertEqual(self.new_files(), set())

    def test_a_file_clamd_did_not_read_whole_is_refused(self):
        """Past clamd's MaxFileSize it answers Heuristics.Limits.Exceeded (AlertExceedsMax), past
        StreamMaxLength it stops the stream: either way the file is not known to be clean and is refused."""
        for size in (clamd.MAX_FILE + 1, clamd.MAX_STREAM + 1):
            with self.subTest(size=size), self.assertRaises(ValidationError) as caught:
                uploads.validate_upload(
                    SimpleUploadedFile("long.txt", b"a" * size), max_bytes=64 * MiB, allowed=uploads.ALL
                )
            self.assertEqual(caught.exception.code, "unscanned")
            self.assertIn("n'a pas pu analyser ce fichier en entier : long.txt", caught.exception.messages[0])

    def test_clamd_down_refuses_the_upload(self):
        """No clamd at the address: the upload is refused with a message to retry, nothing is stored."""
        with override_settings(CARTABLE_CLAMD_ADDRESS=clamd.closed_address()):
            response = self.post_files(pdf_upload("cours.pdf"))
        self.assertContains(response, "L&#x27;antivirus ne répond pas : cours.pdf n&#x27;a pas été enregistré.")
        self.assertFalse(Document.objects.exists())
        self.assertEqual(self.new_files(), set())


class DeployCheckTests(SimpleTestCase):
    def test_the_deploy_check_wants_an_antivirus_outside_the_demo(self):
        """``check --deploy`` fails without CARTABLE_UPLOAD_SCANNER, except in the demo."""
        for demo, scanner, expected in [(False, None, ["cartable.E001"]), (False, SCANNER, []), (True, None, [])]:
            with self.subTest(demo=demo, scanner=scanner), self.settings(DEMO=demo, CARTABLE_UPLOAD_SCANNER=scanner):
                self.assertEqual([m.id for m in antivirus.check_antivirus()], expected)


def deflated(entries: dict[str, bytes]) -> bytes:
    return zip_of(entries, zipfile.ZIP_DEFLATED)


class OfficeZipBoundsTests(SimpleTestCase):
    @override_settings(CARTABLE_UPLOAD_ZIP_MAX_ENTRIES=10, CARTABLE_UPLOAD_ZIP_MAX_ENTRY_BYTES=3 * MiB)
    def test_office_files_are_bounded_before_anything_opens_them(self):
        """A DOCX of 2 MiB of zeros (ratio ~1000), one with too many entries, one with an entry larger than
        the antivirus reads, and an ODT bomb are refused naming the file; a normal DOCX passes."""
        head = {"[Content_Types].xml": b"<Types/>"}
        odf = {"mimetype": b"application/vnd.oasis.opendocument.text"}
        cases = [
            ("bombe.docx", deflated(head | {"word/document.xml": b"\0" * (2 * MiB)}), "zip_bomb"),
            ("nombreux.docx", deflated(head | {f"word/{i}.xml": b"<w/>" for i in range(12)}), "zip_bomb"),
            ("entree.docx", zip_of(head | {"word/document.xml": bytes(range(256)) * (13 * 1024)}), "zip_bomb"),
            ("bombe.odt", deflated(odf | {"content.xml": b" " * (3 * MiB)}), "zip_bomb"),
            ("normal.docx", deflated(head | {"word/document.xml": b"<w:document/>"}), None),
        ]
        for name, data, code in cases:
            with self.subTest(name=name):
                if code is None:
                    self.assertEqual(
                        uploads.validate_upload(SimpleUploadedFile(name, data), allowed=uploads.ALL).extension, "docx"
                    )
                    continue
                with self.assertRaises(ValidationError) as caught:
                    uploads.validate_upload(SimpleUploadedFile(name, data), allowed=uploads.ALL)
                self.assertEqual(caught.exception.code, code)
                self.assertIn(f"limites permises : {name}", caught.exception.messages[0])
