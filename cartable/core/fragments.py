"""Per-person dashboard fragments kept in the cache and forgotten by the writes that change them.

A cached widget's context is stored under its key, a version of the widget and who is looking (person,
role, establishment, child). ``audit.record`` calls :func:`forget` after commit for the widgets whose
``changes_with`` prefixes match the write's verb: the version changes, so every person's copy is left to
expire. Every write is an audited action, so no write can forget to forget. Costs no SQL query: two
cache round trips for all the cached widgets of a page.
"""

from __future__ import annotations

import uuid
from collections.abc import Callable, Iterable
from typing import TYPE_CHECKING, Any

from django.core.cache import cache

if TYPE_CHECKING:
    from cartable.core.registry import Widget

VERSION = "widget-version:%s"


def forget(keys: Iterable[str]) -> None:
    """Make every person's cached copy of these widgets stale."""
    keys = list(keys)
    if keys:
        cache.set_many({VERSION % key: uuid.uuid4().hex for key in keys}, timeout=None)


def contexts(
    widgets: list[Widget], actor: Any, compute: Callable[[Widget], dict[str, Any] | None]
) -> dict[str, dict[str, Any] | None]:
    """Each widget's context: from the cache for cached widgets still fresh, else computed (and stored)."""
    cached = [w for w in widgets if w.cache_for]
    versions = cache.get_many([VERSION % w.key for w in cached]) if cached else {}
    child = actor.child.id if actor.child else ""  # the actor names a child only when acting as a guardian
    who = f"{actor.user_id}:{actor.role}:{actor.establishment_id}:{child}"
    keys = {w.key: f"widget:{w.key}:{versions.get(VERSION % w.key, '0')}:{who}" for w in cached}
    hits = cache.get_many(list(keys.values())) if keys else {}
    result: dict[str, dict[str, Any] | None] = {}
    for widget in widgets:
        key = keys.get(widget.key)
        if key is not None and key in hits:
            result[widget.key] = hits[key]["context"]
            continue
        result[widget.key] = compute(widget)
        if key is not None:
            cache.set(key, {"context": result[widget.key]}, timeout=widget.cache_for)
    return result
