"""Previews of « Mes documents »: a PDF's first page (pypdfium2) and images re-encoded (Pillow), drawn by the
worker after the upload commits (never in the request), stored beside the version, served through the
guard; bounded in pages, page size and pixels, and « Aperçu indisponible » for what is not drawn."""

from __future__ import annotations

import io

from django.core.files.storage import default_storage
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import override_settings
from django.urls import reverse
from PIL import Image
from reportlab.pdfgen import canvas

from cartable.core import uploads
from cartable.documents import actions, queries
from cartable.documents.models import Document, Version
from tests.support.files import OwnMediaTestCase, tiny_pdf


def pdf(pages: int = 1, size: tuple[float, float] = (595, 842)) -> bytes:
    """A PDF of ``pages`` pages (A4 by default), each with a line of text."""
    out = io.BytesIO()
    drawing = canvas.Canvas(out, pagesize=size)
    for n in range(pages):
        drawing.drawString(72, 72, f"Chapitre {n + 1}")
        drawing.showPage()
    drawing.save()
    return out.getvalue()


def png(width: int, height: int, colour=(200, 30, 30)) -> bytes:
    out = io.BytesIO()
    Image.new("RGB", (width, height), colour).save(out, format="PNG")
    return out.getvalue()


class PreviewTests(OwnMediaTestCase):
    def upload(self, name: str, data: bytes, *, drawn: bool = True) -> Document:
        checked = uploads.validate_upload(SimpleUploadedFile(name, data), allowed=uploads.ALL)
        with self.captureOnCommitCallbacks(execute=drawn):
            document = actions.upload_file(actor=self.actor("lucas.martin"), folder=None, checked=checked)
        document.refresh_from_db()
        document.current.refresh_from_db()
        return document

    def preview_image(self, document: Document) -> Image.Image:
        with document.current.preview.open("rb") as stored:
            image = Image.open(io.BytesIO(stored.read()))
            image.load()
        return image

    def test_a_pdf_first_page_is_drawn_after_commit_and_served_through_the_guard(self):
        """Until the worker runs the page says « en préparation »; then the first page is a PNG at most
        1200 px high, shown on the file's page and served inline with nosniff to its owner, a 404 to others."""
        waiting = self.upload("cours.pdf", pdf(pages=3), drawn=False)
        self.assertEqual(waiting.current.preview_state, Version.Preview.PENDING)
        self.login("lucas.martin")
        self.assertContains(self.client.get(reverse("documents:document", args=[waiting.pk])), "Aperçu en préparation")
        self.assertEqual(self.client.get(reverse("documents:preview", args=[waiting.pk])).status_code, 404)

        document = self.upload("chapitre.pdf", pdf(pages=3))
        self.assertEqual(document.current.preview_state, Version.Preview.READY)
        image = self.preview_image(document)
        self.assertEqual(image.format, "PNG")
        self.assertEqual(image.height, 1200)
        self.assertLess(image.width, image.height)  # A4, portrait
        url = reverse("documents:preview", args=[document.pk])
        page = self.client.get(reverse("documents:document", args=[document.pk]))
        self.assertContains(page, f'src="{url}"')
        self.assertContains(page, "Aperçu de chapitre.pdf (première page)")
        served = self.client.get(url)
        self.assertEqual(served["Content-Type"], "image/png")
        self.assertEqual(served["X-Content-Type-Options"], "nosniff")
        self.assertTrue(served["Content-Disposition"].startswith("inline;"))
        self.login("charlie.roux")
        self.assertEqual(self.client.get(url).status_code, 404)

    def test_an_image_is_reduced_and_re_encoded(self):
        """A 3000×1500 PNG with bytes after its end (a polyglot) gets a 1200×600 PNG preview without them."""
        tail = b"<html><script>alert(1)</script></html>"
        document = self.upload("photo.png", png(3000, 1500) + tail)
        image = self.preview_image(document)
        self.assertEqual(image.size, (1200, 600))
        with document.current.preview.open("rb") as stored:
            self.assertNotIn(b"<script>", stored.read())

    @override_settings(CARTABLE_PREVIEW_MAX_PAGES=2, CARTABLE_PREVIEW_MAX_PIXELS=1_000_000)
    def test_what_passes_the_bounds_is_not_drawn(self):
        """Too many pages, a page of 3 m, an image of more pixels than allowed, a PDF with no page: none is
        drawn, the page says « Aperçu indisponible », and a text file has no preview at all."""
        cases = [
            ("long.pdf", pdf(pages=3)),
            ("affiche.pdf", pdf(size=(8500, 8500))),
            ("grande.png", png(1100, 1000)),
            ("vide.pdf", tiny_pdf()),
            ("notes.txt", b"bonjour"),
        ]
        self.login("lucas.martin")
        for name, data in cases:
            with self.subTest(name=name):
                document = self.upload(name, data)
                self.assertEqual(document.current.preview_state, Version.Preview.NONE)
                self.assertFalse(document.current.preview)
                page = self.client.get(reverse("documents:document", args=[document.pk]))
                self.assertContains(page, "Aperçu indisponible")

    def test_a_new_version_gets_its_own_preview_and_the_old_ones_go_with_their_versions(self):
        """Each version has its preview; the eleventh upload removes the first version's file and preview."""
        first = self.upload("plan.png", png(10, 10))
        first_preview = first.current.preview.name
        with self.captureOnCommitCallbacks(execute=True):
            for n in range(10):
                checked = uploads.validate_upload(SimpleUploadedFile("plan.png", png(10, 10 + n)), allowed=uploads.ALL)
                actions.upload_file(actor=self.actor("lucas.martin"), folder=None, checked=checked)
        self.assertEqual(Version.objects.filter(preview_state=Version.Preview.READY).count(), 10)
        self.assertFalse(default_storage.exists(first_preview))


class TextSearchTests(OwnMediaTestCase):
    def test_the_search_finds_words_in_a_pdf_and_a_text_file_within_what_one_may_open(self):
        """The worker keeps a PDF's and a text file's text, folded: « egyptiennes » finds the PDF of lucas
        by a word of its page, « Pythagore » his notes; nobody else's files, and not before the text is read."""
        for who, name, data in [
            ("lucas.martin", "cours.pdf", pdf_with("Les fractions égyptiennes")),
            ("lucas.martin", "notes.txt", "Théorème de Pythagore".encode()),
            ("lea.bernard", "autre.pdf", pdf_with("Les fractions égyptiennes aussi")),
        ]:
            checked = uploads.validate_upload(SimpleUploadedFile(name, data), allowed=uploads.ALL)
            with self.captureOnCommitCallbacks(execute=True):
                actions.upload_file(actor=self.actor(who), folder=None, checked=checked)
        lucas = self.actor("lucas.martin")
        self.assertEqual([d.name for d in queries.search(lucas, "EGYPTIENNES fractions")[1]], ["cours.pdf"])
        self.assertEqual([d.name for d in queries.search(lucas, "pythagore")[1]], ["notes.txt"])
        self.assertEqual(queries.search(lucas, "hypoténuse")[1], [])


def pdf_with(text: str) -> bytes:
    out = io.BytesIO()
    drawing = canvas.Canvas(out)
    drawing.drawString(72, 720, text)
    drawing.save()
    return out.getvalue()
