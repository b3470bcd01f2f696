"""Input of the messaging's pages."""

from __future__ import annotations

from django import forms
from django.utils.translation import gettext_lazy as _


class MultipleFileInput(forms.ClearableFileInput):
    allow_multiple_selected = True


class MultipleFileField(forms.FileField):
    """Several files in one field (each is then checked by ``core.uploads``)."""

    def __init__(self, *args, **kwargs):
        kwargs.setdefault("widget", MultipleFileInput())
        super().__init__(*args, **kwargs)

    def clean(self, data, initial=None):
        if isinstance(data, list | tuple):
            return [super(MultipleFileField, self).clean(d, initial) for d in data if d]
        return [super().clean(data, initial)] if data else []


class ComposeForm(forms.Form):
    subject = forms.CharField(label=_("Objet"), max_length=200)
    body = forms.CharField(label=_("Message"), widget=forms.Textarea(attrs={"rows": 10}))
    # A field named like BaseForm.files: the form's uploads stay in self.files as Django puts them.
    files = MultipleFileField(  # type: ignore[assignment]
        label=_("Pièces jointes"),
        required=False,
        help_text=_("Jusqu'à 5 fichiers : documents, images, sons ou vidéos, 10 Mo chacun au plus."),
    )


class FolderForm(forms.Form):
    name = forms.CharField(label=_("Nom du dossier"), max_length=60)


class ReportForm(forms.Form):
    reason = forms.CharField(
        label=_("Ce qui ne va pas"),
        max_length=2000,
        widget=forms.Textarea(attrs={"rows": 4}),
        help_text=_("La direction de l'établissement lira votre signalement avec le message."),
    )


class ReportCloseForm(forms.Form):
    resolution = forms.CharField(
        label=_("Suite donnée"), max_length=2000, widget=forms.Textarea(attrs={"rows": 3}), required=False
    )
