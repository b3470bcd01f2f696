"""Who may write to whom, and why: the communication rules as data, and ``explain``.

Each establishment has a table of cells (author role, recipient role) -> reach: nobody, only related
people (classmates, one's teachers, one's children's teachers...), or everybody of that role. An
establishment without rows uses :data:`DEFAULTS`. Two people may write to each other only through an
establishment they both belong to ("shared people", such as a teacher of two schools, carry the rules of
each); the regional administrator writes to anyone.

``explain(author, recipient)`` answers a :class:`Decision` with the reason in plain words and the rule
that decided. The picker, the send action and the "pourquoi ?" page all ask it. The facts it needs about
people are loaded in bulk (:func:`load_facts`, six queries whatever the number of people), so checking
1,000 recipients costs the same queries as checking one.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from typing import Any

from django.core.exceptions import PermissionDenied
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from cartable.core import french
from cartable.directory.actor import ROLE_PRIORITY, Actor, current
from cartable.directory.models import (
    STAFF_ROLES,
    Enrolment,
    GroupMembership,
    Guardianship,
    Membership,
    Role,
    TeachingAssignment,
    User,
)
from cartable.messaging.models import CommunicationRule, Reach

RULE_ROLES = [
    Role.STUDENT,
    Role.GUARDIAN,
    Role.TEACHER,
    Role.EDUCATION,
    Role.ADMINISTRATIVE,
    Role.DIRECTION,
    Role.ESTABLISHMENT_ADMIN,
]
STAFF = {Role.TEACHER, Role.EDUCATION, Role.ADMINISTRATIVE, Role.DIRECTION, Role.ESTABLISHMENT_ADMIN}

# The plural of each role, as it reads after "les" and "aux".
PLURAL: dict[str, Any] = {
    Role.STUDENT: gettext_lazy("élèves"),
    Role.GUARDIAN: gettext_lazy("parents"),
    Role.TEACHER: gettext_lazy("professeurs"),
    Role.EDUCATION: gettext_lazy("personnels de vie scolaire"),
    Role.ADMINISTRATIVE: gettext_lazy("personnels administratifs"),
    Role.DIRECTION: gettext_lazy("membres de la direction"),
    Role.ESTABLISHMENT_ADMIN: gettext_lazy("administrateurs ENT"),
}


def _defaults() -> dict[tuple[str, str], str]:
    table: dict[tuple[str, str], str] = {(a, r): Reach.ALL for a in STAFF for r in RULE_ROLES}
    table.update({(a, r): Reach.NONE for a in (Role.STUDENT, Role.GUARDIAN) for r in RULE_ROLES})
    table[(Role.STUDENT, Role.STUDENT)] = Reach.RELATED
    table[(Role.STUDENT, Role.TEACHER)] = Reach.RELATED
    table[(Role.STUDENT, Role.EDUCATION)] = Reach.ALL
    table[(Role.GUARDIAN, Role.TEACHER)] = Reach.RELATED
    table[(Role.GUARDIAN, Role.EDUCATION)] = Reach.ALL
    table[(Role.GUARDIAN, Role.DIRECTION)] = Reach.ALL
    return table


DEFAULTS: dict[tuple[str, str], str] = _defaults()
"""Students write to their classmates, their teachers and the vie scolaire; parents to their children's
teachers, the vie scolaire and the direction; staff to everyone of the establishment."""


@dataclass
class Facts:
    """What the rules need to know about one person (all establishments)."""

    user_id: int
    name: str = ""
    is_active: bool = True
    regional: bool = False
    roles: dict[int, set[str]] = field(default_factory=dict)
    class_ids: set[int] = field(default_factory=set)
    group_ids: set[int] = field(default_factory=set)
    taught_class_ids: set[int] = field(default_factory=set)
    taught_group_ids: set[int] = field(default_factory=set)
    children_ids: set[int] = field(default_factory=set)
    children_class_ids: set[int] = field(default_factory=set)
    children_group_ids: set[int] = field(default_factory=set)


def _teaches(teacher: Facts, class_ids: set[int], group_ids: set[int]) -> bool:
    return bool(teacher.taught_class_ids & class_ids or teacher.taught_group_ids & group_ids)


@dataclass(frozen=True)
class Relation:
    """What "related" means for one pair of roles, and how it reads."""

    test: Callable[[Facts, Facts], bool]
    phrase: object  # after "ne peuvent écrire qu'" / "peuvent écrire": "aux élèves de leur classe"


RELATIONS: dict[tuple[str, str], Relation] = {
    (Role.STUDENT, Role.STUDENT): Relation(
        lambda a, r: bool(a.class_ids & r.class_ids), gettext_lazy("aux élèves de leur classe")
    ),
    (Role.STUDENT, Role.TEACHER): Relation(
        lambda a, r: _teaches(r, a.class_ids, a.group_ids), gettext_lazy("à leurs professeurs")
    ),
    (Role.STUDENT, Role.GUARDIAN): Relation(
        lambda a, r: a.user_id in r.children_ids, gettext_lazy("à leurs responsables légaux")
    ),
    (Role.GUARDIAN, Role.STUDENT): Relation(lambda a, r: r.user_id in a.children_ids, gettext_lazy("à leurs enfants")),
    (Role.GUARDIAN, Role.TEACHER): Relation(
        lambda a, r: _teaches(r, a.children_class_ids, a.children_group_ids),
        gettext_lazy("aux professeurs de leurs enfants"),
    ),
    (Role.GUARDIAN, Role.GUARDIAN): Relation(
        lambda a, r: bool(a.children_class_ids & r.children_class_ids),
        gettext_lazy("aux parents des classes de leurs enfants"),
    ),
    (Role.TEACHER, Role.STUDENT): Relation(
        lambda a, r: _teaches(a, r.class_ids, r.group_ids), gettext_lazy("à leurs élèves")
    ),
    (Role.TEACHER, Role.GUARDIAN): Relation(
        lambda a, r: _teaches(a, r.children_class_ids, r.children_group_ids),
        gettext_lazy("aux parents de leurs élèves"),
    ),
    (Role.TEACHER, Role.TEACHER): Relation(
        lambda a, r: bool(a.taught_class_ids & r.taught_class_ids), gettext_lazy("aux professeurs de leurs classes")
    ),
}


def reaches_for(author_role: str, recipient_role: str) -> list[str]:
    """The reaches a cell may take: "related" only where the pair has a relation."""
    if (author_role, recipient_role) in RELATIONS:
        return [Reach.NONE, Reach.RELATED, Reach.ALL]
    return [Reach.NONE, Reach.ALL]


@dataclass(frozen=True)
class RuleRef:
    """The rule that decided: one cell of an establishment's table."""

    establishment_id: int | None
    author_role: str
    recipient_role: str
    reach: str
    is_default: bool

    @property
    def label(self) -> str:
        where = _("règle par défaut") if self.is_default else _("règle de l'établissement")
        return _("%(authors)s → %(recipients)s : %(reach)s (%(where)s)") % {
            "authors": Role(self.author_role).label,
            "recipients": Role(self.recipient_role).label,
            "reach": Reach(self.reach).label,
            "where": where,
        }


@dataclass(frozen=True)
class Decision:
    """Whether the author may write to the recipient, why (a sentence), and the rule that decided."""

    allowed: bool
    reason: str
    rule: RuleRef | None = None

    def __bool__(self) -> bool:
        return self.allowed


Rules = dict[int, dict[tuple[str, str], tuple[str, bool]]]


def load_rules(establishment_ids: Iterable[int]) -> Rules:
    """Each establishment's table (one query): cell -> (reach, is_default)."""
    ids = sorted(set(establishment_ids))
    tables: Rules = {e: {cell: (reach, True) for cell, reach in DEFAULTS.items()} for e in ids}
    if ids:
        for row in CommunicationRule.objects.filter(establishment_id__in=ids):
            tables[row.establishment_id][(row.author_role, row.recipient_role)] = (row.reach, False)
    return tables


def load_facts(user_ids: Iterable[int]) -> dict[int, Facts]:
    """The facts of many people at once: six queries whatever their number."""
    ids = sorted(set(user_ids))
    if not ids:
        return {}
    facts = {
        pk: Facts(pk, f"{first} {last}".strip(), active)
        for pk, first, last, active in User.objects.filter(pk__in=ids).values_list(
            "pk", "first_name", "last_name", "is_active"
        )
    }
    for person_id, establishment_id, role in current(Membership.objects.filter(person_id__in=ids)).values_list(
        "person_id", "establishment_id", "role"
    ):
        if role == Role.REGIONAL_ADMIN:
            facts[person_id].regional = True
        else:
            facts[person_id].roles.setdefault(establishment_id, set()).add(role)
    parents_of: dict[int, list[int]] = {}
    for guardian_id, student_id in Guardianship.objects.filter(guardian_id__in=ids).values_list(
        "guardian_id", "student_id"
    ):
        facts[guardian_id].children_ids.add(student_id)
        parents_of.setdefault(student_id, []).append(guardian_id)
    students = set(ids) | set(parents_of)
    for student_id, class_id in current(Enrolment.objects.filter(student_id__in=students)).values_list(
        "student_id", "school_class_id"
    ):
        if student_id in facts:
            facts[student_id].class_ids.add(class_id)
        for guardian_id in parents_of.get(student_id, ()):
            facts[guardian_id].children_class_ids.add(class_id)
    for student_id, group_id in current(GroupMembership.objects.filter(student_id__in=students)).values_list(
        "student_id", "group_id"
    ):
        if student_id in facts:
            facts[student_id].group_ids.add(group_id)
        for guardian_id in parents_of.get(student_id, ()):
            facts[guardian_id].children_group_ids.add(group_id)
    for teacher_id, class_id, group_id in current(TeachingAssignment.objects.filter(teacher_id__in=ids)).values_list(
        "teacher_id", "school_class_id", "group_id"
    ):
        if class_id:
            facts[teacher_id].taught_class_ids.add(class_id)
        if group_id:
            facts[teacher_id].taught_group_ids.add(group_id)
    return facts


def _ordered_roles(roles: Iterable[str], first: str | None) -> list[str]:
    order: list[str] = list(ROLE_PRIORITY)
    return sorted(roles, key=lambda r: (r != first, order.index(r) if r in order else 99))


def unknown() -> Decision:
    """The one answer for an id that does not exist and for a person the author may not see."""
    return Decision(False, _("Cette personne est introuvable."))


def may_see(author: Facts, recipient: Facts) -> bool:
    """Whether the directory shows ``recipient`` to ``author`` — the rule of ``directory.policies.PersonPolicy``
    read from facts already loaded (no query): the region sees everyone; a person their children; staff the
    people of their establishments; everyone the staff of their establishments."""
    if author.regional or recipient.user_id in author.children_ids:
        return True
    for establishment_id, roles in recipient.roles.items():
        mine = author.roles.get(establishment_id)
        if mine and (mine & STAFF_ROLES or roles & STAFF_ROLES):
            return True
    return False


def decide(
    author: Facts,
    recipient: Facts,
    rules: Rules,
    *,
    active_establishment_id: int | None = None,
    active_role: str | None = None,
    replying_to: int | None = None,
) -> Decision:
    """The decision for one pair, from facts already loaded (no query)."""
    name = recipient.name
    if recipient.user_id == author.user_id:
        return Decision(False, _("Vous ne pouvez pas vous écrire à vous-même."))
    replying = replying_to is not None and replying_to == recipient.user_id
    shared = sorted(set(author.roles) & set(recipient.roles), key=lambda e: (e != active_establishment_id, e))
    if not (replying or author.regional or shared):
        # Nobody of the author's establishments: the same answer as for an id that does not exist, so that
        # refusals name nobody and tell nothing of who belongs where.
        return unknown()
    if not replying and not may_see(author, recipient):
        name = _("cette personne")  # a refusal names only someone the directory shows the author
    if not recipient.is_active:
        return Decision(False, _("Le compte %(name)s est désactivé.") % {"name": french.de(name)})
    if replying:
        return Decision(True, _("Vous répondez à un message que %(name)s vous a adressé.") % {"name": name})
    if author.regional:
        return Decision(True, _("L'administration régionale peut écrire à toute personne de la région."))
    refusals: list[Decision] = []
    for establishment_id in shared:
        table = rules.get(establishment_id) or {cell: (reach, True) for cell, reach in DEFAULTS.items()}
        for author_role in _ordered_roles(author.roles[establishment_id], active_role):
            for recipient_role in _ordered_roles(recipient.roles[establishment_id], None):
                if author_role not in PLURAL or recipient_role not in PLURAL:
                    continue
                reach, is_default = table.get((author_role, recipient_role), (Reach.NONE, True))
                rule = RuleRef(establishment_id, author_role, recipient_role, reach, is_default)
                words = {"authors": PLURAL[author_role], "recipients": PLURAL[recipient_role], "name": name}
                relation = RELATIONS.get((author_role, recipient_role))
                if reach == Reach.ALL:
                    reason = _("Les %(authors)s peuvent écrire à tous les %(recipients)s dans cet établissement.")
                    return Decision(True, reason % words, rule)
                if reach == Reach.RELATED and relation is not None:
                    words["relation"] = relation.phrase
                    if relation.test(author, recipient):
                        reason = _(
                            "Les %(authors)s peuvent écrire %(relation)s dans cet établissement, et %(name)s en "
                            "fait partie."
                        )
                        return Decision(True, reason % words, rule)
                    reason = _("Les %(authors)s ne peuvent écrire qu'%(relation)s dans cet établissement.")
                    refusals.append(Decision(False, reason % words, rule))
                else:
                    reason = _("Les %(authors)s ne peuvent pas écrire aux %(recipients)s dans cet établissement.")
                    refusals.append(Decision(False, reason % words, rule))
    if not refusals:
        return Decision(False, _("Aucune règle ne vous permet d'écrire à %(name)s.") % {"name": name})
    related = [d for d in refusals if d.rule and d.rule.reach == Reach.RELATED]
    return (related or refusals)[0]


class Explainer:
    """Decisions for one author over many recipients, with the facts and rules loaded once."""

    def __init__(self, actor: Actor, recipient_ids: Iterable[int] = (), *, replying_to: int | None = None) -> None:
        if actor.user_id is None:
            raise PermissionDenied
        self.actor = actor
        self.replying_to = replying_to
        ids = set(recipient_ids) | {actor.user_id}
        self.facts = load_facts(ids)
        self.author = self.facts[actor.user_id]
        establishments = set(self.author.roles)
        self.rules = load_rules(establishments)

    def add(self, recipient_ids: Iterable[int]) -> None:
        """Load the facts of more people (six queries)."""
        missing = set(recipient_ids) - set(self.facts)
        self.facts.update(load_facts(missing))

    def shows(self, recipient_id: int) -> bool:
        """Whether the directory shows that person to the author (so that a refusal may name them)."""
        recipient = self.facts.get(recipient_id)
        return recipient is not None and may_see(self.author, recipient)

    def __call__(self, recipient_id: int) -> Decision:
        recipient = self.facts.get(recipient_id)
        if recipient is None:
            return unknown()
        return decide(
            self.author,
            recipient,
            self.rules,
            active_establishment_id=self.actor.establishment_id,
            active_role=self.actor.role,
            replying_to=self.replying_to,
        )


def explain(author_actor, recipient) -> Decision:
    """Whether ``author_actor`` may write to ``recipient`` (a person or an id), why, and which rule decided."""
    recipient_id = recipient if isinstance(recipient, int) else recipient.pk
    return Explainer(author_actor, [recipient_id])(recipient_id)


@dataclass
class CellChange:
    """What one changed cell of the table does: pairs of people who gain or lose reachability."""

    author_role: str
    recipient_role: str
    before: str
    after: str
    gained: int = 0
    lost: int = 0
    examples: list[tuple[str, str, bool]] = field(default_factory=list)  # (author, recipient, gained)

    @property
    def before_label(self) -> str:
        return str(Reach(self.before).label)

    @property
    def after_label(self) -> str:
        return str(Reach(self.after).label)

    @property
    def label(self) -> str:
        return _("%(authors)s → %(recipients)s") % {
            "authors": Role(self.author_role).label,
            "recipients": Role(self.recipient_role).label,
        }


def _reaches(reach: str, cell: tuple[str, str], author: Facts, recipient: Facts) -> bool:
    if reach == Reach.ALL:
        return True
    relation = RELATIONS.get(cell)
    return reach == Reach.RELATED and relation is not None and relation.test(author, recipient)


def simulate(establishment_id: int, proposed: dict[tuple[str, str], str], *, examples: int = 3) -> list[CellChange]:
    """What applying ``proposed`` would change, cell by cell, without saving anything.

    Counts the ordered pairs of current members (author, recipient) whose reachability through the cell
    changes. Eight queries (rules, members, facts) whatever the size; the pairs are compared in memory,
    only for the cells that change.
    """
    table = load_rules([establishment_id])[establishment_id]
    changed = [
        (cell, table[cell][0], reach)
        for cell, reach in proposed.items()
        if cell in table and reach != table[cell][0] and reach in reaches_for(*cell)
    ]
    if not changed:
        return []
    members: dict[str, list[int]] = {}
    for person_id, role in current(Membership.objects.filter(establishment_id=establishment_id)).values_list(
        "person_id", "role"
    ):
        members.setdefault(role, []).append(person_id)
    facts = load_facts(pid for ids in members.values() for pid in ids)
    results = []
    for cell, before, after in changed:
        change = CellChange(cell[0], cell[1], before, after)
        for a in members.get(cell[0], ()):
            author = facts[a]
            for r in members.get(cell[1], ()):
                if a == r:
                    continue
                recipient = facts[r]
                was, will = _reaches(before, cell, author, recipient), _reaches(after, cell, author, recipient)
                if was == will:
                    continue
                if will:
                    change.gained += 1
                else:
                    change.lost += 1
                if len(change.examples) < examples:
                    change.examples.append((author.name, recipient.name, will))
        results.append(change)
    return results
