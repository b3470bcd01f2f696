"""Who sees and changes question banks.

- a bank: seen and changed by its owner alone;
- a category, its questions and their images: seen by the bank's owner, by the establishment's teachers
  when shared with the establishment, by the teachers of the subject there when shared with a subject;
  changed by the bank's owner.

Nobody else: not students, guardians, other staff, the region, nor a teacher of another establishment
(charlie.roux). Sharing is read on the category itself (an action writes it down the tree).
"""

from __future__ import annotations

from django.db.models import Q, QuerySet
from django.utils import timezone

from cartable.core import authz
from cartable.core.authz import Action
from cartable.directory.actor import Actor
from cartable.directory.models import MANAGER_ROLES, Role, SchoolClass
from cartable.learning.models import Accommodation, Attempt, Bank, Category, Question, QuestionFile, Quiz

Sharing = Category.Sharing
TEACHER = frozenset({Role.TEACHER})


def teacher_establishments(actor: Actor) -> frozenset[int]:
    return actor.establishments_where(TEACHER)


def taught_subject_ids(actor: Actor) -> frozenset[int]:
    return frozenset(t.subject_id for t in actor.teaching)


@authz.permission("learning.use_bank", about=None)
def uses_bank(actor: Actor, _obj: None = None) -> bool:
    """Whether the menu offers « Banque de questions »: the person teaches somewhere."""
    return actor.is_authenticated and bool(teacher_establishments(actor))


@authz.permission("learning.own_bank", about=None)
def owns_bank_here(actor: Actor, _obj: None = None) -> bool:
    """Whether the person may import into (and so open) a bank of their own where they act: they teach there."""
    return actor.is_authenticated and actor.establishment_id in teacher_establishments(actor)


def category_q(actor: Actor, prefix: str = "") -> Q:
    """The categories the actor sees, as a Q (``prefix`` reaches them from a related model)."""
    if not actor or not actor.is_authenticated or actor.user_id is None:
        return Q(pk__in=[])
    p = prefix
    mine = Q(**{f"{p}bank__owner_id": actor.user_id})
    establishments = teacher_establishments(actor)
    if not establishments:
        return mine
    shared = Q(**{f"{p}sharing": Sharing.ESTABLISHMENT, f"{p}establishment_id__in": establishments})
    by_subject = Q(**{f"{p}sharing": Sharing.SUBJECT, f"{p}subject_id__in": taught_subject_ids(actor)}) & Q(
        **{f"{p}establishment_id__in": establishments}
    )
    return mine | shared | by_subject


def sees_category(actor: Actor, category: Category) -> bool:
    if not actor or not actor.is_authenticated or actor.user_id is None:
        return False
    if category.bank.owner_id == actor.user_id:
        return True
    if category.establishment_id not in teacher_establishments(actor):
        return False
    if category.sharing == Sharing.ESTABLISHMENT:
        return True
    return category.sharing == Sharing.SUBJECT and category.subject_id in taught_subject_ids(actor)


def owns(actor: Actor, bank: Bank) -> bool:
    return bool(actor and actor.is_authenticated and actor.user_id is not None and bank.owner_id == actor.user_id)


@authz.register(Bank)
class BankPolicy(authz.Policy[Bank]):
    """A bank: its owner alone (what is shared is reached through its categories)."""

    def allows(self, actor: Actor, action: Action | str, obj: Bank) -> bool:
        return action in (Action.VIEW, Action.CHANGE, Action.CREATE) and owns(actor, obj)

    def scope(self, actor: Actor, queryset: QuerySet[Bank]) -> QuerySet[Bank]:
        if not actor or not actor.is_authenticated or actor.user_id is None:
            return queryset.none()
        return queryset.filter(owner_id=actor.user_id)


@authz.register(Category)
class CategoryPolicy(authz.Policy[Category]):
    """A category: see the module docstring."""

    def allows(self, actor: Actor, action: Action | str, obj: Category) -> bool:
        if action == Action.VIEW:
            return sees_category(actor, obj)
        return action in (Action.CHANGE, Action.CREATE, Action.MANAGE) and owns(actor, obj.bank)

    def scope(self, actor: Actor, queryset: QuerySet[Category]) -> QuerySet[Category]:
        return queryset.filter(category_q(actor))


@authz.register(Question)
class QuestionPolicy(authz.Policy[Question]):
    """A question: seen with its category, changed by the bank's owner."""

    def allows(self, actor: Actor, action: Action | str, obj: Question) -> bool:
        if action == Action.VIEW:
            return sees_category(actor, obj.category)
        return action in (Action.CHANGE, Action.DELETE) and owns(actor, obj.category.bank)

    def scope(self, actor: Actor, queryset: QuerySet[Question]) -> QuerySet[Question]:
        return queryset.filter(category_q(actor, "category__"))


@authz.register(QuestionFile)
class QuestionFilePolicy(authz.Policy[QuestionFile]):
    """An image of a question: seen with the question."""

    def allows(self, actor: Actor, action: Action | str, obj: QuestionFile) -> bool:
        return action == Action.VIEW and sees_category(actor, obj.question.category)

    def scope(self, actor: Actor, queryset: QuerySet[QuestionFile]) -> QuerySet[QuestionFile]:
        return queryset.filter(category_q(actor, "question__category__"))


# --- quizzes ----------------------------------------------------------------------------------------------------
# A quiz is seen by its owner and, once open, by the students of its class (current enrolments); an attempt
# by its student and the quiz's owner. Nobody else: not another student, guardians (stretch: their child's
# released marks), other staff, charlie.roux.
STUDENT = frozenset({Role.STUDENT})


@authz.permission("learning.take_quizzes", about=None)
def takes_quizzes(actor: Actor, _obj: None = None) -> bool:
    """Whether the menu offers « Mes quiz »: the person acts as a student."""
    return actor.is_authenticated and actor.role == Role.STUDENT


def quiz_q(actor: Actor, prefix: str = "") -> Q:
    if not actor or not actor.is_authenticated or actor.user_id is None:
        return Q(pk__in=[])

    own = Q(**{f"{prefix}owner_id": actor.user_id})
    if not actor.establishments_where(STUDENT):
        return own
    return own | Q(**{f"{prefix}school_class_id__in": actor.class_ids, f"{prefix}opens_at__lte": timezone.now()})


@authz.register(Quiz)
class QuizPolicy(authz.Policy[Quiz]):
    """A quiz: its owner; once open, the students of its class."""

    def allows(self, actor: Actor, action: Action | str, obj: Quiz) -> bool:
        if not actor or not actor.is_authenticated or actor.user_id is None:
            return False
        if obj.owner_id == actor.user_id:
            return action in (Action.VIEW, Action.CHANGE, Action.MANAGE)
        if action != Action.VIEW or not actor.establishments_where(STUDENT):
            return False

        return obj.school_class_id in actor.class_ids and obj.opens_at <= timezone.now()

    def scope(self, actor: Actor, queryset: QuerySet[Quiz]) -> QuerySet[Quiz]:
        return queryset.filter(quiz_q(actor))


@authz.register(Attempt)
class AttemptPolicy(authz.Policy[Attempt]):
    """An attempt: its student (who answers in it), and the quiz's owner (who reads it)."""

    def allows(self, actor: Actor, action: Action | str, obj: Attempt) -> bool:
        if not actor or not actor.is_authenticated or actor.user_id is None:
            return False
        if obj.student_id == actor.user_id:
            return action in (Action.VIEW, Action.CHANGE)
        return action == Action.VIEW and obj.quiz.owner_id == actor.user_id

    def scope(self, actor: Actor, queryset: QuerySet[Attempt]) -> QuerySet[Attempt]:
        if not actor or not actor.is_authenticated or actor.user_id is None:
            return queryset.none()
        return queryset.filter(Q(student_id=actor.user_id) | Q(quiz__owner_id=actor.user_id))


@authz.permission("learning.give_quiz", about=SchoolClass)
def gives_quiz(actor: Actor, school_class: SchoolClass) -> bool:
    """Whether the actor may give a quiz to the class: they teach it now."""
    return actor.is_authenticated and school_class.pk in actor.taught_class_ids


# --- accommodations (PAP, PPS) -------------------------------------------------------------------------------
# Set by the direction, the vie scolaire and the ENT administrator there (marc.leroy, nadia.petit, julie.moreau);
# seen by them and by the student. A teacher does not set them: the deadline of their quiz honours them.
@authz.permission("learning.grant_accommodation", about=None)
def grants_accommodation(actor: Actor, _obj: None = None) -> bool:
    """Whether the person may set students' accommodations where they act: direction, vie scolaire or ENT admin."""
    return actor.is_authenticated and actor.establishment_id in actor.establishments_where(MANAGER_ROLES)


@authz.register(Accommodation)
class AccommodationPolicy(authz.Policy[Accommodation]):
    """An accommodation: the establishment's direction and vie scolaire (see and change), the student (sees)."""

    def allows(self, actor: Actor, action: Action | str, obj: Accommodation) -> bool:
        if not actor or not actor.is_authenticated or actor.user_id is None:
            return False
        if obj.establishment_id in actor.establishments_where(MANAGER_ROLES):
            return action in (Action.VIEW, Action.CHANGE)
        return action == Action.VIEW and obj.student_id == actor.user_id

    def scope(self, actor: Actor, queryset: QuerySet[Accommodation]) -> QuerySet[Accommodation]:
        if not actor or not actor.is_authenticated or actor.user_id is None:
            return queryset.none()
        managed = sorted(actor.establishments_where(MANAGER_ROLES))
        return queryset.filter(Q(establishment_id__in=managed) | Q(student_id=actor.user_id))
