"""The kernel's own registrations: the personal data it keeps (audit trail, notifications, admin log)."""

import datetime as dt

from django.apps import apps
from django.utils.translation import gettext_lazy as _

from cartable.core import antivirus, registry  # noqa: F401  (antivirus: its deploy check)
from cartable.core.models import AuditEvent, Delivery, Notification

# Erasure: the kernel's audited action, one rule per model (see its ERASURE).
ERASE = "cartable.core.actions.erase_personal_data"


def _export_audit(user) -> list[dict]:
    rows = AuditEvent.objects.filter(subject_id=user.pk).values(
        "at", "kind", "verb", "actor_id", "target_type", "target_id"
    )
    return [dict(r, at=r["at"].isoformat()) for r in rows]


def _export_deliveries(user) -> list[dict]:
    """How each of the person's notices was sent (channel, state, when)."""
    rows = Delivery.objects.filter(notification__recipient=user).values(
        "notification__title", "channel", "status", "sent_at"
    )
    return [dict(r, sent_at=r["sent_at"].isoformat() if r["sent_at"] else None) for r in rows]


def _export_notifications(user) -> list[dict]:
    rows = Notification.objects.filter(recipient=user).values("created_at", "kind", "title", "read_at")
    return [
        dict(r, created_at=r["created_at"].isoformat(), read_at=r["read_at"] and r["read_at"].isoformat()) for r in rows
    ]


def _periodic() -> None:
    import datetime as dt

    from cartable.core.tasks import deliver_pending, purge_expired_records, sweep_orphan_files

    registry.register_periodic(
        registry.PeriodicJob(
            key="core.purge_expired_records",
            task=purge_expired_records,
            every=dt.timedelta(hours=24),
            description=_("Purge du journal d'audit, des notifications et des sessions expirés."),
        )
    )
    registry.register_periodic(
        registry.PeriodicJob(
            key="core.deliver_pending",
            task=deliver_pending,
            every=dt.timedelta(minutes=5),
            description=_("Nouvel essai des envois de notifications en attente."),
        )
    )
    registry.register_periodic(
        registry.PeriodicJob(
            key="core.sweep_orphan_files",
            task=sweep_orphan_files,
            every=dt.timedelta(hours=6),
            description=_("Suppression des fichiers qui n'appartiennent plus à aucune donnée."),
        )
    )


_periodic()

registry.register_data_provider(
    registry.DataProvider(
        model=AuditEvent,
        purpose=_("Traçabilité des modifications et des consultations de données sensibles (RGPD art. 5.2)."),
        retention=_("Un an, puis purge."),
        export=_export_audit,
        erase=ERASE,
        user_fields=("actor",),
        retention_rule=registry.RetentionRule(
            clock="at",
            keep=dt.timedelta(days=365),
            source=_("CNIL, recommandation de 2021 sur la journalisation : six mois à un an"),
            job="core.purge_expired_records",
        ),
    )
)
registry.register_data_provider(
    registry.DataProvider(
        model=Notification,
        purpose=_("Informer chaque personne de ce qui la concerne."),
        retention=_("Six mois après lecture."),
        export=_export_notifications,
        erase=ERASE,
        user_fields=("recipient", "about"),
    )
)
registry.register_data_provider(
    registry.DataProvider(
        model=Delivery,
        purpose=_("Acheminer les notifications par courriel."),
        retention=_("Supprimées avec leur notification."),
        export=_export_deliveries,
        erase=ERASE,
    )
)


def _export_admin_log(user) -> list[dict]:
    from django.contrib.admin.models import LogEntry

    rows = LogEntry.objects.filter(user=user).values("action_time", "action_flag", "object_repr", "change_message")
    return [dict(r, action_time=r["action_time"].isoformat()) for r in rows]


if apps.is_installed("django.contrib.admin"):
    from django.contrib.admin.models import LogEntry

    registry.register_data_provider(
        registry.DataProvider(
            model=LogEntry,
            purpose=_("Tracer les modifications faites dans l'administration."),
            retention=_("Un an, puis purge."),
            export=_export_admin_log,
            erase=ERASE,
            user_fields=("user",),
        )
    )
