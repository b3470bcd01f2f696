"""The service registration form: name, icon, kind, addresses, audience, attribute profile."""

from __future__ import annotations

from typing import Any
from urllib.parse import urlsplit

from django import forms
from django.utils.translation import gettext_lazy as _

from cartable.directory.actor import Actor
from cartable.directory.models import Establishment, Role
from cartable.sso import matching
from cartable.sso.models import Service
from cartable.sso.policies import managed_establishments


def _https(url: str) -> bool:
    parts = urlsplit(url)
    return parts.scheme == "https" and bool(parts.hostname) and "\\" not in url


class ServiceForm(forms.Form):
    name = forms.CharField(label=_("Nom"), max_length=120)
    description = forms.CharField(label=_("Description"), max_length=250, required=False)
    icon = forms.ChoiceField(label=_("Icône"), choices=Service.Icon.choices)
    kind = forms.ChoiceField(label=_("Type"), choices=Service.Kind.choices)
    establishment = forms.TypedChoiceField(label=_("Pour"), coerce=int, required=False, empty_value=None)
    url = forms.URLField(
        label=_("Adresse d'accès"), max_length=500, assume_scheme="https", help_text=_("La page où la tuile mène.")
    )
    addresses = forms.CharField(
        label=_("Adresses du service (CAS)"),
        required=False,
        widget=forms.Textarea(attrs={"rows": 3}),
        help_text=Service._meta.get_field("addresses").help_text,
    )
    roles = forms.MultipleChoiceField(
        label=_("Qui voit l'application"), choices=Role.choices, widget=forms.CheckboxSelectMultiple
    )
    profile = forms.ChoiceField(label=_("Attributs transmis"), choices=Service.Profile.choices)
    allow_proxy = forms.BooleanField(label=_("Autoriser les tickets de proxy"), required=False)
    enabled = forms.BooleanField(label=_("Active"), required=False, initial=True)

    def __init__(self, *args: Any, actor: Actor, service: Service | None = None, **kwargs: Any) -> None:
        if service is not None:
            kwargs.setdefault(
                "initial",
                {f: getattr(service, f) for f in ("name", "description", "icon", "kind", "url", "addresses", "profile")}
                | {"roles": service.role_list, "allow_proxy": service.allow_proxy, "enabled": service.enabled},
            )
        super().__init__(*args, **kwargs)
        self.service = service
        if service is not None:
            del self.fields["establishment"]
            return
        places = Establishment.objects.filter(pk__in=managed_establishments(actor)).order_by("name")
        choices = [(e.pk, e.name) for e in places]
        if actor.is_regional_admin:
            choices.insert(0, ("", _("Toute la région")))
        self.fields["establishment"].choices = choices  # type: ignore[attr-defined]
        self.fields["establishment"].required = not actor.is_regional_admin

    def clean_url(self) -> str:
        url: str = self.cleaned_data["url"]
        if not _https(url):
            raise forms.ValidationError(_("L'adresse doit commencer par https://."))
        return url

    def clean_addresses(self) -> str:
        lines = [line.strip() for line in self.cleaned_data["addresses"].splitlines() if line.strip()]
        for line in lines:
            if not _https(line):
                raise forms.ValidationError(
                    _("« %(address)s » : chaque adresse doit commencer par https://.") % {"address": line}
                )
        return "\n".join(lines)

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        if data.get("kind") == Service.Kind.CAS and "addresses" not in self.errors:
            addresses = (data.get("addresses") or "").splitlines()
            if not addresses:
                self.add_error("addresses", _("Un service CAS a besoin d'au moins une adresse."))
            elif data.get("url") and not matching.first_match(addresses, data["url"]):
                # The tile goes through /cas/login with this address: it must be one of the service's.
                self.add_error("url", _("Pour un service CAS, l'adresse d'accès doit être couverte par ses adresses."))
        return data
