"""Who sees a submission, its files and its feedback, and who writes them.

A submission is seen by its student, the student's guardians, the homework's teacher (the teacher of its
assignment, or its author), the direction of the establishment and the regional administrator; nobody
else — not the class's other teachers, not the vie scolaire, not the other students and parents.
The student changes it (the deadline rules are the action's); the homework's teacher returns feedback.

Rules run in memory on a submission whose ``homework__assignment`` is loaded.
"""

from __future__ import annotations

from typing import Any

from django.db.models import Q, QuerySet

from cartable.core import authz
from cartable.core.authz import Action
from cartable.directory.actor import Actor
from cartable.homework.models import Feedback, Homework, Submission, SubmissionFile


def is_homework_teacher(actor: Actor, homework: Homework) -> bool:
    """The teacher of the homework's assignment, or its author."""
    return actor.user_id is not None and actor.user_id in (homework.assignment.teacher_id, homework.author_id)


def is_targeted_student(actor: Actor, homework: Homework) -> bool:
    """Whether the actor attends the class or group the homework is set for (its assignment loaded)."""
    assignment = homework.assignment
    return assignment.school_class_id in actor.class_ids or assignment.group_id in actor.group_ids


def sees_all(actor: Actor, homework: Homework) -> bool:
    """The teacher of the homework, its direction and the region see every submission of it."""
    return (
        is_homework_teacher(actor, homework)
        or actor.is_regional_admin
        or homework.establishment_id in actor.direction_ids
    )


@authz.permission("homework.see_all_submissions", about=Homework)
def sees_all_submissions(actor: Actor, homework: Homework) -> bool:
    """The class's list of submissions of a homework (and their zip): see :func:`sees_all`."""
    return sees_all(actor, homework)


@authz.permission("homework.review_submissions", about=Homework)
def reviews_submissions(actor: Actor, homework: Homework) -> bool:
    """Whoever sees every submission of a homework without being one of its students is sent to the list."""
    return sees_all(actor, homework) and not is_targeted_student(actor, homework)


@authz.permission("homework.give_feedback", about=Homework)
def gives_feedback(actor: Actor, homework: Homework) -> bool:
    """The homework's teacher returns feedback on its submissions."""
    return is_homework_teacher(actor, homework)


def _direction_of(actor: Actor) -> list[int]:
    return sorted(actor.direction_ids)


def can_view(actor: Actor, submission: Submission) -> bool:
    """In memory: whether the actor sees this submission."""
    if actor.is_regional_admin or submission.student_id == actor.user_id:
        return True
    if submission.student_id in actor.children_ids:
        return True
    if submission.establishment_id in actor.direction_ids:
        return True
    return is_homework_teacher(actor, submission.homework)


def visible_q(actor: Actor, prefix: str = "") -> Q:
    """The submissions (reached through ``prefix``) the actor sees, as a Q."""
    if actor.is_regional_admin:
        return Q()
    return (
        Q(**{f"{prefix}student_id": actor.user_id})
        | Q(**{f"{prefix}student_id__in": list(actor.children_ids)})
        | Q(**{f"{prefix}establishment_id__in": _direction_of(actor)})
        | Q(**{f"{prefix}homework__assignment__teacher_id": actor.user_id})
        | Q(**{f"{prefix}homework__author_id": actor.user_id})
    )


@authz.register(Submission)
class SubmissionPolicy(authz.Policy[Any]):
    """See the module docstring: the student changes it; the others listed only see it."""

    def allows(self, actor: Actor, action: Action | str, obj: Any) -> bool:
        if action == Action.VIEW:
            return can_view(actor, obj)
        if action == Action.CHANGE:
            return bool(obj.student_id == actor.user_id)
        return False

    def scope(self, actor: Actor, queryset: QuerySet[Any]) -> QuerySet[Any]:
        return queryset.filter(visible_q(actor))


@authz.register(SubmissionFile)
class SubmissionFilePolicy(authz.Policy[Any]):
    """A handed-in file follows its submission (seen only, never changed in place)."""

    def allows(self, actor: Actor, action: Action | str, obj: Any) -> bool:
        return action == Action.VIEW and can_view(actor, obj.submission)

    def scope(self, actor: Actor, queryset: QuerySet[Any]) -> QuerySet[Any]:
        return queryset.filter(visible_q(actor, "submission__"))


@authz.register(Feedback)
class FeedbackPolicy(authz.Policy[Any]):
    """Feedback is seen by who sees its submission and written by the homework's teacher."""

    def allows(self, actor: Actor, action: Action | str, obj: Any) -> bool:
        if action == Action.VIEW:
            return can_view(actor, obj.submission)
        if action in (Action.CREATE, Action.CHANGE):
            return is_homework_teacher(actor, obj.submission.homework)
        return False

    def scope(self, actor: Actor, queryset: QuerySet[Any]) -> QuerySet[Any]:
        return queryset.filter(visible_q(actor, "submission__"))
