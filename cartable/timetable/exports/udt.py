"""UDT (UnDeuxTEMPS): the ENT export, a zip of ``UDCal_NN.xml`` tables whose rows are elements with attributes.

The tables read (others are ignored):

* ``UDCal_00`` parameters: ``<init premiere_semaine_ISO="…">`` (the ISO number of the year's first week);
* ``UDCal_24`` calendar: ``<debut_eleve>dd/mm/yyyy</debut_eleve>`` (the students' first day);
* ``UDCal_03`` rooms ``<salle code nom>``; ``UDCal_04`` teachers ``<prof code nom prenom epj>`` (``epj``:
  the teacher's directory jointure); ``UDCal_05`` subjects ``<mat code libelle>``;
* ``UDCal_07`` half-sequences ``<demi_seq code_jour code code_site hre_deb hre_fin>``;
* ``UDCal_08`` classes ``<div code libelle>``; ``UDCal_19`` groups ``<gpe code code_div code_sts>``;
  ``UDCal_13`` regroupings ``<rgpmt code nom>``;
* ``UDCal_11`` time sheets ``<fiche code jour demi_seq site>`` (``jour``: 1 = Monday);
* ``UDCal_12`` the theoretical timetable, ``<ligfiche code fic div mat prof salle gpe rgpmt>``: one line per
  half-sequence; the lines of one course (same class, subject, teacher, group) whose codes follow each other
  on one day make one lesson, from its first half-sequence's start to its last one's end;
* ``UDCal_12_NN`` the same lines for the week of ISO number NN, when the export publishes weeks: a course is
  then held in the weeks whose file lists it (every week, A weeks, B weeks, or a pattern we report).
"""

from __future__ import annotations

import datetime as dt
import re
import zipfile
from collections import defaultdict
from dataclasses import dataclass
from io import BytesIO
from pathlib import PurePosixPath

from django.conf import settings
from django.utils.translation import gettext as _

from cartable.core.uploads import archive_overflow
from cartable.timetable.exports import Course, Problem, Reading, unknown_format
from cartable.timetable.exports.xml import ExportError, parse, time_of

REQUIRED = ("04", "05", "07", "08", "11", "12")
WEEKLY = re.compile(r"^udcal_12_(\d{1,2})\.xml$")
NO_GROUP = ("", "0")


@dataclass(frozen=True)
class _Key:
    """What makes lines one course: its class, subject, teacher, group or regrouping."""

    div: str
    mat: str
    prof: str
    gpe: str
    rgpmt: str


def _entries(name: str, data: bytes) -> dict[str, bytes]:
    """The archive's XML files by lower-case base name, once its directory is checked (paths, sizes, ratio)."""
    try:
        archive = zipfile.ZipFile(BytesIO(data))
    except zipfile.BadZipFile:
        raise ExportError(Problem(_("Archive zip illisible."), name)) from None
    with archive:
        for info in archive.infolist():
            path = PurePosixPath(info.filename.replace("\\", "/"))
            if path.is_absolute() or ".." in path.parts:
                raise ExportError(
                    Problem(_("Chemin refusé dans l'archive : %(entry)s.") % {"entry": info.filename}, name)
                )
        overflow = archive_overflow(
            archive,
            max_entries=settings.CARTABLE_TIMETABLE_EXPORT_MAX_ENTRIES,
            max_entry_bytes=settings.CARTABLE_TIMETABLE_EXPORT_MAX_BYTES,
            max_expanded_bytes=settings.CARTABLE_TIMETABLE_EXPORT_MAX_EXPANDED_BYTES,
            max_ratio=settings.CARTABLE_UPLOAD_ZIP_MAX_RATIO,
        )
        if overflow:
            raise ExportError(Problem(_("L'archive se décompresse au-delà des limites permises."), name))
        found = {}
        for info in archive.infolist():
            base = PurePosixPath(info.filename.replace("\\", "/")).name.lower()
            if base.startswith("udcal_") and base.endswith(".xml") and not info.is_dir():
                found[base] = archive.read(info)
        return found


def read(name: str, data: bytes) -> Reading:
    """The courses of a UDT export; a zip without the UDT tables is one error."""
    reading = Reading("udt")
    try:
        files = _entries(name, data)
        if not files:
            reading.format = ""
            reading.errors.append(unknown_format(name))
            return reading
        missing = [f"UDCal_{n}.xml" for n in REQUIRED if f"udcal_{n}.xml" not in files]
        if missing:
            reading.errors.append(
                Problem(_("Tables manquantes dans l'archive : %(files)s.") % {"files": ", ".join(missing)}, name)
            )
            return reading
        _Reader(files, reading).run()
    except ExportError as error:
        reading.errors.append(error.problem)
    return reading


class _Reader:
    def __init__(self, files: dict[str, bytes], reading: Reading) -> None:
        self.files = files
        self.reading = reading

    def rows(self, number: str, tag: str) -> list:
        base = f"udcal_{number}.xml"
        if base not in self.files:
            return []
        return list(parse(f"UDCal_{number}.xml", self.files[base]).iter(tag))

    def error(self, message: str, file: str, line: int) -> None:
        self.reading.errors.append(Problem(message, file, line))

    def run(self) -> None:
        self.rooms = {
            r.get("code", ""): (r.get("nom") or r.get("code") or "").strip() for r in self.rows("03", "salle")
        }
        self.teachers = {p.get("code", ""): p for p in self.rows("04", "prof")}
        self.subjects = {m.get("code", ""): m for m in self.rows("05", "mat")}
        self.classes = {d.get("code", ""): d for d in self.rows("08", "div")}
        self.groups = {(g.get("code_div", ""), g.get("code", "")): g for g in self.rows("19", "gpe")}
        self.regroupings = {r.get("code", ""): r for r in self.rows("13", "rgpmt")}
        self.half_sequences = {}
        for row in self.rows("07", "demi_seq"):
            key = (row.get("code_jour", ""), row.get("code", "").lstrip("0"), row.get("code_site", ""))
            self.half_sequences[key] = (time_of(row.get("hre_deb", "")), time_of(row.get("hre_fin", "")))
        self.sheets = {f.get("code", ""): f for f in self.rows("11", "fiche")}
        theoretical = self.courses("UDCal_12.xml", self.rows("12", "ligfiche"))
        weekly = sorted((int(m.group(1)), base) for base in self.files if (m := WEEKLY.match(base)))
        if not weekly:
            self.reading.courses.extend(theoretical.values())
            return
        mondays = self.mondays([week for week, _base in weekly])
        held: dict[tuple, set[dt.date]] = defaultdict(set)
        found: dict[tuple, Course] = dict(theoretical)
        for week, base in weekly:
            label = f"UDCal_12_{week:02d}.xml"
            lines = list(parse(label, self.files[base]).iter("ligfiche"))
            for identity, course in self.courses(label, lines).items():
                held[identity].add(mondays[week])
                found.setdefault(identity, course)
        calendar = frozenset(mondays.values())
        for identity, course in found.items():
            course.mondays = frozenset(held.get(identity, set()))
            course.calendar = calendar
            self.reading.courses.append(course)

    def mondays(self, weeks: list[int]) -> dict[int, dt.date]:
        """The Monday of each published week: ISO weeks from the first week on are in the year the students
        start, the others in the next one."""
        first = next(iter(self.rows("00", "init")), None)
        start = next(iter(self.rows("24", "debut_eleve")), None)
        first_week = int(first.get("premiere_semaine_ISO", "0") or 0) if first is not None else 0
        try:
            year = dt.datetime.strptime((start.text or "").strip(), "%d/%m/%Y").year if start is not None else 0  # noqa: DTZ007
        except ValueError:
            year = 0
        if not first_week or not year:
            raise ExportError(
                Problem(
                    _(
                        "Semaines publiées sans calendrier : UDCal_00.xml (premiere_semaine_ISO) et UDCal_24.xml "
                        "(debut_eleve) sont nécessaires."
                    )
                )
            )
        try:
            return {w: dt.date.fromisocalendar(year if w >= first_week else year + 1, w, 1) for w in weeks}
        except ValueError:
            raise ExportError(Problem(_("Numéro de semaine impossible dans un nom de fichier UDCal_12_NN."))) from None

    def courses(self, file: str, lines: list) -> dict[tuple, Course]:
        """The courses of a table of lines, merged from consecutive half-sequences, by identity."""
        by_key: dict[_Key, list] = defaultdict(list)
        for line in lines:
            if not (line.get("div") or line.get("gpe") or line.get("rgpmt", "") not in NO_GROUP):
                continue  # a line with no pupils (a duty, a meeting) is no course
            key = _Key(
                line.get("div", ""),
                line.get("mat", ""),
                line.get("prof", ""),
                line.get("gpe", ""),
                line.get("rgpmt", "") if line.get("rgpmt", "") not in NO_GROUP else "",
            )
            by_key[key].append(line)
        result: dict[tuple, Course] = {}
        for key, group in by_key.items():
            for run in self.runs(file, group):
                course = self.course(file, key, run)
                if course is not None:
                    identity = (key, course.weekday, course.start, course.end)
                    result.setdefault(identity, course)
        return result

    def runs(self, file: str, lines: list) -> list[list]:
        """Lines of one course cut into lessons: codes that follow each other (their first three digits) on
        the same day."""
        numbered = []
        for line in lines:
            code = line.get("code", "")
            sheet = self.sheets.get(line.get("fic", ""))
            if not code[:3].isdigit() or sheet is None:
                self.error(
                    _("Ligne de fiche sans code ou fiche inconnue « %(value)s ».") % {"value": line.get("fic", "")},
                    file,
                    line.sourceline or 0,
                )
                continue
            numbered.append((int(code[:3]), sheet.get("jour", ""), line))
        numbered.sort(key=lambda item: item[0])
        runs: list[list] = []
        previous = None
        for number, day, line in numbered:
            if previous is not None and number == previous[0] + 1 and day == previous[1]:
                runs[-1].append(line)
            else:
                runs.append([line])
            previous = (number, day)
        return runs

    def time(self, sheet, file: str, line: int) -> tuple[dt.time | None, dt.time | None]:
        key = (sheet.get("jour", ""), sheet.get("demi_seq", "").lstrip("0"), sheet.get("site", ""))
        if key not in self.half_sequences:
            self.error(
                _("Demi-séquence inconnue « %(value)s » (UDCal_07.xml).") % {"value": sheet.get("demi_seq", "")},
                file,
                line,
            )
            return None, None
        return self.half_sequences[key]

    def course(self, file: str, key: _Key, run: list) -> Course | None:
        first, last = run[0], run[-1]
        line = first.sourceline or 0
        start_sheet, end_sheet = self.sheets[first.get("fic", "")], self.sheets[last.get("fic", "")]
        start, _end = self.time(start_sheet, file, line)
        _start, end = self.time(end_sheet, file, line)
        day = start_sheet.get("jour", "")
        if not day.isdigit() or not 1 <= int(day) <= 6:
            self.error(_("Jour inconnu « %(value)s » : 1 (lundi) à 6 (samedi).") % {"value": day}, file, line)
            return None
        if start is None or end is None or end <= start:
            if start is not None and end is not None:
                self.error(_("La fin doit suivre le début."), file, line)
            return None
        teacher = self.teachers.get(key.prof)
        if teacher is None:
            self.error(_("Enseignant inconnu « %(value)s » (UDCal_04.xml).") % {"value": key.prof}, file, line)
            return None
        subject = self.subjects.get(key.mat)
        if subject is None:
            self.error(_("Matière inconnue « %(value)s » (UDCal_05.xml).") % {"value": key.mat}, file, line)
            return None
        audience, is_group = self.audience(key, file, line)
        if not audience:
            return None
        room_code = first.get("salle", "")
        room = self.rooms.get(room_code, room_code).strip()
        if len(room) > 60:
            self.error(_("Nom de salle trop long (60 caractères au plus)."), file, line)
            return None
        return Course(
            file=file,
            line=line,
            teacher_last=(teacher.get("nom") or "").strip(),
            teacher_first=(teacher.get("prenom") or "").strip(),
            teacher_jointure=(teacher.get("epj") or "").strip(),
            audience=audience,
            audience_is_group=is_group,
            subject_code=key.mat,
            subject_label=(subject.get("libelle") or "").strip(),
            room=room,
            weekday=int(day) - 1,
            start=start,
            end=end,
        )

    def audience(self, key: _Key, file: str, line: int) -> tuple[str, bool]:
        """The name of the class or group the course is for: a regrouping's name, a group's STS code (or its
        class's code followed by its own), else the class's code."""
        if key.rgpmt:
            regrouping = self.regroupings.get(key.rgpmt)
            if regrouping is None:
                self.error(_("Regroupement inconnu « %(value)s » (UDCal_13.xml).") % {"value": key.rgpmt}, file, line)
                return "", True
            return (regrouping.get("nom") or "").strip(), True
        if key.gpe:
            group = self.groups.get((key.div, key.gpe))
            sts = (group.get("code_sts") or "").strip() if group is not None else ""
            return sts or f"{key.div}{key.gpe}", True
        if key.div not in self.classes:
            self.error(_("Classe inconnue « %(value)s » (UDCal_08.xml).") % {"value": key.div}, file, line)
            return "", False
        return key.div, False
