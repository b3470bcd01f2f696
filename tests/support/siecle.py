"""A small invented set of an establishment's own exports, built by the tests: the Collège Hypatie (UAI
0999101A), which the académie's directory does not feed.

- SIECLE ``ExportXML``: students (``ElevesSansAdresses``, root ``BEE_ELEVES``, in ISO-8859-15 with « œ »)
  in two divisions and two groups; guardians (``ResponsablesAvecAdresses``, root ``BEE_RESPONSABLES``, in
  UTF-8 with « € » in an address): two legal guardians of two children, one of a third, a contact who is not
  legally responsible (RESP_LEGAL 0);
- STS-web ``sts_emp_0999101A_2026.xml`` (root ``STS_EDT``, ISO-8859-15): subjects, divisions, groups with the
  divisions they draw from, services, two teachers (one head teacher through ``PROFS_PRINC``, the other
  through the division's ``PROFESSEURS_PRINCIPAUX``) and a principal;
- a second export after it: a newcomer with a new guardian, a class change, a leaver.

The element names are those of the real exports (BEE's ``DONNEES/ELEVES/ELEVE`` and
``DONNEES/STRUCTURES/STRUCTURES_ELEVE``; STS-web's ``DONNEES/STRUCTURE/DIVISIONS``...); the people are made up.
"""

from __future__ import annotations

import io
import zipfile
from dataclasses import dataclass, field
from xml.sax.saxutils import escape, quoteattr

UAI = "0999101A"
NAME = "Collège Hypatie"


@dataclass
class Student:
    ident: str
    ine: str
    last: str
    first: str
    born: str
    division: str
    groups: list[str] = field(default_factory=list)
    left: str = ""


@dataclass
class Guardian:
    ident: str
    last: str
    first: str
    title: str
    address: str = ""
    postal_code: str = ""
    city: str = ""
    mail: str = ""
    mobile: str = ""


STUDENTS = [
    Student("1001", "070707070AB", "Cœurdelion", "Zoé", "12/05/2013", "5A", ["5A-LAT"]),
    Student("1002", "070707071AC", "Martin", "Noé", "03/02/2013", "5A", ["ANG-G1"]),
    Student("1003", "070707072AD", "Martin", "Léa", "21/11/2011", "4B", ["ANG-G1"]),
    Student("1004", "070707073AE", "Dubreuil", "Sacha", "30/06/2011", "4B"),
]
GUARDIANS = [
    Guardian(
        "501", "Martin", "Hélène", "MME", "3 rue de l'Œuvre, boîte « 5 € »", "99100", "Val-d'Or", "h.martin@example.org"
    ),
    Guardian("502", "Martin", "Paul", "M.", "3 rue de l'Œuvre, boîte « 5 € »", "99100", "Val-d'Or"),
    Guardian("503", "Cœurdelion", "Agnès", "MME", "1 place du Marché", "99100", "Val-d'Or", mobile="0600000001"),
    Guardian("504", "Grandjean", "Odile", "MME", "8 chemin des Vignes", "99110", "Montfleuri"),
    Guardian("505", "Dubreuil", "Marc", "M.", "12 avenue du Port", "99100", "Val-d'Or"),
]
# (student, guardian, RESP_LEGAL, CODE_PARENTE): Hélène (mother, 10) and Paul (father, 20) legally
# responsible for Noé and Léa; Agnès for Zoé; Odile only a contact for Zoé (0, « autre lien » 90).
LINKS = [
    ("1002", "501", "1", "10"),
    ("1002", "502", "2", "20"),
    ("1003", "501", "1", "10"),
    ("1003", "502", "2", "20"),
    ("1001", "503", "1", "10"),
    ("1001", "504", "0", "90"),
    ("1004", "505", "1", "20"),
]

# The second export: Linh arrives in 5A with her mother Thi; Noé moves to 4B; Sacha has left (his father
# goes with him).
STUDENTS_2 = [
    STUDENTS[0],
    Student("1002", "070707071AC", "Martin", "Noé", "03/02/2013", "4B", ["ANG-G1"]),
    STUDENTS[2],
    Student("1005", "070707074AF", "Nguyen", "Linh", "09/09/2013", "5A"),
]
GUARDIANS_2 = [*GUARDIANS[:4], Guardian("506", "Nguyen", "Thi", "MME", "5 impasse des Lilas", "99100", "Val-d'Or")]
LINKS_2 = [*LINKS[:6], ("1005", "506", "1", "10")]


def _head(root: str, encoding: str, uaj: str, *, version: str = "3.1") -> str:
    return (
        f'<?xml version="1.0" encoding="{encoding}"?>\n<{root} VERSION="{version}">\n<PARAMETRES>\n'
        f"<UAJ>{uaj}</UAJ>\n<ANNEE_SCOLAIRE>2026</ANNEE_SCOLAIRE>\n<DATE_EXPORT>01/09/2026</DATE_EXPORT>\n"
        "<HORODATAGE>01/09/2026 08:00:00</HORODATAGE>\n</PARAMETRES>\n<DONNEES>\n"
    )


def _e(tag: str, value: str) -> str:
    return f"<{tag}>{escape(value)}</{tag}>" if value else f"<{tag}/>"


def students_xml(students: list[Student] | None = None, *, encoding: str = "ISO-8859-15", uaj: str = UAI) -> bytes:
    """``ElevesSansAdresses.xml``: one ``ELEVE`` per line block, then each one's ``STRUCTURES_ELEVE``."""
    students = STUDENTS if students is None else students
    parts = [_head("BEE_ELEVES", encoding, uaj), "<ELEVES>\n"]
    for s in students:
        parts.append(
            f'<ELEVE ELEVE_ID="{s.ident}" ELENOET="{int(s.ident) + 5000}">\n'
            + _e("ID_NATIONAL", s.ine)
            + _e("ELENOET", str(int(s.ident) + 5000))
            + _e("NOM_DE_FAMILLE", s.last)
            + _e("NOM_USAGE", "")
            + _e("PRENOM", s.first)
            + _e("DATE_NAISS", s.born)
            + _e("CODE_SEXE", "2")
            + _e("DATE_ENTREE", "01/09/2025")
            + _e("DATE_SORTIE", s.left)
            + _e("CODE_MEF", "10210001110")
            + "\n</ELEVE>\n"
        )
    parts.append("</ELEVES>\n<STRUCTURES>\n")
    for s in students:
        structures = [(s.division, "D")] + [(g, "G") for g in s.groups]
        parts.append(
            f'<STRUCTURES_ELEVE ELEVE_ID="{s.ident}" ELENOET="{int(s.ident) + 5000}">\n'
            + "".join(
                f"<STRUCTURE>{_e('CODE_STRUCTURE', code)}{_e('TYPE_STRUCTURE', kind)}</STRUCTURE>\n"
                for code, kind in structures
            )
            + "</STRUCTURES_ELEVE>\n"
        )
    parts.append("</STRUCTURES>\n</DONNEES>\n</BEE_ELEVES>\n")
    return "".join(parts).encode(encoding)


def guardians_xml(
    guardians: list[Guardian] | None = None,
    links: list[tuple[str, str, str, str]] | None = None,
    *,
    encoding: str = "UTF-8",
    uaj: str = UAI,
) -> bytes:
    """``ResponsablesAvecAdresses.xml``: ``PERSONNES``, ``RESPONSABLES`` (the links), ``ADRESSES``."""
    guardians = GUARDIANS if guardians is None else guardians
    links = LINKS if links is None else links
    parts = [_head("BEE_RESPONSABLES", encoding, uaj, version="1.8"), "<PERSONNES>\n"]
    for g in guardians:
        parts.append(
            f'<PERSONNE PERSONNE_ID="{g.ident}">\n'
            + _e("NOM_DE_FAMILLE", g.last)
            + _e("PRENOM", g.first)
            + _e("LC_CIVILITE", g.title)
            + _e("TEL_PERSONNEL", "")
            + _e("TEL_PORTABLE", g.mobile)
            + _e("MEL", g.mail)
            + _e("ADRESSE_ID", f"A{g.ident}")
            + _e("CODE_PROFESSION", "38")
            + "\n</PERSONNE>\n"
        )
    parts.append("</PERSONNES>\n<RESPONSABLES>\n")
    for student, guardian, legal, kinship in links:
        parts.append(
            "<RESPONSABLE_ELEVE>\n"
            + _e("ELEVE_ID", student)
            + _e("PERSONNE_ID", guardian)
            + _e("RESP_LEGAL", legal)
            + _e("CODE_PARENTE", kinship)
            + _e("RESP_FINANCIER", "1" if legal == "1" else "0")
            + _e("PERS_PAIMENT", "0")
            + _e("PERS_CONTACT", "1")
            + "\n</RESPONSABLE_ELEVE>\n"
        )
    parts.append("</RESPONSABLES>\n<ADRESSES>\n")
    for g in guardians:
        parts.append(
            f'<ADRESSE ADRESSE_ID="A{g.ident}">\n'
            + _e("LIGNE1_ADRESSE", g.address)
            + _e("LIGNE2_ADRESSE", "")
            + _e("CODE_POSTAL", g.postal_code)
            + _e("LIBELLE_POSTAL", g.city.upper())
            + _e("LL_PAYS", "FRANCE")
            + _e("CODE_PAYS", "100")
            + "\n</ADRESSE>\n"
        )
    parts.append("</ADRESSES>\n</DONNEES>\n</BEE_RESPONSABLES>\n")
    return "".join(parts).encode(encoding)


SUBJECTS = [
    ("020700", "FRANC", "Français"),
    ("030201", "ANG1", "Anglais LV1"),
    ("061300", "MATHS", "Mathématiques"),
    ("022300", "LATIN", "Latin"),
]
# (individual, kind, unit, subject code)
SERVICES = [
    ("9001", "class", "5A", "020700"),
    ("9001", "class", "4B", "020700"),
    ("9001", "group", "5A-LAT", "022300"),
    ("9002", "group", "ANG-G1", "030201"),
    ("9002", "class", "4B", "061300"),
]
# (ID, NOM_USAGE, PRENOM, CIVILITE, DATE_NAISS, FONCTION, discipline, classes headed through PROFS_PRINC)
PEOPLE = [
    ("9001", "Lebœuf", "Renée", "2", "1978-04-12", "ENS", "LETTRES MODERNES", ["5A"]),
    ("9002", "Ferrand", "Louis", "1", "1983-10-02", "ENS", "ANGLAIS", []),
    ("9003", "Castel", "Yves", "1", "1970-01-15", "DIR", "", []),
]
DIVISIONS = {"5A": [], "4B": ["9002"]}  # division -> head teachers through PROFESSEURS_PRINCIPAUX
GROUPS = {"5A-LAT": ["5A"], "ANG-G1": ["5A", "4B"]}


def sts_xml(
    people: list[tuple] | None = None,
    services: list[tuple[str, str, str, str]] | None = None,
    *,
    encoding: str = "ISO-8859-15",
    uaj: str = UAI,
) -> bytes:
    """``sts_emp_0999101A_2026.xml``: subjects, divisions and groups with their services, individuals."""
    people = PEOPLE if people is None else people
    services = SERVICES if services is None else services
    parts = [
        f'<?xml version="1.0" encoding="{encoding}"?>\n<STS_EDT>\n<PARAMETRES>\n<UAJ CODE="{uaj}">\n'
        "<ACADEMIE><CODE>99</CODE><LIBELLE>VAL-D'OR</LIBELLE></ACADEMIE>\n"
        f"<SIGLE>CLG</SIGLE>{_e('DENOM_PRINC', 'COLLEGE')}{_e('DENOM_COMPL', 'HYPATIE')}\n</UAJ>\n"
        '<ANNEE_SCOLAIRE ANNEE="2026"><DATE_DEBUT>01/09/2026</DATE_DEBUT><DATE_FIN>31/08/2027</DATE_FIN>'
        "</ANNEE_SCOLAIRE>\n<HORODATAGE>02/09/2026 10:00:00</HORODATAGE>\n</PARAMETRES>\n<DONNEES>\n"
        "<NOMENCLATURES>\n<MATIERES>\n"
    ]
    for code, management, label in SUBJECTS:
        parts.append(
            f"<MATIERE CODE={quoteattr(code)}>{_e('CODE_GESTION', management)}{_e('LIBELLE_COURT', label.upper())}"
            f"{_e('LIBELLE_LONG', label.upper())}{_e('LIBELLE_EDITION', label)}</MATIERE>\n"
        )
    parts.append("</MATIERES>\n</NOMENCLATURES>\n<STRUCTURE>\n<DIVISIONS>\n")

    def unit_services(kind: str, unit: str) -> str:
        by_subject: dict[str, list[str]] = {}
        for teacher, k, u, subject in services:
            if (k, u) == (kind, unit):
                by_subject.setdefault(subject, []).append(teacher)
        if not by_subject:
            return ""
        return (
            "<SERVICES>\n"
            + "".join(
                f'<SERVICE CODE_MATIERE="{subject}" CODE_MOD_COURS="CG">\n<ENSEIGNANTS>\n'
                + "".join(f'<ENSEIGNANT ID="{t}" TYPE="epp"/>\n' for t in teachers)
                + "</ENSEIGNANTS>\n</SERVICE>\n"
                for subject, teachers in by_subject.items()
            )
            + "</SERVICES>\n"
        )

    for code, heads in DIVISIONS.items():
        principals = "".join(f'<PROFESSEUR_PRINCIPAL ID="{h}"/>' for h in heads)
        parts.append(
            f'<DIVISION CODE="{code}">\n{_e("LIBELLE_LONG", code)}\n'
            + (f"<PROFESSEURS_PRINCIPAUX>{principals}</PROFESSEURS_PRINCIPAUX>\n" if principals else "")
            + unit_services("class", code)
            + "</DIVISION>\n"
        )
    parts.append("</DIVISIONS>\n<GROUPES>\n")
    for code, divisions in GROUPS.items():
        parts.append(
            f"<GROUPE CODE={quoteattr(code)}>\n{_e('LIBELLE_LONG', code)}\n<DIVISIONS_APPARTENANCE>"
            + "".join(f'<DIVISION_APPARTENANCE CODE="{d}"/>' for d in divisions)
            + "</DIVISIONS_APPARTENANCE>\n"
            + unit_services("group", code)
            + "</GROUPE>\n"
        )
    parts.append("</GROUPES>\n</STRUCTURE>\n<INDIVIDUS>\n")
    for ident, last, first, civility, born, function, discipline, heads in people:
        parts.append(
            f'<INDIVIDU ID="{ident}" TYPE="epp">\n'
            + _e("SEXE", "2" if civility == "2" else "1")
            + _e("CIVILITE", civility)
            + _e("NOM_USAGE", last)
            + _e("NOM_PATRONYMIQUE", last)
            + _e("PRENOM", first)
            + _e("DATE_NAISS", born)
            + _e("FONCTION", function)
            + (
                f'<DISCIPLINES><DISCIPLINE CODE="L0202">{_e("LIBELLE_COURT", discipline)}'
                "<NBRE_HEURES>18.00</NBRE_HEURES></DISCIPLINE></DISCIPLINES>"
                if discipline
                else ""
            )
            + (
                "<PROFS_PRINC>"
                + "".join(
                    f"<PROF_PRINC>{_e('CODE_STRUCTURE', h)}<DATE_DEBUT>2026-09-01</DATE_DEBUT></PROF_PRINC>"
                    for h in heads
                )
                + "</PROFS_PRINC>"
                if heads
                else ""
            )
            + "\n</INDIVIDU>\n"
        )
    parts.append("</INDIVIDUS>\n</DONNEES>\n</STS_EDT>\n")
    return "".join(parts).encode(encoding)


STUDENTS_FILE = "ElevesSansAdresses.xml"
GUARDIANS_FILE = "ResponsablesAvecAdresses.xml"
STS_FILE = f"sts_emp_{UAI}_2026.xml"


def siecle_set() -> list[tuple[str, bytes]]:
    return [(STUDENTS_FILE, students_xml()), (GUARDIANS_FILE, guardians_xml())]


def second_siecle_set() -> list[tuple[str, bytes]]:
    return [(STUDENTS_FILE, students_xml(STUDENTS_2)), (GUARDIANS_FILE, guardians_xml(GUARDIANS_2, LINKS_2))]


def sts_set() -> list[tuple[str, bytes]]:
    return [(STS_FILE, sts_xml())]


def zipped(files: list[tuple[str, bytes]], *, names: list[str] | None = None) -> bytes:
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED) as archive:
        for (_name, data), entry in zip(files, names or [n for n, _d in files], strict=True):
            archive.writestr(entry, data)
    return buffer.getvalue()


def open_college():
    """The collège, opened by hand (as the region does) before its first import: no AAF jointure."""
    from cartable.directory.actions import open_establishment
    from cartable.directory.models import Academy, Establishment

    academy, _created = Academy.objects.get_or_create(code="AC-VALDOR", defaults={"name": "Académie du Val d'Or"})
    establishment = Establishment(academy=academy, uai=UAI, name=NAME, kind=Establishment.Kind.COLLEGE)
    return open_establishment(actor=None, establishment=establishment)


def run(files: list[tuple[str, bytes]], *, feed: str | None = "siecle", dry_run: bool = False, uai: str = ""):
    """Import ``files`` as the command would: written to a folder, read from their paths."""
    import tempfile
    from pathlib import Path

    from cartable.provisioning import actions
    from cartable.provisioning.aaf import sources

    with tempfile.TemporaryDirectory() as folder:
        paths = []
        for name, data in files:
            path = Path(folder) / name
            path.write_bytes(data)
            paths.append(path)
        return actions.import_exports(
            actor=None, sources=sources.from_paths(paths), feed=feed, uai=uai, dry_run=dry_run
        )


def fed(ident: str, feed: str = "siecle"):
    """The person an export made for this identifier (``eleve-1001``, ``resp-501``, ``ind-9001``)."""
    from cartable.directory.models import ExternalIdentifier

    return ExternalIdentifier.objects.get(source="other", issuer=f"{feed}:{UAI}", value=ident).person
