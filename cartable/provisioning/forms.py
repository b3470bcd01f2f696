"""Input of the upload page: the files of a set (or one zip) and whether to simulate."""

from __future__ import annotations

from django import forms
from django.conf import settings
from django.utils.translation import gettext_lazy as _

from cartable.core import french

MAX_FILES = 20


class MultipleFileInput(forms.ClearableFileInput):
    allow_multiple_selected = True


class SetField(forms.FileField):
    """Several files in one field; their content is checked by the import itself (streamed, measured)."""

    def __init__(self, *args, **kwargs):
        kwargs.setdefault("widget", MultipleFileInput(attrs={"accept": ".xml,.zip"}))
        super().__init__(*args, **kwargs)

    def clean(self, data, initial=None):
        files = [d for d in data if d] if isinstance(data, list | tuple) else ([data] if data else [])
        if not files:
            raise forms.ValidationError(_("Choisissez les fichiers du lot, ou une archive zip."), code="required")
        if len(files) > MAX_FILES:
            raise forms.ValidationError(
                _("%(limit)s fichiers au plus : déposez plutôt une archive zip.") % {"limit": MAX_FILES}
            )
        limit = settings.CARTABLE_AAF_MAX_FILE_BYTES
        for file in files:
            if file.size > limit:
                raise forms.ValidationError(
                    _("« %(name)s » dépasse la taille permise (%(limit)s).")
                    % {"name": file.name, "limit": french.size(limit)}
                )
        return [super(SetField, self).clean(f, initial) for f in files]


class UploadForm(forms.Form):
    set_files = SetField(
        label=_("Fichiers du lot (AAF, SIECLE ou STS-web)"),
        help_text=_(
            "Les fichiers XML du lot (dans n'importe quel ordre) ou une seule archive zip ; leur type est reconnu "
            "à leur contenu."
        ),
    )
    dry_run = forms.BooleanField(
        label=_("Simulation : afficher les différences sans rien écrire"), required=False, initial=True
    )
