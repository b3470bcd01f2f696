"""Accounts registrations: notification kinds, personal data held by this app, session bookkeeping."""

from django.contrib.auth.signals import user_logged_in, user_logged_out
from django.utils.translation import gettext_lazy as _

from cartable.accounts import sessions
from cartable.accounts.models import AccountSession, ActivationCode, CharterAcceptance, Preferences
from cartable.core import registry

# Erasure: the app's audited action, one rule per model (see its ERASURE).
ERASE = "cartable.accounts.actions.erase_personal_data"

registry.register_notification_kind(
    registry.NotificationKind(
        key="accounts.welcome", label=_("Bienvenue après l'activation du compte"), default_channels=("in_app", "email")
    )
)

# Every way of signing in (our pages, the admin, tests) records the session, so that disabling the
# account can end it. Django's own signals: the one place all sign-ins pass through.
user_logged_in.connect(sessions.remember, dispatch_uid="cartable.accounts.sessions.remember")
user_logged_out.connect(sessions.forget, dispatch_uid="cartable.accounts.sessions.forget")

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
        erase=ERASE,
        user_fields=("user",),
    )
)
registry.register_data_provider(
    registry.DataProvider(
        model=ActivationCode,
        purpose=_("Permettre la première connexion d'un compte fourni par l'établissement."),
        retention=_("Jusqu'à l'activation ou l'expiration du code."),
        export=lambda u: [
            {"created_at": str(c.created_at), "used_at": str(c.used_at), "revoked_at": str(c.revoked_at)}
            for c in ActivationCode.objects.filter(user=u)
        ],
        erase=ERASE,
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
        erase=ERASE,
        user_fields=("user",),
    )
)
registry.register_data_provider(
    registry.DataProvider(
        model=AccountSession,
        purpose=_("Pouvoir fermer d'un coup toutes les sessions d'un compte désactivé."),
        retention=_("Jusqu'à la déconnexion ou l'expiration de la session."),
        export=lambda u: [{"created_at": s.created_at.isoformat()} for s in AccountSession.objects.filter(user=u)],
        erase=ERASE,
        user_fields=("user",),
    )
)


def _periodic() -> None:
    import datetime as dt

    from cartable.accounts.tasks import purge_account_records

    registry.register_periodic(
        registry.PeriodicJob(
            key="accounts.purge_account_records",
            task=purge_account_records,
            every=dt.timedelta(hours=1),
            description=_("Purge des échecs de connexion, des codes d'activation et des sessions terminées."),
        )
    )


_periodic()


def _factors() -> None:
    from django_otp.plugins.otp_static.models import StaticDevice
    from django_otp.plugins.otp_totp.models import TOTPDevice

    registry.personal_data(
        TOTPDevice,
        _("Protéger la connexion des personnels par un second facteur (application d'authentification)."),
        _("Tant que la personne garde ce facteur ; retiré par une réinitialisation."),
        lambda u: [
            {"name": r["name"], "confirmed": r["confirmed"]}
            for r in TOTPDevice.objects.filter(user=u).values("name", "confirmed")
        ],
        ERASE,
        "user",
    )
    registry.personal_data(
        StaticDevice,
        _("Remplacer une fois l'application d'authentification perdue (codes de secours)."),
        _("Jusqu'à leur usage ou au prochain enregistrement d'un second facteur."),
        lambda u: [{"name": r["name"]} for r in StaticDevice.objects.filter(user=u).values("name")],
        ERASE,
        "user",
    )


_factors()
