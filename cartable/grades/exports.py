"""The gradebook as CSV and XLSX files (the same numbers as the page, as exact decimals)."""

from __future__ import annotations

import csv
import io
from decimal import Decimal

from django.http import HttpResponse
from django.utils.text import slugify
from django.utils.translation import gettext as _

from cartable.grades.forms import cell_text


def _table(book) -> list[list]:
    """Header and rows: student, each evaluation's mark, each subject average, the overall average."""
    header = [_("Élève")]
    header += [
        _("%(subject)s %(date)s %(title)s (sur %(scale)s, coef. %(coefficient)s)")
        % {
            "subject": e.subject.code,
            "date": e.date.strftime("%d/%m"),
            "title": e.title,
            "scale": cell_text_scale(e.scale),
            "coefficient": cell_text_scale(e.coefficient),
        }
        for e in book.evaluations
    ]
    header += [_("Moyenne %(subject)s") % {"subject": code} for _sid, code, _name in book.subjects]
    if book.shows_overall:
        header.append(_("Moyenne générale"))
    rows = [header]
    for student, marks, subject_averages, overall in book.rows():
        row: list = [f"{student.last_name} {student.first_name}"]
        row += [None if m is None else (m.value if not m.code else cell_text(m)) for m in marks]
        row += subject_averages
        if book.shows_overall:
            row.append(overall)
        rows.append(row)
    return rows


def cell_text_scale(scale: Decimal) -> str:
    return f"{scale.normalize():f}"


def _filename(book, ext: str) -> str:
    return f"notes-{slugify(book.school_class.name)}-{slugify(book.period.name)}.{ext}"


def gradebook_csv(book) -> HttpResponse:
    """Semicolon-separated, decimal commas, UTF-8 with a BOM: what French spreadsheets open as is."""
    out = io.StringIO()
    out.write("\ufeff")
    writer = csv.writer(out, delimiter=";")
    for row in _table(book):
        writer.writerow(["" if v is None else (str(v).replace(".", ",") if isinstance(v, Decimal) else v) for v in row])
    response = HttpResponse(out.getvalue(), content_type="text/csv; charset=utf-8")
    response["Content-Disposition"] = f'attachment; filename="{_filename(book, "csv")}"'
    return response


def gradebook_xlsx(book) -> HttpResponse:
    """One sheet; numbers stay numbers (Decimal written as such, shown with two decimals)."""
    from openpyxl import Workbook
    from openpyxl.styles import Font

    workbook = Workbook()
    sheet = workbook.active
    sheet.title = str(book.period.name)[:31]
    for i, row in enumerate(_table(book)):
        sheet.append(row)
        if i == 0:
            for cell in sheet[1]:
                cell.font = Font(bold=True)
        else:
            for cell in sheet[i + 1][1:]:
                if isinstance(cell.value, Decimal):
                    cell.number_format = "0.00"
    sheet.freeze_panes = "B2"
    out = io.BytesIO()
    workbook.save(out)
    response = HttpResponse(
        out.getvalue(), content_type="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
    )
    response["Content-Disposition"] = f'attachment; filename="{_filename(book, "xlsx")}"'
    return response
