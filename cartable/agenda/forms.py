"""The event form: what, for whom, when, where; the choices offered depend on what the actor may create."""

from __future__ import annotations

import datetime as dt
from typing import Any
from zoneinfo import ZoneInfo

from django import forms
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from cartable.agenda.models import Event
from cartable.core import authz
from cartable.directory.actor import Actor
from cartable.directory.models import SchoolClass

PARIS = ZoneInfo("Europe/Paris")
Audience = Event.Audience
DATE = forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d")
TIME = forms.TimeInput(attrs={"type": "time"}, format="%H:%M")


class EventForm(forms.Form):
    """An event's fields; ``cleaned_data`` gains ``start`` and ``end`` as aware datetimes."""

    title = forms.CharField(label=_("Titre"), max_length=200)
    kind = forms.ChoiceField(label=_("Type"), choices=[c for c in Event.Kind.choices if c[0] != Event.Kind.PERSONAL])
    audience = forms.ChoiceField(label=_("Pour qui"), choices=Audience.choices)
    classes = forms.ModelMultipleChoiceField(
        label=_("Classes"),
        queryset=SchoolClass.objects.none(),
        required=False,
        widget=forms.CheckboxSelectMultiple,
        help_text=_("Pour « Certaines classes » : leurs élèves, leurs familles et leurs professeurs."),
    )
    start_date = forms.DateField(label=_("Date de début"), widget=DATE)
    start_time = forms.TimeField(label=_("Heure de début"), required=False, widget=TIME)
    end_date = forms.DateField(label=_("Date de fin"), required=False, widget=DATE, help_text=_("Vide : le même jour."))
    end_time = forms.TimeField(label=_("Heure de fin"), required=False, widget=TIME)
    all_day = forms.BooleanField(label=_("Toute la journée"), required=False)
    location = forms.CharField(label=_("Lieu"), max_length=200, required=False)
    description = forms.CharField(
        label=_("Description"),
        required=False,
        widget=forms.Textarea(attrs={"rows": 5}),
        help_text=_("Mise en forme simple permise (gras, listes, liens) ; le reste est retiré."),
    )

    def __init__(self, *args: Any, actor: Actor, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.actor = actor
        eid = actor.establishment_id
        if authz.can(actor, "agenda.plan_establishment_events", actor.establishment):
            audiences = list(Audience.choices)
            classes = SchoolClass.objects.filter(establishment_id=eid)
        elif authz.can(actor, "agenda.plan_class_events", actor.establishment):
            audiences = [c for c in Audience.choices if c[0] in (Audience.CLASSES, Audience.PERSONAL)]
            classes = SchoolClass.objects.filter(establishment_id=eid, pk__in=list(actor.taught_class_ids))
        else:
            audiences = [c for c in Audience.choices if c[0] == Audience.PERSONAL]
            classes = SchoolClass.objects.none()
        self.fields["audience"].choices = audiences  # type: ignore[attr-defined]
        self.fields["classes"].queryset = classes.order_by("name")  # type: ignore[attr-defined]
        self.personal_only = len(audiences) == 1
        if self.personal_only:
            for name in ("kind", "audience", "classes"):
                del self.fields[name]

    def clean(self):
        data = super().clean()
        if self.personal_only:
            data["audience"], data["kind"], data["classes"] = Audience.PERSONAL, Event.Kind.PERSONAL, []
        start_date, end_date = data.get("start_date"), data.get("end_date") or data.get("start_date")
        if start_date is None:
            return data
        all_day = data.get("all_day") or not data.get("start_time")
        if all_day:
            start = dt.datetime.combine(start_date, dt.time.min, tzinfo=PARIS)
            end = dt.datetime.combine(end_date, dt.time(23, 59), tzinfo=PARIS)
        else:
            start = dt.datetime.combine(start_date, data["start_time"], tzinfo=PARIS)
            end_time = data.get("end_time") or (start + dt.timedelta(hours=1)).time()
            end = dt.datetime.combine(end_date, end_time, tzinfo=PARIS)
        if end < start:
            self.add_error("end_date", _("La fin doit venir après le début."))
        if data.get("audience") == Audience.CLASSES and not data.get("classes"):
            self.add_error("classes", _("Choisissez au moins une classe."))
        data["all_day"], data["start"], data["end"] = all_day, start, end
        return data

    @classmethod
    def initial_for(cls, event: Event) -> dict:
        start, end = timezone.localtime(event.start, PARIS), timezone.localtime(event.end, PARIS)
        return {
            "title": event.title,
            "kind": event.kind,
            "audience": event.audience,
            "classes": list(event.classes.all()),
            "start_date": start.date(),
            "start_time": None if event.all_day else start.time(),
            "end_date": end.date(),
            "end_time": None if event.all_day else end.time(),
            "all_day": event.all_day,
            "location": event.location,
            "description": event.description,
        }
