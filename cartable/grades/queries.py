"""Notes et compétences: reads for pages, exports, report cards and the API.

Averages (the rule is in :mod:`cartable.grades.averages`) are computed in the database: one aggregate query
groups the marks by student, subject, audience (class or group) and scale, and returns *exact
integer* sums of hundredths — ``Σ (value × 100)(coefficient × 100)`` and ``Σ coefficient × 100``. Integer
sums are exact on SQLite and PostgreSQL alike; the one division per average, and its rounding, happen in
``averages`` on fractions, so both databases give the same Decimals to the last digit (a SQL division would
go through floats on SQLite and a 16-digit ``numeric`` on PostgreSQL).

``period_averages(*, student_ids, period, establishment_id) -> PeriodAverages`` (3 queries, whatever the
number of students, marks or subjects) returns:

* ``PeriodAverages.students[student_id] -> StudentAverages`` (every requested student, even without marks):
  the student's class (id, name, level), their ``subjects`` (``subject_id -> SubjectAverage``, in
  subject-name order) and their ``overall`` average;
* ``SubjectAverage``: ``subject_id``, ``code``, ``name``, ``coefficient`` (of the subject in the overall
  average, for the student's level; 1 by default), ``average`` (/20, ``Decimal`` or ``None`` when nothing
  counts), ``audience`` (``("class", id)`` or ``("group", id)``: whom the subject was taught to) and
  ``cohort`` (:class:`averages.Stats`: class average, minimum, maximum and count of the rounded subject
  averages of everybody in that audience);
* ``PeriodAverages.overall_stats[class_id] -> Stats``: the same over the overall averages of the class;
* ``PeriodAverages.subjects``: every subject met, ``(id, code, name)``, in name order.

It does not check permissions: callers (pages, report cards) authorize the student list first.
"""

from __future__ import annotations

import datetime as dt
from collections import defaultdict
from collections.abc import Iterable, Iterator
from dataclasses import dataclass, field
from decimal import Decimal
from fractions import Fraction
from typing import Any

from django.db.models import BigIntegerField, Case, Count, F, Max, Min, Q, Sum, Value, When
from django.db.models.functions import Cast, Round
from django.http import Http404
from django.utils import timezone

from cartable.core import authz
from cartable.directory.actor import Actor, current
from cartable.directory.models import (
    Enrolment,
    Group,
    GroupMembership,
    Period,
    Role,
    SchoolClass,
    Subject,
    TeachingAssignment,
    User,
)
from cartable.grades import averages
from cartable.grades.averages import Stats
from cartable.grades.models import CompetencyAssessment, Component, Evaluation, Mark, MasteryLevel, SubjectCoefficient
from cartable.grades.policies import EvaluationPolicy


def hundredths(expression) -> Cast:
    """An exact integer: a 2-place Decimal column × 100 (ROUND guards against SQLite's REAL storage)."""
    return Cast(Round(expression * Value(100)), output_field=BigIntegerField())


def counted_q(prefix: str = "") -> Q:
    """The marks that count (rule 1 of ``averages``)."""
    return Q(**{f"{prefix}code": ""}) | Q(
        **{f"{prefix}code": Mark.Code.NOT_HANDED_IN, f"{prefix}evaluation__not_handed_in_counts_zero": True}
    )


def counted_value_hundredths() -> Case:
    """The counted value × 100 (0 for a counted NR), as an exact integer."""
    return Case(When(code="", then=hundredths(F("value"))), default=Value(0), output_field=BigIntegerField())


@dataclass(frozen=True)
class SubjectAverage:
    subject_id: int
    code: str
    name: str
    coefficient: Decimal
    average: Decimal | None
    audience: tuple[str, int]
    cohort: Stats = field(default_factory=Stats)


@dataclass
class StudentAverages:
    student_id: int
    class_id: int | None = None
    class_name: str = ""
    level: str = ""
    subjects: dict[int, SubjectAverage] = field(default_factory=dict)
    overall: Decimal | None = None


@dataclass
class PeriodAverages:
    period_id: int
    students: dict[int, StudentAverages] = field(default_factory=dict)
    overall_stats: dict[int, Stats] = field(default_factory=dict)
    subjects: list[tuple[int, str, str]] = field(default_factory=list)

    def for_student(self, student_id: int) -> StudentAverages:
        return self.students.get(student_id) or StudentAverages(student_id=student_id)


def _audience(class_id: int | None, group_id: int | None) -> tuple[str, int]:
    return ("class", class_id) if class_id is not None else ("group", group_id)  # type: ignore[return-value]


def subject_sums(marks_qs, *, per_period: bool = False) -> list[dict]:
    """The exact integer sums per student, subject, audience and scale (one query); per period too when
    ``per_period`` (rows then carry ``evaluation__period_id``)."""
    counted = counted_q()
    by_period = ("evaluation__period_id",) if per_period else ()
    return list(
        marks_qs.values(
            "student_id",
            "evaluation__subject_id",
            "evaluation__subject__code",
            "evaluation__subject__name",
            "evaluation__school_class_id",
            "evaluation__group_id",
            *by_period,
        )
        .annotate(
            scale_h=hundredths(F("evaluation__scale")),
            sum_vc=Sum(counted_value_hundredths() * hundredths(F("evaluation__coefficient")), filter=counted),
            sum_c=Sum(hundredths(F("evaluation__coefficient")), filter=counted),
        )
        .order_by()
    )


def exact_averages(rows: Iterable[dict]) -> dict[tuple[int, int], tuple[Decimal | None, tuple[str, int]]]:
    """Rounded subject averages keyed by (student, subject), from :func:`subject_sums` rows, with the audience
    the subject was taught to the student in (their class when it was, else a group)."""
    parts: dict[tuple[int, int], list[tuple[int, int, int]]] = defaultdict(list)
    audiences: dict[tuple[int, int], tuple[str, int]] = {}
    for row in rows:
        key = (row["student_id"], row["evaluation__subject_id"])
        parts[key].append((row["scale_h"], row["sum_vc"] or 0, row["sum_c"] or 0))
        audience = _audience(row["evaluation__school_class_id"], row["evaluation__group_id"])
        if key not in audiences or (audience < audiences[key]):  # "class" sorts before "group"
            audiences[key] = audience
    return {key: (averages.quantize(averages.from_hundredths_sums(p)), audiences[key]) for key, p in parts.items()}


def period_averages(
    *,
    student_ids: Iterable[int],
    period: Period,
    establishment_id: int,
    published_before: dt.datetime | None = None,
) -> PeriodAverages:
    """Every average of a period for these students, with their class's and group's statistics (3 queries).

    ``published_before`` keeps only the marks of evaluations visible to families at that time (what a
    student or a guardian may see); report cards of a closed period leave it out."""
    return averages_by_period(
        student_ids=student_ids, periods=[period], establishment_id=establishment_id, published_before=published_before
    )[period.pk]


def averages_by_period(
    *,
    student_ids: Iterable[int],
    periods: Iterable[Period],
    establishment_id: int,
    published_before: dt.datetime | None = None,
) -> dict[int, PeriodAverages]:
    """:func:`period_averages` of several periods at once, keyed by period id: the same 3 queries whatever the
    number of periods (a student's page shows the three trimesters), each period's figures as if alone."""
    student_ids = list(student_ids)
    periods = list(periods)
    results = {period.pk: PeriodAverages(period_id=period.pk) for period in periods}
    if not student_ids or not periods:
        return results
    years = sorted({period.school_year_id for period in periods})
    # 1. The students' classes in the periods' school years, and their classmates (for the class statistics).
    their_classes = Enrolment.objects.filter(
        establishment_id=establishment_id,
        student_id__in=student_ids,
        school_class__school_year_id__in=years,
    ).values("school_class_id")
    enrolments = list(
        Enrolment.objects.filter(establishment_id=establishment_id, school_class_id__in=their_classes)
        .values_list(
            "student_id", "school_class_id", "school_class__name", "school_class__level", "school_class__school_year_id"
        )
        .order_by("start_date", "id")
    )
    class_of: dict[int, dict[int, tuple[int, str, str]]] = {year: {} for year in years}
    for student_id, class_id, class_name, level, year in enrolments:
        class_of[year][student_id] = (class_id, class_name, level)  # the latest enrolment wins
    # 2. The sums, per period: classmates' marks, and every mark of an evaluation one of the students sat.
    base = Mark.objects.filter(establishment_id=establishment_id)
    if published_before is not None:
        base = base.filter(evaluation__publish_at__lte=published_before)
    wanted = Q(pk__in=[])
    for period in periods:
        sat = base.filter(evaluation__period_id=period.pk, student_id__in=student_ids)
        wanted |= Q(evaluation__period_id=period.pk) & (
            Q(student_id__in=list(class_of[period.school_year_id]) or student_ids)
            | Q(evaluation__school_class_id__in=sat.values("evaluation__school_class_id"))
            | Q(evaluation__group_id__in=sat.filter(evaluation__group_id__isnull=False).values("evaluation__group_id"))
        )
    rows_of: dict[int, list[dict]] = defaultdict(list)
    for row in subject_sums(base.filter(wanted), per_period=True):
        rows_of[row["evaluation__period_id"]].append(row)
    # 3. The subject coefficients of the levels met.
    levels = {level for classes in class_of.values() for _c, _n, level in classes.values()}
    coefficients = {
        (level, subject_id): coefficient
        for level, subject_id, coefficient in SubjectCoefficient.objects.filter(
            establishment_id=establishment_id, level__in=levels
        ).values_list("level", "subject_id", "coefficient")
    }
    for period in periods:
        assemble(
            results[period.pk],
            rows_of[period.pk],
            class_of[period.school_year_id],
            coefficients,
            requested=student_ids,
        )
    return results


def assemble(result, rows, class_of, coefficients, *, requested) -> PeriodAverages:
    """Build :class:`PeriodAverages` from the sums (in memory, over aggregated rows only)."""
    names = {
        row["evaluation__subject_id"]: (row["evaluation__subject__code"], row["evaluation__subject__name"])
        for row in rows
    }
    result.subjects = sorted(((sid, code, name) for sid, (code, name) in names.items()), key=lambda s: (s[2], s[0]))
    order = {sid: index for index, (sid, _c, _n) in enumerate(result.subjects)}
    per_key = exact_averages(rows)
    cohorts: dict[tuple[int, tuple[str, int]], list[Decimal | None]] = defaultdict(list)
    for (_student, subject_id), (value, audience) in per_key.items():
        cohorts[subject_id, audience].append(value)
    cohort_stats = {key: averages.stats(values) for key, values in cohorts.items()}
    everyone: dict[int, StudentAverages] = {}
    for (student_id, subject_id), (value, audience) in sorted(per_key.items(), key=lambda kv: order[kv[0][1]]):
        student = everyone.get(student_id)
        if student is None:
            class_id, class_name, level = class_of.get(student_id, (None, "", ""))
            student = everyone[student_id] = StudentAverages(student_id, class_id, class_name, level)
        code, name = names[subject_id]
        student.subjects[subject_id] = SubjectAverage(
            subject_id=subject_id,
            code=code,
            name=name,
            coefficient=coefficients.get((student.level, subject_id), Decimal(1)),
            average=value,
            audience=audience,
            cohort=cohort_stats[subject_id, audience],
        )
    overall_by_class: dict[int, list[Decimal | None]] = defaultdict(list)
    for student in everyone.values():
        student.overall = averages.overall_average((s.average, s.coefficient) for s in student.subjects.values())
        if student.class_id is not None and student.student_id in class_of:
            overall_by_class[student.class_id].append(student.overall)
    result.overall_stats = {class_id: averages.stats(values) for class_id, values in overall_by_class.items()}
    for student_id in requested:
        if student_id in everyone:
            result.students[student_id] = everyone[student_id]
        else:
            class_id, class_name, level = class_of.get(student_id, (None, "", ""))
            result.students[student_id] = StudentAverages(student_id, class_id, class_name, level)
    return result


def evaluation_stats(evaluation_ids: Iterable[int]) -> dict[int, Stats]:
    """Class average, minimum and maximum of each evaluation, on its own scale (one query)."""
    counted = counted_q()
    rows = (
        Mark.objects.filter(evaluation_id__in=list(evaluation_ids))
        .values("evaluation_id")
        .annotate(
            total=Sum(counted_value_hundredths(), filter=counted),
            n=Count("id", filter=counted),
            low=Min(counted_value_hundredths(), filter=counted),
            high=Max(counted_value_hundredths(), filter=counted),
        )
        .order_by()
    )
    result = {}
    for row in rows:
        if not row["n"]:
            result[row["evaluation_id"]] = Stats()
            continue
        result[row["evaluation_id"]] = Stats(
            average=averages.quantize(Fraction(row["total"], 100 * row["n"])),
            minimum=averages.quantize(Fraction(row["low"], 100)),
            maximum=averages.quantize(Fraction(row["high"], 100)),
            count=row["n"],
        )
    return result


# --- pages -------------------------------------------------------------------------------------------
EVALUATION_RELATED = ("subject", "school_class", "group", "period")


def teacher_assignments(actor: Actor) -> list[TeachingAssignment]:
    """The actor's current teaching assignments in the active establishment (one query)."""
    if actor.user_id is None or not actor.has_role(Role.TEACHER):
        return []
    return list(
        current(TeachingAssignment.objects.filter(teacher_id=actor.user_id, establishment_id=actor.establishment_id))
        .select_related("subject", "school_class", "group")
        .order_by("school_class__name", "group__name", "subject__name")
    )


def periods_of_year(establishment_id: int, on: dt.date | None = None) -> tuple[list[Period], Period | None]:
    """The periods of the school year containing ``on`` (today) and the current one (one query)."""
    on = on or timezone.localdate()
    periods = list(
        Period.objects.filter(
            establishment_id=establishment_id, school_year__start_date__lte=on, school_year__end_date__gte=on
        ).order_by("position")
    )
    now = next((p for p in periods if p.start_date <= on <= p.end_date), periods[0] if periods else None)
    return periods, now


def evaluations_for_teacher(actor: Actor, *, limit: int = 60) -> list[Evaluation]:
    """The latest evaluations of the subjects the actor teaches (one query)."""
    return list(
        EvaluationPolicy.taught_scope(actor, Evaluation.objects.all())
        .filter(establishment_id=actor.establishment_id or 0)  # the active establishment's (a teacher has one)
        .select_related(*EVALUATION_RELATED)
        .annotate(n_marks=Count("marks"))
        .order_by("-date", "-id")[:limit]
    )


def audience_students(*, school_class_id: int | None = None, group_id: int | None = None) -> list[User]:
    """The current students of a class or a group, by name (one query)."""
    if school_class_id is not None:
        links = current(Enrolment.objects.filter(school_class_id=school_class_id)).values("student_id")
    else:
        links = current(GroupMembership.objects.filter(group_id=group_id)).values("student_id")
    return list(User.objects.filter(pk__in=links).order_by("last_name", "first_name", "pk"))


@dataclass
class Grid:
    """A mark-entry grid: the evaluation, its students and their marks and competency levels."""

    evaluation: Evaluation
    students: list[User]
    marks: dict[int, Mark]
    levels: dict[tuple[int, str], int]
    stats: Stats


def evaluation_grid(evaluation: Evaluation) -> Grid:
    """Students of the evaluation's audience (and anyone already marked), marks, levels, stats (4 queries)."""
    students = audience_students(school_class_id=evaluation.school_class_id, group_id=evaluation.group_id)
    marks = {m.student_id: m for m in evaluation.marks.select_related("student")}
    known = {s.pk for s in students}
    students += sorted((m.student for m in marks.values() if m.student_id not in known), key=lambda u: u.last_name)
    levels = {
        (a.student_id, a.component): a.level
        for a in CompetencyAssessment.objects.filter(evaluation=evaluation).only("student_id", "component", "level")
    }
    stats = evaluation_stats([evaluation.pk]).get(evaluation.pk, Stats())
    return Grid(evaluation, students, marks, levels, stats)


def record_reads(*, actor: Actor | None, verb: str, student_ids: Iterable[int], target=None) -> None:
    """Staff reading many students' grades is recorded (one insert)."""
    from cartable.core.audit import record_reads as audit_reads

    if actor is None or actor.user_id is None:
        return
    audit_reads(actor=actor, verb=verb, target=target, subject_ids=student_ids)


@dataclass
class Gradebook:
    """A class's grades in a period: students × evaluations, with averages."""

    school_class: SchoolClass
    period: Period
    students: list[User]
    evaluations: list[Evaluation]
    cells: dict[tuple[int, int], Mark]
    evaluation_stats: dict[int, Stats]
    averages: PeriodAverages
    subjects: list[tuple[int, str, str]]

    def rows(self) -> Iterator[tuple[User, list[Mark | None], list[Decimal | None], Decimal | None]]:
        """(student, [mark or None per evaluation], [average per subject], overall) for the template."""
        for student in self.students:
            mine = self.averages.for_student(student.pk)
            yield (
                student,
                [self.cells.get((student.pk, e.pk)) for e in self.evaluations],
                [getattr(mine.subjects.get(sid), "average", None) for sid, _c, _n in self.subjects],
                mine.overall if self.shows_overall else None,
            )

    @property
    def shows_overall(self) -> bool:
        return len(self.subjects) == len(self.averages.subjects)

    def subject_stats(self) -> list[Stats]:
        result = []
        for sid, _c, _n in self.subjects:
            found = next(
                (a.subjects[sid].cohort for a in self.averages.students.values() if sid in a.subjects), Stats()
            )
            result.append(found)
        return result


def gradebook(actor: Actor, *, school_class: SchoolClass, period: Period) -> Gradebook:
    """What the actor sees of a class's grades in a period (constant: 8 queries with the audit insert).

    A subject teacher sees their own evaluations and subject averages; the head teacher and the direction
    every subject, and the overall averages."""
    students = audience_students(school_class_id=school_class.pk)
    ids = [s.pk for s in students]
    groups = Group.classes.through.objects.filter(schoolclass_id=school_class.pk).values("group_id")
    evaluations = list(
        EvaluationPolicy.staff_scope(actor, Evaluation.objects.all())
        .filter(establishment_id=school_class.establishment_id, period=period)
        .filter(Q(school_class_id=school_class.pk) | Q(group_id__in=groups))
        .select_related(*EVALUATION_RELATED)
        .order_by("subject__name", "date", "id")
    )
    cells = {
        (m.student_id, m.evaluation_id): m
        for m in Mark.objects.filter(evaluation__in=[e.pk for e in evaluations], student_id__in=ids).only(
            "student_id", "evaluation_id", "value", "code"
        )
    }
    result = period_averages(student_ids=ids, period=period, establishment_id=school_class.establishment_id)
    visible_subjects = {e.subject_id for e in evaluations}
    everything = authz.allows(actor, "grades.view_class_averages", school_class)
    subjects = [s for s in result.subjects if everything or s[0] in visible_subjects]
    stats = evaluation_stats([e.pk for e in evaluations])
    record_reads(actor=actor, verb="grades.read_gradebook", student_ids=ids, target=school_class)
    return Gradebook(school_class, period, students, evaluations, cells, stats, result, subjects)


@dataclass
class SubjectSeries:
    """One subject's marks over the year, for the evolution chart and its table."""

    subject_id: int
    name: str
    points: list[tuple[Mark, Decimal | None, Decimal | None]]  # (mark, value /20, class average /20)


@dataclass
class StudentSummary:
    student: User
    marks: list[Mark]
    latest: list[Mark]
    stats: dict[int, Stats]
    periods: list[tuple[Period, StudentAverages, Stats]]
    series: list[SubjectSeries]
    positioning: dict


def student_summary(actor: Actor, *, student: User, establishment_id: int, periods: list[Period]) -> StudentSummary:
    """A student's grades as the actor may see them: the marks of the year (published ones only for the
    family), class averages, averages per period, each subject's evolution, competency positioning.

    Constant: 1 (marks) + 1 (evaluation stats) + 3 (averages of every period) + 1 (competencies) queries."""
    family = authz.allows(actor, "grades.read_as_family", student)
    sees_every_subject = authz.allows(actor, "grades.view_student_averages", student)
    now = timezone.now()
    marks = list(
        Mark.objects.visible_to(actor)
        .filter(student=student, establishment_id=establishment_id, evaluation__period__in=periods)
        .select_related("evaluation__subject", "evaluation__period")
        .order_by("evaluation__date", "evaluation_id")
    )
    stats = evaluation_stats({m.evaluation_id for m in marks})
    for mark in marks:
        mark.class_average = stats.get(mark.evaluation_id, Stats()).average
    per_period = []
    by_period = averages_by_period(
        student_ids=[student.pk],
        periods=periods,
        establishment_id=establishment_id,
        published_before=now if family else None,
    )
    for period in periods:
        result = by_period[period.pk]
        mine = result.for_student(student.pk)
        overall_stats = result.overall_stats.get(mine.class_id, Stats()) if mine.class_id is not None else Stats()
        if not sees_every_subject:  # a subject teacher: their subjects' averages only, no overall average
            visible = {m.evaluation.subject_id for m in marks}
            mine = StudentAverages(
                mine.student_id,
                mine.class_id,
                mine.class_name,
                mine.level,
                {sid: s for sid, s in mine.subjects.items() if sid in visible},
                None,
            )
            overall_stats = Stats()
        per_period.append((period, mine, overall_stats))
    series: dict[int, SubjectSeries] = {}
    for mark in marks:
        evaluation = mark.evaluation
        item = series.setdefault(
            evaluation.subject_id, SubjectSeries(evaluation.subject_id, evaluation.subject.name, [])
        )
        value = None
        if mark.code == "" or (mark.code == Mark.Code.NOT_HANDED_IN and evaluation.not_handed_in_counts_zero):
            value = averages.quantize(averages.to_twenty(mark.value or Decimal(0), evaluation.scale))
        mean = stats.get(evaluation.pk, Stats()).average
        item.points.append(
            (mark, value, averages.quantize(averages.to_twenty(mean, evaluation.scale)) if mean is not None else None)
        )
    positioning = competency_positioning(
        actor, student_ids=[student.pk], establishment_id=establishment_id, periods=periods
    ).get(student.pk, {})
    latest = sorted(marks, key=lambda m: (m.evaluation.publish_at, m.evaluation.date, m.pk), reverse=True)[:8]
    return StudentSummary(
        student, marks, latest, stats, per_period, sorted(series.values(), key=lambda s: s.name), positioning
    )


def latest_marks(*, student_id: int, limit: int = 5) -> list[Mark]:
    """A student's latest published marks (one query): the dashboard widget."""
    return list(
        Mark.objects.filter(student_id=student_id, evaluation__publish_at__lte=timezone.now())
        .select_related("evaluation__subject")
        .order_by("-evaluation__publish_at", "-evaluation__date", "-pk")[:limit]
    )


def coefficient_table(
    actor: Actor, establishment_id: int
) -> tuple[list[str], list[Subject], dict[tuple[str, int], Decimal]]:
    """Levels of this school year's classes, the subjects, and the coefficients set (three queries)."""
    today = timezone.localdate()
    levels = sorted(
        set(
            SchoolClass.objects.filter(
                establishment_id=establishment_id, school_year__start_date__lte=today, school_year__end_date__gte=today
            ).values_list("level", flat=True)
        )
    )
    subjects = list(Subject.objects.filter(establishment_id=establishment_id).order_by("name"))
    current_values = {
        (level, subject_id): coefficient
        for level, subject_id, coefficient in SubjectCoefficient.objects.visible_to(actor)
        .filter(establishment_id=establishment_id)
        .values_list("level", "subject_id", "coefficient")
    }
    return levels, subjects, current_values


# --- competencies ------------------------------------------------------------------------------------
DOMAINS = [
    ("D1", ("D1.1", "D1.2", "D1.3", "D1.4")),
    ("D2", ("D2",)),
    ("D3", ("D3",)),
    ("D4", ("D4",)),
    ("D5", ("D5",)),
]


def positioning_level(total: int, count: int) -> int | None:
    """The mean level, rounded half up to a whole level (1 to 4); None without assessments."""
    if not count:
        return None
    return int((Fraction(total, count) + Fraction(1, 2)).__floor__())


def competency_positioning(
    actor: Actor, *, student_ids: Iterable[int], establishment_id: int, periods: Iterable[Period]
) -> dict[int, dict[str, int | None]]:
    """Per student: the positioning of each component and domain (``"D1.1"``... and ``"D1"``...), from the
    assessments the actor may see (one aggregate query)."""
    rows = (
        CompetencyAssessment.objects.visible_to(actor)
        .filter(establishment_id=establishment_id, student_id__in=list(student_ids), period__in=list(periods))
        .values("student_id", "component")
        .annotate(total=Sum("level"), n=Count("id"))
        .order_by()
    )
    sums: dict[int, dict[str, tuple[int, int]]] = defaultdict(dict)
    for row in rows:
        sums[row["student_id"]][row["component"]] = (row["total"], row["n"])
    result: dict[int, dict[str, int | None]] = {}
    for student_id, components in sums.items():
        levels: dict[str, int | None] = {c: positioning_level(*components.get(c, (0, 0))) for c in Component.values}
        for domain, members in DOMAINS:
            total = sum(components.get(c, (0, 0))[0] for c in members)
            count = sum(components.get(c, (0, 0))[1] for c in members)
            levels[domain] = positioning_level(total, count)
        result[student_id] = levels
    return result


# --- what the pages show -------------------------------------------------------------------------------
def whose_grades(actor: Actor) -> int | None:
    """The student "Mes notes" shows: the child a guardian is looking at, or the student themself."""
    if actor.child is not None:
        return actor.child.id
    return actor.user_id if authz.can(actor, "grades.read_own") else None


def period_choice(establishment_id: int, wanted: str | None) -> tuple[list[Period], Period]:
    """The periods of the year and the one asked for (``?periode=``), else the current one; 404 without any."""
    periods, now = periods_of_year(establishment_id)
    chosen = next((p for p in periods if str(p.pk) == wanted), now)
    if chosen is None:
        raise Http404
    return periods, chosen


def index_classes(actor: Actor, assignments: list[TeachingAssignment]) -> list[SchoolClass]:
    """The classes whose gradebook the home page lists: every class of the establishment for the direction,
    else those taught directly and those headed (one query)."""
    if actor.establishment_id is None:
        return []
    classes = SchoolClass.objects.visible_to(actor).filter(establishment_id=actor.establishment_id)
    if not authz.allows(actor, "grades.oversee", actor.establishment):
        class_ids = {a.school_class_id for a in assignments if a.school_class_id} | actor.headed.class_ids
        classes = classes.filter(pk__in=class_ids)
    return list(classes.order_by("level", "name"))


def grid_for(actor: Actor, evaluation: Evaluation) -> Grid:
    """The evaluation's grid as the actor reads it: a head teacher reading a group drawn from several classes
    sees their own class's students only."""
    grid = evaluation_grid(evaluation)
    if not authz.allows(actor, "grades.view_whole_audience", evaluation):
        headed_students = actor.headed.student_ids
        grid.students = [s for s in grid.students if s.pk in headed_students]
    return grid


def grid_rows(
    evaluation: Evaluation, grid: Grid, *, typed: dict[int, str], errors: dict[int, str]
) -> list[dict[str, object]]:
    """One row per student of the grid: what the cell shows (what was typed after an error), its error, the
    competency levels."""
    from cartable.grades.forms import cell_text

    return [
        {
            "student": student,
            "text": typed.get(student.pk, cell_text(grid.marks.get(student.pk))),
            "error": errors.get(student.pk, ""),
            "levels": [(c, grid.levels.get((student.pk, c))) for c in evaluation.competencies],
        }
        for student in grid.students
    ]


def competency_rows(
    actor: Actor, *, school_class: SchoolClass, period: Period, students: list[User]
) -> list[tuple[User, list[tuple[str, Any]]]]:
    """Each student's positioning per domain in the period, as the actor may see it (read recorded)."""
    positioning = competency_positioning(
        actor, student_ids=[s.pk for s in students], establishment_id=school_class.establishment_id, periods=[period]
    )
    record_reads(
        actor=actor, verb="grades.read_competencies", student_ids=[s.pk for s in students], target=school_class
    )
    levels: dict[Any, Any] = dict(MasteryLevel.choices)
    return [(s, [(code, levels.get(positioning.get(s.pk, {}).get(code))) for code, _m in DOMAINS]) for s in students]
