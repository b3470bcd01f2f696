"""Reading the exports of timetable software (see docs/timetable-csv.md, « Exports EDT et UDT »).

``read(name, data)`` recognises the format by content — an EDT course export (``EXP_COURS.xml``, root
``TABLE``) or a UDT export (a zip of ``UDCal_*.xml`` tables) — and returns the courses it finds, each
with the file and line it came from, and the errors of the file. Nothing is matched or written here:
``matching`` turns courses into weekly lessons of the establishment, ``plan`` compares them with the
lessons in force, ``actions.import_timetable_export`` writes the difference.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field

from django.conf import settings
from django.utils.translation import gettext as _

from cartable.core import french


@dataclass
class Problem:
    """An error or a warning, in French, with the file and line it concerns."""

    message: str
    file: str = ""
    line: int = 0

    def as_dict(self) -> dict:
        return {"file": self.file, "line": self.line, "message": self.message}

    def __str__(self) -> str:
        where = f"{self.file}, ligne {self.line}" if self.line else self.file
        return f"{where} : {self.message}" if where else self.message


def unknown_format(file: str, line: int = 0) -> Problem:
    """A file that is neither of the two exports read here."""
    return Problem(
        _(
            "Format non reconnu : un export des cours d'EDT (EXP_COURS.xml, racine TABLE) ou un export "
            "d'UDT (archive zip des fichiers UDCal) est attendu."
        ),
        file,
        line,
    )


@dataclass
class Course:
    """One weekly course as the export describes it, not yet matched to the establishment's people."""

    file: str
    line: int
    teacher_last: str
    teacher_first: str
    audience: str  # a class's or a group's name, as the software writes it
    subject_code: str
    subject_label: str
    room: str
    weekday: int  # 0 = Monday … 5 = Saturday
    start: dt.time
    end: dt.time
    teacher_jointure: str = ""  # UDT: the teacher's directory jointure (« epj »), when the export has it
    audience_is_group: bool | None = None  # None: the export does not say (EDT), look for a class then a group
    # EDT: the week pattern's code (« H », « Q1 », « Q2 »…). UDT: the Mondays of the weeks the course is
    # held (``mondays``) among the weeks the export covers (``calendar``); both None for an every-week course.
    pattern: str = ""
    mondays: frozenset[dt.date] | None = None
    calendar: frozenset[dt.date] | None = None

    @property
    def teacher_label(self) -> str:
        return " ".join(p for p in (self.teacher_first, self.teacher_last) if p) or self.teacher_jointure


@dataclass
class Reading:
    format: str  # "edt", "udt", or "" when the file is not recognised
    courses: list[Course] = field(default_factory=list)
    errors: list[Problem] = field(default_factory=list)
    warnings: list[Problem] = field(default_factory=list)


def max_bytes() -> int:
    """The largest export accepted (a setting: ``CARTABLE_TIMETABLE_EXPORT_MAX_BYTES``)."""
    return settings.CARTABLE_TIMETABLE_EXPORT_MAX_BYTES


def looks_like_export(data: bytes) -> bool:
    """Whether a file is an export (XML or zip) rather than a CSV: by its first bytes, never its name."""
    head = data[:512].lstrip(b"\xef\xbb\xbf").lstrip()
    return data[:4] == b"PK\x03\x04" or head.startswith(b"<")


def read(name: str, data: bytes) -> Reading:
    """The courses of an EDT or UDT export, recognised by content; errors name the file and line."""
    from cartable.timetable.exports import edt, udt

    if len(data) > max_bytes():
        return Reading(
            "",
            errors=[
                Problem(
                    _("Le fichier dépasse la taille permise (%(limit)s).") % {"limit": french.size(max_bytes())},
                    name,
                )
            ],
        )
    if data[:4] == b"PK\x03\x04":
        return udt.read(name, data)
    return edt.read(name, data)
