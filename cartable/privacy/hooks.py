"""Privacy centre registrations: its personal data (the archives), the purge of expired archives, the demo."""

import datetime as dt

from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from cartable.core import registry
from cartable.privacy.models import DataExport, Limitation, PrivacyRequest

ERASE = "cartable.privacy.actions.erase_personal_data"


def _export(user) -> list[dict]:
    return [
        {
            "subject": e.subject.get_full_name(),
            "requested_by": e.requested_by.get_full_name(),
            "status": e.status,
            "created_at": e.created_at.isoformat(),
            "expires_at": e.expires_at.isoformat(),
        }
        for e in DataExport.objects.filter(requested_by=user).select_related("subject", "requested_by")
    ]


registry.register_data_provider(
    registry.DataProvider(
        model=DataExport,
        purpose=_("Préparer l'archive de ses données qu'une personne ou son responsable légal demande (art. 15)."),
        retention=_("Sept jours après la demande, archive comprise."),
        legal_basis=_("Obligation légale (article 6.1.c du RGPD) : droit d'accès, article 15"),
        export=_export,
        erase=ERASE,
        user_fields=("requested_by", "subject"),
        retention_rule=registry.RetentionRule(
            clock="expires_at", source=_("Règle du centre de confidentialité"), job="privacy.purge_exports"
        ),
    )
)


def _periodic() -> None:
    from cartable.privacy.tasks import purge_expired_exports

    registry.register_periodic(
        registry.PeriodicJob(
            key="privacy.purge_exports",
            task=purge_expired_exports,
            every=dt.timedelta(hours=1),
            description=_("Supprime les archives « Mes données » de plus de sept jours."),
        )
    )
    from cartable.privacy.tasks import apply_retention

    registry.register_periodic(
        registry.PeriodicJob(
            key="privacy.apply_retention",
            task=apply_retention,
            every=dt.timedelta(hours=24),
            description=_("Applique les durées de conservation du registre."),
        )
    )


_periodic()

registry.register_demo_loader("privacy", "cartable.privacy.demo.load_demo", after=("grades", "attendance"))


# --- requests to the DPO ----------------------------------------------------------------------------------
def _handles_requests(actor) -> bool:
    from cartable.core import authz

    return authz.allows(actor, "privacy.handle_requests", None)


registry.register_menu(
    registry.MenuEntry(
        key="privacy.queue", label=_("Demandes RGPD"), url_name="privacy:queue", order=95, visible=_handles_requests
    )
)
registry.register_notification_kind(
    registry.NotificationKind(
        key="privacy.request_received", label=_("Nouvelle demande RGPD à traiter"), default_channels=("in_app", "email")
    )
)
registry.register_notification_kind(
    registry.NotificationKind(
        key="privacy.request_updated", label=_("Suivi de ma demande RGPD"), default_channels=("in_app", "email")
    )
)

registry.register_notification_kind(
    registry.NotificationKind(
        key="privacy.request_due", label=_("Demande RGPD à rendre demain"), default_channels=("in_app", "email")
    )
)


def _due_tomorrow(tomorrow):
    from cartable.privacy.queries import reminders_due_on

    return reminders_due_on(tomorrow)


registry.register_reminder_source(registry.ReminderSource(kind="privacy.request_due", due=_due_tomorrow))


def _export_requests(user) -> list[dict]:
    rows = PrivacyRequest.objects.filter(Q(requester=user) | Q(subject=user)).select_related("subject")
    return [
        {
            "subject": r.subject.get_full_name(),
            "kind": r.kind,
            "body": r.body,
            "status": r.status,
            "received_at": r.received_at.isoformat(),
            "due_on": r.due_on.isoformat(),
            "extension_reason": r.extension_reason,
            "reply": r.reply,
        }
        for r in rows
    ]


registry.register_data_provider(
    registry.DataProvider(
        model=PrivacyRequest,
        purpose=_("Répondre aux demandes d'exercice des droits RGPD (articles 15 à 21) et prouver la réponse."),
        retention=_("Trois ans après la réponse."),
        legal_basis=_("Obligation légale (article 6.1.c du RGPD) : articles 12 à 21"),
        export=_export_requests,
        erase=ERASE,
        user_fields=("requester", "subject", "handled_by"),
        retention_rule=registry.RetentionRule(
            clock="closed_at",
            keep=dt.timedelta(days=3 * 365),
            where={
                "status__in": [
                    PrivacyRequest.Status.GRANTED,
                    PrivacyRequest.Status.PARTLY,
                    PrivacyRequest.Status.REFUSED,
                ]
            },
            source=_("Responsabilité du traitement (article 5.2 du RGPD) : prouver la réponse"),
        ),
    )
)


def _export_limitations(user) -> list[dict]:
    return [
        {
            "since": row.since.isoformat(),
            "lifted_at": row.lifted_at.isoformat() if row.lifted_at else None,
            "reason": row.reason,
        }
        for row in Limitation.objects.filter(subject=user)
    ]


registry.register_data_provider(
    registry.DataProvider(
        model=Limitation,
        purpose=_("Geler les données d'une personne qui a obtenu la limitation de leur traitement (art. 18)."),
        retention=_("Trois ans après sa levée."),
        legal_basis=_("Obligation légale (article 6.1.c du RGPD) : article 18"),
        export=_export_limitations,
        erase=ERASE,
        user_fields=("subject", "lifted_by"),
        retention_rule=registry.RetentionRule(
            clock="lifted_at",
            keep=dt.timedelta(days=3 * 365),
            source=_("Responsabilité du traitement (article 5.2 du RGPD) : prouver la réponse"),
        ),
    )
)
