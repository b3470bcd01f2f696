"""Input parsing for the report cards' pages."""

from __future__ import annotations

import datetime as dt

from django import forms
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from cartable.reportcards.actions import MAX_APPRECIATION, MAX_DECISION, MAX_GENERAL
from cartable.reportcards.models import CouncilDecision

DATETIME_FORMAT = "%Y-%m-%dT%H:%M"


class AppreciationForm(forms.Form):
    text = forms.CharField(
        label=_("Appréciation"), required=False, max_length=MAX_APPRECIATION, widget=forms.Textarea(attrs={"rows": 2})
    )


class GeneralAppreciationForm(forms.Form):
    text = forms.CharField(
        label=_("Appréciation générale"),
        required=False,
        max_length=MAX_GENERAL,
        widget=forms.Textarea(attrs={"rows": 2}),
    )


class DecisionForm(forms.Form):
    mention = forms.ChoiceField(label=_("Mention"), choices=CouncilDecision.Mention.choices, required=False)
    decision = forms.CharField(
        label=_("Décision du conseil"),
        required=False,
        max_length=MAX_DECISION,
        widget=forms.Textarea(attrs={"rows": 2}),
    )


class PublishForm(forms.Form):
    publish_at = forms.DateTimeField(
        label=_("Visible par les familles à partir du"),
        required=False,
        input_formats=[DATETIME_FORMAT],
        widget=forms.DateTimeInput(attrs={"type": "datetime-local"}, format=DATETIME_FORMAT),
        help_text=_("Laissez vide pour publier tout de suite."),
    )
    # The checkbox « publier quand même ? », whose value is the count of missing items the page showed.
    confirm_missing = forms.IntegerField(required=False, min_value=0)

    def clean_publish_at(self):
        value = self.cleaned_data.get("publish_at")
        if value is not None and value < timezone.now() - dt.timedelta(days=1):
            raise forms.ValidationError(_("Choisissez une date à venir (ou laissez vide pour publier tout de suite)."))
        return value
