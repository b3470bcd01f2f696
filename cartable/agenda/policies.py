"""Who may see and change the agenda's rows.

Events by audience (establishment events; staff of the establishment see all but personal ones):

| audience | seen by |
|---|---|
| everyone | every member of the establishment (students, guardians, staff) |
| staff | its staff |
| families | its guardians, and its staff |
| students | its students, and its staff |
| classes | the students of those classes, their guardians and their teachers; the direction, the vie
  scolaire and the ENT administrators |
| personal | the owner only |

The owner always sees their event; the regional administrator sees every establishment event.
Creating, changing and deleting: the direction, the ENT administrators and the vie scolaire for their
establishment's events; teachers for events of classes they all teach; anyone for their personal events.

Calendar feeds are their owner's only.
"""

from __future__ import annotations

from typing import Any

from django.db.models import Q, QuerySet

from cartable.agenda.models import CalendarFeed, Event
from cartable.core import authz
from cartable.core.authz import Action
from cartable.directory import audience
from cartable.directory.actor import Actor, current
from cartable.directory.models import MANAGER_ROLES, Establishment, Role, TeachingAssignment

Audience = Event.Audience
SHARED_AUDIENCES = frozenset(Audience.values) - {Audience.PERSONAL}


def related_class_ids(actor: Actor) -> frozenset[int]:
    """Classes the actor attends, whose students are the actor's children, or that the actor teaches
    (one query, once per request)."""
    return actor.memo(
        "agenda.related_class_ids", lambda: frozenset(audience.family_classes(actor).union(_taught(actor)))
    )


def _taught(actor: Actor) -> QuerySet[Any, int]:
    """The classes the actor teaches now (a values queryset of class ids)."""
    assignments = current(TeachingAssignment.objects.filter(teacher_id=actor.user_id, school_class__isnull=False))
    return assignments.order_by().values_list("school_class_id", flat=True)


def audience_q(actor: Actor, prefix: str = "") -> Q:
    """The establishment events the actor's audience reaches, as a Q on Event (subqueries, no query of
    its own)."""
    if actor.is_regional_admin:
        return ~Q(**{f"{prefix}audience": Audience.PERSONAL})
    related_events = Event.classes.through.objects.filter(
        Q(schoolclass_id__in=audience.family_classes(actor)) | Q(schoolclass_id__in=_taught(actor))
    ).values("event_id")
    return audience.audience_q(
        actor, audiences=SHARED_AUDIENCES, class_items=related_events, class_readers=MANAGER_ROLES, prefix=prefix
    )


def can_view(actor: Actor, event: Event) -> bool:
    """In memory (one query at most per actor for class events): whether the actor sees the event."""
    if event.owner_id == actor.user_id:
        return True
    if event.audience == Audience.PERSONAL:
        return False
    if actor.is_regional_admin:
        return True
    return audience.reaches(
        actor,
        establishment_id=event.establishment_id,
        audience=event.audience,
        class_ids=lambda: audience.item_class_ids(event),
        related_class_ids=lambda: related_class_ids(actor),
        class_readers=MANAGER_ROLES,
    )


def can_edit(actor: Actor, event: Event) -> bool:
    """Whether the actor creates, changes or deletes this event (see the module docstring)."""
    if event.audience == Audience.PERSONAL:
        return event.owner_id == actor.user_id
    if actor.is_regional_admin:
        return True
    eid = event.establishment_id
    if eid is None or eid not in actor.establishment_ids:
        return False
    if actor.holds_in(eid, MANAGER_ROLES):
        return True
    if actor.holds_in(eid, (Role.TEACHER,)) and event.audience == Audience.CLASSES:
        class_ids = audience.item_class_ids(event)
        return bool(class_ids) and set(class_ids) <= actor.taught_class_ids
    return False


@authz.permission("agenda.plan_establishment_events", about=Establishment)
def can_plan_establishment_events(actor: Actor, establishment: Establishment | None) -> bool:
    """Whether the event form offers every audience there (the direction, the ENT administrators, the vie
    scolaire, the region)."""
    if actor.is_regional_admin:
        return True
    return establishment is not None and actor.holds_in(establishment.pk, MANAGER_ROLES)


@authz.permission("agenda.plan_class_events", about=Establishment)
def can_plan_class_events(actor: Actor, establishment: Establishment | None) -> bool:
    """Whether the event form offers events for the classes one teaches there (the teachers)."""
    return establishment is not None and actor.holds_in(establishment.pk, (Role.TEACHER,))


@authz.permission("agenda.merge_children", about=None)
def can_merge_children(actor: Actor, _obj: None = None) -> bool:
    """Whether the agenda offers a guardian the view of all their children together."""
    return actor.role == Role.GUARDIAN and bool(actor.children)


@authz.register(Event)
class EventPolicy(authz.Policy[Event]):
    """Events: see the module docstring."""

    def allows(self, actor: Actor, action: Action | str, obj: Event) -> bool:
        if action == Action.VIEW:
            return can_view(actor, obj)
        if action in (Action.CREATE, Action.CHANGE, Action.DELETE):
            return can_edit(actor, obj)
        return False

    def scope(self, actor: Actor, queryset: QuerySet[Event]) -> QuerySet[Event]:
        return queryset.filter(Q(owner_id=actor.user_id) | audience_q(actor))


@authz.register(CalendarFeed)
class CalendarFeedPolicy(authz.Policy[CalendarFeed]):
    """A feed is its owner's: they see, create and revoke it."""

    def allows(self, actor: Actor, action: Action | str, obj: CalendarFeed) -> bool:
        return obj.user_id == actor.user_id and action in (Action.VIEW, Action.CREATE, Action.DELETE)

    def scope(self, actor: Actor, queryset: QuerySet[CalendarFeed]) -> QuerySet[CalendarFeed]:
        if actor.user_id is None:
            return queryset.none()
        return queryset.filter(user_id=actor.user_id)
