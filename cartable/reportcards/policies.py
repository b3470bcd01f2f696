"""Who may read and write the report cards' rows.

* A class's appreciations, council decisions and report cards (every version, drafts included) are read
  by the staff who follow the class: the direction and the vie scolaire of its establishment, its
  teachers (the class or a group drawn from it, now), its head teacher, and the regional administrator.
* A subject teacher writes the appreciations of a class × subject they teach now, to the whole class or to
  a group drawn from it (then only for the group's students: the action checks it).
* The head teacher (``SchoolClass.head_teacher``) writes the general appreciations of their class.
* The direction records the council's decisions, generates the PDFs and publishes them (``MANAGE``).
* A student and their guardians read that student's report cards once published (``published_at`` passed),
  every published version; nothing else of this app.

What is not a row is checked through named permissions, declared at the end of this module:

* ``reportcards.read_own`` (about nothing): the actor acts as a student or a guardian (the families' list);
* ``reportcards.follow_class`` (a class): its staff open its grids, its council page and its zip;
* ``reportcards.follow_every_class`` (an establishment): its direction, vie scolaire and ENT administrators
  (and the region) see every class on the home page;
* ``reportcards.write_general`` (a class): its head teacher writes the general appreciations;
* ``reportcards.run_council`` (a class): the direction of its establishment records decisions, generates
  and publishes the report cards.

Everything is answered in memory from the actor (its memberships and teaching assignments, plus one query
for the classes of the groups a teacher teaches, kept on the actor) and the class's ``head_teacher_id``.
"""

from __future__ import annotations

from django.db.models import Q, QuerySet
from django.utils import timezone

from cartable.core import authz
from cartable.core.authz import Action
from cartable.directory.actor import Actor
from cartable.directory.models import (
    FAMILY_ROLES,
    MANAGER_ROLES,
    SCHOOL_LIFE_ROLES,
    Establishment,
    SchoolClass,
)
from cartable.reportcards.models import (
    CouncilDecision,
    GeneralAppreciation,
    GenerationRun,
    ReportCard,
    SubjectAppreciation,
)


def _follows(actor: Actor, school_class: SchoolClass) -> bool:
    """Staff who follow the class: its direction and vie scolaire, its teachers, its head teacher."""
    if actor.user_id is None:
        return False
    if actor.is_regional_admin or actor.holds_in(school_class.establishment_id, SCHOOL_LIFE_ROLES):
        return True
    if school_class.head_teacher_id is not None and school_class.head_teacher_id == actor.user_id:
        return True
    return any(c == school_class.pk for c, _s in actor.taught_class_subjects)


def _heads(actor: Actor, school_class: SchoolClass) -> bool:
    head = school_class.head_teacher_id
    return head is not None and head == actor.user_id


def _follows_q(actor: Actor) -> Q:
    """The rows (with ``school_class`` and ``establishment``) of the classes the actor follows."""
    return (
        Q(establishment_id__in=list(actor.establishments_where(SCHOOL_LIFE_ROLES)))
        | Q(school_class__head_teacher_id=actor.user_id)
        | Q(school_class_id__in=list({c for c, _s in actor.taught_class_subjects}))
    )


class _ClassRowPolicy[M: SubjectAppreciation | GeneralAppreciation | CouncilDecision](authz.Policy[M]):
    """Appreciations and decisions: read by the class's staff; written by whoever ``may_write`` says."""

    def may_write(self, actor: Actor, obj: M) -> bool:  # pragma: no cover - overridden
        return False

    def allows(self, actor: Actor, action: Action | str, obj: M) -> bool:
        if action == Action.VIEW:
            return _follows(actor, obj.school_class)
        if action in (Action.CREATE, Action.CHANGE):
            return self.may_write(actor, obj)
        return False

    def scope(self, actor: Actor, queryset: QuerySet[M]) -> QuerySet[M]:
        if actor.user_id is None:
            return queryset.none()
        if actor.is_regional_admin:
            return queryset
        return queryset.filter(_follows_q(actor))


@authz.register(SubjectAppreciation)
class SubjectAppreciationPolicy(_ClassRowPolicy[SubjectAppreciation]):
    def may_write(self, actor: Actor, obj: SubjectAppreciation) -> bool:
        """The teacher of the subject to the class (or a group drawn from it) now."""
        return (obj.school_class_id, obj.subject_id) in actor.taught_class_subjects


@authz.register(GeneralAppreciation)
class GeneralAppreciationPolicy(_ClassRowPolicy[GeneralAppreciation]):
    def may_write(self, actor: Actor, obj: GeneralAppreciation) -> bool:
        return _heads(actor, obj.school_class)


@authz.register(CouncilDecision)
class CouncilDecisionPolicy(_ClassRowPolicy[CouncilDecision]):
    def may_write(self, actor: Actor, obj: CouncilDecision) -> bool:
        return actor.directs(obj.establishment_id)


def _family_sees(actor: Actor, card: ReportCard) -> bool:
    """A student and their guardians see a report card once its publication date has passed."""
    if card.published_at is None or card.published_at > timezone.now():
        return False
    return card.student_id == actor.user_id or card.student_id in actor.legal_children_ids


@authz.register(ReportCard)
class ReportCardPolicy(authz.Policy[ReportCard]):
    def allows(self, actor: Actor, action: Action | str, obj: ReportCard) -> bool:
        if action == Action.VIEW:
            return _follows(actor, obj.school_class) or _family_sees(actor, obj)
        if action == Action.MANAGE:
            return actor.directs(obj.establishment_id)
        return False

    def scope(self, actor: Actor, queryset: QuerySet[ReportCard]) -> QuerySet[ReportCard]:
        if actor.user_id is None:
            return queryset.none()
        if actor.is_regional_admin:
            return queryset
        family = Q(student_id=actor.user_id) | Q(student_id__in=list(actor.legal_children_ids))
        published = Q(published_at__lte=timezone.now())
        return queryset.filter(_follows_q(actor) | (published & family))


@authz.register(GenerationRun)
class GenerationRunPolicy(authz.Policy[GenerationRun]):
    def allows(self, actor: Actor, action: Action | str, obj: GenerationRun) -> bool:
        return action in (Action.VIEW, Action.MANAGE) and actor.directs(obj.establishment_id)

    def scope(self, actor: Actor, queryset: QuerySet[GenerationRun]) -> QuerySet[GenerationRun]:
        if actor.user_id is None:
            return queryset.none()
        if actor.is_regional_admin:
            return queryset
        return queryset.filter(establishment_id__in=list(actor.direction_ids))


# --- named permissions: what is not a row -----------------------------------------------------------------
@authz.permission("reportcards.read_own", about=None)
def reads_own(actor: Actor, _obj: None) -> bool:
    """Acting as a student or a guardian: the home page lists the published report cards."""
    return actor.role in FAMILY_ROLES


@authz.permission("reportcards.follow_class", about=SchoolClass)
def follows_class(actor: Actor, school_class: SchoolClass) -> bool:
    """The class's staff: its grids, its council page, its report cards, its zip."""
    return _follows(actor, school_class)


@authz.permission("reportcards.follow_every_class", about=Establishment)
def follows_every_class(actor: Actor, establishment: Establishment | None) -> bool:
    """The direction, the vie scolaire and the ENT administrators (and the region) list every class of the
    establishment on the home page."""
    return actor.is_regional_admin or (establishment is not None and actor.holds_in(establishment.pk, MANAGER_ROLES))


@authz.permission("reportcards.write_general", about=SchoolClass)
def writes_general(actor: Actor, school_class: SchoolClass) -> bool:
    """The head teacher writes the general appreciations of the class."""
    return _heads(actor, school_class)


@authz.permission("reportcards.run_council", about=SchoolClass)
def runs_council(actor: Actor, school_class: SchoolClass) -> bool:
    """The direction of the class's establishment (or the region): decisions, generation, publication."""
    return actor.directs(school_class.establishment_id)
