"""Writes of school life: roll calls and their corrections, absences, lateness, justifications and their
decision, motifs and thresholds. Every one is atomic and audited; notices go through the outbox."""

from __future__ import annotations

import datetime as dt
from collections.abc import Mapping
from dataclasses import dataclass

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import models as django_models
from django.db import transaction
from django.db.models import Count
from django.forms import ModelChoiceField
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _

from cartable.attendance.models import (
    Absence,
    AbsenceReason,
    AttendanceSettings,
    BuiltInReason,
    Justification,
    Lateness,
    Mark,
    MarkChange,
    RollCall,
    State,
    Status,
    built_in_reasons,
)
from cartable.attendance.policies import is_life_staff, may_call, roll_call_is_open
from cartable.core import audit, authz, dates, erasure, french, uploads
from cartable.core.authz import Action
from cartable.core.notify import notify
from cartable.directory.actor import Actor
from cartable.directory.models import Establishment, User
from cartable.directory.queries import guardians_of_students, school_life_staff
from cartable.timetable.queries import Lesson


@dataclass(frozen=True)
class Entry:
    """What the roll call says of one student: a state, and minutes when late."""

    state: str
    minutes: int | None = None


def _settings(establishment_id: int) -> AttendanceSettings:
    return AttendanceSettings.objects.filter(establishment_id=establishment_id).first() or AttendanceSettings(
        establishment_id=establishment_id
    )


# --- the roll call ------------------------------------------------------------------------------------


@transaction.atomic
def take_roll_call(*, actor: Actor, lesson: Lesson, students: list[User], entries: Mapping[int, Entry]) -> RollCall:
    """Validate the roll call of a lesson, or correct it (each correction is kept in the history).

    Students not in ``entries`` are present. Absent marks become absences, merged with the student's
    absence of the lessons just before or after the same day; late marks become lateness. A constant
    number of queries whatever the class size.
    """
    if not may_call(actor, lesson):
        raise PermissionDenied
    if not roll_call_is_open(lesson):
        raise ValidationError(_("L'appel s'ouvre un quart d'heure avant le début du cours."))
    expected = {s.pk for s in students}
    if set(entries) - expected:
        raise PermissionDenied
    now = timezone.now()
    establishment_id = lesson.establishment_id
    roll_call = (
        RollCall.objects.select_for_update().filter(establishment_id=establishment_id, lesson_key=lesson.key).first()
    )
    first = roll_call is None
    if first:
        roll_call = RollCall.objects.create(
            establishment_id=establishment_id,
            lesson_key=lesson.key,
            date=lesson.date,
            start=lesson.start,
            end=lesson.end,
            assignment=lesson.assignment,
            called_by_id=actor.user_id,
            validated_at=now,
        )
        old: dict[int, Mark] = {}
    else:
        old = {m.student_id: m for m in roll_call.marks.select_related("lateness")}
    marks: dict[int, Mark] = {}
    before: dict[int, tuple[str, int | None]] = {}
    changes: list[MarkChange] = []
    for student_id in sorted(expected):
        entry = entries.get(student_id, Entry(State.PRESENT))
        minutes = entry.minutes if entry.state == State.LATE else None
        mark = old.get(student_id)
        if mark is None:
            marks[student_id] = Mark(
                establishment_id=establishment_id, roll_call=roll_call, student_id=student_id, state=State.PRESENT
            )
            before[student_id] = (State.PRESENT, None)  # no mark yet: present (the demo writes only absences)
        elif (mark.state, mark.minutes) != (entry.state, minutes):
            marks[student_id] = mark
            before[student_id] = (mark.state, mark.minutes)
        else:
            continue
        if not first and before[student_id] != (entry.state, minutes):
            changes.append(
                MarkChange(
                    establishment_id=establishment_id,
                    roll_call=roll_call,
                    student_id=student_id,
                    before=before[student_id][0],
                    after=entry.state,
                    before_minutes=before[student_id][1],
                    after_minutes=minutes,
                    changed_by_id=actor.user_id,
                    changed_at=now,
                )
            )
        marks[student_id].state, marks[student_id].minutes = entry.state, minutes
    _sync_absences(roll_call, marks, before)
    late_ids = _sync_lateness(roll_call, marks, before, actor)
    existing = [m for m in marks.values() if m.pk is not None]
    Mark.objects.bulk_create([m for m in marks.values() if m.pk is None])
    if existing:
        Mark.objects.bulk_update(existing, ["state", "minutes", "absence", "lateness"])
    if changes:
        MarkChange.objects.bulk_create(changes)
    if not first:
        roll_call.save(update_fields=["updated_at"])
    audit.record(
        actor=actor,
        verb="attendance.roll_call" if first else "attendance.correct_roll_call",
        target=roll_call,
        before=None if first else {str(sid): before[sid][0] for sid in before if sid in old},
        after={str(m.student_id): m.state for m in marks.values() if m.state != State.PRESENT or not first},
        establishment_id=establishment_id,
    )
    if late_ids:
        _alert_lateness(establishment_id, late_ids)
    transaction.on_commit(_enqueue_absence_notices)
    return roll_call


def _enqueue_absence_notices() -> None:
    from cartable.attendance.tasks import notify_absences

    notify_absences.enqueue()


def _sync_absences(roll_call: RollCall, marks: dict[int, Mark], before: dict[int, tuple[str, int | None]]) -> None:
    """Make the absences follow the marks that became absent or stopped being absent (constant queries)."""
    became = [sid for sid, m in marks.items() if m.state == State.ABSENT and before[sid][0] != State.ABSENT]
    left = [m for sid, m in marks.items() if m.state != State.ABSENT and before[sid][0] == State.ABSENT]
    if became:
        _attach_absences(roll_call, [marks[sid] for sid in became])
    if left:
        _detach_absences(left)


def _attach_absences(roll_call: RollCall, absent: list[Mark]) -> None:
    tz = timezone.get_current_timezone()
    day_start = dt.datetime.combine(roll_call.date, dt.time(0), tz)
    day_end = day_start + dt.timedelta(days=1)
    ids = [m.student_id for m in absent]
    candidates: dict[int, list[Absence]] = {}
    for absence in Absence.objects.filter(
        establishment_id=roll_call.establishment_id, student_id__in=ids, start__lt=day_end, end__gt=day_start
    ).order_by("start"):
        candidates.setdefault(absence.student_id, []).append(absence)
    present_at: dict[int, list[dt.datetime]] = {}
    if candidates:
        for student_id, start in (
            Mark.objects.filter(
                establishment_id=roll_call.establishment_id,
                student_id__in=list(candidates),
                roll_call__date=roll_call.date,
            )
            .exclude(roll_call=roll_call)
            .exclude(state=State.ABSENT)
            .values_list("student_id", "roll_call__start")
        ):
            present_at.setdefault(student_id, []).append(start)
    extended: list[Absence] = []
    created: list[tuple[Mark, Absence]] = []
    for mark in absent:
        found = _mergeable(candidates.get(mark.student_id, []), present_at.get(mark.student_id, []), roll_call)
        if found is None:
            absence = Absence(
                establishment_id=roll_call.establishment_id,
                student_id=mark.student_id,
                start=roll_call.start,
                end=roll_call.end,
                source=Absence.Source.ROLL_CALL,
                created_by_id=roll_call.called_by_id,
            )
            created.append((mark, absence))
            continue
        if found.source == Absence.Source.ROLL_CALL and (found.start > roll_call.start or found.end < roll_call.end):
            found.start, found.end = min(found.start, roll_call.start), max(found.end, roll_call.end)
            extended.append(found)
        mark.absence = found
    if created:
        Absence.objects.bulk_create([a for _m, a in created])
        for mark, absence in created:
            mark.absence = absence
    if extended:
        Absence.objects.bulk_update(extended, ["start", "end"])


def _mergeable(absences: list[Absence], present_at: list[dt.datetime], roll_call: RollCall) -> Absence | None:
    """The absence of the same day that this lesson continues: one covering it, or a roll-call absence
    with no lesson in between where the student was there."""
    for absence in absences:
        if absence.start <= roll_call.start and absence.end >= roll_call.end:
            return absence
    for absence in absences:
        if absence.source != Absence.Source.ROLL_CALL:
            continue
        lo, hi = (absence.end, roll_call.start) if absence.end <= roll_call.start else (roll_call.end, absence.start)
        if not any(lo <= seen < hi for seen in present_at):
            return absence
    return None


def _detach_absences(left: list[Mark]) -> None:
    """Marks no longer absent leave their absence; a roll-call absence left with no mark and no
    justification goes, one left with fewer marks shrinks to them."""
    absence_ids = {m.absence_id for m in left if m.absence_id}
    leaving = {m.pk for m in left}
    for mark in left:
        mark.absence = None
    if not absence_ids:
        return
    spans: dict[int, list[tuple[dt.datetime, dt.datetime]]] = {}
    for absence_id, start, end in (
        Mark.objects.filter(absence_id__in=absence_ids)
        .exclude(pk__in=leaving)
        .values_list("absence_id", "roll_call__start", "roll_call__end")
    ):
        spans.setdefault(absence_id, []).append((start, end))
    absences = Absence.objects.filter(pk__in=absence_ids, source=Absence.Source.ROLL_CALL).annotate(
        n=Count("justifications")
    )
    gone, shrunk = [], []
    for absence in absences:
        remaining = spans.get(absence.pk)
        if not remaining:
            if not absence.n and absence.status == Status.PENDING:
                gone.append(absence.pk)
            continue
        absence.start, absence.end = min(s for s, _e in remaining), max(e for _s, e in remaining)
        shrunk.append(absence)
    if shrunk:
        Absence.objects.bulk_update(shrunk, ["start", "end"])
    if gone:
        Mark.objects.filter(absence_id__in=gone).update(absence=None)
        Absence.objects.filter(pk__in=gone).delete()


def _sync_lateness(
    roll_call: RollCall, marks: dict[int, Mark], before: dict[int, tuple[str, int | None]], actor: Actor
) -> list[int]:
    """Late marks make lateness rows (their minutes follow corrections); returns who became late."""
    new, changed, gone = [], [], []
    for student_id, mark in marks.items():
        was_late = before[student_id][0] == State.LATE
        if mark.state == State.LATE and not was_late:
            lateness = Lateness(
                establishment_id=roll_call.establishment_id,
                student_id=student_id,
                at=roll_call.start,
                minutes=mark.minutes or 0,
                created_by_id=actor.user_id,
            )
            new.append(lateness)
            mark.lateness = lateness
        elif mark.state == State.LATE and mark.lateness is not None:
            mark.lateness.minutes = mark.minutes or 0
            changed.append(mark.lateness)
        elif was_late and mark.lateness is not None:
            if mark.lateness.status == Status.PENDING:
                gone.append(mark.lateness_id)
            mark.lateness = None
    if new:
        Lateness.objects.bulk_create(new)
    if changed:
        Lateness.objects.bulk_update(changed, ["minutes"])
    if gone:
        Mark.objects.filter(lateness_id__in=gone).exclude(pk__in=[m.pk for m in marks.values() if m.pk]).update(
            lateness=None
        )
        Lateness.objects.filter(pk__in=gone, justifications__isnull=True).delete()
    return [lateness.student_id for lateness in new]


def _alert_lateness(establishment_id: int, student_ids: list[int]) -> None:
    """Tell the vie scolaire when a student reaches the establishment's lateness threshold."""
    settings = _settings(establishment_id)
    since = timezone.now() - dt.timedelta(days=settings.lateness_window_days)
    counts = dict(
        Lateness.objects.filter(establishment_id=establishment_id, student_id__in=student_ids, at__gte=since)
        .order_by()
        .values("student_id")
        .annotate(n=Count("id"))
        .values_list("student_id", "n")
    )
    reached = [sid for sid, n in counts.items() if n == settings.lateness_threshold]
    if not reached:
        return
    establishment = Establishment.objects.get(pk=establishment_id)
    staff = list(school_life_staff(establishment))
    for student in User.objects.filter(pk__in=reached):
        notify(
            recipients=staff,
            kind="attendance.lateness_threshold",
            title=_("%(name)s a atteint %(count)s retards en %(days)s jours")
            % {
                "name": student.display_name,
                "count": settings.lateness_threshold,
                "days": settings.lateness_window_days,
            },
            url=reverse("attendance:student", args=[student.pk]),
            establishment_id=establishment_id,
        )


@transaction.atomic
def notify_unexplained_absences(now: dt.datetime | None = None) -> int:
    """Tell the families, the same day, of the absences found at roll call that nobody has explained
    yet (once per absence: claimed by a conditional update of ``notified_at``). Returns how many."""
    now = now or timezone.now()
    day_start = dt.datetime.combine(timezone.localdate(now), dt.time(0), timezone.get_current_timezone())
    pending = list(
        Absence.objects.filter(
            notified_at__isnull=True, status=Status.PENDING, source=Absence.Source.ROLL_CALL, start__gte=day_start
        ).select_related("student")[:500]
    )
    if not pending:
        return 0
    claimed = Absence.objects.filter(pk__in=[a.pk for a in pending], notified_at__isnull=True).update(notified_at=now)
    if claimed != len(pending):
        pending = list(
            Absence.objects.filter(pk__in=[a.pk for a in pending], notified_at=now).select_related("student")
        )
    guardians = guardians_of_students([a.student_id for a in pending])
    for absence in pending:
        notify(
            recipients=guardians.get(absence.student_id, []),
            kind="attendance.absence",
            title=_("Absence %(name)s") % {"name": french.de(absence.student.first_name)},
            body=_("Absence constatée à l'appel le %(when)s. Merci de la justifier.")
            % {"when": dates.date_heure_avis(absence.start)},
            url=reverse("attendance:absence", args=[absence.pk]),
            target=absence,
            establishment_id=absence.establishment_id,
            about=absence.student_id,
        )
    return len(pending)


# --- absences and lateness entered by the vie scolaire ------------------------------------------------


@transaction.atomic
def record_absence(
    *,
    actor: Actor,
    student: User,
    establishment_id: int,
    start: dt.datetime,
    end: dt.datetime,
    reason: AbsenceReason | BuiltInReason | None = None,
    status: str = Status.PENDING,
    comment: str = "",
) -> Absence:
    """Enter an absence (the vie scolaire and direction)."""
    absence = Absence(
        establishment_id=establishment_id,
        student=student,
        start=start,
        end=end,
        status=status,
        comment=comment,
        source=Absence.Source.STAFF,
        created_by_id=actor.user_id,
    )
    authz.require(actor, Action.CREATE, absence)
    absence.reason = reason = _reason_row(reason, establishment_id, actor)
    _check_reason(reason, establishment_id)
    absence.save()
    audit.record(
        actor=actor, verb="attendance.record_absence", target=absence, subject_id=student.pk, after=_snap(absence)
    )
    return absence


@transaction.atomic
def record_lateness(
    *, actor: Actor, student: User, establishment_id: int, at: dt.datetime, minutes: int, comment: str = ""
) -> Lateness:
    """Enter a lateness (the vie scolaire and direction), alerting them at the threshold."""
    lateness = Lateness(
        establishment_id=establishment_id,
        student=student,
        at=at,
        minutes=minutes,
        comment=comment,
        created_by_id=actor.user_id,
    )
    authz.require(actor, Action.CREATE, lateness)
    lateness.save()
    audit.record(
        actor=actor, verb="attendance.record_lateness", target=lateness, subject_id=student.pk, after=_snap(lateness)
    )
    _alert_lateness(establishment_id, [student.pk])
    return lateness


def _snap(record: Absence | Lateness) -> dict:
    values = {"status": record.status, "reason": record.reason_id, "comment": record.comment}
    if isinstance(record, Absence):
        values.update(start=record.start.isoformat(), end=record.end.isoformat())
    else:
        values.update(at=record.at.isoformat(), minutes=record.minutes)
    return values


def _check_reason(reason: AbsenceReason | None, establishment_id: int) -> None:
    if reason is not None and reason.establishment_id != establishment_id:
        raise PermissionDenied


@transaction.atomic
def set_status(
    *,
    actor: Actor,
    record: Absence | Lateness,
    status: str,
    reason: AbsenceReason | BuiltInReason | None,
    comment: str = "",
) -> Absence | Lateness:
    """Decide whether an absence or a lateness is justified (the vie scolaire and direction)."""
    authz.require(actor, Action.CHANGE, record)
    reason = _reason_row(reason, record.establishment_id, actor)
    _check_reason(reason, record.establishment_id)
    previous = _snap(record)
    record.status, record.reason, record.comment = status, reason, comment
    record.save(update_fields=["status", "reason", "comment"])
    verb = "attendance.set_absence_status" if isinstance(record, Absence) else "attendance.set_lateness_status"
    audit.record(
        actor=actor, verb=verb, target=record, subject_id=record.student_id, before=previous, after=_snap(record)
    )
    return record


# --- families: declaring ahead, justifying ------------------------------------------------------------


def _store(document: uploads.CheckedFile | None) -> dict:
    if document is None:
        return {}
    return {
        "document": uploads.store(document, folder="attendance/%Y/%m/"),
        "original_name": document.original_name,
        "content_type": document.content_type,
    }


@transaction.atomic
def justify(
    *,
    actor: Actor,
    record: Absence | Lateness,
    reason: AbsenceReason | BuiltInReason,
    comment: str = "",
    document: uploads.CheckedFile | None = None,
) -> Justification:
    """A guardian explains an absence or a lateness (reason, comment, a document checked by content);
    the vie scolaire is told and decides."""
    field = "absence" if isinstance(record, Absence) else "lateness"
    justification = Justification(
        establishment_id=record.establishment_id,
        student_id=record.student_id,
        author_id=actor.user_id,
        comment=comment,
        **{field: record},
    )
    authz.require(actor, Action.CREATE, justification)
    if record.status == Status.JUSTIFIED:
        raise ValidationError(_("Cette absence est déjà justifiée."))
    row = _reason_row(reason, record.establishment_id, actor)
    assert row is not None  # a justification always names its motif (the form requires one)
    justification.reason = reason = row
    _check_reason(reason, record.establishment_id)
    for key, value in _store(document).items():
        setattr(justification, key, value)
    justification.save()
    audit.record(
        actor=actor,
        verb="attendance.justify",
        target=justification,
        subject_id=record.student_id,
        after={field: record.pk, "reason": reason.pk, "document": document.sha256 if document else None},
    )
    _tell_school_life(justification, record)
    return justification


def _tell_school_life(justification: Justification, record: Absence | Lateness) -> None:
    establishment = Establishment.objects.get(pk=record.establishment_id)
    student = User.objects.get(pk=record.student_id)
    notify(
        recipients=school_life_staff(establishment),
        kind="attendance.justification",
        title=_("Justificatif reçu pour %(name)s") % {"name": student.display_name},
        url=reverse("attendance:absence" if isinstance(record, Absence) else "attendance:lateness", args=[record.pk]),
        target=justification,
        establishment_id=record.establishment_id,
    )


@transaction.atomic
def declare_absence(
    *,
    actor: Actor,
    student: User,
    establishment_id: int,
    start: dt.datetime,
    end: dt.datetime,
    reason: AbsenceReason | BuiltInReason,
    comment: str = "",
    document: uploads.CheckedFile | None = None,
) -> Absence:
    """A guardian declares an absence ahead; it waits, with its justification, for the vie scolaire."""
    if student.pk not in actor.legal_children_ids:
        raise PermissionDenied
    row = _reason_row(reason, establishment_id, actor)
    assert row is not None  # a declaration always names its motif (the form requires one)
    reason = row
    _check_reason(reason, establishment_id)
    absence = Absence.objects.create(
        establishment_id=establishment_id,
        student=student,
        start=start,
        end=end,
        reason=reason,
        comment=comment,
        source=Absence.Source.DECLARED,
        created_by_id=actor.user_id,
        notified_at=timezone.now(),  # the family knows: no notice of an unexplained absence
    )
    audit.record(
        actor=actor, verb="attendance.declare_absence", target=absence, subject_id=student.pk, after=_snap(absence)
    )
    justify(actor=actor, record=absence, reason=reason, comment=comment, document=document)
    return absence


@transaction.atomic
def decide(*, actor: Actor, justification: Justification, accept: bool, message: str = "") -> Justification:
    """Accept or refuse a justification; the absence (or lateness) becomes justified or not, and the
    family is told, with the message."""
    authz.require(actor, Action.CHANGE, justification)
    if justification.decision != Justification.Decision.SUBMITTED:
        raise ValidationError(_("Cette justification a déjà été traitée."))
    record: Absence | Lateness | None = justification.absence or justification.lateness
    assert record is not None  # a justification is of an absence or of a lateness (a check constraint)
    justification.decision = Justification.Decision.ACCEPTED if accept else Justification.Decision.REFUSED
    justification.decision_message = message
    justification.decided_by_id = actor.user_id
    justification.decided_at = timezone.now()
    justification.save(update_fields=["decision", "decision_message", "decided_by", "decided_at"])
    previous = _snap(record)
    record.status = Status.JUSTIFIED if accept else Status.UNJUSTIFIED
    if accept:
        record.reason = justification.reason
    record.save(update_fields=["status", "reason"])
    audit.record(
        actor=actor,
        verb="attendance.accept_justification" if accept else "attendance.refuse_justification",
        target=justification,
        subject_id=record.student_id,
        before=previous,
        after=dict(_snap(record), message=message),
    )
    student = User.objects.get(pk=record.student_id)
    title = _("Justification acceptée pour %(name)s") if accept else _("Justification refusée pour %(name)s")
    notify(
        recipients=guardians_of_students([student.pk]).get(student.pk, []),
        kind="attendance.decision",
        title=title % {"name": student.first_name},
        body=message,
        url=reverse("attendance:absence" if justification.absence_id else "attendance:lateness", args=[record.pk]),
        target=justification,
        establishment_id=record.establishment_id,
        about=student,
    )
    return justification


# --- motifs and thresholds ----------------------------------------------------------------------------


@transaction.atomic
def ensure_default_reasons(*, establishment_id: int, actor: Actor | None = None) -> None:
    """Give an establishment the default motifs (maladie, rendez-vous médical...) when it has none.

    Called by the first write that needs a motif (never by a page being read). Safe when two first writes
    meet: the unique constraint on (establishment, label) keeps one copy, the other insert is ignored."""
    if AbsenceReason.objects.filter(establishment_id=establishment_id).exists():
        return
    AbsenceReason.objects.bulk_create(
        [
            AbsenceReason(establishment_id=establishment_id, label=reason.label, position=reason.index)
            for reason in built_in_reasons()
        ],
        ignore_conflicts=True,
    )
    if actor is not None:
        audit.record(
            actor=actor,
            verb="attendance.create_default_reasons",
            after={"labels": [reason.label for reason in built_in_reasons()]},
            establishment_id=establishment_id,
        )


def _reason_row(
    reason: AbsenceReason | BuiltInReason | None, establishment_id: int, actor: Actor
) -> AbsenceReason | None:
    """The motif row a write uses: a default one chosen before the establishment had its own list is written
    now, with the whole default list."""
    if not isinstance(reason, BuiltInReason):
        return reason
    ensure_default_reasons(establishment_id=establishment_id, actor=actor)
    row = AbsenceReason.objects.filter(establishment_id=establishment_id, label=reason.label, is_active=True).first()
    if row is None:
        raise ValidationError(ModelChoiceField.default_error_messages["invalid_choice"], code="invalid_choice")
    return row


@transaction.atomic
def save_reason(
    *,
    actor: Actor,
    establishment_id: int,
    label: str,
    is_active: bool = True,
    reason: AbsenceReason | BuiltInReason | None = None,
) -> AbsenceReason:
    """Add a motif to the establishment's list, or rename or withdraw one (never deleted: absences keep it).

    An establishment still on the built-in defaults gets them written first, so that its list keeps them."""
    if not is_life_staff(actor, establishment_id):
        raise PermissionDenied
    ensure_default_reasons(establishment_id=establishment_id, actor=actor)
    if isinstance(reason, BuiltInReason):
        reason = _reason_row(reason, establishment_id, actor)
    if reason is None:
        position = AbsenceReason.objects.filter(establishment_id=establishment_id).count()
        reason = AbsenceReason(establishment_id=establishment_id, position=position)
    elif reason.establishment_id != establishment_id:
        raise PermissionDenied
    before = {"label": reason.label, "is_active": reason.is_active} if reason.pk else None
    if (
        AbsenceReason.objects.filter(establishment_id=establishment_id, label__iexact=label)
        .exclude(pk=reason.pk)
        .exists()
    ):
        raise ValidationError(_("Ce motif existe déjà."))
    reason.label, reason.is_active = label, is_active
    reason.save()
    audit.record(
        actor=actor,
        verb="attendance.save_reason",
        target=reason,
        before=before,
        after={"label": label, "is_active": is_active},
    )
    return reason


@transaction.atomic
def save_settings(
    *, actor: Actor, establishment_id: int, lateness_threshold: int, lateness_window_days: int, half_day_threshold: int
) -> AttendanceSettings:
    """Set the establishment's alert thresholds (the vie scolaire and direction)."""
    if not is_life_staff(actor, establishment_id):
        raise PermissionDenied
    settings, _created = AttendanceSettings.objects.get_or_create(establishment_id=establishment_id)
    before = {
        "lateness_threshold": settings.lateness_threshold,
        "lateness_window_days": settings.lateness_window_days,
        "half_day_threshold": settings.half_day_threshold,
    }
    settings.lateness_threshold = lateness_threshold
    settings.lateness_window_days = lateness_window_days
    settings.half_day_threshold = half_day_threshold
    settings.save()
    audit.record(
        actor=actor,
        verb="attendance.save_settings",
        target=settings,
        before=before,
        after={
            "lateness_threshold": lateness_threshold,
            "lateness_window_days": lateness_window_days,
            "half_day_threshold": half_day_threshold,
        },
    )
    return settings


# --- erasure of a person's data (named by the data providers in hooks.py) -------------------------------
# Imports here rather than at the top, so that this block merges as one piece.


ERASURE: dict[type[django_models.Model], erasure.Rule] = {
    Absence: erasure.delete("student"),
    Lateness: erasure.delete("student"),
    Mark: erasure.delete("student"),
    MarkChange: erasure.delete("student"),
    RollCall: erasure.keep("the roll call belongs to the lesson; who made it stays recorded"),
    Justification: erasure.delete("student"),
}


@transaction.atomic
def erase_personal_data(*, user: User, model: type[django_models.Model], actor: Actor | None = None) -> int:
    """Erase or anonymise what ``model`` holds on ``user`` (its rule above), audited; returns the rows changed."""
    return erasure.erase(app="attendance", rules=ERASURE, user=user, model=model, actor=actor)
