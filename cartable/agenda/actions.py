"""Writes of the agenda: events (created, changed with their iCalendar sequence bumped, deleted) and
calendar feeds (issued, regenerated, revoked). Every one is atomic and audited."""

from __future__ import annotations

import datetime as dt
import hashlib
import secrets
from collections.abc import Iterable

from django.core.exceptions import PermissionDenied
from django.db import models as django_models
from django.db import transaction
from django.db.models import F
from django.utils import timezone

from cartable.agenda.models import CalendarFeed, Event
from cartable.core import audit, authz, erasure, notify, richtext
from cartable.core.authz import Action
from cartable.directory.actor import Actor
from cartable.directory.models import User
from cartable.directory.queries import classes_of_establishment

EVENT_FIELDS = ("kind", "audience", "title", "description", "location", "start", "end", "all_day")


def _snapshot(event: Event, class_ids: Iterable[int]) -> dict:
    values = {f: getattr(event, f) for f in EVENT_FIELDS}
    values["start"], values["end"] = event.start.isoformat(), event.end.isoformat()
    values["classes"] = sorted(class_ids)
    values["sequence"] = event.sequence
    return values


@transaction.atomic
def create_event(
    *,
    actor: Actor,
    establishment_id: int | None,
    kind: str,
    audience: str,
    title: str,
    start: dt.datetime,
    end: dt.datetime,
    all_day: bool = False,
    location: str = "",
    description: str = "",
    class_ids: Iterable[int] = (),
) -> Event:
    """Create an event; personal events belong to the actor alone and to no establishment."""
    personal = audience == Event.Audience.PERSONAL
    class_ids = [] if personal or audience != Event.Audience.CLASSES else sorted(set(class_ids))
    event = Event(
        establishment_id=None if personal else establishment_id,
        kind=Event.Kind.PERSONAL if personal else kind,
        audience=audience,
        title=title,
        start=start,
        end=end,
        all_day=all_day,
        location=location,
        description=richtext.sanitize(description),
        owner_id=actor.person_id,
    )
    # The policy reads the classes to be before their rows exist.
    event.target_class_ids = class_ids  # type: ignore[attr-defined]
    authz.require(actor, Action.CREATE, event)
    classes = classes_of_establishment(event.establishment_id, class_ids)
    event.save()
    event.classes.set(classes)
    audit.record(
        actor=actor,
        verb="agenda.create_event",
        target=event,
        establishment_id=event.establishment_id,
        after=_snapshot(event, class_ids),
    )
    return event


@transaction.atomic
def update_event(
    *,
    actor: Actor,
    event: Event,
    kind: str,
    audience: str,
    title: str,
    start: dt.datetime,
    end: dt.datetime,
    all_day: bool = False,
    location: str = "",
    description: str = "",
    class_ids: Iterable[int] = (),
) -> Event:
    """Change an event and bump its sequence, so calendars that subscribed replace their copy."""
    authz.require(actor, Action.CHANGE, event)
    locked = Event.objects.select_for_update().get(pk=event.pk)
    before = _snapshot(locked, [c.pk for c in locked.classes.all()])
    personal = locked.audience == Event.Audience.PERSONAL
    if personal:
        audience, kind = Event.Audience.PERSONAL, Event.Kind.PERSONAL
    elif audience == Event.Audience.PERSONAL:
        audience = locked.audience  # an establishment event stays one
    class_ids = sorted(set(class_ids)) if audience == Event.Audience.CLASSES else []
    locked.kind, locked.audience, locked.title = kind, audience, title
    locked.start, locked.end, locked.all_day = start, end, all_day
    locked.location, locked.description = location, richtext.sanitize(description)
    locked.target_class_ids = class_ids
    authz.require(actor, Action.CHANGE, locked)  # the new classes must be the actor's too
    classes = classes_of_establishment(locked.establishment_id, class_ids)
    locked.sequence = F("sequence") + 1
    locked.save()
    locked.refresh_from_db(fields=["sequence"])
    locked.classes.set(classes)
    audit.record(
        actor=actor,
        verb="agenda.update_event",
        target=locked,
        establishment_id=locked.establishment_id,
        before=before,
        after=_snapshot(locked, class_ids),
    )
    return locked


@transaction.atomic
def delete_event(*, actor: Actor, event: Event) -> None:
    """Delete an event (its subscribers' calendars drop it at their next refresh)."""
    authz.require(actor, Action.DELETE, event)
    before = _snapshot(event, [c.pk for c in event.classes.all()])
    audit.record(
        actor=actor, verb="agenda.delete_event", target=event, establishment_id=event.establishment_id, before=before
    )
    notify.withdraw(event)  # its reminders lead nowhere now
    event.delete()


# --- calendar feeds --------------------------------------------------------------------------------------
def hash_token(token: str) -> str:
    return hashlib.sha256(token.encode()).hexdigest()


@transaction.atomic
def issue_feed(*, actor: Actor, child_id: int | None = None) -> tuple[CalendarFeed, str]:
    """Issue a new secret feed (for one child, or for the person and all their children when ``child`` is
    None), revoking the active one of the same choice. Returns the feed and its token, shown once."""
    if child_id is not None and child_id not in actor.children_ids:
        raise PermissionDenied
    now = timezone.now()
    role = actor.role or ""
    old = CalendarFeed.objects.select_for_update().filter(
        user_id=actor.person_id, child_id=child_id, role=role, revoked_at__isnull=True
    )
    revoked = [f.pk for f in old]
    old.update(revoked_at=now)
    token = secrets.token_urlsafe(32)
    feed = CalendarFeed.objects.create(
        user_id=actor.person_id, child_id=child_id, role=role, token_hash=hash_token(token)
    )
    audit.record(
        actor=actor,
        verb="agenda.issue_feed",
        target=feed,
        subject_id=child_id or actor.user_id,
        after={"child": child_id, "role": role, "revoked": revoked},
    )
    return feed, token


@transaction.atomic
def revoke_feed(*, actor: Actor, feed: CalendarFeed) -> None:
    """Revoke a feed: its address answers 404 from now on."""
    authz.require(actor, Action.DELETE, feed)
    updated = CalendarFeed.objects.filter(pk=feed.pk, revoked_at__isnull=True).update(revoked_at=timezone.now())
    if updated:
        audit.record(actor=actor, verb="agenda.revoke_feed", target=feed, subject_id=feed.child_id or feed.user_id)


@transaction.atomic
def revoke_all_feeds(*, actor: Actor, user: User) -> int:
    """Revoke every live feed of a person (offered with a password change); returns how many."""
    if actor.user_id != user.pk:
        raise PermissionDenied
    live = CalendarFeed.objects.filter(user=user, revoked_at__isnull=True)
    ids = list(live.values_list("pk", flat=True))
    if ids:
        CalendarFeed.objects.filter(pk__in=ids).update(revoked_at=timezone.now())
        audit.record(actor=actor, verb="agenda.revoke_all_feeds", target=user, subject_id=user.pk, after={"feeds": ids})
    return len(ids)


def mark_feed_read(*, feed: CalendarFeed) -> None:
    """Note when a calendar last fetched the feed (shown to its owner; not audited: no one acts)."""
    CalendarFeed.objects.filter(pk=feed.pk).update(last_used_at=timezone.now())


# --- erasure of a person's data (named by the data providers in hooks.py) -------------------------------
# Imports here rather than at the top, so that this block merges as one piece.


ERASURE: dict[type[django_models.Model], erasure.Rule] = {
    Event: erasure.delete("owner", audience=Event.Audience.PERSONAL),  # the school's events stay
    CalendarFeed: erasure.delete("user"),
}


@transaction.atomic
def erase_personal_data(*, user: User, model: type[django_models.Model], actor: Actor | None = None) -> int:
    """Erase or anonymise what ``model`` holds on ``user`` (its rule above), audited; returns the rows changed."""
    return erasure.erase(app="agenda", rules=ERASURE, user=user, model=model, actor=actor)
