"""Report cards in Chromium: a teacher writes appreciations, the principal generates (progress bar) and
publishes 5e A's report cards, a parent downloads one on a phone (axe-core on every page, 360 px)."""

import re

import pytest
from playwright.sync_api import expect
from pypdf import PdfReader

from tests.support.browser import follow, log_in, visit
from tests.support.phone import PHONE
from tests.support.reportcards import add_marks_and_absences

pytestmark = pytest.mark.browser


@pytest.fixture
def marks(school, settings, tmp_path):
    """5e A's first-trimester marks and Lucas's absences; generated files under tmp_path."""
    settings.MEDIA_ROOT = str(tmp_path)
    add_marks_and_absences(school)
    kit = school.college
    return kit.classes["5e A"], kit.periods[0], kit.subjects["MATH"]


def no_sideways_scroll(page) -> None:
    assert page.evaluate("document.documentElement.scrollWidth") <= PHONE["width"]


def test_appreciations_generation_publication_and_download(page, marks):
    """paul.dupont writes an appreciation with the keyboard (saved by htmx); marc.leroy generates the class's
    PDFs, watches the progress bar reach 3 / 3 and publishes; claire.martin downloads Lucas's report card
    on her phone."""
    five_a, period, _maths = marks
    log_in(page, "paul.dupont")
    visit(page, "/bulletins/")
    with follow(page):
        page.get_by_role("link", name=f"5e A — Mathématiques ({period.name})").click()
    row = page.get_by_role("row", name="Martin Lucas")
    expect(row).to_contain_text("13,33")
    field = page.get_by_label("Appréciation de Lucas Martin")
    field.fill("Bon trimestre, continuez ainsi.")
    field.press("Tab")  # leaving the field saves it
    expect(row.get_by_role("status")).to_have_text("Enregistrée")
    visit(page, page.url)
    expect(page.get_by_label("Appréciation de Lucas Martin")).to_have_value("Bon trimestre, continuez ainsi.")

    page.context.clear_cookies()
    log_in(page, "marc.leroy")
    visit(page, f"/bulletins/conseil/{five_a.pk}/{period.pk}/")
    page.get_by_label("Mention Lucas Martin").select_option("encouragements")
    page.get_by_role("button", name="Enregistrer Lucas Martin").last.click()
    expect(page.get_by_label("Mention Lucas Martin")).to_have_value("encouragements")
    page.get_by_role("button", name="Produire les bulletins de la classe (PDF)").click()
    bar = page.locator("#generation-bar")
    expect(bar).to_have_attribute("value", "3")
    expect(bar).to_have_attribute("max", "3")
    expect(page.locator("#generation-state")).to_contain_text("3 / 3")
    with follow(page):
        page.get_by_role("link", name="Voir les bulletins produits").click()
    expect(page.get_by_text("3 bulletins à publier.")).to_be_visible()
    page.get_by_label(re.compile("publier quand même ?")).check()  # what is missing was shown (issue 11)
    with follow(page):
        page.get_by_role("button", name="Publier aux familles").click()
    expect(page.get_by_text("3 bulletins publiés.")).to_be_visible()

    page.context.clear_cookies()
    page.set_viewport_size(PHONE)
    log_in(page, "claire.martin")
    visit(page, "/bulletins/")
    no_sideways_scroll(page)
    with follow(page):
        page.get_by_role("link", name=f"{period.name} — version 1").click()
    expect(page.locator("#absences")).to_contain_text("3 demi-journées")
    expect(page.locator("#overall-average")).to_have_text("13,17")
    no_sideways_scroll(page)
    with page.expect_download() as download:
        page.get_by_role("link", name="Télécharger le bulletin (PDF, version 1)").click()
    text = " ".join(p.extract_text() for p in PdfReader(download.value.path()).pages)
    assert "13,17" in text
    assert "Bon trimestre, continuez ainsi." in text
    assert "Encouragements" in text


def test_the_appreciation_counter_and_the_publication_confirmation(page, marks):
    """paul.dupont sees the live count under an appreciation, and its warning over the limit; marc.leroy
    sees what is missing, cannot publish before ticking « publier quand même ? », then publishes."""
    five_a, period, maths = marks
    log_in(page, "paul.dupont")
    visit(page, f"/bulletins/saisie/{five_a.pk}/{period.pk}/{maths.pk}/")
    field = page.get_by_label("Appréciation de Lucas Martin")
    counter = page.get_by_role("row", name="Martin Lucas").locator(".char-count")
    expect(counter).to_have_text("0 / 250 caractères")
    field.fill("Bon trimestre, continuez ainsi.")
    expect(counter).to_have_text("31 / 250 caractères")
    field.fill("x" * 260)
    expect(counter).to_have_text("260 / 250 caractères : trop long pour le bulletin")
    field.press("Tab")  # refused: the row comes back with the message and the text kept
    row = page.get_by_role("row", name="Martin Lucas")
    expect(row.locator(".errorlist")).to_contain_text("au plus 250 caractères")
    expect(field).to_have_value("x" * 260)
    expect(counter).to_have_text("260 / 250 caractères : trop long pour le bulletin")
    field.fill("Bon trimestre.")
    field.press("Tab")
    expect(page.get_by_role("row", name="Martin Lucas").get_by_role("status")).to_have_text("Enregistrée")
    expect(counter).to_have_text("14 / 250 caractères")  # after the htmx swap

    page.context.clear_cookies()
    log_in(page, "marc.leroy")
    visit(page, f"/bulletins/conseil/{five_a.pk}/{period.pk}/")
    page.get_by_role("button", name="Produire les bulletins de la classe (PDF)").click()
    expect(page.locator("#generation-state")).to_contain_text("3 / 3")
    with follow(page):
        page.get_by_role("link", name="Voir les bulletins produits").click()
    question = "9 appréciations manquent pour 3 élèves ; 3 décisions du conseil manquent : publier quand même ?"
    expect(page.get_by_label(question)).to_be_visible()
    expect(page.locator("#missing")).to_contain_text(
        "Martin Lucas : appréciation de Français, appréciation de Latin, appréciation générale"
    )
    page.get_by_role("button", name="Publier aux familles").click()  # the browser asks for the checkbox first
    expect(page.get_by_text("3 bulletins à publier.")).to_be_visible()
    page.get_by_label(question).check()
    with follow(page):
        page.get_by_role("button", name="Publier aux familles").click()
    expect(page.get_by_text("3 bulletins publiés.")).to_be_visible()
    visit(page, "/bulletins/")
    expect(page.locator(f"#state-{five_a.pk}-{period.pk}")).to_contain_text("publiés : 3 / 3")
