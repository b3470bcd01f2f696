"""Reads of the news, scoped to the actor, in a fixed number of queries."""

from __future__ import annotations

from django.db.models import Prefetch, Q, QuerySet
from django.utils import timezone

from cartable.core import authz
from cartable.core.authz import Action
from cartable.directory.actor import Actor
from cartable.directory.models import SchoolClass
from cartable.news import policies
from cartable.news.models import NewsItem

LIST_SIZE = 50
WIDGET_SIZE = 5


def news_list(actor: Actor) -> list[NewsItem]:
    """The news page: pinned first, then the newest; authors also see their scheduled and expired items
    (two queries: the items with establishment and author, and their classes)."""
    now = timezone.now()
    items = list(
        NewsItem.objects.visible_to(actor)
        .select_related("establishment", "author")
        .prefetch_related(Prefetch("classes", queryset=SchoolClass.objects.order_by("name")))
        .order_by("-pinned", "-publish_at", "-id")[:LIST_SIZE]
    )
    for item in items:
        item.current_state = item.state(now)
        item.can_edit = authz.allows(actor, Action.CHANGE, item)
    return items


def detail_queryset() -> QuerySet[NewsItem]:
    return NewsItem.objects.select_related("establishment", "author").prefetch_related(
        Prefetch("classes", queryset=SchoolClass.objects.order_by("name"))
    )


def widget_news(actor: Actor) -> list[NewsItem]:
    """The dashboard's "Actualités": published news of the actor's audience in the establishment they act in,
    and region-wide news; pinned first (one query). The news page lists every establishment's."""
    here = Q(establishment__isnull=True) | Q(establishment_id=actor.establishment_id)
    if actor.is_regional_admin:
        reach = NewsItem.objects.filter(here)
    else:
        reach = NewsItem.objects.filter(policies.audience_q(actor)).filter(here)
    return list(
        reach.filter(policies.published_q())
        .only("id", "title", "pinned", "publish_at", "establishment_id")
        .order_by("-pinned", "-publish_at", "-id")[:WIDGET_SIZE]
    )
