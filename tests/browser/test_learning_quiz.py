"""A quiz in Chromium on a 360 px phone: paul.dupont gives a category of his bank to 5e A; lucas.martin
starts it, an answer autosaves, the page reloaded keeps it (the order too), he submits; paul sees his score.
axe-core checks every page."""

from __future__ import annotations

import pytest
from playwright.sync_api import expect

from cartable.learning import actions, formats
from tests.support.browser import follow, log_in, visit
from tests.support.phone import PHONE, assert_no_sideways_scroll

pytestmark = pytest.mark.browser

GIFT = "::Aire::Aire d'un carré de côté 3 ?{=9 ~6 ~12}\n\n::Pi::Pi à 0,01 près ?{#3.14:0.01}\n"


def test_a_student_takes_a_quiz_on_a_phone(page, school):
    college = school.college.establishment
    actions.import_questions(
        actor=None, owner=school["paul.dupont"], establishment_id=college.pk, parsed=formats.parse(GIFT.encode())
    )
    page.set_viewport_size(PHONE)
    log_in(page, "paul.dupont")
    visit(page, "/apprentissage/")
    with follow(page):
        page.get_by_role("link", name="Donner ces questions en quiz").click()
    page.get_by_label("Titre").fill("Aires")
    page.get_by_label("Classe").select_option(label="5e A")
    page.get_by_label("Ouverture").fill("2020-01-01T08:00")
    page.get_by_label("Fermeture").fill("2099-01-01T08:00")
    page.get_by_label("Durée en minutes").fill("20")
    with follow(page):
        page.get_by_role("button", name="Créer le quiz").click()
    expect(page.get_by_text("Aucun élève n'a encore commencé ce quiz.")).to_be_visible()
    results = page.url
    page.context.clear_cookies()

    log_in(page, "lucas.martin")
    visit(page, "/apprentissage/quiz/")
    with follow(page):
        page.get_by_role("button", name="Commencer").click()
    expect(page.get_by_role("group", name="Question 1")).to_be_visible()
    expect(page.locator("main")).not_to_contain_text("100")
    with page.expect_response(lambda r: r.request.method == "POST" and r.status == 204):
        page.get_by_label("9", exact=True).check()  # autosaved at once
    expect(page.locator("#autosave-status")).to_have_text("Réponse enregistrée.")
    order = page.locator("legend + .question-text").all_inner_texts()
    assert_no_sideways_scroll(page)
    visit(page, page.url)
    assert page.locator("legend + .question-text").all_inner_texts() == order
    expect(page.get_by_label("9", exact=True)).to_be_checked()
    page.get_by_label("Votre réponse").fill("3,14")
    with follow(page):
        page.get_by_role("button", name="Terminer et rendre").click()
    expect(page.get_by_text("Votre quiz est rendu.")).to_be_visible()
    page.context.clear_cookies()

    log_in(page, "paul.dupont")
    visit(page, results)
    expect(page.get_by_role("row", name="Lucas Martin Rendu 2")).to_be_visible()
    assert_no_sideways_scroll(page)
