"""Mes documents in Chromium: lucas.martin sends files with the picker and by drag and drop on a 360 px phone;
paul.dupont shares a folder with 5e A on a desktop and lucas finds it in « Partagés avec moi ». axe-core
checks every page loaded."""

from __future__ import annotations

import pytest
from PIL import Image
from playwright.sync_api import expect
from reportlab.pdfgen import canvas

from tests.support.browser import follow, log_in, visit
from tests.support.phone import DESKTOP, PHONE, assert_no_sideways_scroll

pytestmark = pytest.mark.browser


def test_files_sent_by_the_picker_and_by_drag_and_drop_on_a_phone(page, school, tmp_path, settings):
    """Two files chosen in the picker, then one dropped on the form, all land in « Mes documents »."""
    settings.MEDIA_ROOT = str(tmp_path / "media")
    page.set_viewport_size(PHONE)
    one, two = tmp_path / "Exposé châteaux.txt", tmp_path / "Plan.txt"
    one.write_text("Les châteaux forts")
    two.write_text("I. Introduction")
    log_in(page, "lucas.martin")
    visit(page, "/documents/")
    expect(page.get_by_text("0 Mo utilisés sur 500 Mo").first).to_be_visible()
    page.get_by_label("Fichiers", exact=True).set_input_files([str(one), str(two)])
    with follow(page):
        page.get_by_role("button", name="Envoyer").click()
    expect(page.get_by_text("Plan.txt est ajouté.")).to_be_visible()
    expect(page.get_by_role("link", name="Exposé châteaux.txt")).to_be_visible()
    drop = page.evaluate_handle(
        "() => { const d = new DataTransfer();"
        " d.items.add(new File(['déposé'], 'Déposé.txt', {type: 'text/plain'})); return d; }"
    )
    with follow(page):
        page.dispatch_event("form[data-dropzone]", "drop", {"dataTransfer": drop})
    expect(page.get_by_role("link", name="Déposé.txt")).to_be_visible()
    assert_no_sideways_scroll(page)
    with follow(page):
        page.get_by_role("link", name="Exposé châteaux.txt").click()
    expect(page.get_by_role("heading", name="Exposé châteaux.txt")).to_be_visible()
    assert_no_sideways_scroll(page)


def test_a_dropped_connection_is_resumed_from_the_servers_offset(page, school, tmp_path, settings):
    """A 7 MiB file goes in two chunks; the connection drops on the first PATCH: the page asks the server's
    offset and goes on, and the whole file arrives."""
    settings.MEDIA_ROOT = str(tmp_path / "media")
    big = tmp_path / "Vidéo de la sortie.txt"
    big.write_bytes(b"sortie\n" * (7 * 1024 * 1024 // 7))
    dropped = []

    def drop_once(route):
        if route.request.method == "PATCH" and not dropped:
            dropped.append(route.request.url)
            route.abort("connectionreset")
        else:
            route.continue_()

    page.route("**/documents/envois/*/", drop_once)
    log_in(page, "lucas.martin")
    visit(page, "/documents/")
    page.get_by_label("Fichiers", exact=True).set_input_files(str(big))
    with follow(page):
        page.get_by_role("button", name="Envoyer").click()
    assert dropped
    expect(page.get_by_role("link", name="Vidéo de la sortie.txt")).to_be_visible()


def test_a_teacher_shares_a_folder_with_a_class(page, school, tmp_path, settings):
    """paul.dupont creates a folder, shares it with 5e A for reading; lucas.martin sees it, by whom."""
    settings.MEDIA_ROOT = str(tmp_path / "media")
    page.set_viewport_size(DESKTOP)
    log_in(page, "paul.dupont")
    visit(page, "/documents/")
    page.get_by_label("Nom du dossier").fill("Fractions")
    with follow(page):
        page.get_by_role("button", name="Créer").click()
    page.get_by_text("Organiser").click()
    with follow(page):
        page.get_by_role("link", name="Partager").click()
    page.get_by_label("La classe 5e A").check()
    page.get_by_label("Lecture").check()
    with follow(page):
        page.get_by_role("button", name="Partager", exact=True).click()
    expect(page.get_by_text("Fractions est partagé.")).to_be_visible()
    expect(page.get_by_role("button", name="Retirer le partage avec Classe 5e A")).to_be_visible()
    page.context.clear_cookies()
    log_in(page, "lucas.martin")
    visit(page, "/documents/partages-avec-moi/")
    row = page.get_by_role("row", name="Fractions")
    expect(row).to_contain_text("Paul Dupont")
    expect(row).to_contain_text("Classe 5e A")
    with follow(page):
        row.get_by_role("link", name="Fractions").click()
    expect(page.get_by_role("heading", name="Fractions")).to_be_visible()


@pytest.mark.parametrize(
    "username,url",
    [
        ("lucas.martin", "document"),
        ("lucas.martin", "/documents/corbeille/"),
        ("lucas.martin", "/documents/rechercher/?q=expose"),
        ("lucas.martin", "share"),
        ("lucas.martin", "/documents/ressources/"),
        ("lucas.martin", "area"),
        ("julie.moreau", "/documents/quotas/"),
    ],
)
def test_the_other_pages_of_the_space_fit_a_phone(page, school, tmp_path, settings, username, url):
    """At 360 px a file with its versions, the trash, a search, the share page, the resource areas and the
    quota page never scroll sideways (axe-core checks each)."""
    from django.core.files.uploadedfile import SimpleUploadedFile

    from cartable.core import uploads
    from cartable.directory.actor import Actor
    from cartable.documents import actions, areas

    settings.MEDIA_ROOT = str(tmp_path / "media")
    lucas = Actor(school["lucas.martin"])

    def checked(text):
        return uploads.validate_upload(
            SimpleUploadedFile("Exposé sur les châteaux forts.txt", text), allowed=uploads.ALL
        )

    for n in range(3):
        doc = actions.upload_file(actor=lucas, folder=None, checked=checked(f"version {n}".encode()))
    actions.trash(actor=lucas, item=actions.upload_file(actor=lucas, folder=None, checked=checked(b"x")))
    kit = school.college
    area = areas.open_area(
        actor=Actor(school["paul.dupont"]), subject_id=kit.subjects["MATH"].pk, school_class_id=kit.classes["5e A"].pk
    )
    areas.publish_resource(
        actor=Actor(school["paul.dupont"]),
        area=area,
        chapter="Chapitre 1 — Les fractions",
        title="Cours",
        url="https://example.org",
    )
    url = {
        "document": f"/documents/fichier/{doc.pk}/",
        "share": f"/documents/fichier/{doc.pk}/partager/?q=bernard",
        "area": f"/documents/ressources/{area.pk}/",
    }.get(url, url)
    page.set_viewport_size(PHONE)
    log_in(page, username)
    visit(page, url)
    assert_no_sideways_scroll(page)


def test_previews_of_a_pdf_and_an_image_and_a_video_player_on_a_phone(page, school, tmp_path, settings):
    """A PDF and a PNG sent by the picker get their preview (drawn by the task after commit) on their page,
    a video its player: each page passes axe-core at 360 px without sideways scrolling."""
    settings.MEDIA_ROOT = str(tmp_path / "media")
    page.set_viewport_size(PHONE)
    course = tmp_path / "Cours.pdf"
    drawing = canvas.Canvas(str(course))
    drawing.drawString(72, 720, "Chapitre 1 : les fractions")
    drawing.save()
    photo = tmp_path / "Photo.png"
    Image.new("RGB", (2000, 1000), (30, 90, 160)).save(photo)
    video = tmp_path / "Sortie.mp4"
    video.write_bytes(b"\x00\x00\x00\x18ftypmp42\x00\x00\x00\x00mp42isom" + bytes(64))
    log_in(page, "lucas.martin")
    visit(page, "/documents/")
    page.get_by_label("Fichiers", exact=True).set_input_files([str(course), str(photo), str(video)])
    with follow(page):
        page.get_by_role("button", name="Envoyer").click()
    for name in ("Cours.pdf", "Photo.png"):
        with follow(page):
            page.get_by_role("link", name=name).click()
        preview = page.get_by_role("img", name=f"Aperçu de {name} (première page)")
        expect(preview).to_be_visible()
        assert preview.evaluate("img => img.naturalWidth") > 0
        assert_no_sideways_scroll(page)
        visit(page, "/documents/")
    with follow(page):
        page.get_by_role("link", name="Sortie.mp4").click()
    expect(page.locator("video.documents-player")).to_be_attached()
    assert_no_sideways_scroll(page)
