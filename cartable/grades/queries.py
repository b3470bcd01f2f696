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

from collections import defaultdict
from collections.abc import Iterable
from dataclasses import dataclass, field
from decimal import Decimal
from fractions import Fraction

from django.db.models import BigIntegerField, Case, Count, F, Max, Min, Q, Sum, Value, When
from django.db.models.functions import Cast, Round

from cartable.directory.models import Enrolment, Period
from cartable.grades import averages
from cartable.grades.averages import Stats
from cartable.grades.models import Mark, SubjectCoefficient


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


def subject_sums(marks_qs) -> list[dict]:
    """The exact integer sums per student, subject, audience and scale (one query)."""
    counted = counted_q()
    return list(
        marks_qs.values(
            "student_id",
            "evaluation__subject_id",
            "evaluation__subject__code",
            "evaluation__subject__name",
            "evaluation__school_class_id",
            "evaluation__group_id",
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


def period_averages(*, student_ids: Iterable[int], period: Period, establishment_id: int) -> PeriodAverages:
    """Every average of a period for these students, with their class's and group's statistics (3 queries)."""
    student_ids = list(student_ids)
    result = PeriodAverages(period_id=period.pk)
    if not student_ids:
        return result
    # 1. The students' classes this school year, and their classmates (for the class statistics).
    their_classes = Enrolment.objects.filter(
        establishment_id=establishment_id,
        student_id__in=student_ids,
        school_class__school_year_id=period.school_year_id,
    ).values("school_class_id")
    enrolments = list(
        Enrolment.objects.filter(establishment_id=establishment_id, school_class_id__in=their_classes)
        .values_list("student_id", "school_class_id", "school_class__name", "school_class__level")
        .order_by("start_date", "id")
    )
    class_of: dict[int, tuple[int, str, str]] = {}
    for student_id, class_id, class_name, level in enrolments:
        class_of[student_id] = (class_id, class_name, level)  # the latest enrolment wins
    # 2. The sums: classmates' marks, and every mark of an evaluation one of the students sat.
    sat = Mark.objects.filter(
        establishment_id=establishment_id, evaluation__period_id=period.pk, student_id__in=student_ids
    )
    marks = Mark.objects.filter(establishment_id=establishment_id, evaluation__period_id=period.pk).filter(
        Q(student_id__in=list(class_of) or student_ids)
        | Q(evaluation__school_class_id__in=sat.values("evaluation__school_class_id"))
        | Q(evaluation__group_id__in=sat.filter(evaluation__group_id__isnull=False).values("evaluation__group_id"))
    )
    rows = subject_sums(marks)
    # 3. The subject coefficients of the levels met.
    levels = {level for _c, _n, level in class_of.values()}
    coefficients = {
        (level, subject_id): coefficient
        for level, subject_id, coefficient in SubjectCoefficient.objects.filter(
            establishment_id=establishment_id, level__in=levels
        ).values_list("level", "subject_id", "coefficient")
    }
    return assemble(result, rows, class_of, coefficients, requested=student_ids)


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


__all__ = ["PeriodAverages", "StudentAverages", "SubjectAverage", "period_averages"]
