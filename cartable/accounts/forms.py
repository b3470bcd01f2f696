"""Input forms of the accounts pages."""

from typing import Any

from django import forms
from django.conf import settings
from django.contrib.auth import authenticate
from django.contrib.auth.forms import PasswordResetForm, SetPasswordForm
from django.utils.translation import get_language_info
from django.utils.translation import gettext_lazy as _

from cartable.accounts import throttle
from cartable.accounts.actions import PREFERENCE_FIELDS
from cartable.accounts.activation import ActivationError
from cartable.accounts.models import Preferences
from cartable.accounts.queries import matching_activation_code
from cartable.core import registry
from cartable.core.http import client_ip

PASSWORD_HELP = _(
    "Au moins 12 caractères. Une phrase de passe est une bonne idée. Évitez les suites du clavier (azerty, "
    "123456), les années et votre nom."
)
THROTTLED = _("Trop de tentatives. Par sécurité, patientez quelques minutes avant de réessayer.")


class AlertMixin:
    """Gives a form the messages to announce at the top of the page (``role="alert"``).

    All the errors that belong to no field, or else the first field error, prefixed by its label.
    """

    @property
    def alert_messages(self: Any) -> list[str]:
        if not self.is_bound or not self.errors:
            return []
        general = list(self.non_field_errors())
        if general:
            return general
        for name in self.fields:
            errors = self[name].errors
            if errors:
                return [_("%(label)s : %(error)s") % {"label": self[name].label, "error": errors[0]}]
        return []


class LoginForm(AlertMixin, forms.Form):
    username = forms.CharField(
        label=_("Identifiant"),
        max_length=150,
        widget=forms.TextInput(attrs={"autocomplete": "username", "autofocus": True}),
    )
    password = forms.CharField(
        label=_("Mot de passe"), strip=False, widget=forms.PasswordInput(attrs={"autocomplete": "current-password"})
    )

    error_messages = {
        "invalid": _("Identifiant ou mot de passe incorrect."),
        "throttled": _("Trop de tentatives de connexion. Par sécurité, patientez quelques minutes avant de réessayer."),
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
        ip = client_ip(self.request)
        if throttle.is_throttled(username, ip):
            raise forms.ValidationError(self.error_messages["throttled"], code="throttled")
        user = authenticate(self.request, username=username, password=password)
        if user is None:
            throttle.record_failure(username, ip)
            # One message for an unknown login and a wrong password: nothing tells which accounts exist.
            raise forms.ValidationError(self.error_messages["invalid"], code="invalid")
        self.user = user
        return self.cleaned_data


class ActivationForm(AlertMixin, forms.Form):
    """First step of an activation: the login and the one-time code handed out by the school."""

    username = forms.CharField(
        label=_("Identifiant"),
        max_length=150,
        widget=forms.TextInput(attrs={"autocomplete": "username", "autofocus": True}),
    )
    code = forms.CharField(
        label=_("Code d'activation"),
        max_length=32,
        help_text=_("Le code remis par votre établissement, par exemple K7QM-2XPA-9HTD."),
        widget=forms.TextInput(
            attrs={"autocomplete": "one-time-code", "autocapitalize": "characters", "spellcheck": "false"}
        ),
    )

    def __init__(self, request, *args, **kwargs):
        self.request = request
        self.activation_code = None
        super().__init__(*args, **kwargs)

    def clean(self):
        username = (self.cleaned_data.get("username") or "").strip()
        code = self.cleaned_data.get("code") or ""
        if not username or not code:
            return self.cleaned_data
        ip = client_ip(self.request)
        if throttle.is_throttled(username, ip):
            raise forms.ValidationError(THROTTLED, code="throttled")
        try:
            self.activation_code = matching_activation_code(username=username, code=code)
        except ActivationError as error:
            if error.reason == "invalid":
                throttle.record_failure(username, ip)
            raise forms.ValidationError(error.message, code=error.reason) from None
        return self.cleaned_data


class NewPasswordForm(AlertMixin, SetPasswordForm):
    """A new password typed twice: at least 12 characters, not a common one, no composition rules."""

    new_password1 = forms.CharField(
        label=_("Nouveau mot de passe"),
        strip=False,
        help_text=PASSWORD_HELP,
        widget=forms.PasswordInput(attrs={"autocomplete": "new-password"}),
    )
    new_password2 = forms.CharField(
        label=_("Confirmation du nouveau mot de passe"),
        strip=False,
        widget=forms.PasswordInput(attrs={"autocomplete": "new-password"}),
    )

    error_messages = {"password_mismatch": _("Les deux mots de passe saisis ne sont pas identiques.")}

    def clean(self):
        self.validate_passwords("new_password1", "new_password2")
        # The rules' errors go with the first field, where the rules are written.
        self.validate_password_for_user(self.user, "new_password1")
        return self.cleaned_data

    @property
    def password(self) -> str:
        return self.cleaned_data["new_password1"]


class ChangePasswordForm(NewPasswordForm):
    """The current password, then a new one typed twice. Wrong guesses are throttled like sign-in."""

    old_password = forms.CharField(
        label=_("Mot de passe actuel"),
        strip=False,
        widget=forms.PasswordInput(attrs={"autocomplete": "current-password", "autofocus": True}),
    )

    field_order = ["old_password", "new_password1", "new_password2"]

    def __init__(self, user, *args, request=None, **kwargs):
        self.request = request
        super().__init__(user, *args, **kwargs)
        # Secret addresses that open the person's data without a password (calendar feeds): offered for
        # revocation with the change, checked by default, only when some are live.
        self.secret_links = [(links, links.count(user)) for links in registry.secret_links()]
        for links, count in self.secret_links:
            if count:
                self.fields[links.field_name] = forms.BooleanField(
                    required=False,
                    initial=True,
                    label=links.offer(count),
                    help_text=_(
                        "Les applications qui les utilisent cesseront de recevoir vos données ; vous pourrez "
                        "créer de nouveaux liens ensuite. Conseillé si vous changez de mot de passe parce "
                        "qu'il a pu être connu."
                    ),
                )

    @property
    def links_offered(self) -> bool:
        return any(count for _links, count in self.secret_links)

    @property
    def links_to_revoke(self) -> list[Any]:
        return [links for links, count in self.secret_links if count and self.cleaned_data.get(links.field_name)]

    def clean_old_password(self):
        old_password = self.cleaned_data["old_password"]
        ip = client_ip(self.request) if self.request is not None else None
        if throttle.is_throttled(self.user.username, ip):
            raise forms.ValidationError(THROTTLED, code="throttled")
        if not self.user.check_password(old_password):
            throttle.record_failure(self.user.username, ip)
            raise forms.ValidationError(_("Le mot de passe actuel est incorrect."), code="password_incorrect")
        return old_password


class ResetRequestForm(AlertMixin, PasswordResetForm):
    email = forms.EmailField(
        label=_("Adresse électronique"),
        max_length=254,
        help_text=_("L'adresse enregistrée dans votre compte."),
        error_messages={"invalid": _("Saisissez une adresse électronique valide, par exemple prenom.nom@exemple.fr.")},
        widget=forms.EmailInput(attrs={"autocomplete": "email", "autofocus": True}),
    )


class PreferencesForm(AlertMixin, forms.ModelForm):
    """The comfort settings; saved through ``actions.update_preferences``, never by ``save()``."""

    class Meta:
        model = Preferences
        fields = PREFERENCE_FIELDS
        help_texts = {
            "language": _("La langue des pages et des messages."),
            "theme": _("Le contraste élevé affiche du texte clair sur fond noir."),
            "dyslexia_font": _("Une police plus espacée, plus facile à lire pour certaines personnes."),
            "reduced_motion": _("Supprime les animations et les défilements animés."),
        }

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["language"].choices = language_choices()


def language_choices() -> list[tuple[str, str]]:
    """Each language named in itself (``English``, not ``Anglais``): the reader may not read the other."""
    return [(code, get_language_info(code)["name_local"].capitalize()) for code, _name in settings.LANGUAGES]


class LanguageForm(forms.Form):
    """The language of the pages for a visitor who is not signed in."""

    language = forms.ChoiceField(label=_("Langue"), choices=language_choices)


class CodeForm(AlertMixin, forms.Form):
    code = forms.CharField(
        label=_("Code"),
        max_length=16,
        help_text=_("Les 6 chiffres de votre application, ou un code de secours."),
        widget=forms.TextInput(attrs={"autocomplete": "one-time-code", "inputmode": "text", "autofocus": True}),
    )


class FactorPolicyForm(forms.Form):
    roles = forms.MultipleChoiceField(
        label=_("Rôles tenus de donner un second facteur"),
        required=False,
        widget=forms.CheckboxSelectMultiple,
        choices=[],
    )

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        from cartable.accounts.policies import ENROLLING_ROLES
        from cartable.directory.models import Role

        self.fields["roles"].choices = [(r.value, r.label) for r in Role if r in ENROLLING_ROLES]


class ResetFactorsForm(AlertMixin, forms.Form):
    username = forms.CharField(label=_("Identifiant de la personne"), max_length=150)
