"""The upload kernel: files are typed by content, limited in size, scanned, stored under generated names
and served as downloads a browser will not run.

The sample builders (``tiny_pdf``, ``tiny_png``, ``tiny_docx``...) are reused by other tests."""

import shutil
import tempfile

from django.core.exceptions import ValidationError
from django.core.files.storage import default_storage
from django.db.models.fields.files import FieldFile
from django.test import RequestFactory, SimpleTestCase, override_settings

from cartable.core import uploads
from tests.support.files import tiny_docx, tiny_odt, tiny_pdf, tiny_png, upload, zip_of

SCANNED: list = []


def refuse_everything(path_or_bytes) -> None:
    """A scanner that finds a virus in every file."""
    SCANNED.append(path_or_bytes)
    raise ValidationError("Ce fichier contient un virus.")


class ValidateUploadTests(SimpleTestCase):
    def test_types_are_decided_by_content(self):
        """Each accepted type is recognised from its bytes whatever its name says."""
        cases = [
            ("copie.pdf", tiny_pdf(), "pdf", "application/pdf"),
            ("photo.jpg", tiny_png(), "png", "image/png"),
            ("rapport", tiny_docx(), "docx", uploads.KINDS["docx"][0]),
            ("texte.odt", tiny_odt(), "odt", uploads.KINDS["odt"][0]),
            ("notes.txt", "Réponse : 42\n".encode(), "txt", "text/plain; charset=utf-8"),
            ("image.gif", b"GIF89a" + b"\x00" * 20, "gif", "image/gif"),
            ("a.jpeg", b"\xff\xd8\xff\xe0" + b"\x00" * 20, "jpg", "image/jpeg"),
            ("son.mp3", b"ID3\x04" + b"\x00" * 20, "mp3", "audio/mpeg"),
            ("voix.m4a", b"\x00\x00\x00\x20ftypM4A " + b"\x00" * 20, "m4a", "audio/mp4"),
        ]
        for name, data, extension, content_type in cases:
            with self.subTest(name=name):
                checked = uploads.validate_upload(upload(name, data), max_bytes=10_000, allowed=uploads.ALL)
                self.assertEqual((checked.extension, checked.content_type), (extension, content_type))
                self.assertEqual(checked.size, len(data))
                self.assertEqual(len(checked.sha256), 64)

    def test_disguised_or_unknown_files_are_refused(self):
        """An HTML page renamed .pdf, a program renamed .png, a plain zip and a binary blob are refused."""
        cases = [
            ("devoir.pdf", b"<!DOCTYPE html><html><script>alert(1)</script></html>", "application/pdf"),
            ("devoir.pdf", b"  <html><body>hello</body></html>", "application/pdf"),
            ("image.png", b"MZ\x90\x00\x03\x00\x00\x00" + b"\x00" * 60, "image/png"),
            ("dossier.docx", zip_of({"a.txt": b"x"}), "application/zip"),
            ("dessin.txt", b"<svg xmlns='http://www.w3.org/2000/svg'/>", "text/plain"),
            ("blob.txt", b"\x00\x01\x02binary", "text/plain"),
            ("latin1.txt", "café".encode("latin-1"), "text/plain"),
        ]
        for name, data, declared in cases:
            with self.subTest(name=name, data=data[:12]):
                with self.assertRaises(ValidationError) as raised:
                    uploads.validate_upload(upload(name, data, declared), max_bytes=10_000, allowed=uploads.ALL)
                self.assertIn(f"Ce type de fichier n'est pas accepté : {name}.", raised.exception.messages[0])

    def test_types_outside_the_allowed_set_are_refused_with_the_accepted_list(self):
        """A real PNG is refused where only PDF is allowed, and the message lists what is accepted."""
        with self.assertRaises(ValidationError) as raised:
            uploads.validate_upload(upload("photo.png", tiny_png()), max_bytes=10_000, allowed={"pdf"})
        self.assertEqual(
            raised.exception.messages, ["Ce type de fichier n'est pas accepté : photo.png. Types acceptés : PDF."]
        )

    def test_size_limit_and_empty_files(self):
        """A file over the limit or an empty one is refused with a clear message."""
        with self.assertRaises(ValidationError) as raised:
            uploads.validate_upload(upload("gros.pdf", tiny_pdf() + b"0" * 3000), max_bytes=2048, allowed={"pdf"})
        self.assertIn("Ce fichier est trop volumineux : gros.pdf", raised.exception.messages[0])
        self.assertIn("La taille maximale est 2 Ko.", raised.exception.messages[0])
        with self.assertRaises(ValidationError) as raised:
            uploads.validate_upload(upload("vide.pdf", b""), max_bytes=2048, allowed={"pdf"})
        self.assertEqual(raised.exception.messages, ["Ce fichier est vide : vide.pdf."])

    @override_settings(CARTABLE_UPLOAD_MAX_BYTES=100)
    def test_the_default_limit_comes_from_the_settings(self):
        """Without ``max_bytes`` the limit is ``CARTABLE_UPLOAD_MAX_BYTES``."""
        with self.assertRaises(ValidationError):
            uploads.validate_upload(upload("a.pdf", tiny_pdf() + b" " * 200), allowed={"pdf"})

    def test_names_lose_folders_and_control_characters_and_get_the_real_extension(self):
        """The display name keeps no path, no control character, and ends with the detected extension."""
        cases = [
            ("../../etc/passwd.pdf", "pdf", "passwd.pdf"),
            ("C:\\Users\\lucas\\Devoir.PDF", "pdf", "Devoir.PDF"),
            ("bad\x00na\u202eme\n.pdf", "pdf", "badname.pdf"),
            ("photo.jpg", "png", "photo.jpg.png"),
            ("photo.jpeg", "jpg", "photo.jpeg"),
            ("", "pdf", "fichier.pdf"),
            ("x" * 300 + ".pdf", "pdf", "x" * 196 + ".pdf"),
        ]
        for raw, extension, expected in cases:
            with self.subTest(raw=raw[:30]):
                self.assertEqual(uploads.clean_name(raw, extension), expected)

    @override_settings(CARTABLE_UPLOAD_SCANNER="tests.test_uploads.refuse_everything")
    def test_the_scanner_is_called_on_every_upload(self):
        """The configured scanner sees the file and its refusal refuses the upload."""
        SCANNED.clear()
        with self.assertRaisesMessage(ValidationError, "Ce fichier contient un virus."):
            uploads.validate_upload(upload("a.pdf", tiny_pdf()), max_bytes=10_000, allowed={"pdf"})
        self.assertEqual(SCANNED, [tiny_pdf()])


class StoreAndServeTests(SimpleTestCase):
    def setUp(self):
        self.media = tempfile.mkdtemp()
        self.addCleanup(shutil.rmtree, self.media, True)
        self.enterContext(override_settings(MEDIA_ROOT=self.media))

    def test_files_are_stored_under_a_generated_name(self):
        """The stored name is a uuid with the detected extension under the dated folder."""
        checked = uploads.validate_upload(upload("../copie de Lucas.pdf", tiny_pdf()), allowed={"pdf"})
        name = uploads.store(checked, folder="submissions/%Y/%m/")
        self.assertRegex(name, r"^submissions/\d{4}/\d{2}/[0-9a-f]{32}\.pdf$")
        with default_storage.open(name) as stored:
            self.assertEqual(stored.read(), tiny_pdf())
        uploads.delete_stored(name)
        self.assertFalse(default_storage.exists(name))

    def test_files_are_served_as_downloads_that_browsers_will_not_run(self):
        """Attachment with the UTF-8 name, nosniff, a CSP sandbox and private caching."""
        checked = uploads.validate_upload(upload("rédaction été.pdf", tiny_pdf()), allowed={"pdf"})
        name = uploads.store(checked, folder="t")
        request = RequestFactory().get("/")
        field_file = FieldFile(None, type("F", (), {"storage": default_storage})(), name)
        response = uploads.serve_file(
            request, field_file, filename=checked.original_name, content_type="application/pdf"
        )
        self.assertEqual(
            response["Content-Disposition"],
            "attachment; filename=\"redaction ete.pdf\"; filename*=UTF-8''r%C3%A9daction%20%C3%A9t%C3%A9.pdf",
        )
        self.assertEqual(response["X-Content-Type-Options"], "nosniff")
        self.assertIn("sandbox", response["Content-Security-Policy"])
        self.assertEqual(response["Cache-Control"], "private, no-store")
        self.assertEqual(b"".join(response.streaming_content), tiny_pdf())
        response.file_to_stream.close()  # not .close(): it would signal the end of a request
        inline = uploads.serve_file(request, field_file, filename="a.pdf", content_type="application/pdf", inline=True)
        self.assertTrue(inline["Content-Disposition"].startswith("inline;"))
        inline.file_to_stream.close()  # not .close(): it would signal the end of a request
        as_text = uploads.serve_file(request, field_file, filename="a.txt", content_type="text/plain", inline=True)
        self.assertTrue(as_text["Content-Disposition"].startswith("attachment;"))
        as_text.file_to_stream.close()  # not .close(): it would signal the end of a request

    def test_a_missing_file_is_a_404(self):
        """A row whose file is gone answers 404, not a stack trace."""
        from django.http import Http404

        field_file = FieldFile(None, type("F", (), {"storage": default_storage})(), "nope/absent.pdf")
        with self.assertRaises(Http404):
            uploads.serve_file(RequestFactory().get("/"), field_file, filename="a.pdf", content_type="application/pdf")
