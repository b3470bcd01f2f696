"""Small invented exports of timetable software over the persona collège, in the true layouts.

``edt_xml(courses)``: EDT's course export (``EXP_COURS.xml``: ``<TABLE nom="Cours">`` of ``<Cours>`` with
child elements), in the encoding given (ISO-8859-15 by default, as EDT writes it, with « œ » in a room).
``udt_zip(first_monday, weeks, courses)``: UDT's ENT export, a zip of ``UDCal_NN.xml`` tables (rows as
attributes), with one ``UDCal_12_NN.xml`` per published week so that A/B weeks show in the data.

The default courses (``EDT_COURSES``, ``UDT_COURSES``) are the persona collège's: 5e A's maths
(paul.dupont) Monday 8:00 in B12, French (sophie.bernard) Tuesday 9:00 in C3, Friday 10:00 maths on A weeks
and French on B weeks, Latin (the « Latin 5e » group, sophie.bernard) Thursday 15:00 in « Salle du Cœur ».
"""

from __future__ import annotations

import datetime as dt
import io
import zipfile
from xml.sax.saxutils import escape, quoteattr

# --- EDT ---------------------------------------------------------------------------------------------

EDT_COURSES = [
    # jour, début, durée, fréquence, code matière, libellé, nom, prénom, classe, salle
    ("lundi", "08h00", "1h00", "H", "MATH", "MATHEMATIQUES", "DUPONT", "Paul", "5E A", "B12"),
    ("mardi", "  09h00", "1h00", "H", "FRA", "FRANCAIS", "BERNARD", "Sophie", "5e A", "C3"),
    ("vendredi", "10h00", "1h00", "Q1", "MATH", "MATHEMATIQUES", "DUPONT", "Paul", "5e A", "B12"),
    ("vendredi", "10h00", "1h00", "Q2", "FRA", "FRANCAIS", "BERNARD", "Sophie", "5e A", "C3"),
    ("jeudi", "15h00", "1h00", "H", "LAT", "LATIN", "BERNARD", "Sophie", "Latin 5e", "Salle du Cœur"),
]
UNKNOWN_TEACHER = ("mercredi", "10h00", "1h00", "H", "HG", "HISTOIRE-GEO", "MARTIN", "Jean", "4e B", "B12")
BAD_PATTERN = ("mercredi", "14h00", "1h00", "T1", "MATH", "MATHEMATIQUES", "DUPONT", "Paul", "5e A", "B12")
FIELDS = (
    "JOUR",
    "H.DEBUT",
    "DUREE",
    "FREQUENCE",
    "MAT_CODE",
    "MAT_LIBELLE",
    "PROF_NOM",
    "PROF_PRENOM",
    "CLASSE",
    "SALLE",
)


def edt_xml(courses=EDT_COURSES, *, encoding: str = "ISO-8859-15") -> bytes:
    """An ``EXP_COURS.xml``: one ``<Cours>`` per course, each field on its own line (so each course's line is
    the line of its ``<Cours>``: 3 for the first, then every 15 lines)."""
    out = [f'<?xml version="1.0" encoding="{encoding}"?>', '<TABLE nom="Cours">']
    for number, course in enumerate(courses, start=1):
        values = dict(zip(FIELDS, course, strict=True))
        out.append(f'  <Cours numero="{number}">')
        out.append(f"    <NUMERO>{number}</NUMERO>")
        for name in FIELDS:
            out.append(f"    <{name}>{escape(values[name])}</{name}>")
        out.append(f"    <ALTERNANCE>{escape(values['FREQUENCE'])}</ALTERNANCE>")
        out.append("    <MODALITE>CG</MODALITE>")
        out.append("  </Cours>")
    out.append("</TABLE>")
    return ("\n".join(out) + "\n").encode(encoding)


def edt_line(index: int) -> int:
    """The line of the ``index``-th course (0-based) of ``edt_xml``."""
    return 3 + 15 * index


# --- UDT ---------------------------------------------------------------------------------------------

# code, nom, prénom, epj (the AAF jointure; sophie.bernard's is left out: she is matched by name)
UDT_TEACHERS = [("P1", "DUPONT", "Paul", "JT-PAUL"), ("P2", "BERNARD", "Sophie", ""), ("P9", "MARTIN", "Jean", "")]
UDT_SUBJECTS = [("MATH", "MATHEMATIQUES"), ("FRAN", "Français"), ("LATI", "Latin"), ("HIST", "Histoire-géographie")]
UDT_CLASSES = [("5EA", "5e A"), ("4EB", "4e B")]
UDT_GROUPS = [("5EA", "LAT", "Latin 5e")]  # code_div, code, code_sts
UDT_ROOMS = [("S12", "B12"), ("S03", "C3"), ("S40", "Salle du Cœur")]

# jour (1 = lundi), first half-sequence, number of half-sequences, subject, teacher, class, group, room,
# weeks: "all", "A", "B", or a tuple of week indexes (0-based) among the published weeks
UDT_COURSES = [
    (1, 1, 2, "MATH", "P1", "5EA", "", "S12", "all"),
    (2, 3, 2, "FRAN", "P2", "5EA", "", "S03", "all"),
    (5, 5, 2, "MATH", "P1", "5EA", "", "S12", "A"),
    (5, 5, 2, "FRAN", "P2", "5EA", "", "S03", "B"),
    (4, 15, 2, "LATI", "P2", "5EA", "LAT", "S40", "all"),
]
UDT_UNKNOWN_TEACHER = (3, 5, 2, "HIST", "P9", "4EB", "", "S12", "all")
UDT_BAD_PATTERN = (3, 13, 2, "MATH", "P1", "5EA", "", "S12", (0, 1, 2))


def half_sequence_start(number: int) -> dt.time:
    """Half-sequences of thirty minutes from 8:00: 1 is 8:00–8:30, 3 is 9:00–9:30, 15 is 15:00–15:30."""
    minutes = 8 * 60 + 30 * (number - 1)
    return dt.time(minutes // 60, minutes % 60)


def _table(rows: list[str]) -> bytes:
    body = "\n".join(f"  {row}" for row in rows)
    return f'<?xml version="1.0" encoding="UTF-8"?>\n<UDT>\n{body}\n</UDT>\n'.encode()


def _row(tag: str, **attrs: str) -> str:
    return f"<{tag} " + " ".join(f"{k}={quoteattr(v)}" for k, v in attrs.items()) + "/>"


def _lines(courses, week: int | None, is_a) -> list[str]:
    rows = []
    for n, (day, first, count, mat, prof, div, gpe, room, weeks) in enumerate(courses):
        if week is not None:
            held = (
                weeks == "all"
                or (weeks == "A" and is_a(week))
                or (weeks == "B" and not is_a(week))
                or (isinstance(weeks, tuple) and week in weeks)
            )
            if not held:
                continue
        for k in range(count):
            seq = first + k
            code = f"{(day - 1) * 30 + seq:03d}{chr(65 + n)}"
            rows.append(
                _row(
                    "ligfiche",
                    code=code,
                    fic=f"{day}{seq:02d}",
                    div=div,
                    mat=mat,
                    prof=prof,
                    salle=room,
                    gpe=gpe,
                    rgpmt="0",
                )
            )
    return rows


def udt_zip(
    *, first_monday: dt.date, year_start: dt.date, weeks: int = 6, courses=UDT_COURSES, a_first: bool = True
) -> bytes:
    """A UDT export publishing ``weeks`` weeks from ``first_monday`` (A weeks first when ``a_first``)."""
    files = {
        "UDCal_00.xml": _table([_row("init", premiere_semaine_ISO=str(year_start.isocalendar()[1]), duree_seq="60")]),
        "UDCal_24.xml": _table(
            [f"<annee>{year_start.year}</annee>", f"<debut_eleve>{year_start:%d/%m/%Y}</debut_eleve>"]
        ),
        "UDCal_03.xml": _table([_row("salle", code=c, nom=n) for c, n in UDT_ROOMS]),
        "UDCal_04.xml": _table([_row("prof", code=c, nom=n, prenom=p, epj=e) for c, n, p, e in UDT_TEACHERS]),
        "UDCal_05.xml": _table([_row("mat", code=c, libelle=label) for c, label in UDT_SUBJECTS]),
        "UDCal_08.xml": _table([_row("div", code=c, libelle=label) for c, label in UDT_CLASSES]),
        "UDCal_19.xml": _table([_row("gpe", code_div=d, code=c, code_sts=s) for d, c, s in UDT_GROUPS]),
    }
    sequences, sheets = [], []
    for day in range(1, 7):
        for seq in range(1, 21):
            start = half_sequence_start(seq)
            end = (dt.datetime.combine(dt.date(2000, 1, 1), start) + dt.timedelta(minutes=30)).time()
            sequences.append(
                _row(
                    "demi_seq",
                    code_jour=str(day),
                    code=f"{seq:02d}",
                    code_site="1",
                    hre_deb=f"{start:%H:%M}",
                    hre_fin=f"{end:%H:%M}",
                )
            )
            sheets.append(_row("fiche", code=f"{day}{seq:02d}", jour=str(day), demi_seq=str(seq), site="1"))
    files["UDCal_07.xml"] = _table(sequences)
    files["UDCal_11.xml"] = _table(sheets)

    def is_a(week: int) -> bool:
        return (week % 2 == 0) == a_first

    files["UDCal_12.xml"] = _table(_lines(courses, None, is_a))
    for week in range(weeks):
        monday = first_monday + dt.timedelta(weeks=week)
        files[f"UDCal_12_{monday.isocalendar()[1]:02d}.xml"] = _table(_lines(courses, week, is_a))
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED) as archive:
        for name, data in files.items():
            archive.writestr(f"export_udt/{name}", data)
    return buffer.getvalue()
