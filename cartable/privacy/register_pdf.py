"""The processing register (RGPD art. 30) as a PDF, from the same lines as its page (reportlab)."""

from __future__ import annotations

import io
from xml.sax.saxutils import escape

from django.utils.translation import gettext as _
from reportlab.lib import colors
from reportlab.lib.pagesizes import A4
from reportlab.lib.styles import ParagraphStyle, getSampleStyleSheet
from reportlab.lib.units import mm
from reportlab.platypus import KeepTogether, Paragraph, SimpleDocTemplate, Spacer, Table, TableStyle

from cartable.privacy.queries import Processing

_STYLES = getSampleStyleSheet()
BODY = ParagraphStyle("body", parent=_STYLES["Normal"], fontName="Helvetica", fontSize=8.5, leading=10.5)
TITLE = ParagraphStyle("title", parent=BODY, fontName="Helvetica-Bold", fontSize=14, leading=18)
APP = ParagraphStyle("app", parent=BODY, fontName="Helvetica-Bold", fontSize=11, leading=14, spaceBefore=8)
WHAT = ParagraphStyle("what", parent=BODY, fontName="Helvetica-Bold", fontSize=9, leading=11)
LABEL = ParagraphStyle("label", parent=BODY, fontName="Helvetica-Bold", fontSize=7.5, leading=9.5)
GREY = colors.HexColor("#e8ecf2")


def _p(text: object, style: ParagraphStyle = BODY) -> Paragraph:
    return Paragraph(escape(str(text or "")).replace("\n", "<br/>"), style)


def _line(processing: Processing) -> KeepTogether:
    retention = processing.retention
    if processing.rule:
        retention = f"{retention} — {processing.rule} ({processing.rule_source})"
    rows = [
        [_p(_("Finalité"), LABEL), _p(processing.purpose)],
        [_p(_("Base légale"), LABEL), _p(processing.legal_basis)],
        [_p(_("Durée de conservation"), LABEL), _p(retention)],
        [_p(_("Personnes concernées"), LABEL), _p(", ".join(str(p) for p in processing.people))],
    ]
    table = Table(rows, colWidths=[42 * mm, 136 * mm])
    table.setStyle(
        TableStyle(
            [
                ("BACKGROUND", (0, 0), (0, -1), GREY),
                ("GRID", (0, 0), (-1, -1), 0.25, colors.HexColor("#b0b8c4")),
                ("VALIGN", (0, 0), (-1, -1), "TOP"),
            ]
        )
    )
    return KeepTogether([_p(processing.what, WHAT), Spacer(1, 1 * mm), table, Spacer(1, 3 * mm)])


def render(groups: list[tuple[str, list[Processing]]], *, controller: str, dpo: str, security: str, day: str) -> bytes:
    """The whole register: its header (controller, DPO, transfers, security), then each app's processing."""
    buffer = io.BytesIO()
    doc = SimpleDocTemplate(
        buffer,
        pagesize=A4,
        leftMargin=16 * mm,
        rightMargin=16 * mm,
        topMargin=14 * mm,
        bottomMargin=14 * mm,
        title=_("Registre des traitements"),
        author=controller,
        subject=_("Registre des activités de traitement (article 30 du RGPD)"),
    )
    story = [
        _p(_("Registre des traitements"), TITLE),
        _p(_("Article 30 du RGPD. Produit par Cartable à partir de son code, le %(day)s.") % {"day": day}),
        Spacer(1, 3 * mm),
        _p(_("Responsable du traitement : %(name)s") % {"name": controller}),
        _p(_("Délégué à la protection des données : %(name)s") % {"name": dpo}),
        _p(_("Transferts hors de l'Union européenne : aucun.")),
        _p(_("Mesures de sécurité : %(measures)s") % {"measures": security}),
    ]
    for app, lines in groups:
        story.append(_p(app, APP))
        story.extend(_line(line) for line in lines)
    doc.build(story)
    return buffer.getvalue()
