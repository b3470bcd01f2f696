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

from django.db.models import Q

from cartable.agenda.models import CalendarFeed, Event
from cartable.core import authz
from cartable.core.authz import Action
from cartable.directory.actor import current
from cartable.directory.models import Enrolment, Guardianship, Role, TeachingAssignment

Audience = Event.Audience
EDITOR_ROLES = frozenset({Role.DIRECTION, Role.ESTABLISHMENT_ADMIN, Role.EDUCATION})
_CLASSES_KEY = "_agenda_class_ids"


def establishments_with(actor, roles) -> list[int]:
    return [e for e in actor.establishment_ids if actor.roles_in(e) & set(roles)]


def staff_of(actor) -> list[int]:
    return [e for e in actor.establishment_ids if actor.is_staff_of(e)]


def related_class_ids(actor) -> frozenset[int]:
    """Classes the actor attends, whose students are the actor's children, or that the actor teaches
    (one query, kept on the actor)."""
    cached = actor.__dict__.get(_CLASSES_KEY)
    if cached is None:
        cached = frozenset(_attended(actor).union(_taught(actor)))
        actor.__dict__[_CLASSES_KEY] = cached
    return cached


def _attended(actor):
    """The classes the actor or their children attend now (a values queryset of class ids)."""
    children = Guardianship.objects.filter(guardian_id=actor.user_id).values("student_id")
    enrolments = current(Enrolment.objects.filter(Q(student_id=actor.user_id) | Q(student_id__in=children)))
    return enrolments.order_by().values_list("school_class_id", flat=True)


def _taught(actor):
    """The classes the actor teaches now (a values queryset of class ids)."""
    assignments = current(TeachingAssignment.objects.filter(teacher_id=actor.user_id, school_class__isnull=False))
    return assignments.order_by().values_list("school_class_id", flat=True)


def audience_q(actor, prefix: str = "") -> Q:
    """The establishment events the actor's audience reaches, as a Q on Event (subqueries, no query of
    its own)."""
    if actor.is_regional_admin:
        return ~Q(**{f"{prefix}audience": Audience.PERSONAL})
    staff = staff_of(actor)
    guardians = establishments_with(actor, {Role.GUARDIAN})
    students = establishments_with(actor, {Role.STUDENT})
    managers = establishments_with(actor, EDITOR_ROLES)
    related_events = Event.classes.through.objects.filter(
        Q(schoolclass_id__in=_attended(actor)) | Q(schoolclass_id__in=_taught(actor))
    ).values("event_id")

    def f(**kw) -> Q:
        return Q(**{f"{prefix}{k}": v for k, v in kw.items()})

    return (
        f(audience=Audience.EVERYONE, establishment_id__in=list(actor.establishment_ids))
        | f(audience=Audience.STAFF, establishment_id__in=staff)
        | f(audience=Audience.FAMILIES, establishment_id__in=guardians + staff)
        | f(audience=Audience.STUDENTS, establishment_id__in=students + staff)
        | f(audience=Audience.CLASSES, establishment_id__in=managers)
        | (f(audience=Audience.CLASSES) & f(pk__in=related_events))
    )


def can_view(actor, event: Event) -> bool:
    """In memory (one query at most per actor for class events): whether the actor sees the event."""
    if event.owner_id == actor.user_id:
        return True
    if event.audience == Audience.PERSONAL:
        return False
    if actor.is_regional_admin:
        return True
    eid = event.establishment_id
    roles = actor.roles_in(eid)
    staff = actor.is_staff_of(eid)
    match event.audience:
        case Audience.EVERYONE:
            return bool(roles)
        case Audience.STAFF:
            return staff
        case Audience.FAMILIES:
            return staff or Role.GUARDIAN in roles
        case Audience.STUDENTS:
            return staff or Role.STUDENT in roles
        case Audience.CLASSES:
            if roles & EDITOR_ROLES:
                return True
            return bool(set(event_class_ids(event)) & related_class_ids(actor))
    return False


def event_class_ids(event: Event) -> list[int]:
    """The event's classes: the ones about to be saved (``event.target_class_ids``), else its rows."""
    pending = getattr(event, "target_class_ids", None)
    if pending is not None:
        return list(pending)
    if event.pk is None:
        return []
    return [c.pk for c in event.classes.all()]


def can_edit(actor, event: Event) -> bool:
    """Whether the actor creates, changes or deletes this event (see the module docstring)."""
    if event.audience == Audience.PERSONAL:
        return event.owner_id == actor.user_id
    if actor.is_regional_admin:
        return True
    eid = event.establishment_id
    if eid is None or eid not in actor.establishment_ids:
        return False
    if actor.roles_in(eid) & EDITOR_ROLES:
        return True
    if Role.TEACHER in actor.roles_in(eid) and event.audience == Audience.CLASSES:
        class_ids = event_class_ids(event)
        return bool(class_ids) and set(class_ids) <= actor.taught_class_ids
    return False


def can_create_establishment_events(actor, establishment_id: int | None) -> bool:
    """Whether the actor may create some establishment event there (the form shows the fields then)."""
    if establishment_id is None:
        return False
    roles = actor.roles_in(establishment_id)
    return actor.is_regional_admin or bool(roles & EDITOR_ROLES) or (Role.TEACHER in roles)


@authz.register(Event)
class EventPolicy(authz.Policy):
    """Events: see the module docstring."""

    def allows(self, actor, action, obj):
        if action == Action.VIEW:
            return can_view(actor, obj)
        if action in (Action.CREATE, Action.CHANGE, Action.DELETE):
            return can_edit(actor, obj)
        return False

    def scope(self, actor, queryset):
        return queryset.filter(Q(owner_id=actor.user_id) | audience_q(actor))


@authz.register(CalendarFeed)
class CalendarFeedPolicy(authz.Policy):
    """A feed is its owner's: they see, create and revoke it."""

    def allows(self, actor, action, obj):
        return obj.user_id == actor.user_id and action in (Action.VIEW, Action.CREATE, Action.DELETE)

    def scope(self, actor, queryset):
        return queryset.filter(user_id=actor.user_id)
