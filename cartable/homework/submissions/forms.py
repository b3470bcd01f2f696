"""Forms of online submission: the student's hand-in and the teacher's feedback.

File fields check each file by its content (``cartable.core.uploads``) and clean to ``CheckedFile``s.
"""

from __future__ import annotations

from decimal import Decimal

from django import forms
from django.conf import settings
from django.core.exceptions import ValidationError
from django.utils.translation import gettext_lazy as _

from cartable.core import uploads
from cartable.homework.submissions.actions import MAX_FILES


class MultipleFileInput(forms.ClearableFileInput):
    allow_multiple_selected = True


class CheckedFilesField(forms.FileField):
    """Several files, each checked by content; cleans to a list of ``CheckedFile``."""

    widget = MultipleFileInput

    def __init__(self, *, allowed=uploads.ALL, **kwargs):
        self.allowed = allowed
        kwargs.setdefault("required", False)
        super().__init__(**kwargs)

    def clean(self, data, initial=None):
        files = [f for f in (data if isinstance(data, list | tuple) else [data]) if f]
        if len(files) > MAX_FILES:
            raise ValidationError(_("Déposez au plus %(n)s fichiers.") % {"n": MAX_FILES})
        checked, errors = [], []
        for f in files:
            try:
                checked.append(
                    uploads.validate_upload(f, max_bytes=settings.CARTABLE_UPLOAD_MAX_BYTES, allowed=self.allowed)
                )
            except ValidationError as exc:
                errors.extend(exc.messages)
        if errors:
            raise ValidationError(errors)
        return checked


class CheckedFileField(CheckedFilesField):
    """One optional file checked by content; cleans to a ``CheckedFile`` or None."""

    widget = forms.FileInput  # type: ignore[assignment]  # one file, where the parent takes several

    def clean(self, data, initial=None):
        checked = super().clean(data, initial)
        return checked[0] if checked else None


class SubmissionForm(forms.Form):
    """The student's hand-in: files and/or a typed answer; existing files may be withdrawn."""

    files = CheckedFilesField(  # type: ignore[assignment]  # the posted field is named "files", as BaseForm.files
        label=_("Fichiers"),
        help_text=_("Jusqu'à %(n)s fichiers : PDF, images, documents texte, tableurs, présentations.")
        % {"n": MAX_FILES},
    )
    text = forms.CharField(label=_("Réponse écrite"), required=False, max_length=20000, widget=forms.Textarea)
    remove = forms.TypedMultipleChoiceField(
        label=_("Retirer ces fichiers"), required=False, coerce=int, widget=forms.CheckboxSelectMultiple
    )

    def __init__(self, *args, existing_files=(), **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["remove"].choices = [(f.pk, f.original_name) for f in existing_files]
        if not existing_files:
            del self.fields["remove"]


class FeedbackForm(forms.Form):
    """The teacher's return: a comment, an optional corrected copy and an optional mark out of N."""

    text = forms.CharField(label=_("Commentaire"), required=False, max_length=20000, widget=forms.Textarea)
    corrected = CheckedFileField(label=_("Copie corrigée (facultatif)"), allowed=uploads.DOCUMENTS)
    mark = forms.DecimalField(
        label=_("Note (facultatif)"),
        required=False,
        min_value=Decimal(0),
        max_digits=5,
        decimal_places=2,
        localize=True,
        widget=forms.TextInput(attrs={"inputmode": "decimal", "size": 6}),
    )
    mark_out_of = forms.IntegerField(label=_("Sur"), min_value=1, max_value=100, initial=20)

    def clean(self):
        data = super().clean()
        mark, out_of = data.get("mark"), data.get("mark_out_of")
        if mark is not None and out_of is not None and mark > out_of:
            self.add_error("mark", _("La note ne peut pas dépasser %(max)s.") % {"max": out_of})
        if not data.get("text", "").strip() and mark is None and not data.get("corrected") and not self.errors:
            raise ValidationError(_("Le retour est vide : écrivez un commentaire, joignez une correction ou notez."))
        return data
