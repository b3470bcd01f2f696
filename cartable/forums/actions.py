"""Writes of the forums: forums, topics, posts, moderation (lock, hide with a trace) and subscriptions.

Each one is atomic and audited; a new post notifies the subscribers of its topic and forum in one bulk
``notify`` inside the same transaction.
"""

from __future__ import annotations

from django.core.exceptions import PermissionDenied
from django.db import IntegrityError, transaction
from django.db import models as django_models
from django.db.models import F, Q
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _

from cartable.core import audit, authz, erasure, richtext
from cartable.core.authz import Action
from cartable.core.notify import notify
from cartable.directory.actor import Actor, current
from cartable.directory.models import (
    MANAGER_ROLES,
    STAFF_ROLES,
    Enrolment,
    Group,
    GroupMembership,
    Guardianship,
    Membership,
    Role,
    SchoolClass,
    TeachingAssignment,
    User,
)
from cartable.forums.models import STANDING, Forum, Post, Subscription, Topic

Kind = Forum.Kind
NOTIFY_KIND = "forums.post"


def _require_text(text: str) -> None:
    if not richtext.to_text(text).strip():
        raise ValueError(_("Écrivez un message."))


# --- forums ------------------------------------------------------------------------------------------
@transaction.atomic
def create_forum(
    *,
    actor: Actor,
    kind: str,
    title: str,
    description: str = "",
    school_class: SchoolClass | None = None,
    group: Group | None = None,
    open_to_parents: bool = False,
) -> Forum:
    """Create a class or group forum (its teachers or the establishment's managers)."""
    if kind not in (Kind.CLASS, Kind.GROUP):
        raise PermissionDenied
    target = school_class if kind == Kind.CLASS else group
    if target is None:
        raise PermissionDenied
    forum = Forum(
        establishment_id=target.establishment_id,
        kind=kind,
        school_class=school_class if kind == Kind.CLASS else None,
        group=group if kind == Kind.GROUP else None,
        title=title.strip(),
        description=description.strip(),
        open_to_parents=open_to_parents,
        created_by_id=actor.user_id,
    )
    authz.require(actor, Action.CREATE, forum)
    forum.save()
    audit.record(
        actor=actor,
        verb="forums.create_forum",
        target=forum,
        establishment_id=forum.establishment_id,
        after={"kind": kind, "title": forum.title, "target": target.pk, "open_to_parents": open_to_parents},
    )
    return forum


@transaction.atomic
def ensure_standing_forums(*, actor: Actor | None, establishment_id: int) -> list[Forum]:
    """Create the establishment forum and the staff room of an establishment when they are missing."""
    existing = set(
        Forum.objects.filter(establishment_id=establishment_id, kind__in=[k for k, _t in STANDING]).values_list(
            "kind", flat=True
        )
    )
    made = []
    for kind, title in STANDING:
        if kind in existing:
            continue
        try:
            with transaction.atomic():
                forum = Forum.objects.create(establishment_id=establishment_id, kind=kind, title=title)
        except IntegrityError:  # made at the same time by another request
            continue
        audit.record(
            actor=actor,
            verb="forums.create_forum",
            target=forum,
            establishment_id=establishment_id,
            after={"kind": kind},
        )
        made.append(forum)
    return made


# --- topics and posts ----------------------------------------------------------------------------------
@transaction.atomic
def start_topic(*, actor: Actor, forum: Forum, title: str, body: str) -> Topic:
    """Open a topic with its first post; the author follows it; the forum's subscribers are notified."""
    now = timezone.now()
    topic = Topic(
        establishment_id=forum.establishment_id,
        forum=forum,
        title=title.strip(),
        author_id=actor.user_id,
        last_post_at=now,
        post_count=0,
    )
    authz.require(actor, Action.CREATE, topic)
    clean = richtext.sanitize(body)
    _require_text(clean)
    topic.save()
    Subscription.objects.get_or_create(
        user_id=actor.user_id, topic=topic, defaults={"establishment_id": forum.establishment_id}
    )
    audit.record(
        actor=actor,
        verb="forums.start_topic",
        target=topic,
        establishment_id=forum.establishment_id,
        after={"title": topic.title},
    )
    _add_post(actor=actor, topic=topic, body=clean, new_topic=True)
    return topic


@transaction.atomic
def reply(*, actor: Actor, topic: Topic, body: str) -> Post:
    """Add a post to a topic (a locked topic takes its moderators' posts only)."""
    locked = Topic.objects.select_for_update().select_related("forum").get(pk=topic.pk)
    authz.require(actor, Action.CREATE, Post(topic=locked, establishment_id=locked.establishment_id))
    clean = richtext.sanitize(body)
    _require_text(clean)
    return _add_post(actor=actor, topic=locked, body=clean, new_topic=False)


def _add_post(*, actor: Actor, topic: Topic, body: str, new_topic: bool) -> Post:
    post = Post.objects.create(establishment_id=topic.establishment_id, topic=topic, author_id=actor.user_id, body=body)
    Topic.objects.filter(pk=topic.pk).update(post_count=F("post_count") + 1, last_post_at=post.created_at)
    audit.record(
        actor=actor,
        verb="forums.post",
        target=post,
        establishment_id=topic.establishment_id,
        after={"topic": topic.pk, "length": len(body)},
    )
    _notify_subscribers(actor=actor, topic=topic, post=post, new_topic=new_topic)
    return post


def _notify_subscribers(*, actor: Actor, topic: Topic, post: Post, new_topic: bool) -> None:
    """One bulk notify to the subscribers of the topic and of its forum who still belong to the forum."""
    forum = topic.forum
    subscribers = set(
        Subscription.objects.filter(establishment_id=topic.establishment_id)
        .filter(models_q_topic_or_forum(topic))
        .values_list("user_id", flat=True)
    )
    subscribers.discard(actor.user_id)
    if not subscribers:
        return
    recipients = sorted(subscribers & member_ids(forum, among=subscribers))
    if new_topic:
        title = _("Nouveau sujet dans %(forum)s : %(topic)s") % {"forum": forum.title, "topic": topic.title}
    else:
        title = _("Nouveau message dans « %(topic)s »") % {"topic": topic.title}
    notify(
        recipients=recipients,
        kind=NOTIFY_KIND,
        title=title,
        body=richtext.to_text(post.body)[:300],
        url=reverse("forums:topic", args=[topic.pk]) + f"#message-{post.pk}",
        target=post,
        establishment_id=topic.establishment_id,
    )


def models_q_topic_or_forum(topic: Topic) -> Q:
    from django.db.models import Q

    return Q(topic_id=topic.pk) | Q(forum_id=topic.forum_id)


def member_ids(forum: Forum, *, among: set[int]) -> set[int]:
    """Which of ``among`` read the forum now (one or two queries): people who left a class stop receiving."""
    eid = forum.establishment_id
    members = current(Membership.objects.filter(establishment_id=eid, person_id__in=among))
    rows = list(members.values_list("person_id", "role"))
    managers = {p for p, r in rows if r in MANAGER_ROLES}
    regional = set(
        current(Membership.objects.filter(person_id__in=among, role=Role.REGIONAL_ADMIN)).values_list(
            "person_id", flat=True
        )
    )
    if forum.kind == Kind.ESTABLISHMENT:
        return {p for p, _r in rows} | regional
    if forum.kind == Kind.STAFF:
        return {p for p, r in rows if r in STAFF_ROLES} | regional
    if forum.kind == Kind.CLASS:
        students = current(Enrolment.objects.filter(school_class_id=forum.school_class_id)).values_list(
            "student_id", flat=True
        )
        teachers = current(TeachingAssignment.objects.filter(school_class_id=forum.school_class_id)).values_list(
            "teacher_id", flat=True
        )
    else:
        students = current(GroupMembership.objects.filter(group_id=forum.group_id)).values_list("student_id", flat=True)
        teachers = current(TeachingAssignment.objects.filter(group_id=forum.group_id)).values_list(
            "teacher_id", flat=True
        )
    pupils = set(students)
    found = pupils | set(teachers) | managers | regional
    if forum.open_to_parents:
        found |= set(Guardianship.objects.filter(student_id__in=pupils).values_list("guardian_id", flat=True))
    return found


# --- moderation ------------------------------------------------------------------------------------------
@transaction.atomic
def lock_topic(*, actor: Actor, topic: Topic, locked: bool = True) -> Topic:
    """Lock a topic (only moderators post in it then) or open it again."""
    authz.require(actor, Action.CHANGE, topic)
    row = Topic.objects.select_for_update().get(pk=topic.pk)
    before = {"locked": row.is_locked}
    if locked and not row.is_locked:
        row.locked_at, row.locked_by_id = timezone.now(), actor.user_id
    elif not locked:
        row.locked_at, row.locked_by_id = None, None
    row.save(update_fields=["locked_at", "locked_by"])
    audit.record(
        actor=actor,
        verb="forums.lock_topic" if locked else "forums.unlock_topic",
        target=row,
        establishment_id=row.establishment_id,
        before=before,
        after={"locked": row.is_locked},
    )
    return row


@transaction.atomic
def hide_post(*, actor: Actor, post: Post, hidden: bool = True) -> Post:
    """Hide a post with a trace (who, when; moderators still read it), or show it again."""
    authz.require(actor, Action.CHANGE, post)
    row = Post.objects.select_for_update().get(pk=post.pk)
    before = {"hidden_at": row.hidden_at.isoformat() if row.hidden_at else None, "hidden_by": row.hidden_by_id}
    if hidden and not row.is_hidden:
        row.hidden_at, row.hidden_by_id = timezone.now(), actor.user_id
    elif not hidden:
        row.hidden_at, row.hidden_by_id = None, None
    row.save(update_fields=["hidden_at", "hidden_by"])
    audit.record(
        actor=actor,
        verb="forums.hide_post" if hidden else "forums.show_post",
        target=row,
        subject_id=row.author_id,
        establishment_id=row.establishment_id,
        before=before,
        after={"hidden_at": row.hidden_at.isoformat() if row.hidden_at else None, "hidden_by": row.hidden_by_id},
    )
    return row


# --- subscriptions ---------------------------------------------------------------------------------------
@transaction.atomic
def subscribe(*, actor: Actor, forum: Forum | None = None, topic: Topic | None = None, on: bool = True) -> bool:
    """Follow (or stop following) a forum or a topic; returns whether the actor now follows it."""
    if (forum is None) == (topic is None):
        raise ValueError("a forum or a topic")
    if actor.user_id is None:
        raise PermissionDenied
    eid = forum.establishment_id if forum is not None else topic.establishment_id  # type: ignore[union-attr]
    row = Subscription(user_id=actor.user_id, forum=forum, topic=topic, establishment_id=eid)
    lookup = {"forum": forum} if forum else {"topic": topic}
    if on:
        authz.require(actor, Action.CREATE, row)
        _sub, created = Subscription.objects.get_or_create(
            user_id=actor.user_id, defaults={"establishment_id": eid}, **lookup
        )
        if created:
            audit.record(actor=actor, verb="forums.subscribe", target=forum or topic, establishment_id=eid)
        return True
    deleted, _n = Subscription.objects.filter(user_id=actor.user_id, **lookup).delete()
    if deleted:
        audit.record(actor=actor, verb="forums.unsubscribe", target=forum or topic, establishment_id=eid)
    return False


# --- erasure of a person's data (named by the data providers in hooks.py) -------------------------------
# Imports here rather than at the top, so that this block merges as one piece.


ERASURE: dict[type[django_models.Model], erasure.Rule] = {
    Forum: erasure.unlink("created_by"),
    Topic: erasure.unlink("author", "locked_by"),
    Post: erasure.each(erasure.delete("author"), erasure.unlink("hidden_by")),
    Subscription: erasure.delete("user"),
}


@transaction.atomic
def erase_personal_data(*, user: User, model: type[django_models.Model], actor: Actor | None = None) -> int:
    """Erase or anonymise what ``model`` holds on ``user`` (its rule above), audited; returns the rows changed."""
    return erasure.erase(app="forums", rules=ERASURE, user=user, model=model, actor=actor)
