"""Forms of the discipline app: an incident, a punishment and its follow-up, the steps of a sanction."""

from __future__ import annotations

import datetime as dt
from zoneinfo import ZoneInfo

from django import forms
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from cartable.directory.actor import current
from cartable.directory.models import Enrolment, Membership, User
from cartable.discipline import rules
from cartable.discipline.models import Incident, Involvement, Punishment, Sanction

PARIS = ZoneInfo("Europe/Paris")
DATE = forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d")
TIME = forms.TimeInput(attrs={"type": "time"}, format="%H:%M")


class PersonChoice(forms.ModelChoiceField):
    def label_from_instance(self, obj):
        return f"{obj.last_name} {obj.first_name}"


class PeopleChoice(forms.ModelMultipleChoiceField):
    def label_from_instance(self, obj):
        return f"{obj.last_name} {obj.first_name}"


def students_of(establishment_id: int | None):
    enrolled = current(Enrolment.objects.filter(establishment_id=establishment_id)).values("student_id")
    return User.objects.filter(pk__in=enrolled).order_by("last_name", "first_name", "pk")


def members_of(establishment_id: int | None):
    members = current(Membership.objects.filter(establishment_id=establishment_id)).values("person_id")
    return User.objects.filter(Q(pk__in=members)).order_by("last_name", "first_name", "pk")


def _aware(day: dt.date, time: dt.time) -> dt.datetime:
    return dt.datetime.combine(day, time, tzinfo=PARIS)


class IncidentForm(forms.Form):
    """The facts, when and where, and the people involved."""

    date = forms.DateField(label=_("Date"), widget=DATE)
    time = forms.TimeField(label=_("Heure"), widget=TIME)
    place = forms.CharField(label=_("Lieu"), max_length=120)
    facts = forms.CharField(
        label=_("Faits"),
        widget=forms.Textarea(attrs={"rows": 5}),
        help_text=_("Décrivez les faits sans nommer les élèves : les familles concernées lisent ce texte."),
    )
    authors = PeopleChoice(label=_("Élèves auteurs"), queryset=User.objects.none(), required=False)
    victims = PeopleChoice(label=_("Élèves victimes"), queryset=User.objects.none(), required=False)
    others = PeopleChoice(label=_("Autres élèves concernés"), queryset=User.objects.none(), required=False)
    witnesses = PeopleChoice(
        label=_("Témoins"),
        queryset=User.objects.none(),
        required=False,
        help_text=_("Élèves ou personnels ; leurs noms ne sont montrés qu'aux personnels."),
    )

    def __init__(self, *args, actor, **kwargs):
        super().__init__(*args, **kwargs)
        students = students_of(actor.establishment_id)
        for name in ("authors", "victims", "others"):
            self.fields[name].queryset = students
            self.fields[name].widget.attrs["size"] = 6
        self.fields["witnesses"].queryset = members_of(actor.establishment_id)
        self.fields["witnesses"].widget.attrs["size"] = 6

    def clean(self):
        data = super().clean()
        if data.get("date") and data.get("time"):
            data["occurred_at"] = _aware(data["date"], data["time"])
            if data["occurred_at"] > timezone.now():
                self.add_error("date", _("Un incident ne peut pas être dans le futur."))
        if not any(data.get(n) for n in ("authors", "victims", "others")):
            self.add_error("authors", _("Choisissez au moins un élève concerné."))
        return data

    def people(self) -> list[tuple[int, str]]:
        roles = {
            "authors": Involvement.Role.AUTHOR,
            "victims": Involvement.Role.VICTIM,
            "others": Involvement.Role.OTHER,
            "witnesses": Involvement.Role.WITNESS,
        }
        return [(p.pk, role) for name, role in roles.items() for p in self.cleaned_data.get(name) or []]


class PunishmentForm(forms.Form):
    """A punishment: for whom, which, why; a detention's date and place; an exclusion's report."""

    student = PersonChoice(label=_("Élève"), queryset=User.objects.none())
    kind = forms.ChoiceField(label=_("Punition"), choices=Punishment.Kind.choices)
    reason = forms.CharField(label=_("Motif"), widget=forms.Textarea(attrs={"rows": 3}))
    incident: forms.ModelChoiceField[Incident] = forms.ModelChoiceField(
        label=_("Incident lié"), queryset=None, required=False
    )
    detention_date = forms.DateField(label=_("Date de la retenue"), required=False, widget=DATE)
    detention_time = forms.TimeField(label=_("Heure de la retenue"), required=False, widget=TIME)
    detention_place = forms.CharField(label=_("Lieu de la retenue"), max_length=120, required=False)
    report = forms.CharField(
        label=_("Rapport écrit"),
        required=False,
        widget=forms.Textarea(attrs={"rows": 5}),
        help_text=_("Obligatoire pour une exclusion de cours : il est adressé au CPE et au chef d'établissement."),
    )
    due_on = forms.DateField(label=_("À faire pour le"), required=False, widget=DATE)

    def __init__(self, *args, actor, incidents, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["student"].queryset = students_of(actor.establishment_id)
        self.fields["incident"].queryset = incidents

    def clean(self):
        data = super().clean()
        kind = data.get("kind")
        if kind == Punishment.Kind.CLASS_EXCLUSION and not (data.get("report") or "").strip():
            self.add_error(
                "report", _("Une exclusion de cours exige un rapport écrit au CPE et au chef d'établissement.")
            )
        data["detention_at"] = None
        if kind == Punishment.Kind.DETENTION:
            if not data.get("detention_date") or not data.get("detention_time"):
                self.add_error("detention_date", _("Indiquez la date et l'heure de la retenue."))
            else:
                data["detention_at"] = _aware(data["detention_date"], data["detention_time"])
        return data


class FollowUpForm(forms.Form):
    done = forms.BooleanField(label=_("Punition faite"), required=False)
    done_on = forms.DateField(label=_("Faite le"), required=False, widget=DATE)
    note = forms.CharField(label=_("Remarque"), max_length=200, required=False)

    def clean(self):
        data = super().clean()
        if data.get("done") and not data.get("done_on"):
            data["done_on"] = timezone.localdate()
        if not data.get("done"):
            data["done_on"] = None
        return data


class SanctionForm(forms.Form):
    """Opening a procedure: the student, the facts reproached, who decides."""

    student = PersonChoice(label=_("Élève"), queryset=User.objects.none())
    authority = forms.ChoiceField(label=_("Autorité"), choices=Sanction.Authority.choices)
    facts = forms.CharField(label=_("Faits reprochés"), widget=forms.Textarea(attrs={"rows": 5}))
    incident: forms.ModelChoiceField[Incident] = forms.ModelChoiceField(
        label=_("Incident lié"), queryset=None, required=False
    )

    def __init__(self, *args, actor, incidents, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["student"].queryset = students_of(actor.establishment_id)
        self.fields["incident"].queryset = incidents


class StepDateForm(forms.Form):
    on = forms.DateField(label=_("Date"), widget=DATE)


class DefenceForm(StepDateForm):
    summary = forms.CharField(
        label=_("Observations de la défense"), required=False, widget=forms.Textarea(attrs={"rows": 4})
    )


class DecisionForm(StepDateForm):
    kind = forms.ChoiceField(label=_("Sanction"), choices=Sanction.Kind.choices)
    days = forms.IntegerField(
        label=_("Jours d'exclusion"),
        required=False,
        min_value=1,
        max_value=rules.MAX_EXCLUSION_DAYS,
        help_text=_("Pour une exclusion temporaire : 8 jours au plus."),
    )
    suspension = forms.ChoiceField(label=_("Sursis"), choices=Sanction.Suspension.choices)
    suspended_days = forms.IntegerField(label=_("Jours avec sursis"), required=False, min_value=1, max_value=8)
