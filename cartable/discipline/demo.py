"""The demo's discipline at the collège: a few incidents (one in the playground involving lucas.martin, with a
witness), punishments given by paul.dupont, sophie.bernard and nadia.petit (one for lucas.martin, seen by
claire.martin; a detention; an exclusion from class with its report), and one complete sanction procedure.
Dates relative to today; other students drawn with a seeded random; a few bulk inserts.

Writes: bulk inserts of rows spread over past weeks (``report_incident``, ``give_punishment`` and the
sanction actions write one at a time, as a staff member, audited, with the families' notices).
"""

from __future__ import annotations

import datetime as dt
import random
from typing import TYPE_CHECKING
from zoneinfo import ZoneInfo

from django.utils import timezone

from cartable.directory.actor import current
from cartable.directory.models import Enrolment
from cartable.discipline import rules
from cartable.discipline.models import Incident, Involvement, Punishment, Sanction

if TYPE_CHECKING:  # the demo layer hands the personas in; no import of it at run time
    from cartable.demo.personas import Personas

PARIS = ZoneInfo("Europe/Paris")
K = Punishment.Kind
REASONS = [
    (K.OBSERVATION, "Bavardages répétés malgré les rappels."),
    (K.EXTRA_WORK, "Travail non fait pour la troisième fois."),
    (K.ORAL_APOLOGY, "Propos déplacés envers un camarade."),
    (K.WRITTEN_APOLOGY, "Insolence envers un surveillant."),
    (K.OBSERVATION, "Oubli répété du matériel."),
    (K.EXTRA_WORK, "Copie d'un exercice sur un camarade."),
]


def _at(day: dt.date, hour: int, minute: int = 0) -> dt.datetime:
    return dt.datetime.combine(day, dt.time(hour, minute), tzinfo=PARIS)


def load_demo(personas: Personas, *, today: dt.date | None = None) -> None:
    """Fill the collège's discipline (unless it already has some)."""
    college = personas.college.establishment
    if Incident.objects.filter(establishment=college).exists():
        return
    p = personas.people
    today = today or timezone.localdate()
    rng = random.Random(4)
    enrolled = list(
        current(Enrolment.objects.filter(establishment=college))
        .order_by("student_id")
        .values_list("student_id", flat=True)
    )
    personas_ids = {p[n].pk for n in ("lucas.martin", "lea.bernard", "ines.girard", "zoe.fontaine")}
    others = [s for s in enrolled if s not in personas_ids]
    picked = rng.sample(others, min(len(others), 10)) if others else [p["ines.girard"].pk] * 10
    lucas, lea = p["lucas.martin"].pk, p["lea.bernard"].pk
    paul, sophie, nadia, marc = (p[n].pk for n in ("paul.dupont", "sophie.bernard", "nadia.petit", "marc.leroy"))

    day = lambda n: today - dt.timedelta(days=n)  # noqa: E731
    incidents = Incident.objects.bulk_create(
        [
            Incident(
                establishment=college,
                occurred_at=_at(day(3), 10, 5),
                place="Cour de récréation",
                facts="Bousculade pendant la récréation près du préau ; un élève est tombé et s'est égratigné "
                "le genou. Les élèves ont été séparés par un surveillant.",
                reported_by_id=paul,
            ),
            Incident(
                establishment=college,
                occurred_at=_at(day(6), 14, 20),
                place="Salle B12",
                facts="Refus répété de se mettre au travail et propos insultants envers l'enseignante.",
                reported_by_id=sophie,
            ),
            Incident(
                establishment=college,
                occurred_at=_at(day(20), 12, 40),
                place="Cantine",
                facts="Un élève a frappé un camarade à la sortie de la cantine.",
                reported_by_id=nadia,
            ),
        ]
    )
    playground, classroom, canteen = incidents
    Involvement.objects.bulk_create(
        [
            Involvement(establishment=college, incident=playground, person_id=picked[0], role=Involvement.Role.AUTHOR),
            Involvement(establishment=college, incident=playground, person_id=picked[1], role=Involvement.Role.VICTIM),
            Involvement(establishment=college, incident=playground, person_id=lucas, role=Involvement.Role.OTHER),
            Involvement(establishment=college, incident=playground, person_id=lea, role=Involvement.Role.WITNESS),
            Involvement(establishment=college, incident=classroom, person_id=picked[2], role=Involvement.Role.AUTHOR),
            Involvement(establishment=college, incident=classroom, person_id=sophie, role=Involvement.Role.WITNESS),
            Involvement(establishment=college, incident=canteen, person_id=picked[3], role=Involvement.Role.AUTHOR),
            Involvement(establishment=college, incident=canteen, person_id=picked[4], role=Involvement.Role.VICTIM),
            Involvement(establishment=college, incident=canteen, person_id=nadia, role=Involvement.Role.WITNESS),
        ]
    )
    rows = [
        Punishment(
            establishment=college,
            student_id=lucas,
            kind=K.EXTRA_WORK,
            reason="Exercices non faits deux fois de suite.",
            given_by_id=paul,
            given_on=day(2),
            due_on=today + dt.timedelta(days=2),
        ),
        Punishment(
            establishment=college,
            student_id=picked[0],
            incident=playground,
            kind=K.DETENTION,
            reason="Bousculade dans la cour.",
            given_by_id=nadia,
            given_on=day(3),
            detention_at=_at(today + dt.timedelta(days=(2 - today.weekday()) % 7 or 7), 13, 30),
            detention_place="Salle d'étude",
        ),
        Punishment(
            establishment=college,
            student_id=picked[2],
            incident=classroom,
            kind=K.CLASS_EXCLUSION,
            reason="Refus de travailler et insolence.",
            report="L'élève a refusé à plusieurs reprises de sortir ses affaires puis a insulté l'enseignante. "
            "Il a été accompagné à la vie scolaire avec un travail à faire.",
            given_by_id=sophie,
            given_on=day(6),
            done_on=day(6),
        ),
    ]
    for n, student_id in enumerate(picked[5:]):
        kind, reason = REASONS[n % len(REASONS)]
        given = day(rng.randint(1, 40))
        rows.append(
            Punishment(
                establishment=college,
                student_id=student_id,
                kind=kind,
                reason=reason,
                given_by_id=rng.choice([paul, sophie, nadia]),
                given_on=given,
                done_on=given + dt.timedelta(days=2)
                if rng.random() < 0.5 and given + dt.timedelta(days=2) <= today
                else None,
            )
        )
    Punishment.objects.bulk_create(rows)
    informed = day(19)
    Sanction.objects.bulk_create(
        [
            Sanction(
                establishment=college,
                student_id=picked[3],
                incident=canteen,
                authority=Sanction.Authority.PRINCIPAL,
                facts="Violence physique envers un camarade à la sortie de la cantine.",
                opened_by_id=marc,
                opened_on=day(20),
                informed_on=informed,
                defence_deadline=rules.defence_deadline(Sanction.Authority.PRINCIPAL, informed),
                defence_heard_on=day(17),
                defence_summary="L'élève reconnaît les faits et présente ses excuses ; sa mère était présente.",
                kind=Sanction.Kind.SCHOOL_EXCLUSION,
                days=2,
                suspension=Sanction.Suspension.FULL,
                decided_on=day(15),
                decided_by_id=marc,
                notified_on=day(14),
            ),
            Sanction(
                establishment=college,
                student_id=picked[2],
                incident=classroom,
                authority=Sanction.Authority.PRINCIPAL,
                facts="Insultes envers une enseignante en classe.",
                opened_by_id=marc,
                opened_on=day(1),
            ),
        ]
    )
