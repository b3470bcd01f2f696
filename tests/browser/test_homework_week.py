"""The student's week in Chromium on a 360 px phone: the hand-in deadline and « Déposer » on the dashboard,
the hand-in, then « Rendu le … »; the teacher's « Copies à corriger »."""

import pytest
from playwright.sync_api import expect

from tests.support.browser import follow, log_in, visit
from tests.support.files import tiny_pdf
from tests.support.phone import PHONE, assert_no_sideways_scroll

pytestmark = pytest.mark.browser


def test_a_student_sees_the_deadline_on_the_dashboard_hands_in_and_sees_rendu_le(page, homework):
    page.set_viewport_size(PHONE)
    log_in(page, "lucas.martin")
    visit(page, "/")
    upcoming = page.get_by_role("region", name="Devoirs à venir")
    expect(upcoming).to_contain_text("À déposer avant le")
    deposer = upcoming.get_by_role("link", name="Déposer : Problème des pizzas")
    expect(deposer).to_be_visible()
    box = deposer.bounding_box()
    assert box is not None and box["x"] + box["width"] <= PHONE["width"]
    assert_no_sideways_scroll(page)
    with follow(page):
        deposer.click()
    page.get_by_label("Fichiers").set_input_files(
        files=[{"name": "pizzas.pdf", "mimeType": "application/pdf", "buffer": tiny_pdf("Lucas")}]
    )
    with follow(page):
        page.get_by_role("button", name="Déposer").click()
    expect(page.get_by_text("Votre travail est déposé.")).to_be_visible()
    visit(page, "/")
    upcoming = page.get_by_role("region", name="Devoirs à venir")
    expect(upcoming).to_contain_text("Rendu le")
    expect(upcoming.get_by_role("link", name="Déposer : Problème des pizzas")).to_have_count(0)
    assert_no_sideways_scroll(page)
    visit(page, "/cahier-de-textes/travail/")
    item = page.locator(f"#homework-{homework.pk}")
    expect(item).to_contain_text("Rendu le")
    expect(item.get_by_role("button", name="Marquer comme fait")).to_have_count(0)
    assert_no_sideways_scroll(page)

    page.context.clear_cookies()
    log_in(page, "paul.dupont")
    visit(page, "/")
    to_correct = page.get_by_role("region", name="Copies à corriger")
    expect(to_correct).to_contain_text("1 copie reçue attend votre retour.")
    with follow(page):
        to_correct.get_by_role("link", name="Problème des pizzas").click()
    expect(page.get_by_role("row", name="Martin Lucas")).to_contain_text("Rendu")
    assert_no_sideways_scroll(page)
