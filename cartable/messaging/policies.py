"""Who may see and change the messaging's rows.

| model | view | change |
|---|---|---|
| `Message` | its participants (sender, recipients); nobody else, not even the region | its sender, while a draft |
| `MailboxEntry`, `Folder` | their owner | their owner |
| `Attachment` | the message's participants | the sender of the draft |
| `Report` | its reporter; the direction and ENT administrators of its establishment | the latter |
| `CommunicationRule` | members of the establishment | its ENT administrators; the region |

A participant who deleted a message for good is no longer one.
"""

from __future__ import annotations

from cartable.core import authz
from cartable.core.authz import Action
from cartable.directory.models import Role
from cartable.messaging.models import Attachment, CommunicationRule, Folder, MailboxEntry, Message, Report

REPORT_HANDLERS = frozenset({Role.DIRECTION, Role.ESTABLISHMENT_ADMIN})


def handles_reports(actor, establishment_id: int | None) -> bool:
    """The direction and the ENT administrators of an establishment receive its reports."""
    return bool(actor.roles_in(establishment_id) & REPORT_HANDLERS)


def report_establishments(actor) -> list[int]:
    return sorted(e for e in actor.establishment_ids if handles_reports(actor, e))


def can_edit_rules(actor, establishment_id: int | None) -> bool:
    return actor.is_regional_admin or Role.ESTABLISHMENT_ADMIN in actor.roles_in(establishment_id)


def _is_participant(actor, message: Message) -> bool:
    cached = getattr(message, "participant_ids", None)
    if cached is not None:
        return actor.user_id in cached
    return MailboxEntry.objects.filter(message_id=message.pk, person_id=actor.user_id).exists()


@authz.register(Message)
class MessagePolicy(authz.Policy):
    """Only participants see a message; only its sender changes it, and only while it is a draft."""

    def allows(self, actor, action, obj):
        if actor is None or not actor.is_authenticated:
            return False
        if action == Action.VIEW:
            return obj.pk is not None and _is_participant(actor, obj)
        if action in (Action.CHANGE, Action.DELETE):
            return obj.sender_id == actor.user_id and obj.sent_at is None
        if action == Action.CREATE:
            return obj.sender_id == actor.user_id and obj.establishment_id in actor.establishment_ids
        return False

    def scope(self, actor, queryset):
        return queryset.filter(entries__person_id=actor.user_id)


@authz.register(MailboxEntry)
class MailboxEntryPolicy(authz.Policy):
    """A mailbox is its owner's."""

    def allows(self, actor, action, obj):
        return actor is not None and obj.person_id == actor.user_id and actor.user_id is not None

    def scope(self, actor, queryset):
        return queryset.filter(person_id=actor.user_id)


@authz.register(Folder)
class FolderPolicy(authz.Policy):
    """A folder is its owner's."""

    def allows(self, actor, action, obj):
        return actor is not None and obj.owner_id == actor.user_id and actor.user_id is not None

    def scope(self, actor, queryset):
        return queryset.filter(owner_id=actor.user_id)


@authz.register(Attachment)
class AttachmentPolicy(authz.Policy):
    """A file follows its message: its participants see it."""

    def allows(self, actor, action, obj):
        if action == Action.VIEW:
            return authz.allows(actor, Action.VIEW, obj.message)
        return authz.allows(actor, Action.CHANGE, obj.message)

    def scope(self, actor, queryset):
        return queryset.filter(message__entries__person_id=actor.user_id)


@authz.register(Report)
class ReportPolicy(authz.Policy):
    """A report is seen by its reporter and handled by the direction and ENT administrators."""

    def allows(self, actor, action, obj):
        if actor is None or not actor.is_authenticated:
            return False
        handler = handles_reports(actor, obj.establishment_id)
        if action == Action.VIEW:
            return handler or obj.reporter_id == actor.user_id
        if action in (Action.CHANGE, Action.MANAGE):
            return handler
        return False

    def scope(self, actor, queryset):
        from django.db.models import Q

        return queryset.filter(Q(establishment_id__in=report_establishments(actor)) | Q(reporter_id=actor.user_id))


@authz.register(CommunicationRule)
class CommunicationRulePolicy(authz.Policy):
    """Members read their establishment's rules; its ENT administrators (and the region) change them."""

    def allows(self, actor, action, obj):
        if actor is None or not actor.is_authenticated:
            return False
        if action == Action.VIEW:
            return actor.is_regional_admin or obj.establishment_id in actor.establishment_ids
        return can_edit_rules(actor, obj.establishment_id)

    def scope(self, actor, queryset):
        if actor.is_regional_admin:
            return queryset
        return queryset.filter(establishment_id__in=list(actor.establishment_ids))
