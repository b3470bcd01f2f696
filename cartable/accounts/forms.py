"""Input forms of the accounts pages."""

from django import forms
from django.contrib.auth import authenticate
from django.utils.translation import gettext_lazy as _

from cartable.accounts import throttle


class LoginForm(forms.Form):
    username = forms.CharField(
        label=_("Identifiant"), max_length=150, widget=forms.TextInput(attrs={"autocomplete": "username", "autofocus": True})
    )
    password = forms.CharField(
        label=_("Mot de passe"), strip=False, widget=forms.PasswordInput(attrs={"autocomplete": "current-password"})
    )

    error_messages = {
        "invalid": _("Identifiant ou mot de passe incorrect."),
        "throttled": _(
            "Trop de tentatives de connexion. Par sécurité, patientez quelques minutes avant de réessayer."
        ),
    }

    def __init__(self, request, *args, **kwargs):
        self.request = request
        self.user = None
        super().__init__(*args, **kwargs)

    def clean(self):
        username = (self.cleaned_data.get("username") or "").strip()
        password = self.cleaned_data.get("password") or ""
        if not username or not password:
            return self.cleaned_data
        ip = self.request.META.get("REMOTE_ADDR")
        if throttle.is_throttled(username, ip):
            raise forms.ValidationError(self.error_messages["throttled"], code="throttled")
        user = authenticate(self.request, username=username, password=password)
        if user is None:
            throttle.record_failure(username, ip)
            # One message for an unknown login and a wrong password: nothing tells which accounts exist.
            raise forms.ValidationError(self.error_messages["invalid"], code="invalid")
        self.user = user
        return self.cleaned_data
