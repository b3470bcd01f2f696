"""The demo's timetable: a week for every class of the collège and the lycée, holidays, and a few changes.

Lessons run from 8:00 to 16:45 with a lunch break; the collège has no lessons on Wednesday afternoon.
Each class has its home room, science in the labs, sport in the gym; SVT and physics alternate on A and
B weeks. No teacher, class or room is in two places at once (a greedy placement, deterministic: no
randomness, rows ordered by name). The week the timetable opens on gets one cancelled lesson, one room
change, one substitute and one exceptional lesson in 5e A (so every persona of the collège sees them),
and a room change in the lycée's 2nde GT 1. Written with a few bulk inserts.

Writes: bulk inserts of the slots, rooms, holidays and changes (the actions write one slot or change at a
time, each checked against the timetable manager's rights, audited and announced), and the week-A setting
directly (``set_week_a`` needs a manager as actor; the demo has none yet).
"""

from __future__ import annotations

import datetime as dt
from collections import defaultdict
from typing import TYPE_CHECKING

from cartable.directory.models import Establishment, Role, TeachingAssignment
from cartable.timetable.models import LessonChange, NonSchoolDay, Room, Slot, TimetableSettings, Weeks
from cartable.timetable.queries import default_monday, forget_calendar, monday_of

if TYPE_CHECKING:  # the demo layer hands the personas in; no import of it at run time
    from cartable.demo.personas import EstablishmentKit, Personas

PERIODS = [
    (dt.time(8, 0), dt.time(9, 0)),
    (dt.time(9, 0), dt.time(10, 0)),
    (dt.time(10, 15), dt.time(11, 15)),
    (dt.time(11, 15), dt.time(12, 15)),
    (dt.time(13, 30), dt.time(14, 30)),
    (dt.time(14, 30), dt.time(15, 30)),
    (dt.time(15, 45), dt.time(16, 45)),
]
MORNING = 4  # periods before lunch
HOURS = {
    "FRA": 4, "MATH": 4, "HG": 3, "ANG": 3, "EPS": 3, "SVT": 1, "PC": 1, "TECH": 1, "AP": 1, "EMUS": 1,
    "ALL": 2, "ESP": 2, "ESC": 2, "BIOECO": 2, "AGRO": 2, "SESG": 2,
}  # fmt: skip
ALTERNATING = [("SVT", "PC"), ("BIOECO", "ESC")]  # one more hour of the first on A weeks, of the second on B weeks
LABS = {"SVT", "PC", "BIOECO", "AGRO"}
HOLIDAYS = [  # (label, month, day, length in days) from the school year's start year
    ("Vacances de la Toussaint", 10, 17, 16),
    ("Vacances de Noël", 12, 19, 16),
    ("Vacances d'hiver", 2, 13, 16),
    ("Vacances de printemps", 4, 10, 16),
]


class _Planner:
    """Places lessons on (weekday, period) cells, keeping classes, teachers and rooms single-booked."""

    def __init__(self) -> None:
        self.busy: set[tuple] = set()  # ("class"|"teacher"|"room", id, weekday, period, weeks)
        self.slots: list[Slot] = []

    def free(self, kind: str, key, day: int, period: int, weeks: str = Weeks.ALL) -> bool:
        clash = [Weeks.ALL, Weeks.A, Weeks.B] if weeks == Weeks.ALL else [Weeks.ALL, weeks]
        return not any((kind, key, day, period, w) in self.busy for w in clash)

    def take(self, kind: str, key, day: int, period: int, weeks: str = Weeks.ALL) -> None:
        self.busy.add((kind, key, day, period, weeks))


def load_demo(personas: Personas) -> dict[str, int]:
    """Write the demo timetable of the collège and the lycée; returns how many rows of each kind."""
    planner = _Planner()
    counts: dict[str, int] = defaultdict(int)
    plans = []
    for kit, wednesday_afternoon in [(personas.college, False), (personas.lycee, True)]:
        rooms = _rooms(kit)
        counts["rooms"] += len(rooms)
        plans.append((kit, rooms, _plan(planner, kit, rooms, wednesday_afternoon)))
        _calendar(kit.establishment, kit.year.start_date, kit.year.end_date)
    Slot.objects.bulk_create(planner.slots, batch_size=500)
    counts["slots"] = len(planner.slots)
    counts["changes"] = _changes(personas, plans)
    return dict(counts)


def _rooms(kit: EstablishmentKit) -> dict[str, Room]:
    names = [f"Salle {100 + i}" for i in range(1, len(kit.classes) + 1)]
    names += [f"Salle {200 + i}" for i in range(1, 5)]
    names += ["Labo 1", "Labo 2", "Gymnase", "Plateau sportif", "Salle informatique", "CDI"]
    rows = Room.objects.bulk_create([Room(establishment=kit.establishment, name=n) for n in names])
    return {r.name: r for r in rows}


def _cells(wednesday_afternoon: bool, shift: int):
    """Every (weekday, period) of the week, the starting day shifted so classes spread differently."""
    days = [(d + shift) % 5 for d in range(5)]
    for period in range(len(PERIODS)):
        for day in days:
            if day == 2 and period >= MORNING and not wednesday_afternoon:
                continue
            yield day, period


def _plan(planner: _Planner, kit: EstablishmentKit, rooms: dict[str, Room], wednesday_afternoon: bool) -> dict:
    """Place every assignment's hours; returns class name -> its home room."""
    assignments = list(
        TeachingAssignment.objects.filter(establishment=kit.establishment)
        .select_related("subject", "school_class", "group")
        .prefetch_related("group__classes")
        .order_by("subject__code", "school_class__name", "group__name", "teacher__username")
    )
    class_names = sorted(kit.classes)
    home = {name: rooms[f"Salle {101 + i}"] for i, name in enumerate(class_names)}
    spare = [rooms[f"Salle {200 + i}"] for i in range(1, 5)]
    start = kit.year.start_date

    def place(a: TeachingAssignment, classes: list, weeks: str = Weeks.ALL, index: int = 0, cell=None) -> tuple | None:
        code = a.subject.code
        cells = [cell] if cell else list(_cells(wednesday_afternoon, index))
        used_days = {s.weekday for s in planner.slots if s.assignment_id == a.pk}
        cells.sort(key=lambda c: c[0] in used_days)  # one lesson of a subject a day, when possible
        for day, period in cells:
            if not planner.free("teacher", a.teacher_id, day, period, weeks):
                continue
            if not all(planner.free("class", c.pk, day, period, weeks) for c in classes):
                continue
            room = _room_for(planner, code, classes, home, spare, rooms, day, period, weeks)
            if room is None:
                continue
            planner.take("teacher", a.teacher_id, day, period, weeks)
            for c in classes:
                planner.take("class", c.pk, day, period, weeks)
            planner.take("room", room.pk, day, period, weeks)
            first, last = PERIODS[period]
            planner.slots.append(
                Slot(
                    establishment=kit.establishment,
                    assignment=a,
                    weekday=day,
                    start_time=first,
                    end_time=last,
                    room=room,
                    weeks=weeks,
                    valid_from=start,
                )
            )
            return day, period
        return None

    groups = [a for a in assignments if a.group_id]
    for a in groups:  # second languages first: they bind several classes at once
        classes = sorted(a.group.classes.all(), key=lambda c: c.name)
        for hour in range(HOURS.get(a.subject.code, 1)):
            place(a, classes, index=hour + 2)
    by_class = defaultdict(list)
    for a in assignments:
        if a.school_class_id:
            by_class[a.school_class.name].append(a)
    for index, name in enumerate(class_names):
        own = sorted(by_class[name], key=lambda a: -HOURS.get(a.subject.code, 2))
        for a in own:
            for _hour in range(HOURS.get(a.subject.code, 2)):
                place(a, [a.school_class], index=index)
        codes = {a.subject.code: a for a in own}
        for first, second in ALTERNATING:
            if first in codes and second in codes:
                for cell in _cells(wednesday_afternoon, index):
                    if place(codes[first], [codes[first].school_class], Weeks.A, cell=cell):
                        place(codes[second], [codes[second].school_class], Weeks.B, cell=cell)
                        break
                break
    return home


def _room_for(planner, code, classes, home, spare, rooms, day, period, weeks):
    if code == "EPS":
        candidates = [rooms["Gymnase"], rooms["Plateau sportif"]]
    elif code in LABS:
        candidates = [rooms["Labo 1"], rooms["Labo 2"]]
    elif len(classes) == 1:
        candidates = [home[classes[0].name], *spare]
    else:
        candidates = spare
    return next((r for r in candidates if planner.free("room", r.pk, day, period, weeks)), None)


def _calendar(establishment: Establishment, year_start: dt.date, year_end: dt.date) -> None:
    """Week A starts the school year; the holidays, except any that would hide the weeks shown now."""
    TimetableSettings.objects.create(establishment=establishment, week_a_monday=monday_of(year_start))
    shown = default_monday()
    around = (shown - dt.timedelta(days=7), shown + dt.timedelta(days=13))
    days = []
    for label, month, day, length in HOLIDAYS:
        first = dt.date(year_start.year if month >= 8 else year_end.year, month, day)
        last = first + dt.timedelta(days=length - 1)
        if last < around[0] or first > around[1]:
            days.append(NonSchoolDay(establishment=establishment, label=label, start_date=first, end_date=last))
    NonSchoolDay.objects.bulk_create(days)
    forget_calendar(establishment.pk)


def _changes(personas: Personas, plans) -> int:
    """A cancelled lesson, a room change, a substitute and an exceptional lesson in 5e A, the week shown."""
    college, lycee = personas.college, personas.lycee
    monday = default_monday()
    five_a = college.classes["5e A"]
    slots = [
        s
        for s in Slot.objects.filter(assignment__school_class=five_a, weeks=Weeks.ALL).select_related(
            "assignment__subject"
        )
    ]
    by_code = defaultdict(list)
    for s in sorted(slots, key=lambda s: (s.weekday, s.start_time)):
        by_code[s.assignment.subject.code].append(s)
    rooms = {r.name: r for r in Room.objects.filter(establishment=college.establishment)}
    substitute = (
        TeachingAssignment.objects.filter(establishment=college.establishment, subject__code="FRA")
        .exclude(teacher=personas["sophie.bernard"])
        .filter(teacher__memberships__role=Role.TEACHER)
        .order_by("teacher__username")
        .values_list("teacher_id", flat=True)
        .first()
    )
    changes = []

    def on(slot: Slot) -> dt.date:
        return monday + dt.timedelta(days=slot.weekday)

    if by_code["MATH"]:
        math = by_code["MATH"][0]
        changes.append(
            LessonChange(
                establishment=college.establishment,
                kind=LessonChange.Kind.CANCELLED,
                slot=math,
                date=on(math),
                note="Conseil pédagogique",
            )
        )
    if by_code["HG"]:
        hg = by_code["HG"][0]
        changes.append(
            LessonChange(
                establishment=college.establishment,
                kind=LessonChange.Kind.ROOM,
                slot=hg,
                date=on(hg),
                room=rooms["CDI"],
                note="Recherche documentaire",
            )
        )
    if by_code["FRA"] and substitute:
        fra = by_code["FRA"][-1]
        changes.append(
            LessonChange(
                establishment=college.establishment,
                kind=LessonChange.Kind.SUBSTITUTE,
                slot=fra,
                date=on(fra),
                substitute_id=substitute,
            )
        )
    math_a = TeachingAssignment.objects.filter(school_class=five_a, subject__code="MATH").first()
    if math_a:
        changes.append(
            LessonChange(
                establishment=college.establishment,
                kind=LessonChange.Kind.EXCEPTIONAL,
                assignment=math_a,
                date=monday + dt.timedelta(days=2),
                start_time=dt.time(14, 0),
                end_time=dt.time(15, 0),
                room=rooms["Salle informatique"],
                note="Rattrapage du cours annulé",
            )
        )
    seconde = (
        Slot.objects.filter(assignment__school_class=lycee.classes["2nde GT 1"], weeks=Weeks.ALL)
        .order_by("weekday", "start_time")
        .first()
    )
    if seconde:
        changes.append(
            LessonChange(
                establishment=lycee.establishment,
                kind=LessonChange.Kind.ROOM,
                slot=seconde,
                date=on(seconde),
                room=Room.objects.get(establishment=lycee.establishment, name="Salle informatique"),
            )
        )
    LessonChange.objects.bulk_create(changes)
    return len(changes)
