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

Everything is answered in memory from the actor (its memberships and teaching assignments, plus one query
for the classes of the groups a teacher teaches, kept on the actor) and the class's ``head_teacher_id``.
"""

from __future__ import annotations

from django.db.models import Q
from django.utils import timezone

from cartable.core import authz
from cartable.core.authz import Action
from cartable.directory.models import Role
from cartable.reportcards.models import (
    CouncilDecision,
    GeneralAppreciation,
    GenerationRun,
    ReportCard,
    SubjectAppreciation,
)


def direction_of(actor) -> list[int]:
    """The establishments where the actor belongs to the direction."""
    return [e for e in actor.establishment_ids if Role.DIRECTION in actor.roles_in(e)]


def _school_life_of(actor) -> list[int]:
    return [e for e in actor.establishment_ids if actor.roles_in(e) & {Role.DIRECTION, Role.EDUCATION}]


def is_direction(actor, establishment_id: int) -> bool:
    """The direction of the establishment (or the region) records decisions, generates and publishes."""
    return actor.is_regional_admin or Role.DIRECTION in actor.roles_in(establishment_id)


def taught_pairs(actor) -> dict[tuple[int, int], frozenset[int] | None]:
    """The (class, subject) pairs the actor teaches now, each with the groups it is taught through."""
    return actor.taught_class_subjects


def teaches(actor, class_id: int, subject_id: int) -> bool:
    """Whether the actor teaches this subject to this class now (the class, or a group drawn from it)."""
    return (class_id, subject_id) in taught_pairs(actor)


def follows_class(actor, school_class) -> bool:
    """Staff who follow the class: its direction and vie scolaire, its teachers, its head teacher."""
    if actor.is_regional_admin:
        return True
    if actor.roles_in(school_class.establishment_id) & {Role.DIRECTION, Role.EDUCATION}:
        return True
    if school_class.head_teacher_id is not None and school_class.head_teacher_id == actor.user_id:
        return True
    return any(c == school_class.pk for c, _s in taught_pairs(actor))


def _follows_q(actor) -> Q:
    """The rows (with ``school_class`` and ``establishment``) of the classes the actor follows."""
    return (
        Q(establishment_id__in=_school_life_of(actor))
        | Q(school_class__head_teacher_id=actor.user_id)
        | Q(school_class_id__in=list({c for c, _s in taught_pairs(actor)}))
    )


def _empty_unless_signed_in(actor, queryset):
    if actor is None or not actor.is_authenticated:
        return queryset.none()
    return None


class _ClassRowPolicy(authz.Policy):
    """Appreciations and decisions: read by the class's staff; written by whoever ``may_write`` says."""

    def may_write(self, actor, obj) -> bool:  # pragma: no cover - overridden
        return False

    def allows(self, actor, action, obj):
        if action == Action.VIEW:
            return follows_class(actor, obj.school_class)
        if action in (Action.CREATE, Action.CHANGE):
            return self.may_write(actor, obj)
        return False

    def scope(self, actor, queryset):
        empty = _empty_unless_signed_in(actor, queryset)
        if empty is not None:
            return empty
        if actor.is_regional_admin:
            return queryset
        return queryset.filter(_follows_q(actor))


@authz.register(SubjectAppreciation)
class SubjectAppreciationPolicy(_ClassRowPolicy):
    def may_write(self, actor, obj) -> bool:
        return teaches(actor, obj.school_class_id, obj.subject_id)


@authz.register(GeneralAppreciation)
class GeneralAppreciationPolicy(_ClassRowPolicy):
    def may_write(self, actor, obj) -> bool:
        head = obj.school_class.head_teacher_id
        return head is not None and head == actor.user_id


@authz.register(CouncilDecision)
class CouncilDecisionPolicy(_ClassRowPolicy):
    def may_write(self, actor, obj) -> bool:
        return is_direction(actor, obj.establishment_id)


def family_sees(actor, card: ReportCard) -> bool:
    """A student and their guardians see a report card once its publication date has passed."""
    if card.published_at is None or card.published_at > timezone.now():
        return False
    return card.student_id == actor.user_id or card.student_id in actor.children_ids


@authz.register(ReportCard)
class ReportCardPolicy(authz.Policy):
    def allows(self, actor, action, obj):
        if action == Action.VIEW:
            return follows_class(actor, obj.school_class) or family_sees(actor, obj)
        if action == Action.MANAGE:
            return is_direction(actor, obj.establishment_id)
        return False

    def scope(self, actor, queryset):
        empty = _empty_unless_signed_in(actor, queryset)
        if empty is not None:
            return empty
        if actor.is_regional_admin:
            return queryset
        family = Q(student_id=actor.user_id) | Q(student_id__in=list(actor.children_ids))
        published = Q(published_at__lte=timezone.now())
        return queryset.filter(_follows_q(actor) | (published & family))


@authz.register(GenerationRun)
class GenerationRunPolicy(authz.Policy):
    def allows(self, actor, action, obj):
        return action in (Action.VIEW, Action.MANAGE) and is_direction(actor, obj.establishment_id)

    def scope(self, actor, queryset):
        empty = _empty_unless_signed_in(actor, queryset)
        if empty is not None:
            return empty
        if actor.is_regional_admin:
            return queryset
        return queryset.filter(establishment_id__in=direction_of(actor))
