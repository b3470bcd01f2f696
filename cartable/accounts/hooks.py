"""Accounts registrations: personal data held by this app."""

from django.utils.translation import gettext_lazy as _

from cartable.accounts.models import ActivationCode, CharterAcceptance, Preferences
from cartable.core import registry

registry.register_data_provider(
    registry.DataProvider(
        model=Preferences,
        purpose=_("Adapter l'affichage aux choix de chaque personne (accessibilité, langue)."),
        retention=_("Tant que le compte existe."),
        export=lambda u: list(
            Preferences.objects.filter(user=u).values(
                "language", "theme", "text_size", "dyslexia_font", "reduced_motion"
            )
        ),
        erase=lambda u: Preferences.objects.filter(user=u).delete(),
        user_fields=("user",),
    )
)
registry.register_data_provider(
    registry.DataProvider(
        model=ActivationCode,
        purpose=_("Permettre la première connexion d'un compte fourni par l'établissement."),
        retention=_("Jusqu'à l'activation ou l'expiration du code."),
        export=lambda u: [
            {"created_at": str(c.created_at), "used_at": str(c.used_at)}
            for c in ActivationCode.objects.filter(user=u)
        ],
        erase=lambda u: ActivationCode.objects.filter(user=u).delete(),
        user_fields=("user",),
    )
)
registry.register_data_provider(
    registry.DataProvider(
        model=CharterAcceptance,
        purpose=_("Prouver l'acceptation de la charte d'utilisation et de la notice de confidentialité."),
        retention=_("Tant que le compte existe, puis un an."),
        export=lambda u: [
            {"charter": str(a.charter), "accepted_at": str(a.accepted_at)}
            for a in CharterAcceptance.objects.filter(user=u).select_related("charter")
        ],
        erase=lambda u: CharterAcceptance.objects.filter(user=u).delete(),
        user_fields=("user",),
    )
)
