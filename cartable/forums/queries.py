"""Reads of the forums, scoped to the actor, in a fixed number of queries."""

from __future__ import annotations

from django.db.models import Count, Q, QuerySet

from cartable.core import authz
from cartable.core.authz import Action
from cartable.directory.actor import Actor
from cartable.forums.models import STANDING, Forum, Post, Subscription, Topic

TOPICS_SHOWN = 100


def forums_for(actor: Actor) -> list[Forum]:
    """The forums the actor reads, with their class or group and their number of topics (one query)."""
    return list(
        Forum.objects.visible_to(actor)
        .select_related("establishment", "school_class", "group")
        .annotate(topic_total=Count("topics"))
        .order_by("establishment__name", "kind", "title", "id")
    )


def standing_forums(establishment_id: int) -> dict[str, Forum]:
    """The establishment's standing forums (its forum and its staff room), by kind."""
    kinds = [kind for kind, _title in STANDING]
    return {f.kind: f for f in Forum.objects.filter(establishment_id=establishment_id, kind__in=kinds)}


def forum_queryset() -> QuerySet[Forum]:
    return Forum.objects.select_related("establishment", "school_class", "group")


def topic_queryset() -> QuerySet[Topic]:
    return Topic.objects.select_related("forum", "forum__school_class", "forum__group", "locked_by")


def post_queryset() -> QuerySet[Post]:
    return Post.objects.select_related("topic__forum", "author")


def topics_of(forum: Forum) -> list[Topic]:
    """A forum's topics, the latest activity first, with their authors (one query)."""
    return list(forum.topics.select_related("author", "locked_by").order_by("-last_post_at", "-id")[:TOPICS_SHOWN])


def posts_of(topic: Topic) -> list[Post]:
    """A topic's posts in order, with their authors and who hid them (one query)."""
    return list(topic.posts.select_related("author", "hidden_by").order_by("created_at", "id"))


def follows(actor: Actor, *, forum: Forum, topic: Topic | None = None) -> dict[str, bool]:
    """Whether the actor follows the forum and the topic (one query)."""
    condition = Q(forum_id=forum.pk)
    if topic is not None:
        condition |= Q(topic_id=topic.pk)
    rows = list(Subscription.objects.filter(condition, user_id=actor.user_id).values_list("forum_id", "topic_id"))
    return {"forum": any(f for f, _t in rows), "topic": any(t for _f, t in rows)}


def abilities(actor: Actor, forum: Forum, topic: Topic | None = None) -> dict[str, bool]:
    """The named permissions a forum page asks (in memory)."""
    post = authz.can(actor, "forums.post", forum)
    return {
        "can_moderate": authz.can(actor, "forums.moderate", forum),
        "can_post": post,
        "can_reply": authz.can(actor, "forums.reply", topic) if topic is not None else post,
    }


def shown_post(actor: Actor, pk: int) -> Post:
    """A post as its topic's page shows it, with its author and who hid it (one query, through the guard)."""
    return authz.access(actor, Post.objects.select_related("author", "hidden_by", "topic__forum"), pk, Action.VIEW)
