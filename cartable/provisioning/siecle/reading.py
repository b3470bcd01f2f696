"""Reading an establishment's own exports, for establishments the académie's directory (AAF) does not feed:

- SIECLE (BEE) ``ExportXML``: students (``ElevesSansAdresses``/``ElevesAvecAdresses``, root ``BEE_ELEVES``:
  ``DONNEES/ELEVES/ELEVE`` and ``DONNEES/STRUCTURES/STRUCTURES_ELEVE`` giving the division and groups) and
  guardians (``ResponsablesAvecAdresses``, root ``BEE_RESPONSABLES``: ``PERSONNES``, ``RESPONSABLES``,
  ``ADRESSES``);
- STS-web ``sts_emp_<UAI>_<year>.xml`` (root ``STS_EDT``): subjects, divisions, groups and their services,
  the people (``INDIVIDUS``) with their function and the classes they head.

Each file is parsed safely (no DTD, no entity, no network; a declared entity is refused) in the encoding it
declares, and turned into the same requests an AAF set gives (``aaf.parser.Request``), so that one plan
computes the difference for both: students keyed on ``ELEVE_ID`` (their INE kept), guardians on
``PERSONNE_ID``, STS people on their ``ID``; the rows they own carry ``fed_by="siecle"`` or ``"sts"``.
"""

from __future__ import annotations

import datetime as dt
import re
from collections.abc import Callable
from dataclasses import dataclass, field

from django.utils import timezone
from django.utils.translation import gettext as _
from lxml import etree

from cartable.core.xml import safe_parser
from cartable.provisioning.aaf import parser
from cartable.provisioning.aaf.parser import PROLOG_BYTES, AafError, Request
from cartable.provisioning.aaf.plan import IDENTITY, PARTS
from cartable.provisioning.aaf.reading import AafSet
from cartable.provisioning.aaf.sources import Source

STUDENTS, GUARDIANS, STS = "BEE_ELEVES", "BEE_RESPONSABLES", "STS_EDT"
FEED_OF = {STUDENTS: "siecle", GUARDIANS: "siecle", STS: "sts"}
ROOTS = {"siecle": (STUDENTS, GUARDIANS), "sts": (STS,)}
COMMANDS = {"siecle": "import_siecle", "sts": "import_sts"}
KIND_NAMES = {STUDENTS: "SIECLE élèves", GUARDIANS: "SIECLE responsables", STS: "STS-web"}
UAI = re.compile(r"^[0-9]{7}[A-Z]$")
# STS-web's CIVILITE codes.
CIVILITIES = {"1": "M.", "2": "MME", "3": "MLLE"}
PERSON_PARTS = frozenset(IDENTITY.values()) | frozenset(PARTS.values())


def root_of(source: Source) -> str:
    """The name of a file's root element, read from its first bytes only (empty when none is found): how
    the upload page tells an AAF set from a SIECLE or STS-web export."""
    with source.open() as stream:
        head = stream.read(PROLOG_BYTES)
    head = re.sub(rb"<\?.*?\?>|<!--.*?-->|<!DOCTYPE[^>\[]*(\[.*?\])?\s*>", b"", head, flags=re.S)
    found = re.search(rb"<([A-Za-z_][\w.:-]*)", head)
    return found.group(1).decode("ascii", "replace") if found else ""


@dataclass
class Item:
    """One entry of an export, with where it was read."""

    values: dict[str, str]
    file: str
    line: int
    lists: dict[str, list] = field(default_factory=dict)


@dataclass
class Export:
    """What the files of a set say, before it becomes requests."""

    uaj: list[tuple[str, str, int]] = field(default_factory=list)  # (UAJ, file, line)
    roots: dict[str, str] = field(default_factory=dict)  # root -> the file it came in
    students: dict[str, Item] = field(default_factory=dict)
    persons: dict[str, Item] = field(default_factory=dict)
    links: list[Item] = field(default_factory=list)
    subjects: dict[str, Item] = field(default_factory=dict)
    units: dict[tuple[str, str], Item] = field(default_factory=dict)  # (kind, code)
    people: dict[str, Item] = field(default_factory=dict)


def _text(element: etree._Element, *tags: str) -> str:
    """The first non-empty text among ``tags`` (children of ``element``), stripped."""
    for tag in tags:
        value = (element.findtext(tag) or "").strip()
        if value:
            return value
    return ""


def _parse(source: Source) -> tuple[etree._Element, dict]:
    meter = source.meter()
    xml_parser = safe_parser()
    try:
        tree = etree.parse(meter, xml_parser)
    except etree.XMLSyntaxError as error:
        raise AafError(
            _("XML mal formé : %(detail)s") % {"detail": error.msg}, file=source.name, line=error.lineno or 0
        ) from None
    dtd = tree.docinfo.internalDTD
    if dtd is not None and list(dtd.iterentities()):
        raise AafError(_("Le fichier déclare des entités XML : refusé par sécurité."), file=source.name, line=1)
    described = {"name": source.name, "sha256": meter.sha256.hexdigest(), "bytes": meter.size}
    return tree.getroot(), described


class _Reader:
    """Collects the entries of every file of a set, and the problems, file and line."""

    def __init__(self, aaf: AafSet, feed: str | None) -> None:
        self.aaf = aaf
        self.feed = feed
        self.fixed = feed  # the command's feed; None: whichever the first file is
        self.export = Export()
        self.today = timezone.localdate()

    def error(self, message: str, file: str, line: int) -> None:
        self.aaf.errors.append(AafError(message, file=file, line=line))

    def _required(self, element: etree._Element, file: str, what: str, ident: str, *names: tuple[str, ...]) -> bool:
        """Each of ``names`` (tuples of alternative tags) must have a text; a missing one is an error."""
        ok = True
        for alternatives in names:
            if not _text(element, *alternatives):
                self.error(
                    _("Champ obligatoire manquant : %(field)s (%(what)s %(id)s).")
                    % {"field": alternatives[0], "what": what, "id": ident},
                    file,
                    element.sourceline or 0,
                )
                ok = False
        return ok

    def _keyed(
        self, table: dict, ident: str | tuple[str, str], item: Item, element: etree._Element, attr: str, what: str
    ) -> bool:
        if not ident:
            self.error(
                _("Attribut obligatoire manquant : %(attr)s (%(what)s).") % {"attr": attr, "what": what},
                item.file,
                item.line,
            )
            return False
        seen = table.get(ident)
        if seen is not None:
            self.error(
                _("Identifiant en double « %(id)s » (déjà dans %(file)s, ligne %(line)s).")
                % {"id": ident, "file": seen.file, "line": seen.line},
                item.file,
                item.line,
            )
            return False
        table[ident] = item
        return True

    # --- one file ------------------------------------------------------------------------------------
    def file(self, source: Source) -> None:
        try:
            root, described = _parse(source)
        except AafError as error:
            error.file = error.file or source.name
            self.aaf.errors.append(error)
            self.aaf.files.append({"name": source.name, "sha256": "", "bytes": 0, "kind": ""})
            return
        tag = root.tag if isinstance(root.tag, str) else ""
        expected = ROOTS.get(self.fixed or "", (STUDENTS, GUARDIANS, STS))
        described["kind"] = KIND_NAMES.get(tag, "")
        self.aaf.files.append(described)
        if tag not in expected:
            if tag in FEED_OF:
                message = _("Ce fichier est un export %(kind)s : importez-le avec « cartable %(command)s ».") % {
                    "kind": KIND_NAMES[tag],
                    "command": COMMANDS[FEED_OF[tag]],
                }
            else:
                message = _("Racine inattendue « %(root)s » : %(expected)s attendue.") % {
                    "root": tag,
                    "expected": " ou ".join(expected),
                }
            self.error(message, source.name, root.sourceline or 1)
            return
        if self.feed is None:
            self.feed = FEED_OF[tag]
        elif FEED_OF[tag] != self.feed:
            self.error(
                _("Le lot mêle des exports SIECLE et STS-web : importez-les séparément."),
                source.name,
                root.sourceline or 1,
            )
            return
        if tag in self.export.roots:
            self.error(
                _("Le lot contient deux exports du même type (déjà %(file)s).") % {"file": self.export.roots[tag]},
                source.name,
                root.sourceline or 1,
            )
            return
        self.export.roots[tag] = source.name
        uaj = root.find("PARAMETRES/UAJ")
        code = "" if uaj is None else (uaj.get("CODE") or uaj.text or "").strip().upper()
        if not code:
            self.error(
                _("UAJ manquant (PARAMETRES/UAJ)."), source.name, (uaj if uaj is not None else root).sourceline or 1
            )
            return
        if not UAI.match(code):
            self.error(
                _("UAI invalide « %(uai)s » : sept chiffres et une lettre.") % {"uai": code},
                source.name,
                uaj.sourceline or 1,
            )
            return
        self.export.uaj.append((code, source.name, uaj.sourceline or 1))
        {STUDENTS: self._students, GUARDIANS: self._guardians, STS: self._sts}[tag](root, source.name)

    def _students(self, root: etree._Element, name: str) -> None:
        export, ines = self.export, dict[str, int]()
        for element in root.iterfind("DONNEES/ELEVES/ELEVE"):
            ident = (element.get("ELEVE_ID") or "").strip()
            item = Item(
                {
                    "ine": _text(element, "ID_NATIONAL"),
                    "last": _text(element, "NOM_USAGE", "NOM_DE_FAMILLE", "NOM"),
                    "first": _text(element, "PRENOM"),
                    "born": _text(element, "DATE_NAISS"),
                    "left": _text(element, "DATE_SORTIE"),
                },
                name,
                element.sourceline or 0,
            )
            if not self._required(element, name, _("élève"), ident, ("NOM_DE_FAMILLE", "NOM"), ("PRENOM",)):
                continue
            if item.values["left"]:
                try:
                    if parser.date(item.values["left"]) < self.today:  # type: ignore[operator]
                        continue  # left the establishment: no longer one of its students
                except ValueError:
                    self.error(
                        _("Date illisible « %(value)s » : jj/mm/aaaa attendu.") % {"value": item.values["left"]},
                        name,
                        item.line,
                    )
                    continue
            if not self._keyed(export.students, ident, item, element, "ELEVE_ID", _("élève")):
                continue
            ine = item.values["ine"]
            if ine and ine in ines:
                self.error(
                    _("INE en double « %(ine)s » (déjà ligne %(line)s).") % {"ine": ine, "line": ines[ine]},
                    name,
                    item.line,
                )
            ines[ine] = item.line
            item.lists["classes"], item.lists["groups"] = [], []
        for element in root.iterfind("DONNEES/STRUCTURES/STRUCTURES_ELEVE"):
            student = export.students.get((element.get("ELEVE_ID") or "").strip())
            if student is None:
                continue  # a student who left, or one the export lists no identity for
            for structure in element.iterfind("STRUCTURE"):
                code, kind = _text(structure, "CODE_STRUCTURE"), _text(structure, "TYPE_STRUCTURE").upper()
                if code and code.lower() != "inactifs":
                    student.lists["classes" if kind == "D" else "groups"].append(code)

    def _guardians(self, root: etree._Element, name: str) -> None:
        export = self.export
        addresses = {}
        for element in root.iterfind("DONNEES/ADRESSES/ADRESSE"):
            lines = [_text(element, f"LIGNE{n}_ADRESSE") for n in (1, 2, 3, 4)]
            addresses[(element.get("ADRESSE_ID") or "").strip()] = {
                "address": ", ".join(line for line in lines if line),
                "postal_code": _text(element, "CODE_POSTAL"),
                "city": _text(element, "LIBELLE_POSTAL", "LL_COMMUNE_INSEE", "COMMUNE_ETRANGERE"),
                "country": _text(element, "LL_PAYS"),
            }
        for element in root.iterfind("DONNEES/PERSONNES/PERSONNE"):
            ident = (element.get("PERSONNE_ID") or "").strip()
            if not self._required(element, name, _("personne"), ident, ("NOM_DE_FAMILLE", "NOM"), ("PRENOM",)):
                continue
            address = addresses.get(_text(element, "ADRESSE_ID"), {})
            item = Item(
                {
                    "last": _text(element, "NOM_USAGE", "NOM_DE_FAMILLE", "NOM"),
                    "first": _text(element, "PRENOM"),
                    "title": _text(element, "LC_CIVILITE"),
                    "mail": _text(element, "MEL"),
                    "phone": _text(element, "TEL_PERSONNEL", "TEL_PROFESSIONNEL"),
                    "mobile": _text(element, "TEL_PORTABLE"),
                    **address,
                },
                name,
                element.sourceline or 0,
            )
            self._keyed(export.persons, ident, item, element, "PERSONNE_ID", _("personne"))
        for element in root.iterfind("DONNEES/RESPONSABLES/RESPONSABLE_ELEVE"):
            item = Item(
                {
                    "student": _text(element, "ELEVE_ID"),
                    "person": _text(element, "PERSONNE_ID"),
                    "legal": _text(element, "RESP_LEGAL") or "0",
                    "kinship": _text(element, "CODE_PARENTE"),
                    "contact": _text(element, "PERS_CONTACT") or "0",
                },
                name,
                element.sourceline or 0,
            )
            for tag, key in (("ELEVE_ID", "student"), ("PERSONNE_ID", "person")):
                if not item.values[key]:
                    self.error(
                        _("Champ obligatoire manquant : %(field)s (RESPONSABLE_ELEVE).") % {"field": tag},
                        name,
                        item.line,
                    )
            if item.values["student"] and item.values["person"]:
                export.links.append(item)

    def _sts(self, root: etree._Element, name: str) -> None:
        export = self.export
        for element in root.iterfind("DONNEES/NOMENCLATURES/MATIERES/MATIERE"):
            item = Item(
                {
                    "code": _text(element, "CODE_GESTION") or (element.get("CODE") or "").strip(),
                    "label": _text(element, "LIBELLE_EDITION", "LIBELLE_LONG", "LIBELLE_COURT"),
                },
                name,
                element.sourceline or 0,
            )
            self._keyed(export.subjects, (element.get("CODE") or "").strip(), item, element, "CODE", _("matière"))
        heads: dict[str, list[str]] = {}
        services: list[tuple[str, str, str, str, int]] = []  # (teacher, kind, unit, subject, line)
        for kind, path in (("class", "DIVISIONS/DIVISION"), ("group", "GROUPES/GROUPE")):
            for element in root.iterfind(f"DONNEES/STRUCTURE/{path}"):
                code = (element.get("CODE") or "").strip()
                item = Item({"code": code}, name, element.sourceline or 0)
                item.lists["classes"] = [
                    (d.get("CODE") or "").strip()
                    for d in element.iterfind("DIVISIONS_APPARTENANCE/DIVISION_APPARTENANCE")
                    if (d.get("CODE") or "").strip()
                ]
                what = _("division") if kind == "class" else _("groupe")
                if not self._keyed(export.units, (kind, code) if code else "", item, element, "CODE", what):
                    continue
                for service in element.iterfind("SERVICES/SERVICE"):
                    subject = (service.get("CODE_MATIERE") or "").strip()
                    for teacher in service.iterfind("ENSEIGNANTS/ENSEIGNANT"):
                        services.append(
                            ((teacher.get("ID") or "").strip(), kind, code, subject, teacher.sourceline or 0)
                        )
                        if (teacher.get("PRINCIPAL") or "").upper() in ("O", "OUI", "1") and kind == "class":
                            heads.setdefault((teacher.get("ID") or "").strip(), []).append(code)
                for head in element.iterfind("PROFESSEURS_PRINCIPAUX/PROFESSEUR_PRINCIPAL"):
                    heads.setdefault((head.get("ID") or _text(head, "ID")).strip(), []).append(code)
        for element in root.iterfind("DONNEES/INDIVIDUS/INDIVIDU"):
            ident = (element.get("ID") or "").strip()
            if not self._required(element, name, _("individu"), ident, ("NOM_USAGE", "NOM_PATRONYMIQUE"), ("PRENOM",)):
                continue
            item = Item(
                {
                    "last": _text(element, "NOM_USAGE", "NOM_PATRONYMIQUE"),
                    "first": _text(element, "PRENOM"),
                    "title": CIVILITIES.get(_text(element, "CIVILITE"), _text(element, "CIVILITE")),
                    "born": _text(element, "DATE_NAISS"),
                    "function": _text(element, "FONCTION"),
                    "discipline": _text(element, "DISCIPLINES/DISCIPLINE/LIBELLE_COURT"),
                },
                name,
                element.sourceline or 0,
            )
            if not self._keyed(export.people, ident, item, element, "ID", _("individu")):
                continue
            item.lists["heads"] = [
                _text(p, "CODE_STRUCTURE")
                for p in element.iterfind("PROFS_PRINC/PROF_PRINC")
                if _text(p, "CODE_STRUCTURE")
            ]
            item.lists["services"] = []
        for teacher, kind, unit, subject, line in services:
            person = export.people.get(teacher)
            if person is None:
                self.error(_("Enseignant inconnu « %(id)s » (absent d'INDIVIDUS).") % {"id": teacher}, name, line)
            elif subject not in export.subjects:
                self.error(_("Matière inconnue « %(code)s » (absente de MATIERES).") % {"code": subject}, name, line)
            else:
                person.lists["services"].append((kind, unit, subject))
        for teacher, codes in heads.items():
            if teacher in export.people:
                export.people[teacher].lists["heads"].extend(codes)


def _born(value: str) -> str:
    """A birth date as the plan reads it (``dd/mm/yyyy``): STS-web writes ``yyyy-mm-dd``."""
    try:
        if "-" not in value:
            return value
        day = dt.date.fromisoformat(value)
        return f"{day.day:02d}/{day.month:02d}/{day.year:04d}"
    except ValueError:
        return value


def _requests(reader: _Reader) -> None:
    """The export as requests of the plan, one per person."""
    aaf, export = reader.aaf, reader.export
    uai = aaf.uai
    present = set(export.roots)

    def add(request: Request) -> None:
        aaf.people[request.ident] = request

    links: dict[str, list[str]] = {}
    for link in export.links:
        values = link.values
        if values["person"] not in export.persons:
            reader.error(
                _("Responsable inconnu « %(id)s » (absent de PERSONNES).") % {"id": values["person"]},
                link.file,
                link.line,
            )
            continue
        if STUDENTS in present and values["student"] not in export.students:
            continue  # a student who left: their guardians' links go with them
        # id $ kinship $ financial $ legal $ contact $ payment, as AAF's ENTElevePersRelEleve.
        links.setdefault(values["student"], []).append(
            f"resp-{values['person']}${values['kinship']}$0${values['legal']}${values['contact']}$0"
        )
    for ident, item in export.students.items():
        values = item.values
        attrs = {
            "ENTPersonJointure": [f"eleve-{ident}"],
            "sn": [values["last"]],
            "givenName": [values["first"]],
            "ENTPersonDateNaissance": [values["born"]],
            "INE": [values["ine"]],
            "ENTPersonStructRattach": [uai],
            "ENTEleveClasses": [f"{uai}${c}" for c in item.lists["classes"]],
            "ENTEleveGroupes": [f"{uai}${g}" for g in item.lists["groups"]],
        }
        parts = PERSON_PARTS - {"teaching_classes", "teaching_groups", "heads"}
        if GUARDIANS in present:
            attrs["ENTElevePersRelEleve"] = links.get(ident, [])
        else:
            parts -= {"guardians"}
        add(Request("add", "Eleve", f"eleve-{ident}", attrs, item.file, item.line, frozenset(parts)))
    if GUARDIANS in present and STUDENTS not in present:
        aaf.delta = True  # the guardians' export alone: only the students' links to them change
        first_line = {link.values["student"]: link for link in reversed(export.links)}
        for ident, listed in links.items():
            where = first_line[ident]
            add(Request("modify", "Eleve", f"eleve-{ident}", {"ENTElevePersRelEleve": listed}, where.file, where.line))
    for ident, item in export.persons.items():
        values = item.values
        attrs = {
            "ENTPersonJointure": [f"resp-{ident}"],
            "sn": [values["last"]],
            "givenName": [values["first"]],
            "personalTitle": [values["title"]],
            "mail": [values["mail"]],
            "telephoneNumber": [values["phone"]],
            "mobile": [values["mobile"]],
            "ENTPersonAdresse": [values.get("address", "")],
            "ENTPersonCodePostal": [values.get("postal_code", "")],
            "ENTPersonVille": [values.get("city", "")],
            "ENTPersonPays": [values.get("country", "")],
        }
        add(Request("add", "PersRelEleve", f"resp-{ident}", attrs, item.file, item.line))
    for kind, code in export.units:
        aaf.units.append((kind, code, export.units[(kind, code)].lists["classes"]))
    for ident, item in export.people.items():
        values = item.values
        services = item.lists["services"]
        subject = export.subjects
        attrs = {
            "ENTPersonJointure": [f"ind-{ident}"],
            "sn": [values["last"]],
            "givenName": [values["first"]],
            "personalTitle": [values["title"]],
            "ENTPersonDateNaissance": [_born(values["born"])],
            "ENTPersonFonctions": [f"{uai}${values['function']}${values['function']}$${values['discipline']}"]
            if values["function"]
            else [],
            "ENTAuxEnsClassesMatieres": [
                f"{uai}${unit}${subject[s].values['code']}${subject[s].values['label']}"
                for kind, unit, s in services
                if kind == "class"
            ],
            "ENTAuxEnsGroupesMatieres": [
                f"{uai}${unit}${subject[s].values['code']}${subject[s].values['label']}"
                for kind, unit, s in services
                if kind == "group"
            ],
            "ENTAuxEnsClassesPrincipal": [f"{uai}${c}" for c in dict.fromkeys(item.lists["heads"])],
        }
        parts = PERSON_PARTS - {"classes", "groups", "guardians"}
        add(Request("add", "PersEducNat", f"ind-{ident}", attrs, item.file, item.line, frozenset(parts)))


def read_set(
    sources: list[Source], *, feed: str | None = None, uai: str = "", on_file: Callable[[int], None] | None = None
) -> AafSet:
    """Every file of a SIECLE or STS-web set read; the establishment is the ``UAJ`` they share (and ``uai``
    when given); problems collected with their file and line, nothing looked up yet."""
    aaf = AafSet(feed=feed or "siecle")
    reader = _Reader(aaf, feed)
    if not sources:
        aaf.errors.append(AafError(_("Aucun fichier XML dans ce qui a été donné.")))
    for number, source in enumerate(sources, start=1):
        reader.file(source)
        if on_file is not None:
            on_file(number)
    aaf.feed = reader.feed or aaf.feed
    codes = {code for code, _f, _l in reader.export.uaj}
    if uai and codes and codes != {uai.upper()}:
        code, file, line = next(u for u in reader.export.uaj if u[0] != uai.upper())
        aaf.errors.append(
            AafError(
                _("UAJ « %(uaj)s » : ce n'est pas l'établissement attendu (%(uai)s).")
                % {"uaj": code, "uai": uai.upper()},
                file=file,
                line=line,
            )
        )
    elif len(codes) > 1:
        code, file, line = reader.export.uaj[-1]
        aaf.errors.append(
            AafError(
                _("Les fichiers du lot sont de plusieurs établissements (%(codes)s) : un lot par établissement.")
                % {"codes": ", ".join(sorted(codes))},
                file=file,
                line=line,
            )
        )
    aaf.uai = next(iter(codes), uai.upper())
    if reader.export.uaj:
        aaf.uai_at = reader.export.uaj[0][1:]
    if not aaf.errors:
        _requests(reader)
        if not aaf.people and not aaf.units:
            aaf.errors.append(AafError(_("Le lot ne contient aucune entrée."), file=aaf.files[0]["name"], line=1))
    return aaf
