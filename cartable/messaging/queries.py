"""Reads of the messaging, scoped to the actor, related rows preloaded, a constant number of queries."""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field

from django.core.paginator import Page, Paginator
from django.db import connection
from django.db.models import Count, Prefetch, Q, QuerySet
from django.utils.translation import gettext as _

from cartable.directory.actor import Actor, current
from cartable.directory.models import Membership, Role, User
from cartable.directory.queries import person_matches, subjects_named, teaching_of
from cartable.messaging import audiences, policies
from cartable.messaging.models import Attachment, Folder, MailboxEntry, Message, Reach, Report
from cartable.messaging.rules import (
    PLURAL,
    RULE_ROLES,
    Decision,
    Explainer,
    Facts,
    explain,
    load_facts,
    load_rules,
    may_see,
    reaches_for,
)

PER_PAGE = 30
RECEIPTS_MAX = 30  # the sender sees who read a message sent to at most this many people
PICKER_MAX = 15
Box = MailboxEntry.Box


def unread_count(actor: Actor) -> int:
    """Unread messages in the inbox and one's folders (one query)."""
    return MailboxEntry.objects.filter(
        person_id=actor.user_id, box=Box.INBOX, read_at__isnull=True, trashed_at__isnull=True
    ).count()


def folders(actor: Actor) -> list[Folder]:
    """One's folders with their unread counts (one query)."""
    return list(
        Folder.objects.visible_to(actor).annotate(
            unread=Count("entries", filter=Q(entries__read_at__isnull=True, entries__trashed_at__isnull=True))
        )
    )


def matching_messages(words: str) -> QuerySet[Message]:
    """The ids of messages matching a search, as a subquery: French full-text search on PostgreSQL (the GIN
    index of the migration), every word in the subject or the body elsewhere."""
    if connection.vendor == "postgresql":
        from django.contrib.postgres.search import SearchQuery, SearchVector

        return (
            Message.objects.annotate(document=SearchVector("subject", "body", config="french"))
            .filter(document=SearchQuery(words, config="french", search_type="websearch"))
            .values("pk")
        )
    found = Message.objects.all()
    for word in words.split()[:6]:
        found = found.filter(Q(subject__icontains=word) | Q(body__icontains=word))
    return found.values("pk")


def mailbox(
    actor: Actor, *, box: str = Box.INBOX, folder: Folder | None = None, search: str = "", page: int = 1
) -> Page:
    """One page of the actor's mailbox: a box, one of their folders, the trash (``box="trash"``), or a search
    over all their messages. Two queries (count, page), whatever the number of messages."""
    entries = MailboxEntry.objects.visible_to(actor)
    if search:
        entries = entries.filter(message_id__in=matching_messages(search), trashed_at__isnull=True)
    elif box == "trash":
        entries = entries.filter(trashed_at__isnull=False)
    elif folder is not None:
        entries = entries.filter(folder=folder, trashed_at__isnull=True)
    else:
        entries = entries.filter(box=box, folder__isnull=True, trashed_at__isnull=True)
    entries = entries.select_related("message__sender").order_by("-sent_at", "-id")
    return Paginator(entries, PER_PAGE).get_page(page)


@dataclass
class ThreadItem:
    message: Message
    entry: MailboxEntry | None
    receipts: list[MailboxEntry] | None  # for the sender of a small message: who read it


def thread(actor: Actor, root_id: int) -> list[ThreadItem]:
    """The messages of a thread that are in the actor's mailbox, oldest first (four queries: messages with
    their sender, the actor's entries, the files, the read receipts)."""
    entries = MailboxEntry.objects.filter(person_id=actor.user_id)
    messages = list(
        Message.objects.visible_to(actor)
        .filter(Q(pk=root_id) | Q(thread_id=root_id))
        .select_related("sender")
        .prefetch_related(
            Prefetch("entries", queryset=entries, to_attr="mine"),
            Prefetch("attachments", queryset=Attachment.objects.order_by("id")),
        )
        .order_by("sent_at", "id")
    )
    small = [m.pk for m in messages if m.sender_id == actor.user_id and m.sent_at and m.recipient_count <= RECEIPTS_MAX]
    receipts: dict[int, list[MailboxEntry]] = {}
    if small:
        for entry in (
            MailboxEntry.objects.filter(message_id__in=small, box=Box.INBOX)
            .select_related("person")
            .order_by("person__last_name", "person__first_name")
        ):
            receipts.setdefault(entry.message_id, []).append(entry)
    return [
        ThreadItem(m, m.mine[0] if m.mine else None, receipts.get(m.pk, []) if m.pk in small else None)
        for m in messages
    ]


@dataclass
class Candidate:
    value: str
    label: str
    detail: str
    decision: Decision | None  # None for a group
    person_id: int | None = None
    selected: bool = False
    teaching: str = ""  # what a teacher teaches: « Mathématiques — 5e A, 4e B »


def picker(
    actor: Actor, *, search: str = "", selected: Sequence[str] = (), replying_to: int | None = None
) -> list[Candidate]:
    """What the recipient picker shows: the choices already made, then the groups and the people of the
    actor's establishments matching the search (by name, or by a subject they teach: « maths »), each person
    with what they teach, the rules' decision and its reason. About ten queries whatever the number of
    people, and two more when searching or choosing (the subjects the words name, what the people teach)."""
    selected = list(dict.fromkeys(selected))
    groups = audiences.offered(actor)
    words = search.split()[:4]
    chosen_people = [int(v[2:]) for v in selected if v.startswith("u:") and v[2:].isdigit()]
    people_ids: list[int] = []
    establishments = sorted(actor.establishment_ids)
    if words:
        here = current(Membership.objects.filter(establishment_id__in=establishments))
        people = User.objects.filter(pk__in=here.values("person_id"), is_active=True).exclude(pk=actor.user_id)
        subjects = subjects_named(establishments, words)
        for word in words:
            people = people.filter(person_matches(word, subjects.get(word, ())))
        people_ids = list(people.order_by("last_name", "first_name", "id").values_list("pk", flat=True)[:PICKER_MAX])
    explainer = Explainer(actor, set(people_ids) | set(chosen_people), replying_to=replying_to)
    roles_here = explainer.facts
    shown = set(people_ids) | set(chosen_people)
    teaching = {pk: " ; ".join(lines) for pk, lines in teaching_of(shown, establishments).items()} if shown else {}
    result: list[Candidate] = []
    by_key = {g.value: g for g in groups}
    for value in selected:
        if value in by_key:
            result.append(Candidate(value, by_key[value].label, _("Groupe"), None, selected=True))
        elif value.startswith("u:") and value[2:].isdigit() and int(value[2:]) in roles_here:
            pid = int(value[2:])
            decision = explainer(pid)
            if decision.allowed:
                detail = _role_detail(roles_here[pid])
                result.append(
                    Candidate(value, roles_here[pid].name, detail, decision, pid, True, teaching.get(pid, ""))
                )
    if words:
        lowered = [w.lower() for w in words]
        for group in groups:
            if group.value not in selected and all(w in group.label.lower() for w in lowered):
                result.append(Candidate(group.value, group.label, _("Groupe"), None))
        for pid in people_ids:
            value = f"u:{pid}"
            decision = explainer(pid)
            # Only people the directory shows the actor, or that the rules let them write to (a classmate):
            # the picker is no wider a window on the establishment than the annuaire.
            if value not in selected and (decision.allowed or explainer.shows(pid)):
                facts = roles_here[pid]
                detail = _role_detail(facts)
                result.append(Candidate(value, facts.name, detail, decision, pid, teaching=teaching.get(pid, "")))
    return result


def _role_detail(facts) -> str:
    roles = sorted({Role(r).label for roles in facts.roles.values() for r in roles}, key=str)
    return ", ".join(str(r) for r in roles)


def reports(actor: Actor, *, status: str = Report.Status.OPEN) -> list[Report]:
    """The reports the actor handles (or made), with the message and the people (one query)."""
    return list(
        Report.objects.visible_to(actor)
        .filter(status=status)
        .select_related("message__sender", "reporter", "closed_by", "establishment")
        .order_by("-created_at", "-id")[:100]
    )


@dataclass
class Cell:
    author_role: str
    recipient_role: str
    reach: str
    is_default: bool
    choices: list[str]
    proposed: str = ""
    options: list[tuple[str, str]] = field(default_factory=list)
    reach_label: str = ""
    cell_label: str = ""

    @property
    def name(self) -> str:
        return f"{self.author_role}__{self.recipient_role}"


def rule_table(establishment_id: int) -> list[tuple[str, list[Cell]]]:
    """The establishment's rule table, row by author role (one query)."""
    table = load_rules([establishment_id])[establishment_id]
    return [
        (
            str(Role(a).label),
            [Cell(a, r, table[(a, r)][0], table[(a, r)][1], reaches_for(a, r)) for r in RULE_ROLES],
        )
        for a in RULE_ROLES
    ]


def rule_grid(establishment_id: int, proposed: dict[tuple[str, str], str]) -> list[tuple[str, list[Cell]]]:
    """The rule table as the rules page shows it, one block per author role (« Les élèves écrivent… »), each
    cell with its labels (« aux parents »), its choices and the value proposed in a simulation (the current
    one when none is)."""
    grid = []
    for _author, cells in rule_table(establishment_id):
        for cell in cells:
            cell.proposed = proposed.get((cell.author_role, cell.recipient_role), cell.reach)
            cell.options = [(value, str(Reach(value).label)) for value in cell.choices]
            cell.reach_label = str(Reach(cell.reach).label)
            cell.cell_label = _("aux %(recipients)s") % {"recipients": PLURAL[cell.recipient_role]}
        grid.append((_("Les %(authors)s écrivent…") % {"authors": PLURAL[cells[0].author_role]}, cells))
    return grid


def rule_roles() -> list[tuple[str, str]]:
    """The roles of the rule table's heads, with their labels."""
    return [(str(r), str(Role(r).label)) for r in RULE_ROLES]


def entries_of(actor: Actor, ids: Iterable[int]) -> list[MailboxEntry]:
    """The entries of one's mailbox among ``ids`` (one query; others' are left out)."""
    return list(MailboxEntry.objects.visible_to(actor).filter(pk__in=list(ids)))


def explanation(actor: Actor, pk: int) -> tuple[Facts, Decision] | None:
    """Why the actor may (or may not) write to a person, and the rule that decides; None when the person is
    missing or shares no establishment with the actor (the same answer)."""
    if actor.user_id is None:
        return None
    facts = load_facts([pk, actor.user_id])
    person, mine = facts.get(pk), facts.get(actor.user_id)
    if person is None or mine is None or not policies.may_ask_why(actor, person, mine):
        return None
    decision = explain(actor, pk)
    if not (decision.allowed or may_see(mine, person)):
        return None  # someone the annuaire does not show the actor: as if missing
    return person, decision


def sent_messages() -> QuerySet[Message]:
    """Messages sent (not drafts), with their sender: to fetch one through the guard."""
    return Message.objects.filter(sent_at__isnull=False).select_related("sender")


def drafts() -> QuerySet[Message]:
    """Drafts, with the message they answer: to fetch one through the guard."""
    return Message.objects.filter(sent_at__isnull=True).select_related("parent")


def with_parent() -> QuerySet[Message]:
    return Message.objects.select_related("parent")


def attachments() -> QuerySet[Attachment]:
    return Attachment.objects.select_related("message")


def report_queryset() -> QuerySet[Report]:
    return Report.objects.select_related("message__sender", "reporter", "closed_by")
