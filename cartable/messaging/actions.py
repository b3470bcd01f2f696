"""Writes of the messaging: drafts, sending (with its fan-out), the mailbox (read, folders, trash, delete),
abuse reports and the communication rules. Every one is atomic and audited.

A message is checked against the communication rules when it is sent: a person chosen by name whom the
author may not reach refuses the whole message (with the reason); people of a chosen group whom the
author may not reach are left out and counted. Up to ``INLINE_MAX`` recipients the message is delivered
in the same transaction; beyond, a background task fans it out (``tasks.fan_out``). Both cost the same
number of queries whatever the number of recipients.
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from dataclasses import dataclass, field

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import IntegrityError, transaction
from django.db import models as django_models
from django.urls import reverse
from django.utils import timezone
from django.utils.html import escape, linebreaks
from django.utils.translation import gettext as _

from cartable.core import audit, authz, erasure, french, richtext
from cartable.core.authz import Action
from cartable.core.notify import notify
from cartable.directory.actor import Actor
from cartable.directory.models import User
from cartable.messaging import audiences
from cartable.messaging.models import (
    Attachment,
    CommunicationRule,
    Folder,
    MailboxEntry,
    Message,
    Report,
)
from cartable.messaging.rules import DEFAULTS, RULE_ROLES, Decision, Explainer, reaches_for

INLINE_MAX = 50
MAX_RECIPIENTS = 5000
KIND_MESSAGE = "messaging.message"
KIND_REPORT = "messaging.report"
_CONTROL = re.compile(r"[\x00-\x1f\x7f]")
_LOOKS_HTML = re.compile(r"<\s*[a-zA-Z/!]")


class RecipientsRefused(Exception):
    """The message cannot be sent: nobody to send it to, or people the author may not write to."""

    def __init__(self, message: str, refused: list[tuple[str, Decision]] | None = None) -> None:
        super().__init__(message)
        self.message = message
        self.refused = refused or []


@dataclass
class Recipients:
    """Who a message goes to: the people, how it reads, and who the rules left out."""

    ids: set[int] = field(default_factory=set)
    labels: list[str] = field(default_factory=list)
    refused: list[tuple[str, Decision]] = field(default_factory=list)  # chosen by name
    left_out: int = 0  # members of chosen groups


def clean_subject(subject: str) -> str:
    """Plain text on one line (it is escaped wherever it is shown)."""
    return _CONTROL.sub(" ", subject or "").strip()[:200]


def clean_body(body: str) -> str:
    """Sanitized rich text; plain text typed in the box keeps its paragraphs and line breaks."""
    body = body or ""
    if not _LOOKS_HTML.search(body):
        body = linebreaks(escape(body))
    return richtext.sanitize(body)


def resolve(actor: Actor, keys: Iterable[str], *, replying_to: int | None = None) -> Recipients:
    """Turn the picker's choices (``u:<id>`` people, ``g:<key>`` groups) into people the author may reach."""
    person_ids: list[int] = []
    group_keys: list[str] = []
    for key in dict.fromkeys(keys):
        kind, _sep, rest = key.partition(":")
        if kind == "u" and rest.isdigit():
            person_ids.append(int(rest))
        elif kind == "g" and rest:
            group_keys.append(rest)
    result = Recipients()
    group_people: set[int] = set()
    if group_keys:
        try:
            group_people, result.labels = audiences.expand(actor, group_keys, audiences.offered(actor))
        except KeyError:
            raise PermissionDenied from None
    group_people.discard(actor.user_id)
    if len(group_people) + len(person_ids) > MAX_RECIPIENTS:
        raise RecipientsRefused(_("Un message ne peut pas dépasser %(n)s destinataires.") % {"n": MAX_RECIPIENTS})
    explainer = Explainer(actor, set(person_ids) | group_people, replying_to=replying_to)
    for pid in person_ids:
        decision = explainer(pid)
        # Named only if the directory shows that person to the author: otherwise as an id nobody has.
        name = explainer.facts[pid].name if decision.allowed or explainer.shows(pid) else _("Destinataire inconnu")
        if decision.allowed:
            result.ids.add(pid)
            result.labels.append(name)
        else:
            result.refused.append((name, decision))
    for pid in group_people - set(person_ids):
        if explainer(pid).allowed:
            result.ids.add(pid)
        else:
            result.left_out += 1
    return result


def _snapshot(message: Message) -> dict:
    return {
        "subject": message.subject,
        "recipients": message.recipient_count,
        "keys": list(message.recipient_keys),
        "thread": message.thread_id,
        "parent": message.parent_id,
    }


def _establishment_for(actor: Actor, parent: Message | None) -> int:
    if parent is not None and parent.establishment_id in actor.establishment_ids:
        return parent.establishment_id
    if actor.establishment_id is None:
        raise PermissionDenied
    return actor.establishment_id


def _store_files(message: Message, checked_files: Iterable) -> list[Attachment]:
    from cartable.core import uploads

    rows = []
    for checked in checked_files:
        row = Attachment(
            establishment_id=message.establishment_id,
            message=message,
            original_name=checked.original_name,
            content_type=checked.content_type,
            size=checked.size,
        )
        row.file.name = uploads.store(checked, folder="messaging/%Y/%m/")
        rows.append(row)
    if rows:
        Attachment.objects.bulk_create(rows)
    return rows


def _copy_attachments(message: Message, source: Message | None) -> None:
    """A forwarded message carries the original's files (the stored files are shared, never removed)."""
    if source is None:
        return
    Attachment.objects.bulk_create(
        [
            Attachment(
                establishment_id=message.establishment_id,
                message=message,
                file=a.file.name,
                original_name=a.original_name,
                content_type=a.content_type,
                size=a.size,
            )
            for a in source.attachments.all()
        ]
    )


@transaction.atomic
def save_draft(
    *,
    actor: Actor,
    subject: str,
    body: str,
    keys: Iterable[str] = (),
    draft: Message | None = None,
    parent: Message | None = None,
    forward_of: Message | None = None,
    checked_files: Iterable = (),
) -> Message:
    """Create or update a draft (a message not sent yet, in the author's "Brouillons")."""
    keys = list(dict.fromkeys(keys))
    if draft is None:
        if parent is not None:
            authz.require(actor, Action.VIEW, parent)
        if forward_of is not None:
            authz.require(actor, Action.VIEW, forward_of)
        draft = Message(
            establishment_id=_establishment_for(actor, parent),
            sender_id=actor.person_id,
            parent=parent,
            thread_id=parent.thread_root_id if parent else None,
        )
        authz.require(actor, Action.CREATE, draft)
        created = True
    else:
        authz.require(actor, Action.CHANGE, draft)
        created = False
    draft.subject = clean_subject(subject) or _("(sans objet)")
    draft.body = clean_body(body)
    draft.recipient_keys = keys
    draft.save()
    if created:
        MailboxEntry.objects.create(
            establishment_id=draft.establishment_id,
            message=draft,
            person_id=actor.user_id,
            box=MailboxEntry.Box.DRAFTS,
            sent_at=timezone.now(),
            read_at=timezone.now(),
        )
        _copy_attachments(draft, forward_of)
    else:
        MailboxEntry.objects.filter(message=draft, person_id=actor.user_id).update(sent_at=timezone.now())
    _store_files(draft, checked_files)
    audit.record(
        actor=actor,
        verb="messaging.save_draft",
        target=draft,
        establishment_id=draft.establishment_id,
        after=_snapshot(draft),
    )
    return draft


@transaction.atomic
def send_message(
    *,
    actor: Actor,
    subject: str,
    body: str,
    keys: Iterable[str],
    draft: Message | None = None,
    parent: Message | None = None,
    forward_of: Message | None = None,
    checked_files: Iterable = (),
) -> tuple[Message, Recipients]:
    """Send a message (a new one, or a draft). Raises :class:`RecipientsRefused` with the reasons when a
    person chosen by name may not be reached, or when nobody is left."""
    keys = list(dict.fromkeys(keys))
    if draft is not None:
        authz.require(actor, Action.CHANGE, draft)
        parent = draft.parent
    elif parent is not None:
        authz.require(actor, Action.VIEW, parent)
    replying_to = parent.sender_id if parent is not None else None
    recipients = resolve(actor, keys, replying_to=replying_to)
    if recipients.refused:
        raise RecipientsRefused(_("Certains destinataires ne peuvent pas recevoir ce message."), recipients.refused)
    if not recipients.ids:
        raise RecipientsRefused(_("Choisissez au moins un destinataire que vous pouvez joindre."))
    message = save_draft(
        actor=actor,
        subject=subject,
        body=body,
        keys=keys,
        draft=draft,
        parent=parent,
        forward_of=forward_of,
        checked_files=checked_files,
    )
    now = timezone.now()
    ids = sorted(recipients.ids)
    message.recipient_ids = ids
    message.recipient_count = len(ids)
    message.audience_label = ", ".join(str(label) for label in recipients.labels)[:300]
    message.sent_at = now
    message.save(update_fields=["recipient_ids", "recipient_count", "audience_label", "sent_at", "updated_at"])
    MailboxEntry.objects.filter(message=message, person_id=actor.user_id).update(box=MailboxEntry.Box.SENT, sent_at=now)
    audit.record(
        actor=actor,
        verb="messaging.send",
        target=message,
        establishment_id=message.establishment_id,
        after={**_snapshot(message), "left_out": recipients.left_out},
    )
    if len(ids) <= INLINE_MAX:
        deliver(message.pk)
    else:
        from cartable.messaging.tasks import fan_out

        transaction.on_commit(lambda: fan_out.enqueue(message.pk))
    return message, recipients


@transaction.atomic
def deliver(message_id: int) -> int:
    """Put a sent message in each recipient's inbox and notify them, once (claimed by a conditional update).

    Four queries whatever the number of recipients: the claim, the message, the inbox rows, the notices
    (and their e-mail deliveries)."""
    claimed = Message.objects.filter(pk=message_id, sent_at__isnull=False, delivered_at__isnull=True).update(
        delivered_at=timezone.now()
    )
    if not claimed:
        return 0
    message = Message.objects.select_related("sender").get(pk=message_id)
    ids = [pid for pid in message.recipient_ids if pid != message.sender_id]
    MailboxEntry.objects.bulk_create(
        [
            MailboxEntry(
                establishment_id=message.establishment_id,
                message_id=message.pk,
                person_id=pid,
                box=MailboxEntry.Box.INBOX,
                sent_at=message.sent_at,
            )
            for pid in ids
        ],
        ignore_conflicts=True,
    )
    notify(
        recipients=ids,
        kind=KIND_MESSAGE,
        title=_("Message %(name)s : %(subject)s")
        % {"name": french.de(message.sender.display_name), "subject": message.subject},
        body=richtext.to_text(message.body)[:500],
        url=reverse("messaging:thread", args=[message.thread_root_id]),
        target=message,
        establishment_id=message.establishment_id,
    )
    return len(ids)


@transaction.atomic
def delete_draft(*, actor: Actor, draft: Message) -> None:
    authz.require(actor, Action.DELETE, draft)
    audit.record(
        actor=actor,
        verb="messaging.delete_draft",
        target=draft,
        establishment_id=draft.establishment_id,
        before=_snapshot(draft),
    )
    draft.delete()


# --- the mailbox -------------------------------------------------------------------------------------------
def _entries(actor: Actor, entries: Iterable[MailboxEntry]) -> list[MailboxEntry]:
    rows = list(entries)
    for entry in rows:
        authz.require(actor, Action.CHANGE, entry)
    return rows


@transaction.atomic
def mark_read(*, actor: Actor, entries: Iterable[MailboxEntry], read: bool = True) -> int:
    """Mark messages of one's own mailbox read (or unread again)."""
    rows = [e for e in _entries(actor, entries) if (e.read_at is None) == read]
    if not rows:
        return 0
    now = timezone.now() if read else None
    MailboxEntry.objects.filter(pk__in=[e.pk for e in rows]).update(read_at=now)
    for e in rows:
        e.read_at = now
    audit.record(
        actor=actor,
        verb="messaging.mark_read" if read else "messaging.mark_unread",
        after={"entries": [e.pk for e in rows]},
    )
    return len(rows)


@transaction.atomic
def move(*, actor: Actor, entries: Iterable[MailboxEntry], folder: Folder | None) -> int:
    """File messages in one of one's folders, or back in their box (``folder=None``); out of the trash."""
    rows = _entries(actor, entries)
    if folder is not None:
        authz.require(actor, Action.CHANGE, folder)
    MailboxEntry.objects.filter(pk__in=[e.pk for e in rows]).update(folder=folder, trashed_at=None)
    audit.record(
        actor=actor,
        verb="messaging.move",
        target=folder,
        after={"entries": [e.pk for e in rows]},
    )
    return len(rows)


@transaction.atomic
def trash(*, actor: Actor, entries: Iterable[MailboxEntry]) -> int:
    """Put messages in one's trash (others keep their copy)."""
    rows = _entries(actor, entries)
    MailboxEntry.objects.filter(pk__in=[e.pk for e in rows]).update(trashed_at=timezone.now())
    audit.record(actor=actor, verb="messaging.trash", after={"entries": [e.pk for e in rows]})
    return len(rows)


@transaction.atomic
def restore(*, actor: Actor, entries: Iterable[MailboxEntry]) -> int:
    rows = _entries(actor, entries)
    MailboxEntry.objects.filter(pk__in=[e.pk for e in rows]).update(trashed_at=None)
    audit.record(actor=actor, verb="messaging.restore", after={"entries": [e.pk for e in rows]})
    return len(rows)


@transaction.atomic
def delete_for_good(*, actor: Actor, entries: Iterable[MailboxEntry]) -> int:
    """Remove messages from one's mailbox for good (only from the trash; others keep theirs). A draft
    deleted this way is deleted."""
    rows = [e for e in _entries(actor, entries) if e.trashed_at is not None]
    drafts = [e.message_id for e in rows if e.box == MailboxEntry.Box.DRAFTS]
    MailboxEntry.objects.filter(pk__in=[e.pk for e in rows]).delete()
    if drafts:
        Message.objects.filter(pk__in=drafts, sender_id=actor.user_id, sent_at__isnull=True).delete()
    audit.record(
        actor=actor,
        verb="messaging.delete",
        after={"messages": [e.message_id for e in rows]},
    )
    return len(rows)


@transaction.atomic
def create_folder(*, actor: Actor, name: str) -> Folder:
    name = clean_subject(name)[:60]
    if not name:
        raise ValidationError(_("Donnez un nom au dossier."))
    if Folder.objects.filter(owner_id=actor.user_id, name=name).exists():
        raise ValidationError(_("Vous avez déjà un dossier « %(name)s ».") % {"name": name})
    folder = Folder.objects.create(owner_id=actor.user_id, name=name)
    audit.record(actor=actor, verb="messaging.create_folder", target=folder, after={"name": name})
    return folder


@transaction.atomic
def delete_folder(*, actor: Actor, folder: Folder) -> None:
    """Delete one of one's folders; its messages go back to their box."""
    authz.require(actor, Action.DELETE, folder)
    audit.record(actor=actor, verb="messaging.delete_folder", target=folder, before={"name": folder.name})
    folder.delete()


# --- reports -----------------------------------------------------------------------------------------------
def report_handlers(establishment_id: int) -> list[int]:
    from cartable.directory.actor import current
    from cartable.directory.models import ADMIN_ROLES, Membership

    return list(
        current(Membership.objects.filter(establishment_id=establishment_id, role__in=ADMIN_ROLES))
        .values_list("person_id", flat=True)
        .distinct()
    )


@transaction.atomic
def report_message(*, actor: Actor, message: Message, reason: str) -> Report:
    """Report a message one received as abusive; its establishment's direction and ENT administrators are
    told."""
    authz.require(actor, Action.VIEW, message)
    if message.sender_id == actor.user_id:
        raise PermissionDenied
    reason = _CONTROL.sub(" ", reason or "").strip()[:2000]
    if not reason:
        raise ValidationError(_("Dites en quelques mots ce qui ne va pas."))
    try:
        with transaction.atomic():
            report = Report.objects.create(
                establishment_id=message.establishment_id, message=message, reporter_id=actor.user_id, reason=reason
            )
    except IntegrityError:
        raise ValidationError(_("Vous avez déjà signalé ce message ; il est en cours de traitement.")) from None
    audit.record(
        actor=actor,
        verb="messaging.report",
        target=report,
        establishment_id=report.establishment_id,
        after={"message": message.pk},
    )
    notify(
        recipients=report_handlers(message.establishment_id),
        kind=KIND_REPORT,
        title=_("Un message a été signalé"),
        body=reason[:500],
        url=reverse("messaging:report", args=[report.pk]),
        target=report,
        establishment_id=report.establishment_id,
    )
    return report


@transaction.atomic
def close_report(*, actor: Actor, report: Report, resolution: str) -> Report:
    """Close a report, saying what was done."""
    authz.require(actor, Action.CHANGE, report)
    if report.status == Report.Status.CLOSED:
        return report
    report.status = Report.Status.CLOSED
    report.resolution = _CONTROL.sub(" ", resolution or "").strip()[:2000]
    report.closed_by_id = actor.user_id
    report.closed_at = timezone.now()
    report.save(update_fields=["status", "resolution", "closed_by", "closed_at"])
    audit.record(
        actor=actor,
        verb="messaging.close_report",
        target=report,
        establishment_id=report.establishment_id,
        after={"resolution": report.resolution},
    )
    return report


# --- the rules ---------------------------------------------------------------------------------------------
@transaction.atomic
def set_rules(*, actor: Actor, establishment_id: int, table: dict[tuple[str, str], str]) -> int:
    """Save an establishment's rule table: cells equal to the default are not stored. Returns the cells
    changed."""
    probe = CommunicationRule(establishment_id=establishment_id)
    authz.require(actor, Action.CHANGE, probe)
    existing = {
        (r.author_role, r.recipient_role): r
        for r in CommunicationRule.objects.filter(establishment_id=establishment_id)
    }
    before = {f"{a}>{r}": row.reach for (a, r), row in existing.items()}
    changed = 0
    for author_role in RULE_ROLES:
        for recipient_role in RULE_ROLES:
            cell = (author_role, recipient_role)
            reach = table.get(cell)
            if reach is None:
                continue
            if reach not in reaches_for(*cell):
                raise ValidationError(_("Réglage impossible pour cette paire de rôles."))
            current_reach = existing[cell].reach if cell in existing else DEFAULTS[cell]
            if reach == current_reach:
                continue
            changed += 1
            if reach == DEFAULTS[cell]:
                existing[cell].delete()
            elif cell in existing:
                existing[cell].reach = reach
                existing[cell].save(update_fields=["reach", "updated_at"])
            else:
                CommunicationRule.objects.create(
                    establishment_id=establishment_id,
                    author_role=author_role,
                    recipient_role=recipient_role,
                    reach=reach,
                )
    after = {
        f"{r.author_role}>{r.recipient_role}": r.reach
        for r in CommunicationRule.objects.filter(establishment_id=establishment_id)
    }
    audit.record(
        actor=actor,
        verb="messaging.set_rules",
        establishment_id=establishment_id,
        before=before,
        after=after,
    )
    return changed


# --- erasure of a person's data (named by the data providers in hooks.py) -------------------------------
# Imports here rather than at the top, so that this block merges as one piece.


ERASURE: dict[type[django_models.Model], erasure.Rule] = {
    Message: erasure.delete("sender"),
    MailboxEntry: erasure.delete("person"),
    Folder: erasure.delete("owner"),
    Report: erasure.each(erasure.delete("reporter"), erasure.unlink("closed_by")),
}


@transaction.atomic
def erase_personal_data(*, user: User, model: type[django_models.Model], actor: Actor | None = None) -> int:
    """Erase or anonymise what ``model`` holds on ``user`` (its rule above), audited; returns the rows changed."""
    return erasure.erase(app="messaging", rules=ERASURE, user=user, model=model, actor=actor)
