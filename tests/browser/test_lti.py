"""LTI tools in Chromium: the principal registers a tool at 360 px (a bad address refused in French, nothing
typed lost) and reads the values to give it; lucas.martin finds the activity on « Outils pédagogiques » and,
with the Content Security Policy enforced, his launch goes through Cartable's and the tool's form posts to
pylti1p3, which validates it. axe-core checks every Cartable page."""

from __future__ import annotations

import json

import pytest
from playwright.sync_api import expect

from cartable.directory.actor import Actor
from cartable.lti import actions
from tests.support.browser import follow, log_in, visit
from tests.support.lti import PyLtiTool, register
from tests.support.phone import PHONE, assert_no_sideways_scroll

pytestmark = pytest.mark.browser


def test_the_principal_registers_a_tool_at_360_px(page, school):
    page.set_viewport_size(PHONE)
    log_in(page, "marc.leroy")
    visit(page, "/lti/outils/")
    visit(page, "/lti/outils/nouveau/")
    assert_no_sideways_scroll(page)
    page.get_by_role("textbox", name="Nom", exact=True).fill("Exerciseur")
    page.get_by_label("Adresse d'initiation de connexion").fill("https://outil.example.fr/login")
    page.get_by_label("Adresse de lancement").fill("https://outil.example.fr/launch")
    page.get_by_label("Adresses de redirection").fill("http://outil.example.fr/launch")
    page.get_by_label("Adresse du jeu de clés (JWKS) de l'outil").fill("https://outil.example.fr/jwks")
    with follow(page):
        page.get_by_role("button", name="Enregistrer").click()
    expect(page.get_by_text("chaque adresse doit commencer par https://")).to_be_visible()
    expect(page.get_by_role("textbox", name="Nom", exact=True)).to_have_value("Exerciseur")  # nothing typed is lost
    page.get_by_label("Adresses de redirection").fill("https://outil.example.fr/launch")
    with follow(page):
        page.get_by_role("button", name="Enregistrer").click()
    expect(page.get_by_role("heading", name="Valeurs à donner à l'outil")).to_be_visible()
    expect(page.get_by_text("/lti/auth/")).to_be_visible()
    assert_no_sideways_scroll(page)


def test_lucas_launches_the_activity_under_the_csp_and_pylti1p3_validates_it(
    page, browser, live_server, school, settings
):
    settings.CARTABLE_BASE_URL = live_server.url
    with PyLtiTool() as tool:
        registered = register(tool, school, live_server.url)
        actions.place_link(
            actor=Actor(school.people["paul.dupont"]),
            tool=registered,
            title="Fractions : exercices",
            school_class=school.college.classes["5e A"],
        )
        page.set_viewport_size(PHONE)
        log_in(page, "lucas.martin")
        visit(page, "/lti/")
        assert_no_sideways_scroll(page)
        expect(page.get_by_role("button", name="Fractions : exercices")).to_be_visible()
        # The launch itself, in a context that enforces the CSP (the autopost pages go on by themselves).
        strict = browser.new_context(base_url=live_server.url, locale="fr-FR")
        strict.add_cookies(page.context.cookies())
        launching = strict.new_page()
        blocked: list[str] = []
        launching.on("console", lambda m: "Content Security Policy" in m.text and blocked.append(m.text))
        launching.goto("/lti/")
        with launching.expect_navigation(url=tool.url + "/launch", wait_until="load", timeout=20_000):
            launching.get_by_role("button", name="Fractions : exercices").click()
        landed = json.loads(launching.locator("body").inner_text())
        assert landed["https://purl.imsglobal.org/spec/lti/claim/resource_link"]["title"] == "Fractions : exercices"
        assert not blocked, blocked
        assert len(tool.launches) == 1 and not tool.errors
        strict.close()
