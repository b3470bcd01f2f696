"""Notifications: the demo region's notices, preferences and quiet hours.

Every persona gets a read notice and an unread one (on top of the welcome and what the other modules sent);
claire.martin chooses per child (Lucas's homework by e-mail, Emma's in the digest) and keeps her evenings and
weekends quiet; the collège holds its e-mails from 21:00 to 07:00. Deterministic, a few bulk inserts.

Writes: bulk inserts of notices already read or not, with preferences and quiet hours (no action writes
those for somebody else; ``notify`` would deliver the notices again).
"""

from __future__ import annotations

import datetime as dt
from typing import TYPE_CHECKING

from django.urls import reverse
from django.utils import timezone

from cartable.core.models import Notification, NotificationPreference, QuietHours
from cartable.directory.models import Role
from cartable.notifications.tasks import EVENT_TOMORROW, HOMEWORK_DUE

if TYPE_CHECKING:  # the demo layer hands the personas in; no import of it at run time
    from cartable.demo.personas import Personas

FAMILY = {Role.STUDENT, Role.GUARDIAN}


def load_demo(personas: Personas) -> None:
    """Fill the demo region (unless claire.martin already has her quiet hours)."""
    p = personas.people
    claire = p["claire.martin"]
    if QuietHours.objects.filter(user=claire).exists():
        return
    college = personas.college.establishment
    now = timezone.now()
    roles = _roles(personas)
    rows = []
    for username in sorted(p):
        user = p[username]
        family = bool(roles.get(user.pk, set()) & FAMILY)
        rows.append(
            Notification(
                recipient=user,
                kind=EVENT_TOMORROW,
                title="Demain : sortie au musée de l'École de Nancy" if family else "Demain : conseil pédagogique",
                body="Demain à 09:00.",
                url=reverse("agenda:home"),
                establishment_id=college.pk,
                read_at=now - dt.timedelta(hours=20),
            )
        )
        rows.append(
            Notification(
                recipient=user,
                kind=HOMEWORK_DUE if family else "timetable.change",
                title="Pour demain en Mathématiques : exercices 12 à 15 p. 87"
                if family
                else "Modification de l'emploi du temps : salle B12 au lieu de B04 jeudi",
                body="Ce travail n'est pas encore marqué comme fait." if family else "",
                url=reverse("homework:todo") if family else reverse("timetable:home"),
                establishment_id=college.pk,
                about=p["lucas.martin"] if username == "claire.martin" else None,
            )
        )
    Notification.objects.bulk_create(rows)
    emma, lucas = p["emma.martin"], p["lucas.martin"]
    NotificationPreference.objects.bulk_create(
        [
            NotificationPreference(user=claire, kind="homework.published", channel="digest"),
            NotificationPreference(user=claire, kind="homework.published", about=lucas, channel="email"),
            NotificationPreference(user=claire, kind="homework.published", about=emma, channel="in_app"),
            NotificationPreference(user=claire, kind=HOMEWORK_DUE, about=emma, channel="off"),
        ]
    )
    QuietHours.objects.bulk_create(
        [
            QuietHours(user=claire, start=dt.time(20), end=dt.time(7), weekends=True),
            QuietHours(establishment_id=college.pk, start=dt.time(21), end=dt.time(7)),
        ]
    )


def _roles(personas: Personas) -> dict[int, set[str]]:
    from cartable.directory.models import Membership

    result: dict[int, set[str]] = {}
    ids = [u.pk for u in personas.people.values()]
    for person_id, role in Membership.objects.filter(person_id__in=ids).values_list("person_id", "role"):
        result.setdefault(person_id, set()).add(role)
    return result
