"""Applications and single sign-on: registrations (menu, widget, periodic purge, personal data, demo)."""

import datetime as dt

from django.contrib.auth.signals import user_logged_out
from django.utils.translation import gettext_lazy as _
from oauth2_provider.models import AccessToken, Application, DeviceGrant, Grant, IDToken, RefreshToken

from cartable.core import registry
from cartable.sso.models import Service, SignedInService, Ticket

ERASE = "cartable.sso.actions.erase_personal_data"

registry.register_menu(registry.MenuEntry(key="sso", label=_("Applications"), url_name="sso:index", order=85))


def _tiles(actor):
    from cartable.sso.queries import tiles

    found = tiles(actor)
    return {"tiles": found} if found else None


registry.register_widget(
    registry.Widget(
        key="sso.tiles",
        title=_("Applications"),
        template="sso/widgets/tiles.html",
        context=_tiles,
        order=90,
        visible=lambda actor: bool(actor.memberships),
        cache_for=300,
        changes_with=("sso.service.",),
    )
)


def _periodic() -> None:
    from cartable.sso.tasks import on_logged_out, purge_tickets

    registry.register_periodic(
        registry.PeriodicJob(
            key="sso.purge_tickets",
            task=purge_tickets,
            every=dt.timedelta(minutes=15),
            description=_("Supprime les tickets CAS expirés et les connexions aux services trop anciennes."),
        )
    )
    user_logged_out.connect(on_logged_out, dispatch_uid="sso.single_logout")


_periodic()

registry.personal_data(
    Ticket,
    _("Ouvrir une application connectée par l'authentification unique (CAS)."),
    _("Cinq minutes au plus ; supprimés par la purge régulière."),
    lambda u: [
        {"kind": r["kind"], "service": r["service__name"], "created_at": r["created_at"].isoformat()}
        for r in Ticket.objects.filter(user=u).values("kind", "service__name", "created_at")
    ],
    ERASE,
    "user",
)
registry.personal_data(
    SignedInService,
    _("Déconnecter des applications ouvertes quand la session Cartable se termine (déconnexion unique)."),
    _("La durée de la session ; supprimées à la déconnexion."),
    lambda u: [
        {"service": r["service__name"], "created_at": r["created_at"].isoformat()}
        for r in SignedInService.objects.filter(user=u).values("service__name", "created_at")
    ],
    ERASE,
    "user",
)
registry.personal_data(
    Service,
    _("Savoir qui a enregistré une application connectée."),
    _("Tant que l'application est enregistrée."),
    lambda u: list(Service.objects.filter(created_by=u).values("name", "url")),
    ERASE,
    "created_by",
)


def _tokens(model):
    return lambda u: [
        {"application": r["application__name"], "scope": r["scope"], "expires": r["expires"].isoformat()}
        for r in model.objects.filter(user=u).values("application__name", "scope", "expires")
    ]


registry.personal_data(
    Grant,
    _("Ouvrir une application connectée par OpenID Connect (code d'autorisation à usage unique)."),
    _("Une minute ; supprimés par la purge régulière."),
    _tokens(Grant),
    ERASE,
    "user",
)
registry.personal_data(
    AccessToken,
    _("Permettre à une application connectée par OpenID Connect de lire votre profil (jeton d'accès)."),
    _("Une heure ; supprimés par la purge régulière."),
    _tokens(AccessToken),
    ERASE,
    "user",
)
registry.personal_data(
    RefreshToken,
    _("Prolonger l'accès d'une application connectée par OpenID Connect (jeton de rafraîchissement)."),
    _("Tant que le jeton d'accès associé existe ; supprimés par la purge régulière."),
    lambda u: [
        {"application": r["application__name"], "created": r["created"].isoformat()}
        for r in RefreshToken.objects.filter(user=u).values("application__name", "created")
    ],
    ERASE,
    "user",
)
registry.personal_data(
    IDToken,
    _("Prouver votre identité à une application connectée par OpenID Connect (jeton d'identité)."),
    _("Une heure ; supprimés par la purge régulière."),
    lambda u: [
        {"application": r["application__name"], "expires": r["expires"].isoformat()}
        for r in IDToken.objects.filter(user=u).values("application__name", "expires")
    ],
    ERASE,
    "user",
)
registry.personal_data(
    DeviceGrant,
    _("Aucune : la connexion d'appareils OpenID Connect n'est pas proposée (table de django-oauth-toolkit)."),
    _("Sans objet : la table reste vide."),
    lambda u: list(DeviceGrant.objects.filter(user=u).values("status", "expires")),
    ERASE,
    "user",
)
registry.personal_data(
    Application,
    _("Savoir à qui appartient un client OpenID Connect (les clients de Cartable n'ont pas de propriétaire)."),
    _("Tant que le client est enregistré."),
    lambda u: list(Application.objects.filter(user=u).values("name", "client_id")),
    ERASE,
    "user",
)

registry.register_demo_loader("sso", "cartable.sso.demo.load_demo")
