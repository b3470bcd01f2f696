"""The dashboard widgets' contexts: one query each on a steady dashboard.

The lessons of a day come from the timetable (several queries): the teacher's lessons of the day and the
establishment's count of lessons begun without a roll call are cached briefly, so the steady dashboard
pays one query per widget (the roll calls, the absences).
"""

from __future__ import annotations

import datetime as dt

from django.core.cache import cache
from django.db.models import Q
from django.utils import timezone

from cartable.attendance.models import Absence, Justification, RollCall, Status
from cartable.attendance.queries import _bounds, board, lateness_alerts, settings_of, teacher_lessons
from cartable.directory.models import Role

TEACHER_CACHE = "attendance:lessons:%d:%s"
BOARD_CACHE = "attendance:missing:%d"
TEACHER_SECONDS = 600
BOARD_SECONDS = 60


def family_context(actor) -> dict | None:
    """The absences of the child looked at (or one's own) still waiting for a justification."""
    if actor.role == Role.GUARDIAN:
        if actor.child is None or not actor.child.legal:  # absences are for legal guardians only
            return None
        student_id, name = actor.child.id, actor.child.first_name
    else:
        student_id, name = actor.user_id, ""
    found = list(
        Absence.objects.filter(
            establishment_id=actor.establishment_id,
            student_id=student_id,
            status=Status.PENDING,
            justifications__isnull=True,
        ).order_by("-start")[:5]
    )
    return {"absences": found, "name": name}  # the child's name, shown to a guardian only


def school_life_context(actor) -> dict:
    """Lessons begun without a roll call (cached a minute) and today's unexplained absences (one query)."""
    establishment_id = actor.establishment_id
    missing = cache.get(BOARD_CACHE % establishment_id)
    if missing is None:
        missing = board(actor, establishment_id).missing
        cache.set(BOARD_CACHE % establishment_id, missing, BOARD_SECONDS)
    today = timezone.localdate()
    lo, hi = _bounds(today, today)
    absences = Absence.objects.filter(
        establishment_id=establishment_id, start__lt=hi, end__gt=lo, status=Status.PENDING
    ).count()
    return {"missing": len(missing), "lessons": missing[:SHOWN], "absences": absences}


SHOWN = 5  # items a dashboard block lists before its link to the whole list


def to_decide_context(actor) -> dict:
    """The justifications waiting for a decision in the establishment, oldest first (two queries; the widget
    is cached and forgotten by every attendance write)."""
    waiting = Justification.objects.visible_to(actor).filter(
        establishment_id=actor.establishment_id, decision=Justification.Decision.SUBMITTED
    )
    oldest = list(waiting.select_related("student", "absence", "lateness").order_by("created_at", "pk")[:SHOWN])
    return {"count": waiting.count() if len(oldest) == SHOWN else len(oldest), "oldest": oldest}


def lateness_alerts_context(actor) -> dict:
    """The students at or past the establishment's lateness threshold, most first (two queries, cached)."""
    settings = settings_of(actor.establishment_id)
    alerts = lateness_alerts(actor.establishment_id, settings)
    return {"count": len(alerts), "alerts": alerts[:SHOWN], "settings": settings}


def teacher_context(actor) -> dict:
    """Today's lessons of a teacher that have begun or are under way without a roll call."""
    today = timezone.localdate()
    key = TEACHER_CACHE % (actor.user_id, today.isoformat())
    lessons = cache.get(key)
    if lessons is None:
        lessons = [c.lesson for c in teacher_lessons(actor, today) if not c.lesson.is_cancelled]
        cache.set(key, lessons, TEACHER_SECONDS)
    where = sorted(m.establishment_id for m in actor.memberships if m.role == Role.TEACHER)
    called = set(
        RollCall.objects.filter(establishment_id__in=where, date=today)
        .filter(Q(called_by_id=actor.user_id) | Q(assignment__teacher_id=actor.user_id))
        .values_list("lesson_key", flat=True)
    )
    soon = timezone.now() + dt.timedelta(minutes=15)
    return {
        "awaiting": [lesson for lesson in lessons if lesson.key not in called and lesson.start <= soon],
        "today": today,
    }
