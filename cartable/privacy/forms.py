"""Input of the privacy centre's forms."""

from __future__ import annotations

from django import forms
from django.utils.translation import gettext_lazy as _


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
