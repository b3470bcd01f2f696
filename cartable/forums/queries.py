"""Reads of the forums, scoped to the actor, in a fixed number of queries."""

from __future__ import annotations

from django.db.models import Count, Q

from cartable.forums import policies
from cartable.forums.models import Forum, Post, Subscription, Topic

TOPICS_SHOWN = 100


def forums_for(actor) -> list[Forum]:
    """The forums the actor reads, with their class or group and their number of topics (one query)."""
    return list(
        Forum.objects.visible_to(actor)
        .select_related("establishment", "school_class", "group")
        .annotate(topic_total=Count("topics"))
        .order_by("establishment__name", "kind", "title", "id")
    )


def forum_queryset():
    return Forum.objects.select_related("establishment", "school_class", "group")


def topic_queryset():
    return Topic.objects.select_related("forum", "forum__school_class", "forum__group", "locked_by")


def topics_of(forum: Forum) -> list[Topic]:
    """A forum's topics, the latest activity first, with their authors (one query)."""
    return list(forum.topics.select_related("author", "locked_by").order_by("-last_post_at", "-id")[:TOPICS_SHOWN])


def posts_of(topic: Topic) -> list[Post]:
    """A topic's posts in order, with their authors and who hid them (one query)."""
    return list(topic.posts.select_related("author", "hidden_by").order_by("created_at", "id"))


def follows(actor, *, forum: Forum, topic: Topic | None = None) -> dict[str, bool]:
    """Whether the actor follows the forum and the topic (one query)."""
    condition = Q(forum_id=forum.pk)
    if topic is not None:
        condition |= Q(topic_id=topic.pk)
    rows = list(Subscription.objects.filter(condition, user_id=actor.user_id).values_list("forum_id", "topic_id"))
    return {"forum": any(f for f, _t in rows), "topic": any(t for _f, t in rows)}


def abilities(actor, forum: Forum, topic: Topic | None = None) -> dict[str, bool]:
    """The named permissions a forum page asks (in memory)."""
    moderate = policies.can_moderate(actor, forum)
    post = policies.can_post(actor, forum)
    return {
        "can_moderate": moderate,
        "can_post": post,
        "can_reply": post and (topic is None or not topic.is_locked or moderate),
    }
