"""Each role's dashboard in Chromium at 360 px and 1366 px: what matters today first, « Mon profil » last;
the ENT administrator's tasks lead to her pages; a parent finds the maths teacher in the annuaire and the
picker and writes to him. axe-core checks every page."""

from __future__ import annotations

import re

import pytest
from playwright.sync_api import expect

from tests.support.browser import follow, log_in, visit
from tests.support.phone import DESKTOP, PHONE

pytestmark = pytest.mark.browser
SIZES = {"phone": PHONE, "desktop": DESKTOP}

FIRST = {
    "nadia.petit": "Justifications à traiter",
    "paul.dupont": "Copies à corriger",
    "julie.moreau": "Administration de l'établissement",
    "admin.region": "Administration régionale",
}


def _fits(page) -> None:
    assert page.evaluate("document.documentElement.scrollWidth <= window.innerWidth + 1"), page.url


@pytest.mark.parametrize("size", SIZES)
def test_each_role_sees_its_day_first_and_its_profile_last(page, school, size):
    """The first widget of each role's dashboard is its work of the day; « Mon profil » closes the page."""
    page.set_viewport_size(SIZES[size])
    for username, title in FIRST.items():
        page.context.clear_cookies()
        log_in(page, username)
        headings = page.locator(".widget > h2")
        expect(headings.first).to_have_text(title)
        expect(headings.last).to_have_text("Mon profil")
        _fits(page)


@pytest.mark.parametrize("size", SIZES)
def test_the_ent_administrator_goes_from_her_tasks_to_the_accounts_and_the_rules(page, school, size):
    """julie.moreau follows « 1 compte à activer » to the list (Zoé Fontaine, zoe.fontaine), gives Zoé a
    code, and reaches the communication rules from her menu."""
    page.set_viewport_size(SIZES[size])
    log_in(page, "julie.moreau")
    tasks = page.get_by_role("region", name="Administration de l'établissement")
    with follow(page):
        tasks.get_by_role("link", name="1 compte à activer").click()
    expect(page.get_by_role("heading", level=1)).to_contain_text("Comptes à activer")
    expect(page.get_by_role("cell", name="zoe.fontaine")).to_be_visible()
    _fits(page)
    with follow(page):
        page.get_by_role("button", name="Donner un code — Zoé Fontaine").click()
    expect(page.locator(".activation-code")).to_have_text(re.compile(r"^[A-Z0-9]{4}-[A-Z0-9]{4}-[A-Z0-9]{4}$"))
    _fits(page)
    menu = page.get_by_role("navigation", name="Menu principal")
    if size == "phone" and not menu.get_by_role("link", name="Règles de communication").is_visible():
        page.locator(".menu-toggle > summary").click()  # the phone's « Menu » button
    with follow(page):
        menu.get_by_role("link", name="Règles de communication").click()
    expect(page.get_by_role("heading", level=1)).to_contain_text("Règles de communication")


@pytest.mark.parametrize("size", SIZES)
def test_a_parent_finds_the_maths_teacher_and_writes_to_him(page, school, size):
    """claire.martin types « maths » in the annuaire: Paul Dupont, « Mathématiques — 5e A », and « Écrire »
    opens the form with him ticked; the picker finds him by « mathématiques » too."""
    page.set_viewport_size(SIZES[size])
    log_in(page, "claire.martin")
    visit(page, "/annuaire/?q=maths")
    row = page.get_by_role("row").filter(has_text="Paul Dupont")
    expect(row).to_contain_text("Mathématiques — 5e A")
    expect(page.get_by_role("row").filter(has_text="Sophie Bernard")).to_have_count(0)
    with follow(page):
        row.get_by_role("link", name="Écrire").click()
    expect(page.get_by_role("checkbox", name="Paul Dupont", exact=False)).to_be_checked()
    _fits(page)
    page.get_by_label("Chercher une personne ou un groupe").fill("mathématiques")
    found = page.locator("#picker li").filter(has_text="Mathématiques — 2nde GT 1, 5e A")
    expect(found.first).to_be_visible()
    _fits(page)
