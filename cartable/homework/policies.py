"""Who may see and change the homework log's rows: log entries, homework, their files and links, ticks.

A class's log (its entries and homework, those of the groups drawn from it included) is visible to:

* its students (a group's entries to the group's students), and their guardians — once published;
* any teacher of the class (directly or through one of its groups) and the vie scolaire — once published;
* the direction of the establishment and the regional administrator — always, drafts included;
* the author (the teacher of the assignment) — always; only the author changes or deletes them.

``HomeworkDone`` (a tick) is the student's own: they see and change it, their guardians see it.

Everything a rule needs is loaded once per actor (see :func:`teaching_reach` and :func:`family_reach`),
so ``allows`` runs in memory and ``scope`` adds no query of its own beyond those.
"""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any

from django.db.models import Q, QuerySet
from django.utils import timezone

from cartable.core import authz
from cartable.core.authz import Action
from cartable.directory.actor import Actor
from cartable.directory.models import FAMILY_ROLES, SCHOOL_LIFE_ROLES, STAFF_ROLES, Group, Role, SchoolClass
from cartable.homework.models import Attachment, Homework, HomeworkDone, Link, LogEntry


def teaching_reach(actor: Actor) -> tuple[frozenset[int], frozenset[int]]:
    """The classes and groups whose log a teacher sees (see ``Actor.teaching_reach``)."""
    reach: tuple[frozenset[int], frozenset[int]] = actor.teaching_reach
    return reach


def family_reach(actor: Actor) -> dict[int, tuple[frozenset[int], frozenset[int]]]:
    """For each of a guardian's children: the classes and groups they attend now (loaded with the
    actor's children; none when the person has no child)."""
    return actor.children_places


def _audience_q(class_ids: Iterable[int], group_ids: Iterable[int], prefix: str) -> Q:
    return Q(**{f"{prefix}assignment__school_class_id__in": list(class_ids)}) | Q(
        **{f"{prefix}assignment__group_id__in": list(group_ids)}
    )


def _readers(actor: Actor) -> tuple[set[int], set[int]]:
    """Classes and groups whose *published* log the actor reads as student, guardian or teacher."""
    class_ids, group_ids = set(actor.class_ids), set(actor.group_ids)
    taught_classes, taught_groups = teaching_reach(actor)
    class_ids |= taught_classes
    group_ids |= taught_groups
    for child_classes, child_groups in family_reach(actor).values():
        class_ids |= child_classes
        group_ids |= child_groups
    return class_ids, group_ids


def _school_life_of(actor: Actor) -> list[int]:
    return sorted(actor.establishments_where(SCHOOL_LIFE_ROLES))


def _direction_of(actor: Actor) -> list[int]:
    return sorted(actor.direction_ids)


def visible_q(actor: Actor, prefix: str = "") -> Q:
    """The rows (log entries or homework, reached through ``prefix``) the actor may see, as a Q."""
    if actor.is_regional_admin:
        return Q()
    class_ids, group_ids = _readers(actor)
    published = Q(**{f"{prefix}published_at__lte": timezone.now()})
    return (
        Q(**{f"{prefix}author_id": actor.user_id})
        | Q(**{f"{prefix}establishment_id__in": _direction_of(actor)})
        | (published & Q(**{f"{prefix}establishment_id__in": _school_life_of(actor)}))
        | (published & _audience_q(class_ids, group_ids, prefix))
    )


def can_read_log(
    actor: Actor, establishment_id: int, *, class_id: int | None = None, group_id: int | None = None
) -> bool:
    """Whether the actor reads the log of this class or group at all (what they see in it is scoped)."""
    if actor.is_regional_admin or actor.holds_in(establishment_id, SCHOOL_LIFE_ROLES):
        return True
    class_ids, group_ids = _readers(actor)
    return (class_id is not None and class_id in class_ids) or (group_id is not None and group_id in group_ids)


def can_view(actor: Actor, obj: LogEntry | Homework) -> bool:
    """In memory: whether the actor sees this log entry or homework (its assignment loaded)."""
    if actor.is_regional_admin or obj.author_id == actor.user_id:
        return True
    if obj.establishment_id in actor.direction_ids:
        return True
    if obj.published_at > timezone.now():
        return False
    if actor.holds_in(obj.establishment_id, (Role.EDUCATION,)):
        return True
    class_ids, group_ids = _readers(actor)
    assignment = obj.assignment
    return assignment.school_class_id in class_ids or assignment.group_id in group_ids


def can_change(actor: Actor, obj: LogEntry | Homework) -> bool:
    """The author changes their entries and homework, provided they still teach the assignment's class
    or group."""
    if obj.author_id != actor.user_id:
        return False
    assignment = obj.assignment
    return assignment.teacher_id == actor.user_id and (
        assignment.school_class_id in actor.taught_class_ids or assignment.group_id in actor.taught_group_ids
    )


# --- named permissions: the pages of the log that are not rows --------------------------------------------
@authz.permission("homework.write_log", about=None)
def writes_log(actor: Actor, _obj: None) -> bool:
    """The teacher's pages (their week, entries, homework forms): whoever acts as a teacher."""
    return actor.role == Role.TEACHER


@authz.permission("homework.follow_todo", about=None)
def follows_todo(actor: Actor, _obj: None) -> bool:
    """ "Travail à faire": students and guardians, acting as such."""
    return actor.role in FAMILY_ROLES


@authz.permission("homework.tick_done", about=None)
def ticks_done(actor: Actor, _obj: None) -> bool:
    """A student ticks their own homework done (which homework: the action checks it)."""
    return actor.role == Role.STUDENT


@authz.permission("homework.hand_in", about=None)
def hands_in(actor: Actor, _obj: None) -> bool:
    """A student hands in their own work online (« Déposer »; which homework: the submission's policy)."""
    return actor.role == Role.STUDENT


@authz.permission("homework.follow_children", about=None)
def follows_children(actor: Actor, _obj: None) -> bool:
    """A guardian follows their children's work (one child at a time or all merged)."""
    return actor.role == Role.GUARDIAN


@authz.permission("homework.view_student_week", about=None)
def views_student_week(actor: Actor, _obj: None) -> bool:
    """ "Ma semaine": a student's own week, or a guardian's active child's."""
    return actor.role == Role.STUDENT or (actor.role == Role.GUARDIAN and actor.child is not None)


@authz.permission("homework.view_workload", about=None)
def views_workload(actor: Actor, _obj: None) -> bool:
    """The workload pages: families, teachers, and the staff of the active establishment."""
    return actor.role in (Role.STUDENT, Role.GUARDIAN, Role.TEACHER) or (
        actor.establishment_id is not None and actor.holds_in(actor.establishment_id, STAFF_ROLES)
    )


@authz.permission("homework.view_week_widget", about=None)
def views_week_widget(actor: Actor, _obj: None) -> bool:
    """The dashboard's "Ma charge des prochains jours": students and guardians."""
    return actor.role in FAMILY_ROLES


@authz.permission("homework.read_class_log", about=SchoolClass)
def reads_class_log(actor: Actor, school_class: SchoolClass) -> bool:
    """A class's log page (what it shows is scoped by the rows' policies)."""
    return can_read_log(actor, school_class.establishment_id, class_id=school_class.pk)


@authz.permission("homework.read_group_log", about=Group)
def reads_group_log(actor: Actor, group: Group) -> bool:
    """A group's log page (what it shows is scoped by the rows' policies)."""
    return can_read_log(actor, group.establishment_id, group_id=group.pk)


class _LogPolicy(authz.Policy[Any]):
    def allows(self, actor: Actor, action: Action | str, obj: Any) -> bool:
        if action == Action.VIEW:
            return can_view(actor, obj)
        if action in (Action.CREATE, Action.CHANGE, Action.DELETE):
            return can_change(actor, obj)
        return False

    def scope(self, actor: Actor, queryset: QuerySet[Any]) -> QuerySet[Any]:
        return queryset.filter(visible_q(actor))


@authz.register(LogEntry)
class LogEntryPolicy(_LogPolicy):
    """A class's log entries: see the module docstring."""


@authz.register(Homework)
class HomeworkPolicy(_LogPolicy):
    """Homework: as the log entries (see the module docstring)."""


class _ChildPolicy(authz.Policy[Any]):
    """A file or link follows its log entry or homework: seen by who sees it, changed by who changes it."""

    def _parent(self, obj: Attachment | Link) -> LogEntry | Homework:
        parent = obj.log_entry if obj.log_entry_id else obj.homework
        assert parent is not None  # a file or link belongs to an entry or to homework
        return parent

    def allows(self, actor: Actor, action: Action | str, obj: Any) -> bool:
        parent = self._parent(obj)
        if action == Action.VIEW:
            return can_view(actor, parent)
        if action in (Action.CHANGE, Action.DELETE):
            return can_change(actor, parent)
        return False

    def scope(self, actor: Actor, queryset: QuerySet[Any]) -> QuerySet[Any]:
        return queryset.filter(
            (Q(log_entry__isnull=False) & visible_q(actor, "log_entry__"))
            | (Q(homework__isnull=False) & visible_q(actor, "homework__"))
        )


@authz.register(Attachment)
class AttachmentPolicy(_ChildPolicy):
    pass


@authz.register(Link)
class LinkPolicy(_ChildPolicy):
    pass


@authz.register(HomeworkDone)
class HomeworkDonePolicy(authz.Policy[Any]):
    """A tick is the student's: they see and change it; their guardians see it."""

    def allows(self, actor: Actor, action: Action | str, obj: Any) -> bool:
        if obj.student_id == actor.user_id:
            return action in (Action.VIEW, Action.CREATE, Action.DELETE, Action.CHANGE)
        return action == Action.VIEW and obj.student_id in actor.children_ids

    def scope(self, actor: Actor, queryset: QuerySet[Any]) -> QuerySet[Any]:
        return queryset.filter(Q(student_id=actor.user_id) | Q(student_id__in=list(actor.children_ids)))


from cartable.homework.submissions import policies as submission_policies  # noqa: E402,F401  (registers them)
