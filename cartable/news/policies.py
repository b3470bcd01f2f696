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

from django.db.models import Q
from django.utils import timezone

from cartable.core import authz
from cartable.core.authz import Action
from cartable.directory.actor import current
from cartable.directory.models import Enrolment, Guardianship, Role
from cartable.news.models import NewsItem

Audience = NewsItem.Audience
AUTHOR_ROLES = frozenset({Role.DIRECTION, Role.ESTABLISHMENT_ADMIN, Role.EDUCATION})
_CLASSES_KEY = "_news_class_ids"


def author_establishments(actor) -> list[int]:
    """The establishments where the actor writes news."""
    return sorted(e for e in actor.establishment_ids if actor.roles_in(e) & AUTHOR_ROLES)


def can_write_somewhere(actor) -> bool:
    return actor.is_regional_admin or bool(author_establishments(actor))


def _staff_of(actor) -> list[int]:
    return sorted(e for e in actor.establishment_ids if actor.is_staff_of(e))


def _guardian_of(actor) -> list[int]:
    return sorted(e for e in actor.establishment_ids if Role.GUARDIAN in actor.roles_in(e))


def _family_classes(actor):
    """The classes the actor or their children attend now (a values queryset: a subquery, no query)."""
    children = Guardianship.objects.filter(guardian_id=actor.user_id).values("student_id")
    enrolments = current(Enrolment.objects.filter(Q(student_id=actor.user_id) | Q(student_id__in=children)))
    return enrolments.order_by().values_list("school_class_id", flat=True)


def family_class_ids(actor) -> frozenset[int]:
    """The same classes as ids (one query, kept on the actor)."""
    cached = actor.__dict__.get(_CLASSES_KEY)
    if cached is None:
        cached = frozenset(_family_classes(actor))
        actor.__dict__[_CLASSES_KEY] = cached
    return cached


def published_q(now=None) -> Q:
    now = now or timezone.now()
    return Q(publish_at__lte=now) & (Q(expires_at__isnull=True) | Q(expires_at__gt=now))


def audience_q(actor) -> Q:
    """The published news the actor's audience reaches, as a Q (subqueries, no query of its own)."""
    if not actor.is_authenticated or not actor.memberships:
        return Q(pk__in=[])
    if actor.is_regional_admin:
        return Q()
    staff = _staff_of(actor)
    in_classes = NewsItem.classes.through.objects.filter(schoolclass_id__in=_family_classes(actor)).values(
        "newsitem_id"
    )
    return (
        Q(establishment__isnull=True)
        | Q(audience=Audience.EVERYONE, establishment_id__in=sorted(actor.establishment_ids))
        | Q(audience__in=[Audience.STAFF, Audience.CLASSES], establishment_id__in=staff)
        | Q(audience=Audience.FAMILIES, establishment_id__in=_guardian_of(actor) + staff)
        | Q(audience=Audience.CLASSES, pk__in=in_classes)
    )


def visible_q(actor) -> Q:
    """Everything the actor reads: published news of their audience, and every item they may write."""
    if actor.is_regional_admin:
        return Q()
    return (published_q() & audience_q(actor)) | Q(establishment_id__in=author_establishments(actor))


def news_class_ids(item: NewsItem) -> list[int]:
    pending = getattr(item, "target_class_ids", None)
    if pending is not None:
        return list(pending)
    if item.pk is None:
        return []
    return [c.pk for c in item.classes.all()]


def reaches(actor, item: NewsItem) -> bool:
    """Whether the item's audience reaches the actor (dates aside), in memory but for class news."""
    if actor.is_regional_admin:
        return True
    if item.establishment_id is None:
        return bool(actor.memberships)
    eid = item.establishment_id
    roles = actor.roles_in(eid)
    staff = actor.is_staff_of(eid)
    match item.audience:
        case Audience.EVERYONE:
            return bool(roles)
        case Audience.STAFF:
            return staff
        case Audience.FAMILIES:
            return staff or Role.GUARDIAN in roles
        case Audience.CLASSES:
            return staff or bool(set(news_class_ids(item)) & family_class_ids(actor))
    return False


def can_write(actor, item: NewsItem) -> bool:
    """Region-wide news: the regional administrator; establishment news: its authors and the region."""
    if actor.is_regional_admin:
        return True
    if item.establishment_id is None:
        return False
    return bool(actor.roles_in(item.establishment_id) & AUTHOR_ROLES)


def can_view(actor, item: NewsItem) -> bool:
    if can_write(actor, item):
        return True
    return item.state() == "published" and reaches(actor, item)


@authz.register(NewsItem)
class NewsItemPolicy(authz.Policy):
    """News: see the module docstring."""

    def allows(self, actor, action, obj):
        if not actor or not actor.is_authenticated:
            return False
        if action == Action.VIEW:
            return can_view(actor, obj)
        if action in (Action.CREATE, Action.CHANGE, Action.DELETE):
            return can_write(actor, obj)
        return False

    def scope(self, actor, queryset):
        if not actor or not actor.is_authenticated:
            return queryset.none()
        return queryset.filter(visible_q(actor))
