"""The tool registration form and the teacher's « pick activities from a tool » form."""

from __future__ import annotations

from typing import Any
from urllib.parse import urlsplit

from django import forms
from django.utils.translation import gettext_lazy as _
from jwcrypto import jwk

from cartable.directory.actor import Actor
from cartable.directory.models import SchoolClass
from cartable.lti.models import Tool
from cartable.lti.queries import registrable_establishments, taught_classes

URL_FIELDS = ("login_url", "launch_url", "deep_link_url", "jwks_url")
FLAGS = ("allow_deep_linking", "allow_ags", "allow_nrps", "send_names", "send_email", "enabled")


def _web_address(url: str) -> bool:
    parts = urlsplit(url)
    local = parts.scheme == "http" and parts.hostname in {"127.0.0.1", "localhost"}  # a tool on this machine
    return (parts.scheme == "https" or local) and bool(parts.hostname) and "\\" not in url


class ToolForm(forms.ModelForm):
    establishment = forms.TypedChoiceField(label=_("Pour"), coerce=int, required=False, empty_value=None)
    deployment_id = forms.CharField(
        label=_("Identifiant de déploiement"),
        max_length=64,
        required=False,
        help_text=_("Laissé vide, Cartable en choisit un. Pour toute la région : le code UAI de chaque établissement."),
    )

    class Meta:
        model = Tool
        fields = ["name", *URL_FIELDS[:3], "redirect_uris", "jwks_url", "public_key", *FLAGS]
        widgets = {
            "redirect_uris": forms.Textarea(attrs={"rows": 3}),
            "public_key": forms.Textarea(attrs={"rows": 4}),
        }

    def __init__(self, *args: Any, actor: Actor, tool: Tool | None = None, **kwargs: Any) -> None:
        kwargs["instance"] = tool
        super().__init__(*args, **kwargs)
        if tool is not None:
            del self.fields["establishment"], self.fields["deployment_id"]
            return
        choices: list[tuple[Any, Any]] = [(e.pk, e.name) for e in registrable_establishments(actor)]
        if actor.is_regional_admin:
            choices.insert(0, ("", _("Toute la région (un déploiement par établissement)")))
        self.fields["establishment"].choices = choices  # type: ignore[attr-defined]
        self.fields["establishment"].required = not actor.is_regional_admin

    def _clean_url(self, name: str) -> str:
        url: str = (self.cleaned_data.get(name) or "").strip()
        if url and not _web_address(url):
            raise forms.ValidationError(_("L'adresse doit commencer par https://."))
        return url

    def clean_login_url(self) -> str:
        return self._clean_url("login_url")

    def clean_launch_url(self) -> str:
        return self._clean_url("launch_url")

    def clean_deep_link_url(self) -> str:
        return self._clean_url("deep_link_url")

    def clean_jwks_url(self) -> str:
        return self._clean_url("jwks_url")

    def clean_redirect_uris(self) -> str:
        lines = [line.strip() for line in self.cleaned_data["redirect_uris"].splitlines() if line.strip()]
        for line in lines:
            if not _web_address(line):
                raise forms.ValidationError(
                    _("« %(address)s » : chaque adresse doit commencer par https://.") % {"address": line}
                )
        if not lines:
            raise forms.ValidationError(_("Indiquez au moins une adresse de redirection."))
        return "\n".join(lines)

    def clean_public_key(self) -> str:
        pem: str = self.cleaned_data.get("public_key", "").strip()
        if pem:
            try:
                key = jwk.JWK.from_pem(pem.encode())
            except (ValueError, TypeError) as error:
                raise forms.ValidationError(_("Cette clé n'est pas une clé publique PEM lisible.")) from error
            if key.has_private:
                raise forms.ValidationError(_("C'est une clé privée : collez seulement la clé publique de l'outil."))
        return pem

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        if not data.get("jwks_url") and not data.get("public_key") and "public_key" not in self.errors:
            self.add_error("jwks_url", _("Indiquez l'adresse du jeu de clés de l'outil ou sa clé publique."))
        return data

    def values(self) -> dict[str, Any]:
        return {name: self.cleaned_data[name] for name in self._meta.fields or () if name in self.cleaned_data}

    def save(self, commit: bool = True) -> Tool:  # the registration goes through the actions
        raise NotImplementedError("use lti.actions.register_tool or update_tool")


class DeepLinkForm(forms.Form):
    tool = forms.ModelChoiceField(label=_("Outil"), queryset=Tool.objects.none())
    school_class = forms.ModelChoiceField(label=_("Pour la classe"), queryset=SchoolClass.objects.none())

    def __init__(self, *args: Any, actor: Actor, tools: list[Tool], **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        field = self.fields["tool"]
        field.queryset = Tool.objects.filter(pk__in=[t.pk for t in tools if t.allow_deep_linking])  # type: ignore[attr-defined]
        field.choices = [("", "---------")] + [(t.pk, t.name) for t in tools if t.allow_deep_linking]  # type: ignore[attr-defined]
        classes = taught_classes(actor)
        self.fields["school_class"].queryset = SchoolClass.objects.filter(pk__in=[c.pk for c in classes])  # type: ignore[attr-defined]
        self.fields["school_class"].choices = [("", "---------")] + [(c.pk, c.name) for c in classes]  # type: ignore[attr-defined]
