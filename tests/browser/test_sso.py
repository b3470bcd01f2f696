"""Applications in Chromium at 360 px: the ENT administrator registers a CAS service for the collège through
the form, lucas.martin finds its tile on « Applications »; axe-core checks every page."""

from __future__ import annotations

import pytest
from playwright.sync_api import expect

from tests.support.browser import follow, log_in, visit
from tests.support.phone import PHONE, assert_no_sideways_scroll

pytestmark = pytest.mark.browser


def test_the_ent_admin_registers_a_service_and_lucas_finds_its_tile(page, school):
    page.set_viewport_size(PHONE)
    log_in(page, "julie.moreau")
    visit(page, "/applications/gerer/nouvelle/")
    assert_no_sideways_scroll(page)
    page.get_by_label("Nom").fill("Cahier de liaison")
    page.get_by_label("Adresse d'accès").fill("https://liaison.example.fr/")
    page.get_by_label("Adresses du service (CAS)").fill("http://liaison.example.fr/")
    page.get_by_label("Élève").check()
    with follow(page):
        page.get_by_role("button", name="Enregistrer").click()
    expect(page.get_by_text("chaque adresse doit commencer par https://")).to_be_visible()
    expect(page.get_by_label("Nom")).to_have_value("Cahier de liaison")  # nothing typed is lost
    page.get_by_label("Adresses du service (CAS)").fill("https://liaison.example.fr/")
    with follow(page):
        page.get_by_role("button", name="Enregistrer").click()
    expect(page.get_by_role("link", name="Cahier de liaison")).to_be_visible()
    assert_no_sideways_scroll(page)
    page.context.clear_cookies()
    log_in(page, "lucas.martin")
    visit(page, "/applications/")
    expect(page.get_by_role("button", name="Cahier de liaison")).to_be_visible()
    assert_no_sideways_scroll(page)
