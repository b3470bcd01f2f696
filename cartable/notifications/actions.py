"""Writes of the notification centre: reading notices, choosing what arrives and when."""

from __future__ import annotations

import datetime as dt

from django.core.exceptions import PermissionDenied
from django.db import models as django_models
from django.db import transaction
from django.utils import timezone

from cartable.core import audit, authz, erasure, registry
from cartable.core.authz import Action
from cartable.core.models import DigestRun, Notification, NotificationPreference, QuietHours
from cartable.core.notify import default_channel
from cartable.directory.actor import Actor
from cartable.directory.models import User
from cartable.notifications.policies import may_set_establishment_quiet_hours

# Marking one's own notices read is not audited: it changes nothing anyone else sees and would fill the trail.


@transaction.atomic
def mark_read(*, actor: Actor, notification: Notification) -> bool:
    """Mark one of the actor's notices read; True when it was unread."""
    authz.require(actor, Action.CHANGE, notification)
    return bool(Notification.objects.filter(pk=notification.pk, read_at__isnull=True).update(read_at=timezone.now()))


@transaction.atomic
def mark_all_read(*, actor: Actor) -> int:
    """Mark all the actor's notices read; return how many were unread."""
    return Notification.objects.visible_to(actor).filter(read_at__isnull=True).update(read_at=timezone.now())


@transaction.atomic
def set_preferences(*, actor: Actor, choices: dict[tuple[str, int | None], str]) -> int:
    """Replace the actor's notification preferences by ``choices``: ``{(kind, child id or None): channel}``.

    Only what differs from the default is stored: a general choice equal to the kind's default, or a child's
    choice equal to the general one (or empty), leaves no row, so later defaults still apply. Returns the
    number of rows kept."""
    children = set(actor.children_ids)
    kinds = {k.key: k for k in registry.notification_kinds()}
    valid = set(NotificationPreference.Channel.values)
    rows = []
    for (kind, about_id), channel in sorted(choices.items(), key=lambda i: (i[0][0], i[0][1] or 0)):
        if kind not in kinds or channel not in valid or (about_id is not None and about_id not in children):
            continue
        general = choices.get((kind, None)) or default_channel(kinds[kind].default_channels)
        if about_id is None and channel == default_channel(kinds[kind].default_channels):
            continue
        if about_id is not None and channel == general:
            continue
        rows.append(NotificationPreference(user_id=actor.person_id, kind=kind, about_id=about_id, channel=channel))
    before = sorted(
        NotificationPreference.objects.filter(user_id=actor.person_id).values_list("kind", "about_id", "channel"),
        key=_preference_order,
    )
    NotificationPreference.objects.filter(user_id=actor.person_id).delete()
    NotificationPreference.objects.bulk_create(rows)
    after = sorted(((r.kind, r.about_id, r.channel) for r in rows), key=_preference_order)
    if before != after:
        audit.record(
            actor=actor,
            verb="notifications.set_preferences",
            subject_id=actor.user_id,
            before={"preferences": [list(r) for r in before]},
            after={"preferences": [list(r) for r in after]},
        )
    return len(rows)


def _preference_order(row: tuple[str, int | None, str]) -> tuple[str, int, str]:
    """Sort key of a preference row: the general choice (no child) before the children's, by id."""
    kind, about_id, channel = row
    return kind, -1 if about_id is None else about_id, channel


def _describe(window: QuietHours | None) -> dict | None:
    if window is None:
        return None
    return {
        "start": window.start and window.start.isoformat("minutes"),
        "end": window.end and window.end.isoformat("minutes"),
        "weekends": window.weekends,
    }


def _save_window(
    existing: QuietHours | None, owner: dict, start: dt.time | None, end: dt.time | None, weekends: bool
) -> QuietHours | None:
    if (start is None or end is None or start == end) and not weekends:
        if existing is not None:
            existing.delete()
        return None
    window = existing or QuietHours(**owner)
    window.start, window.end, window.weekends = start, end, weekends
    window.save()
    return window


@transaction.atomic
def set_quiet_hours(
    *, actor: Actor, start: dt.time | None, end: dt.time | None, weekends: bool = False
) -> QuietHours | None:
    """Set (or clear, with no hours and no weekend) the actor's own quiet hours."""
    existing = QuietHours.objects.select_for_update().filter(user_id=actor.person_id).first()
    before = _describe(existing)
    window = _save_window(existing, {"user_id": actor.user_id}, start, end, weekends)
    audit.record(
        actor=actor,
        verb="notifications.set_quiet_hours",
        target=window,
        subject_id=actor.user_id,
        before=before,
        after=_describe(window),
    )
    return window


@transaction.atomic
def set_establishment_quiet_hours(
    *, actor: Actor, establishment_id: int, start: dt.time | None, end: dt.time | None, weekends: bool = False
) -> QuietHours | None:
    """Set (or clear) the quiet hours of an establishment: no e-mail leaves for its notices then."""
    if not may_set_establishment_quiet_hours(actor, establishment_id):
        raise PermissionDenied
    existing = QuietHours.objects.select_for_update().filter(establishment_id=establishment_id).first()
    before = _describe(existing)
    window = _save_window(existing, {"establishment_id": establishment_id}, start, end, weekends)
    audit.record(
        actor=actor,
        verb="notifications.set_establishment_quiet_hours",
        target=window,
        establishment_id=establishment_id,
        before=before,
        after=_describe(window),
    )
    return window


# --- erasure of a person's data (named by the data providers in hooks.py) -------------------------------
# Imports here rather than at the top, so that this block merges as one piece.


ERASURE: dict[type[django_models.Model], erasure.Rule] = {
    NotificationPreference: erasure.delete("user", "about"),
    QuietHours: erasure.delete("user"),
    DigestRun: erasure.delete("user"),
}


@transaction.atomic
def erase_personal_data(*, user: User, model: type[django_models.Model], actor: Actor | None = None) -> int:
    """Erase or anonymise what ``model`` holds on ``user`` (its rule above), audited; returns the rows changed."""
    return erasure.erase(app="notifications", rules=ERASURE, user=user, model=model, actor=actor)
