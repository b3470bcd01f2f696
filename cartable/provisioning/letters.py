"""The activation letters' PDF (reportlab): one A4 page per person, to hand out or post.

Each page names the establishment, the person (and a guardian's children), the class, the login, the
activation code and its expiry, the address to type and three simple steps. Drawn from the values given
only: the codes are in clear here and nowhere else (the accounts app keeps their hashes).
"""

from __future__ import annotations

import datetime as dt
import io
from collections.abc import Callable
from dataclasses import dataclass, field
from xml.sax.saxutils import escape

from django.utils.translation import gettext as _
from django.utils.translation import ngettext
from reportlab.lib import colors
from reportlab.lib.pagesizes import A4
from reportlab.lib.styles import ParagraphStyle, getSampleStyleSheet
from reportlab.lib.units import mm
from reportlab.platypus import PageBreak, Paragraph, SimpleDocTemplate, Spacer, Table, TableStyle

from cartable.core import dates

_STYLES = getSampleStyleSheet()
BODY = ParagraphStyle("body", parent=_STYLES["Normal"], fontName="Helvetica", fontSize=11, leading=15)
SMALL = ParagraphStyle("small", parent=BODY, fontSize=9, leading=12, textColor=colors.HexColor("#333333"))
TITLE = ParagraphStyle("title", parent=BODY, fontName="Helvetica-Bold", fontSize=16, leading=20, spaceAfter=6)
LABEL = ParagraphStyle("label", parent=BODY, fontName="Helvetica-Bold")
CODE = ParagraphStyle("code", parent=BODY, fontName="Courier-Bold", fontSize=15, leading=19)
GREY = colors.HexColor("#e8ecf2")


@dataclass
class Letter:
    name: str
    school_class: str
    login: str
    code: str
    expires: dt.date
    children: list[str] = field(default_factory=list)  # a guardian's children in the class


def _p(text: str, style: ParagraphStyle = BODY) -> Paragraph:
    return Paragraph(escape(text or ""), style)


def _page(letter: Letter, *, establishment: str, address: str, site: str) -> list:
    rows = [
        [_p(_("Nom"), LABEL), _p(letter.name)],
        [_p(_("Classe"), LABEL), _p(letter.school_class)],
    ]
    if letter.children:
        label = ngettext("Votre enfant", "Vos enfants", len(letter.children))
        rows.append([_p(label, LABEL), _p(", ".join(letter.children))])
    rows += [
        [_p(_("Identifiant"), LABEL), _p(letter.login, CODE)],
        [_p(_("Code d'activation"), LABEL), _p(letter.code, CODE)],
        [_p(_("Valable jusqu'au"), LABEL), _p(dates.date_long(letter.expires))],
        [_p(_("Adresse à saisir"), LABEL), _p(address, CODE)],
    ]
    table = Table(rows, colWidths=[48 * mm, 122 * mm])
    table.setStyle(
        TableStyle(
            [
                ("VALIGN", (0, 0), (-1, -1), "MIDDLE"),
                ("BACKGROUND", (0, 0), (0, -1), GREY),
                ("GRID", (0, 0), (-1, -1), 0.5, colors.HexColor("#9aa5b4")),
                ("TOPPADDING", (0, 0), (-1, -1), 5),
                ("BOTTOMPADDING", (0, 0), (-1, -1), 5),
            ]
        )
    )
    steps = [
        _("1. Dans un navigateur, saisissez l'adresse %(address)s.") % {"address": address},
        _("2. Tapez votre identifiant et votre code d'activation, tels qu'ils sont écrits ci-dessus."),
        _("3. Choisissez votre mot de passe : votre compte est prêt. Gardez-le pour vous."),
    ]
    return [
        _p(establishment, SMALL),
        Spacer(1, 6 * mm),
        _p(_("Votre compte %(site)s") % {"site": site}, TITLE),
        _p(
            _(
                "Voici de quoi activer votre compte sur l'espace numérique de travail de l'établissement. "
                "Ce code ne sert qu'une fois ; ne le communiquez à personne."
            )
        ),
        Spacer(1, 5 * mm),
        table,
        Spacer(1, 7 * mm),
        _p(_("En trois étapes"), LABEL),
        *[_p(step) for step in steps],
        Spacer(1, 7 * mm),
        _p(
            _(
                "Code perdu ou expiré ? Demandez-en un nouveau à l'établissement : le nouveau code remplace "
                "l'ancien, qui ne fonctionne plus."
            ),
            SMALL,
        ),
    ]


def render(
    letters: list[Letter],
    *,
    establishment: str,
    school_class: str,
    address: str,
    site: str,
    on_page: Callable[[int], None] | None = None,
) -> bytes:
    """The PDF of a class's letters, one page each (a single page saying so when nobody is left);
    ``on_page(n)`` is told each page drawn, for a progress bar."""
    buffer = io.BytesIO()
    doc = SimpleDocTemplate(
        buffer,
        pagesize=A4,
        leftMargin=20 * mm,
        rightMargin=20 * mm,
        topMargin=18 * mm,
        bottomMargin=18 * mm,
        title=_("Lettres d'activation — %(class)s") % {"class": school_class},
        author=establishment,
    )
    story: list = []
    for index, letter in enumerate(letters):
        if index:
            story.append(PageBreak())
        story += _page(letter, establishment=establishment, address=address, site=site)
    if not letters:
        story.append(_p(_("Tous les comptes de la classe %(class)s sont activés.") % {"class": school_class}))

    def drawn(canvas, _doc) -> None:
        if on_page is not None:
            on_page(canvas.getPageNumber())

    doc.build(story, onFirstPage=drawn, onLaterPages=drawn)
    return buffer.getvalue()
