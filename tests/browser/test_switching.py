"""Switching role, establishment and child with the header's switchers, in Chromium."""

import pytest
from playwright.sync_api import expect

from tests.support.browser import expect_identity, follow, log_in

pytestmark = pytest.mark.browser

COLLEGE = "Collège Louis Pasteur"
LYCEE = "Lycée agricole de Metz-Courcelles"


def switch(page, label: str, option: str) -> None:
    """Choose ``option`` in the header switcher labelled ``label`` (the form sends itself)."""
    with follow(page):
        page.get_by_label(label, exact=True).select_option(label=option)


def test_a_teacher_who_is_also_a_parent_switches_between_her_roles(page):
    """Sophie Bernard acts as a teacher, switches to guardian of Léa, then back to teacher."""
    log_in(page, "sophie.bernard")
    expect_identity(page, name="Sophie Bernard", role="Enseignante", establishment=COLLEGE)

    switch(page, "Rôle", f"Responsable légale — {COLLEGE}")
    expect_identity(page, name="Sophie Bernard", role="Responsable légale", establishment=COLLEGE)
    expect(page.locator(".facts dt:text-is('Enfant suivi') + dd")).to_have_text("Léa Bernard")

    switch(page, "Rôle", f"Enseignante — {COLLEGE}")
    expect_identity(page, name="Sophie Bernard", role="Enseignante", establishment=COLLEGE)
    expect(page.locator(".facts dt:text-is('Enfant suivi')")).to_have_count(0)


def test_a_teacher_of_two_establishments_switches_between_them(page):
    """Paul Dupont teaches at the collège and at the lycée agricole and moves between the two."""
    log_in(page, "paul.dupont")
    expect_identity(page, name="Paul Dupont", role="Enseignant", establishment=COLLEGE)

    switch(page, "Rôle", f"Enseignant — {LYCEE}")
    expect_identity(page, name="Paul Dupont", role="Enseignant", establishment=LYCEE)

    switch(page, "Rôle", f"Enseignant — {COLLEGE}")
    expect_identity(page, name="Paul Dupont", role="Enseignant", establishment=COLLEGE)


def test_a_parent_switches_between_her_children_and_their_establishments(page):
    """Claire Martin follows Lucas at the collège, then Emma at the lycée agricole, then Lucas again."""
    log_in(page, "claire.martin")
    expect_identity(page, name="Claire Martin", role="Responsable légale", establishment=COLLEGE)
    child = page.locator(".facts dt:text-is('Enfant suivi') + dd")
    expect(child).to_have_text("Lucas Martin")

    switch(page, "Enfant", "Emma Martin")
    expect(child).to_have_text("Emma Martin")
    expect_identity(page, name="Claire Martin", role="Responsable légale", establishment=LYCEE)
    expect(page.get_by_label("Enfant", exact=True).locator("option:checked")).to_have_text("Emma Martin")

    switch(page, "Enfant", "Lucas Martin")
    expect(child).to_have_text("Lucas Martin")
    expect_identity(page, name="Claire Martin", role="Responsable légale", establishment=COLLEGE)


def test_the_switcher_button_sends_the_choice_for_browsers_without_javascript(page):
    """The switcher's own button sends the choice, as it does when JavaScript is off."""
    log_in(page, "paul.dupont")
    select = page.get_by_label("Rôle", exact=True)
    lycee = select.locator("option", has_text=LYCEE).get_attribute("value")
    select.evaluate("(element, value) => { element.value = value; }", lycee)  # no change event
    with follow(page):
        page.get_by_role("button", name="Changer").click()
    expect_identity(page, name="Paul Dupont", role="Enseignant", establishment=LYCEE)
