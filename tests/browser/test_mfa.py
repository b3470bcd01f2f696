"""The staff second factor in Chromium at 360 px: paul.dupont enrols (the key, then the recovery codes shown
once), then signs in again with a code computed from the secret; axe-core checks every page."""

from __future__ import annotations

import pytest
from django_otp.oath import TOTP
from django_otp.plugins.otp_totp.models import TOTPDevice
from playwright.sync_api import expect

from tests.support.browser import PASSWORD, follow, log_in, visit
from tests.support.phone import PHONE, assert_no_sideways_scroll

pytestmark = pytest.mark.browser


def test_a_teacher_enrols_then_gives_a_code_after_the_password(page, school):
    page.set_viewport_size(PHONE)
    log_in(page, "paul.dupont")
    visit(page, "/comptes/securite/")
    with follow(page):
        page.get_by_role("button", name="Enregistrer une application d'authentification").click()
    assert_no_sideways_scroll(page)
    device = TOTPDevice.objects.get(user=school["paul.dupont"])
    page.get_by_label("Code").fill(f"{TOTP(device.bin_key).token():06d}")
    with follow(page):
        page.get_by_role("button", name="Confirmer").click()
    expect(page.get_by_role("heading", name="Vos codes de secours")).to_be_visible()
    expect(page.locator(".mfa-codes li")).to_have_count(10)
    assert_no_sideways_scroll(page)
    page.context.clear_cookies()
    visit(page, "/comptes/connexion/")
    page.get_by_label("Identifiant", exact=True).fill("paul.dupont")
    page.get_by_label("Mot de passe", exact=True).fill(PASSWORD)
    with follow(page):
        page.get_by_role("button", name="Se connecter").click()
    expect(page.get_by_role("heading", name="Vérification en deux étapes")).to_be_visible()
    assert_no_sideways_scroll(page)
    page.get_by_label("Code").fill(f"{TOTP(device.bin_key, drift=1).token():06d}")
    with follow(page):
        page.get_by_role("button", name="Valider").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Bonjour Paul")
