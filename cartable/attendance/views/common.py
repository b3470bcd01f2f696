"""What the school life pages share: the module's key, the day asked, the establishment followed."""

from __future__ import annotations

import datetime as dt

from django.http import HttpRequest
from django.utils import timezone

from cartable.core import authz
from cartable.directory.actor import Actor

MODULE = "attendance"


def actor_of(request: HttpRequest) -> Actor:
    return request.actor  # type: ignore[attr-defined]


def day_asked(request: HttpRequest) -> dt.date:
    """The day of ``?date=``, else today."""
    try:
        return dt.date.fromisoformat(request.GET.get("date", ""))
    except ValueError:
        return timezone.localdate()


def followed_establishment(request: HttpRequest) -> int:
    """The active establishment, when the actor follows its school life (vie scolaire, direction); 404
    otherwise."""
    actor = actor_of(request)
    authz.require_or_404(actor, "attendance.follow_school_life", actor.establishment)
    assert actor.establishment_id is not None  # the permission holds only in an establishment
    return actor.establishment_id
