"""Input parsing for the grades pages: an evaluation, a grid of marks, competency levels."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal, InvalidOperation

from django import forms
from django.http import QueryDict
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from cartable.core import dates
from cartable.directory.models import Period, Subject, TeachingAssignment
from cartable.grades.actions import MarkEntry
from cartable.grades.models import Component, Evaluation, Mark, MasteryLevel

DATETIME_FORMAT = "%Y-%m-%dT%H:%M"
CODES = {code.upper(): code for code in Mark.Code.values if code}  # "ABS", "DISP", "NN", "NR"
MAX_SCALE = Decimal("200")


class DateInput(forms.DateInput):
    input_type = "date"

    def __init__(self, **kwargs):
        super().__init__(format="%Y-%m-%d", **kwargs)


class DateTimeInput(forms.DateTimeInput):
    input_type = "datetime-local"

    def __init__(self, **kwargs):
        super().__init__(format=DATETIME_FORMAT, **kwargs)


def assignment_label(assignment: TeachingAssignment) -> str:
    return f"{assignment.school_class or assignment.group} — {assignment.subject.name}"


def parse_decimal(raw: str) -> Decimal | None:
    """``"12,5"`` or ``"12.5"`` -> Decimal("12.5"); anything else (``"1e3"``, ``"abc"``, 3 decimals) -> None."""
    text = raw.strip().replace(",", ".").replace(" ", "")
    if not text or not all(ch.isdigit() or ch == "." for ch in text) or text.count(".") > 1 or text == ".":
        return None
    try:
        value = Decimal(text)
    except InvalidOperation:
        return None
    if value != value.quantize(Decimal("0.01")):
        return None
    return value


class DecimalText(forms.CharField):
    """A decimal typed the French way or the English way (``12,5`` or ``12.5``)."""

    def __init__(self, *, min_value: Decimal, max_value: Decimal, **kwargs):
        self.min_value, self.max_value = min_value, max_value
        kwargs.setdefault("widget", forms.TextInput(attrs={"inputmode": "decimal", "size": 6}))
        super().__init__(**kwargs)

    def clean(self, value):
        text = super().clean(value)
        number = parse_decimal(text or "")
        if number is None:
            raise forms.ValidationError(_("Saisissez un nombre, par exemple 2 ou 0,5 (deux décimales au plus)."))
        if not self.min_value <= number <= self.max_value:
            raise forms.ValidationError(
                _("Saisissez un nombre entre %(low)s et %(high)s.")
                % {"low": _number(self.min_value), "high": _number(self.max_value)}
            )
        return number


def number_text(value) -> str:
    """A decimal the French way, without trailing zeros: 0,5 ; 2 ; 12,75."""
    return _number(Decimal(value))


def _number(value: Decimal) -> str:
    text = f"{value.normalize():f}"
    return text.replace(".", ",")


class EvaluationForm(forms.Form):
    """An evaluation: for whom, in which subject and period, how it counts, when families see it."""

    assignment = forms.ChoiceField(label=gettext_lazy("Classe ou groupe et matière"))
    period = forms.ChoiceField(label=gettext_lazy("Période"))
    title = forms.CharField(label=gettext_lazy("Intitulé"), max_length=200)
    date = forms.DateField(label=gettext_lazy("Date"), widget=DateInput())
    coefficient = DecimalText(
        label=gettext_lazy("Coefficient"), min_value=Decimal(0), max_value=Decimal(100), initial="1"
    )
    scale = DecimalText(
        label=gettext_lazy("Noté sur"),
        min_value=Decimal(1),
        max_value=MAX_SCALE,
        initial="20",
        help_text=gettext_lazy("Les notes sont ramenées sur 20 pour les moyennes."),
    )
    not_handed_in = forms.ChoiceField(
        label=gettext_lazy("Un devoir « non rendu » (NR)"),
        choices=[("zero", gettext_lazy("compte zéro")), ("excluded", gettext_lazy("est laissé hors de la moyenne"))],
        initial="zero",
        widget=forms.RadioSelect,
    )
    publish_at = forms.DateTimeField(
        label=gettext_lazy("Visible par les élèves et les familles à partir du"),
        required=False,
        input_formats=[DATETIME_FORMAT, "%Y-%m-%d %H:%M"],
        widget=DateTimeInput(),
        help_text=gettext_lazy("Laissé vide : dès l'enregistrement des notes."),
    )
    competencies = forms.MultipleChoiceField(
        label=gettext_lazy("Compétences du socle évaluées"),
        choices=Component.choices,
        required=False,
        widget=forms.CheckboxSelectMultiple,
    )

    def __init__(self, *args, assignments, periods, **kwargs):
        super().__init__(*args, **kwargs)
        self._assignments = {str(a.pk): a for a in assignments}
        self._periods = {str(p.pk): p for p in periods}
        self.fields["assignment"].choices = [(pk, assignment_label(a)) for pk, a in self._assignments.items()]
        self.fields["period"].choices = [(pk, p.name) for pk, p in self._periods.items()]

    def clean_assignment(self):
        return self._assignments[self.cleaned_data["assignment"]]

    def clean_period(self):
        return self._periods[self.cleaned_data["period"]]

    def clean(self):
        data = super().clean()
        period, date = data.get("period"), data.get("date")
        if period and date and not period.start_date <= date <= period.end_date:
            self.add_error(
                "date",
                _("La date doit être dans la période (du %(start)s au %(end)s).")
                % {"start": dates.date_court(period.start_date), "end": dates.date_court(period.end_date)},
            )
        return data


def initial_evaluation(
    assignments: list[TeachingAssignment],
    current_period: Period | None,
    *,
    wanted: str | None,
    evaluation: Evaluation | None,
) -> dict[str, object]:
    """The form's initial values: the evaluation's when changing one, else today in the current period, for
    the assignment asked for (``?affectation=``) when it is one of the teacher's."""
    if evaluation is not None:
        return initial_for(evaluation, assignments)
    initial: dict[str, object] = {"period": current_period.pk if current_period else None, "date": timezone.localdate()}
    if wanted and any(str(a.pk) == wanted for a in assignments):
        initial["assignment"] = int(wanted)
    return initial


def initial_for(evaluation: Evaluation, assignments: list[TeachingAssignment]) -> dict[str, object]:
    """The form's initial values for an existing evaluation."""
    match = next(
        (
            a
            for a in assignments
            if a.subject_id == evaluation.subject_id
            and a.school_class_id == evaluation.school_class_id
            and a.group_id == evaluation.group_id
        ),
        None,
    )
    return {
        "assignment": match.pk if match else None,
        "period": evaluation.period_id,
        "title": evaluation.title,
        "date": evaluation.date,
        "coefficient": _number(evaluation.coefficient),
        "scale": _number(evaluation.scale),
        "not_handed_in": "zero" if evaluation.not_handed_in_counts_zero else "excluded",
        "publish_at": timezone.localtime(evaluation.publish_at).strftime(DATETIME_FORMAT),
        "competencies": evaluation.competencies,
    }


def parse_mark(raw: str, scale: Decimal) -> tuple[MarkEntry | None, str]:
    """One grid cell: (entry, "") when valid, (None, French error) otherwise. Empty means no mark."""
    text = raw.strip()
    if not text:
        return MarkEntry(), ""
    code = CODES.get(text.upper())
    if code:
        return MarkEntry(code=code), ""
    value = parse_decimal(text)
    if value is None:
        return None, _("« %(typed)s » n'est ni une note ni un code (Abs, Disp, NN, NR).") % {"typed": text}
    if value > scale:
        return None, _("La note %(typed)s dépasse le barème (sur %(scale)s).") % {
            "typed": text,
            "scale": _number(scale),
        }
    return MarkEntry(value=value), ""


def parse_grid(evaluation, students, data) -> tuple[dict[int, MarkEntry], dict[tuple[int, str], int | None], dict]:
    """Read the grid's cells (``mark-<student>`` and ``level-<student>-<component>``) for the given students.

    Returns the entries, the competency levels and the errors per student (empty when all is valid). A
    student absent from the data is left untouched."""
    entries: dict[int, MarkEntry] = {}
    levels: dict[tuple[int, str], int | None] = {}
    errors: dict[int, str] = {}
    valid_levels = {str(v) for v in MasteryLevel.values}
    for student in students:
        key = f"mark-{student.pk}"
        if key in data:
            entry, error = parse_mark(data.get(key, ""), evaluation.scale)
            if error:
                errors[student.pk] = error
            elif entry is not None:
                entries[student.pk] = entry
        for component in evaluation.competencies:
            raw = data.get(f"level-{student.pk}-{component}")
            if raw is None:
                continue
            if raw == "":
                levels[student.pk, component] = None
            elif raw in valid_levels:
                levels[student.pk, component] = int(raw)
            else:
                errors[student.pk] = _("Niveau de maîtrise inconnu.")
    return entries, levels, errors


def cell_text(mark: Mark | None) -> str:
    """How a mark is shown in the grid (French decimal comma; codes as families know them)."""
    if mark is None:
        return ""
    if mark.code:
        return {"ABS": "Abs", "DISP": "Disp", "NN": "NN", "NR": "NR"}[mark.code]
    return _number(mark.value) if mark.value is not None else ""


class CompetencyForm(forms.Form):
    """A competency assessed directly, outside any evaluation."""

    student = forms.TypedChoiceField(label=gettext_lazy("Élève"), coerce=int)
    component = forms.ChoiceField(label=gettext_lazy("Composante du socle"), choices=Component.choices)
    level = forms.TypedChoiceField(label=gettext_lazy("Niveau de maîtrise"), choices=MasteryLevel.choices, coerce=int)
    date = forms.DateField(label=gettext_lazy("Date"), widget=DateInput(), initial=dt.date.today)

    def __init__(self, *args, students, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["student"].choices = [(s.pk, s.get_full_name()) for s in students]


type CoefficientKey = tuple[str, Subject]


def coefficient_key(level: str, subject: Subject) -> str:
    return f"coef-{level}-{subject.pk}"


def parse_coefficients(
    levels: list[str], subjects: list[Subject], current: dict[tuple[str, int], Decimal], data: QueryDict
) -> tuple[dict[CoefficientKey, Decimal], dict[str, str], dict[str, str]]:
    """Read the coefficients' table (``coef-<level>-<subject>``; empty means 1): the changed values, what was
    typed, and the errors per cell (empty when all is valid)."""
    wanted: dict[CoefficientKey, Decimal] = {}
    typed: dict[str, str] = {}
    errors: dict[str, str] = {}
    for level in levels:
        for subject in subjects:
            key = coefficient_key(level, subject)
            raw = data.get(key, "").strip()
            typed[key] = raw
            value = parse_decimal(raw or "1")
            if value is None or value > 100:
                errors[key] = _("Saisissez un coefficient entre 0 et 100 (deux décimales au plus).")
            elif value != current.get((level, subject.pk), 1):
                wanted[level, subject] = value
    return wanted, typed, errors


def coefficient_rows(
    levels: list[str],
    subjects: list[Subject],
    current: dict[tuple[str, int], Decimal],
    *,
    typed: dict[str, str],
    errors: dict[str, str],
) -> list[tuple[Subject, list[tuple[str, str, str, str]]]]:
    """The table's rows: per subject, per level, the field's name, what it shows and its error."""
    rows = []
    for subject in subjects:
        cells = []
        for level in levels:
            key = coefficient_key(level, subject)
            cells.append(
                (level, key, typed.get(key, number_text(current.get((level, subject.pk), 1))), errors.get(key, ""))
            )
        rows.append((subject, cells))
    return rows
