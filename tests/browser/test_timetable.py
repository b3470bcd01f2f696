"""The timetable in Chromium: lucas.martin's week on a phone and on a desktop, and a CPE cancelling a lesson."""

import pytest
from playwright.sync_api import expect

from cartable.timetable.queries import default_monday
from tests.support.browser import SCREENSHOTS, follow, log_in, visit
from tests.support.phone import PHONE
from tests.support.timetable import build_timetable

pytestmark = pytest.mark.browser

DESKTOP = {"width": 1280, "height": 800}


@pytest.fixture
def timetable(school):
    return build_timetable(school)


def day_boxes(page):
    return [box for box in (s.bounding_box() for s in page.locator(".week-grid .day").all()) if box]


def test_lucas_reads_his_week_on_a_phone_and_on_a_desktop(page, timetable):
    """At 360 px the days follow each other with no sideways scroll; at 1280 px they stand side by side."""
    SCREENSHOTS.mkdir(parents=True, exist_ok=True)
    log_in(page, "lucas.martin")
    page.set_viewport_size(PHONE)
    visit(page, "/emploi-du-temps/")
    expect(page.get_by_role("heading", level=1)).to_have_text("Mon emploi du temps")
    expect(page.get_by_role("heading", level=3).first).to_be_visible()
    expect(page.locator(".lesson").filter(has_text="Mathématiques").first).to_be_visible()
    assert page.evaluate("document.documentElement.scrollWidth") <= PHONE["width"]
    boxes = day_boxes(page)
    assert len(boxes) >= 5 and boxes[1]["y"] > boxes[0]["y"], "on a phone the days are stacked"
    page.screenshot(path=str(SCREENSHOTS / "timetable-360.png"), full_page=True)

    page.set_viewport_size(DESKTOP)
    visit(page, "/emploi-du-temps/")
    boxes = day_boxes(page)
    assert boxes[1]["y"] == boxes[0]["y"] and boxes[1]["x"] > boxes[0]["x"], "on a desktop the days are columns"
    page.screenshot(path=str(SCREENSHOTS / "timetable-1280.png"), full_page=True)

    with follow(page):
        page.get_by_role("link", name="Semaine suivante").click()
    expect(page.locator(".week-label")).to_be_visible()


def test_a_cpe_cancels_a_lesson_from_the_class_grid(page, timetable):
    """nadia.petit opens 5e A's week, cancels Monday's maths, and the grid then says "Annulé"."""
    log_in(page, "nadia.petit")
    visit(page, "/emploi-du-temps/")
    with follow(page):
        page.get_by_role("link", name="5e A", exact=True).click()
    expect(page.get_by_role("heading", level=1)).to_contain_text("5e A")
    monday = page.locator(f"#day-{default_monday().isoformat()}").locator("xpath=..")
    with follow(page):
        monday.get_by_role("link", name="Modifier le cours de Mathématiques").first.click()
    page.get_by_label("Annuler le cours").check()
    page.get_by_label("Précision (facultatif)").fill("Conseil pédagogique")
    with follow(page):
        page.get_by_role("button", name="Enregistrer la modification").click()
    expect(page.get_by_text("La modification du cours est enregistrée.")).to_be_visible()
    cancelled = page.locator(".lesson-cancelled")
    expect(cancelled).to_have_count(1)
    expect(cancelled).to_contain_text("Annulé")
    expect(cancelled).to_contain_text("Conseil pédagogique")


def test_the_principal_simulates_then_imports_an_edt_export_on_a_phone(page, school, tmp_path):
    """marc.leroy uploads EDT's export at 360 px: the simulation's report lists the lessons it would create,
    then the import writes them and the history lists both runs; axe-core checks every page."""
    from cartable.timetable.models import Slot, TimetableImport
    from tests.support.phone import assert_no_sideways_scroll
    from tests.support.timetable_exports import edt_xml

    export = tmp_path / "EXP_COURS.xml"
    export.write_bytes(edt_xml())
    page.set_viewport_size(PHONE)
    log_in(page, "marc.leroy")
    visit(page, "/emploi-du-temps/import/")
    heading = page.get_by_role("heading", level=1)
    expect(heading).to_have_text("Importer un emploi du temps")
    assert heading.bounding_box()["y"] < PHONE["height"], "the form's heading is on the first screen"
    page.get_by_label("Fichier", exact=True).set_input_files(str(export))
    expect(page.get_by_label("Simuler seulement : montrer ce qui changerait, sans rien écrire")).to_be_checked()
    with follow(page):
        page.get_by_role("button", name="Vérifier et importer").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Rapport d'import de l'emploi du temps")
    expect(page.get_by_role("heading", name="Ce qui changerait")).to_be_visible()
    expect(page.get_by_text("+ lundi 08:00–09:00, Mathématiques — 5e A — M. Paul Dupont, salle B12")).to_be_visible()
    expect(page.get_by_role("row", name="Cours hebdomadaires 5 0 0 0")).to_be_visible()
    assert_no_sideways_scroll(page)
    assert not Slot.objects.filter(fed_by="edt").exists()
    with follow(page):
        page.get_by_role("link", name="← Importer un emploi du temps").click()
    page.get_by_label("Fichier", exact=True).set_input_files(str(export))
    page.get_by_label("Simuler seulement : montrer ce qui changerait, sans rien écrire").uncheck()
    with follow(page):
        page.get_by_role("button", name="Vérifier et importer").click()
    expect(page.get_by_text("L'emploi du temps est importé.")).to_be_visible()
    assert Slot.objects.filter(fed_by="edt").count() == 5
    visit(page, "/emploi-du-temps/import/")
    expect(
        page.get_by_role("table", name="Les dix derniers imports, du plus récent au plus ancien").get_by_role("link")
    ).to_have_count(2)
    assert TimetableImport.objects.count() == 2
    assert_no_sideways_scroll(page)
