"""Bulletins: the demo region's data (runs after the grades' demo).

5e A's first trimester is complete: every subject teacher's appreciations (chosen from the student's
average, as the grades app computes it), the head teacher's general appreciations, the council's mentions,
and the PDFs, generated at load (one class, well under 2 s) and published, so lucas.martin and his mother
find a report card and its notice. Deterministic: texts follow the averages, nothing random.

Writes: the appreciations and council decisions in bulk inserts (the actions save one at a time, audited),
then the app's actions generate and publish the PDFs (``generate_run``, ``publish_class``); the run is
created directly because ``request_generation`` queues it for the worker instead of generating at once.
"""

from __future__ import annotations

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

SUBJECT_TEXTS = [
    (Decimal(16), "Excellent trimestre : un travail régulier et approfondi. Continuez ainsi."),
    (Decimal(13), "Bon trimestre, des résultats solides. Participez davantage à l'oral."),
    (Decimal(10), "Trimestre correct ; les leçons doivent être apprises plus régulièrement."),
    (Decimal(0), "Des difficultés : il faut reprendre les bases et demander de l'aide sans attendre."),
]
NO_MARK = "Pas assez d'évaluations ce trimestre pour apprécier le travail."
GENERAL_TEXTS = [
    (Decimal(15), "Très bon trimestre dans l'ensemble. Félicitations pour cet investissement."),
    (Decimal(12), "Bon ensemble. Le sérieux est là ; gagner en autonomie."),
    (Decimal(10), "Trimestre juste satisfaisant : un travail plus régulier est attendu."),
    (Decimal(0), "Trimestre difficile. Un point avec la famille est proposé."),
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
                text=_pick(SUBJECT_TEXTS, result.subject_average(s.pk, a.subject_id), NO_MARK),
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
                    text=_pick(GENERAL_TEXTS, result.overall_average(s.pk), NO_MARK),
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
