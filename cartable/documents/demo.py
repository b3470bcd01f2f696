"""The demo's documents, written through the app's actions (each checked, stored and audited).

lucas.martin: a folder per subject, an exposé with three versions, a file in the trash, one shared with his
classmate lea.bernard; paul.dupont shares a file with him. marc.leroy starts the collège's staff folder,
shared with the staff in contribution; julie.moreau sets the collège's quotas.
"""

from __future__ import annotations

import io
import zipfile
from typing import TYPE_CHECKING

from django.core.files.uploadedfile import SimpleUploadedFile
from reportlab.pdfgen import canvas

from cartable.core import uploads
from cartable.directory.actor import Actor
from cartable.directory.models import Role
from cartable.documents import actions, areas
from cartable.documents.models import Folder, Share
from cartable.documents.queries import MiB

if TYPE_CHECKING:  # the demo layer hands the personas in; no import of it at run time
    from cartable.demo.personas import Personas


def _file(name: str, text: str) -> uploads.CheckedFile:
    return uploads.validate_upload(SimpleUploadedFile(name, text.encode()), allowed=uploads.ALL)


def _pdf(name: str, title: str) -> uploads.CheckedFile:
    """A one-page PDF with its title (reportlab), so that the demo shows a preview and finds its words."""
    out = io.BytesIO()
    page = canvas.Canvas(out)
    page.setTitle(title)
    page.setFont("Helvetica-Bold", 20)
    page.drawString(72, 760, title)
    page.save()
    return uploads.validate_upload(SimpleUploadedFile(name, out.getvalue()), allowed=uploads.ALL)


def load_demo(personas: Personas) -> None:
    """Create the demo's documents, unless there are some already."""
    if Folder.objects.exists():
        return
    p = personas.people
    college = personas.college.establishment
    lucas = Actor(p["lucas.martin"])
    subjects = {
        name: actions.create_folder(actor=lucas, parent=None, name=name)
        for name in ("Français", "Histoire-géographie", "Mathématiques", "Sciences")
    }
    history = subjects["Histoire-géographie"]
    for step in ("Plan de l'exposé", "Plan et introduction", "Exposé complet, relu"):
        actions.upload_file(
            actor=lucas, folder=history, checked=_file("Exposé sur les châteaux forts.txt", f"{step}\n")
        )
    actions.upload_file(actor=lucas, folder=subjects["Mathématiques"], checked=_file("Fractions.txt", "1/2 + 1/4"))
    draft = actions.upload_file(actor=lucas, folder=None, checked=_file("Brouillon.txt", "à jeter"))
    actions.trash(actor=lucas, item=draft)
    notes = actions.upload_file(
        actor=lucas, folder=subjects["Sciences"], checked=_file("Notes de sciences.txt", "Le cycle de l'eau")
    )
    lea = p["lea.bernard"]
    actions.share(actor=lucas, item=notes, kind="person", grantee_id=lea.pk, level=Share.Level.READ)

    paul = Actor(p["paul.dupont"], membership_id=_membership(p["paul.dupont"], college.pk, Role.TEACHER))
    math = actions.create_folder(actor=paul, parent=None, name="Mathématiques 5e A")
    course = actions.upload_file(actor=paul, folder=math, checked=_pdf("Cours fractions.pdf", "Les fractions"))
    actions.share(actor=paul, item=course, kind="person", grantee_id=p["lucas.martin"].pk, level=Share.Level.READ)

    marc = Actor(p["marc.leroy"])
    staff = actions.create_folder(actor=marc, parent=None, name="Salle des professeurs")
    actions.upload_file(actor=marc, folder=staff, checked=_file("Calendrier des conseils.txt", "Conseils de classe"))
    actions.share(actor=marc, item=staff, kind="staff", grantee_id=college.pk, level=Share.Level.CONTRIBUTE)
    sophie = Actor(p["sophie.bernard"])
    actions.upload_file(actor=sophie, folder=staff, checked=_file("Sortie au musée.txt", "Autorisations"))

    _math_area(paul, personas)

    julie = Actor(p["julie.moreau"])
    actions.set_quotas(
        actor=julie, establishment=college, values={Role.STUDENT: 500 * MiB, Role.TEACHER: 5 * 1024 * MiB}
    )


def _odt(name: str) -> uploads.CheckedFile:
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w") as archive:
        archive.writestr("mimetype", "application/vnd.oasis.opendocument.text", compress_type=zipfile.ZIP_STORED)
        archive.writestr("content.xml", "<office:document-content/>")
    return uploads.validate_upload(SimpleUploadedFile(name, buffer.getvalue()), allowed=uploads.ALL)


def _mp4(name: str) -> uploads.CheckedFile:
    body = b"\x00\x00\x00\x18ftypisom\x00\x00\x02\x00isomiso2" + b"\x00" * 64
    return uploads.validate_upload(SimpleUploadedFile(name, body), allowed=uploads.ALL)


def _math_area(paul: Actor, personas: Personas) -> None:
    """paul.dupont's 5e A mathematics area: two chapters, a PDF course, an ODT sheet, a video and a link."""
    kit = personas.college
    area = areas.open_area(actor=paul, subject_id=kit.subjects["MATH"].pk, school_class_id=kit.classes["5e A"].pk)
    one, two = "Chapitre 1 — Les fractions", "Chapitre 2 — Les angles"
    areas.publish_resource(actor=paul, area=area, chapter=one, title="Cours", checked=_pdf("Cours.pdf", "Fractions"))
    areas.publish_resource(actor=paul, area=area, chapter=one, title="Fiche d'exercices", checked=_odt("Exercices.odt"))
    areas.publish_resource(
        actor=paul, area=area, chapter=two, title="Vidéo : mesurer un angle", checked=_mp4("Angles.mp4")
    )
    areas.publish_resource(
        actor=paul, area=area, chapter=two, title="Rapporteur en ligne", url="https://fr.wikipedia.org/wiki/Rapporteur"
    )


def _membership(user, establishment_id: int, role: str) -> int | None:
    probe = Actor(user)
    return next((m.pk for m in probe.memberships if m.establishment_id == establishment_id and m.role == role), None)
