"""Who reads, writes in and moderates each forum.

| forum | read and post | moderate (lock topics, hide posts) |
|---|---|---|
| class | the class's students and teachers; their parents when the forum is open to parents | its teachers |
| group | the group's students and teachers; their parents when open to parents | its teachers |
| establishment | every member of the establishment (students, parents, staff) | — |
| staff room | the establishment's staff | — |

The direction, the ENT administrators and the vie scolaire (CPE) of the establishment read, post in and
moderate all its forums; the regional administrator reads and moderates every forum. Nobody else sees
anything (charlie.roux, teacher elsewhere, sees none of the collège's forums). A locked topic takes new
posts from its moderators only. Topics and posts follow their forum; a subscription is its owner's.
Creating a class or group forum: its teachers and the managers above.
"""

from __future__ import annotations

from typing import Any

from django.db.models import Q, QuerySet

from cartable.core import authz
from cartable.core.authz import Action
from cartable.directory.actor import Actor, current
from cartable.directory.models import (
    MANAGER_ROLES,
    STAFF_ROLES,
    Enrolment,
    Establishment,
    GroupMembership,
    Guardianship,
    Role,
    TeachingAssignment,
)
from cartable.forums.models import Forum, Post, Subscription, Topic

Kind = Forum.Kind


def managed(actor: Actor) -> list[int]:
    """The establishments whose forums the actor manages (direction, ENT administrators, vie scolaire)."""
    return sorted(actor.establishments_where(MANAGER_ROLES))


def is_manager(actor: Actor, establishment_id: int | None) -> bool:
    return actor.is_regional_admin or actor.holds_in(establishment_id, MANAGER_ROLES)


@authz.permission("forums.manage", about=Establishment)
def manages(actor: Actor, establishment: Establishment | None) -> bool:
    """Whether the actor manages the establishment's forums: opens one for any class or group there."""
    return is_manager(actor, establishment.pk if establishment is not None else None)


@authz.permission("forums.open_forum", about=Establishment)
def can_open_forums(actor: Actor, establishment: Establishment | None) -> bool:
    """Whether the actor opens class or group forums there: its managers, and the teachers."""
    if establishment is None:
        return False
    if is_manager(actor, establishment.pk):
        return True
    return actor.holds_in(establishment.pk, (Role.TEACHER,)) and bool(actor.taught_class_ids or actor.taught_group_ids)


def _children(actor: Actor) -> QuerySet[Guardianship, dict[str, Any]]:
    children: QuerySet[Guardianship, dict[str, Any]] = Guardianship.objects.filter(guardian_id=actor.user_id).values(
        "student_id"
    )
    return children


def family_reach(actor: Actor) -> tuple[frozenset[int], frozenset[int]]:
    """The classes and groups a guardian's children attend now (loaded with the actor's children)."""
    if not actor.has_role(Role.GUARDIAN):
        return frozenset(), frozenset()
    return actor.children_class_ids, actor.children_group_ids


def teaches(actor: Actor, forum: Forum) -> bool:
    if forum.kind == Kind.CLASS:
        return forum.school_class_id in actor.taught_class_ids
    if forum.kind == Kind.GROUP:
        return forum.group_id in actor.taught_group_ids
    return False


@authz.permission("forums.moderate", about=Forum)
def can_moderate(actor: Actor, forum: Forum) -> bool:
    return is_manager(actor, forum.establishment_id) or teaches(actor, forum)


@authz.permission("forums.post", about=Forum)
def can_post(actor: Actor, forum: Forum) -> bool:
    """Members of the forum (see the module docstring); the region reads and moderates, but only posts
    where it also belongs."""
    eid = forum.establishment_id
    if actor.holds_in(eid, MANAGER_ROLES):
        return True
    match forum.kind:
        case Kind.ESTABLISHMENT:
            return bool(actor.roles_in(eid))
        case Kind.STAFF:
            return actor.holds_in(eid, STAFF_ROLES)
        case Kind.CLASS:
            if forum.school_class_id in actor.class_ids or teaches(actor, forum):
                return True
            return forum.open_to_parents and forum.school_class_id in family_reach(actor)[0]
        case Kind.GROUP:
            if forum.group_id in actor.group_ids or teaches(actor, forum):
                return True
            return forum.open_to_parents and forum.group_id in family_reach(actor)[1]
    return False


@authz.permission("forums.reply", about=Topic)
def can_reply(actor: Actor, topic: Topic) -> bool:
    """Members reply while the topic is open; its moderators always."""
    forum = topic.forum
    return can_post(actor, forum) and (not topic.is_locked or can_moderate(actor, forum))


def can_read(actor: Actor, forum: Forum) -> bool:
    return actor.is_regional_admin or can_post(actor, forum)


def can_create_forum(actor: Actor, forum: Forum) -> bool:
    """Class and group forums: their teachers and the managers; the two standing forums: the managers."""
    if forum.kind in (Kind.CLASS, Kind.GROUP):
        return is_manager(actor, forum.establishment_id) or teaches(actor, forum)
    return is_manager(actor, forum.establishment_id)


def forum_q(actor: Actor, prefix: str = "") -> Q:
    """The forums the actor reads, as a Q (subqueries, no query of its own)."""
    if actor.is_regional_admin:
        return Q()

    def f(**kw: Any) -> Q:
        return Q(**{f"{prefix}{k}": v for k, v in kw.items()})

    uid = actor.user_id
    staff = sorted(actor.establishments_where(STAFF_ROLES))
    attended = current(Enrolment.objects.filter(student_id=uid)).values("school_class_id")
    in_groups = current(GroupMembership.objects.filter(student_id=uid)).values("group_id")
    taught = current(TeachingAssignment.objects.filter(teacher_id=uid))
    family_classes = current(Enrolment.objects.filter(student_id__in=_children(actor))).values("school_class_id")
    family_groups = current(GroupMembership.objects.filter(student_id__in=_children(actor))).values("group_id")
    return (
        f(establishment_id__in=managed(actor))
        | f(kind=Kind.ESTABLISHMENT, establishment_id__in=sorted(actor.establishment_ids))
        | f(kind=Kind.STAFF, establishment_id__in=staff)
        | f(kind=Kind.CLASS, school_class_id__in=attended)
        | f(kind=Kind.CLASS, school_class_id__in=taught.filter(school_class__isnull=False).values("school_class_id"))
        | f(kind=Kind.CLASS, open_to_parents=True, school_class_id__in=family_classes)
        | f(kind=Kind.GROUP, group_id__in=in_groups)
        | f(kind=Kind.GROUP, group_id__in=taught.filter(group__isnull=False).values("group_id"))
        | f(kind=Kind.GROUP, open_to_parents=True, group_id__in=family_groups)
    )


@authz.register(Forum)
class ForumPolicy(authz.Policy[Forum]):
    def allows(self, actor: Actor, action: Action | str, obj: Forum) -> bool:
        if action == Action.VIEW:
            return can_read(actor, obj)
        if action == Action.CREATE:
            return can_create_forum(actor, obj)
        if action in (Action.CHANGE, Action.MANAGE):
            return can_moderate(actor, obj)
        return False

    def scope(self, actor: Actor, queryset: QuerySet[Forum]) -> QuerySet[Forum]:
        return queryset.filter(forum_q(actor))


@authz.register(Topic)
class TopicPolicy(authz.Policy[Topic]):
    """A topic: read with its forum, opened by who posts there, locked by the forum's moderators."""

    def allows(self, actor: Actor, action: Action | str, obj: Topic) -> bool:
        forum = obj.forum
        if action == Action.VIEW:
            return can_read(actor, forum)
        if action == Action.CREATE:
            return can_post(actor, forum)
        if action in (Action.CHANGE, Action.MANAGE):
            return can_moderate(actor, forum)
        return False

    def scope(self, actor: Actor, queryset: QuerySet[Topic]) -> QuerySet[Topic]:
        return queryset.filter(forum_q(actor, "forum__"))


@authz.register(Post)
class PostPolicy(authz.Policy[Post]):
    """A post: read with its forum; written by members while the topic is open (moderators always);
    hidden or shown again by the moderators."""

    def allows(self, actor: Actor, action: Action | str, obj: Post) -> bool:
        topic = obj.topic
        forum = topic.forum
        if action == Action.VIEW:
            return can_read(actor, forum)
        if action == Action.CREATE:
            return can_post(actor, forum) and (not topic.is_locked or can_moderate(actor, forum))
        if action in (Action.CHANGE, Action.MANAGE):
            return can_moderate(actor, forum)
        return False

    def scope(self, actor: Actor, queryset: QuerySet[Post]) -> QuerySet[Post]:
        return queryset.filter(forum_q(actor, "topic__forum__"))


@authz.register(Subscription)
class SubscriptionPolicy(authz.Policy[Subscription]):
    """A subscription is its owner's, to a forum they read."""

    def allows(self, actor: Actor, action: Action | str, obj: Subscription) -> bool:
        if obj.user_id != actor.user_id:
            return False
        if action in (Action.VIEW, Action.DELETE):
            return True
        if action == Action.CREATE:
            forum = obj.forum if obj.forum_id else (obj.topic.forum if obj.topic is not None else None)
            return forum is not None and can_read(actor, forum)
        return False

    def scope(self, actor: Actor, queryset: QuerySet[Subscription]) -> QuerySet[Subscription]:
        if actor.user_id is None:
            return queryset.none()
        return queryset.filter(user_id=actor.user_id)
