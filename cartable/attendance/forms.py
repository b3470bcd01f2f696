"""Input of school life: the roll call sheet, justifications, declarations, decisions, entries, settings."""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterator
from dataclasses import dataclass
from typing import Any, cast

from django import forms
from django.core.exceptions import ValidationError
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from cartable.attendance.models import BUILT_IN_PREFIX, AbsenceReason, BuiltInReason, State, Status, built_in_reasons
from cartable.core import dates, french, uploads

MAX_LATE_MINUTES = 240


# The states a tap gives on the sheet; the rarer ones wait behind each row's « Autre » menu.
COMMON_STATES = (State.PRESENT, State.ABSENT, State.LATE)
SHORT_LABELS = {State.PRESENT: _("Présent"), State.ABSENT: _("Absent"), State.LATE: _("Retard")}


@dataclass
class SheetRow:
    """One student's row of the roll call sheet: name, initials (no photo in the directory yet), the state
    field and its current value, the minutes of lateness."""

    student: Any
    state: forms.BoundField
    minutes: forms.BoundField
    value: str

    @property
    def name(self) -> str:
        return self.student.display_name

    @property
    def initials(self) -> str:
        return (self.student.first_name[:1] + self.student.last_name[:1]).upper()

    @property
    def photo_url(self) -> str:
        """The hook for the student's photo: the directory has no photo yet, so the sheet shows initials.
        When it gets one (served by a guarded view), return its URL here and the sheet shows it."""
        return ""

    @property
    def common(self) -> list[tuple[str, Any]]:
        return [(state.value, SHORT_LABELS[state]) for state in COMMON_STATES]

    @property
    def rare(self) -> list[tuple[str, Any]]:
        return [(value, label) for value, label in State.choices if value not in COMMON_STATES]

    @property
    def rare_chosen(self) -> bool:
        return self.value not in COMMON_STATES


class RollCallForm(forms.Form):
    """One state per student (radio buttons) and minutes for the late ones."""

    def __init__(self, *args, students, marks: dict, **kwargs):
        super().__init__(*args, **kwargs)
        self.students = students
        for student in students:
            mark = marks.get(student.pk)
            self.fields[f"state_{student.pk}"] = forms.ChoiceField(
                label=student.display_name,
                choices=State.choices,
                initial=mark.state if mark else State.PRESENT,
                widget=forms.RadioSelect,
            )
            self.fields[f"minutes_{student.pk}"] = forms.IntegerField(
                label=_("Minutes de retard %(name)s") % {"name": french.de(student.display_name)},
                min_value=1,
                max_value=MAX_LATE_MINUTES,
                required=False,
                initial=mark.minutes if mark else None,
            )

    def clean(self):
        data = super().clean()
        for student in self.students:
            if data.get(f"state_{student.pk}") == State.LATE and not data.get(f"minutes_{student.pk}"):
                self.add_error(f"minutes_{student.pk}", _("Indiquez les minutes de retard."))
        return data

    def rows(self) -> list[SheetRow]:
        """One row per student for the sheet, with the state as typed (or as recorded)."""
        found = []
        for s in self.students:
            state = self[f"state_{s.pk}"]
            value = str(state.value() or State.PRESENT)
            found.append(SheetRow(s, state, self[f"minutes_{s.pk}"], value if value in State.values else State.PRESENT))
        return found

    def entries(self) -> dict[int, tuple[str, int | None]]:
        return {
            s.pk: (self.cleaned_data[f"state_{s.pk}"], self.cleaned_data.get(f"minutes_{s.pk}")) for s in self.students
        }


class DocumentField(forms.FileField):
    """An optional document, checked by its content (PDF, images, office documents)."""

    def __init__(self, **kwargs):
        kwargs.setdefault("required", False)
        kwargs.setdefault("label", _("Justificatif (facultatif)"))
        kwargs.setdefault(
            "help_text",
            _("Certificat, convocation... Types acceptés : %(types)s.")
            % {"types": uploads.accepted_labels(uploads.DOCUMENTS)},
        )
        super().__init__(**kwargs)

    def clean(self, data, initial=None):
        data = super().clean(data, initial)
        if not data:
            return None
        return uploads.validate_upload(data, allowed=uploads.DOCUMENTS)


class _ReasonChoices(forms.models.ModelChoiceIterator):
    """The establishment's active motifs, or the built-in defaults while it has none (one query either way)."""

    def __iter__(self) -> Iterator[Any]:
        if self.field.empty_label is not None:
            yield ("", self.field.empty_label)
        field = cast(ReasonField, self.field)
        rows = list(AbsenceReason.objects.filter(establishment_id=field.establishment_id))
        if not rows:
            yield from ((reason.pk, reason.label) for reason in built_in_reasons())
            return
        yield from (self.choice(reason) for reason in rows if reason.is_active)


class ReasonField(forms.ModelChoiceField):
    """A motif of the establishment; while it has none of its own, one of the built-in defaults (a
    :class:`BuiltInReason`, written by the action that uses it)."""

    iterator = _ReasonChoices

    def __init__(self, *, establishment_id: int, required: bool = True) -> None:
        self.establishment_id = establishment_id
        super().__init__(
            label=_("Motif"),
            queryset=AbsenceReason.objects.filter(establishment_id=establishment_id, is_active=True),
            required=required,
            empty_label=_("— choisir —"),
        )

    def to_python(self, value: Any) -> Any:
        if isinstance(value, str) and value.startswith(BUILT_IN_PREFIX):
            built_in = BuiltInReason.from_value(value)
            if built_in is None:
                raise ValidationError(self.error_messages["invalid_choice"], code="invalid_choice")
            return built_in
        return super().to_python(value)


def _reason_field(establishment_id: int, required: bool = True) -> ReasonField:
    return ReasonField(establishment_id=establishment_id, required=required)


class JustifyForm(forms.Form):
    comment = forms.CharField(
        label=_("Commentaire"), widget=forms.Textarea(attrs={"rows": 3}), required=False, max_length=2000
    )
    document = DocumentField()

    def __init__(self, *args, establishment_id: int, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields = {"reason": _reason_field(establishment_id), **self.fields}


HALVES = [("am", _("le matin")), ("pm", _("l'après-midi"))]
HALF_TIMES = {"am": (dt.time(8), dt.time(12)), "pm": (dt.time(12), dt.time(18))}


def _aware(day: dt.date, time: dt.time) -> dt.datetime:
    return dt.datetime.combine(day, time, timezone.get_current_timezone())


class DeclareForm(forms.Form):
    """A guardian declares an absence ahead: from a half-day to a half-day."""

    student = forms.TypedChoiceField(label=_("Enfant"), coerce=int)
    first_day = forms.DateField(label=_("Du"), widget=forms.DateInput(attrs={"type": "date"}))
    first_half = forms.ChoiceField(label=_("à partir de"), choices=HALVES, initial="am")
    last_day = forms.DateField(label=_("Au"), widget=forms.DateInput(attrs={"type": "date"}))
    last_half = forms.ChoiceField(label=_("jusqu'à la fin de"), choices=HALVES, initial="pm")
    comment = forms.CharField(
        label=_("Commentaire"), widget=forms.Textarea(attrs={"rows": 3}), required=False, max_length=2000
    )
    document = DocumentField()

    def __init__(self, *args, children, establishment_id: int, year: tuple[dt.date, dt.date], **kwargs):
        super().__init__(*args, **kwargs)
        self.year = year  # the current school year's first and last days: a declaration lies within
        for name in ("first_day", "last_day"):
            self.fields[name].widget.attrs.update(min=year[0].isoformat(), max=year[1].isoformat())
        cast(forms.TypedChoiceField, self.fields["student"]).choices = [(c.id, c.name) for c in children]
        self.fields = {
            **{k: v for k, v in self.fields.items() if k != "comment" and k != "document"},
            "reason": _reason_field(establishment_id),
            "comment": self.fields["comment"],
            "document": self.fields["document"],
        }

    def clean(self):
        data = super().clean()
        first, last = data.get("first_day"), data.get("last_day")
        if first and last:
            start = _aware(first, HALF_TIMES[data.get("first_half", "am")][0])
            end = _aware(last, HALF_TIMES[data.get("last_half", "pm")][1])
            if end <= start:
                raise ValidationError(_("La fin de l'absence doit suivre son début."))
            if first < timezone.localdate() - dt.timedelta(days=1):
                self.add_error("first_day", _("Pour une absence passée, justifiez-la depuis sa page."))
            if (last - first).days > 60:
                self.add_error("last_day", _("Une déclaration couvre au plus deux mois."))
            for name, day in (("first_day", first), ("last_day", last)):
                if not self.year[0] <= day <= self.year[1] and name not in self.errors:
                    self.add_error(name, self._outside_year())
            data["start"], data["end"] = start, end
        return data

    def _outside_year(self) -> str:
        return _("Choisissez une date de l'année scolaire en cours, du %(start)s au %(end)s.") % {
            "start": dates.render(self.year[0], "court_annee"),
            "end": dates.render(self.year[1], "court_annee"),
        }


class DecideForm(forms.Form):
    decision = forms.ChoiceField(
        label=_("Décision"), choices=[("accept", _("Accepter")), ("refuse", _("Refuser"))], widget=forms.RadioSelect
    )
    message = forms.CharField(
        label=_("Message à la famille"),
        widget=forms.Textarea(attrs={"rows": 2}),
        required=False,
        max_length=2000,
        help_text=_("Obligatoire pour un refus."),
    )

    def clean(self):
        data = super().clean()
        if data.get("decision") == "refuse" and not data.get("message", "").strip():
            self.add_error("message", _("Expliquez le refus à la famille."))
        return data


class StatusForm(forms.Form):
    status = forms.ChoiceField(label=_("État"), choices=Status.choices)
    comment = forms.CharField(
        label=_("Commentaire"), widget=forms.Textarea(attrs={"rows": 2}), required=False, max_length=2000
    )

    def __init__(self, *args, establishment_id: int, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields = {
            "status": self.fields["status"],
            "reason": _reason_field(establishment_id, required=False),
            "comment": self.fields["comment"],
        }


class StudentChoiceField(forms.ModelChoiceField):
    def label_from_instance(self, obj):
        return obj.display_name


class AbsenceForm(forms.Form):
    """The vie scolaire enters an absence."""

    student = StudentChoiceField(label=_("Élève"), queryset=None, empty_label=_("— choisir —"))
    day = forms.DateField(label=_("Date"), widget=forms.DateInput(attrs={"type": "date"}))
    start_time = forms.TimeField(label=_("De"), widget=forms.TimeInput(attrs={"type": "time"}), initial=dt.time(8))
    end_time = forms.TimeField(label=_("À"), widget=forms.TimeInput(attrs={"type": "time"}), initial=dt.time(17))
    status = forms.ChoiceField(label=_("État"), choices=Status.choices, initial=Status.PENDING)
    comment = forms.CharField(
        label=_("Commentaire"), widget=forms.Textarea(attrs={"rows": 2}), required=False, max_length=2000
    )

    def __init__(self, *args, students, establishment_id: int, **kwargs):
        super().__init__(*args, **kwargs)
        cast(StudentChoiceField, self.fields["student"]).queryset = students
        self.fields = {
            **{k: v for k, v in self.fields.items() if k != "comment"},
            "reason": _reason_field(establishment_id, required=False),
            "comment": self.fields["comment"],
        }

    def clean(self):
        data = super().clean()
        if data.get("day") and data.get("start_time") and data.get("end_time"):
            if data["end_time"] <= data["start_time"]:
                raise ValidationError(_("La fin de l'absence doit suivre son début."))
            data["start"], data["end"] = _aware(data["day"], data["start_time"]), _aware(data["day"], data["end_time"])
        return data


class LatenessForm(forms.Form):
    """The vie scolaire enters a lateness (a student arriving at the desk)."""

    student = StudentChoiceField(label=_("Élève"), queryset=None, empty_label=_("— choisir —"))
    day = forms.DateField(label=_("Date"), widget=forms.DateInput(attrs={"type": "date"}))
    time = forms.TimeField(label=_("Heure du cours"), widget=forms.TimeInput(attrs={"type": "time"}))
    minutes = forms.IntegerField(label=_("Minutes de retard"), min_value=1, max_value=MAX_LATE_MINUTES)
    comment = forms.CharField(
        label=_("Commentaire"), widget=forms.Textarea(attrs={"rows": 2}), required=False, max_length=2000
    )

    def __init__(self, *args, students, **kwargs):
        super().__init__(*args, **kwargs)
        cast(StudentChoiceField, self.fields["student"]).queryset = students


class SettingsForm(forms.Form):
    lateness_threshold = forms.IntegerField(label=_("Retards avant alerte"), min_value=1, max_value=50)
    lateness_window_days = forms.IntegerField(label=_("Sur une période de (jours)"), min_value=1, max_value=365)
    half_day_threshold = forms.IntegerField(
        label=_("Demi-journées non justifiées dans le mois avant signalement"),
        min_value=1,
        max_value=60,
        help_text=_("Le seuil légal de signalement est de quatre demi-journées par mois."),
    )


class ReasonForm(forms.Form):
    label = forms.CharField(label=_("Motif"), max_length=80)
    is_active = forms.BooleanField(label=_("Proposé aux familles"), required=False, initial=True)
