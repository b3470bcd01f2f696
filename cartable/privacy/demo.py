"""The privacy centre's demo: what claire.martin finds in « Qui a consulté » for Lucas.

This week paul.dupont (mathématiques, professeur principal de 5e A) opened his class's gradebook, and
nadia.petit (CPE) Lucas's absence file. The rows are written by the real read helpers, called as those
personas, after the same checks the pages make (a teacher does not see absences, nor the CPE grades).
And a rectification request of claire.martin's for Lucas waits in marc.leroy's queue."""

from __future__ import annotations

from typing import TYPE_CHECKING

from cartable.attendance import queries as attendance
from cartable.core import authz
from cartable.directory.actor import Actor
from cartable.grades import queries as grades
from cartable.privacy import actions
from cartable.privacy.models import PrivacyRequest

if TYPE_CHECKING:
    from cartable.demo.personas import Personas


def load_demo(personas: Personas) -> None:
    p = personas.people
    lucas, five_a = p["lucas.martin"], personas.college.classes["5e A"]
    paul = Actor(p["paul.dupont"])
    authz.require(paul, "grades.view_gradebook", five_a)
    _periods, period = grades.period_choice(five_a.establishment_id, None)
    for _ in range(3):
        grades.gradebook(paul, school_class=five_a, period=period)
    nadia = Actor(p["nadia.petit"])
    authz.require(nadia, "attendance.view_student_file", lucas)
    start, end = attendance.school_year(nadia.establishment_id)
    attendance.student_file(nadia, lucas, start=start, end=end)
    actions.submit_request(
        actor=Actor(p["claire.martin"]),
        subject=lucas,
        kind=PrivacyRequest.Kind.RECTIFICATION,
        body="La date de naissance de Lucas est fausse dans son dossier : merci de la corriger d'après son livret "
        "de famille, que je peux apporter au secrétariat.",
    )
