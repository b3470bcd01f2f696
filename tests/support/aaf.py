"""A small invented AAF set, built by the tests: the académie du Val d'Or (AC-VALDOR), a collège and a
lycée, every kind of person, files in UTF-8 and ISO-8859-15, and a delta to apply after it.

Files are ``ficAlimMENESR`` documents as the académies send them: one category per file, one
``addRequest`` per entry (a delta also has ``modifyRequest`` and ``deleteRequest``).
"""

from __future__ import annotations

import io
import random
import tempfile
import zipfile
from pathlib import Path
from xml.sax.saxutils import escape, quoteattr

ACADEMY = "AC-VALDOR"
COLLEGE = ("9990001A", "0999001K", "Collège Jeanne Barret", "CLG")  # jointure, UAI, name, kind
LYCEE = ("9990002B", "0999002L", "Lycée Olympe de Gouges", "LYC")
CJ, LJ = COLLEGE[0], LYCEE[0]

Attrs = dict[str, str | list[str]]


def request(category: str, ident: str, attrs: Attrs, *, op: str = "add") -> str:
    """One request: ``add`` (attributes), ``modify`` (replaced attributes) or ``delete``."""
    kind = "categorieStructure" if category == "EtabEducNat" else "categoriePersonne"
    head = (
        f"<{op}Request>\n<operationalAttributes><attr name={quoteattr(kind)}><value>{category}</value></attr>"
        f"</operationalAttributes>\n<identifier><id>{escape(ident)}</id></identifier>\n"
    )
    body = []
    for name, values in attrs.items():
        values = [values] if isinstance(values, str) else values
        inner = "".join(f"<value>{escape(v)}</value>" if v else "<value/>" for v in values) or "<value/>"
        if op == "modify":
            body.append(f'<modification name={quoteattr(name)} operation="replace">{inner}</modification>')
        else:
            body.append(f"<attr name={quoteattr(name)}>{inner}</attr>")
    if op == "modify":
        return head + "<modifications>\n" + "\n".join(body) + "\n</modifications>\n</modifyRequest>"
    if op == "delete":
        return head + "</deleteRequest>"
    return head + "<attributes>\n" + "\n".join(body) + "\n</attributes>\n</addRequest>"


def document(
    requests: list[str], *, encoding: str = "UTF-8", doctype: str | None = None, root: str = "ficAlimMENESR"
) -> bytes:
    doctype = doctype if doctype is not None else f'<!DOCTYPE {root} SYSTEM "ficAlimMENESR.dtd">\n'
    text = f'<?xml version="1.0" encoding="{encoding}"?>\n{doctype}<{root}>\n' + "\n".join(requests) + f"\n</{root}>\n"
    return text.encode(encoding)


def structure(jointure: str, uai: str, name: str, kind: str) -> str:
    return request(
        "EtabEducNat",
        jointure,
        {
            "ENTStructureJointure": jointure,
            "ENTStructureUAI": uai,
            "ENTStructureNomCourant": name,
            "ENTStructureTypeStruct": kind,
            "ENTEtablissementMinistereTutelle": "MINISTERE DE L'EDUCATION NATIONALE",
            "ENTServAcAcademie": ACADEMY,
            "l": "Val-d'Or",
            "ENTStructureClasses": "",
        },
    )


def person(category: str, jointure: str, last: str, first: str, title: str, born: str, **more: str | list[str]) -> str:
    attrs: Attrs = {
        "ENTPersonJointure": jointure,
        "sn": last,
        "givenName": first,
        "personalTitle": title,
        "ENTPersonDateNaissance": born,
    }
    attrs.update(more)
    return request(category, jointure, attrs)


def link(jointure: str, kinship: str, legal: str, contact: str = "0") -> str:
    """A value of ENTElevePersRelEleve: id $ kinship $ financial $ legal $ contact $ payment."""
    return f"{jointure}${kinship}$0${legal}${contact}$0"


STUDENTS = [
    person(
        "Eleve",
        "E1",
        "Cœurdevey",
        "Chloé",
        "Mlle",
        "14/03/2014",
        ENTPersonStructRattach=CJ,
        ENTEleveClasses=f"{CJ}$5e A",
        ENTEleveGroupes=f"{CJ}$Latin 5e",
        ENTEleveMajeur="N",
        # P1 twice (as contact, then legal: the legal relation dominates), P2 legal, P3 a contact only.
        ENTElevePersRelEleve=[
            link("P1", "2", "0", "1"),
            link("P1", "2", "1"),
            link("P2", "1", "2"),
            link("P3", "3", "0", "1"),
        ],
    ),
    person(
        "Eleve",
        "E2",
        "Lefèvre",
        "Hugo",
        "M",
        "02/09/2010",
        ENTPersonStructRattach=LJ,
        ENTEleveClasses=f"{LJ}$2nde 1",
        ENTEleveGroupes=[],
        ENTElevePersRelEleve=[link("P1", "2", "1")],
    ),
]
RELATIVES = [
    person(
        "PersRelEleve",
        "P1",
        "Lefèvre",
        "Anne",
        "Mme",
        "05/05/1980",
        mail="anne.lefevre@example.org",
        ENTPersonAdresse="12 rue des Écus, boîte « 5 € »",
        ENTPersonCodePostal="99100",
        ENTPersonVille="Val-d'Or",
        ENTPersonPays="FRANCE",
        mobile="0600000001",
        ENTPersonAdresseDiffusion="O",
    ),
    person("PersRelEleve", "P2", "Cœurdevey", "Marc", "M.", "11/11/1978", ENTPersonAdresseDiffusion="N"),
    person("PersRelEleve", "P3", "Cœurdevey", "Odette", "Mme", "01/01/1950"),
]
STAFF = [
    person(
        "PersEducNat",
        "T1",
        "Nguyen",
        "Paul",
        "M.",
        "20/06/1985",
        ENTPersonFonctions=[f"{CJ}$ENS$ENSEIGNEMENT$L1300$MATHEMATIQUES", f"{LJ}$ENS$ENSEIGNEMENT$L1300$MATHEMATIQUES"],
        ENTAuxEnsClasses=[f"{CJ}$5e A", f"{LJ}$2nde 1"],
        ENTAuxEnsGroupes=[f"{CJ}$Latin 5e"],
        ENTAuxEnsClassesMatieres=[f"{CJ}$5e A$MATHS$Mathématiques", f"{LJ}$2nde 1$MATHS$Mathématiques"],
        ENTAuxEnsGroupesMatieres=[f"{CJ}$Latin 5e$LCALA$Latin"],
        ENTAuxEnsClassesPrincipal=[f"{CJ}$5e A"],
        PersEducNatPresenceDevantEleves="O",
    ),
    person(
        "PersEducNat",
        "C1",
        "Roche",
        "Inès",
        "Mme",
        "03/02/1990",
        ENTPersonFonctions=[f"{CJ}$EDU$EDUCATION$C0010$CONSEILLER PRINCIPAL D'EDUCATION"],
    ),
    person(
        "PersEducNat",
        "D1",
        "Barbier",
        "Hélène",
        "Mme",
        "09/09/1970",
        ENTPersonFonctions=[f"{CJ}$DIR$DIRECTION$D0010$PERSONNEL DE DIRECTION"],
    ),
    person(
        "PersEducNat",
        "S1",
        "Colin",
        "Yann",
        "M.",
        "07/07/1982",
        ENTPersonFonctions=[f"{CJ}$ADF$ADMINISTRATION$A0010$SECRETARIAT"],
    ),
    person(
        "PersEducNat",
        "X1",
        "Masson",
        "Léa",
        "Mme",
        "12/12/1988",
        ENTPersonFonctions=[f"{LJ}$ZZZ$INCONNUE$$", f"{LJ}$ENS$ENSEIGNEMENT$L0202$LETTRES MODERNES"],
    ),
]


def complete_set() -> dict[str, bytes]:
    """The four Complet files: people and structures in UTF-8, guardians in ISO-8859-15."""
    return {
        "ENT_AC-VALDOR_Complet_20260901_EtabEducNat_0000.xml": document([structure(*COLLEGE), structure(*LYCEE)]),
        "ENT_AC-VALDOR_Complet_20260901_Eleve_0000.xml": document(STUDENTS),
        "ENT_AC-VALDOR_Complet_20260901_PersRelEleve_0000.xml": document(RELATIVES, encoding="ISO-8859-15"),
        "ENT_AC-VALDOR_Complet_20260901_PersEducNat_0000.xml": document(STAFF, encoding="ISO-8859-15"),
    }


def delta_set() -> dict[str, bytes]:
    """A delta: a new student in 5e A with two new guardians, Chloé moving to 5e B, Odette's phone
    number changed (nothing else of her touched), the secretary leaving."""
    students = [
        person(
            "Eleve",
            "E3",
            "Diallo",
            "Awa",
            "Mlle",
            "30/01/2014",
            ENTPersonStructRattach=CJ,
            ENTEleveClasses=f"{CJ}$5e A",
            ENTElevePersRelEleve=[link("P4", "2", "1"), link("P5", "1", "2")],
        ),
        request("Eleve", "E1", {"ENTEleveClasses": f"{CJ}$5e B"}, op="modify"),
    ]
    relatives = [
        person("PersRelEleve", "P4", "Diallo", "Fatoumata", "Mme", "04/04/1984"),
        person("PersRelEleve", "P5", "Diallo", "Mamadou", "M.", "08/08/1981"),
        request("PersRelEleve", "P3", {"telephoneNumber": "0300000003"}, op="modify"),
    ]
    staff = [request("PersEducNat", "S1", {}, op="delete")]
    return {
        "ENT_AC-VALDOR_Delta_20261001_Eleve_0001.xml": document(students),
        "ENT_AC-VALDOR_Delta_20261001_PersRelEleve_0001.xml": document(relatives, encoding="ISO-8859-15"),
        "ENT_AC-VALDOR_Delta_20261001_PersEducNat_0001.xml": document(staff),
    }


def write(folder: Path, files: dict[str, bytes], *, seed: int = 7) -> list[Path]:
    """Write the files in a shuffled order (the import must not depend on it); returns their paths."""
    names = list(files)
    random.Random(seed).shuffle(names)
    paths = []
    for name in names:
        path = folder / name
        path.write_bytes(files[name])
        paths.append(path)
    return paths


def zipped(files: dict[str, bytes]) -> bytes:
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED) as archive:
        for name, data in files.items():
            archive.writestr(name, data)
    return buffer.getvalue()


def run_files(files: dict[str, bytes], *, dry_run: bool = False, seed: int = 7):
    """Import ``files`` as the command would: written to a folder in a shuffled order."""
    from cartable.provisioning import actions
    from cartable.provisioning.aaf import sources

    with tempfile.TemporaryDirectory() as folder:
        paths = write(Path(folder), files, seed=seed)
        return actions.import_aaf(actor=None, sources=sources.from_paths(paths), dry_run=dry_run)


def fed_person(jointure: str):
    """The person the import made for this jointure of the test académie."""
    from cartable.directory.models import ExternalIdentifier

    return ExternalIdentifier.objects.get(source="aaf", issuer=ACADEMY, value=jointure).person


def next_year_set() -> dict[str, bytes]:
    """The Complet set of the next school year: Chloé moves up to 4e A (and Latin 4e), Hugo repeats the
    2nde 1 (a class of the same name, in the new year), Paul Nguyen teaches the 4e A and heads it; the
    others as before."""
    chloe = person(
        "Eleve",
        "E1",
        "Cœurdevey",
        "Chloé",
        "Mlle",
        "14/03/2014",
        ENTPersonStructRattach=CJ,
        ENTEleveClasses=f"{CJ}$4e A",
        ENTEleveGroupes=f"{CJ}$Latin 4e",
        ENTEleveMajeur="N",
        ENTElevePersRelEleve=[link("P1", "2", "1"), link("P2", "1", "2"), link("P3", "3", "0", "1")],
    )
    teacher = person(
        "PersEducNat",
        "T1",
        "Nguyen",
        "Paul",
        "M.",
        "20/06/1985",
        ENTPersonFonctions=[f"{CJ}$ENS$ENSEIGNEMENT$L1300$MATHEMATIQUES", f"{LJ}$ENS$ENSEIGNEMENT$L1300$MATHEMATIQUES"],
        ENTAuxEnsClasses=[f"{CJ}$4e A", f"{LJ}$2nde 1"],
        ENTAuxEnsGroupes=[f"{CJ}$Latin 4e"],
        ENTAuxEnsClassesMatieres=[f"{CJ}$4e A$MATHS$Mathématiques", f"{LJ}$2nde 1$MATHS$Mathématiques"],
        ENTAuxEnsGroupesMatieres=[f"{CJ}$Latin 4e$LCALA$Latin"],
        ENTAuxEnsClassesPrincipal=[f"{CJ}$4e A"],
        PersEducNatPresenceDevantEleves="O",
    )
    files = complete_set()
    files["ENT_AC-VALDOR_Complet_20270901_Eleve_0000.xml"] = document([chloe, STUDENTS[1]])
    files["ENT_AC-VALDOR_Complet_20270901_PersEducNat_0000.xml"] = document(
        [teacher, *STAFF[1:]], encoding="ISO-8859-15"
    )
    del (
        files["ENT_AC-VALDOR_Complet_20260901_Eleve_0000.xml"],
        files["ENT_AC-VALDOR_Complet_20260901_PersEducNat_0000.xml"],
    )
    return files
