"""« Mes données personnelles » in Chromium at 360 px: who read Lucas's data, his archive with its progress,
and « Se déconnecter partout » from a second browser (axe-core on every page)."""

import io
import zipfile

import pytest
from playwright.sync_api import expect

from cartable.core import audit
from cartable.directory.actor import Actor
from tests.support.browser import follow, log_in, visit
from tests.support.phone import PHONE, assert_no_sideways_scroll

pytestmark = pytest.mark.browser


def test_claire_sees_who_read_lucas_then_downloads_his_archive(page, school, settings, tmp_path):
    """paul.dupont's reads of Lucas's grades appear in words; the archive's bar fills, the zip downloads."""
    settings.MEDIA_ROOT = str(tmp_path)
    lucas = school["lucas.martin"]
    for _ in range(3):
        audit.record_read(actor=Actor(school["paul.dupont"]), verb="grades.read_student", subject_id=lucas.pk)
    page.set_viewport_size(PHONE)
    log_in(page, "claire.martin")
    visit(page, "/mes-donnees/")
    with follow(page):
        page.get_by_role("link", name="Les données de Lucas Martin").click()
    reader = page.locator(".readers li.card", has_text="Paul Dupont")
    expect(reader).to_contain_text("Enseignant")
    expect(reader).to_contain_text("a consulté les notes, 3 fois")
    assert_no_sideways_scroll(page)

    with follow(page):
        page.get_by_role("link", name="Télécharger mes données").click()
    page.get_by_role("button", name="Préparer l'archive des données de Lucas Martin").click()
    archive = page.locator("#archives li.card", has_text="Lucas Martin")
    expect(archive.get_by_role("status")).to_contain_text("Prête")
    bar = archive.locator("progress")
    expect(bar).to_have_attribute("value", bar.get_attribute("max") or "")
    assert_no_sideways_scroll(page)
    with page.expect_download() as download:
        archive.get_by_role("button", name="Télécharger l'archive").click()
    with open(download.value.path(), "rb") as handle:
        names = zipfile.ZipFile(io.BytesIO(handle.read())).namelist()
    assert "LISEZMOI.md" in names and "donnees/directory.user.json" in names


def test_sign_out_everywhere_else_from_a_second_browser(page, browser, live_server):
    """claire.martin, signed in on two browsers, ends the other one from her phone: it is signed out."""
    log_in(page, "claire.martin")
    phone = browser.new_context(base_url=live_server.url, locale="fr-FR", bypass_csp=True, viewport=PHONE)
    try:
        second = phone.new_page()
        log_in(second, "claire.martin")
        visit(second, "/mes-donnees/sessions/")
        expect(second.locator(".sessions li.card")).to_have_count(2)
        expect(second.get_by_text("Cette session", exact=True)).to_have_count(1)
        assert_no_sideways_scroll(second)
        with follow(second):
            second.get_by_role("button", name="Se déconnecter partout ailleurs").click()
        expect(second.get_by_text("1 session fermée.")).to_be_visible()
        expect(second.locator(".sessions li.card")).to_have_count(1)
    finally:
        phone.close()
    with follow(page):
        page.reload()
    expect(page.get_by_role("button", name="Se connecter")).to_be_visible()
