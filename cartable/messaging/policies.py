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

from django.db.models import Q, QuerySet

from cartable.core import authz
from cartable.core.authz import Action
from cartable.directory.actor import Actor
from cartable.directory.models import ADMIN_ROLES, Establishment, Role, User
from cartable.messaging.models import Attachment, CommunicationRule, Folder, MailboxEntry, Message, Report
from cartable.messaging.rules import Facts, load_facts


def handles_reports(actor: Actor, establishment_id: int | None) -> bool:
    """The direction and the ENT administrators of an establishment receive its reports."""
    return actor.holds_in(establishment_id, ADMIN_ROLES)


def report_establishments(actor: Actor) -> list[int]:
    return sorted(actor.establishments_where(ADMIN_ROLES))


def can_edit_rules(actor: Actor, establishment_id: int | None) -> bool:
    return actor.is_regional_admin or actor.holds_in(establishment_id, (Role.ESTABLISHMENT_ADMIN,))


@authz.permission("messaging.handle_reports", about=None)
def can_handle_reports(actor: Actor, _obj: None = None) -> bool:
    """Whether the actor handles the reports of some establishment (the menu shows them the reports)."""
    return bool(report_establishments(actor))


@authz.permission("messaging.edit_rules", about=Establishment)
def can_edit_rules_of(actor: Actor, establishment: Establishment | None) -> bool:
    """Whether the actor changes the establishment's communication rules: its ENT administrators, the region."""
    return can_edit_rules(actor, establishment.pk if establishment is not None else None)


@authz.permission("messaging.report", about=Message)
def can_report(actor: Actor, message: Message) -> bool:
    """A message one received (a participant who is not its sender) may be reported."""
    if message.sent_at is None or message.sender_id == actor.user_id:
        return False
    return authz.allows(actor, Action.VIEW, message)


@authz.permission("messaging.close_report", about=Report)
def can_close_report(actor: Actor, report: Report) -> bool:
    """An open report is closed by those who handle it."""
    return report.status == Report.Status.OPEN and authz.allows(actor, Action.CHANGE, report)


def may_ask_why(actor: Actor, person: Facts | None, mine: Facts | None) -> bool:
    """Whether "pourquoi ?" answers about a person: one who shares an establishment with the actor (the
    region: anyone). Neither missing nor foreign people are told apart."""
    if person is None or mine is None:
        return False
    return actor.is_regional_admin or bool(set(person.roles) & set(mine.roles))


@authz.permission("messaging.ask_why", about=User)
def can_ask_why(actor: Actor, person: User) -> bool:
    """The same check for one person, its facts loaded (six queries): the page shares them with the answer."""
    if actor.user_id is None:
        return False
    facts = load_facts([person.pk, actor.user_id])
    return may_ask_why(actor, facts.get(person.pk), facts.get(actor.user_id))


def _is_participant(actor: Actor, message: Message) -> bool:
    cached = getattr(message, "participant_ids", None)
    if cached is not None:
        return actor.user_id in cached
    # Asked again of the same message in one request (the page, then the action): one query.
    answers: dict[int | None, bool] = message.__dict__.setdefault("_participant_answers", {})
    if actor.user_id not in answers:
        answers[actor.user_id] = MailboxEntry.objects.filter(message_id=message.pk, person_id=actor.user_id).exists()
    return answers[actor.user_id]


@authz.register(Message)
class MessagePolicy(authz.Policy[Message]):
    """Only participants see a message; only its sender changes it, and only while it is a draft."""

    def allows(self, actor: Actor, action: Action | str, obj: Message) -> bool:
        if actor is None or not actor.is_authenticated:
            return False
        if action == Action.VIEW:
            return obj.pk is not None and _is_participant(actor, obj)
        if action in (Action.CHANGE, Action.DELETE):
            return obj.sender_id == actor.user_id and obj.sent_at is None
        if action == Action.CREATE:
            return obj.sender_id == actor.user_id and obj.establishment_id in actor.establishment_ids
        return False

    def scope(self, actor: Actor, queryset: QuerySet[Message]) -> QuerySet[Message]:
        return queryset.filter(entries__person_id=actor.user_id)


@authz.register(MailboxEntry)
class MailboxEntryPolicy(authz.Policy[MailboxEntry]):
    """A mailbox is its owner's."""

    def allows(self, actor: Actor, action: Action | str, obj: MailboxEntry) -> bool:
        return actor is not None and obj.person_id == actor.user_id and actor.user_id is not None

    def scope(self, actor: Actor, queryset: QuerySet[MailboxEntry]) -> QuerySet[MailboxEntry]:
        return queryset.filter(person_id=actor.user_id)


@authz.register(Folder)
class FolderPolicy(authz.Policy[Folder]):
    """A folder is its owner's."""

    def allows(self, actor: Actor, action: Action | str, obj: Folder) -> bool:
        return actor is not None and obj.owner_id == actor.user_id and actor.user_id is not None

    def scope(self, actor: Actor, queryset: QuerySet[Folder]) -> QuerySet[Folder]:
        return queryset.filter(owner_id=actor.user_id)


@authz.register(Attachment)
class AttachmentPolicy(authz.Policy[Attachment]):
    """A file follows its message: its participants see it."""

    def allows(self, actor: Actor, action: Action | str, obj: Attachment) -> bool:
        if action == Action.VIEW:
            return authz.allows(actor, Action.VIEW, obj.message)
        return authz.allows(actor, Action.CHANGE, obj.message)

    def scope(self, actor: Actor, queryset: QuerySet[Attachment]) -> QuerySet[Attachment]:
        return queryset.filter(message__entries__person_id=actor.user_id)


@authz.register(Report)
class ReportPolicy(authz.Policy[Report]):
    """A report is seen by its reporter and handled by the direction and ENT administrators."""

    def allows(self, actor: Actor, action: Action | str, obj: Report) -> bool:
        if actor is None or not actor.is_authenticated:
            return False
        handler = handles_reports(actor, obj.establishment_id)
        if action == Action.VIEW:
            return handler or obj.reporter_id == actor.user_id
        if action in (Action.CHANGE, Action.MANAGE):
            return handler
        return False

    def scope(self, actor: Actor, queryset: QuerySet[Report]) -> QuerySet[Report]:
        return queryset.filter(Q(establishment_id__in=report_establishments(actor)) | Q(reporter_id=actor.user_id))


@authz.register(CommunicationRule)
class CommunicationRulePolicy(authz.Policy[CommunicationRule]):
    """Members read their establishment's rules; its ENT administrators (and the region) change them."""

    def allows(self, actor: Actor, action: Action | str, obj: CommunicationRule) -> bool:
        if actor is None or not actor.is_authenticated:
            return False
        if action == Action.VIEW:
            return actor.is_regional_admin or obj.establishment_id in actor.establishment_ids
        return can_edit_rules(actor, obj.establishment_id)

    def scope(self, actor: Actor, queryset: QuerySet[CommunicationRule]) -> QuerySet[CommunicationRule]:
        if actor.is_regional_admin:
            return queryset
        return queryset.filter(establishment_id__in=list(actor.establishment_ids))
