"""First sign-in of a provisioned account: code, password, charters, dashboard, in Chromium."""

import pytest
from playwright.sync_api import expect

from cartable.accounts import actions
from cartable.accounts.models import Charter
from cartable.directory.actor import Actor
from tests.support.browser import expect_identity, follow, visit

pytestmark = pytest.mark.browser

NEW_PASSWORD = "une phrase de passe bien longue"


@pytest.fixture
def code(school):
    """Zoé Fontaine's activation code, and the usage charter and privacy notice she must accept."""
    admin = Actor(school["admin.region"])
    for kind, title in [(Charter.Kind.USAGE, "Charte d'utilisation"), (Charter.Kind.PRIVACY, "Confidentialité")]:
        actions.publish_charter(actor=admin, kind=kind, title=title, body=f"Le texte : {title}.")
    return actions.issue_activation_code(actor=admin, user=school["zoe.fontaine"])


def enter_code(page, username: str, code: str) -> None:
    visit(page, "/comptes/activation/")
    page.get_by_label("Identifiant", exact=True).fill(username)
    page.get_by_label("Code d'activation", exact=True).fill(code)
    with follow(page):
        page.get_by_role("button", name="Continuer").click()


def test_a_provisioned_student_activates_her_account_and_lands_on_her_dashboard(page, live_server, code):
    """Zoé enters her code, chooses a passphrase, accepts both charters and sees her dashboard."""
    visit(page, "/comptes/connexion/")
    with follow(page):
        page.get_by_role("link", name="Première connexion : activer mon compte").click()
    page.get_by_label("Identifiant", exact=True).fill("zoe.fontaine")
    page.get_by_label("Code d'activation", exact=True).fill(code)
    with follow(page):
        page.get_by_role("button", name="Continuer").click()

    expect(page.get_by_role("heading", level=1)).to_have_text("Choisir mon mot de passe")
    page.get_by_label("Nouveau mot de passe", exact=True).fill(NEW_PASSWORD)
    page.get_by_label("Confirmation du nouveau mot de passe", exact=True).fill(NEW_PASSWORD)
    with follow(page):
        page.get_by_role("button", name="Activer mon compte").click()

    assert page.url.startswith(live_server.url + "/comptes/chartes/")
    expect(page.get_by_text("Votre compte est activé. Bienvenue !")).to_be_visible()
    page.get_by_label("J'ai lu et j'accepte : Charte d'utilisation").check()
    page.get_by_label("J'ai lu et j'accepte : Confidentialité").check()
    with follow(page):
        page.get_by_role("button", name="Accepter et continuer").click()

    assert page.url == live_server.url + "/"
    expect_identity(page, name="Zoé Fontaine", role="Élève", establishment="Collège Louis Pasteur")
    expect(page.get_by_text("Bienvenue sur Cartable")).to_be_visible()


def test_the_charters_must_all_be_accepted_before_going_on(page, live_server, code):
    """Accepting only one of the two texts keeps Zoé on the charter page with a French message."""
    enter_code(page, "zoe.fontaine", code)
    page.get_by_label("Nouveau mot de passe", exact=True).fill(NEW_PASSWORD)
    page.get_by_label("Confirmation du nouveau mot de passe", exact=True).fill(NEW_PASSWORD)
    with follow(page):
        page.get_by_role("button", name="Activer mon compte").click()
    page.get_by_label("J'ai lu et j'accepte : Charte d'utilisation").check()
    with follow(page):
        page.get_by_role("button", name="Accepter et continuer").click()
    assert page.url.startswith(live_server.url + "/comptes/chartes/")
    expect(page.get_by_role("alert")).to_have_text("Vous devez accepter chacun des textes pour continuer.")


def test_a_wrong_code_answers_in_french_and_keeps_the_login(page, code):
    """A mistyped code gets a French message on the same page, with the login still typed."""
    enter_code(page, "zoe.fontaine", "AAAA-BBBB-CCCC")
    expect(page.get_by_role("heading", level=1)).to_have_text("Activer mon compte")
    expect(page.get_by_role("alert")).to_be_visible()
    expect(page.get_by_label("Identifiant", exact=True)).to_have_value("zoe.fontaine")


def test_a_weak_password_is_refused_with_a_french_message(page, code):
    """A short password is refused on the password page, which stays open for another try."""
    enter_code(page, "zoe.fontaine", code)
    page.get_by_label("Nouveau mot de passe", exact=True).fill("court")
    page.get_by_label("Confirmation du nouveau mot de passe", exact=True).fill("court")
    with follow(page):
        page.get_by_role("button", name="Activer mon compte").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Choisir mon mot de passe")
    expect(page.get_by_role("alert")).to_contain_text("12")
