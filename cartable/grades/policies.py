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

What is not a row is checked through named permissions, declared at the end of this module:

* ``grades.read_own`` (about nothing): the actor acts as a student or a guardian; "Notes" opens their grades;
* ``grades.open`` (about nothing): the teachers, the direction and the ENT administrator of the active
  establishment open the grades' home page;
* ``grades.enter_evaluations`` (about nothing): the actor acts as a teacher (the evaluation form);
* ``grades.oversee`` (an establishment): its direction, or the region, sees every class's grades;
* ``grades.set_coefficients`` (an establishment): its direction and ENT administrator set the coefficients;
* ``grades.view_gradebook`` (a class): its teachers (the class or a group drawn from it), its head teacher,
  the direction, the region open its gradebook and competencies;
* ``grades.view_class_averages`` (a class): the direction and the head teacher see every subject's
  averages and the overall averages of the class (a subject teacher sees their subjects');
* ``grades.view_grid`` (an evaluation): the staff who see it read its marks' grid (never as family);
* ``grades.view_whole_audience`` (an evaluation): every student of its grid, not only the head teacher's
  own class's students of a group drawn from several classes;
* ``grades.view_student`` (a person): the student, their guardians, and the staff who follow them open
  their grades page in the active establishment;
* ``grades.read_as_family`` (a person): the actor reads that student's grades as themself or a guardian
  (published marks only);
* ``grades.view_student_averages`` (a person): every subject's averages and the overall average;
* ``grades.assess`` (a person): the actor teaches that student, so positions their competencies.

Everything a rule needs is loaded at most once per actor (teaching assignments, head-teacher classes and
their students, students taught), so ``allows`` runs in memory and ``scope`` adds no query of its own.
"""

from __future__ import annotations

from functools import reduce
from operator import or_

from django.db.models import Q, QuerySet
from django.utils import timezone

from cartable.core import authz
from cartable.core.authz import Action
from cartable.directory.actor import Actor
from cartable.directory.models import ADMIN_ROLES, FAMILY_ROLES, STAFF_ROLES, Establishment, Role, SchoolClass, User
from cartable.grades.models import CompetencyAssessment, Evaluation, Mark, SubjectCoefficient

WRITES = (Action.CREATE, Action.CHANGE, Action.DELETE)


def is_published(evaluation: Evaluation) -> bool:
    """Whether the families see the evaluation's marks (its ``publish_at`` has passed)."""
    return evaluation.publish_at <= timezone.now()


def _teaches(actor: Actor, evaluation: Evaluation) -> bool:
    """Whether the actor teaches this evaluation's subject to its class or group now."""
    if evaluation.school_class_id:
        return actor.teaches_subject_to(subject_id=evaluation.subject_id, class_id=evaluation.school_class_id)
    return actor.teaches_subject_to(subject_id=evaluation.subject_id, group_id=evaluation.group_id)


def _teaching_q(actor: Actor, prefix: str = "") -> Q:
    """The evaluations (reached through ``prefix``) of the subjects the actor teaches to their audience."""
    parts = [
        Q(**{f"{prefix}school_class_id": t.class_id, f"{prefix}subject_id": t.subject_id})
        if t.class_id
        else Q(**{f"{prefix}group_id": t.group_id, f"{prefix}subject_id": t.subject_id})
        for t in actor.teaching  # loaded once per actor by the directory
    ]
    return reduce(or_, parts) if parts else Q(pk__in=[])


@authz.register(Evaluation)
class EvaluationPolicy(authz.Policy[Evaluation]):
    """An evaluation: see the module docstring."""

    def allows(self, actor: Actor, action: Action | str, obj: Evaluation) -> bool:
        if action == Action.VIEW:
            return self.sees(actor, obj)
        if action in WRITES:
            return actor.user_id is not None and _teaches(actor, obj)
        return False

    def scope(self, actor: Actor, queryset: QuerySet[Evaluation]) -> QuerySet[Evaluation]:
        return queryset.filter(self.q(actor))

    @staticmethod
    def sees(actor: Actor, evaluation: Evaluation, *, staff_only: bool = False) -> bool:
        """Whether the actor sees the evaluation; ``staff_only`` leaves out the family's reading (a parent who
        teaches sees the whole class's marks only as staff)."""
        if actor.user_id is None:
            return False
        if actor.directs(evaluation.establishment_id):
            return True
        if evaluation.teacher_id == actor.user_id or _teaches(actor, evaluation):
            return True
        headed = actor.headed
        if evaluation.school_class_id in headed.class_ids or evaluation.group_id in headed.group_ids:
            return True
        ids = actor.legal_family_student_ids
        if staff_only or not ids or not is_published(evaluation):
            return False
        return evaluation.marks.filter(student_id__in=ids).exists()

    @staticmethod
    def q(actor: Actor, prefix: str = "", *, staff_only: bool = False) -> Q:
        """The evaluations (reached through ``prefix``) the actor sees, as a Q (``staff_only``: as above)."""
        if actor.user_id is None:
            return Q(pk__in=[])
        if actor.is_regional_admin:
            return Q()
        headed = actor.headed
        q = (
            Q(**{f"{prefix}teacher_id": actor.user_id})
            | _teaching_q(actor, prefix)
            | Q(**{f"{prefix}school_class_id__in": list(headed.class_ids)})
            | Q(**{f"{prefix}group_id__in": list(headed.group_ids)})
            | Q(**{f"{prefix}establishment_id__in": list(actor.direction_ids)})
        )
        ids = actor.legal_family_student_ids
        if ids and not staff_only:
            marked = Mark.objects.filter(student_id__in=list(ids)).values("evaluation_id")
            q |= Q(**{f"{prefix}publish_at__lte": timezone.now(), f"{prefix}pk__in": marked})
        return q

    @classmethod
    def staff_scope(cls, actor: Actor, queryset: QuerySet[Evaluation]) -> QuerySet[Evaluation]:
        """The evaluations the actor sees as staff (never through their children's marks)."""
        return queryset.filter(cls.q(actor, staff_only=True))

    @staticmethod
    def taught_scope(actor: Actor, queryset: QuerySet[Evaluation]) -> QuerySet[Evaluation]:
        """The evaluations the actor set, or of the subjects they teach to their audience."""
        return queryset.filter(_teaching_q(actor) | Q(teacher_id=actor.user_id))


@authz.register(Mark)
class MarkPolicy(authz.Policy[Mark]):
    """A mark: seen as its evaluation's marks are, changed by the teacher of the subject."""

    def allows(self, actor: Actor, action: Action | str, obj: Mark) -> bool:
        if action == Action.VIEW:
            return self.sees(actor, obj)
        if action in WRITES:
            return actor.user_id is not None and _teaches(actor, obj.evaluation)
        return False

    @staticmethod
    def sees(actor: Actor, mark: Mark) -> bool:
        """In memory (the mark's evaluation loaded): whether the actor sees this mark."""
        evaluation = mark.evaluation
        if actor.user_id is None:
            return False
        if actor.directs(mark.establishment_id):
            return True
        if evaluation.teacher_id == actor.user_id or _teaches(actor, evaluation):
            return True
        headed = actor.headed
        if evaluation.school_class_id in headed.class_ids or mark.student_id in headed.student_ids:
            return True
        return mark.student_id in actor.legal_family_student_ids and is_published(evaluation)

    def scope(self, actor: Actor, queryset: QuerySet[Mark]) -> QuerySet[Mark]:
        if actor.user_id is None:
            return queryset.none()
        if actor.is_regional_admin:
            return queryset
        headed = actor.headed
        q = (
            Q(evaluation__teacher_id=actor.user_id)
            | _teaching_q(actor, "evaluation__")
            | Q(evaluation__school_class_id__in=list(headed.class_ids))
            | Q(student_id__in=list(headed.student_ids))
            | Q(establishment_id__in=list(actor.direction_ids))
        )
        ids = actor.legal_family_student_ids
        if ids:
            q |= Q(student_id__in=list(ids), evaluation__publish_at__lte=timezone.now())
        return queryset.filter(q)


def _assesses(actor: Actor, student_id: int) -> bool:
    """A teacher assesses competencies of the students they teach."""
    return actor.user_id is not None and student_id in actor.taught_student_ids


@authz.register(CompetencyAssessment)
class CompetencyAssessmentPolicy(authz.Policy[CompetencyAssessment]):
    """A competency assessment: teachers of the student, the head teacher, the direction; the family once
    published. Only its assessor changes it."""

    def allows(self, actor: Actor, action: Action | str, obj: CompetencyAssessment) -> bool:
        if actor.user_id is None:
            return False
        if action == Action.VIEW:
            if actor.directs(obj.establishment_id):
                return True
            if obj.assessed_by_id == actor.user_id or obj.student_id in actor.taught_student_ids:
                return True
            if obj.student_id in actor.headed.student_ids:
                return True
            return obj.student_id in actor.legal_family_student_ids and obj.publish_at <= timezone.now()
        if action == Action.CREATE:
            return _assesses(actor, obj.student_id)
        if action in (Action.CHANGE, Action.DELETE):
            return obj.assessed_by_id == actor.user_id and _assesses(actor, obj.student_id)
        return False

    def scope(self, actor: Actor, queryset: QuerySet[CompetencyAssessment]) -> QuerySet[CompetencyAssessment]:
        if actor.user_id is None:
            return queryset.none()
        if actor.is_regional_admin:
            return queryset
        q = (
            Q(assessed_by_id=actor.user_id)
            | Q(student_id__in=list(actor.taught_student_ids | actor.headed.student_ids))
            | Q(establishment_id__in=list(actor.direction_ids))
        )
        ids = actor.legal_family_student_ids
        if ids:
            q |= Q(student_id__in=list(ids), publish_at__lte=timezone.now())
        return queryset.filter(q)


@authz.register(SubjectCoefficient)
class SubjectCoefficientPolicy(authz.EstablishmentRolePolicy[SubjectCoefficient]):
    """Staff of the establishment see the coefficients; the direction and the ENT administrator set them."""

    roles = {
        Action.VIEW: STAFF_ROLES,
        Action.CREATE: ADMIN_ROLES,
        Action.CHANGE: ADMIN_ROLES,
        Action.DELETE: ADMIN_ROLES,
        Action.MANAGE: ADMIN_ROLES,
    }


# --- named permissions: what is not a row -----------------------------------------------------------------
@authz.permission("grades.read_own", about=None)
def reads_own(actor: Actor, _obj: None) -> bool:
    """Acting as a student or a guardian: "Notes" opens the grades of oneself or of the child looked at."""
    return actor.role in FAMILY_ROLES


@authz.permission("grades.open", about=None)
def opens(actor: Actor, _obj: None) -> bool:
    """The grades' home page: teachers, the direction (or the region), the ENT administrator, of the active
    establishment."""
    establishment_id = actor.establishment_id
    if establishment_id is None:
        return False
    return (
        actor.role == Role.TEACHER
        or actor.directs(establishment_id)
        or actor.holds_in(establishment_id, (Role.ESTABLISHMENT_ADMIN,))
    )


@authz.permission("grades.enter_evaluations", about=None)
def enters_evaluations(actor: Actor, _obj: None) -> bool:
    """Acting as a teacher: the evaluation form (what it offers is the actor's own teaching assignments)."""
    return actor.role == Role.TEACHER


@authz.permission("grades.oversee", about=Establishment)
def oversees(actor: Actor, establishment: Establishment | None) -> bool:
    """The direction of the establishment, or the region: every class's grades."""
    return establishment is not None and actor.directs(establishment.pk)


@authz.permission("grades.set_coefficients", about=Establishment)
def sets_coefficients(actor: Actor, establishment: Establishment | None) -> bool:
    """The direction and the ENT administrator of the establishment weigh its subjects."""
    return establishment is not None and actor.holds_in(establishment.pk, ADMIN_ROLES)


@authz.permission("grades.view_gradebook", about=SchoolClass)
def views_gradebook(actor: Actor, school_class: SchoolClass) -> bool:
    """Teachers of the class (or of a group drawn from it), its head teacher, the direction, the region."""
    if actor.user_id is None:
        return False
    if actor.directs(school_class.establishment_id):
        return True
    if school_class.pk in actor.taught_class_ids or school_class.pk in actor.headed.class_ids:
        return True
    # the classes of the groups taught (one query, once per actor, only for teachers of groups)
    return bool(actor.taught_group_ids) and any(c == school_class.pk for c, _s in actor.taught_class_subjects)


@authz.permission("grades.view_class_averages", about=SchoolClass)
def views_class_averages(actor: Actor, school_class: SchoolClass) -> bool:
    """Every subject's averages and the overall averages of a class: the direction, the head teacher."""
    return actor.directs(school_class.establishment_id) or school_class.pk in actor.headed.class_ids


@authz.permission("grades.view_grid", about=Evaluation)
def views_grid(actor: Actor, evaluation: Evaluation) -> bool:
    """The marks' grid of an evaluation: the staff who see it (families read their own grades elsewhere)."""
    return EvaluationPolicy.sees(actor, evaluation, staff_only=True)


@authz.permission("grades.view_whole_audience", about=Evaluation)
def views_whole_audience(actor: Actor, evaluation: Evaluation) -> bool:
    """Every student of the grid; a head teacher reading a group drawn from several classes sees their own
    class's students only."""
    if not evaluation.group_id or evaluation.teacher_id == actor.user_id:
        return True
    return actor.directs(evaluation.establishment_id) or authz.allows(actor, Action.CHANGE, evaluation)


@authz.permission("grades.view_student", about=User)
def views_student(actor: Actor, student: User) -> bool:
    """A student's grades page in the active establishment (what it shows is scoped mark by mark): the
    student, their guardians, the direction, the region, their head teacher and teachers."""
    establishment_id = actor.establishment_id
    if actor.user_id is None or establishment_id is None:
        return False
    if student.pk in actor.legal_family_student_ids or actor.directs(establishment_id):
        return True
    return student.pk in actor.headed.student_ids or student.pk in actor.taught_student_ids


@authz.permission("grades.read_as_family", about=User)
def reads_as_family(actor: Actor, student: User) -> bool:
    """The student themself or a guardian: the published marks only."""
    return student.pk in actor.legal_family_student_ids


@authz.permission("grades.view_student_averages", about=User)
def views_student_averages(actor: Actor, student: User) -> bool:
    """Every subject's averages and the overall average of a student (a subject teacher sees their subjects'):
    the family, the direction of the active establishment, the region, the head teacher."""
    return (
        student.pk in actor.legal_family_student_ids
        or actor.directs(actor.establishment_id)
        or student.pk in actor.headed.student_ids
    )


@authz.permission("grades.assess", about=User)
def assesses(actor: Actor, student: User) -> bool:
    """A teacher positions the competencies of the students they teach."""
    return _assesses(actor, student.pk)
