"""The demo's provisioning: the personas of the collège and the lycée carry AAF jointures (as if the
académie had fed them), and admin.region finds a simulated run of the example delta, which she can
download (« Exemple de lot différentiel ») and import: a new student in 5e A with two guardians, Lucas
moving to 4e B, Sophie Bernard leaving her teaching post (she stays a parent)."""

from __future__ import annotations

import io
import zipfile
from typing import TYPE_CHECKING

from cartable.directory.actor import Actor
from cartable.directory.models import (
    Enrolment,
    ExternalIdentifier,
    GroupMembership,
    Guardianship,
    Membership,
    Role,
    TeachingAssignment,
)
from cartable.provisioning import actions
from cartable.provisioning.aaf import sources, writer
from cartable.provisioning.models import FedEstablishment, ImportRun

if TYPE_CHECKING:
    from cartable.demo.personas import Personas

AAF = "aaf"
STRUCTURES = {"college": "5400001", "lycee": "5700002"}
LEAVING = "sophie.bernard"
MOVING = ("lucas.martin", "4e B")


def _jointure(index: int) -> str:
    return f"{8100000 + index}"


def load_demo(personas: Personas) -> ImportRun | None:
    """Give the personas their jointures and mark their rows as fed by the AAF (a bulk path: the demo
    states what an earlier import would have left), then simulate the example delta once."""
    college, lycee = personas.college.establishment, personas.lycee.establishment
    if FedEstablishment.objects.filter(establishment=college).exists():
        return None
    academy = college.academy.code
    FedEstablishment.objects.bulk_create(
        [
            FedEstablishment(establishment=college, academy_code=academy, jointure=STRUCTURES["college"]),
            FedEstablishment(establishment=lycee, academy_code=lycee.academy.code, jointure=STRUCTURES["lycee"]),
        ]
    )
    places = [college.pk, lycee.pk]
    fed = Membership.objects.filter(establishment_id__in=places).exclude(role=Role.ESTABLISHMENT_ADMIN)
    people = sorted(
        {m.person for m in fed.select_related("person") if m.person.username in personas.people},
        key=lambda u: u.username,
    )
    ExternalIdentifier.objects.bulk_create(
        [ExternalIdentifier(person=u, source=AAF, issuer=academy, value=_jointure(i)) for i, u in enumerate(people)]
    )
    ids = [u.pk for u in people]
    fed.filter(person_id__in=ids).update(fed_by=AAF)
    for model, field in (
        (Enrolment, "student_id"),
        (GroupMembership, "student_id"),
        (TeachingAssignment, "teacher_id"),
    ):
        model.objects.filter(establishment_id__in=places, **{f"{field}__in": ids}).update(fed_by=AAF)
    Guardianship.objects.filter(student_id__in=ids, guardian_id__in=ids).update(fed_by=AAF)
    archive = example_delta()
    run, _plan = actions.import_aaf(
        actor=Actor(personas.people["admin.region"]),
        sources=sources.from_uploads([("exemple-lot-differentiel.zip", archive)]),
        dry_run=True,
    )
    return run


def example_delta() -> bytes:
    """The example delta as a zip of three files, naming the personas by their jointures."""
    college = FedEstablishment.objects.select_related("establishment__academy").get(jointure=STRUCTURES["college"])
    academy = college.academy_code
    jointures = dict(
        ExternalIdentifier.objects.filter(source=AAF, issuer=academy).values_list("person__username", "value")
    )
    where = college.jointure
    students = [
        writer.request(
            "Eleve",
            "8199001",
            {
                "ENTPersonJointure": "8199001",
                "sn": "Rousseau",
                "givenName": "Jade",
                "personalTitle": "Mlle",
                "ENTPersonDateNaissance": "17/05/2014",
                "ENTPersonStructRattach": where,
                "ENTEleveClasses": f"{where}$5e A",
                "ENTElevePersRelEleve": ["8199002$2$1$1$0$1", "8199003$1$0$2$0$0"],
            },
        ),
        writer.request("Eleve", jointures[MOVING[0]], {"ENTEleveClasses": f"{where}${MOVING[1]}"}, op="modify"),
    ]
    relatives = [
        writer.request(
            "PersRelEleve",
            jointure,
            {
                "ENTPersonJointure": jointure,
                "sn": "Rousseau",
                "givenName": first,
                "personalTitle": title,
                "ENTPersonDateNaissance": born,
                "mail": f"{first.lower()}.rousseau@example.org",
                "ENTPersonAdresse": "3 rue de la Commanderie",
                "ENTPersonCodePostal": "54000",
                "ENTPersonVille": "Nancy",
            },
        )
        for jointure, first, title, born in (
            ("8199002", "Élise", "Mme", "02/02/1984"),
            ("8199003", "Benoît", "M.", "09/10/1982"),
        )
    ]
    staff = [writer.request("PersEducNat", jointures[LEAVING], op="delete")]
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED) as archive:
        archive.writestr(f"ENT_{academy}_Delta_Eleve_0001.xml", writer.document(students))
        archive.writestr(
            f"ENT_{academy}_Delta_PersRelEleve_0001.xml", writer.document(relatives, encoding="ISO-8859-15")
        )
        archive.writestr(f"ENT_{academy}_Delta_PersEducNat_0001.xml", writer.document(staff))
    return buffer.getvalue()
