"""Writes of the grades app: evaluations, marks, competency assessments, subject coefficients, and the
"new grades" notice.

Every write is atomic and audited. Marks are saved a whole grid at a time (one audit row per grid save,
listing what changed). Students and their guardians learn of new grades once per evaluation, when its
marks become visible: at once when it is published now (on the first save of marks), else by the periodic
:func:`announce_published` — each evaluation is claimed with a conditional update, so never twice.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from decimal import Decimal

from django.core.exceptions import PermissionDenied
from django.db import models as django_models
from django.db import transaction
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _

from cartable.core import audit, authz, dates, erasure, notify
from cartable.core.authz import Action
from cartable.directory.actor import Actor
from cartable.directory.models import Group, Period, SchoolClass, Subject, User
from cartable.directory.queries import guardians_of_students
from cartable.grades.models import CompetencyAssessment, Component, Evaluation, Mark, SubjectCoefficient

EVALUATION_FIELDS = (
    "subject_id",
    "school_class_id",
    "group_id",
    "period_id",
    "title",
    "date",
    "coefficient",
    "scale",
    "not_handed_in_counts_zero",
    "competencies",
    "publish_at",
)


def _user_id(actor: Actor) -> int:
    """The acting person's id: nobody signed out writes anything."""
    if actor.user_id is None:
        raise PermissionDenied
    return actor.user_id


# --- evaluations -------------------------------------------------------------------------------------
@transaction.atomic
def save_evaluation(
    *,
    actor: Actor,
    subject: Subject,
    period: Period,
    title: str,
    date: dt.date,
    coefficient: Decimal = Decimal(1),
    scale: Decimal = Decimal(20),
    publish_at: dt.datetime | None = None,
    not_handed_in_counts_zero: bool = True,
    competencies: list[str] | None = None,
    school_class: SchoolClass | None = None,
    group: Group | None = None,
    evaluation: Evaluation | None = None,
) -> Evaluation:
    """Create (``evaluation`` None) or change an evaluation of a subject the actor teaches to the class or
    group. Lowering the scale below a mark already entered is refused (``ValueError``)."""
    creating = evaluation is None
    if evaluation is None:
        evaluation = Evaluation(teacher_id=_user_id(actor))
        before = None
    else:
        authz.require(actor, Action.CHANGE, evaluation)
        before = audit.snapshot(evaluation, EVALUATION_FIELDS)
        if evaluation.marks.filter(value__gt=scale).exists():
            raise ValueError("scale below an entered mark")
    audience = school_class or group
    if audience is None or (school_class is not None and group is not None):
        raise ValueError("exactly one of school_class and group")
    if period.establishment_id != audience.establishment_id or subject.establishment_id != audience.establishment_id:
        raise PermissionDenied
    evaluation.establishment_id = audience.establishment_id
    evaluation.subject, evaluation.period = subject, period
    evaluation.school_class, evaluation.group = school_class, group
    evaluation.title = title.strip()
    evaluation.date = date
    evaluation.coefficient, evaluation.scale = coefficient, scale
    evaluation.publish_at = publish_at or timezone.now()
    evaluation.not_handed_in_counts_zero = not_handed_in_counts_zero
    evaluation.competencies = [c for c in Component.values if c in set(competencies or [])]
    authz.require(actor, Action.CREATE if creating else Action.CHANGE, evaluation)
    evaluation.save()
    audit.record(
        actor=actor,
        verb="grades.create_evaluation" if creating else "grades.change_evaluation",
        target=evaluation,
        establishment_id=evaluation.establishment_id,
        before=before,
        after=audit.snapshot(evaluation, EVALUATION_FIELDS),
    )
    return evaluation


@transaction.atomic
def delete_evaluation(*, actor: Actor, evaluation: Evaluation) -> None:
    """Delete an evaluation with its marks and competency assessments."""
    authz.require(actor, Action.DELETE, evaluation)
    audit.record(
        actor=actor,
        verb="grades.delete_evaluation",
        target=evaluation,
        establishment_id=evaluation.establishment_id,
        before={**audit.snapshot(evaluation, EVALUATION_FIELDS), "marks": evaluation.marks.count()},
    )
    evaluation.delete()


# --- marks -------------------------------------------------------------------------------------------
@dataclass(frozen=True)
class MarkEntry:
    """What a grid cell says: a value within the scale, a code, or nothing (both empty: no mark)."""

    value: Decimal | None = None
    code: str = ""

    @property
    def is_empty(self) -> bool:
        return self.value is None and not self.code

    def as_text(self) -> str:
        return self.code or ("" if self.value is None else str(self.value))


@transaction.atomic
def save_marks(*, actor: Actor, evaluation: Evaluation, entries: dict[int, MarkEntry]) -> dict[str, int]:
    """Save a grid of marks (student id -> entry; an empty entry removes the mark); return the counts.

    The caller (the form) checks that the students are in the evaluation's audience and the values within
    the scale; this action checks the right to change and the scale again (``ValueError``)."""
    authz.require(actor, Action.CHANGE, evaluation)
    for entry in entries.values():
        if entry.value is not None and not (0 <= entry.value <= evaluation.scale):
            raise ValueError("value outside the scale")
        if entry.code and entry.code not in Mark.Code.values:
            raise ValueError("unknown code")
    existing = {m.student_id: m for m in evaluation.marks.filter(student_id__in=list(entries))}
    created, changed, removed, before, after = [], [], [], {}, {}
    for student_id, entry in entries.items():
        mark = existing.get(student_id)
        old = MarkEntry(mark.value, mark.code) if mark else MarkEntry()
        if old == entry:
            continue
        before[str(student_id)], after[str(student_id)] = old.as_text(), entry.as_text()
        if entry.is_empty:
            if mark is not None:  # an empty entry equals no mark: skipped above
                removed.append(mark.pk)
        elif mark is None:
            created.append(
                Mark(
                    establishment_id=evaluation.establishment_id,
                    evaluation=evaluation,
                    student_id=student_id,
                    value=entry.value,
                    code=entry.code,
                    updated_by_id=_user_id(actor),
                )
            )
        else:
            mark.value, mark.code, mark.updated_by_id, mark.updated_at = (
                entry.value,
                entry.code,
                _user_id(actor),
                timezone.now(),
            )
            changed.append(mark)
    if removed:
        Mark.objects.filter(pk__in=removed).delete()
    if created:
        Mark.objects.bulk_create(created)
    if changed:
        Mark.objects.bulk_update(changed, ["value", "code", "updated_by", "updated_at"])
    counts = {"created": len(created), "changed": len(changed), "removed": len(removed)}
    if before:
        audit.record(
            actor=actor,
            verb="grades.save_marks",
            target=evaluation,
            establishment_id=evaluation.establishment_id,
            before=before,
            after={**after, "counts": counts},
        )
    if evaluation.notified_at is None and evaluation.publish_at <= timezone.now() and (created or changed):
        _claim_and_announce([evaluation], timezone.now())
    return counts


# --- the "new grades" notice -------------------------------------------------------------------------
def _announce(evaluations: list[Evaluation]) -> None:
    marked: dict[int, list[int]] = {}
    for evaluation_id, student_id in Mark.objects.filter(evaluation__in=evaluations).values_list(
        "evaluation_id", "student_id"
    ):
        marked.setdefault(evaluation_id, []).append(student_id)
    guardians = guardians_of_students({s for students in marked.values() for s in students})
    for evaluation in evaluations:
        url = reverse("grades:mine") + f"#evaluation-{evaluation.pk}"  # the mark's row on the grades page
        title = _("Nouvelle note en %(subject)s : %(title)s") % {
            "subject": evaluation.subject.name,
            "title": evaluation.title,
        }
        body = _("Évaluation du %(date)s.") % {"date": dates.date_avis(evaluation.date)}
        students = marked.get(evaluation.pk, [])
        if students:
            notify.notify(
                recipients=students,
                kind="grades.published",
                title=title,
                body=body,
                url=url,
                target=evaluation,
                establishment_id=evaluation.establishment_id,
            )
        for student_id in students:
            if guardians.get(student_id):
                notify.notify(
                    recipients=guardians[student_id],
                    kind="grades.published",
                    title=title,
                    body=body,
                    url=url,
                    target=evaluation,
                    establishment_id=evaluation.establishment_id,
                    about=student_id,
                )


def _claim_and_announce(candidates: list[Evaluation], now: dt.datetime) -> list[Evaluation]:
    claimed = [
        e for e in candidates if Evaluation.objects.filter(pk=e.pk, notified_at__isnull=True).update(notified_at=now)
    ]
    for e in claimed:
        e.notified_at = now
    if claimed:
        _announce(claimed)
    return claimed


@transaction.atomic
def announce_published(now: dt.datetime | None = None) -> int:
    """Tell students and guardians about evaluations whose marks have become visible since the last run
    (evaluations with marks only); return how many were announced."""
    now = now or timezone.now()
    due = list(
        Evaluation.objects.filter(notified_at__isnull=True, publish_at__lte=now, marks__isnull=False)
        .distinct()
        .select_related("subject")
        .order_by("id")[:500]
    )
    return len(_claim_and_announce(due, now))


# --- competencies ------------------------------------------------------------------------------------
@transaction.atomic
def save_competency_levels(
    *,
    actor: Actor,
    period: Period,
    levels: dict[tuple[int, str], int | None],
    evaluation: Evaluation | None = None,
    subject: Subject | None = None,
    date: dt.date | None = None,
    publish_at: dt.datetime | None = None,
) -> int:
    """Record levels of mastery ((student id, component) -> level 1-4, or None to remove), within an
    evaluation (its teacher only) or directly (any teacher of the student); return how many rows changed."""
    if evaluation is not None:
        authz.require(actor, Action.CHANGE, evaluation)
        subject, date, publish_at = evaluation.subject, evaluation.date, evaluation.publish_at
    for student_id, component in levels:
        if component not in Component.values:
            raise ValueError("unknown component")
        if evaluation is None:
            authz.require(actor, Action.CREATE, CompetencyAssessment(student_id=student_id, component=component))
    existing_qs = CompetencyAssessment.objects.filter(period=period, assessed_by_id=actor.user_id)
    existing_qs = existing_qs.filter(evaluation=evaluation) if evaluation else existing_qs.filter(evaluation=None)
    existing_qs = existing_qs.filter(student_id__in={s for s, _c in levels})
    if evaluation is None:
        existing_qs = existing_qs.filter(date=date or timezone.localdate(), subject=subject)
    existing = {(a.student_id, a.component): a for a in existing_qs}
    to_create, to_update, to_delete, changes = [], [], [], {}
    for (student_id, component), level in levels.items():
        row = existing.get((student_id, component))
        if (row.level if row else None) == level:
            continue
        changes[f"{student_id}:{component}"] = level
        if level is None:
            if row is not None:  # no level and no row: skipped above
                to_delete.append(row.pk)
        elif row is None:
            to_create.append(
                CompetencyAssessment(
                    establishment_id=period.establishment_id,
                    student_id=student_id,
                    component=component,
                    level=level,
                    evaluation=evaluation,
                    subject=subject,
                    period=period,
                    assessed_by_id=_user_id(actor),
                    date=date or timezone.localdate(),
                    publish_at=publish_at or timezone.now(),
                )
            )
        else:
            row.level = level
            to_update.append(row)
    if to_delete:
        CompetencyAssessment.objects.filter(pk__in=to_delete).delete()
    if to_create:
        CompetencyAssessment.objects.bulk_create(to_create)
    if to_update:
        CompetencyAssessment.objects.bulk_update(to_update, ["level"])
    if changes:
        audit.record(
            actor=actor,
            verb="grades.assess_competencies",
            target=evaluation,
            establishment_id=period.establishment_id,
            after=changes,
        )
    return len(changes)


# --- subject coefficients ----------------------------------------------------------------------------
@transaction.atomic
def set_subject_coefficient(*, actor: Actor, subject: Subject, level: str, coefficient: Decimal) -> SubjectCoefficient:
    """Set how much a subject weighs in the overall average of a level (the direction)."""
    row = SubjectCoefficient.objects.filter(
        establishment_id=subject.establishment_id, subject=subject, level=level
    ).first() or SubjectCoefficient(establishment_id=subject.establishment_id, subject=subject, level=level)
    before = None if row.pk is None else {"coefficient": str(row.coefficient)}
    row.coefficient = coefficient
    authz.require(actor, Action.CHANGE, row)
    row.save()
    audit.record(
        actor=actor,
        verb="grades.set_subject_coefficient",
        target=row,
        establishment_id=row.establishment_id,
        before=before,
        after={"subject": subject.code, "level": level, "coefficient": str(coefficient)},
    )
    return row


# --- erasure of a person's data (named by the data providers in hooks.py) -------------------------------
# Imports here rather than at the top, so that this block merges as one piece.


ERASURE: dict[type[django_models.Model], erasure.Rule] = {
    Evaluation: erasure.keep("the class's results stay; the teacher who set them stays recorded"),
    Mark: erasure.delete("student"),
    CompetencyAssessment: erasure.delete("student"),
}


@transaction.atomic
def erase_personal_data(*, user: User, model: type[django_models.Model], actor: Actor | None = None) -> int:
    """Erase or anonymise what ``model`` holds on ``user`` (its rule above), audited; returns the rows changed."""
    return erasure.erase(app="grades", rules=ERASURE, user=user, model=model, actor=actor)
