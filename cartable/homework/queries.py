"""Reads of the homework log: what is due, a class's load, a class's log, a teacher's lessons with their
entries. Each function costs a fixed number of queries whatever the data's size."""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable
from dataclasses import dataclass
from typing import Any, cast

from django.db.models import DateTimeField, Exists, OuterRef, Prefetch, Q, QuerySet, Subquery, Value
from django.http import Http404
from django.utils import timezone
from django.utils.translation import gettext_lazy

from cartable.core import registry
from cartable.directory.actor import Actor, current
from cartable.directory.models import Enrolment, Group, GroupMembership, Role, SchoolClass, TeachingAssignment
from cartable.homework.models import (
    Attachment,
    Feedback,
    Homework,
    HomeworkDone,
    Link,
    LogEntry,
    Submission,
    WorkloadThresholds,
)
from cartable.homework.policies import family_reach
from cartable.timetable import queries as timetable

HOMEWORK_RELATED = (
    "assignment__subject",
    "assignment__teacher",
    "assignment__school_class",
    "assignment__group",
)


def chosen_children(actor: Actor, student_ids: Iterable[int] | None = None) -> list:
    """The children a guardian looks at: those listed in ``student_ids`` (only theirs), else the active one.
    Empty for anyone not acting as a guardian."""
    if actor.role != Role.GUARDIAN:
        return []
    if student_ids is not None:
        wanted = set(student_ids)
        return [c for c in actor.children if c.id in wanted]
    return [actor.child] if actor.child else []


def due_items(
    actor: Actor, start: dt.date, end: dt.date, *, student_ids: Iterable[int] | None = None, done_for: int | None = None
) -> list[Homework]:
    """Published homework due from ``start`` to ``end`` (both included) that the actor sees.

    For a guardian: the active child's, or those of the children listed in ``student_ids``; each item
    then carries ``item.children`` (the children it is for, as ``Actor.children`` items). For a student:
    their classes' and groups'. For staff: what the policy lets them see. One query (plus the actor's
    relations, loaded once per request)."""
    qs = Homework.objects.visible_to(actor).filter(due_date__range=(start, end), published_at__lte=timezone.now())
    children = chosen_children(actor, student_ids)
    if actor.role == Role.GUARDIAN:
        reach = family_reach(actor)
        audience = Q(pk__in=[])
        for child in children:
            class_ids, group_ids = reach.get(child.id, ((), ()))
            audience |= Q(assignment__school_class_id__in=list(class_ids)) | Q(assignment__group_id__in=list(group_ids))
        qs = qs.filter(audience)
    elif actor.role == Role.STUDENT:
        qs = qs.filter(
            Q(assignment__school_class_id__in=list(actor.class_ids)) | Q(assignment__group_id__in=list(actor.group_ids))
        )
    if done_for is not None:  # the done state of one student (ticked, or handed in), in the same query
        handed_in = Submission.objects.filter(homework=OuterRef("pk"), student_id=done_for)
        qs = qs.annotate(
            ticked=Exists(HomeworkDone.objects.filter(homework=OuterRef("pk"), student_id=done_for)),
            handed_in_at=Subquery(handed_in.values("submitted_at")[:1]),
            handed_in_late=Subquery(handed_in.values("is_late")[:1]),
            returned=Exists(
                Feedback.objects.filter(submission__homework=OuterRef("pk"), submission__student_id=done_for)
            ),
        )
    items = list(qs.select_related(*HOMEWORK_RELATED).order_by("due_date", "due_time", "id"))
    if done_for is not None:
        for one in cast("list[Any]", items):
            one.done = one.ticked or one.handed_in_at is not None
    if actor.role == Role.GUARDIAN:
        reach = family_reach(actor)
        for item in items:
            a = item.assignment
            item.children = [c for c in children if a.school_class_id in reach[c.id][0] or a.group_id in reach[c.id][1]]
    return items


@dataclass(frozen=True)
class ChildMark:
    """One child's state for a homework, as a guardian sees it: done (ticked or handed in), and when handed in."""

    child: Any
    done: bool
    handed_in_at: dt.datetime | None = None


def todo_items(actor: Actor, start: dt.date, end: dt.date, *, merged: bool) -> list[Homework]:
    """The homework due in the window with its done state (ticked or handed in online, ``handed_in_at``):
    for a student theirs, for a guardian each child's (``item.marks``, :class:`ChildMark`). Fixed query
    count."""
    item: Any  # homework carrying the children, done state and marks set here and in due_items
    if actor.role == Role.GUARDIAN and merged:
        items = due_items(actor, start, end, student_ids=[c.id for c in actor.children])
        children = {c.id for marked in cast("list[Any]", items) for c in marked.children}
        states = progress([i.pk for i in items], children)
        for item in items:
            item.marks = [ChildMark(c, (item.pk, c.id) in states, states.get((item.pk, c.id))) for c in item.children]
    elif actor.role == Role.GUARDIAN:
        child = actor.child
        items = due_items(actor, start, end, done_for=child.id if child else None)
        for item in items:
            item.marks = [ChildMark(c, item.done, item.handed_in_at) for c in item.children]
    else:
        items = due_items(actor, start, end, done_for=actor.user_id)
    return items


LOAD_SCHOOL_DAYS = 7


def coming_school_days(actor: Actor) -> list[dt.date]:
    """The coming seven school days of the active establishment, today included when it is one (no query
    once the timetable's calendar is cached)."""
    return actor.memo(
        "homework.coming_school_days",
        lambda: timetable.school_days(actor.establishment_id, timezone.localdate(), LOAD_SCHOOL_DAYS),
    )


def dashboard_due(actor: Actor) -> list[Homework]:
    """Homework due from today to a week ahead, and over the coming seven school days, with its done state:
    fetched once per request and shared by the dashboard's "Devoirs à venir" and "Ma charge" widgets."""

    def fetch() -> list[Homework]:
        today = timezone.localdate()
        days = coming_school_days(actor)
        end = max([today + dt.timedelta(days=7), *days])
        return todo_items(actor, today, end, merged=False)

    return actor.memo("homework.dashboard_due", fetch)


def other_todo(actor: Actor, start: dt.date, end: dt.date, *, merged: bool) -> list[registry.TodoItem]:
    """What other apps add to « Travail à faire » (``registry.TodoSource``: a punishment with work to do...),
    each source deciding what the actor may see; a fixed number of queries per source whose module is on."""
    found = [
        item
        for source in registry.todo_sources(actor.module_settings)
        for item in source.items(actor, start, end, merged)
    ]
    return sorted(found, key=lambda item: (item.due_date, item.key))


@dataclass(frozen=True)
class LogLink:
    pk: int
    name: str


def log_links(actor: Actor, *, merged: bool) -> dict[str, list]:
    """The classes and groups whose log the student (or the child looked at) follows (one query: a UNION)."""
    if actor.role == Role.STUDENT:
        class_ids, group_ids = actor.class_ids, actor.group_ids
    else:
        reach = family_reach(actor)
        children = actor.children if merged else ([actor.child] if actor.child else [])
        class_ids = frozenset(c for child in children for c in reach.get(child.id, ((), ()))[0])
        group_ids = frozenset(g for child in children for g in reach.get(child.id, ((), ()))[1])
    parts = []
    if class_ids:
        parts.append(SchoolClass.objects.filter(pk__in=class_ids).annotate(is_group=Value(0)))
    if group_ids:
        parts.append(Group.objects.filter(pk__in=group_ids).annotate(is_group=Value(1)))
    if not parts:
        return {"classes": [], "groups": []}
    rows = [p.order_by().values_list("pk", "name", "is_group") for p in parts]
    found = rows[0].union(*rows[1:], all=True) if len(rows) > 1 else rows[0]
    links: dict[int, list[LogLink]] = {0: [], 1: []}
    for pk, name, is_group in found:
        links[is_group].append(LogLink(pk, name))
    return {"classes": sorted(links[0], key=lambda c: c.name), "groups": sorted(links[1], key=lambda g: g.name)}


def teacher_week(actor: Actor, monday: dt.date, sunday: dt.date) -> tuple[list[dict[str, Any]], list[LogEntry]]:
    """The teacher's lessons of the week in the active establishment, each with its log entry
    (``{"lesson", "entry"}``), and the entries of the week that match no lesson."""
    lessons = timetable.lessons(
        establishment_id=actor.establishment_id or (),
        start=monday,
        end=sunday,
        assignments=timetable.assignments_of_teacher(actor.user_id or 0),
    )
    entries = list(
        LogEntry.objects.filter(
            establishment_id=actor.establishment_id, author_id=actor.user_id, date__range=(monday, sunday)
        )
        .select_related(*HOMEWORK_RELATED)
        .prefetch_related("homework")
        .order_by("date", "start_time", "id")
    )
    by_key = {e.lesson_key: e for e in entries if e.lesson_key}
    rows = [{"lesson": lesson, "entry": by_key.pop(lesson.key, None)} for lesson in lessons]
    used = {row["entry"].pk for row in rows if row["entry"]}
    return rows, [e for e in entries if e.pk not in used]


def files_and_links(parent: LogEntry | Homework) -> dict[str, list[Any]]:
    """The files and links of a log entry or homework, in the order they were added (two queries)."""
    return {"attachments": list(parent.attachments.order_by("id")), "links": list(parent.links.order_by("id"))}


def homework_of_entry(entry: LogEntry) -> list[Homework]:
    """The homework set from a log entry, by due date (one query)."""
    return list(entry.homework.order_by("due_date", "id"))


def class_ids_of(assignment: TeachingAssignment) -> list[int]:
    """The class an assignment is taught to, or the classes its group is drawn from (one query then)."""
    if assignment.school_class_id:
        return [assignment.school_class_id]
    return list(SchoolClass.objects.filter(groups=assignment.group_id).values_list("pk", flat=True))


def week_student(actor: Actor) -> tuple[int, str]:
    """The student whose week is shown: oneself, or a guardian's active child; (id, first name). 404 for
    anyone else (see the permission ``homework.view_student_week``)."""
    if actor.role == Role.STUDENT and actor.user is not None:
        return actor.user.pk, actor.user.first_name
    if actor.role == Role.GUARDIAN and actor.child is not None:
        return actor.child.id, actor.child.first_name
    raise Http404


def workload_classes(actor: Actor) -> list[SchoolClass]:
    """The classes of the active establishment whose workload the actor may look at; a teacher's own
    classes first."""
    classes = list(
        SchoolClass.objects.visible_to(actor).filter(establishment_id=actor.establishment_id).order_by("level", "name")
    )
    if actor.role == Role.TEACHER:
        taught = actor.taught_class_ids
        classes.sort(key=lambda c: (c.pk not in taught, c.level, c.name))
    return classes


def is_done(actor: Actor, homework: Homework) -> bool | None:
    """Whether the student acting ticked this homework done; None for anyone else (one query for a student)."""
    if actor.role != Role.STUDENT:
        return None
    return bool(done_pairs([homework.pk], [actor.user_id or 0]))


def hand_in_state(actor: Actor, homework: Homework) -> dict[str, Any] | None:
    """The online hand-in of a homework as its student (or a guardian, for the child looked at) sees it:
    ``{"submission", "feedback", "overdue"}``; None for anyone else or a homework taking no hand-in (one
    query)."""
    if not homework.accepts_submissions:
        return None
    a = homework.assignment
    if actor.role == Role.STUDENT:
        student_id = actor.user_id
        targeted = a.school_class_id in actor.class_ids or a.group_id in actor.group_ids
    elif actor.role == Role.GUARDIAN and actor.child is not None:
        student_id = actor.child.id
        class_ids, group_ids = family_reach(actor).get(student_id, ((), ()))
        targeted = a.school_class_id in class_ids or a.group_id in group_ids
    else:
        return None
    if not targeted:
        return None
    submission = Submission.objects.filter(homework=homework, student_id=student_id).select_related("feedback").first()
    deadline = homework.submission_deadline
    return {
        "submission": submission,
        "feedback": getattr(submission, "feedback", None) if submission else None,
        "overdue": submission is None and deadline is not None and timezone.now() > deadline,
    }


def done_pairs(homework_ids: Iterable[int], student_ids: Iterable[int]) -> set[tuple[int, int]]:
    """The (homework id, student id) pairs done, ticked or handed in online, among those given (one query)."""
    return set(progress(homework_ids, student_ids))


def progress(homework_ids: Iterable[int], student_ids: Iterable[int]) -> dict[tuple[int, int], dt.datetime | None]:
    """The (homework id, student id) pairs done among those given, each with when the work was handed in
    online (None when only ticked): one query (a UNION of the ticks and the hand-ins)."""
    homework_ids, student_ids = list(homework_ids), list(student_ids)
    if not homework_ids or not student_ids:
        return {}
    ticks = (
        HomeworkDone.objects.filter(homework_id__in=homework_ids, student_id__in=student_ids)
        .annotate(at=Value(None, output_field=DateTimeField()))
        .values_list("homework_id", "student_id", "at")
    )
    handed = Submission.objects.filter(homework_id__in=homework_ids, student_id__in=student_ids).values_list(
        "homework_id", "student_id", "submitted_at"
    )
    found: dict[tuple[int, int], dt.datetime | None] = {}
    for homework_id, student_id, at in ticks.union(handed, all=True):
        found[(homework_id, student_id)] = at or found.get((homework_id, student_id))
    return found


def class_load(
    *,
    establishment_id: int,
    class_id: int,
    start: dt.date,
    end: dt.date,
    exclude_homework_id: int | None = None,
) -> dict[dt.date, dict]:
    """Every homework due each day from ``start`` to ``end`` for a class, its groups included, published
    or not (the workload guard counts what is planned): ``{day: {"minutes", "tests", "items"}}`` with
    every day of the range present. One query."""
    assignments = TeachingAssignment.objects.filter(
        Q(school_class_id=class_id) | Q(group__classes=class_id), establishment_id=establishment_id
    ).values("pk")
    qs = Homework.objects.filter(
        establishment_id=establishment_id, due_date__range=(start, end), assignment_id__in=assignments
    )
    if exclude_homework_id is not None:
        qs = qs.exclude(pk=exclude_homework_id)
    load: dict[dt.date, dict] = {}
    day = start
    while day <= end:
        load[day] = {"minutes": 0, "tests": 0, "items": []}
        day += dt.timedelta(days=1)
    for item in qs.select_related(*HOMEWORK_RELATED).order_by("due_date", "due_time", "id"):
        bucket = load[item.due_date]
        bucket["minutes"] += item.estimated_minutes
        bucket["tests"] += 1 if item.kind == Homework.Kind.TEST else 0
        bucket["items"].append(item)
    return load


def entries_with_details(actor: Actor, qs: QuerySet[LogEntry]) -> QuerySet[LogEntry]:
    """Log entries with their subject, class or group, files, links and the homework the actor sees
    preloaded (four queries in all when evaluated)."""
    return qs.select_related(*HOMEWORK_RELATED, "author").prefetch_related(
        Prefetch("attachments", queryset=Attachment.objects.order_by("id")),
        Prefetch("links", queryset=Link.objects.order_by("id")),
        Prefetch("homework", queryset=Homework.objects.visible_to(actor).order_by("due_date", "id")),
    )


def class_log(
    actor: Actor,
    *,
    class_id: int | None = None,
    group_id: int | None = None,
    start: dt.date | None = None,
    end: dt.date | None = None,
) -> list[LogEntry]:
    """A class's (its groups included) or a group's log as the actor may see it, newest first."""
    if class_id is not None:
        audience = Q(assignment__school_class_id=class_id) | Q(assignment__group__classes=class_id)
    else:
        audience = Q(assignment__group_id=group_id)
    qs = LogEntry.objects.visible_to(actor).filter(audience)
    if start is not None:
        qs = qs.filter(date__gte=start)
    if end is not None:
        qs = qs.filter(date__lte=end)
    return list(entries_with_details(actor, qs.order_by("-date", "-start_time", "-id")))


def teachable_assignments(actor: Actor, establishment_id: int | None = None) -> QuerySet[TeachingAssignment]:
    """The actor's current teaching assignments (in one establishment when given), subject and audience
    loaded."""
    qs = current(TeachingAssignment.objects.filter(teacher_id=actor.user_id))
    if establishment_id is not None:
        qs = qs.filter(establishment_id=establishment_id)
    return qs.select_related("subject", "school_class", "group").order_by(
        "school_class__name", "group__name", "subject__name"
    )


def undone_due_on(day: dt.date) -> list[tuple[Homework, list[int]]]:
    """Published homework due on ``day`` in every establishment, each with its students who have not ticked it
    done nor handed in (five queries: for the reminders job, not for a page)."""
    items = list(
        Homework.objects.filter(due_date=day, published_at__lte=timezone.now())
        .select_related("assignment__subject")
        .order_by("establishment_id", "id")
    )
    if not items:
        return []
    class_ids = {h.assignment.school_class_id for h in items if h.assignment.school_class_id}
    group_ids = {h.assignment.group_id for h in items if h.assignment.group_id}
    by_class: dict[int, list[int]] = {}
    by_group: dict[int, list[int]] = {}
    for class_id, student_id in current(Enrolment.objects.filter(school_class_id__in=class_ids)).values_list(
        "school_class_id", "student_id"
    ):
        by_class.setdefault(class_id, []).append(student_id)
    for group_id, student_id in current(GroupMembership.objects.filter(group_id__in=group_ids)).values_list(
        "group_id", "student_id"
    ):
        by_group.setdefault(group_id, []).append(student_id)
    done = set(HomeworkDone.objects.filter(homework__in=items).values_list("homework_id", "student_id"))
    done |= set(Submission.objects.filter(homework__in=items).values_list("homework_id", "student_id"))
    result = []
    for h in items:
        students = by_class.get(h.assignment.school_class_id, []) + by_group.get(h.assignment.group_id, [])
        result.append((h, sorted({s for s in students if (h.pk, s) not in done})))
    return result


# --- the workload pages -----------------------------------------------------------------------------------
PLAN_WEEKS = 2

LEVELS = [
    (0, gettext_lazy("Rien")),
    (1, gettext_lazy("Léger")),
    (2, gettext_lazy("Chargé")),
    (3, gettext_lazy("Au-delà du seuil")),
]


def workload_limits(actor: Actor) -> WorkloadThresholds:
    """The thresholds of the active establishment (the defaults for one acting nowhere, who has no week)."""
    from cartable.homework import workload

    return workload.thresholds_for(actor.establishment_id or 0)


def level(minutes: int, tests: int, limits: WorkloadThresholds) -> dict[str, Any]:
    """A day's level (0 nothing, 1 light, 2 busy: two thirds of a limit, 3 over a limit) and its label."""
    if minutes == 0 and tests == 0:
        value = 0
    elif minutes > limits.max_minutes_per_day or tests > limits.max_tests_per_day:
        value = 3
    elif minutes * 3 >= limits.max_minutes_per_day * 2 or (tests and tests >= limits.max_tests_per_day):
        value = 2
    else:
        value = 1
    return {"level": value, "label": dict(LEVELS)[value]}


def student_week(actor: Actor, monday: dt.date, *, today: dt.date) -> dict[str, Any]:
    """A student's week (their due work per day) and a suggested plan for what is not done yet. Fixed
    query count: the due items, the ticks, the thresholds."""
    from cartable.homework import workload

    student_id, _name = week_student(actor)
    ids = [student_id] if actor.role == Role.GUARDIAN else None
    horizon = max(monday + dt.timedelta(days=6), today + dt.timedelta(weeks=PLAN_WEEKS))
    items = due_items(actor, min(monday, today), horizon, student_ids=ids)
    done = done_pairs([i.pk for i in items], [student_id])
    limits = workload_limits(actor)
    week_days = []
    for offset in range(7):
        day = monday + dt.timedelta(days=offset)
        due = [i for i in items if i.due_date == day]
        if offset >= 5 and not due:
            continue
        minutes = sum(i.estimated_minutes for i in due)
        tests = sum(1 for i in due if i.kind == "test")
        load = level(minutes, tests, limits)
        week_days.append({"date": day, "items": due, "minutes": minutes, "tests": tests, **load})
    works = [
        workload.Work(
            key=str(i.pk),
            title=i.title,
            minutes=i.estimated_minutes,
            due_date=i.due_date,
            subject=i.assignment.subject.name,
            kind=i.kind,
        )
        for i in items
        if i.due_date > today and (i.pk, student_id) not in done
    ]
    plan = workload.plan(works, today=today, daily_limit=limits.max_minutes_per_day)
    planned = any(d.chunks for d in plan.days)
    return {"week_days": week_days, "plan": plan, "planned": planned, "limits": limits, "scale": LEVELS}


# --- the teacher's dashboard: log entries still to write ---------------------------------------------------
LOG_TO_FILL_SIZE = 8


def log_to_fill(actor: Actor, today: dt.date) -> list[Any]:
    """The teacher's lessons of this week up to today (today's included) in the active establishment, not
    cancelled, that have no log entry yet, the oldest first. The timetable's queries (its calendar cached)
    and one for the entries, whatever the number of lessons."""
    monday = timetable.monday_of(today)
    found = [
        lesson
        for lesson in timetable.lessons(
            establishment_id=actor.establishment_id or (),
            start=monday,
            end=today,
            assignments=timetable.assignments_of_teacher(actor.user_id or 0),
        )
        if not lesson.is_cancelled
    ]
    if not found:
        return []
    written = set(
        LogEntry.objects.filter(
            establishment_id=actor.establishment_id,
            date__range=(monday, today),
            lesson_key__in=[lesson.key for lesson in found],
        ).values_list("lesson_key", flat=True)
    )
    return [lesson for lesson in found if lesson.key not in written]
