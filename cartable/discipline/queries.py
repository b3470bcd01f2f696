"""Reads of the discipline app, scoped to the actor, related rows preloaded, in a constant number of queries."""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable

from django.db.models import Count, Prefetch, QuerySet
from django.utils import timezone
from django.utils.functional import Promise
from django.utils.translation import gettext_lazy as _

from cartable.core import authz
from cartable.directory.actor import Actor
from cartable.directory.models import Role
from cartable.discipline.models import Incident, Involvement, Punishment, Sanction

LIST_SIZE = 50
WIDGET_SIZE = 6
RECENT_DAYS = 30

NEXT_STEP: dict[str, Promise] = {
    Sanction.Step.OPENED: _("Informer la famille par écrit"),
    Sanction.Step.INFORMED: _("Entendre la défense ou attendre la fin du délai"),
    Sanction.Step.DEFENCE: _("Prendre la décision"),
    Sanction.Step.DECIDED: _("Notifier la décision"),
    Sanction.Step.NOTIFIED: _("Procédure terminée"),
}


def next_step(sanction: Sanction, today: dt.date | None = None) -> str:
    """What the procedure waits for, in words."""
    today = today or timezone.localdate()
    deadline = sanction.defence_deadline
    if sanction.step == Sanction.Step.INFORMED and deadline is not None and today > deadline:
        return str(NEXT_STEP[Sanction.Step.DEFENCE])
    return str(NEXT_STEP[sanction.step])


def family_student_id(actor: Actor) -> int | None:
    """The student a student or guardian looks at: themself, or the active child."""
    if actor.role == Role.STUDENT:
        return actor.user_id
    if actor.role == Role.GUARDIAN:
        # Discipline is for legal guardians only (see directory.actor.Child.legal).
        return actor.child.id if actor.child and actor.child.legal else None
    return None


def _punishments(actor: Actor) -> QuerySet[Punishment]:
    return Punishment.objects.visible_to(actor).select_related("student", "given_by")


def _sanctions(actor: Actor) -> QuerySet[Sanction]:
    return Sanction.objects.visible_to(actor).select_related("student")


def is_family(actor: Actor) -> bool:
    return actor.role in (Role.STUDENT, Role.GUARDIAN)


def family_view(actor: Actor) -> bool:
    """Whether the discipline page shows the family's side: to a student or a guardian, and to whoever is not
    staff of the active establishment."""
    return is_family(actor) or not authz.can(actor, "discipline.see_staff_side", actor.establishment)


def home_punishments(actor: Actor, *, to_follow: bool = False) -> list[Punishment]:
    """The punishments of the discipline page (the child's for a family), only those not done yet when
    ``to_follow`` (one query)."""
    if actor.establishment_id is None:
        return []
    rows = _punishments(actor).filter(establishment_id=actor.establishment_id)
    if is_family(actor):
        student_id = family_student_id(actor)
        if student_id is None:
            return []
        rows = rows.filter(student_id=student_id)
    if to_follow:
        rows = rows.filter(done_on__isnull=True)
    return list(rows[:LIST_SIZE])


def home(actor: Actor, *, to_follow: bool = False) -> dict:
    """The discipline page: for a family, their child's punishments and sanctions; for staff, the
    establishment's recent incidents, punishments and sanctions as the actor may see them (3 queries)."""
    eid = actor.establishment_id
    if eid is None:
        return {"punishments": [], "sanctions": [], "incidents": []}
    punishments = home_punishments(actor, to_follow=to_follow)
    if is_family(actor):
        student_id = family_student_id(actor)
        sanctions = (
            list(_sanctions(actor).filter(student_id=student_id, establishment_id=eid)[:LIST_SIZE])
            if student_id
            else []
        )
        return {"punishments": punishments, "sanctions": sanctions, "incidents": []}
    return {
        "incidents": list(
            Incident.objects.visible_to(actor).filter(establishment_id=eid).select_related("reported_by")[:LIST_SIZE]
        ),
        "punishments": punishments,
        "sanctions": list(_sanctions(actor).filter(establishment_id=eid)[:LIST_SIZE])
        if authz.can(actor, "discipline.oversee", actor.establishment)
        else [],
    }


def student_file(actor: Actor, student_id: int) -> dict:
    """A student's disciplinary file as the actor may see it: punishments and sanctions (2 queries)."""
    return {
        "punishments": list(_punishments(actor).filter(student_id=student_id)),
        "sanctions": list(_sanctions(actor).filter(student_id=student_id)),
    }


CHART_MONTHS = 10
BAR_WIDTH, BAR_GAP, CHART_HEIGHT = 28, 8, 100


def monthly_counts(punishments: list[Punishment], today: dt.date, months: int = CHART_MONTHS) -> dict:
    """Punishments per month over the last ``months`` months, with the bars' geometry for a server-drawn
    SVG chart (no query: the rows are already loaded)."""
    firsts = []
    year, month = today.year, today.month
    for _step in range(months):
        firsts.append(dt.date(year, month, 1))
        year, month = (year, month - 1) if month > 1 else (year - 1, 12)
    firsts.reverse()
    counts = dict.fromkeys(firsts, 0)
    for p in punishments:
        first = p.given_on.replace(day=1)
        if first in counts:
            counts[first] += 1
    top = max(counts.values()) or 1
    bars = []
    for i, (first, n) in enumerate(counts.items()):
        height = round(CHART_HEIGHT * n / top)
        x = i * (BAR_WIDTH + BAR_GAP)
        bars.append(
            {
                "month": first,
                "count": n,
                "x": x,
                "y": CHART_HEIGHT - height + 16,
                "height": height,
                "middle": x + BAR_WIDTH // 2,
            }
        )
    return {
        "bars": bars,
        "width": months * (BAR_WIDTH + BAR_GAP),
        "bar_width": BAR_WIDTH,
        "axis": CHART_HEIGHT + 16,
        "label_y": CHART_HEIGHT + 32,
        "height": CHART_HEIGHT + 40,
        "total": sum(counts.values()),
    }


def incident_detail(actor: Actor, pk: int) -> Incident:
    """An incident with the people involved and its punishments (3 queries); raises Http404 when hidden."""
    involved = Prefetch(
        "involvements", queryset=Involvement.objects.select_related("person").order_by("role", "person__last_name")
    )
    punishments = Prefetch("punishments", queryset=Punishment.objects.visible_to(actor).select_related("student"))
    queryset = Incident.objects.select_related("reported_by").prefetch_related(involved, punishments)
    return authz.access(actor, queryset, pk)


def incidents_to_link(actor: Actor) -> QuerySet[Incident]:
    """Incidents the actor may attach a punishment or sanction to (the last 60 days)."""
    since = timezone.now() - dt.timedelta(days=60)
    return Incident.objects.visible_to(actor).filter(establishment_id=actor.establishment_id, occurred_at__gte=since)


# --- dashboard widgets (one query each) ------------------------------------------------------------------
def recent_family_punishments(actor: Actor) -> list[Punishment]:
    """The student's (or the active child's) punishments of the last 30 days."""
    student_id = family_student_id(actor)
    if student_id is None:
        return []
    since = timezone.localdate() - dt.timedelta(days=RECENT_DAYS)
    return list(
        Punishment.objects.filter(
            establishment_id=actor.establishment_id, student_id=student_id, given_on__gte=since
        ).order_by("-given_on", "-id")[:WIDGET_SIZE]
    )


def punishments_to_follow(actor: Actor) -> list[Punishment]:
    """Punishments of the establishment not done yet, the oldest first."""
    return list(
        Punishment.objects.filter(establishment_id=actor.establishment_id, done_on__isnull=True)
        .select_related("student")
        .order_by("given_on", "id")[:WIDGET_SIZE]
    )


def open_procedures(actor: Actor) -> list[Sanction]:
    """Sanction procedures of the establishment not yet notified, with their next step."""
    rows = list(
        Sanction.objects.filter(establishment_id=actor.establishment_id, notified_on__isnull=True)
        .select_related("student")
        .order_by("opened_on", "id")[:WIDGET_SIZE]
    )
    today = timezone.localdate()
    for s in rows:
        s.next_step_label = next_step(s, today)
    return rows


# --- for other apps --------------------------------------------------------------------------------------
def student_discipline_summary(*, student_ids: Iterable[int], start: dt.date, end: dt.date) -> dict[int, dict]:
    """For report cards: student id -> ``{"punishments": n, "sanctions": n}`` given (punishments) or decided
    (sanctions) between ``start`` and ``end`` inclusive. Two queries whatever the number of students; every
    student asked for is in the answer."""
    ids = list(student_ids)
    summary = {sid: {"punishments": 0, "sanctions": 0} for sid in ids}
    for row in (
        Punishment.objects.filter(student_id__in=ids, given_on__range=(start, end))
        .values("student_id")
        .annotate(n=Count("pk"))
        .order_by()
    ):
        summary[row["student_id"]]["punishments"] = row["n"]
    for row in (
        Sanction.objects.filter(student_id__in=ids, decided_on__range=(start, end))
        .values("student_id")
        .annotate(n=Count("pk"))
        .order_by()
    ):
        summary[row["student_id"]]["sanctions"] = row["n"]
    return summary


def work_to_do(actor: Actor, start: dt.date, end: dt.date, *, merged: bool) -> list[Punishment]:
    """The punishments with work to do (« devoir supplémentaire ») due from ``start`` to ``end`` of the student
    acting, or of the guardian's active child (every legal child when ``merged``): discipline is for legal
    guardians only. One query; none when there is nobody to look at."""
    if actor.role == Role.GUARDIAN and merged:
        student_ids = sorted(actor.legal_children_ids)
    else:
        student_id = family_student_id(actor)
        student_ids = [student_id] if student_id is not None else []
    if not student_ids:
        return []
    return list(
        _punishments(actor)
        .filter(
            student_id__in=student_ids,
            kind=Punishment.Kind.EXTRA_WORK,
            due_on__isnull=False,
            due_on__range=(start, end),
        )
        .order_by("due_on", "id")
    )
