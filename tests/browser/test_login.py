"""Signing in through the real login form, in Chromium."""

import pytest
from playwright.sync_api import expect

from tests.support.browser import expect_identity, follow, log_in, visit

pytestmark = pytest.mark.browser

COLLEGE = "Collège Louis Pasteur"


@pytest.mark.parametrize(
    ("username", "name", "role", "establishment"),
    [
        ("lucas.martin", "Lucas Martin", "Élève", COLLEGE),
        ("claire.martin", "Claire Martin", "Responsable légale", COLLEGE),
        ("paul.dupont", "Paul Dupont", "Enseignant", COLLEGE),
        ("sophie.bernard", "Sophie Bernard", "Enseignante", COLLEGE),
        ("nadia.petit", "Nadia Petit", "Vie scolaire", COLLEGE),
        ("marc.leroy", "Marc Leroy", "Direction", COLLEGE),
        ("julie.moreau", "Julie Moreau", "Administratrice ENT", COLLEGE),
        ("admin.region", "Alice Régnier", "Administratrice régionale", ""),
    ],
)
def test_each_persona_signs_in_and_lands_on_their_dashboard(page, live_server, username, name, role, establishment):
    """Each persona signs in with the login form and sees their name, role and establishment."""
    log_in(page, username)
    assert page.url == live_server.url + "/"
    expect(page.get_by_role("heading", level=1)).to_have_text(f"Bonjour {name.split()[0]}")
    expect_identity(page, name=name, role=role, establishment=establishment)
    expect(page.get_by_role("navigation", name="Menu principal")).to_be_visible()


def test_a_wrong_password_shows_a_french_error_and_keeps_the_login(page, live_server):
    """A wrong password answers in French on the login page, with the login still typed."""
    log_in(page, "lucas.martin", password="pas-le-bon")
    assert page.url.startswith(live_server.url + "/comptes/connexion/")
    expect(page.get_by_role("alert")).to_have_text("Identifiant ou mot de passe incorrect.")
    expect(page.get_by_label("Identifiant", exact=True)).to_have_value("lucas.martin")
    expect(page.get_by_label("Mot de passe", exact=True)).to_have_value("")


def test_signing_out_returns_to_the_login_page(page, live_server):
    """The header's sign-out button ends the session; the dashboard then asks to sign in again."""
    log_in(page, "nadia.petit")
    with follow(page):
        page.get_by_role("button", name="Se déconnecter").click()
    assert page.url.startswith(live_server.url + "/comptes/connexion/")
    visit(page, "/")
    assert page.url.startswith(live_server.url + "/comptes/connexion/?next=/")


def test_the_demo_login_page_lists_the_personas_and_fits_a_phone(page, settings):
    """In demo mode the login page lists the demo logins and their password, readable at 360 px."""
    settings.DEMO = True
    page.set_viewport_size({"width": 360, "height": 740})
    visit(page, "/comptes/connexion/")
    hint = page.get_by_role("complementary", name="Comptes de démonstration")
    expect(hint).to_contain_text("Mot de passe pour tous : demo")
    for username in ["lucas.martin", "claire.martin", "paul.dupont", "admin.region"]:
        expect(hint.get_by_text(username, exact=True)).to_be_visible()
    assert page.evaluate("document.documentElement.scrollWidth") <= 360


def test_a_visitor_reads_the_login_page_in_english_and_signs_in(page):
    """The login page's language switcher turns it to English, and the dashboard follows."""
    visit(page, "/comptes/connexion/")
    page.get_by_label("Langue / Language").select_option(label="English")
    with follow(page):
        page.get_by_role("button", name="Changer de langue").click()
    expect(page.locator("html")).to_have_attribute("lang", "en")
    expect(page.get_by_role("heading", level=1)).to_have_text("Sign in")
    page.get_by_label("Username", exact=True).fill("lucas.martin")
    page.get_by_label("Password", exact=True).fill("demo")
    with follow(page):
        page.get_by_role("button", name="Sign in").click()
    expect(page.locator(".who-name")).to_have_text("Lucas Martin")
    expect(page.get_by_role("heading", level=1)).to_have_text("Hello Lucas")
