"""Messagerie: registrations (module, menu, widgets, notification kinds, personal data)."""

import datetime as dt

from django.utils.translation import gettext_lazy as _

from cartable.core import authz, registry
from cartable.messaging.models import Folder, MailboxEntry, Message, Report

# Erasure: the app's audited action, one rule per model (see its ERASURE).
ERASE = "cartable.messaging.actions.erase_personal_data"

registry.register_module(
    registry.Module(
        key="messaging",
        label=_("Messagerie"),
        description=_("Les messages entre les personnes de l'établissement, selon ses règles de communication."),
    )
)
registry.register_menu(
    registry.MenuEntry(key="messaging", label=_("Messagerie"), url_name="messaging:inbox", order=25, module="messaging")
)


def _write_links(actor, person_ids: list[int]) -> dict[int, str]:
    """« Écrire » beside the people the rules let the actor write to (the rules' queries, once for all)."""
    from django.urls import reverse

    from cartable.messaging.rules import Explainer

    if actor.user_id is None:
        return {}
    decide = Explainer(actor, person_ids)
    compose = reverse("messaging:compose")
    return {pk: f"{compose}?a={pk}" for pk in person_ids if decide(pk).allowed}


registry.register_person_link(
    registry.PersonLink(key="messaging.write", label=_("Écrire"), links=_write_links, module="messaging")
)


def _edits_rules(actor) -> bool:
    return actor.establishment is not None and authz.can(actor, "messaging.edit_rules", actor.establishment)


registry.register_menu(
    registry.MenuEntry(
        key="messaging.rules",
        label=_("Règles de communication"),
        url_name="messaging:rules",
        order=92,
        module="messaging",
        visible=_edits_rules,
    )
)
registry.register_notification_kind(
    registry.NotificationKind(key="messaging.message", label=_("Nouveau message"), default_channels=("in_app", "email"))
)
registry.register_notification_kind(
    registry.NotificationKind(
        key="messaging.report", label=_("Message signalé à l'établissement"), default_channels=("in_app", "email")
    )
)


def _unread(actor):
    from cartable.messaging.queries import unread_count

    return {"unread": unread_count(actor)}


registry.register_widget(
    registry.Widget(
        key="messaging_unread",
        title=_("Messagerie"),
        template="messaging/widgets/unread.html",
        context=_unread,
        order=15,
        module="messaging",
    )
)


def _export_messages(user):
    return [
        {"subject": m["subject"], "sent_at": m["sent_at"] and m["sent_at"].isoformat(), "to": m["audience_label"]}
        for m in Message.objects.filter(sender=user).values("subject", "sent_at", "audience_label")
    ]


registry.personal_data(
    Message,
    _("Échanger des messages au sein de l'établissement."),
    _("Tant que la personne garde le message dans sa messagerie ; l'année scolaire suivie d'un an au plus."),
    _export_messages,
    ERASE,
    "sender",
)
registry.personal_data(
    MailboxEntry,
    _("Ranger les messages reçus et envoyés, savoir lesquels sont lus."),
    _("Jusqu'à suppression par la personne."),
    lambda u: [
        {"subject": e.message.subject, "box": e.box, "read_at": e.read_at and e.read_at.isoformat()}
        for e in MailboxEntry.objects.filter(person=u).select_related("message")
    ],
    ERASE,
    "person",
    retention_rule=registry.RetentionRule(
        clock="trashed_at",
        keep=dt.timedelta(days=30),
        where={"trashed_at__isnull": False},
        source=_("Corbeille vidée après 30 jours (règle par défaut du registre)"),
    ),
)
registry.personal_data(
    Folder,
    _("Classer ses messages dans ses propres dossiers."),
    _("Jusqu'à suppression par la personne."),
    lambda u: list(Folder.objects.filter(owner=u).values("name")),
    ERASE,
    "owner",
)
registry.personal_data(
    Report,
    _("Signaler un message abusif à l'établissement et en suivre le traitement."),
    _("Un an après son traitement."),
    lambda u: [
        {"reason": r.reason, "status": r.status, "created_at": r.created_at.isoformat()}
        for r in Report.objects.filter(reporter=u)
    ],
    ERASE,
    "reporter",
    "closed_by",
)

registry.register_demo_loader("messaging", "cartable.messaging.demo.load_demo")
