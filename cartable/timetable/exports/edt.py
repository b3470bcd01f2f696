"""EDT (Index Éducation): the course export ``EXP_COURS.xml``.

Its root is ``<TABLE nom="Cours">``; each ``<Cours>`` holds one course of one teacher as child elements:
``JOUR`` (« lundi »), ``H.DEBUT`` (« 08h00 »), ``DUREE`` (« 1h00 »), ``FREQUENCE`` (« H » every week,
« Q1 » / « Q2 » the two fortnights), ``ALTERNANCE``, ``MAT_CODE``, ``MAT_LIBELLE``, ``PROF_NOM``,
``PROF_PRENOM``, ``CLASSE`` (a class, or a group's name), ``SALLE``, and others we do not need
(``NUMERO``, ``MODALITE``, ``CO-ENS.``, ``POND.``, ``EFFECTIF``). Every course is checked; each problem
names its line.
"""

from __future__ import annotations

from django.utils.translation import gettext as _

from cartable.core.french import fold
from cartable.timetable.exports import Course, Problem, Reading, unknown_format
from cartable.timetable.exports.xml import ExportError, add_minutes, minutes_of, parse, time_of

ROOT = "TABLE"
COURSE = "Cours"
DAYS = {"lundi": 0, "mardi": 1, "mercredi": 2, "jeudi": 3, "vendredi": 4, "samedi": 5}


def _text(element, tag: str) -> str:
    return (element.findtext(tag) or "").strip()


def read(name: str, data: bytes) -> Reading:
    """The courses of an EDT export; a file that is no EDT export at all is one error."""
    reading = Reading("edt")
    try:
        root = parse(name, data)
    except ExportError as error:
        reading.errors.append(error.problem)
        return reading
    if root.tag.upper() != ROOT or not any(child.tag == COURSE for child in root):
        reading.format = ""
        reading.errors.append(unknown_format(name, root.sourceline or 1))
        return reading
    for element in root.iterchildren(COURSE):
        course = _course(element, name, reading.errors)
        if course is not None:
            reading.courses.append(course)
    if not reading.courses and not reading.errors:
        reading.errors.append(Problem(_("Le fichier ne contient aucun cours."), name, root.sourceline or 1))
    return reading


def _course(element, name: str, errors: list[Problem]) -> Course | None:
    line = element.sourceline or 0
    problems = []
    day = _text(element, "JOUR")
    weekday = DAYS.get(fold(day))
    if weekday is None:
        problems.append(_("Jour inconnu « %(value)s » : lundi à samedi.") % {"value": day})
    begin = _text(element, "H.DEBUT")
    start = time_of(begin)
    if start is None:
        problems.append(_("Heure de début illisible « %(value)s » : 08h00 attendu.") % {"value": begin})
    length = _text(element, "DUREE")
    minutes = minutes_of(length)
    if not minutes:
        problems.append(_("Durée illisible « %(value)s » : 1h00 attendu.") % {"value": length})
    end = add_minutes(start, minutes) if start and minutes else None
    if start and minutes and end is None:
        problems.append(_("Le cours finirait après minuit."))
    last, first = _text(element, "PROF_NOM"), _text(element, "PROF_PRENOM")
    if not last:
        problems.append(_("Enseignant manquant (PROF_NOM)."))
    audience = _text(element, "CLASSE")
    if not audience:
        problems.append(_("Classe ou groupe manquant (CLASSE)."))
    code, label = _text(element, "MAT_CODE"), _text(element, "MAT_LIBELLE")
    if not code and not label:
        problems.append(_("Matière manquante (MAT_CODE)."))
    room = _text(element, "SALLE")
    if len(room) > 60:
        problems.append(_("Nom de salle trop long (60 caractères au plus)."))
    frequency, alternation = _text(element, "FREQUENCE"), _text(element, "ALTERNANCE")
    pattern = frequency or alternation
    if frequency and alternation and fold(frequency) != fold(alternation):
        pattern = f"{frequency} / {alternation}"  # two different answers: reported, never chosen between
    errors.extend(Problem(message, name, line) for message in problems)
    if problems or weekday is None or start is None or end is None:
        return None
    return Course(
        file=name,
        line=line,
        teacher_last=last,
        teacher_first=first,
        audience=audience,
        subject_code=code,
        subject_label=label,
        room=room,
        weekday=weekday,
        start=start,
        end=end,
        pattern=pattern or "H",
    )
