"""Alimentation in Chromium, on a 360 px phone: admin.region uploads an AAF set as a dry-run, reads the
difference's counts, then uploads it zipped for real; axe-core checks every page."""

from __future__ import annotations

import pytest
from playwright.sync_api import expect

from cartable.directory.models import ExternalIdentifier
from tests.support import aaf
from tests.support.browser import follow, log_in, visit
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
