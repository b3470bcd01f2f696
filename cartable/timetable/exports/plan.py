"""The difference between an export's lessons and the lessons earlier exports wrote, from one date on.

Only the weekly lessons an export wrote (``Slot.fed_by`` « edt » or « udt ») are compared, those still in
force on the date the import applies from: a lesson made by hand (or by the CSV import) is never changed
nor ended by an export. A lesson is the same from one import to the next when its teacher, subject, class
or group, weekday, start and weeks are; its end time or room may then change.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field

from django.utils.dates import WEEKDAYS
from django.utils.translation import gettext as _

from cartable.directory.models import Establishment, TeachingAssignment
from cartable.timetable.exports.matching import Row
from cartable.timetable.models import Room, Slot, Weeks, room_label

FEEDS = ("edt", "udt")
WEEKS_LABELS = {Weeks.ALL: "", Weeks.A: " (semaine A)", Weeks.B: " (semaine B)"}


def slot_key(slot: Slot) -> tuple:
    a = slot.assignment
    return (a.teacher_id, a.subject_id, a.school_class_id, a.group_id, slot.weekday, slot.start_time, slot.weeks)


def assignment_key(teacher_id, subject_id, class_id, group_id) -> tuple:
    return (teacher_id, subject_id, class_id, group_id)


@dataclass
class Plan:
    establishment: Establishment
    format: str
    valid_from: dt.date
    creates: list[Row] = field(default_factory=list)
    changes: list[tuple[Slot, Row]] = field(default_factory=list)
    ends: list[Slot] = field(default_factory=list)
    unchanged: list[Slot] = field(default_factory=list)
    rooms: dict[str, Room] = field(default_factory=dict)  # by lower-case name, those there already
    new_rooms: list[str] = field(default_factory=list)
    assignments: dict[tuple, TeachingAssignment] = field(default_factory=dict)
    new_assignments: list[tuple] = field(default_factory=list)

    def counts(self) -> dict:
        return {
            "slots": {
                "created": len(self.creates),
                "changed": len(self.changes),
                "ended": len(self.ends),
                "unchanged": len(self.unchanged),
            },
            "rooms": {"created": len(self.new_rooms)},
            "assignments": {"created": len(self.new_assignments)},
        }

    @property
    def is_empty(self) -> bool:
        return not (self.creates or self.changes or self.ends)

    def lines(self) -> list[str]:
        """The difference in words, one line per lesson: « + » created, « ~ » changed (old → new), « - » ended."""
        out = [f"+ {describe_row(row)}" for row in self.creates]
        for slot, row in self.changes:
            out.append(f"~ {describe_row(row)} : {describe_change(slot, row)}")
        out.extend(f"- {describe_slot(slot)}" for slot in self.ends)
        out.extend(_("+ salle %(name)s") % {"name": name} for name in self.new_rooms)
        return out


def _when(weekday: int, start: dt.time, end: dt.time, weeks: str) -> str:
    return f"{str(WEEKDAYS[weekday]).lower()} {start:%H:%M}–{end:%H:%M}{WEEKS_LABELS[Weeks(weeks)]}"


def describe_row(row: Row) -> str:
    where = f", {room_label(row.room)}" if row.room else ""
    audience = row.school_class or row.group
    return (
        f"{_when(row.weekday, row.start_time, row.end_time, row.weeks)}, {row.subject.name} — {audience} — "
        f"{row.teacher.display_name}{where}"
    )


def describe_slot(slot: Slot) -> str:
    a = slot.assignment
    where = f", {slot.room.label}" if slot.room else ""
    return (
        f"{_when(slot.weekday, slot.start_time, slot.end_time, slot.weeks)}, {a.subject.name} — "
        f"{a.school_class or a.group} — {a.teacher.display_name}{where}"
    )


def describe_change(slot: Slot, row: Row) -> str:
    parts = []
    if slot.end_time != row.end_time:
        parts.append(_("fin %(old)s → %(new)s") % {"old": f"{slot.end_time:%H:%M}", "new": f"{row.end_time:%H:%M}"})
    old_room = slot.room.name if slot.room else ""
    if old_room != row.room:
        parts.append(_("salle %(old)s → %(new)s") % {"old": old_room or _("aucune"), "new": row.room or _("aucune")})
    return ", ".join(parts)


def _changed(slot: Slot, row: Row) -> bool:
    return slot.end_time != row.end_time or (slot.room.name if slot.room else "") != row.room


def make_plan(*, establishment: Establishment, format: str, rows: list[Row], valid_from: dt.date) -> Plan:
    """Compare the export's lessons with the exported lessons in force on ``valid_from`` (three queries)."""
    plan = Plan(establishment, format, valid_from)
    in_force = (
        Slot.objects.filter(establishment=establishment, fed_by__in=FEEDS)
        .exclude(valid_until__lt=valid_from)
        .select_related(
            "assignment__subject", "assignment__teacher", "assignment__school_class", "assignment__group", "room"
        )
        .order_by("weekday", "start_time", "pk")
    )
    existing: dict[tuple, Slot] = {}
    for slot in in_force:
        if slot_key(slot) in existing:  # two versions in force (one starts later): the later one is ended
            plan.ends.append(slot)
            continue
        existing[slot_key(slot)] = slot
    plan.rooms = {r.name.lower(): r for r in Room.objects.filter(establishment=establishment)}
    plan.assignments = {
        assignment_key(a.teacher_id, a.subject_id, a.school_class_id, a.group_id): a
        for a in TeachingAssignment.objects.filter(establishment=establishment)
    }
    for row in rows:
        slot = existing.pop(row.key, None)
        if slot is None:
            plan.creates.append(row)
        elif _changed(slot, row) or slot.valid_from > valid_from or slot.valid_until is not None:
            plan.changes.append((slot, row))
        else:
            plan.unchanged.append(slot)
        if row.room and row.room.lower() not in plan.rooms and row.room not in plan.new_rooms:
            plan.new_rooms.append(row.room)
        key = assignment_key(
            row.teacher.pk,
            row.subject.pk,
            row.school_class.pk if row.school_class else None,
            row.group.pk if row.group else None,
        )
        if key not in plan.assignments and key not in plan.new_assignments:
            plan.new_assignments.append(key)
    plan.ends.extend(existing.values())
    return plan
