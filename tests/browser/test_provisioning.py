"""Alimentation in Chromium, on a 360 px phone: admin.region uploads an AAF set as a dry-run, reads the
difference's counts, then uploads it zipped for real; the direction prepares and downloads a class's
activation letters; axe-core checks every page."""

from __future__ import annotations

import pytest
from playwright.sync_api import expect

from cartable.directory.models import ExternalIdentifier
from cartable.provisioning.models import LetterBatch
from tests.support import aaf
from tests.support.browser import assert_accessible, follow, log_in, visit
from tests.support.phone import PHONE, assert_no_sideways_scroll

pytestmark = pytest.mark.browser


def test_the_region_simulates_then_imports_a_set_on_a_phone(page, school, tmp_path, settings):
    settings.MEDIA_ROOT = str(tmp_path / "media")
    paths = aaf.write(tmp_path, aaf.complete_set())
    archive = tmp_path / "lot.zip"
    archive.write_bytes(aaf.zipped(aaf.complete_set()))
    page.set_viewport_size(PHONE)
    log_in(page, "admin.region")
    visit(page, "/alimentation/")
    expect(page.get_by_role("heading", name="Importer un lot")).to_be_visible()
    page.get_by_label("Fichiers du lot (AAF, SIECLE ou STS-web)").set_input_files([str(p) for p in paths])
    expect(page.get_by_label("Simulation : afficher les différences sans rien écrire")).to_be_checked()
    with follow(page):
        page.get_by_role("button", name="Lancer l'import").click()
    expect(page.get_by_role("status")).to_have_text("Terminé : Simulé (rien d'écrit).")
    expect(page.get_by_label("Avancement de l'import")).to_have_attribute("value", "100")
    expect(page.get_by_role("row", name="Personnes 10 0 0 0")).to_be_visible()
    assert_no_sideways_scroll(page)
    assert not ExternalIdentifier.objects.filter(issuer=aaf.ACADEMY).exists()
    with follow(page):
        page.get_by_role("link", name="← Tous les imports").click()
    page.get_by_label("Fichiers du lot (AAF, SIECLE ou STS-web)").set_input_files(str(archive))
    page.get_by_label("Simulation : afficher les différences sans rien écrire").uncheck()
    with follow(page):
        page.get_by_role("button", name="Lancer l'import").click()
    expect(page.get_by_role("status")).to_have_text("Terminé : Appliqué.")
    expect(page.get_by_text("Code de fonction inconnu « ZZZ »")).to_be_visible()
    assert ExternalIdentifier.objects.filter(issuer=aaf.ACADEMY).count() == 10
    visit(page, "/alimentation/")
    expect(page.get_by_role("link").filter(has_text=":")).to_have_count(2)
    assert_no_sideways_scroll(page)


def test_the_region_simulates_then_imports_siecle_exports_on_a_phone(page, school, tmp_path, settings):
    """An establishment AAF does not feed: its SIECLE exports go through the same page, recognised by
    content, simulated then imported; the history lists the run as SIECLE."""
    from tests.support import siecle

    settings.MEDIA_ROOT = str(tmp_path / "media")
    siecle.open_college()
    paths = []
    for name, data in siecle.siecle_set():
        (tmp_path / name).write_bytes(data)
        paths.append(str(tmp_path / name))
    page.set_viewport_size(PHONE)
    log_in(page, "admin.region")
    visit(page, "/alimentation/")
    field = page.get_by_label("Fichiers du lot (AAF, SIECLE ou STS-web)")
    field.set_input_files(paths)
    with follow(page):
        page.get_by_role("button", name="Lancer l'import").click()
    expect(page.get_by_role("status")).to_have_text("Terminé : Simulé (rien d'écrit).")
    expect(page.get_by_label("Avancement de l'import")).to_have_attribute("value", "100")
    expect(page.get_by_role("row", name="Personnes 9 0 0 0")).to_be_visible()
    assert_no_sideways_scroll(page)
    assert not ExternalIdentifier.objects.filter(issuer=f"siecle:{siecle.UAI}").exists()
    with follow(page):
        page.get_by_role("link", name="← Tous les imports").click()
    page.get_by_label("Fichiers du lot (AAF, SIECLE ou STS-web)").set_input_files(paths)
    page.get_by_label("Simulation : afficher les différences sans rien écrire").uncheck()
    with follow(page):
        page.get_by_role("button", name="Lancer l'import").click()
    expect(page.get_by_role("status")).to_have_text("Terminé : Appliqué.")
    assert ExternalIdentifier.objects.filter(issuer=f"siecle:{siecle.UAI}").count() == 9
    visit(page, "/alimentation/")
    expect(page.get_by_role("cell", name="SIECLE (élèves, responsables)")).to_have_count(2)
    assert_no_sideways_scroll(page)


def test_the_direction_prepares_and_downloads_a_classs_letters_on_a_phone(page, school, tmp_path, settings):
    """julie.moreau asks for the 5e A's letters; the worker builds them while the bar moves; the page offers
    the PDF, which downloads; axe-core passes before and after."""
    settings.MEDIA_ROOT = str(tmp_path / "media")
    page.set_viewport_size(PHONE)
    log_in(page, "julie.moreau")
    visit(page, "/alimentation/lettres-activation/")
    expect(page.get_by_text("Aucune lettre en préparation.")).to_be_visible()
    page.get_by_role("button", name="Préparer les lettres — 5e A").click()
    expect(page.get_by_role("heading", name="5e A, demandées le")).to_be_visible()
    expect(page.get_by_role("status").filter(has_text="Prêtes, disponibles jusqu'au")).to_be_visible()
    bar = page.get_by_label("Préparation des lettres")
    expect(bar).to_have_attribute("value", bar.get_attribute("max") or "")
    assert_accessible(page)
    assert_no_sideways_scroll(page)
    with page.expect_download() as download:
        page.get_by_role("button", name="Télécharger les lettres de la classe 5e A (PDF)").click()
    saved = tmp_path / "lettres.pdf"
    download.value.save_as(saved)
    assert saved.read_bytes().startswith(b"%PDF")
    assert download.value.suggested_filename == "lettres-activation-5e-a.pdf"
    assert LetterBatch.objects.get().status == LetterBatch.Status.DONE
