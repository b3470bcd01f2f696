"""Input parsing for the homework log's pages: entries, homework, links and files."""

from __future__ import annotations

import datetime as dt

from django import forms
from django.core.validators import URLValidator
from django.utils.translation import gettext_lazy
from django.utils.translation import gettext_lazy as _

from cartable.core import richtext
from cartable.homework.models import Homework

DATETIME_FORMAT = "%Y-%m-%dT%H:%M"


class DateInput(forms.DateInput):
    input_type = "date"

    def __init__(self, **kwargs):
        super().__init__(format="%Y-%m-%d", **kwargs)


class TimeInput(forms.TimeInput):
    input_type = "time"

    def __init__(self, **kwargs):
        super().__init__(format="%H:%M", **kwargs)


class DateTimeInput(forms.DateTimeInput):
    input_type = "datetime-local"

    def __init__(self, **kwargs):
        super().__init__(format=DATETIME_FORMAT, **kwargs)


def _datetime_field(label, help_text="", required=False):
    return forms.DateTimeField(
        label=label,
        required=required,
        help_text=help_text,
        input_formats=[DATETIME_FORMAT, "%Y-%m-%d %H:%M", "%Y-%m-%d %H:%M:%S"],
        widget=DateTimeInput(),
    )


class AssignmentChoice(forms.ModelChoiceField):
    def label_from_instance(self, obj):
        return f"{obj.school_class or obj.group} — {obj.subject.name}"


TEXT_HELP = _(
    "Texte simple : une ligne vide commence un paragraphe, les retours à la ligne sont gardés ; « - » en "
    "début de ligne fait une liste, « 1. » une liste numérotée ; **gras**, *italique* ; les adresses web "
    "deviennent des liens."
)


class EntryForm(forms.Form):
    """What was done in a lesson."""

    assignment = AssignmentChoice(label=_("Classe et matière"), queryset=None, empty_label=None)
    date = forms.DateField(label=_("Date de la séance"), widget=DateInput())
    start_time = forms.TimeField(label=_("Heure"), required=False, widget=TimeInput())
    title = forms.CharField(label=_("Titre"), max_length=200)
    content = forms.CharField(
        label=_("Ce qui a été fait"),
        required=False,
        widget=forms.Textarea(attrs={"rows": 8}),
        help_text=TEXT_HELP,
    )
    published_at = _datetime_field(
        _("Visible à partir du"),
        help_text=_("Laissez vide pour publier tout de suite ; une date future prépare la séance."),
    )
    lesson_key = forms.CharField(required=False, widget=forms.HiddenInput())

    def __init__(self, *args, assignments, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["assignment"].queryset = assignments

    def clean_content(self) -> str:
        """What the teacher typed, as text, made into sanitized HTML (teachers do not write HTML)."""
        return richtext.from_text(self.cleaned_data["content"])


class HomeworkForm(forms.Form):
    """Work set for a later lesson or date."""

    assignment = AssignmentChoice(label=_("Classe et matière"), queryset=None, empty_label=None)
    kind = forms.ChoiceField(label=_("Type"), choices=Homework.Kind.choices)
    title = forms.CharField(label=_("Intitulé"), max_length=200)
    instructions = forms.CharField(
        label=_("Consignes"),
        required=False,
        widget=forms.Textarea(attrs={"rows": 6}),
        help_text=TEXT_HELP,
    )
    due_lesson = forms.ChoiceField(label=_("Pour la séance du"), required=False)
    due_date = forms.DateField(
        label=_("ou pour le"),
        required=False,
        widget=DateInput(),
        help_text=_("Une autre date que les prochaines séances."),
    )
    due_time = forms.TimeField(label=_("À l'heure"), required=False, widget=TimeInput())
    estimated_minutes = forms.IntegerField(label=_("Durée estimée (minutes)"), min_value=0, max_value=600, initial=20)
    published_at = _datetime_field(
        _("Visible à partir du"),
        help_text=_("Laissez vide pour publier tout de suite ; une date future prépare le devoir."),
    )
    accepts_submissions = forms.BooleanField(label=_("Dépôt en ligne"), required=False)
    submission_deadline = _datetime_field(_("À déposer avant le"))
    late_policy = forms.ChoiceField(label=_("Dépôt en retard"), choices=Homework.LatePolicy.choices)
    confirm = forms.BooleanField(required=False, widget=forms.HiddenInput())

    def clean_instructions(self) -> str:
        """The instructions as typed, made into sanitized HTML (paragraphs, line breaks, lists)."""
        return richtext.from_text(self.cleaned_data["instructions"])

    def __init__(self, *args, assignments, lesson_choices=(), **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["assignment"].queryset = assignments
        self.fields["due_lesson"].choices = [("", _("— choisir une séance —")), *lesson_choices]

    def clean(self):
        data = super().clean()
        lesson = data.get("due_lesson")
        if not data.get("due_date") and lesson:
            day, _sep, time = lesson.partition("T")
            try:
                data["due_date"] = dt.date.fromisoformat(day)
                if time and not data.get("due_time"):
                    data["due_time"] = dt.time.fromisoformat(time)
            except ValueError:
                self.add_error("due_lesson", _("Choisissez une séance de la liste."))
        if not data.get("due_date") and "due_lesson" not in self.errors:
            self.add_error("due_date", _("Choisissez une prochaine séance ou une date."))
        if data.get("accepts_submissions") and not data.get("submission_deadline"):
            self.add_error("submission_deadline", _("Indiquez jusqu'à quand le travail peut être déposé."))
        return data


class LinkForm(forms.Form):
    url = forms.URLField(
        label=_("Adresse du lien"),
        max_length=500,
        validators=[URLValidator(schemes=["http", "https"])],
        assume_scheme="https",
    )
    label = forms.CharField(label=_("Libellé"), max_length=200, required=False)


class AttachmentForm(forms.Form):
    file = forms.FileField(label=_("Fichier"))


class ThresholdsForm(forms.Form):
    max_tests_per_day = forms.IntegerField(label=gettext_lazy("Contrôles par jour, au plus"), min_value=1, max_value=10)
    max_minutes_per_day = forms.IntegerField(
        label=gettext_lazy("Minutes de travail à la maison par jour, au plus"), min_value=10, max_value=600
    )
    max_tests_per_week = forms.IntegerField(
        label=gettext_lazy("Contrôles par semaine, au plus"), min_value=1, max_value=30
    )
