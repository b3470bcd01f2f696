"""A quiz in Chromium on a 360 px phone: nadia.petit (vie scolaire) grants lucas.martin an extra attempt;
paul.dupont gives a category of his bank to 5e A; lucas.martin starts it, the timer shows, an answer
autosaves, the page reloaded keeps it (the order too), he writes the essay and submits; paul grades the
essay on its page and sees the score that counts. axe-core checks every page."""

from __future__ import annotations

import re

import pytest
from playwright.sync_api import expect

from cartable.learning import actions, formats
from tests.support.browser import follow, log_in, visit
from tests.support.phone import PHONE, assert_no_sideways_scroll

pytestmark = pytest.mark.browser

GIFT = (
    "::Aire::Aire d'un carré de côté 3 ?{=9 ~6 ~12}\n\n::Pi::Pi à 0,01 près ?{#3.14:0.01}\n\n"
    "::Rédaction::Expliquez votre calcul.{}\n"
)


def test_a_student_takes_a_quiz_on_a_phone(page, school):
    college = school.college.establishment
    actions.import_questions(
        actor=None, owner=school["paul.dupont"], establishment_id=college.pk, parsed=formats.parse(GIFT.encode())
    )
    page.set_viewport_size(PHONE)
    log_in(page, "nadia.petit")
    visit(page, "/apprentissage/amenagements/")
    page.get_by_label("Élève").select_option(label="MARTIN Lucas")
    page.get_by_label("Tentatives supplémentaires").fill("1")
    with follow(page):
        page.get_by_role("button", name="Enregistrer").click()
    expect(page.get_by_role("row", name="Lucas Martin 20 minutes par heure 1")).to_be_visible()
    assert_no_sideways_scroll(page)
    page.context.clear_cookies()

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
    expect(page.get_by_role("timer")).to_have_text(re.compile(r"^(26|25):\d\d$"))  # 20 minutes, tiers-temps
    expect(page.locator("main")).not_to_contain_text("100")
    with page.expect_response(lambda r: r.request.method == "POST" and r.status == 204):
        page.get_by_label("9", exact=True).check()  # autosaved at once
    expect(page.locator("#autosave-status")).to_have_text("Réponse enregistrée.")
    order = page.locator("legend + .question-text").all_inner_texts()
    assert_no_sideways_scroll(page)
    visit(page, page.url)
    assert page.locator("legend + .question-text").all_inner_texts() == order
    expect(page.get_by_label("9", exact=True)).to_be_checked()
    page.locator("input[inputmode=decimal]").fill("3,14")
    page.locator("textarea").fill("Trois fois trois.")
    with follow(page):
        page.get_by_role("button", name="Terminer et rendre").click()
    expect(page.get_by_text("Votre quiz est rendu.")).to_be_visible()
    expect(
        page.get_by_text("Votre note sera connue quand le professeur aura corrigé les compositions.")
    ).to_be_visible()
    visit(page, "/apprentissage/quiz/")
    expect(page.get_by_text("1 tentative restante")).to_be_visible()  # 1 + 1 granted, 1 used
    page.context.clear_cookies()

    log_in(page, "paul.dupont")
    visit(page, results)
    with follow(page):
        page.get_by_role("link", name="Corriger la tentative 1 de Lucas Martin").click()
    expect(page.get_by_text("Trois fois trois.")).to_be_visible()
    assert_no_sideways_scroll(page)
    page.get_by_label("Points de la question").fill("0,5")
    with follow(page):
        page.get_by_role("button", name="Enregistrer les points").click()
    expect(page.get_by_role("row", name="Lucas Martin n° 1 : 2,50 2,50")).to_be_visible()
    assert_no_sideways_scroll(page)
