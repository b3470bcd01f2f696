"""Reading a timetable file (the format of docs/timetable-csv.md): every line checked, every error kept.

``parse`` reads the whole file and returns the rows and the errors, line by line; nothing is written.
``actions.import_timetable`` writes the rows, and only when there is no error at all.
"""

from __future__ import annotations

import csv
import datetime as dt
import io
from dataclasses import dataclass, field

from django.utils.translation import gettext as _

from cartable.core.french import fold
from cartable.directory.actor import current
from cartable.directory.models import Establishment, Group, Membership, Role, SchoolClass, Subject, User
from cartable.timetable.models import Weeks

MAX_BYTES = 1_000_000
MAX_LINES = 5_000
COLUMNS = ["jour", "debut", "fin", "matiere", "enseignant", "classe", "salle", "semaines"]
DAYS = {"lundi": 0, "mardi": 1, "mercredi": 2, "jeudi": 3, "vendredi": 4, "samedi": 5}
WEEKS = {"": Weeks.ALL, "toutes": Weeks.ALL, "all": Weeks.ALL, "a": Weeks.A, "b": Weeks.B}


@dataclass
class Row:
    line: int
    weekday: int
    start_time: dt.time
    end_time: dt.time
    subject: Subject
    teacher: User
    school_class: SchoolClass | None
    group: Group | None
    room: str
    weeks: str


@dataclass
class Parsed:
    rows: list[Row] = field(default_factory=list)
    errors: list[tuple[int, str]] = field(default_factory=list)  # (line number, message)

    @property
    def ok(self) -> bool:
        return not self.errors and bool(self.rows)


def _key(text: str) -> str:
    """A header, a day or a name as the import compares them: "Début" and "debut", "Mercredi" and "mercredi"."""
    return fold(text.strip())


def _time(value: str) -> dt.time | None:
    value = value.strip().lower().replace("h", ":")
    if value.endswith(":"):
        value += "00"
    try:
        return dt.datetime.strptime(value, "%H:%M").time()  # noqa: DTZ007  (only the time of day is kept)
    except ValueError:
        return None


def decode(data: bytes) -> str | None:
    """UTF-8 text (a byte order mark is allowed), or None."""
    try:
        return data.decode("utf-8-sig")
    except UnicodeDecodeError:
        return None


def parse(text: str, establishment: Establishment) -> Parsed:
    """Check every line of a timetable file against the establishment's people, subjects and classes."""
    parsed = Parsed()
    lines = text.splitlines()
    if not lines or not lines[0].strip():
        parsed.errors.append((1, _("Le fichier est vide : la première ligne doit nommer les colonnes.")))
        return parsed
    if len(lines) > MAX_LINES + 1:
        parsed.errors.append((1, _("Le fichier a plus de %(n)s lignes.") % {"n": MAX_LINES}))
        return parsed
    delimiter = ";" if lines[0].count(";") >= lines[0].count(",") else ","
    reader = csv.reader(io.StringIO(text), delimiter=delimiter)
    header = [_key(h) for h in next(reader)]
    missing = [c for c in COLUMNS if c not in header]
    if missing:
        parsed.errors.append(
            (
                1,
                _("Colonnes manquantes : %(columns)s. Attendu : %(expected)s.")
                % {"columns": ", ".join(missing), "expected": ";".join(COLUMNS)},
            )
        )
        return parsed
    position = {name: header.index(name) for name in COLUMNS}
    lookups = _Lookups(establishment)
    for number, cells in enumerate(reader, start=2):
        if not any(c.strip() for c in cells):
            continue
        values = {name: (cells[i].strip() if i < len(cells) else "") for name, i in position.items()}
        row, errors = _row(number, values, lookups)
        if row is None:
            parsed.errors.extend((number, e) for e in errors)
        else:
            parsed.rows.append(row)
    if not parsed.rows and not parsed.errors:
        parsed.errors.append((2, _("Le fichier ne contient aucun cours.")))
    return parsed


class _Lookups:
    """The establishment's subjects, teachers, classes and groups, loaded once (four queries)."""

    def __init__(self, establishment: Establishment) -> None:
        eid = establishment.pk
        self.subjects = {_key(s.code): s for s in Subject.objects.filter(establishment_id=eid)}
        teachers = current(Membership.objects.filter(establishment_id=eid, role=Role.TEACHER)).values("person_id")
        self.teachers = {u.username.lower(): u for u in User.objects.filter(pk__in=teachers)}
        self.classes = {_key(c.name): c for c in SchoolClass.objects.filter(establishment_id=eid)}
        self.groups = {_key(g.name): g for g in Group.objects.filter(establishment_id=eid)}


def _row(number: int, v: dict[str, str], lookups: _Lookups) -> tuple[Row | None, list[str]]:
    errors = []
    weekday = DAYS.get(_key(v["jour"]))
    if weekday is None and v["jour"].isdigit() and 1 <= int(v["jour"]) <= 6:
        weekday = int(v["jour"]) - 1
    if weekday is None:
        errors.append(_("Jour inconnu « %(value)s » : lundi à samedi, ou 1 à 6.") % {"value": v["jour"]})
    start, end = _time(v["debut"]), _time(v["fin"])
    if start is None:
        errors.append(_("Heure de début illisible « %(value)s » : HH:MM.") % {"value": v["debut"]})
    if end is None:
        errors.append(_("Heure de fin illisible « %(value)s » : HH:MM.") % {"value": v["fin"]})
    if start and end and end <= start:
        errors.append(_("La fin (%(end)s) doit suivre le début (%(start)s).") % {"start": v["debut"], "end": v["fin"]})
    subject = lookups.subjects.get(_key(v["matiere"]))
    if subject is None:
        errors.append(_("Matière inconnue « %(value)s » (code de matière attendu).") % {"value": v["matiere"]})
    teacher = lookups.teachers.get(v["enseignant"].lower())
    if teacher is None:
        errors.append(_("Enseignant inconnu dans l'établissement « %(value)s ».") % {"value": v["enseignant"]})
    school_class = lookups.classes.get(_key(v["classe"]))
    group = None if school_class else lookups.groups.get(_key(v["classe"]))
    if school_class is None and group is None:
        errors.append(_("Classe ou groupe inconnu « %(value)s ».") % {"value": v["classe"]})
    weeks = WEEKS.get(_key(v["semaines"]))
    if weeks is None:
        errors.append(_("Semaines « %(value)s » : A, B ou toutes.") % {"value": v["semaines"]})
    if len(v["salle"]) > 60:
        errors.append(_("Nom de salle trop long (60 caractères au plus)."))
    if errors or weekday is None or start is None or end is None or subject is None or teacher is None or weeks is None:
        return None, errors
    return Row(number, weekday, start, end, subject, teacher, school_class, group, v["salle"], weeks), []
