"""Writing an import's plan in bulk, for ``actions.import_timetable_export`` (which checks and audits the run)."""

from __future__ import annotations

import datetime as dt

from django.db import models as django_models
from django.utils import timezone

from cartable.core import audit
from cartable.directory import actions as directory_actions
from cartable.directory.actor import Actor
from cartable.directory.models import TeachingAssignment
from cartable.timetable.exports.plan import Plan, assignment_key
from cartable.timetable.models import LessonChange, Room, Slot, TimetableImport


def write_plan(plan: Plan, *, actor: Actor | None, run: TimetableImport) -> None:
    """Write a plan in bulk: rooms and assignments missing, lessons created, changed (a new version from
    the date when the lesson had begun, as ``update_slot`` does) and ended (removed when not begun)."""
    establishment, start, fed = plan.establishment, plan.valid_from, plan.format
    rooms = {name.lower(): Room(establishment=establishment, name=name) for name in plan.new_rooms}
    every_room = {**plan.rooms, **rooms}
    assignments = {
        key: TeachingAssignment(
            establishment=establishment,
            teacher_id=key[0],
            subject_id=key[1],
            school_class_id=key[2],
            group_id=key[3],
            start_date=min(start, timezone.localdate()),
            fed_by=fed,
        )
        for key in plan.new_assignments
    }
    every_assignment = {**plan.assignments, **assignments}

    def new_slot(row, **extra) -> Slot:
        key = assignment_key(
            row.teacher.pk,
            row.subject.pk,
            row.school_class.pk if row.school_class else None,
            row.group.pk if row.group else None,
        )
        return Slot(
            establishment=establishment,
            assignment=every_assignment[key],
            weekday=row.weekday,
            start_time=row.start_time,
            end_time=row.end_time,
            room=every_room.get(row.room.lower()) if row.room else None,
            weeks=row.weeks,
            valid_from=start,
            fed_by=fed,
            **extra,
        )

    slots: list[django_models.Model] = [new_slot(row) for row in plan.creates]
    updates: list[tuple[django_models.Model, dict]] = []
    versions: list[tuple[Slot, Slot]] = []  # (old, new): later changes move to the new version
    day_before = start - dt.timedelta(days=1)
    for slot, row in plan.changes:
        before = {f: audit.plain(getattr(slot, f)) for f in ("end_time", "room_id", "valid_from", "valid_until")}
        if slot.valid_from >= start:
            slot.end_time, slot.valid_from, slot.valid_until = row.end_time, start, None
            slot.room = every_room.get(row.room.lower()) if row.room else None
            updates.append(
                (
                    slot,
                    {
                        "end_time": before["end_time"],
                        "room": before["room_id"],
                        "valid_from": before["valid_from"],
                        "valid_until": before["valid_until"],
                    },
                )
            )
        else:
            version = new_slot(row)
            slots.append(version)
            versions.append((slot, version))
            slot.valid_until = day_before
            updates.append((slot, {"valid_until": before["valid_until"]}))
    removals: list[django_models.Model] = []
    for slot in plan.ends:
        if slot.valid_from >= start:
            removals.append(slot)
        else:
            before_end = audit.plain(slot.valid_until)
            slot.valid_until = day_before
            updates.append((slot, {"valid_until": before_end}))
    directory_actions.write_in_bulk(
        actor=actor,
        verb="timetable.import_export",
        creates=[list(rooms.values()), list(assignments.values()), slots],
        updates=[(Slot, updates)],
        removals=removals,
        note={"run": run.pk},
    )
    for old, new in versions:
        LessonChange.objects.filter(slot=old, date__gte=start).update(slot=new)
