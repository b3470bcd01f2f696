"""Reads of the report cards: the pages' rows, scoped to the actor, and what a report card shows.

:func:`card_contents` builds, for a class and a period, what each student's report card says: the averages
come from ``cartable.grades.queries.period_averages`` (never recomputed here), the absences from
``cartable.attendance.queries.absence_counts``; numbers are kept as strings so the stored data, the page and
the PDF show exactly the same thing. It costs a constant number of queries whatever the class size.
"""

from __future__ import annotations

import hashlib
import json
from collections.abc import Iterable
from dataclasses import dataclass, field
from decimal import Decimal
from typing import TYPE_CHECKING, Any

from django.db.models import Count, Max, OuterRef, Q, Subquery
from django.http import Http404
from django.utils import timezone
from django.utils.formats import date_format
from django.utils.translation import gettext as _
from django.utils.translation import ngettext

from cartable.core import authz
from cartable.core.authz import Action
from cartable.directory.actor import Actor, current
from cartable.directory.models import (
    Enrolment,
    GroupMembership,
    Period,
    Role,
    SchoolClass,
    Subject,
    TeachingAssignment,
    User,
)
from cartable.reportcards.models import (
    MAX_APPRECIATION,
    MAX_DECISION,
    MAX_GENERAL,
    CouncilDecision,
    GeneralAppreciation,
    GenerationRun,
    ReportCard,
    SubjectAppreciation,
)

if TYPE_CHECKING:
    from cartable.grades.averages import Stats


def rounding_rule() -> str:
    """The rounding rule printed on every report card (the grades app's rule, in words)."""
    return _(
        "Moyennes sur 20. Chaque moyenne de discipline est calculée exactement puis arrondie une seule fois au "
        "centième, au plus proche (0,005 vers le haut). La moyenne générale est la moyenne, pondérée par les "
        "coefficients des disciplines, des moyennes de discipline arrondies, arrondie de même. Moyenne de "
        "classe, minimum et maximum portent sur les moyennes arrondies des élèves."
    )


def number(value: Decimal | None) -> str | None:
    """A Decimal as stored in a report card's data: its exact string (``"12.35"``), or None."""
    return None if value is None else str(value)


# --- the class, the period, the students --------------------------------------------------------------
def class_for(actor: Actor, class_id: int) -> SchoolClass:
    """The class, if the actor follows it (its staff); the same 404 otherwise."""
    classes = SchoolClass.objects.select_related("establishment", "school_year", "head_teacher")
    return authz.access(actor, classes, class_id, "reportcards.follow_class")


def period_for(school_class: SchoolClass, period_id: int) -> Period:
    """A period of the class's school year; 404 otherwise."""
    try:
        return Period.objects.get(pk=period_id, school_year_id=school_class.school_year_id)
    except (Period.DoesNotExist, ValueError, TypeError) as exc:
        raise Http404 from exc


def subject_for(school_class: SchoolClass, subject_id: int) -> Subject:
    try:
        return Subject.objects.get(pk=subject_id, establishment_id=school_class.establishment_id)
    except (Subject.DoesNotExist, ValueError, TypeError) as exc:
        raise Http404 from exc


def students_of(school_class: SchoolClass) -> list[User]:
    """The class's current students, by name (one query)."""
    enrolled = current(Enrolment.objects.filter(school_class=school_class)).values("student_id")
    return list(User.objects.filter(pk__in=enrolled).order_by("last_name", "first_name", "id"))


def student_of(school_class: SchoolClass, student_id: int) -> User:
    """One current student of the class (one query); 404 otherwise."""
    student = next((s for s in students_of(school_class) if s.pk == student_id), None)
    if student is None:
        raise Http404
    return student


class Averages:
    """The grades app's :class:`~cartable.grades.queries.PeriodAverages`, read the way report cards need it.

    Nothing is computed here: every number is one the grades app returned.
    """

    def __init__(self, result, class_id: int) -> None:
        self.result = result
        self.class_id = class_id

    def subject_average(self, student_id: int, subject_id: int) -> Decimal | None:
        entry = self.result.for_student(student_id).subjects.get(subject_id)
        return entry.average if entry else None

    def subject_stats(self, subject_id: int, student_id: int | None = None) -> Stats:
        """The statistics of the audience the student was taught the subject in (else the class's)."""
        from cartable.grades.averages import Stats

        if student_id is not None:
            entry = self.result.for_student(student_id).subjects.get(subject_id)
            if entry is not None:
                return entry.cohort
        for student in self.result.students.values():
            entry = student.subjects.get(subject_id)
            if entry is not None and entry.audience == ("class", self.class_id):
                return entry.cohort
        return Stats()

    def overall_average(self, student_id: int) -> Decimal | None:
        return self.result.for_student(student_id).overall

    def overall_stats(self) -> Stats:
        from cartable.grades.averages import Stats

        return self.result.overall_stats.get(self.class_id, Stats())

    def subject_ids(self) -> list[int]:
        return [subject_id for subject_id, _code, _name in self.result.subjects]


def averages(school_class: SchoolClass, period: Period, student_ids: list[int]) -> Averages:
    """The grades app's averages for these students (per student × subject, class statistics, overall)."""
    from cartable.grades.queries import period_averages

    result = period_averages(student_ids=student_ids, period=period, establishment_id=school_class.establishment_id)
    return Averages(result, school_class.pk)


def absences(period: Period, student_ids: list[int]) -> dict[int, Any]:
    """Absence (half-days, unjustified ones) and lateness counts over the period (the attendance app's)."""
    from cartable.attendance.queries import absence_counts

    return absence_counts(student_ids=student_ids, start=period.start_date, end=period.end_date)


# --- the teacher's grid -----------------------------------------------------------------------------------
@dataclass
class GridRow:
    student: User
    appreciation: SubjectAppreciation | None
    average: Decimal | None

    @property
    def published_version(self) -> int | None:
        """The latest published version of the student's report card for the period (see ``students_for_grid``)."""
        return getattr(self.student, "published_version", None)

    @property
    def next_version(self) -> int | None:
        return None if self.published_version is None else self.published_version + 1

    @property
    def published_at(self) -> Any:
        return getattr(self.student, "published_on", None)


def students_for_grid(school_class: SchoolClass, period: Period, student_id: int | None = None) -> list[User]:
    """The class's current students by name, each with the version and date of their latest published report
    card for the period (``published_version``, ``published_on``; None before publication), in one query."""
    enrolled = current(Enrolment.objects.filter(school_class=school_class)).values("student_id")
    published = ReportCard.objects.filter(
        establishment_id=school_class.establishment_id,
        period=period,
        student_id=OuterRef("pk"),
        published_at__isnull=False,
    ).order_by("-version")
    students = User.objects.filter(pk__in=enrolled)
    if student_id is not None:
        students = students.filter(pk=student_id)
    return list(
        students.annotate(
            published_version=Subquery(published.values("version")[:1]),
            published_on=Subquery(published.values("published_at")[:1]),
        ).order_by("last_name", "first_name", "id")
    )


@dataclass
class Grid:
    school_class: SchoolClass
    period: Period
    subject: Subject
    rows: list[GridRow]
    class_stats: Any
    can_write: bool
    max_length: int = MAX_APPRECIATION

    @property
    def any_published(self) -> bool:
        return any(r.published_version is not None for r in self.rows)


def grid(actor: Actor, *, class_id: int, period_id: int, subject_id: int) -> Grid:
    """The appreciation grid of a class × subject for a period: each student, their average, their text."""
    school_class = class_for(actor, class_id)
    period = period_for(school_class, period_id)
    subject = subject_for(school_class, subject_id)
    students = students_for_grid(school_class, period)
    groups = actor.taught_class_subjects.get((school_class.pk, subject.pk))
    if groups is not None:  # taught through groups: their students only
        members = set(current(GroupMembership.objects.filter(group_id__in=groups)).values_list("student_id", flat=True))
        students = [s for s in students if s.pk in members]
    ids = [s.pk for s in students]
    texts = {
        a.student_id: a
        for a in SubjectAppreciation.objects.visible_to(actor).filter(
            establishment_id=school_class.establishment_id, period=period, subject=subject, student_id__in=ids
        )
    }
    result = averages(school_class, period, ids)
    rows = [GridRow(s, texts.get(s.pk), result.subject_average(s.pk, subject.pk)) for s in students]
    return Grid(
        school_class,
        period,
        subject,
        rows,
        result.subject_stats(subject.pk),
        authz.allows(actor, Action.CHANGE, SubjectAppreciation(school_class=school_class, subject=subject)),
    )


def grid_row(actor: Actor, *, school_class: SchoolClass, period: Period, subject: Subject, student_id: int) -> GridRow:
    """One row of the grid, after an htmx save."""
    student = next(iter(students_for_grid(school_class, period, student_id)), None)
    if student is None:
        raise Http404
    appreciation = (
        SubjectAppreciation.objects.visible_to(actor)
        .filter(establishment_id=school_class.establishment_id, period=period, subject=subject, student=student)
        .first()
    )
    result = averages(school_class, period, [student.pk])
    return GridRow(student, appreciation, result.subject_average(student.pk, subject.pk))


# --- what a report card about to be published lacks ------------------------------------------------------
@dataclass
class StudentGaps:
    """What one student's report card lacks: the subjects without an appreciation, the general one, the
    council's decision."""

    name: str
    subjects: list[str]
    general: bool
    decision: bool

    @property
    def appreciations(self) -> int:
        return len(self.subjects) + (1 if self.general else 0)


@dataclass
class Missing:
    """What the report cards about to be published lack, student by student (from the cards' own data: what
    the PDFs say)."""

    students: list[StudentGaps]

    @property
    def appreciations(self) -> int:
        return sum(s.appreciations for s in self.students)

    @property
    def decisions(self) -> int:
        return sum(1 for s in self.students if s.decision)

    @property
    def total(self) -> int:
        """What the direction confirms: missing appreciations and decisions together."""
        return self.appreciations + self.decisions

    def summary(self) -> str:
        """« 3 appréciations manquent pour 2 élèves ; 1 décision du conseil manque »."""
        parts = []
        if self.appreciations:
            pupils = sum(1 for s in self.students if s.appreciations)
            students = ngettext("%(count)s élève", "%(count)s élèves", pupils) % {"count": pupils}
            parts.append(
                ngettext(
                    "%(count)s appréciation manque pour %(students)s",
                    "%(count)s appréciations manquent pour %(students)s",
                    self.appreciations,
                )
                % {"count": self.appreciations, "students": students}
            )
        if self.decisions:
            parts.append(
                ngettext(
                    "%(count)s décision du conseil manque",
                    "%(count)s décisions du conseil manquent",
                    self.decisions,
                )
                % {"count": self.decisions}
            )
        return " ; ".join(parts)

    def question(self) -> str:
        """The confirmation asked before publishing anyway."""
        return _("%(summary)s : publier quand même ?") % {"summary": self.summary()}


def _blank(value: object) -> bool:
    return not str(value or "").strip()


def missing_in(cards: Iterable[ReportCard]) -> Missing:
    """What these report cards (with their ``data``) lack, by student name."""
    gaps = []
    for card in cards:
        data = card.data or {}
        student = data.get("student") or {}
        subjects = [row["subject"] for row in data.get("subjects", []) if _blank(row.get("appreciation"))]
        general = _blank(data.get("general_appreciation"))
        decision = _blank(data.get("mention")) and _blank(data.get("decision"))
        if subjects or general or decision:
            name = f"{student.get('last_name', '')} {student.get('first_name', '')}".strip()
            gaps.append(StudentGaps(name, subjects, general, decision))
    gaps.sort(key=lambda g: g.name)
    return Missing(gaps)


# --- the council page -------------------------------------------------------------------------------------
@dataclass
class CouncilRow:
    student: User
    overall: Decimal | None
    general: GeneralAppreciation | None
    decision: CouncilDecision | None
    cards: list[ReportCard] = field(default_factory=list)

    @property
    def latest(self) -> ReportCard | None:
        return self.cards[0] if self.cards else None

    @property
    def latest_published(self) -> ReportCard | None:
        return next((c for c in self.cards if c.published_at is not None), None)


@dataclass
class Production:
    """The direction's block of the council page: the last generation, what is left to publish."""

    school_class: SchoolClass
    period: Period
    run: GenerationRun | None
    drafts: int
    scheduled: int
    has_cards: bool
    missing: Missing | None = None


@dataclass
class Council:
    school_class: SchoolClass
    period: Period
    rows: list[CouncilRow]
    can_write_general: bool
    can_decide: bool
    production: Production | None
    general_max_length: int = MAX_GENERAL
    decision_max_length: int = MAX_DECISION


def council(actor: Actor, *, class_id: int, period_id: int) -> Council:
    """The class council's page: every student's overall average, general appreciation, decision and
    report card versions (a constant number of queries)."""
    school_class = class_for(actor, class_id)
    period = period_for(school_class, period_id)
    students = students_of(school_class)
    ids = [s.pk for s in students]
    where = {"establishment_id": school_class.establishment_id, "period": period, "student_id__in": ids}
    generals = {g.student_id: g for g in GeneralAppreciation.objects.visible_to(actor).filter(**where)}
    decisions = {d.student_id: d for d in CouncilDecision.objects.visible_to(actor).filter(**where)}
    cards: dict[int, list[ReportCard]] = {}
    for card in ReportCard.objects.visible_to(actor).filter(**where).order_by("-version"):
        cards.setdefault(card.student_id, []).append(card)
    result = averages(school_class, period, ids)
    rows = [
        CouncilRow(s, result.overall_average(s.pk), generals.get(s.pk), decisions.get(s.pk), cards.get(s.pk, []))
        for s in students
    ]
    can_decide = authz.allows(actor, "reportcards.run_council", school_class)
    production = None
    if can_decide:
        now = timezone.now()
        latest = [r.latest for r in rows if r.latest is not None]
        production = Production(
            school_class,
            period,
            last_run(actor, school_class, period),
            sum(1 for c in latest if c.published_at is None),
            sum(1 for c in latest if c.published_at is not None and c.published_at > now),
            bool(latest),
            missing_in(c for c in latest if c.published_at is None),
        )
    return Council(
        school_class,
        period,
        rows,
        authz.allows(actor, "reportcards.write_general", school_class),
        can_decide,
        production,
    )


def last_run(actor: Actor, school_class: SchoolClass, period: Period) -> GenerationRun | None:
    return (
        GenerationRun.objects.visible_to(actor)
        .filter(establishment_id=school_class.establishment_id, school_class=school_class, period=period)
        .first()
    )


def production(actor: Actor, run: GenerationRun) -> Production:
    """The production block after a generation was asked for or while it runs (two queries)."""
    now = timezone.now()
    cards = ReportCard.objects.filter(
        establishment_id=run.establishment_id, school_class_id=run.school_class_id, period_id=run.period_id
    )
    counts = cards.aggregate(
        drafts=Count("pk", filter=Q(published_at__isnull=True)),
        scheduled=Count("pk", filter=Q(published_at__gt=now)),
        total=Count("pk"),
    )
    missing = None
    if run.is_finished and counts["drafts"]:
        missing = missing_in(latest_drafts(run.school_class, run.period))
    return Production(
        run.school_class, run.period, run, counts["drafts"], counts["scheduled"], bool(counts["total"]), missing
    )


def latest_drafts(school_class: SchoolClass, period: Period) -> list[ReportCard]:
    """The class's unpublished report cards that are their student's latest version (what publishing
    publishes), with their data."""
    cards = ReportCard.objects.filter(
        establishment_id=school_class.establishment_id, school_class=school_class, period=period
    ).order_by("student_id", "-version")
    latest: dict[int, ReportCard] = {}
    for card in cards:
        latest.setdefault(card.student_id, card)
    return [c for c in latest.values() if c.published_at is None]


# --- what the actor may open ------------------------------------------------------------------------------
@dataclass
class ClassState:
    """Where a class's report cards of a period stand, for the list of councils."""

    appreciations: int = 0
    expected: int = 0
    decisions: int = 0
    students: int = 0
    produced: int = 0
    produced_at: Any = None
    published: int = 0
    published_at: Any = None


@dataclass
class StaffHome:
    periods: list[Period]
    pairs: list[tuple[SchoolClass, Subject]]
    classes: list[SchoolClass]
    states: dict[tuple[int, int], ClassState] = field(default_factory=dict)

    def classes_of(self, period: Period) -> list[tuple[SchoolClass, ClassState]]:
        return [(c, self.states.get((c.pk, period.pk), ClassState())) for c in self.classes]


def _expected_appreciations(classes: list[SchoolClass]) -> tuple[dict[int, int], dict[int, int]]:
    """Per class: its current students, and the appreciations expected of a period (each student's taught
    subjects, through the class or a group drawn from it, and the general one) — three queries."""
    class_ids = [c.pk for c in classes]
    enrolled: dict[int, set[int]] = {}
    for class_id, student_id in current(Enrolment.objects.filter(school_class_id__in=class_ids)).values_list(
        "school_class_id", "student_id"
    ):
        enrolled.setdefault(class_id, set()).add(student_id)
    assignments = current(
        TeachingAssignment.objects.filter(Q(school_class_id__in=class_ids) | Q(group__classes__in=class_ids))
    ).values_list("school_class_id", "group_id", "group__classes", "subject_id")
    class_subjects: dict[int, set[int]] = {}
    group_subjects: dict[int, set[tuple[int, int]]] = {}  # group -> (class, subject)
    for class_id, group_id, group_class_id, subject_id in assignments:
        if group_id is None:
            class_subjects.setdefault(class_id, set()).add(subject_id)
        elif group_class_id in class_ids:
            group_subjects.setdefault(group_id, set()).add((group_class_id, subject_id))
    pairs: dict[int, set[tuple[int, int]]] = {}  # class -> (student, subject)
    for class_id, students in enrolled.items():
        pairs[class_id] = {(s, subject) for s in students for subject in class_subjects.get(class_id, ())}
    if group_subjects:
        members = current(GroupMembership.objects.filter(group_id__in=list(group_subjects)))
        for group_id, student_id in members.values_list("group_id", "student_id"):
            for class_id, subject_id in group_subjects[group_id]:
                if student_id in enrolled.get(class_id, ()):
                    pairs[class_id].add((student_id, subject_id))
    sizes = {c: len(s) for c, s in enrolled.items()}
    return sizes, {c: len(p) + sizes[c] for c, p in pairs.items()}


def class_states(classes: list[SchoolClass], periods: list[Period]) -> dict[tuple[int, int], ClassState]:
    """For each class × period: appreciations written / expected, decisions, report cards produced and
    published, and when (seven queries whatever the number of classes)."""
    if not classes or not periods:
        return {}
    sizes, expected = _expected_appreciations(classes)
    where = {"school_class_id__in": [c.pk for c in classes], "period_id__in": [p.pk for p in periods]}
    states = {
        (c.pk, p.pk): ClassState(expected=expected.get(c.pk, 0), students=sizes.get(c.pk, 0))
        for c in classes
        for p in periods
    }
    for model in (SubjectAppreciation, GeneralAppreciation):
        counts = model.objects.filter(**where).exclude(text="").values("school_class_id", "period_id")
        for row in counts.annotate(n=Count("pk")):
            if (key := (row["school_class_id"], row["period_id"])) in states:
                states[key].appreciations += row["n"]
    decided = CouncilDecision.objects.filter(**where).exclude(mention="", decision="")
    for row in decided.values("school_class_id", "period_id").annotate(n=Count("pk")):
        if (key := (row["school_class_id"], row["period_id"])) in states:
            states[key].decisions = row["n"]
    cards = ReportCard.objects.filter(**where).values("school_class_id", "period_id")
    for row in cards.annotate(
        produced=Count("student_id", distinct=True),
        produced_at=Max("generated_at"),
        published=Count("student_id", distinct=True, filter=Q(published_at__isnull=False)),
        published_at=Max("published_at"),
    ):
        if (key := (row["school_class_id"], row["period_id"])) in states:
            state = states[key]
            state.produced, state.produced_at = row["produced"], row["produced_at"]
            state.published, state.published_at = row["published"], row["published_at"]
    return states


def staff_home(actor: Actor) -> StaffHome:
    """The periods of the active establishment's year, the teacher's class × subject grids and the classes
    whose council page the actor opens (direction and vie scolaire: all; a head teacher: theirs)."""
    establishment_id = actor.establishment_id
    classes_q = Q(head_teacher_id=actor.user_id) | Q(pk__in=[c for c, _s in actor.taught_class_subjects])
    if follows_all := authz.allows(actor, "reportcards.follow_every_class", actor.establishment):
        classes_q = Q()
    today = timezone.localdate()
    classes = list(
        SchoolClass.objects.filter(classes_q, establishment_id=establishment_id, school_year__start_date__lte=today)
        .filter(school_year__end_date__gte=today)
        .select_related("school_year")
        .order_by("level", "name")
    )
    if not follows_all:
        classes = [c for c in classes if authz.allows(actor, "reportcards.follow_class", c)]
    periods: list[Period] = []
    if classes:
        periods = list(Period.objects.filter(school_year_id=classes[0].school_year_id).order_by("position"))
    pairs_wanted = actor.taught_class_subjects
    pairs: list[tuple[SchoolClass, Subject]] = []
    if pairs_wanted:
        by_id = {c.pk: c for c in classes}
        subjects = Subject.objects.in_bulk({s for _c, s in pairs_wanted})
        pairs = sorted(
            ((by_id[c], subjects[s]) for c, s in pairs_wanted if c in by_id and s in subjects),
            key=lambda p: (p[0].name, p[1].name),
        )
    return StaffHome(periods, pairs, classes, class_states(classes, periods))


def family_cards(actor: Actor, student_ids: list[int]) -> dict[int, list[ReportCard]]:
    """The published report cards of these students the actor sees, newest period and version first."""
    rows = (
        ReportCard.objects.visible_to(actor)
        .filter(student_id__in=student_ids, published_at__lte=timezone.now())
        .select_related("period")
        .defer("data")
        .order_by("-period__school_year__start_date", "-period__position", "-version")
    )
    result: dict[int, list[ReportCard]] = {i: [] for i in student_ids}
    for card in rows:
        result[card.student_id].append(card)
    mark_replaced(c for cards in result.values() for c in cards)
    return result


def mark_replaced(cards: Iterable[ReportCard]) -> None:
    """Set ``replaced`` on every published card that a later published version of the same period follows."""
    latest: dict[tuple[int, int], int] = {}
    cards = list(cards)
    for card in cards:
        if card.published_at is not None:
            key = (card.student_id, card.period_id)
            latest[key] = max(latest.get(key, 0), card.version)
    for card in cards:
        # ``replaced`` is for the pages only, not a field
        card.replaced = card.published_at is not None and card.version < latest.get(  # type: ignore[attr-defined]
            (card.student_id, card.period_id), 0
        )


def card_for(actor: Actor, pk: int) -> ReportCard:
    """One report card the actor may see (404 otherwise), with its class and period."""
    return authz.access(actor, ReportCard.objects.select_related("school_class", "period", "student"), pk)


def versions_of(actor: Actor, card: ReportCard) -> list[ReportCard]:
    """Every version of the card's period the actor sees (families: the published ones), newest first."""
    rows = list(
        ReportCard.objects.visible_to(actor)
        .filter(establishment_id=card.establishment_id, student_id=card.student_id, period_id=card.period_id)
        .defer("data")
        .order_by("-version")
    )
    mark_replaced(rows)
    return rows


def latest_cards(school_class: SchoolClass, period: Period, student_ids: list[int]) -> list[ReportCard]:
    """The latest version of each student's report card for the period (for the class zip)."""
    newest = (
        ReportCard.objects.filter(establishment_id=school_class.establishment_id, period=period)
        .filter(student_id__in=student_ids)
        .values("student_id")
        .annotate(v=Max("version"))
    )
    wanted = Q(pk__in=[])
    for row in newest:
        wanted |= Q(student_id=row["student_id"], version=row["v"])
    return list(
        ReportCard.objects.filter(establishment_id=school_class.establishment_id, period=period)
        .filter(wanted)
        .select_related("student", "period")
        .defer("data")
        .order_by("student__last_name", "student__first_name")
    )


# --- what a report card says --------------------------------------------------------------------------------
def _teachers_by_subject(school_class: SchoolClass, student_ids: list[int]) -> dict[tuple[int | None, int], str]:
    """Teacher names by (student or None for the whole class, subject): the class's assignments, and those
    of the groups drawn from it for their students (two queries)."""
    rows = (
        current(TeachingAssignment.objects.filter(Q(school_class=school_class) | Q(group__classes=school_class)))
        .select_related("teacher")
        .order_by("teacher__last_name", "teacher__first_name")
    )
    names: dict[tuple[int | None, int], list[str]] = {}
    by_group: dict[int, list[tuple[int, str]]] = {}
    for assignment in rows:
        if assignment.group_id is None:
            names.setdefault((None, assignment.subject_id), []).append(assignment.teacher.display_name)
        else:
            by_group.setdefault(assignment.group_id, []).append(
                (assignment.subject_id, assignment.teacher.display_name)
            )
    if by_group:
        members = current(GroupMembership.objects.filter(group_id__in=list(by_group), student_id__in=student_ids))
        for student_id, group_id in members.values_list("student_id", "group_id"):
            for subject_id, name in by_group[group_id]:
                names.setdefault((student_id, subject_id), []).append(name)
    return {key: ", ".join(dict.fromkeys(n)) for key, n in names.items()}


def card_contents(school_class: SchoolClass, period: Period, students: list[User]) -> dict[int, dict]:
    """What each student's report card says (student id -> data), in a constant number of queries."""
    ids = [s.pk for s in students]
    establishment = school_class.establishment
    teachers = _teachers_by_subject(school_class, ids)
    result = averages(school_class, period, ids)
    subject_ids = {subject_id for _student, subject_id in teachers} | set(result.subject_ids())
    subjects = sorted(Subject.objects.filter(pk__in=subject_ids), key=lambda s: s.name)
    where = {"establishment_id": school_class.establishment_id, "period": period, "student_id__in": ids}
    texts = {(a.student_id, a.subject_id): a.text for a in SubjectAppreciation.objects.filter(**where)}
    generals = {g.student_id: g.text for g in GeneralAppreciation.objects.filter(**where)}
    decisions = {d.student_id: d for d in CouncilDecision.objects.filter(**where)}
    counts = absences(period, ids)
    overall_stats = result.overall_stats()
    head = school_class.head_teacher.display_name if school_class.head_teacher else ""
    contents: dict[int, dict] = {}
    for student in students:
        rows = []
        own = set(result.result.for_student(student.pk).subjects)
        for subject in subjects:
            teacher = teachers.get((None, subject.pk)) or teachers.get((student.pk, subject.pk))
            if teacher is None and subject.pk not in own:
                continue  # a subject only others of the class are taught (another group's)
            stats = result.subject_stats(subject.pk, student.pk)
            rows.append(
                {
                    "subject": subject.name,
                    "teacher": teacher or "",
                    "average": number(result.subject_average(student.pk, subject.pk)),
                    "class_average": number(stats.average),
                    "minimum": number(stats.minimum),
                    "maximum": number(stats.maximum),
                    "appreciation": texts.get((student.pk, subject.pk), ""),
                }
            )
        decision = decisions.get(student.pk)
        c = counts.get(student.pk)
        absence = {
            "absent_half_days": c.absent_half_days if c else 0,
            "unjustified_half_days": c.unjustified_half_days if c else 0,
            "lateness": c.lateness if c else 0,
        }
        contents[student.pk] = {
            "establishment": establishment.name,
            "establishment_city": establishment.city,
            "uai": establishment.uai,
            "school_year": school_class.school_year.label,
            "period": period.name,
            "period_start": period.start_date.isoformat(),
            "period_end": period.end_date.isoformat(),
            "class": school_class.name,
            "head_teacher": head,
            "student": {"id": student.pk, "last_name": student.last_name, "first_name": student.first_name},
            "birth_date": date_format(student.birth_date, "SHORT_DATE_FORMAT") if student.birth_date else "",
            "subjects": rows,
            "overall": {
                "average": number(result.overall_average(student.pk)),
                "class_average": number(overall_stats.average),
                "minimum": number(overall_stats.minimum),
                "maximum": number(overall_stats.maximum),
            },
            "absences": absence,
            "general_appreciation": generals.get(student.pk, ""),
            "mention": decision.mention if decision else "",
            "mention_label": str(decision.get_mention_display()) if decision and decision.mention else "",
            "decision": decision.decision if decision else "",
            "rounding_rule": rounding_rule(),
        }
    return contents


def content_hash(data: dict) -> str:
    """A digest of what a report card says: an unchanged card is not generated again."""
    return hashlib.sha256(json.dumps(data, sort_keys=True, ensure_ascii=False).encode()).hexdigest()


# --- what the pages open ------------------------------------------------------------------------------------
def family_home(actor: Actor) -> list[tuple[str, list[ReportCard], bool]]:
    """The families' list: for the student themself, or each child of a guardian in the active establishment,
    their first name, their published report cards, and whether it is the actor's own."""
    if actor.role == Role.GUARDIAN:
        students = [(c.id, c.first_name) for c in actor.children_here]
    else:
        students = [(actor.user_id, actor.user.first_name)] if actor.user_id and actor.user else []
    cards = family_cards(actor, [i for i, _n in students])
    return [(name, cards[i], i == actor.user_id) for i, name in students]


def grid_place(
    actor: Actor, *, class_id: int, period_id: int, subject_id: int, student_id: int
) -> tuple[SchoolClass, Period, Subject, User]:
    """The class (which the actor follows), the period, the subject and the student of one grid row; 404
    otherwise."""
    school_class = class_for(actor, class_id)
    return (
        school_class,
        period_for(school_class, period_id),
        subject_for(school_class, subject_id),
        student_of(school_class, student_id),
    )


def card_page(actor: Actor, pk: int) -> tuple[ReportCard, list[ReportCard]]:
    """A report card the actor may see (404 otherwise) and every version of its period they see, each with
    ``replaced`` set."""
    report = card_for(actor, pk)
    versions = versions_of(actor, report)
    mark_replaced([report, *versions])
    return report, versions
