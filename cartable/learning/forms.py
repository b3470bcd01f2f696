"""The bank's forms: import a file (or pasted text) into a category, share a category."""

from __future__ import annotations

from django import forms
from django.utils.translation import gettext_lazy as _

from cartable.learning import formats
from cartable.learning.models import Category


class ImportForm(forms.Form):
    """A GIFT or Moodle XML file, or GIFT text pasted; ``cleaned_data["parsed"]`` holds what it contains."""

    file = forms.FileField(
        label=_("Fichier GIFT ou Moodle XML"),
        required=False,
        help_text=_("Le format est reconnu d'après le contenu. Un fichier avec une erreur n'est pas importé du tout."),
    )
    text = forms.CharField(
        label=_("Ou collez le texte GIFT"),
        required=False,
        widget=forms.Textarea(attrs={"rows": 10, "spellcheck": "false"}),
    )
    category = forms.TypedChoiceField(
        label=_("Catégorie des questions sans $CATEGORY"), coerce=int, choices=(), required=False
    )

    def __init__(self, *args, categories: list[Category], **kwargs):
        super().__init__(*args, **kwargs)
        self.categories = {c.pk: c for c in categories}
        self.fields["category"].choices = [  # type: ignore[attr-defined]
            (c.pk, "— " * c.depth + (c.name if c.path else str(_("Haut de la banque")))) for c in categories
        ]

    def clean(self):
        data = super().clean()
        upload, text = data.get("file"), (data.get("text") or "").strip()
        if upload is None and not text:
            raise forms.ValidationError(_("Choisissez un fichier ou collez du texte GIFT."))
        if upload is not None:
            if upload.size > formats.max_bytes():  # refused before it is read
                raise forms.ValidationError(
                    _("Le fichier est trop volumineux (%(max)d Mo au plus).") % {"max": formats.max_bytes() >> 20}
                )
            raw = upload.read()
        else:
            raw = text.encode("utf-8")
        try:
            data["parsed"] = formats.parse(raw)
        except formats.Refused as refused:
            raise forms.ValidationError(refused.messages()) from None
        data["into"] = self.categories.get(data.get("category") or 0)
        return data


class ShareForm(forms.Form):
    sharing = forms.ChoiceField(label=_("Partager avec"), choices=Category.Sharing.choices, widget=forms.RadioSelect)
    subject: forms.ModelChoiceField = forms.ModelChoiceField(label=_("Matière"), queryset=None, required=False)

    def __init__(self, *args, subjects, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["subject"].queryset = subjects

    def clean(self):
        data = super().clean()
        if data.get("sharing") == Category.Sharing.SUBJECT and not data.get("subject"):
            self.add_error("subject", _("Choisissez la matière dont les enseignants verront la catégorie."))
        return data
