"""Changing a password and resetting a forgotten one by e-mail, in Chromium."""

import re

import pytest
from playwright.sync_api import expect

from tests.support.browser import follow, log_in, visit

pytestmark = pytest.mark.browser

NEW_PASSWORD = "trois chats gris sur un toit"


def test_a_signed_in_person_changes_her_password_and_signs_in_with_it(page):
    """Nadia changes her password from the header link; the new one then opens her account."""
    log_in(page, "nadia.petit")
    with follow(page):
        page.get_by_role("link", name="Mot de passe", exact=True).click()
    page.get_by_label("Mot de passe actuel", exact=True).fill("demo")
    page.get_by_label("Nouveau mot de passe", exact=True).fill(NEW_PASSWORD)
    page.get_by_label("Confirmation du nouveau mot de passe", exact=True).fill(NEW_PASSWORD)
    with follow(page):
        page.get_by_role("button", name="Changer le mot de passe").click()
    expect(page.get_by_text("Votre mot de passe a été changé.")).to_be_visible()

    with follow(page):
        page.get_by_role("button", name="Se déconnecter").click()
    log_in(page, "nadia.petit", password=NEW_PASSWORD)
    expect(page.locator(".who-name")).to_have_text("Nadia Petit")


def test_a_wrong_current_password_is_refused_in_french(page):
    """A wrong current password keeps the person on the page with an alert."""
    log_in(page, "nadia.petit")
    visit(page, "/comptes/mot-de-passe/")
    page.get_by_label("Mot de passe actuel", exact=True).fill("pas le bon")
    page.get_by_label("Nouveau mot de passe", exact=True).fill(NEW_PASSWORD)
    page.get_by_label("Confirmation du nouveau mot de passe", exact=True).fill(NEW_PASSWORD)
    with follow(page):
        page.get_by_role("button", name="Changer le mot de passe").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Changer mon mot de passe")
    expect(page.get_by_role("alert")).to_be_visible()


def test_a_forgotten_password_is_reset_through_the_emailed_link(page, live_server, mailoutbox):
    """Marc asks for a link, opens it from the e-mail, chooses a password and signs in with it."""
    visit(page, "/comptes/connexion/")
    with follow(page):
        page.get_by_role("link", name="Mot de passe oublié ?").click()
    page.get_by_label("Adresse électronique", exact=True).fill("marc.leroy@example.org")
    with follow(page):
        page.get_by_role("button", name="Recevoir le lien").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Vérifiez votre messagerie")

    assert len(mailoutbox) == 1
    link = re.search(r"/comptes/mot-de-passe-oublie/\S+/", mailoutbox[0].body)
    assert link, mailoutbox[0].body
    visit(page, link.group(0))
    expect(page.get_by_role("heading", level=1)).to_have_text("Choisir un nouveau mot de passe")
    page.get_by_label("Nouveau mot de passe", exact=True).fill(NEW_PASSWORD)
    page.get_by_label("Confirmation du nouveau mot de passe", exact=True).fill(NEW_PASSWORD)
    with follow(page):
        page.get_by_role("button", name="Enregistrer le mot de passe").click()
    assert page.url.startswith(live_server.url + "/comptes/connexion/")
    expect(page.get_by_text("Votre mot de passe a été changé.")).to_be_visible()

    log_in(page, "marc.leroy", password=NEW_PASSWORD)
    expect(page.locator(".who-name")).to_have_text("Marc Leroy")
    visit(page, link.group(0))
    expect(page.get_by_role("heading", level=1)).to_have_text("Lien non valable")
