"""EduConnect in Chromium at 360 px: the login page's button, then pysaml2's IdP answering the browser's own
AuthnRequest with the auto-posting form EduConnect shows (its no-script button here): « Compte introuvable »
for an unknown identity, the dashboard for a student; axe-core checks every page."""

from __future__ import annotations

import html

import pytest
from django.test import override_settings
from playwright.sync_api import expect

from cartable.directory.models import ExternalIdentifier
from tests.support.browser import assert_accessible, follow, visit
from tests.support.phone import PHONE, assert_no_sideways_scroll
from tests.support.saml import SKIP_REASON, XMLSEC, SamlWorld

pytestmark = [pytest.mark.browser, pytest.mark.skipif(not XMLSEC, reason=SKIP_REASON)]

FORM = """<!doctype html><html lang="fr"><head><title>ÉduConnect</title></head><body><main><h1>ÉduConnect</h1>
<form method="post" action="{acs}"><input type="hidden" name="SAMLResponse" value="{response}">
<button type="submit">Continuer</button></form></main></body></html>"""


@pytest.fixture
def world():
    made = SamlWorld.make()
    with override_settings(CARTABLE_SAML=made.settings):
        yield made
    made.remove()


def through_educonnect(page, world, live_server, attributes) -> None:
    """The browser's AuthnRequest (its cookie kept in the context), answered by the IdP, posted back."""
    started = page.context.request.get(f"{live_server.url}/educonnect/connexion/", max_redirects=0)
    assert started.status == 302
    answer = world.idp.answer(started.headers["location"], attributes)
    page.set_content(FORM.format(acs=f"{live_server.url}/educonnect/acs/", response=html.escape(answer)))
    assert_accessible(page)
    with follow(page):
        page.get_by_role("button", name="Continuer").click()


def test_an_unknown_identity_then_a_student_through_educonnect(page, school, world, live_server):
    lucas = school.people["lucas.martin"]
    ExternalIdentifier.objects.create(person=lucas, source=ExternalIdentifier.Source.AAF, value="8300001")
    page.set_viewport_size(PHONE)
    visit(page, "/comptes/connexion/")
    expect(page.get_by_role("link", name="Se connecter avec ÉduConnect")).to_be_visible()
    assert_no_sideways_scroll(page)
    unknown = {"FrEduCtId": ["ec-x"], "FrEduCtRefId": ["{AAF}9999999"], "FrEduVecteur": ["4|A|B|9|X"]}
    through_educonnect(page, world, live_server, unknown)
    expect(page.get_by_role("heading", name="Compte introuvable")).to_be_visible()
    expect(page.get_by_text("contactez le secrétariat de votre établissement")).to_be_visible()
    assert_no_sideways_scroll(page)
    known = {"FrEduCtId": ["ec-lucas"], "FrEduCtRefId": ["{AAF}8300001"], "FrEduVecteur": ["4|A|B|8300001|X"]}
    through_educonnect(page, world, live_server, known)
    assert page.url == f"{live_server.url}/"
    expect(page.get_by_text("Lucas").first).to_be_visible()
