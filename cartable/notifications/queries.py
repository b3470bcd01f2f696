"""Reads of the notification centre: one's timeline, the unread count, the preference grid, quiet hours.
Each costs a fixed number of queries whatever the number of notices."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from django.db.models import Count, Q
from django.utils.translation import gettext as _

from cartable.core import registry
from cartable.core.models import Notification, NotificationPreference, QuietHours
from cartable.core.notify import default_channel
from cartable.directory.actor import Actor
from cartable.directory.models import Role

PER_PAGE = 20


def unread_count(actor: Actor) -> int:
    """How many of the actor's notices are unread (one query)."""
    return Notification.objects.visible_to(actor).filter(read_at__isnull=True).count()


@dataclass
class ChildFilter:
    """One child a guardian may keep the timeline to (``?concerne=<id>``)."""

    id: int
    first_name: str
    current: bool  # the timeline is kept to this child now


@dataclass
class Timeline:
    """A page of one's notices, newest first, with the counts the page shows."""

    items: list[Notification]
    page: int
    pages: int
    total: int
    unread: int
    unread_only: bool
    children: list[ChildFilter] = field(default_factory=list)  # a guardian's children, to filter by
    child_id: int | None = None  # the child the timeline is kept to, if any

    @property
    def has_previous(self) -> bool:
        return self.page > 1

    @property
    def has_next(self) -> bool:
        return self.page < self.pages

    @property
    def query(self) -> str:
        """The filters as a query string for the pager's links (``&`` first, or nothing)."""
        parts = (["non-lues=1"] if self.unread_only else []) + ([f"concerne={self.child_id}"] if self.child_id else [])
        return "".join(f"&{part}" for part in parts)


def timeline(actor: Actor, *, unread_only: bool = False, page: int = 1, child_id: int | None = None) -> Timeline:
    """The actor's notices, newest first, ``PER_PAGE`` a page (two queries: the counts, then the page).

    A guardian of several children may keep it to one child (``child_id``, one of theirs; anything else shows
    everything); while looking at one child (the header's switcher), the notices about another child carry
    that child's first name (``n.child_label``). The children are the actor's, already loaded for the header:
    no query more, whatever the number of notices."""
    children = list(actor.children) if actor.role == Role.GUARDIAN else []
    names = {c.id: c.first_name for c in children}
    child_id = child_id if child_id in names else None
    mine = Notification.objects.visible_to(actor)
    if child_id is not None:
        mine = mine.filter(about_id=child_id)
    counts = mine.aggregate(total=Count("id"), unread=Count("id", filter=Q(read_at__isnull=True)))
    total = counts["unread"] if unread_only else counts["total"]
    pages = max(1, -(-total // PER_PAGE))
    page = min(max(1, page), pages)
    items: list[Notification] = []
    if total:
        qs = mine.filter(read_at__isnull=True) if unread_only else mine
        start = (page - 1) * PER_PAGE
        items = list(qs.order_by("-created_at", "-id")[start : start + PER_PAGE])
    looked_at = actor.child.id if actor.child else None
    for n in items:
        other = len(names) > 1 and n.about_id != looked_at and child_id is None
        n.child_label = names.get(n.about_id or 0, "") if other else ""  # type: ignore[attr-defined]
    return Timeline(
        items=items,
        page=page,
        pages=pages,
        total=total,
        unread=counts["unread"],
        unread_only=unread_only,
        children=[ChildFilter(c.id, c.first_name, c.id == child_id) for c in children] if len(children) > 1 else [],
        child_id=child_id,
    )


@dataclass
class PreferenceRow:
    """One kind of notice in the grid: the general choice and, for guardians, one per child."""

    kind: registry.NotificationKind
    default: str
    general: str
    per_child: list[tuple[Any, str]] = field(default_factory=list)  # (child, choice or "" to follow general)


@dataclass
class PreferenceGroup:
    key: str
    label: Any
    rows: list[PreferenceRow]


def preference_grid(actor: Actor) -> tuple[list[PreferenceGroup], list]:
    """Every kind of notice grouped by module, with the actor's choices; and the children with a column of
    their own (a guardian's). One query."""
    children = list(actor.children)
    mine = NotificationPreference.objects.none()
    if actor.user_id is not None:
        mine = NotificationPreference.objects.filter(user_id=actor.user_id)
    chosen: dict[tuple[str, int | None], str] = {
        (kind, about_id): channel for kind, about_id, channel in mine.values_list("kind", "about_id", "channel")
    }
    groups: dict[str, PreferenceGroup] = {}
    for kind in registry.notification_kinds():
        default = default_channel(kind.default_channels)
        row = PreferenceRow(kind=kind, default=default, general=chosen.get((kind.key, None), default))
        row.per_child = [(child, chosen.get((kind.key, child.id), "")) for child in children]
        module = registry.module(kind.module_key)
        group = groups.setdefault(
            kind.module_key,
            PreferenceGroup(key=kind.module_key, label=module.label if module else _("Général"), rows=[]),
        )
        group.rows.append(row)
    ordered = sorted(groups.values(), key=lambda g: str(g.label).casefold())
    for group in ordered:
        group.rows.sort(key=lambda r: str(r.kind.label).casefold())
    return ordered, children


def quiet_hours_of(actor: Actor) -> QuietHours | None:
    """The actor's own quiet hours, if set (one query)."""
    if actor.user_id is None:
        return None
    return QuietHours.objects.filter(user_id=actor.user_id).first()


def establishment_quiet_hours(establishment_id: int | None) -> QuietHours | None:
    """An establishment's quiet hours, if set (one query)."""
    if establishment_id is None:
        return None
    return QuietHours.objects.filter(establishment_id=establishment_id).first()
