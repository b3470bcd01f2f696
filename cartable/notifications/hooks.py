"""Notifications: registrations (reminder kinds, periodic jobs, personal data).

The centre is always on: it has no module key, since every other module relies on it to deliver; it has no
menu entry either, since the header's "Notifications" link (with the unread count) is on every page."""

import datetime as dt

from django.utils.translation import gettext_lazy as _

from cartable.core import registry
from cartable.core.models import DigestRun, NotificationPreference, QuietHours
from cartable.core.tasks import send_digests
from cartable.notifications import policies  # noqa: F401  (registers the policies)
from cartable.notifications.tasks import EVENT_TOMORROW, HOMEWORK_DUE, send_reminders

# Erasure: the app's audited action, one rule per model (see its ERASURE).
ERASE = "cartable.notifications.actions.erase_personal_data"

registry.register_notification_kind(
    registry.NotificationKind(
        key=HOMEWORK_DUE,
        label=_("Rappel : travail pour demain pas encore fait"),
        default_channels=("in_app",),
        module="homework",
    )
)
registry.register_notification_kind(
    registry.NotificationKind(
        key=EVENT_TOMORROW, label=_("Rappel : événement demain"), default_channels=("in_app",), module="agenda"
    )
)
registry.register_periodic(
    registry.PeriodicJob(
        key="notifications.send_digests",
        task=send_digests,
        every=dt.timedelta(minutes=10),
        description=_("Envoi du résumé quotidien des notifications, une fois par jour et par personne."),
    )
)
registry.register_periodic(
    registry.PeriodicJob(
        key="notifications.send_reminders",
        task=send_reminders,
        every=dt.timedelta(minutes=30),
        description=_("Rappels de la veille : travail à faire et événements du lendemain."),
    )
)


def _export_preferences(user) -> list[dict]:
    rows = NotificationPreference.objects.filter(user=user).values("kind", "about_id", "channel")
    return [dict(row) for row in rows]


def _export_quiet_hours(user) -> list[dict]:
    return [
        {"start": q.start and q.start.isoformat(), "end": q.end and q.end.isoformat(), "weekends": q.weekends}
        for q in QuietHours.objects.filter(user=user)
    ]


registry.personal_data(
    NotificationPreference,
    _("Acheminer les notifications comme la personne l'a choisi."),
    _("Tant que le compte existe."),
    _export_preferences,
    ERASE,
    "user",
    "about",
)
registry.personal_data(
    QuietHours,
    _("Ne pas envoyer de courriel aux heures où la personne ne veut pas en recevoir."),
    _("Tant que le compte existe."),
    _export_quiet_hours,
    ERASE,
    "user",
)
registry.personal_data(
    DigestRun,
    _("Ne jamais envoyer deux fois le résumé du jour."),
    _("Un mois, puis purge."),
    lambda user: [{"day": r.day.isoformat()} for r in DigestRun.objects.filter(user=user)],
    ERASE,
    "user",
)

# The demo loader: the notices the other modules' demo data would have sent, and the preferences.
registry.register_demo_loader(
    "notifications", "cartable.notifications.demo.load_demo", after=("homework", "agenda", "news")
)
