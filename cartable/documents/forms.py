"""Input of « Mes documents »: uploads (several files at once), names, destinations, shares and quotas."""

from __future__ import annotations

from django import forms
from django.core.exceptions import ValidationError
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy as _lazy

from cartable.core import french, uploads
from cartable.directory.models import Role
from cartable.documents import queries
from cartable.documents.models import Folder, Share


class MultipleFileInput(forms.ClearableFileInput):
    allow_multiple_selected = True


class MultipleFileField(forms.FileField):
    widget = MultipleFileInput

    def clean(self, data, initial=None):
        files = data if isinstance(data, (list, tuple)) else [data] if data else []
        if not files and self.required:
            raise ValidationError(_("Choisissez au moins un fichier."), code="required")
        return list(files)


def check_file(uploaded) -> uploads.CheckedFile:
    """One file checked by its content, within the region's per-file maximum (« La taille maximale est 200 Mo. »)."""
    limit = queries.max_file_bytes()
    if uploaded.size > limit:
        shown = uploads._bare_name(uploaded.name)[: uploads.NAME_MAX] or _("fichier")
        raise ValidationError(
            _("%(name)s est trop volumineux (%(size)s). La taille maximale est %(max)s.")
            % {"name": shown, "size": french.size(uploaded.size), "max": french.size(limit)},
            code="too_large",
        )
    return uploads.validate_upload(uploaded, max_bytes=limit, allowed=uploads.ALL)


class UploadForm(forms.Form):
    files = MultipleFileField(  # type: ignore[assignment]
        label=_lazy("Fichiers"), help_text=_lazy("Choisissez un ou plusieurs fichiers, ou déposez-les ici.")
    )

    def clean_files(self) -> list[uploads.CheckedFile]:
        """The files accepted; ``self.refused`` keeps a message for each file refused (the others are sent)."""
        self.refused: list[str] = []
        accepted = []
        for uploaded in self.cleaned_data["files"]:
            try:
                accepted.append(check_file(uploaded))
            except ValidationError as error:
                self.refused.extend(error.messages)
        if not accepted:
            raise ValidationError(self.refused)
        return accepted


class VersionForm(forms.Form):
    file = forms.FileField(label=_lazy("Nouvelle version"))

    def clean_file(self) -> uploads.CheckedFile:
        return check_file(self.cleaned_data["file"])


class NameForm(forms.Form):
    name = forms.CharField(label=_lazy("Nom"), max_length=uploads.NAME_MAX)


class DestinationForm(forms.Form):
    to = forms.TypedChoiceField(label=_lazy("Vers"), coerce=int, empty_value=None, required=False)

    def __init__(self, *args, targets: list[Folder], **kwargs) -> None:
        super().__init__(*args, **kwargs)
        self.targets = {f.pk: f for f in targets}
        choices = [("", _("Mes documents (racine)"))]
        choices += [(str(f.pk), "— " * (f.path.count("/") - 1) + f.name) for f in targets]
        self.fields["to"].choices = choices  # type: ignore[attr-defined]

    def clean_to(self) -> Folder | None:
        value = self.cleaned_data["to"]
        return None if value is None else self.targets[value]


class ShareForm(forms.Form):
    grantee = forms.CharField(widget=forms.HiddenInput)
    level = forms.ChoiceField(
        label=_lazy("Droit"), choices=Share.Level.choices, initial=Share.Level.READ, widget=forms.RadioSelect
    )

    def clean_grantee(self) -> tuple[str, int]:
        kind, _sep, pk = self.cleaned_data["grantee"].partition(":")
        if kind not in ("person", "class", "group", "staff") or not pk.isdigit():
            raise ValidationError(_("Choisissez avec qui partager."))
        return kind, int(pk)


class QuotaForm(forms.Form):
    """One field per role, in megabytes."""

    def __init__(self, *args, rows: list[dict], **kwargs) -> None:
        super().__init__(*args, **kwargs)
        for row in rows:
            self.fields[row["role"]] = forms.IntegerField(
                label=row["label"], min_value=0, max_value=10_000_000, initial=row["value_mb"], required=True
            )
            row["field"] = self[row["role"]]

    def sizes(self) -> dict[str, int]:
        return {role: value * queries.MiB for role, value in self.cleaned_data.items() if role in Role.values}
