"""Provisioning's registrations: the personal data it holds (the runs' requester, contact details)."""

import datetime as dt

from django.utils.translation import gettext_lazy as _

from cartable.core import authz, registry
from cartable.provisioning.models import ContactDetails, ImportRun, LetterBatch

ERASE = "cartable.provisioning.actions.erase_personal_data"

registry.personal_data(
    ImportRun,
    _("Tracer qui a alimenté l'annuaire, quand et avec quels fichiers (arrêté du 30 novembre 2006)."),
    _("Un an."),
    lambda u: [
        {k: str(v) for k, v in row.items()}
        for row in ImportRun.objects.filter(requested_by=u).values("started_at", "source_kind", "outcome")
    ],
    ERASE,
    "requested_by",
)
registry.personal_data(
    LetterBatch,
    _("Remettre aux élèves et aux responsables leurs codes d'activation, imprimés par l'établissement."),
    _("Un jour, lettres comprises."),
    lambda u: [
        {k: str(v) for k, v in row.items()}
        for row in LetterBatch.objects.filter(requested_by=u).values("school_class__name", "created_at", "status")
    ],
    ERASE,
    "requested_by",
    retention_rule=registry.RetentionRule(
        clock="expires_at", source=_("Règle de l'alimentation"), job="provisioning.purge_letters"
    ),
)
registry.personal_data(
    ContactDetails,
    _("Joindre les responsables légaux (coordonnées transmises par l'annuaire académique)."),
    _("Pendant la scolarité dans l'établissement, puis un an."),
    lambda u: list(
        ContactDetails.objects.filter(person=u).values("address", "postal_code", "city", "country", "phone", "mobile")
    ),
    ERASE,
    "person",
)


def _imports(actor) -> bool:
    return authz.can(actor, "provisioning.import")


registry.register_menu(
    registry.MenuEntry(
        key="provisioning", label=_("Alimentation"), url_name="provisioning:index", order=95, visible=_imports
    )
)


def _prints_letters(actor) -> bool:
    establishment = actor.establishment
    return establishment is not None and authz.can(actor, "provisioning.print_letters", establishment)


registry.register_menu(
    registry.MenuEntry(
        key="provisioning.letters",
        label=_("Lettres d'activation"),
        url_name="provisioning:letters",
        order=91,
        visible=_prints_letters,
    )
)


def _periodic() -> None:
    from cartable.provisioning.tasks import purge_expired_letters, purge_leavers

    registry.register_periodic(
        registry.PeriodicJob(
            key="provisioning.purge_letters",
            task=purge_expired_letters,
            every=dt.timedelta(hours=1),
            description=_("Supprime les lettres d'activation préparées depuis plus d'un jour."),
        )
    )
    registry.register_periodic(
        registry.PeriodicJob(
            key="provisioning.purge_leavers",
            task=purge_leavers,
            every=dt.timedelta(hours=24),
            description=_("Efface les comptes dont la dernière inscription a pris fin il y a trois mois."),
        )
    )


_periodic()

registry.register_demo_loader("provisioning", "cartable.provisioning.demo.load_demo")
