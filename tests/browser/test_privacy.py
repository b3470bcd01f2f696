"""« Mes données personnelles » in Chromium at 360 px: who read Lucas's data, his archive with its progress,
and « Se déconnecter partout » from a second browser (axe-core on every page)."""

import io
import re
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
    visit(page, "/mes-donnees/registre-des-traitements/")  # public: the register of processing activities
    expect(page.get_by_role("heading", level=1)).to_have_text("Registre des traitements")
    assert_no_sideways_scroll(page)
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


def test_a_request_from_submission_to_reply(page, school):
    """claire.martin asks, on her phone, for Lucas's data to be corrected; marc.leroy finds it in his queue
    and refuses it with his reasons; claire reads the answer and the right to complain to the CNIL."""
    page.set_viewport_size(PHONE)
    log_in(page, "claire.martin")
    visit(page, "/mes-donnees/demandes/")
    page.get_by_label("Pour qui").select_option(label="Lucas Martin")
    page.get_by_label("Ce que vous demandez").select_option(label="Rectification (art. 16)")
    page.get_by_label("Votre demande").fill("Sa date de naissance est fausse.")
    with follow(page):
        page.get_by_role("button", name="Envoyer la demande").click()
    expect(page.get_by_text("Votre demande est envoyée")).to_be_visible()
    assert_no_sideways_scroll(page)

    page.context.clear_cookies()
    page.set_viewport_size({"width": 1280, "height": 800})
    log_in(page, "marc.leroy")
    visit(page, "/mes-donnees/demandes/a-traiter/")
    with follow(page):
        page.get_by_role("link", name="Rectification (art. 16)").click()
    page.get_by_label(re.compile(r"^Réponse\b")).select_option(label="Refusée")
    page.get_by_label("Message à la personne (les raisons d'un refus)").fill("La date est celle de l'état civil.")
    with follow(page):
        page.get_by_role("button", name="Envoyer la réponse").click()
    expect(page.get_by_text("La réponse est envoyée à la personne.")).to_be_visible()

    page.context.clear_cookies()
    page.set_viewport_size(PHONE)
    log_in(page, "claire.martin")
    visit(page, "/mes-donnees/demandes/")
    with follow(page):
        page.get_by_role("link", name="Rectification (art. 16) — Lucas Martin").click()
    expect(page.get_by_text("La date est celle de l'état civil.")).to_be_visible()
    expect(page.get_by_text("réclamation auprès de la CNIL")).to_be_visible()
    assert_no_sideways_scroll(page)


def test_a_granted_limitation_then_the_dpos_dry_run(page, school):
    """claire.martin asks for Lucas's processing to be limited; marc.leroy grants it; on her phone her page
    says « Traitement limité »; admin.region reads the retention rules' dry run at 360 px."""
    page.set_viewport_size(PHONE)
    log_in(page, "claire.martin")
    visit(page, "/mes-donnees/demandes/")
    page.get_by_label("Pour qui").select_option(label="Lucas Martin")
    page.get_by_label("Ce que vous demandez").select_option(label="Limitation du traitement (art. 18)")
    page.get_by_label("Votre demande").fill("Gardez ses absences le temps du recours.")
    with follow(page):
        page.get_by_role("button", name="Envoyer la demande").click()

    page.context.clear_cookies()
    page.set_viewport_size({"width": 1280, "height": 800})
    log_in(page, "marc.leroy")
    visit(page, "/mes-donnees/demandes/a-traiter/")
    with follow(page):
        page.get_by_role("link", name="Limitation du traitement (art. 18)").click()
    page.get_by_label(re.compile(r"^Réponse\b")).select_option(label="Accordée")
    with follow(page):
        page.get_by_role("button", name="Envoyer la réponse").click()

    page.context.clear_cookies()
    page.set_viewport_size(PHONE)
    log_in(page, "claire.martin")
    visit(page, "/mes-donnees/")
    expect(page.get_by_text("Traitement limité depuis le")).to_be_visible()
    assert_no_sideways_scroll(page)

    page.context.clear_cookies()
    log_in(page, "admin.region")
    visit(page, "/mes-donnees/")
    with follow(page):
        page.get_by_role("link", name="Durées de conservation : ce qui sera effacé").click()
    expect(page.get_by_role("cell", name="Absences")).to_be_visible()
    assert_no_sideways_scroll(page)
