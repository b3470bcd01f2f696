"""Notes et compétences: the demo region's data.

The first period of the current school year (the first trimester at the collège, the first semester at the
lycée), for every current teaching assignment of both establishments: three or four evaluations (out of 20
or 10, coefficients 0.5 to 2), each student's marks drawn around a personal level, with a few Abs, Disp and
NN, all published (and already announced: loading the demo sends no notice). 5e A also has its socle
commun positioning: every component assessed once or twice by the teachers of the class. Deterministic
(seeded ``random.Random``, dates relative to the school year and today) and written with bulk inserts.

Writes: bulk inserts and one raw multi-row insert of the marks (thousands of rows: the actions save and audit
one mark at a time and notify the families, far too slow for a demo load).
"""

from __future__ import annotations

import datetime as dt
import random
from collections import defaultdict
from decimal import Decimal
from typing import TYPE_CHECKING

from django.db import connection
from django.utils import timezone

from cartable.directory.actor import current
from cartable.directory.models import Enrolment, GroupMembership, TeachingAssignment
from cartable.grades.models import CompetencyAssessment, Component, Evaluation, Mark

if TYPE_CHECKING:  # the demo layer hands the personas in; no import of it at run time
    from cartable.demo.personas import Personas

TITLES = {
    "LAT": ["Déclinaisons", "Version latine", "Vocabulaire : la maison romaine"],
    "FRA": ["Dictée", "Rédaction", "Lecture suivie", "Grammaire : les accords", "Récitation"],
    "MATH": ["Les fractions", "Calcul mental", "Les nombres relatifs", "Géométrie : les triangles", "Devoir maison"],
    "HG": ["L'empire byzantin", "Croquis de synthèse", "Repères chronologiques", "Étude de document"],
    "ANG": ["Vocabulary test", "Listening", "The past simple", "Oral presentation"],
    "ALL": ["Wortschatz", "Hörverstehen", "Grammatik"],
    "ESP": ["Vocabulario", "Comprensión oral", "Gramática"],
}
GENERIC = [
    "Interrogation écrite",
    "Devoir surveillé",
    "Exercices notés",
    "Travail de groupe",
    "Contrôle de fin de chapitre",
]
SHAPES = [
    (Decimal(20), Decimal(1)),
    (Decimal(20), Decimal(2)),
    (Decimal(10), Decimal("0.5")),
    (Decimal(20), Decimal(1)),
]
COMPETENCY_SUBJECTS = {
    "D1.1": ["FRA"],
    "D1.2": ["ANG", "ALL", "ESP"],
    "D1.3": ["MATH", "TECH", "PC"],
    "D1.4": ["AP", "EMUS", "EPS"],
    "D2": ["FRA", "MATH", "HG"],
    "D3": ["HG", "EPS"],
    "D4": ["SVT", "PC", "TECH"],
    "D5": ["HG", "FRA"],
}


def _aware(day: dt.date, hour: int) -> dt.datetime:
    return timezone.make_aware(dt.datetime.combine(day, dt.time(hour)))


def _dates(period, count: int, rng: random.Random) -> list[dt.date]:
    """``count`` school days spread over the period, up to today when the period is under way."""
    end = min(period.end_date, timezone.localdate() - dt.timedelta(days=1))
    start = period.start_date + dt.timedelta(days=10)
    if end <= start:
        start, end = period.start_date, max(period.start_date, end)
    span = (end - start).days
    days = []
    for i in range(count):
        day = start + dt.timedelta(days=span * (i + 1) // (count + 1) + rng.randint(0, 2))
        while day.weekday() >= 5:
            day -= dt.timedelta(days=1)
        days.append(min(max(day, period.start_date), period.end_date))
    return sorted(days)


def _mark(rng: random.Random, level: float, scale: Decimal) -> tuple[Decimal | None, str]:
    roll = rng.random()
    if roll < 0.03:
        return None, Mark.Code.ABSENT
    if roll < 0.04:
        return None, Mark.Code.EXEMPTED
    if roll < 0.05:
        return None, Mark.Code.NOT_GRADED
    value = max(0.0, min(20.0, rng.gauss(level, 2.5))) * float(scale) / 20
    return Decimal(round(value * 2) / 2).quantize(Decimal("0.01")), ""


def _audiences(establishment_ids) -> dict[tuple[str, int], list[int]]:
    """Students of every class and group now, by name order of their ids (two queries)."""
    result: dict[tuple[str, int], list[int]] = defaultdict(list)
    for class_id, student_id in current(Enrolment.objects.filter(establishment_id__in=establishment_ids)).values_list(
        "school_class_id", "student_id"
    ):
        result["class", class_id].append(student_id)
    for group_id, student_id in current(
        GroupMembership.objects.filter(establishment_id__in=establishment_ids)
    ).values_list("group_id", "student_id"):
        result["group", group_id].append(student_id)
    return result


def load_demo(personas: Personas) -> None:
    """Write the first period's evaluations and marks, and 5e A's competency positioning."""
    rng = random.Random(5)
    kits = [personas.college, personas.lycee]
    now = timezone.now()
    audiences = _audiences([k.establishment.pk for k in kits])
    levels: dict[int, float] = {}
    evaluations: list[Evaluation] = []
    plans: list[tuple[Evaluation, list[int]]] = []
    for kit in kits:
        period = kit.periods[0]
        assignments = current(TeachingAssignment.objects.filter(establishment=kit.establishment)).select_related(
            "subject"
        )
        for assignment in assignments.order_by("id"):
            key = (
                ("class", assignment.school_class_id) if assignment.school_class_id else ("group", assignment.group_id)
            )
            students = sorted(audiences.get(key, []))
            if not students:
                continue
            count = rng.randint(3, 4)
            titles = TITLES.get(assignment.subject.code, GENERIC)
            for i, day in enumerate(_dates(period, count, rng)):
                scale, coefficient = SHAPES[(assignment.pk + i) % len(SHAPES)]
                evaluation = Evaluation(
                    establishment=kit.establishment,
                    teacher_id=assignment.teacher_id,
                    subject_id=assignment.subject_id,
                    school_class_id=assignment.school_class_id,
                    group_id=assignment.group_id,
                    period=period,
                    title=titles[i % len(titles)],
                    date=day,
                    coefficient=coefficient,
                    scale=scale,
                    not_handed_in_counts_zero=i % 2 == 0,
                    publish_at=min(_aware(day, 18), now),
                    notified_at=now,
                )
                evaluations.append(evaluation)
                plans.append((evaluation, students))
    Evaluation.objects.bulk_create(evaluations, batch_size=500)
    # About 13,000 marks: multi-row INSERTs, without building model instances (the ORM's per-object cost
    # would take seconds).
    ops = connection.ops
    stamp = ops.adapt_datetimefield_value(now)
    rows = []
    for evaluation, students in plans:
        for student_id in students:
            level = levels.setdefault(student_id, max(5.0, min(18.0, rng.gauss(12.5, 2.8))))
            value, code = _mark(rng, level, evaluation.scale)
            rows.append(
                (
                    evaluation.establishment_id,
                    evaluation.pk,
                    student_id,
                    None if value is None else ops.adapt_decimalfield_value(value, 5, 2),
                    code,
                    evaluation.teacher_id,
                    stamp,
                )
            )
    table = connection.ops.quote_name(Mark._meta.db_table)
    columns = "establishment_id, evaluation_id, student_id, value, code, updated_by_id, updated_at"
    with connection.cursor() as cursor:
        for start in range(0, len(rows), 500):  # 500 rows (3,500 parameters) per statement
            chunk = rows[start : start + 500]
            placeholders = ", ".join(["(%s, %s, %s, %s, %s, %s, %s)"] * len(chunk))
            cursor.execute(
                f"INSERT INTO {table} ({columns}) VALUES {placeholders}",  # noqa: S608  (no user input)
                [value for row in chunk for value in row],
            )
    _competencies(personas, rng, levels, audiences, now)


def _competencies(personas, rng, levels, audiences, now) -> None:
    """5e A: every component assessed once or twice by a teacher of the class, around the student's level."""
    kit = personas.college
    five_a = kit.classes["5e A"]
    period = kit.periods[0]
    teachers = {
        code: (teacher_id, subject_id)
        for code, teacher_id, subject_id in current(TeachingAssignment.objects.filter(school_class=five_a)).values_list(
            "subject__code", "teacher_id", "subject_id"
        )
    }
    fallback = (five_a.head_teacher_id, None) if five_a.head_teacher_id else next(iter(teachers.values()), None)
    if fallback is None:
        return
    day = _dates(period, 1, rng)[0]
    rows = []
    for student_id in sorted(audiences.get(("class", five_a.pk), [])):
        base = levels.get(student_id, 12.0)
        for component in Component.values:
            subject_code = next((c for c in COMPETENCY_SUBJECTS[component] if c in teachers), None)
            for n in range(rng.randint(1, 2)):
                level = max(1, min(4, round((base - 4) / 4 + rng.uniform(-0.8, 0.8))))
                rows.append(
                    CompetencyAssessment(
                        establishment=kit.establishment,
                        student_id=student_id,
                        component=component,
                        level=level,
                        subject_id=teachers.get(subject_code, fallback)[1],
                        period=period,
                        assessed_by_id=teachers.get(subject_code, fallback)[0],
                        date=min(day + dt.timedelta(days=7 * n), period.end_date),
                        publish_at=min(_aware(day, 18), now),
                    )
                )
    CompetencyAssessment.objects.bulk_create(rows, batch_size=2000)
