"""Input of the privacy centre's forms."""

from __future__ import annotations

from django import forms
from django.utils.translation import gettext_lazy as _

from cartable.privacy.models import PrivacyRequest


class EndSessionsForm(forms.Form):
    """End one session (``session``), every other one, or all of them including this one."""

    ONE, OTHERS, ALL = "one", "others", "all"
    scope = forms.ChoiceField(choices=[(ONE, _("Celle-ci")), (OTHERS, _("Les autres")), (ALL, _("Toutes"))])
    session = forms.IntegerField(required=False, min_value=1)

    def clean(self) -> dict:
        data = super().clean() or {}
        if data.get("scope") == self.ONE and not data.get("session"):
            raise forms.ValidationError(_("Choisissez la session à fermer."))
        return data


class RequestForm(forms.Form):
    """A request to the DPO: for whom, which right, and what it is about."""

    subject = forms.IntegerField(label=_("Pour qui"), widget=forms.Select)
    kind = forms.ChoiceField(label=_("Ce que vous demandez"), choices=PrivacyRequest.Kind.choices)
    body = forms.CharField(
        label=_("Votre demande"),
        max_length=5000,
        widget=forms.Textarea(attrs={"rows": 5}),
        help_text=_("Dites quelles données sont concernées et ce que vous attendez."),
    )

    def __init__(self, *args, subjects: list[tuple[int, str]], **kwargs) -> None:
        super().__init__(*args, **kwargs)
        self.fields["subject"].widget.choices = subjects


class ExtendForm(forms.Form):
    reason = forms.CharField(
        label=_("Raison de la prolongation (dite à la personne)"),
        max_length=2000,
        widget=forms.Textarea(attrs={"rows": 3}),
    )


class AnswerForm(forms.Form):
    decision = forms.ChoiceField(
        label=_("Réponse"),
        choices=[
            (PrivacyRequest.Status.GRANTED, _("Accordée")),
            (PrivacyRequest.Status.PARTLY, _("Accordée en partie")),
            (PrivacyRequest.Status.REFUSED, _("Refusée")),
        ],
    )
    reply = forms.CharField(
        label=_("Message à la personne (les raisons d'un refus)"),
        max_length=5000,
        required=False,
        widget=forms.Textarea(attrs={"rows": 4}),
    )


class AuditFilterForm(forms.Form):
    """The audit viewer's filters (GET)."""

    start = forms.DateField(label=_("Du"), required=False, widget=forms.DateInput(attrs={"type": "date"}))
    end = forms.DateField(label=_("Au"), required=False, widget=forms.DateInput(attrs={"type": "date"}))
    subject = forms.CharField(label=_("Personne concernée (identifiant ou nom)"), required=False, max_length=150)
    actor = forms.CharField(label=_("Auteur (identifiant ou nom)"), required=False, max_length=150)
    module = forms.SlugField(
        label=_("Module (début de l'action : grades, attendance...)"), required=False, max_length=40
    )
    kind = forms.ChoiceField(
        label=_("Type"),
        required=False,
        choices=[("", _("Tous")), ("read", _("Consultations")), ("write", _("Modifications"))],
    )
