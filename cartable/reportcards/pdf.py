"""The report card's PDF layout (reportlab), drawn from a report card's stored data only.

A4 portrait: the establishment and the period in a header, the student and their class, one table row per
subject (teacher, the student's average, the class average, minimum, maximum, appreciation), the overall
average, absences and lateness, the head teacher's general appreciation, the council's decision and mention,
and the rounding rule as a footnote. Numbers are printed as stored (French decimal comma).
"""

from __future__ import annotations

import io
from xml.sax.saxutils import escape

from django.utils.translation import gettext as _
from django.utils.translation import ngettext
from reportlab.lib import colors
from reportlab.lib.enums import TA_CENTER
from reportlab.lib.pagesizes import A4
from reportlab.lib.styles import ParagraphStyle, getSampleStyleSheet
from reportlab.lib.units import mm
from reportlab.platypus import Paragraph, SimpleDocTemplate, Spacer, Table, TableStyle

from cartable.core import french

_STYLES = getSampleStyleSheet()
BODY = ParagraphStyle("body", parent=_STYLES["Normal"], fontName="Helvetica", fontSize=8.5, leading=10.5)
SMALL = ParagraphStyle("small", parent=BODY, fontSize=7, leading=8.5, textColor=colors.HexColor("#333333"))
CELL = ParagraphStyle("cell", parent=BODY, fontSize=8, leading=9.5)
NUM = ParagraphStyle("num", parent=CELL, alignment=TA_CENTER)
TITLE = ParagraphStyle("title", parent=BODY, fontName="Helvetica-Bold", fontSize=13, leading=16)
HEAD = ParagraphStyle("head", parent=BODY, fontName="Helvetica-Bold", fontSize=9.5, leading=12, spaceBefore=4)
COLUMN = ParagraphStyle("column", parent=CELL, fontName="Helvetica-Bold", fontSize=7.5, leading=9)
GREY = colors.HexColor("#e8ecf2")


def decimal_text(value: str | None) -> str:
    """``"12.35"`` -> ``"12,35"``; no value -> an em dash."""
    return "—" if value in (None, "") else str(value).replace(".", ",")


def _p(text: str, style=CELL) -> Paragraph:
    return Paragraph(escape(text or "").replace("\n", "<br/>"), style)


def render(data: dict, *, version: int = 1, replaces: int | None = None) -> bytes:
    """The PDF of one report card."""
    buffer = io.BytesIO()
    student = data["student"]
    doc = SimpleDocTemplate(
        buffer,
        pagesize=A4,
        leftMargin=14 * mm,
        rightMargin=14 * mm,
        topMargin=12 * mm,
        bottomMargin=12 * mm,
        title=_("Bulletin %(name)s — %(period)s")
        % {"name": french.de(f"{student['first_name']} {student['last_name']}"), "period": data["period"]},
        author=data["establishment"],
        subject=_("Bulletin scolaire"),
    )
    story: list = []
    header = Table(
        [
            [
                _p(f"{data['establishment']}\n{data['establishment_city']} — UAI {data['uai']}", BODY),
                _p(
                    _("Bulletin du %(period)s\nAnnée scolaire %(year)s")
                    % {"period": data["period"], "year": data["school_year"]},
                    HEAD,
                ),
            ]
        ],
        colWidths=[100 * mm, 82 * mm],
    )
    header.setStyle(TableStyle([("VALIGN", (0, 0), (-1, -1), "TOP")]))
    story += [header, Spacer(1, 3 * mm)]
    story.append(_p(f"{student['last_name'].upper()} {student['first_name']}", TITLE))
    who = _("Classe : %(class)s") % {"class": data["class"]}
    if data.get("birth_date"):
        who += " — " + _("Né(e) le %(date)s") % {"date": data["birth_date"]}
    if data.get("head_teacher"):
        who += " — " + _("Professeur principal : %(name)s") % {"name": data["head_teacher"]}
    story += [_p(who, BODY)]
    if version > 1:
        story.append(
            _p(
                _("Version %(version)s : remplace la version %(old)s.")
                % {"version": version, "old": replaces or version - 1},
                SMALL,
            )
        )
    story.append(Spacer(1, 3 * mm))

    rows = [
        [
            _p(_("Discipline"), COLUMN),
            _p(_("Élève"), COLUMN),
            _p(_("Classe"), COLUMN),
            _p(_("Min."), COLUMN),
            _p(_("Max."), COLUMN),
            _p(_("Appréciation"), COLUMN),
        ]
    ]
    for row in data["subjects"]:
        rows.append(
            [
                Paragraph(f"<b>{escape(row['subject'])}</b><br/>{escape(row['teacher'] or '')}", CELL),
                _p(decimal_text(row["average"]), NUM),
                _p(decimal_text(row["class_average"]), NUM),
                _p(decimal_text(row["minimum"]), NUM),
                _p(decimal_text(row["maximum"]), NUM),
                _p(row["appreciation"]),
            ]
        )
    overall = data["overall"]
    rows.append(
        [
            Paragraph(f"<b>{escape(_('Moyenne générale'))}</b>", CELL),
            Paragraph(f"<b>{decimal_text(overall['average'])}</b>", NUM),
            _p(decimal_text(overall["class_average"]), NUM),
            _p(decimal_text(overall["minimum"]), NUM),
            _p(decimal_text(overall["maximum"]), NUM),
            _p(""),
        ]
    )
    table = Table(rows, colWidths=[42 * mm, 14 * mm, 14 * mm, 13 * mm, 13 * mm, 86 * mm], repeatRows=1)
    table.setStyle(
        TableStyle(
            [
                ("GRID", (0, 0), (-1, -1), 0.4, colors.HexColor("#7a8699")),
                ("BACKGROUND", (0, 0), (-1, 0), GREY),
                ("BACKGROUND", (0, -1), (-1, -1), GREY),
                ("VALIGN", (0, 0), (-1, -1), "MIDDLE"),
                ("TOPPADDING", (0, 0), (-1, -1), 2),
                ("BOTTOMPADDING", (0, 0), (-1, -1), 2),
            ]
        )
    )
    story += [table, Spacer(1, 3 * mm)]

    absences = data["absences"]
    absent, unjustified = absences["absent_half_days"], absences["unjustified_half_days"]
    absence_text = (
        ngettext("Absences : %(absent)s demi-journée", "Absences : %(absent)s demi-journées", absent)
        % {"absent": absent}
        + ngettext(", dont %(unjustified)s non justifiée.", ", dont %(unjustified)s non justifiées.", unjustified)
        % {"unjustified": unjustified}
        + " "
        + _("Retards : %(late)s.") % {"late": absences["lateness"]}
    )
    story.append(_p(absence_text, BODY))
    story.append(_p(_("Appréciation générale"), HEAD))
    story.append(_p(data.get("general_appreciation") or "—", BODY))
    story.append(_p(_("Décision du conseil de classe"), HEAD))
    decision = data.get("mention_label") or ""
    if data.get("decision"):
        decision = f"{decision} — {data['decision']}" if decision else data["decision"]
    story.append(_p(decision or "—", BODY))
    story += [Spacer(1, 4 * mm), _p(data["rounding_rule"], SMALL)]
    doc.build(story)
    return buffer.getvalue()
