"""The demo's agenda: a parent-teacher evening, a trip for 5e A, an exam week at the lycée, staff meetings and a
personal event for lucas.martin, around the current week. A few inserts, deterministic.

Writes: one bulk insert of events dated across the year (``create_event`` writes one event at a time,
checks the author's rights and audits each; the demo's events are nobody's act).
"""

from __future__ import annotations

import datetime as dt
from typing import TYPE_CHECKING
from zoneinfo import ZoneInfo

from django.utils import timezone

from cartable.agenda.models import Event
from cartable.directory.models import SchoolClass

if TYPE_CHECKING:  # the demo layer hands the personas in; no import of it at run time
    from cartable.demo.personas import Personas

PARIS = ZoneInfo("Europe/Paris")


def _at(day: dt.date, hour: int, minute: int = 0) -> dt.datetime:
    return dt.datetime.combine(day, dt.time(hour, minute), tzinfo=PARIS)


def load_demo(personas: Personas, *, today: dt.date | None = None) -> list[Event]:
    """Create the demo's events (unless the demo already has some) and return them."""
    college, lycee = personas.college.establishment, personas.lycee.establishment
    if Event.objects.filter(establishment__in=[college, lycee]).exists():
        return []
    p = personas.people
    today = today or timezone.localdate()
    monday = today - dt.timedelta(days=today.weekday())
    five_a = SchoolClass.objects.get(establishment=college, name="5e A")
    A, K = Event.Audience, Event.Kind
    rows = [
        Event(
            establishment=college,
            kind=K.PARENTS_EVENING,
            audience=A.FAMILIES,
            title="Rencontre parents-professeurs des 5e",
            description="<p>Chaque famille rencontre l'équipe pédagogique. Inscription auprès du professeur "
            "principal.</p>",
            location="Salle polyvalente",
            start=_at(monday + dt.timedelta(days=3), 17, 30),
            end=_at(monday + dt.timedelta(days=3), 20),
            owner=p["marc.leroy"],
        ),
        Event(
            establishment=college,
            kind=K.TRIP,
            audience=A.CLASSES,
            title="Sortie au musée de l'École de Nancy",
            description="<p>Départ 8 h 30 devant le collège, retour vers 16 h. Prévoir un pique-nique.</p>",
            location="Musée de l'École de Nancy",
            start=_at(monday + dt.timedelta(days=8), 8, 30),
            end=_at(monday + dt.timedelta(days=8), 16),
            owner=p["paul.dupont"],
        ),
        Event(
            establishment=lycee,
            kind=K.EXAMS,
            audience=A.EVERYONE,
            title="Semaine d'examens blancs",
            description="<p>Devoirs surveillés dans toutes les matières ; les cours habituels sont suspendus.</p>",
            start=_at(monday + dt.timedelta(days=14), 0),
            end=_at(monday + dt.timedelta(days=18), 23, 59),
            all_day=True,
            owner=p["admin.region"],
        ),
        Event(
            establishment=college,
            kind=K.MEETING,
            audience=A.STAFF,
            title="Conseil pédagogique",
            location="Salle des professeurs",
            start=_at(monday + dt.timedelta(days=1), 17),
            end=_at(monday + dt.timedelta(days=1), 18, 30),
            owner=p["marc.leroy"],
        ),
        Event(
            establishment=college,
            kind=K.MEETING,
            audience=A.STAFF,
            title="Réunion de l'équipe de vie scolaire",
            location="Bureau de la CPE",
            start=_at(monday + dt.timedelta(days=9), 12, 30),
            end=_at(monday + dt.timedelta(days=9), 13, 30),
            owner=p["nadia.petit"],
        ),
        Event(
            establishment=None,
            kind=K.PERSONAL,
            audience=A.PERSONAL,
            title="Entraînement de handball",
            location="Gymnase",
            start=_at(monday + dt.timedelta(days=2), 14),
            end=_at(monday + dt.timedelta(days=2), 16),
            owner=p["lucas.martin"],
        ),
    ]
    created = Event.objects.bulk_create(rows)
    trip = next(e for e in created if e.kind == K.TRIP)
    Event.classes.through.objects.create(event_id=trip.pk, schoolclass_id=five_a.pk)
    return created
