"""Bulletins: the demo region's data (runs after the grades' demo).

5e A's first trimester is complete: every subject teacher's appreciations (chosen from the student's
average, as the grades app computes it), the head teacher's general appreciations, the council's mentions,
and the PDFs, generated at load (one class, well under 2 s) and published, so lucas.martin and his mother
find a report card and its notice. Deterministic: texts follow the averages (the wording within a band
follows the student and the subject), nothing random.

Writes: the appreciations and council decisions in bulk inserts (the actions save one at a time, audited),
then the app's actions generate and publish the PDFs (``generate_run``, ``publish_class``); the run is
created directly because ``request_generation`` queues it for the worker instead of generating at once.
"""

from __future__ import annotations

import zlib
from decimal import Decimal

from django.db.models import Q
from django.utils import timezone

from cartable.directory.actor import Actor, current
from cartable.directory.models import GroupMembership, TeachingAssignment
from cartable.reportcards import actions, queries
from cartable.reportcards.models import (
    CouncilDecision,
    GeneralAppreciation,
    GenerationRun,
    SubjectAppreciation,
)

# Several wordings per band of average, so that a class's report cards do not all say the same sentence; the
# wording is chosen from the student and the subject (a checksum of the username and the subject: the same on
# every load), the band from the average.
SUBJECT_TEXTS = [
    (
        Decimal(16),
        [
            "Excellent trimestre : un travail régulier et approfondi. Continuez ainsi.",
            "Très bons résultats, fruit d'un travail sérieux. Une participation précieuse en classe.",
            "Un trimestre remarquable : rigueur, curiosité et des rendus toujours soignés.",
            "D'excellentes compétences ; n'hésitez pas à aider vos camarades, vous le faites bien.",
        ],
    ),
    (
        Decimal(13),
        [
            "Bon trimestre, des résultats solides. Participez davantage à l'oral.",
            "Un travail sérieux et des progrès nets. Soignez davantage la présentation.",
            "De bonnes bases ; approfondir les exercices les plus difficiles pour aller plus loin.",
            "Bon ensemble, avec une attention constante. Quelques oublis de travail à éviter.",
        ],
    ),
    (
        Decimal(10),
        [
            "Trimestre correct ; les leçons doivent être apprises plus régulièrement.",
            "Des résultats moyens : le travail à la maison doit devenir plus régulier.",
            "Un ensemble fragile mais encourageant ; davantage de concentration en classe est attendue.",
            "Des acquis à consolider. Reprendre les corrections des évaluations aidera.",
        ],
    ),
    (
        Decimal(0),
        [
            "Des difficultés : il faut reprendre les bases et demander de l'aide sans attendre.",
            "Un trimestre difficile ; l'aide aux devoirs du collège est vivement conseillée.",
            "Des lacunes importantes. Un travail régulier et des questions en classe permettront de progresser.",
            "Les résultats ne reflètent pas encore les efforts : continuer et venir demander des explications.",
        ],
    ),
]
NO_MARK = "Pas assez d'évaluations ce trimestre pour apprécier le travail."
GENERAL_TEXTS = [
    (
        Decimal(15),
        [
            "Très bon trimestre dans l'ensemble. Félicitations pour cet investissement.",
            "Un excellent début d'année, dans toutes les matières. Bravo.",
            "Un trimestre très réussi, par le travail comme par l'attitude.",
        ],
    ),
    (
        Decimal(12),
        [
            "Bon ensemble. Le sérieux est là ; gagner en autonomie.",
            "Un bon trimestre ; quelques matières demandent encore plus de régularité.",
            "Des résultats satisfaisants et une bonne attitude. Oser davantage à l'oral.",
        ],
    ),
    (
        Decimal(10),
        [
            "Trimestre juste satisfaisant : un travail plus régulier est attendu.",
            "Un ensemble moyen ; l'organisation du travail personnel doit progresser.",
            "Des résultats inégaux selon les matières : il faut s'appuyer sur ses points forts.",
        ],
    ),
    (
        Decimal(0),
        [
            "Trimestre difficile. Un point avec la famille est proposé.",
            "Des difficultés dans plusieurs matières ; un accompagnement personnalisé est proposé.",
            "Un trimestre compliqué. L'équipe reste disponible pour aider à repartir sur de bonnes bases.",
        ],
    ),
]
MENTIONS = [
    (Decimal(16), CouncilDecision.Mention.CONGRATULATIONS),
    (Decimal(14), CouncilDecision.Mention.COMPLIMENTS),
    (Decimal(12), CouncilDecision.Mention.ENCOURAGEMENTS),
]


def _pick(table, value: Decimal | None, default):
    if value is None:
        return default
    return next((item for threshold, item in table if value >= threshold), default)


def _wording(table, value: Decimal | None, *key: str) -> str:
    """One of the wordings of the band ``value`` falls in, chosen from ``key`` (the same on every load)."""
    wordings = _pick(table, value, None)
    if wordings is None:
        return NO_MARK
    return wordings[zlib.crc32(":".join(key).encode()) % len(wordings)]


def load_demo(personas) -> None:
    """Write 5e A's first-trimester appreciations and decisions, generate the PDFs and publish them."""
    kit = personas.college
    school_class = kit.classes["5e A"]
    period = kit.periods[0]
    principal = personas.people["marc.leroy"]
    establishment_id = kit.establishment.pk
    students = queries.students_of(school_class)
    ids = [s.pk for s in students]
    result = queries.averages(school_class, period, ids)
    assignments = list(
        current(TeachingAssignment.objects.filter(Q(school_class=school_class) | Q(group__classes=school_class)))
    )
    members = {
        (group_id, student_id)
        for group_id, student_id in current(
            GroupMembership.objects.filter(group_id__in=[a.group_id for a in assignments if a.group_id])
        ).values_list("group_id", "student_id")
    }
    common = {"establishment_id": establishment_id, "period": period, "school_class": school_class}
    SubjectAppreciation.objects.bulk_create(
        [
            SubjectAppreciation(
                **common,
                subject_id=a.subject_id,
                student=s,
                author_id=a.teacher_id,
                text=_wording(SUBJECT_TEXTS, result.subject_average(s.pk, a.subject_id), s.username, str(a.subject_id)),
            )
            for a in assignments
            for s in students
            if a.group_id is None or (a.group_id, s.pk) in members
        ],
        ignore_conflicts=True,
    )
    head = school_class.head_teacher_id
    if head is not None:
        GeneralAppreciation.objects.bulk_create(
            [
                GeneralAppreciation(
                    **common,
                    student=s,
                    author_id=head,
                    text=_wording(GENERAL_TEXTS, result.overall_average(s.pk), s.username),
                )
                for s in students
            ]
        )
    decisions = []
    for s in students:
        mention = _pick(MENTIONS, result.overall_average(s.pk), "")
        if mention:
            decisions.append(CouncilDecision(**common, student=s, mention=mention, decided_by=principal))
    CouncilDecision.objects.bulk_create(decisions)
    run = GenerationRun.objects.create(
        establishment_id=establishment_id,
        period=period,
        school_class=school_class,
        requested_by=principal,
        total=len(students),
    )
    actions.generate_run(run.pk)
    actions.publish_class(
        actor=Actor(principal),
        school_class=school_class,
        period=period,
        publish_at=timezone.now(),
        channels=("in_app",),  # the demo sends no e-mail of its own
        confirm_missing=True,  # the demo's decisions are only the mentions its averages earn
    )
