"""``notify``: the outbox. Call it from an action, inside its transaction.

The notification rows (and one pending delivery per extra channel) are written in the same transaction
as the change, so a crash can never keep the change and lose the notice. After commit, a background
task delivers the pending rows; it is idempotent: each row is sent at most once per channel.

Preferences are applied here, when the notice is written (:func:`plan`): for each recipient, the choice for
this kind (about this child, else in general, else the kind's default) decides whether the in-app row
exists, whether an e-mail goes out now, after the recipient's and the establishment's quiet hours
(``Delivery.not_before``), or in the evening digest. It costs the same few queries for 1 or 1,000 recipients.
"""

from __future__ import annotations

import datetime as dt
import re
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from typing import Any
from zoneinfo import ZoneInfo

from django.contrib.auth import get_user_model
from django.db import models, transaction
from django.db.models import Q
from django.utils import timezone
from django.utils.http import urlencode
from django.utils.translation import gettext as _

from cartable.core import registry
from cartable.core.models import Delivery, Notification, NotificationPreference, QuietHours

PARIS = ZoneInfo("Europe/Paris")
# When a weekend hold ends on Monday if the quiet hours name no morning hour.
DEFAULT_MORNING = dt.time(7, 0)
Channel = NotificationPreference.Channel
# The query parameter naming the child a guardian's notice is about: its link opens the page on that child
# (``directory.middleware.ActorMiddleware`` reads it, as the header's child switcher would).
CHILD_PARAM = "enfant"


def link_for_child(url: str, child_id: int) -> str:
    """``url`` with the child named in its query string (before any #anchor)."""
    if not url:
        return url
    path, hash_mark, anchor = url.partition("#")
    joiner = "&" if "?" in path else "?"
    return f"{path}{joiner}{urlencode({CHILD_PARAM: child_id})}{hash_mark}{anchor}"


def title_for_child(title: str, first_name: str) -> str:
    """A guardian's notice names the child first (« Lucas : Nouveau travail… ») unless its title already does."""
    if not first_name or re.search(rf"\b{re.escape(first_name)}\b", title):
        return title
    return _("%(child)s : %(title)s") % {"child": first_name, "title": title}


def default_channel(channels: Iterable[str]) -> str:
    """The preference a list of default channels stands for: e-mail wins over the digest, then in-app."""
    channels = tuple(channels)
    for choice in (Channel.EMAIL, Channel.DIGEST, Channel.IN_APP):
        if choice in channels:
            return choice
    return Channel.OFF


def _capped(choice: str, allowed: tuple[str, ...] | None) -> str:
    """A sender that names its channels (e.g. in-app only) caps what a preference may ask for; where an
    e-mail is allowed, the digest (a later, gentler e-mail) is too."""
    if allowed is None or choice in (Channel.OFF, Channel.IN_APP) or choice in allowed:
        return choice
    if choice == Channel.DIGEST and Channel.EMAIL in allowed:
        return choice
    return Channel.IN_APP


def _window_end(window: QuietHours, local: dt.datetime) -> dt.datetime | None:
    """The end of the quiet window of ``window`` containing ``local`` (Paris time), or None."""
    if window.weekends and local.weekday() >= 5:
        monday = local.date() + dt.timedelta(days=7 - local.weekday())
        return dt.datetime.combine(monday, window.end or DEFAULT_MORNING, tzinfo=PARIS)
    start, end = window.start, window.end
    if start is None or end is None or start == end:
        return None
    now = local.time()
    if start < end:  # a window within one day, e.g. 12:00-14:00
        return dt.datetime.combine(local.date(), end, tzinfo=PARIS) if start <= now < end else None
    if now >= start:  # a window across midnight, e.g. 20:00-07:00, in its evening part
        return dt.datetime.combine(local.date() + dt.timedelta(days=1), end, tzinfo=PARIS)
    if now < end:  # ... in its morning part
        return dt.datetime.combine(local.date(), end, tzinfo=PARIS)
    return None


def quiet_until(now: dt.datetime, windows: Iterable[QuietHours]) -> dt.datetime | None:
    """The first moment from ``now`` outside every quiet window, or None when ``now`` is not quiet.

    Windows chain: a Friday 22:00 notice with a 20:00-07:00 night and a weekend hold waits until Monday 07:00."""
    windows = list(windows)
    moment = timezone.localtime(now, PARIS)
    held = False
    for _step in range(16):  # a handful of windows can only chain so far
        ends = [end for window in windows if (end := _window_end(window, moment)) is not None]
        if not ends:
            break
        moment, held = max(ends), True
    return moment if held else None


@dataclass(frozen=True)
class Plan:
    """What one recipient gets: ``channel`` (a NotificationPreference.Channel) and when an e-mail may leave."""

    channel: str
    not_before: dt.datetime | None = None


def plan(
    *,
    recipient_ids: Iterable[int],
    kind: str,
    about_id: int | None = None,
    about_ids: Mapping[int, int | None] | None = None,
    establishment_id: int | None = None,
    channels: Iterable[str] | None = None,
    now: dt.datetime | None = None,
) -> dict[int, Plan]:
    """Each recipient's delivery plan for a notice of ``kind``: two queries whatever their number.

    The child a notice is about is ``about_ids[recipient]`` when given (a class-wide notice reaches each
    guardian about their own child), else ``about_id``."""
    now = now or timezone.now()
    ids = list(recipient_ids)
    declared = registry.notification_kind(kind)
    allowed = tuple(channels) if channels is not None else None
    default = default_channel(allowed if allowed is not None else declared.default_channels)
    child_of = {uid: (about_ids or {}).get(uid, about_id) for uid in ids}
    general: dict[int, str] = {}
    per_child: dict[tuple[int, int], str] = {}
    chosen = NotificationPreference.objects.filter(kind=kind, user_id__in=ids)
    for user_id, child_id, channel in chosen.values_list("user_id", "about_id", "channel"):
        if child_id is None:
            general[user_id] = channel
        else:
            per_child[(user_id, child_id)] = channel
    choices = {
        uid: _capped(per_child.get((uid, child_of[uid])) or general.get(uid) or default, allowed)  # type: ignore[arg-type]
        for uid in ids
    }
    mailed = [uid for uid, choice in choices.items() if choice == Channel.EMAIL]
    personal: dict[int, QuietHours] = {}
    shared: list[QuietHours] = []
    if mailed:
        owners = Q(user_id__in=mailed)
        if establishment_id is not None:
            owners |= Q(establishment_id=establishment_id)
        for window in QuietHours.objects.filter(owners):
            if window.user_id is None:
                shared.append(window)
            else:
                personal[window.user_id] = window
    plans = {}
    for uid, choice in choices.items():
        not_before = None
        if choice == Channel.EMAIL:
            windows = shared + ([personal[uid]] if uid in personal else [])
            not_before = quiet_until(now, windows) if windows else None
        plans[uid] = Plan(channel=choice, not_before=not_before)
    return plans


def notify(
    *,
    recipients: Iterable[Any],
    kind: str,
    title: str,
    body: str = "",
    url: str = "",
    target: models.Model | None = None,
    establishment_id: int | None = None,
    channels: Iterable[str] | None = None,
    about: Any = None,
) -> list[Notification]:
    """Write one notification per recipient (users or user ids) and queue its deliveries, by preferences.

    ``about`` is the student (user or id) the notice concerns, when it is sent to their guardians; for a
    notice to many families, a mapping ``{recipient id: student id}`` names each guardian's own child.
    ``channels`` (optional) replaces the kind's default channels and caps what preferences may add.
    Recipients who turned this kind off get nothing. Four queries for any number of recipients.

    A notice about a child, to someone else than that child (a guardian), names the child: its title starts
    with the child's first name (unless it already says it) and its link carries ``?enfant=<id>``, so that
    the page opens on that child. That costs one query more (the first names), none when ``about`` is a
    user object."""
    about_ids = {int(k): v for k, v in about.items()} if isinstance(about, Mapping) else None
    about_id = None if about_ids is not None else about if isinstance(about, int) or about is None else about.pk
    target_type, target_id = (target._meta.label_lower, str(target.pk)) if target is not None else ("", "")
    ids = sorted({r if isinstance(r, int) else r.pk for r in recipients})
    registry.notification_kind(kind)  # an unknown kind fails loudly, even without recipients
    if not ids:
        return []
    plans = plan(
        recipient_ids=ids,
        kind=kind,
        about_id=about_id,
        about_ids=about_ids,
        establishment_id=establishment_id,
        channels=channels,
    )
    ids = [uid for uid in ids if plans[uid].channel != Channel.OFF]
    if not ids:
        return []
    child_of = {uid: about_ids.get(uid) if about_ids is not None else about_id for uid in ids}
    names = _first_names(about, {c for uid, c in child_of.items() if c is not None and c != uid})
    rows = []
    for uid in ids:
        child = child_of[uid]
        own_title, own_url = str(title), url
        if child is not None and child != uid:
            own_title, own_url = title_for_child(own_title, names.get(child, "")), link_for_child(url, child)
        rows.append(
            Notification(
                recipient_id=uid,
                kind=kind,
                about_id=child,
                title=own_title[:200],
                body=str(body),
                url=own_url,
                target_type=target_type,
                target_id=target_id,
                establishment_id=establishment_id,
            )
        )
    rows = Notification.objects.bulk_create(rows)
    if any(plans[uid].channel in (Channel.EMAIL, Channel.DIGEST) for uid in ids):
        if any(n.pk is None for n in rows):  # backends that do not return ids from bulk inserts
            rows = list(
                Notification.objects.filter(recipient_id__in=ids, kind=kind, target_id=target_id).order_by("-id")[
                    : len(ids)
                ]
            )
        deliveries = []
        for n in rows:
            p = plans[n.recipient_id]
            if p.channel == Channel.EMAIL:
                deliveries.append(Delivery(notification=n, channel=Delivery.Channel.EMAIL, not_before=p.not_before))
            elif p.channel == Channel.DIGEST:
                deliveries.append(Delivery(notification=n, channel=Delivery.Channel.DIGEST))
        Delivery.objects.bulk_create(deliveries)
        if any(d.channel == Delivery.Channel.EMAIL and d.not_before is None for d in deliveries):
            transaction.on_commit(_enqueue_delivery)
    return rows


def withdraw(target: models.Model) -> int:
    """Take back the notices about a thing being deleted, with their e-mails not sent yet: no notice leads to a
    page that no longer exists. Call it from the deleting action, in its transaction. Returns how many."""
    rows = Notification.objects.filter(target_type=target._meta.label_lower, target_id=str(target.pk))
    return rows.delete()[1].get(Notification._meta.label, 0)


def _first_names(about: Any, child_ids: set[int]) -> dict[int, str]:
    """The first names of the children notices name (none to look up when ``about`` is the user itself)."""
    if not child_ids:
        return {}
    if isinstance(about, models.Model) and about.pk in child_ids and hasattr(about, "first_name"):
        return {about.pk: about.first_name}
    return dict(get_user_model().objects.filter(pk__in=child_ids).values_list("pk", "first_name"))


def _enqueue_delivery() -> None:
    from cartable.core.tasks import deliver_pending

    deliver_pending.enqueue()
