"""The question bank in Chromium on a 360 px phone: paul.dupont imports a GIFT file with an error (refused
with its line, the text kept), corrects it, finds the questions in his bank, previews one and edits it in
its form (an error in French, what was typed kept, then saved); axe-core checks every page."""

from __future__ import annotations

import pytest
from playwright.sync_api import expect

from tests.support.browser import follow, log_in, visit
from tests.support.phone import PHONE, assert_no_sideways_scroll

pytestmark = pytest.mark.browser

BAD = "$CATEGORY: $course$/top/Géométrie\n\n::Aire::Aire d'un carré de côté 3 ?{~6 ~12}\n\n::Pi::Pi ?{#3.141..3.142}"


def test_a_teacher_imports_a_gift_file_and_previews_a_question(page, school):
    page.set_viewport_size(PHONE)
    log_in(page, "paul.dupont")
    visit(page, "/apprentissage/")
    expect(page.get_by_role("heading", name="Banque de questions")).to_be_visible()
    with follow(page):
        page.get_by_role("link", name="Importer des questions").click()
    page.get_by_label("Ou collez le texte GIFT").fill(BAD)
    with follow(page):
        page.get_by_role("button", name="Importer").click()
    alert = page.get_by_role("alert")
    expect(alert).to_contain_text("Ligne 3 : la question « Aire » n'a aucune bonne réponse.")
    expect(page.get_by_label("Ou collez le texte GIFT")).to_have_value(BAD)  # nothing typed is lost
    assert_no_sideways_scroll(page)
    page.get_by_label("Ou collez le texte GIFT").fill(BAD.replace("~6 ~12", "~6 =9 ~12"))
    with follow(page):
        page.get_by_role("button", name="Importer").click()
    expect(page.get_by_text("2 questions importées.")).to_be_visible()
    with follow(page):
        page.get_by_role("link", name="Géométrie").click()
    expect(page.get_by_text("Numérique", exact=True)).to_be_visible()
    assert_no_sideways_scroll(page)
    with follow(page):
        page.get_by_role("link", name="Aire").click()
    expect(page.get_by_role("heading", name="Aire")).to_be_visible()
    expect(page.get_by_role("cell", name="100 %")).to_be_visible()
    assert_no_sideways_scroll(page)
    with follow(page):
        page.get_by_role("link", name="Modifier la question").click()
    nine = page.get_by_role("group", name="Réponse 2")
    expect(nine.get_by_label("Réponse", exact=True)).to_have_value("9")
    nine.get_by_label("Poids (%)").fill("0")
    page.get_by_role("group", name="Réponse 1").get_by_label("Commentaire").fill("Ceci est le périmètre.")
    with follow(page):
        page.get_by_role("button", name="Enregistrer").click()
    expect(page.get_by_role("alert")).to_contain_text("La question « Aire » n'a aucune bonne réponse.")
    expect(page.get_by_role("group", name="Réponse 1").get_by_label("Commentaire")).to_have_value(
        "Ceci est le périmètre."
    )
    assert_no_sideways_scroll(page)
    page.get_by_role("group", name="Réponse 2").get_by_label("Poids (%)").fill("100")
    with follow(page):
        page.get_by_role("button", name="Enregistrer").click()
    expect(page.get_by_text("La question est enregistrée.")).to_be_visible()
    expect(page.get_by_role("cell", name="Ceci est le périmètre.")).to_be_visible()
