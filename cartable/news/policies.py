"""Who may read and write news.

Published news (``publish_at`` passed, ``expires_at`` not yet) by audience:

| audience | read by |
|---|---|
| everyone | every member of the establishment (students, guardians, staff) |
| classes | the students of those classes and their guardians; the establishment's staff |
| staff | the establishment's staff |
| families | the establishment's guardians; its staff |
| region-wide (no establishment) | every person with a current membership in the region |

The authors — the establishment's direction, ENT administrators and vie scolaire (CPE) — see every item
of their establishment, scheduled and expired ones included, and write them. Region-wide news is
written by the regional administrator, who reads and writes everything. charlie.roux, teacher elsewhere,
sees region-wide news and nothing of the collège.
"""

from __future__ import annotations

import datetime as dt

from django.db.models import Q, QuerySet
from django.utils import timezone

from cartable.core import authz
from cartable.core.authz import Action
from cartable.directory import audience
from cartable.directory.actor import Actor
from cartable.directory.models import MANAGER_ROLES, Establishment
from cartable.news.models import NewsItem

Audience = NewsItem.Audience
AUDIENCES = frozenset(Audience.values)


def author_establishments(actor: Actor) -> list[int]:
    """The establishments where the actor writes news: where they manage (direction, ENT, vie scolaire)."""
    return sorted(actor.establishments_where(MANAGER_ROLES))


@authz.permission("news.publish_somewhere", about=None)
def can_write_somewhere(actor: Actor, _obj: None = None) -> bool:
    """Whether the news page offers to publish: the region, and the authors of some establishment."""
    return actor.is_regional_admin or bool(author_establishments(actor))


@authz.permission("news.publish", about=Establishment)
def can_publish_in(actor: Actor, establishment: Establishment | None) -> bool:
    """Whether the actor opens the form for new news where they act: region-wide news (no establishment)
    for the regional administrator, an establishment's news for its authors."""
    if establishment is None:
        return actor.is_regional_admin
    return actor.holds_in(establishment.pk, MANAGER_ROLES)


def family_class_ids(actor: Actor) -> frozenset[int]:
    """The classes the actor or their children attend now, as ids (one query, once per request)."""
    return actor.memo("news.family_class_ids", lambda: frozenset(audience.family_classes(actor)))


def published_q(now: dt.datetime | None = None) -> Q:
    now = now or timezone.now()
    return Q(publish_at__lte=now) & (Q(expires_at__isnull=True) | Q(expires_at__gt=now))


def audience_q(actor: Actor) -> Q:
    """The published news the actor's audience reaches, as a Q (subqueries, no query of its own)."""
    if not actor.is_authenticated or not actor.memberships:
        return Q(pk__in=[])
    if actor.is_regional_admin:
        return Q()
    in_classes = NewsItem.classes.through.objects.filter(schoolclass_id__in=audience.family_classes(actor)).values(
        "newsitem_id"
    )
    return Q(establishment__isnull=True) | audience.audience_q(actor, audiences=AUDIENCES, class_items=in_classes)


def visible_q(actor: Actor) -> Q:
    """Everything the actor reads: published news of their audience, and every item they may write."""
    if actor.is_regional_admin:
        return Q()
    return (published_q() & audience_q(actor)) | Q(establishment_id__in=author_establishments(actor))


def reaches(actor: Actor, item: NewsItem) -> bool:
    """Whether the item's audience reaches the actor (dates aside), in memory but for class news."""
    if actor.is_regional_admin:
        return True
    if item.establishment_id is None:
        return bool(actor.memberships)
    return audience.reaches(
        actor,
        establishment_id=item.establishment_id,
        audience=item.audience,
        class_ids=lambda: audience.item_class_ids(item),
        related_class_ids=lambda: family_class_ids(actor),
    )


def can_write(actor: Actor, item: NewsItem) -> bool:
    """Region-wide news: the regional administrator; establishment news: its authors and the region."""
    if actor.is_regional_admin:
        return True
    if item.establishment_id is None:
        return False
    return actor.holds_in(item.establishment_id, MANAGER_ROLES)


def can_view(actor: Actor, item: NewsItem) -> bool:
    if can_write(actor, item):
        return True
    return item.state() == "published" and reaches(actor, item)


@authz.register(NewsItem)
class NewsItemPolicy(authz.Policy[NewsItem]):
    """News: see the module docstring."""

    def allows(self, actor: Actor, action: Action | str, obj: NewsItem) -> bool:
        if not actor or not actor.is_authenticated:
            return False
        if action == Action.VIEW:
            return can_view(actor, obj)
        if action in (Action.CREATE, Action.CHANGE, Action.DELETE):
            return can_write(actor, obj)
        return False

    def scope(self, actor: Actor, queryset: QuerySet[NewsItem]) -> QuerySet[NewsItem]:
        if not actor or not actor.is_authenticated:
            return queryset.none()
        return queryset.filter(visible_q(actor))
