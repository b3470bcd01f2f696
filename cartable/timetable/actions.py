"""Writes of the timetable: changes to lessons, exceptional lessons, non-school days, the A-week
reference and the CSV import. Each is atomic, checked and audited; families hear of changes coming soon."""

from __future__ import annotations

import datetime as dt
import hashlib
from dataclasses import dataclass

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import models as django_models
from django.db import transaction
from django.db.models import Q
from django.urls import reverse
from django.utils import timezone
from django.utils.dates import WEEKDAYS
from django.utils.translation import gettext as _

from cartable.core import audit, dates, erasure
from cartable.core.notify import notify
from cartable.directory import queries as directory_queries
from cartable.directory.actor import Actor, current
from cartable.directory.models import Establishment, GroupMembership, Role, TeachingAssignment, User
from cartable.timetable import exports, policies, queries
from cartable.timetable.exports import writing
from cartable.timetable.exports.matching import Lookups, match
from cartable.timetable.exports.plan import Plan, make_plan
from cartable.timetable.models import (
    LessonChange,
    NonSchoolDay,
    Room,
    Slot,
    TimetableImport,
    TimetableSettings,
    Weeks,
)

NOTICE_DAYS = 7  # changes to lessons of the next seven days are announced to the class and its families
NOTIFICATION_KIND = "timetable.change"


def _require_edit(actor: Actor, establishment_id: int) -> None:
    if not policies.can_edit(actor, establishment_id):
        raise PermissionDenied


def _change_fields(change: LessonChange) -> dict:
    return {
        "kind": change.kind,
        "date": change.date.isoformat(),
        "slot": change.slot_id,
        "assignment": change.assignment_id,
        "room": change.room_id,
        "substitute": change.substitute_id,
        "start": change.start_time.isoformat() if change.start_time else None,
        "end": change.end_time.isoformat() if change.end_time else None,
        "note": change.note,
    }


def _check_substitute(substitute: User | None, establishment_id: int) -> None:
    if substitute is None:
        return
    teaches_here = current(substitute.memberships.filter(establishment_id=establishment_id, role=Role.TEACHER))
    if not teaches_here.exists():
        raise ValidationError(_("Le remplaçant doit être un enseignant de l'établissement."))


def _check_room(room: Room | None, establishment_id: int) -> None:
    if room is not None and room.establishment_id != establishment_id:
        raise ValidationError(_("Cette salle n'appartient pas à l'établissement."))


@transaction.atomic
def change_lesson(
    *,
    actor: Actor,
    slot: Slot,
    date: dt.date,
    kind: str,
    room: Room | None = None,
    substitute: User | None = None,
    note: str = "",
) -> LessonChange:
    """Cancel a weekly lesson on one date, move it to another room or give it a substitute teacher.

    One change per lesson: a second change of the same lesson replaces the first."""
    _require_edit(actor, slot.establishment_id)
    if kind not in (LessonChange.Kind.CANCELLED, LessonChange.Kind.ROOM, LessonChange.Kind.SUBSTITUTE):
        raise ValidationError(_("Choisissez une modification : annulation, salle ou remplacement."))
    if kind == LessonChange.Kind.ROOM and room is None:
        raise ValidationError(_("Choisissez la nouvelle salle."))
    if kind == LessonChange.Kind.SUBSTITUTE and substitute is None:
        raise ValidationError(_("Choisissez le remplaçant."))
    _check_room(room, slot.establishment_id)
    _check_substitute(substitute, slot.establishment_id)
    key = f"{slot.pk}:{date.isoformat()}"
    found = queries.lessons(
        establishment_id=slot.establishment_id,
        start=date,
        end=date,
        assignments=Q(pk=slot.assignment_id),
    )
    if not any(lesson.key == key for lesson in found):
        raise ValidationError(_("Ce cours n'a pas lieu à cette date."))
    existing = LessonChange.objects.select_for_update().filter(slot=slot, date=date).first()
    before = _change_fields(existing) if existing else None
    change = existing or LessonChange(establishment_id=slot.establishment_id, slot=slot, date=date)
    change.kind = kind
    change.room = room if kind == LessonChange.Kind.ROOM else None
    change.substitute = substitute if kind == LessonChange.Kind.SUBSTITUTE else None
    change.note = note.strip()[:200]
    change.created_by_id = actor.user_id
    change.save()
    audit.record(
        actor=actor,
        verb="timetable.change_lesson",
        target=change,
        establishment_id=slot.establishment_id,
        before=before,
        after=_change_fields(change),
    )
    _announce(change, slot.assignment, slot.start_time, original_room=slot.room)
    return change


@transaction.atomic
def add_exceptional_lesson(
    *,
    actor: Actor,
    assignment: TeachingAssignment,
    date: dt.date,
    start_time: dt.time,
    end_time: dt.time,
    room: Room | None = None,
    substitute: User | None = None,
    note: str = "",
) -> LessonChange:
    """Add a lesson outside the weekly timetable (a catch-up session, a mock exam...)."""
    _require_edit(actor, assignment.establishment_id)
    if end_time <= start_time:
        raise ValidationError(_("L'heure de fin doit suivre l'heure de début."))
    if date.weekday() == 6:
        raise ValidationError(_("Pas de cours le dimanche."))
    _check_room(room, assignment.establishment_id)
    _check_substitute(substitute, assignment.establishment_id)
    change = LessonChange.objects.create(
        establishment_id=assignment.establishment_id,
        kind=LessonChange.Kind.EXCEPTIONAL,
        assignment=assignment,
        date=date,
        start_time=start_time,
        end_time=end_time,
        room=room,
        substitute=substitute,
        note=note.strip()[:200],
        created_by_id=actor.user_id,
    )
    audit.record(
        actor=actor,
        verb="timetable.add_exceptional_lesson",
        target=change,
        establishment_id=assignment.establishment_id,
        after=_change_fields(change),
    )
    _announce(change, assignment, start_time)
    return change


@transaction.atomic
def remove_change(*, actor: Actor, change: LessonChange) -> None:
    """Undo a change: the lesson takes place as planned again (an exceptional lesson disappears)."""
    _require_edit(actor, change.establishment_id)
    before = _change_fields(change)
    pk = change.pk
    change.delete()
    change.pk = pk  # the audit row names what was removed
    audit.record(
        actor=actor,
        verb="timetable.remove_change",
        target=change,
        establishment_id=change.establishment_id,
        before=before,
    )


@transaction.atomic
def add_non_school_day(
    *, actor: Actor, establishment: Establishment, label: str, start_date: dt.date, end_date: dt.date
) -> NonSchoolDay:
    """Declare holidays or another span of days without lessons."""
    _require_edit(actor, establishment.pk)
    label = label.strip()
    if not label:
        raise ValidationError(_("Donnez un libellé, par exemple « Vacances de Noël »."))
    if end_date < start_date:
        raise ValidationError(_("La date de fin doit suivre la date de début."))
    day = NonSchoolDay.objects.create(
        establishment=establishment, label=label[:120], start_date=start_date, end_date=end_date
    )
    audit.record(
        actor=actor,
        verb="timetable.add_non_school_day",
        target=day,
        establishment_id=establishment.pk,
        after={"label": day.label, "start": start_date.isoformat(), "end": end_date.isoformat()},
    )
    transaction.on_commit(lambda: queries.forget_calendar(establishment.pk))
    return day


@transaction.atomic
def remove_non_school_day(*, actor: Actor, day: NonSchoolDay) -> None:
    _require_edit(actor, day.establishment_id)
    before = {"label": day.label, "start": day.start_date.isoformat(), "end": day.end_date.isoformat()}
    pk = day.pk
    day.delete()
    day.pk = pk
    audit.record(
        actor=actor,
        verb="timetable.remove_non_school_day",
        target=day,
        establishment_id=day.establishment_id,
        before=before,
    )
    transaction.on_commit(lambda: queries.forget_calendar(day.establishment_id))


@transaction.atomic
def set_week_a(*, actor: Actor, establishment: Establishment, monday: dt.date) -> TimetableSettings:
    """Choose a week A: the week containing ``monday`` is A, then weeks alternate B, A, B..."""
    _require_edit(actor, establishment.pk)
    monday = queries.monday_of(monday)
    settings, created = TimetableSettings.objects.select_for_update().get_or_create(
        establishment=establishment, defaults={"week_a_monday": monday}
    )
    before = None if created else {"week_a_monday": settings.week_a_monday.isoformat()}
    settings.week_a_monday = monday
    settings.save()
    audit.record(
        actor=actor,
        verb="timetable.set_week_a",
        target=settings,
        establishment_id=establishment.pk,
        before=before,
        after={"week_a_monday": monday.isoformat()},
    )
    transaction.on_commit(lambda: queries.forget_calendar(establishment.pk))
    return settings


# --- weekly lessons and rooms ----------------------------------------------------------------------


def _slot_fields(slot: Slot) -> dict:
    return {
        "assignment": slot.assignment_id,
        "weekday": slot.weekday,
        "start": slot.start_time.isoformat(),
        "end": slot.end_time.isoformat(),
        "room": slot.room_id,
        "weeks": slot.weeks,
        "valid_from": slot.valid_from.isoformat(),
        "valid_until": slot.valid_until.isoformat() if slot.valid_until else None,
    }


def describe_slot(slot: Slot) -> str:
    """A weekly lesson in words, as conflicts name it: "Mathématiques — 5e A — M. Paul Dupont, lundi 08:00–09:00"."""
    assignment = slot.assignment
    return _("%(subject)s — %(audience)s — %(teacher)s, %(weekday)s %(start)s–%(end)s") % {
        "subject": assignment.subject.name,
        "audience": assignment.school_class or assignment.group,
        "teacher": assignment.teacher.display_name,
        "weekday": WEEKDAYS[slot.weekday].lower(),
        "start": slot.start_time.strftime("%H:%M"),
        "end": slot.end_time.strftime("%H:%M"),
    }


def _check_slot(slot: Slot, *, ignore: tuple[int, ...] = ()) -> None:
    """Refuse a weekly lesson that is malformed or overlaps another one of the same teacher, the same class
    or group (a class and a group drawn from it count as the same pupils) or the same room.

    Two lessons overlap when their weekdays match, their times cross, their weeks meet (every week meets
    A and B; A and B never meet) and their validity periods share a day."""
    if slot.weekday not in range(6):
        raise ValidationError(_("Choisissez un jour du lundi au samedi."))
    if slot.end_time <= slot.start_time:
        raise ValidationError(_("L'heure de fin doit suivre l'heure de début."))
    if slot.weeks not in Weeks.values:
        raise ValidationError(_("Choisissez toutes les semaines, les semaines A ou les semaines B."))
    if slot.valid_until is not None and slot.valid_until < slot.valid_from:
        raise ValidationError(_("La date de fin doit suivre la date de début."))
    assignment = slot.assignment
    if assignment.establishment_id != slot.establishment_id:
        raise ValidationError(_("Ce service d'enseignement n'appartient pas à l'établissement."))
    _check_room(slot.room, slot.establishment_id)
    others = (
        Slot.objects.filter(
            establishment_id=slot.establishment_id,
            weekday=slot.weekday,
            start_time__lt=slot.end_time,
            end_time__gt=slot.start_time,
        )
        .exclude(pk__in=[pk for pk in (slot.pk, *ignore) if pk])
        .filter(Q(valid_until__isnull=True) | Q(valid_until__gte=slot.valid_from))
        .select_related("assignment__subject", "assignment__teacher", "assignment__school_class", "assignment__group")
        .order_by("start_time", "pk")
    )
    if slot.valid_until is not None:
        others = others.filter(valid_from__lte=slot.valid_until)
    if slot.weeks != Weeks.ALL:
        others = others.filter(weeks__in=[Weeks.ALL, slot.weeks])
    if assignment.school_class_id:
        pupils = Q(assignment__school_class_id=assignment.school_class_id) | Q(
            assignment__group__classes=assignment.school_class_id
        )
    else:
        assert assignment.group is not None  # an assignment is to a class or to a group (a constraint)
        group_classes = assignment.group.classes.values("pk")
        pupils = Q(assignment__group_id=assignment.group_id) | Q(assignment__school_class_id__in=group_classes)
    reasons = [
        (Q(assignment__teacher_id=assignment.teacher_id), _("même enseignant")),
        (pupils, _("mêmes élèves")),
    ]
    if slot.room_id:
        reasons.append((Q(room_id=slot.room_id), _("même salle")))
    for condition, reason in reasons:
        conflict = others.filter(condition).first()
        if conflict is not None:
            raise ValidationError(
                _("Ce cours en chevauche un autre (%(reason)s) : %(lesson)s.")
                % {"reason": reason, "lesson": describe_slot(conflict)}
            )


@transaction.atomic
def create_slot(
    *,
    actor: Actor,
    establishment: Establishment,
    assignment: TeachingAssignment,
    weekday: int,
    start_time: dt.time,
    end_time: dt.time,
    valid_from: dt.date,
    room: Room | None = None,
    weeks: str = Weeks.ALL,
) -> Slot:
    """Add a weekly lesson from ``valid_from`` on, once checked against the other lessons of that time."""
    _require_edit(actor, establishment.pk)
    slot = Slot(
        establishment=establishment,
        assignment=assignment,
        weekday=weekday,
        start_time=start_time,
        end_time=end_time,
        room=room,
        weeks=weeks,
        valid_from=valid_from,
    )
    _check_slot(slot)
    slot.save()
    audit.record(
        actor=actor,
        verb="timetable.create_slot",
        target=slot,
        establishment_id=establishment.pk,
        after=_slot_fields(slot),
    )
    return slot


@transaction.atomic
def update_slot(
    *,
    actor: Actor,
    slot: Slot,
    assignment: TeachingAssignment,
    weekday: int,
    start_time: dt.time,
    end_time: dt.time,
    valid_from: dt.date,
    room: Room | None = None,
    weeks: str = Weeks.ALL,
) -> Slot:
    """Change a weekly lesson from ``valid_from`` on, and return the version in force from that date.

    Lessons before ``valid_from`` stay as they were: when the lesson had already begun (its
    ``valid_from`` is earlier), the old version ends the day before and a new version starts on
    ``valid_from`` (keeping the old end date), so past weeks, their changes and the homework log written
    against them keep pointing at the old version. When it has not begun yet, the row is simply updated.
    Changes (cancellations, rooms...) of the old version dated from ``valid_from`` move to the new version
    when the weekday stays the same; otherwise they concerned lessons that no longer exist and are removed.
    """
    _require_edit(actor, slot.establishment_id)
    slot = Slot.objects.select_for_update().get(pk=slot.pk)
    before = _slot_fields(slot)
    if slot.valid_until is not None and valid_from > slot.valid_until:
        raise ValidationError(_("Ce cours s'arrête avant cette date : il n'y a rien à modifier."))
    values = {
        "assignment": assignment,
        "weekday": weekday,
        "start_time": start_time,
        "end_time": end_time,
        "room": room,
        "weeks": weeks,
        "valid_from": valid_from,
    }
    if slot.valid_from >= valid_from:
        for name, value in values.items():
            setattr(slot, name, value)
        _check_slot(slot)
        slot.save()
        current_version, ended = slot, None
    else:
        current_version = Slot(establishment_id=slot.establishment_id, valid_until=slot.valid_until, **values)
        _check_slot(current_version, ignore=(slot.pk,))
        slot.valid_until = valid_from - dt.timedelta(days=1)
        slot.save(update_fields=["valid_until"])
        current_version.save()
        ended = slot
        later = LessonChange.objects.filter(slot=slot, date__gte=valid_from)
        if weekday == ended.weekday:
            later.update(slot=current_version)
        else:
            later.delete()
    audit.record(
        actor=actor,
        verb="timetable.update_slot",
        target=current_version,
        establishment_id=current_version.establishment_id,
        before={**before, "slot": slot.pk},
        after={**_slot_fields(current_version), "ended": ended.pk if ended else None},
    )
    return current_version


@transaction.atomic
def end_slot(*, actor: Actor, slot: Slot, last_day: dt.date) -> Slot:
    """Stop a weekly lesson after ``last_day``: its past lessons stay in the timetable's history.

    A lesson that was to start after ``last_day`` never took place: ending it removes it (no history)."""
    _require_edit(actor, slot.establishment_id)
    before = _slot_fields(slot)
    if last_day < slot.valid_from:
        if slot.valid_from <= timezone.localdate():
            raise ValidationError(_("La date de fin doit suivre le début du cours."))
        pk = slot.pk
        slot.delete()
        slot.pk = pk
    else:
        slot.valid_until = last_day
        slot.save(update_fields=["valid_until"])
    audit.record(
        actor=actor,
        verb="timetable.end_slot",
        target=slot,
        establishment_id=slot.establishment_id,
        before=before,
        after={"valid_until": last_day.isoformat(), "removed": slot.valid_until != last_day},
    )
    return slot


def _room_name(name: str, establishment_id: int, room_id: int | None = None) -> str:
    name = name.strip()[:60]
    if not name:
        raise ValidationError(_("Donnez un nom à la salle, par exemple « B12 »."))
    if Room.objects.filter(establishment_id=establishment_id, name__iexact=name).exclude(pk=room_id).exists():
        raise ValidationError(_("Une salle s'appelle déjà « %(name)s ».") % {"name": name})
    return name


@transaction.atomic
def create_room(*, actor: Actor, establishment: Establishment, name: str, capacity: int | None = None) -> Room:
    """Add a room to the establishment (its name is unique there, whatever the case)."""
    _require_edit(actor, establishment.pk)
    room = Room.objects.create(establishment=establishment, name=_room_name(name, establishment.pk), capacity=capacity)
    audit.record(
        actor=actor,
        verb="timetable.create_room",
        target=room,
        establishment_id=establishment.pk,
        after={"name": room.name, "capacity": capacity},
    )
    return room


@transaction.atomic
def rename_room(*, actor: Actor, room: Room, name: str, capacity: int | None = None) -> Room:
    """Rename a room and set its capacity; every lesson held there, past ones included, shows the new name."""
    _require_edit(actor, room.establishment_id)
    before = {"name": room.name, "capacity": room.capacity}
    room.name = _room_name(name, room.establishment_id, room.pk)
    room.capacity = capacity
    room.save(update_fields=["name", "capacity"])
    audit.record(
        actor=actor,
        verb="timetable.rename_room",
        target=room,
        establishment_id=room.establishment_id,
        before=before,
        after={"name": room.name, "capacity": capacity},
    )
    return room


@transaction.atomic
def delete_room(*, actor: Actor, room: Room) -> None:
    """Delete a room that no lesson uses, past ones included.

    Refused otherwise (rather than emptying the room of those lessons, which the model's SET_NULL would
    do): the timetable's history must keep saying where lessons took place. Rename the room instead."""
    _require_edit(actor, room.establishment_id)
    used = (
        Slot.objects.filter(room=room)
        .select_related("assignment__subject", "assignment__teacher", "assignment__school_class", "assignment__group")
        .order_by("-valid_from", "weekday", "start_time")
    )
    first = used.first()
    if first is not None:
        raise ValidationError(
            _(
                "« %(name)s » sert à des cours (dont %(lesson)s) : cette salle ne peut pas être supprimée, "
                "l'historique de l'emploi du temps en a besoin. Renommez-la ou terminez d'abord ces cours."
            )
            % {"name": room.name, "lesson": describe_slot(first)}
        )
    if LessonChange.objects.filter(room=room).exists():
        raise ValidationError(
            _("« %(name)s » sert à des cours déplacés ou exceptionnels : cette salle ne peut pas être supprimée.")
            % {"name": room.name}
        )
    before = {"name": room.name, "capacity": room.capacity}
    pk = room.pk
    room.delete()
    room.pk = pk
    audit.record(
        actor=actor,
        verb="timetable.delete_room",
        target=room,
        establishment_id=room.establishment_id,
        before=before,
    )


# --- the CSV import --------------------------------------------------------------------------------


@dataclass
class ImportCounts:
    slots: int = 0
    rooms: int = 0
    assignments: int = 0
    ended: int = 0

    def as_dict(self) -> dict:
        return {"slots": self.slots, "rooms": self.rooms, "assignments": self.assignments, "ended": self.ended}


@transaction.atomic
def import_timetable(
    *, actor: Actor | None, establishment: Establishment, rows: list, valid_from: dt.date, replace: bool = False
) -> ImportCounts:
    """Write the parsed, valid rows of a timetable file (see ``imports.parse``) in one transaction.

    Rooms and teaching assignments missing are created. With ``replace``, the weekly lessons in force
    end the day before ``valid_from`` (those starting later are deleted). One audit row with the counts."""
    if actor is not None:  # None: the management command, run by the server's operator
        _require_edit(actor, establishment.pk)
    counts = ImportCounts()
    rooms = {r.name: r for r in Room.objects.filter(establishment=establishment)}
    for name in sorted({row.room for row in rows if row.room} - rooms.keys()):
        rooms[name] = Room.objects.create(establishment=establishment, name=name)
        counts.rooms += 1
    if replace:
        in_force = Slot.objects.filter(establishment=establishment).exclude(valid_until__lt=valid_from)
        counts.ended = in_force.count()
        in_force.filter(valid_from__gte=valid_from).delete()
        in_force.filter(valid_from__lt=valid_from).update(valid_until=valid_from - dt.timedelta(days=1))
    slots = []
    for row in rows:
        assignment, created = TeachingAssignment.objects.get_or_create(
            establishment=establishment,
            teacher=row.teacher,
            subject=row.subject,
            school_class=row.school_class,
            group=row.group,
            defaults={"start_date": min(valid_from, timezone.localdate())},
        )
        counts.assignments += created
        slots.append(
            Slot(
                establishment=establishment,
                assignment=assignment,
                weekday=row.weekday,
                start_time=row.start_time,
                end_time=row.end_time,
                room=rooms.get(row.room) if row.room else None,
                weeks=row.weeks or Weeks.ALL,
                valid_from=valid_from,
            )
        )
    Slot.objects.bulk_create(slots)
    counts.slots = len(slots)
    audit.record(
        actor=actor,
        verb="timetable.import",
        target=establishment,
        establishment_id=establishment.pk,
        after={**counts.as_dict(), "valid_from": valid_from.isoformat(), "replace": replace},
    )
    return counts


# --- notices ---------------------------------------------------------------------------------------


def _recipients(assignment: TeachingAssignment) -> tuple[list[int], dict[int, int]]:
    """The students of the lesson's class or group and their guardians who receive notifications, and for
    each guardian the child the notice is about."""
    if assignment.school_class is not None:
        students = list(directory_queries.students_of_class(assignment.school_class).values_list("pk", flat=True))
    else:
        students = list(
            current(GroupMembership.objects.filter(group_id=assignment.group_id)).values_list("student_id", flat=True)
        )
    guardians = directory_queries.guardians_of_students(students, notified_only=True)
    children = {g: s for s, ids in guardians.items() for g in ids}
    return sorted({*students, *children}), children


def _announce(change: LessonChange, assignment: TeachingAssignment, start_time: dt.time, original_room=None) -> None:
    """Tell the class and its families of a change to a lesson of the next seven days."""
    today = timezone.localdate()
    if not today <= change.date <= today + dt.timedelta(days=NOTICE_DAYS):
        return
    when = {
        "subject": assignment.subject.name,
        "date": dates.date_avis(change.date),
        "time": start_time.strftime("%H:%M"),
    }
    if change.kind == LessonChange.Kind.CANCELLED:
        title = _("Cours annulé : %(subject)s, %(date)s à %(time)s") % when
    elif change.kind == LessonChange.Kind.ROOM:
        title = _("Changement de salle : %(subject)s, %(date)s à %(time)s") % when
    elif change.kind == LessonChange.Kind.SUBSTITUTE:
        title = _("Remplacement : %(subject)s, %(date)s à %(time)s") % when
    else:
        title = _("Cours exceptionnel : %(subject)s, %(date)s à %(time)s") % when
    body = queries.describe(
        kind=change.kind,
        room=change.room.name if change.room else "",
        original_room=original_room.name if original_room else "",
        substitute=change.substitute.display_name if change.substitute else "",
    )
    if change.note:
        body = f"{body} — {change.note}"
    # The week of the change, scrolled to its day.
    monday = queries.monday_of(change.date).isoformat()
    url = f"{reverse('timetable:home')}?lundi={monday}#day-{change.date.isoformat()}"
    recipients, children = _recipients(assignment)
    notify(
        recipients=recipients,
        about=children,
        kind=NOTIFICATION_KIND,
        title=title,
        body=body,
        url=url,
        target=change,
        establishment_id=change.establishment_id,
    )


# --- erasure of a person's data (named by the data providers in hooks.py) -------------------------------
# Imports here rather than at the top, so that this block merges as one piece.


ERASURE: dict[type[django_models.Model], erasure.Rule] = {
    LessonChange: erasure.unlink("created_by"),  # the change stays; the substitute named in it too
    TimetableImport: erasure.unlink("requested_by"),  # the run stays, without who asked for it
}


@transaction.atomic
def erase_personal_data(*, user: User, model: type[django_models.Model], actor: Actor | None = None) -> int:
    """Erase or anonymise what ``model`` holds on ``user`` (its rule above), audited; returns the rows changed."""
    return erasure.erase(app="timetable", rules=ERASURE, user=user, model=model, actor=actor)


# --- the import of a timetable software's export (EDT, UDT) -----------------------------------------


@transaction.atomic
def import_timetable_export(
    *,
    actor: Actor | None,
    establishment: Establishment,
    file_name: str,
    data: bytes,
    valid_from: dt.date,
    dry_run: bool,
) -> tuple[TimetableImport, Plan | None]:
    """Import an EDT or UDT export (recognised by content) as the establishment's weekly lessons from
    ``valid_from`` on, and record the run (who, the file and its SHA-256, counts, warnings, errors).

    A file with one error (a course unreadable, a teacher, class or subject unknown) is refused whole:
    nothing is written but the run. Otherwise the lessons earlier exports wrote are compared with the
    file's (``exports.plan``): with ``dry_run`` the difference is only counted; else it is written in
    bulk, one audit row per row tied to the run. Lessons made by hand are never touched."""
    if actor is not None:  # None: the management command, run by the server's operator
        _require_edit(actor, establishment.pk)
    reading = exports.read(file_name, data)
    errors, warnings = list(reading.errors), list(reading.warnings)
    rows: list = []
    if reading.courses:  # the courses read, matched even when others are unreadable: every error is listed
        rows, match_errors, match_warnings = match(reading.courses, Lookups(establishment, valid_from), valid_from)
        errors += match_errors
        warnings += match_warnings
        errors.sort(key=lambda e: (e.file, e.line))
        warnings.sort(key=lambda w: (w.file, w.line))
    run = TimetableImport(
        establishment=establishment,
        requested_by_id=getattr(actor, "user_id", None),
        format=reading.format,
        file_name=file_name[-200:],
        sha256=hashlib.sha256(data).hexdigest(),
        size=len(data),
        valid_from=valid_from,
        dry_run=dry_run,
        warnings=[w.as_dict() for w in warnings],
        errors=[e.as_dict() for e in errors],
    )
    plan = None
    if errors:
        run.outcome = TimetableImport.Outcome.REFUSED
    else:
        plan = make_plan(establishment=establishment, format=reading.format, rows=rows, valid_from=valid_from)
        run.counts = plan.counts()
        run.changes = plan.lines()[:1000]
        run.outcome = TimetableImport.Outcome.DRY_RUN if dry_run else TimetableImport.Outcome.APPLIED
    run.save()
    if plan is not None and not dry_run:
        writing.write_plan(plan, actor=actor, run=run)
    audit.record(
        actor=actor,
        verb="timetable.import_export",
        target=run,
        establishment_id=establishment.pk,
        after={
            "format": run.format,
            "file": run.file_name,
            "sha256": run.sha256,
            "valid_from": valid_from.isoformat(),
            "dry_run": dry_run,
            "outcome": run.outcome,
            "counts": run.counts,
            "warnings": len(warnings),
            "errors": len(errors),
        },
    )
    return run, plan
