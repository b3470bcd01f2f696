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

from django.db.models import Q

from cartable.core import authz
from cartable.core.authz import Action
from cartable.directory.actor import current
from cartable.directory.models import Enrolment, GroupMembership, Guardianship, Role, TeachingAssignment
from cartable.forums.models import Forum, Post, Subscription, Topic

Kind = Forum.Kind
MANAGER_ROLES = frozenset({Role.DIRECTION, Role.ESTABLISHMENT_ADMIN, Role.EDUCATION})


def managed(actor) -> list[int]:
    return sorted(e for e in actor.establishment_ids if actor.roles_in(e) & MANAGER_ROLES)


def is_manager(actor, establishment_id: int) -> bool:
    return actor.is_regional_admin or bool(actor.roles_in(establishment_id) & MANAGER_ROLES)


def _children(actor):
    return Guardianship.objects.filter(guardian_id=actor.user_id).values("student_id")


def family_reach(actor) -> tuple[frozenset[int], frozenset[int]]:
    """The classes and groups a guardian's children attend now (loaded with the actor's children)."""
    if not actor.has_role(Role.GUARDIAN):
        return frozenset(), frozenset()
    return actor.children_class_ids, actor.children_group_ids


def teaches(actor, forum: Forum) -> bool:
    if forum.kind == Kind.CLASS:
        return forum.school_class_id in actor.taught_class_ids
    if forum.kind == Kind.GROUP:
        return forum.group_id in actor.taught_group_ids
    return False


def can_moderate(actor, forum: Forum) -> bool:
    return is_manager(actor, forum.establishment_id) or teaches(actor, forum)


def can_post(actor, forum: Forum) -> bool:
    """Members of the forum (see the module docstring); the region reads and moderates, but only posts
    where it also belongs."""
    eid = forum.establishment_id
    roles = actor.roles_in(eid)
    if roles & MANAGER_ROLES:
        return True
    match forum.kind:
        case Kind.ESTABLISHMENT:
            return bool(roles)
        case Kind.STAFF:
            return actor.is_staff_of(eid)
        case Kind.CLASS:
            if forum.school_class_id in actor.class_ids or teaches(actor, forum):
                return True
            return forum.open_to_parents and forum.school_class_id in family_reach(actor)[0]
        case Kind.GROUP:
            if forum.group_id in actor.group_ids or teaches(actor, forum):
                return True
            return forum.open_to_parents and forum.group_id in family_reach(actor)[1]
    return False


def can_read(actor, forum: Forum) -> bool:
    return actor.is_regional_admin or can_post(actor, forum)


def can_create_forum(actor, forum: Forum) -> bool:
    """Class and group forums: their teachers and the managers; the two standing forums: the managers."""
    if forum.kind in (Kind.CLASS, Kind.GROUP):
        return is_manager(actor, forum.establishment_id) or teaches(actor, forum)
    return is_manager(actor, forum.establishment_id)


def forum_q(actor, prefix: str = "") -> Q:
    """The forums the actor reads, as a Q (subqueries, no query of its own)."""
    if actor.is_regional_admin:
        return Q()

    def f(**kw) -> Q:
        return Q(**{f"{prefix}{k}": v for k, v in kw.items()})

    uid = actor.user_id
    staff = sorted(e for e in actor.establishment_ids if actor.is_staff_of(e))
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
class ForumPolicy(authz.Policy):
    def allows(self, actor, action, obj):
        if action == Action.VIEW:
            return can_read(actor, obj)
        if action == Action.CREATE:
            return can_create_forum(actor, obj)
        if action in (Action.CHANGE, Action.MANAGE):
            return can_moderate(actor, obj)
        return False

    def scope(self, actor, queryset):
        return queryset.filter(forum_q(actor))


@authz.register(Topic)
class TopicPolicy(authz.Policy):
    """A topic: read with its forum, opened by who posts there, locked by the forum's moderators."""

    def allows(self, actor, action, obj):
        forum = obj.forum
        if action == Action.VIEW:
            return can_read(actor, forum)
        if action == Action.CREATE:
            return can_post(actor, forum)
        if action in (Action.CHANGE, Action.MANAGE):
            return can_moderate(actor, forum)
        return False

    def scope(self, actor, queryset):
        return queryset.filter(forum_q(actor, "forum__"))


@authz.register(Post)
class PostPolicy(authz.Policy):
    """A post: read with its forum; written by members while the topic is open (moderators always);
    hidden or shown again by the moderators."""

    def allows(self, actor, action, obj):
        topic = obj.topic
        forum = topic.forum
        if action == Action.VIEW:
            return can_read(actor, forum)
        if action == Action.CREATE:
            return can_post(actor, forum) and (not topic.is_locked or can_moderate(actor, forum))
        if action in (Action.CHANGE, Action.MANAGE):
            return can_moderate(actor, forum)
        return False

    def scope(self, actor, queryset):
        return queryset.filter(forum_q(actor, "topic__forum__"))


@authz.register(Subscription)
class SubscriptionPolicy(authz.Policy):
    """A subscription is its owner's, to a forum they read."""

    def allows(self, actor, action, obj):
        if obj.user_id != actor.user_id:
            return False
        if action in (Action.VIEW, Action.DELETE):
            return True
        if action == Action.CREATE:
            forum = obj.forum if obj.forum_id else obj.topic.forum
            return can_read(actor, forum)
        return False

    def scope(self, actor, queryset):
        return queryset.filter(user_id=actor.user_id)
