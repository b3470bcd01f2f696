"""Who may see and change evaluations, marks, competency assessments and subject coefficients.

* A teacher sees and changes the evaluations and marks of the subjects they teach to a class or group (a
  current teaching assignment), and those they created.
* The head teacher of a class sees every subject of it: the class's evaluations, and every mark of its
  students (group evaluations included). Seeing is not changing.
* The direction sees the whole establishment (the regional administrator every establishment). Neither
  enters marks.
* A student sees their own marks, a guardian those of their children — once published (``publish_at``),
  with the evaluations those marks belong to. Nobody else sees anything (the CPE, other parents, charlie).
* Competency assessments: as marks, with "the subject taught" replaced by "a class or group of the student
  taught"; only the teacher who assessed changes one.
* Subject coefficients: staff of the establishment see them; the direction and the ENT administrator set them.

Everything a rule needs is loaded at most once per actor (teaching assignments, head-teacher classes and
their students, students taught), so ``allows`` runs in memory and ``scope`` adds no query of its own.
"""

from __future__ import annotations

from functools import reduce
from operator import or_

from django.db.models import Q
from django.utils import timezone

from cartable.core import authz
from cartable.core.authz import Action
from cartable.directory.models import Group, Role
from cartable.grades.models import CompetencyAssessment, Evaluation, Mark, SubjectCoefficient


def teaching_pairs(actor) -> frozenset[tuple[str, int, int]]:
    """(``"class"`` or ``"group"``, id, subject id) of the actor's current teaching assignments."""
    return frozenset(
        ("class", c, s) if c else ("group", g, s)
        for c, g, s in actor.teaching  # loaded once per actor by the directory
    )


def headed(actor) -> tuple[frozenset[int], frozenset[int], frozenset[int]]:
    """Classes the actor is head teacher of, the groups drawn from them, and their current students."""
    return actor.headed


def taught_students(actor) -> frozenset[int]:
    """Students of the classes and groups the actor teaches now."""
    return actor.taught_student_ids


def family_ids(actor) -> frozenset[int]:
    """The students whose published grades the actor reads as themself or as a guardian."""
    ids = set(actor.children_ids)
    if actor.user_id is not None and actor.has_role(Role.STUDENT):
        ids.add(actor.user_id)
    return frozenset(ids)


def direction_of(actor) -> list[int]:
    return [e for e in actor.establishment_ids if Role.DIRECTION in actor.roles_in(e)]


def is_published(evaluation: Evaluation) -> bool:
    return evaluation.publish_at <= timezone.now()


def teaches(actor, evaluation: Evaluation) -> bool:
    """Whether the actor teaches this evaluation's subject to its class or group now."""
    audience = ("class", evaluation.school_class_id) if evaluation.school_class_id else ("group", evaluation.group_id)
    return (*audience, evaluation.subject_id) in teaching_pairs(actor)


def _teaching_q(actor, prefix: str = "") -> Q:
    pairs = teaching_pairs(actor)
    if not pairs:
        return Q(pk__in=[])
    return reduce(
        or_,
        (
            Q(**{f"{prefix}{'school_class_id' if kind == 'class' else 'group_id'}": pk, f"{prefix}subject_id": subject})
            for kind, pk, subject in pairs
        ),
    )


def can_view_evaluation(actor, evaluation: Evaluation, *, staff_only: bool = False) -> bool:
    """Whether the actor sees the evaluation; ``staff_only`` leaves out the family's reading (a parent who
    teaches sees the whole class's marks only as staff)."""
    if actor.user_id is None:
        return False
    if actor.is_regional_admin or evaluation.establishment_id in direction_of(actor):
        return True
    if evaluation.teacher_id == actor.user_id or teaches(actor, evaluation):
        return True
    classes, groups, _students = headed(actor)
    if evaluation.school_class_id in classes or evaluation.group_id in groups:
        return True
    ids = family_ids(actor)
    if staff_only or not ids or not is_published(evaluation):
        return False
    return evaluation.marks.filter(student_id__in=ids).exists()


def can_change_evaluation(actor, evaluation: Evaluation) -> bool:
    """The teacher of the subject for the class or group (a current teaching assignment)."""
    return actor.user_id is not None and teaches(actor, evaluation)


def evaluation_q(actor, prefix: str = "", *, staff_only: bool = False) -> Q:
    """The evaluations (reached through ``prefix``) the actor sees, as a Q (``staff_only``: as above)."""
    if actor.user_id is None:
        return Q(pk__in=[])
    if actor.is_regional_admin:
        return Q()
    classes, groups, _students = headed(actor)
    q = (
        Q(**{f"{prefix}teacher_id": actor.user_id})
        | _teaching_q(actor, prefix)
        | Q(**{f"{prefix}school_class_id__in": list(classes)})
        | Q(**{f"{prefix}group_id__in": list(groups)})
        | Q(**{f"{prefix}establishment_id__in": direction_of(actor)})
    )
    ids = family_ids(actor)
    if ids and not staff_only:
        marked = Mark.objects.filter(student_id__in=list(ids)).values("evaluation_id")
        q |= Q(**{f"{prefix}publish_at__lte": timezone.now(), f"{prefix}pk__in": marked})
    return q


@authz.register(Evaluation)
class EvaluationPolicy(authz.Policy):
    """An evaluation: see the module docstring."""

    def allows(self, actor, action, obj):
        if action == Action.VIEW:
            return can_view_evaluation(actor, obj)
        if action in (Action.CREATE, Action.CHANGE, Action.DELETE):
            return can_change_evaluation(actor, obj)
        return False

    def scope(self, actor, queryset):
        return queryset.filter(evaluation_q(actor))


def can_view_mark(actor, mark: Mark) -> bool:
    """In memory (the mark's evaluation loaded): whether the actor sees this mark."""
    evaluation = mark.evaluation
    if actor.user_id is None:
        return False
    if actor.is_regional_admin or mark.establishment_id in direction_of(actor):
        return True
    if evaluation.teacher_id == actor.user_id or teaches(actor, evaluation):
        return True
    classes, _groups, students = headed(actor)
    if evaluation.school_class_id in classes or mark.student_id in students:
        return True
    return mark.student_id in family_ids(actor) and is_published(evaluation)


def mark_q(actor) -> Q:
    if actor.user_id is None:
        return Q(pk__in=[])
    if actor.is_regional_admin:
        return Q()
    classes, _groups, students = headed(actor)
    q = (
        Q(evaluation__teacher_id=actor.user_id)
        | _teaching_q(actor, "evaluation__")
        | Q(evaluation__school_class_id__in=list(classes))
        | Q(student_id__in=list(students))
        | Q(establishment_id__in=direction_of(actor))
    )
    ids = family_ids(actor)
    if ids:
        q |= Q(student_id__in=list(ids), evaluation__publish_at__lte=timezone.now())
    return q


@authz.register(Mark)
class MarkPolicy(authz.Policy):
    """A mark: seen as its evaluation's marks are, changed by the teacher of the subject."""

    def allows(self, actor, action, obj):
        if action == Action.VIEW:
            return can_view_mark(actor, obj)
        if action in (Action.CREATE, Action.CHANGE, Action.DELETE):
            return can_change_evaluation(actor, obj.evaluation)
        return False

    def scope(self, actor, queryset):
        return queryset.filter(mark_q(actor))


def can_assess(actor, student_id: int) -> bool:
    """A teacher assesses competencies of the students they teach."""
    return actor.user_id is not None and student_id in taught_students(actor)


@authz.register(CompetencyAssessment)
class CompetencyAssessmentPolicy(authz.Policy):
    """A competency assessment: teachers of the student, the head teacher, the direction; the family once
    published. Only its assessor changes it."""

    def allows(self, actor, action, obj):
        if actor.user_id is None:
            return False
        if action == Action.VIEW:
            if actor.is_regional_admin or obj.establishment_id in direction_of(actor):
                return True
            if obj.assessed_by_id == actor.user_id or obj.student_id in taught_students(actor):
                return True
            if obj.student_id in headed(actor)[2]:
                return True
            return obj.student_id in family_ids(actor) and obj.publish_at <= timezone.now()
        if action == Action.CREATE:
            return can_assess(actor, obj.student_id)
        if action in (Action.CHANGE, Action.DELETE):
            return obj.assessed_by_id == actor.user_id and can_assess(actor, obj.student_id)
        return False

    def scope(self, actor, queryset):
        if actor.user_id is None:
            return queryset.none()
        if actor.is_regional_admin:
            return queryset
        q = (
            Q(assessed_by_id=actor.user_id)
            | Q(student_id__in=list(taught_students(actor) | headed(actor)[2]))
            | Q(establishment_id__in=direction_of(actor))
        )
        ids = family_ids(actor)
        if ids:
            q |= Q(student_id__in=list(ids), publish_at__lte=timezone.now())
        return queryset.filter(q)


@authz.register(SubjectCoefficient)
class SubjectCoefficientPolicy(authz.Policy):
    """Staff of the establishment see the coefficients; the direction and the ENT administrator set them."""

    def allows(self, actor, action, obj):
        if actor.user_id is None:
            return False
        if actor.is_regional_admin:
            return True
        if action == Action.VIEW:
            return actor.is_staff_of(obj.establishment_id)
        return bool(actor.roles_in(obj.establishment_id) & {Role.DIRECTION, Role.ESTABLISHMENT_ADMIN})

    def scope(self, actor, queryset):
        if actor.user_id is None:
            return queryset.none()
        if actor.is_regional_admin:
            return queryset
        return queryset.filter(establishment_id__in=[e for e in actor.establishment_ids if actor.is_staff_of(e)])


def can_read_gradebook(actor, school_class) -> bool:
    """Teachers of the class (or of a group drawn from it), its head teacher, the direction, the region."""
    if actor.user_id is None:
        return False
    if actor.is_regional_admin or school_class.establishment_id in direction_of(actor):
        return True
    if school_class.pk in actor.taught_class_ids or school_class.pk in headed(actor)[0]:
        return True
    return (
        bool(actor.taught_group_ids)
        and Group.classes.through.objects.filter(
            schoolclass_id=school_class.pk, group_id__in=actor.taught_group_ids
        ).exists()
    )


def can_read_student(actor, student_id: int, establishment_id: int) -> bool:
    """Whether the actor opens a student's grades page (what it shows is scoped mark by mark)."""
    if actor.user_id is None:
        return False
    if student_id in family_ids(actor):
        return True
    if actor.is_regional_admin or establishment_id in direction_of(actor):
        return True
    return student_id in headed(actor)[2] or student_id in taught_students(actor)
