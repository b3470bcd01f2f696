"""Applications and single sign-on: registrations (menu, widget, periodic purge, personal data, demo)."""

import datetime as dt

from django.contrib.auth.signals import user_logged_out
from django.utils.translation import gettext_lazy as _

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

registry.register_demo_loader("sso", "cartable.sso.demo.load_demo")
