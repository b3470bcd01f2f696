"""Weekly lessons in Chromium: the principal adds a lesson to 5e A from its week grid, on a phone."""

import datetime as dt

import pytest
from playwright.sync_api import expect

from cartable.timetable.queries import default_monday
from tests.support.browser import follow, log_in, visit
from tests.support.phone import PHONE
from tests.support.timetable import build_timetable

pytestmark = pytest.mark.browser


@pytest.fixture
def timetable(school):
    return build_timetable(school)


def no_sideways_scroll(page):
    assert page.evaluate("document.documentElement.scrollWidth") <= PHONE["width"]


def test_the_principal_adds_a_weekly_lesson_from_the_class_grid(page, timetable):
    """marc.leroy opens 5e A's week, adds maths on Wednesdays at 14:00 and sees it in the week; 360 px, axe-core."""
    monday = default_monday()
    wednesday = monday + dt.timedelta(days=2)
    page.set_viewport_size(PHONE)
    log_in(page, "marc.leroy")
    visit(page, "/emploi-du-temps/")
    with follow(page):
        page.get_by_role("link", name="5e A", exact=True).click()
    expect(page.get_by_role("heading", level=1)).to_contain_text("5e A")
    with follow(page):
        page.get_by_role("link", name="Ajouter un cours", exact=True).click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Ajouter un cours hebdomadaire")
    no_sideways_scroll(page)
    page.get_by_label("Cours").select_option(label="Mathématiques — 5e A — M. Paul Dupont")
    page.get_by_label("Jour").select_option(label="Mercredi")
    page.get_by_label("Début").fill("14:00")
    page.get_by_label("Fin").fill("15:00")
    page.get_by_label("Salle (facultatif)").select_option(label="B12")
    page.get_by_label("À partir du").fill(monday.isoformat())
    with follow(page):
        page.get_by_role("button", name="Ajouter le cours").click()
    expect(page.get_by_text("Le cours hebdomadaire est ajouté.")).to_be_visible()
    expect(page.get_by_role("heading", level=1)).to_contain_text("5e A")
    day = page.locator(f"#day-{wednesday.isoformat()}").locator("xpath=..")
    added = day.locator(".lesson").filter(has_text="Mathématiques")
    expect(added).to_have_count(1)
    expect(added).to_contain_text("14:00")
    expect(added).to_contain_text("B12")
    no_sideways_scroll(page)


def test_the_lesson_edit_page_and_the_rooms_page_fit_a_phone(page, timetable):
    """nadia.petit opens a weekly lesson's page from the grid, then the rooms page: axe-core, no sideways scroll."""
    page.set_viewport_size(PHONE)
    log_in(page, "nadia.petit")
    visit(page, "/emploi-du-temps/")
    with follow(page):
        page.get_by_role("link", name="5e A", exact=True).click()
    with follow(page):
        page.get_by_role("link", name="Modifier le cours hebdomadaire de Mathématiques").first.click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Modifier le cours hebdomadaire")
    expect(page.get_by_role("heading", name="Terminer ce cours hebdomadaire")).to_be_visible()
    no_sideways_scroll(page)
    visit(page, "/emploi-du-temps/salles/")
    expect(page.get_by_role("heading", level=1)).to_have_text("Salles")
    page.get_by_text("Renommer").first.click()
    no_sideways_scroll(page)
