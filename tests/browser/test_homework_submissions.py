"""Online submission in Chromium: a student hands in a PDF, the teacher zips and returns feedback."""

import io
import zipfile

import pytest
from playwright.sync_api import expect

from tests.support.browser import follow, log_in, visit
from tests.support.files import tiny_pdf
from tests.support.phone import PHONE, assert_no_sideways_scroll

pytestmark = pytest.mark.browser


def test_a_student_hands_in_and_the_teacher_returns_feedback(page, homework):
    """lucas.martin hands in a PDF from a phone; paul.dupont sees it, downloads the zip and marks it 15/20;
    lucas then reads the feedback on his phone."""
    student_url = f"/cahier-de-textes/devoir/{homework.pk}/depot/"

    page.set_viewport_size(PHONE)
    log_in(page, "lucas.martin")
    visit(page, student_url)
    expect(page.locator("#submission-state")).to_contain_text("Pas encore rendu")
    assert_no_sideways_scroll(page)
    page.get_by_label("Fichiers").set_input_files(
        files=[{"name": "pizzas.pdf", "mimeType": "application/pdf", "buffer": tiny_pdf("Lucas")}]
    )
    page.get_by_label("Réponse écrite").fill("Chacun mange 3/4 de pizza.")
    with follow(page):
        page.get_by_role("button", name="Déposer").click()
    expect(page.get_by_text("Votre travail est déposé.")).to_be_visible()
    expect(page.locator("#submission-state")).to_contain_text("Rendu le")
    expect(page.get_by_role("link", name="pizzas.pdf")).to_be_visible()
    assert_no_sideways_scroll(page)

    page.context.clear_cookies()
    page.set_viewport_size({"width": 1280, "height": 800})
    log_in(page, "paul.dupont")
    visit(page, f"/cahier-de-textes/devoir/{homework.pk}/depots/")
    expect(page.locator("#submission-counts")).to_contain_text("à l'heure : 1 · en retard : 0 · non rendus : 2")
    row = page.get_by_role("row", name="Martin Lucas")
    expect(row).to_contain_text("Rendu")
    expect(row.get_by_role("link", name="pizzas.pdf")).to_be_visible()
    with page.expect_download() as download:
        page.get_by_role("link", name="Télécharger tous les dépôts (zip)").click()
    archive = zipfile.ZipFile(io.BytesIO(download.value.path().read_bytes()))
    assert sorted(archive.namelist()) == ["Martin Lucas/pizzas.pdf", "Martin Lucas/reponse.txt"]
    assert archive.read("Martin Lucas/pizzas.pdf") == tiny_pdf("Lucas")

    with follow(page):
        row.get_by_role("link", name="Rendre un retour à Lucas").click()
    expect(page.get_by_text("Chacun mange 3/4 de pizza.")).to_be_visible()
    page.get_by_label("Commentaire").fill("Bien raisonné, conclus par une phrase.")
    page.get_by_label("Note (facultatif)").fill("15")
    with follow(page):
        page.get_by_role("button", name="Envoyer le retour").click()
    expect(page.get_by_text("Retour envoyé à Lucas Martin.")).to_be_visible()
    expect(page.get_by_role("row", name="Martin Lucas")).to_contain_text("15 / 20")

    page.context.clear_cookies()
    page.set_viewport_size(PHONE)
    log_in(page, "lucas.martin")
    visit(page, student_url)
    feedback = page.get_by_role("region", name="Retour du professeur")
    expect(feedback).to_contain_text("Bien raisonné, conclus par une phrase.")
    expect(page.locator("#feedback-mark")).to_have_text("15 / 20")
    expect(page.get_by_role("button", name="Remplacer mon dépôt")).to_have_count(0)
    assert_no_sideways_scroll(page)


def test_a_refused_file_keeps_the_answer_typed(page, homework):
    """A web page renamed .pdf is refused with a French message and the typed answer stays."""
    log_in(page, "lucas.martin")
    visit(page, f"/cahier-de-textes/devoir/{homework.pk}/depot/")
    page.get_by_label("Fichiers").set_input_files(
        files=[{"name": "devoir.pdf", "mimeType": "application/pdf", "buffer": b"<html><body>x</body></html>"}]
    )
    page.get_by_label("Réponse écrite").fill("Ma réponse longue")
    with follow(page):
        page.get_by_role("button", name="Déposer").click()
    expect(page.get_by_text("Ce type de fichier n'est pas accepté : devoir.pdf.", exact=False)).to_be_visible()
    expect(page.get_by_label("Réponse écrite")).to_have_value("Ma réponse longue")
