"""The demo's homework log: entries and homework for the previous, current and next weeks, both schools.

Lessons come from the timetable when the demo has one (``timetable.queries.lessons``); otherwise two
lessons a week per teaching assignment are placed directly. Past lessons have their entry, about one in
three of the coming lessons is prepared ahead (visible on the lesson's morning), and one lesson in two
sets homework for the next lesson of the same class and subject. Work to hand in accepts online
submission. 5e A is deliberately overloaded on next Tuesday: three announced tests and 150 minutes of
work in all. Written with a few bulk inserts, deterministic (no randomness).

Writes: bulk inserts of the log book and homework over the weeks around today (``save_log_entry`` and
``save_homework`` write one row at a time, audited and announced to the class).
"""

from __future__ import annotations

import datetime as dt
from collections import defaultdict
from typing import TYPE_CHECKING

from django.db.models import Q
from django.utils import timezone

from cartable.directory.actor import current
from cartable.directory.models import TeachingAssignment
from cartable.homework.models import Homework, Link, LogEntry
from cartable.homework.submissions.demo import load_demo as load_submissions_demo

if TYPE_CHECKING:  # the demo layer hands the personas in; no import of it at run time
    from cartable.demo.personas import Personas

TOPICS = {
    "LAT": ["La première déclinaison", "La famille romaine", "Les dieux de Rome", "Version : une fable de Phèdre"],
    "FRA": ["Le récit d'aventure", "Les fables de La Fontaine", "L'accord du participe passé", "Écrire un portrait"],
    "MATH": ["Les fractions", "Les nombres relatifs", "Le théorème de Pythagore", "Les équations du premier degré"],
    "HG": ["L'empire byzantin", "Les sociétés face aux risques", "Le commerce au Moyen Âge", "Habiter une métropole"],
    "ANG": ["Daily routines", "The past simple", "London landmarks", "Describing a picture"],
    "SVT": ["La respiration", "Les écosystèmes", "La digestion", "Les roches de la région"],
    "PC": ["Les états de la matière", "Les circuits électriques", "La lumière", "Les mélanges"],
    "EPS": ["Course d'orientation", "Handball : la passe", "Gymnastique au sol", "Endurance"],
    "ESC": ["Histoire des arts", "Le projet d'exposition"],
    "BIOECO": ["La cellule", "Les agrosystèmes"],
    "AGRO": ["Le sol agricole", "Les cultures de Lorraine"],
}
GENERIC = ["Reprise du chapitre", "Exercices d'application", "Travail en groupes", "Correction de l'évaluation"]
WORK = [
    (Homework.Kind.EXERCISE, "Exercices %(n)s et %(m)s p. %(p)s", 20),
    (Homework.Kind.READING, "Lire les pages %(p)s à %(q)s", 25),
    (Homework.Kind.REVISION, "Revoir la leçon : %(topic)s", 30),
    (Homework.Kind.HAND_IN, "Rédiger un paragraphe sur « %(topic)s »", 45),
]


def _aware(day: dt.date, time: dt.time) -> dt.datetime:
    return timezone.make_aware(dt.datetime.combine(day, time))


def _lessons(establishment_id: int, assignments: list[TeachingAssignment], start: dt.date, end: dt.date):
    """(assignment, date, time, key) of every lesson from ``start`` to ``end``: the timetable's, or two a
    week per assignment when the establishment has no timetable."""
    from cartable.timetable.models import Slot
    from cartable.timetable.queries import lessons

    if Slot.objects.filter(establishment_id=establishment_id).exists():
        return [
            (lesson.assignment, lesson.date, lesson.start_time, lesson.key)
            for lesson in lessons(
                establishment_id=establishment_id,
                start=start,
                end=end,
                assignments=Q(pk__in=[a.pk for a in assignments]),
            )
            if not lesson.is_cancelled
        ]
    result = []
    for index, assignment in enumerate(assignments):
        days = (index % 5, (index + 2) % 5)
        hour = dt.time(8 + index % 4 if index % 2 else 13 + index % 3)
        day = start
        while day <= end:
            if day.weekday() in days and not (day.weekday() == 2 and hour.hour >= 12):
                result.append((assignment, day, hour, ""))
            day += dt.timedelta(days=1)
    return sorted(result, key=lambda row: (row[1], row[2], row[0].pk))


def load_demo(personas: Personas, today: dt.date | None = None) -> dict[str, int]:
    """Write the demo's log and homework for both establishments; return the counts."""
    today = today or timezone.localdate()
    monday = today - dt.timedelta(days=today.weekday())
    start, end = monday - dt.timedelta(days=7), monday + dt.timedelta(days=13)
    counts = {"entries": 0, "homework": 0}
    for kit in (personas.college, personas.lycee):
        assignments = list(
            current(TeachingAssignment.objects.filter(establishment=kit.establishment)).select_related("subject")
        )
        rows = _lessons(kit.establishment.pk, assignments, start, end)
        entries, homework = _build(rows, today)
        LogEntry.objects.bulk_create(entries)
        for item in homework:
            item.log_entry_id = item.log_entry.pk if item.log_entry else None
        Homework.objects.bulk_create(homework)
        Link.objects.bulk_create(
            Link(establishment_id=e.establishment_id, log_entry_id=e.pk, url="https://www.lumni.fr/", label="Lumni")
            for e in entries[::7]
        )
        counts["entries"] += len(entries)
        counts["homework"] += len(homework)
    counts["homework"] += _overload(personas, monday + dt.timedelta(days=8))
    counts.update(load_submissions_demo(personas))
    return counts


def _build(rows, today: dt.date) -> tuple[list[LogEntry], list[Homework]]:
    now = timezone.now()
    by_assignment = defaultdict(list)
    for row in rows:
        by_assignment[row[0].pk].append(row)
    entries, homework = [], []
    for lessons_of in by_assignment.values():
        for position, (assignment, day, time, key) in enumerate(lessons_of):
            topics = TOPICS.get(assignment.subject.code, GENERIC)
            topic = topics[(position + assignment.pk) % len(topics)]
            if day > today and position % 3:
                continue  # not every coming lesson is prepared yet
            published_at = _aware(day, time) if day <= today else _aware(day, dt.time(7, 0))
            entry = LogEntry(
                establishment_id=assignment.establishment_id,
                assignment=assignment,
                date=day,
                start_time=time,
                lesson_key=key,
                title=topic,
                content=f"<p>{topic}</p><ul><li>Rappel de la séance précédente</li><li>Activité : {topic.lower()}</li>"
                "</ul>",
                published_at=published_at,
                author_id=assignment.teacher_id,
            )
            entries.append(entry)
            following = lessons_of[position + 1] if position + 1 < len(lessons_of) else None
            if following is None or position % 2:
                continue
            kind, title, minutes = WORK[(position + assignment.pk) % len(WORK)]
            page = 20 + (position * 7 + assignment.pk) % 180
            due_day, due_time = following[1], following[2]
            hand_in = kind == Homework.Kind.HAND_IN
            homework.append(
                Homework(
                    establishment_id=assignment.establishment_id,
                    assignment=assignment,
                    log_entry=entry,
                    kind=kind,
                    title=title
                    % {"n": 3 + position % 9, "m": 5 + position % 9, "p": page, "q": page + 4, "topic": topic},
                    instructions=f"<p>{topic}</p>",
                    due_date=due_day,
                    due_time=due_time,
                    estimated_minutes=minutes,
                    published_at=published_at,
                    notified_at=published_at if published_at <= now else None,
                    accepts_submissions=hand_in,
                    submission_deadline=_aware(due_day, dt.time(7, 30)) if hand_in else None,
                    author_id=assignment.teacher_id,
                )
            )
    return entries, homework


def _overload(personas: Personas, tuesday: dt.date) -> int:
    """5e A on next Tuesday: three announced tests and 150 minutes of work in all (other work moved)."""
    five_a = personas.college.classes["5e A"]
    assignments = {
        a.subject.code: a
        for a in current(TeachingAssignment.objects.filter(school_class=five_a)).select_related("subject")
    }
    Homework.objects.filter(
        Q(assignment__school_class=five_a) | Q(assignment__group__classes=five_a), due_date=tuesday
    ).update(due_date=tuesday + dt.timedelta(days=1))
    published = timezone.now() - dt.timedelta(days=1)
    plan = [
        ("MATH", Homework.Kind.TEST, "Contrôle : les fractions", 45),
        ("HG", Homework.Kind.TEST, "Contrôle : l'empire byzantin", 40),
        ("ANG", Homework.Kind.TEST, "Test de vocabulaire : daily routines", 35),
        ("FRA", Homework.Kind.EXERCISE, "Exercices 4 à 7 p. 112 : le participe passé", 30),
    ]
    rows = [
        Homework(
            establishment_id=five_a.establishment_id,
            assignment=assignments[code],
            kind=kind,
            title=title,
            instructions=f"<p>{title}</p>",
            due_date=tuesday,
            estimated_minutes=minutes,
            published_at=published,
            notified_at=published,
            author_id=assignments[code].teacher_id,
        )
        for code, kind, title, minutes in plan
        if code in assignments
    ]
    Homework.objects.bulk_create(rows)
    return len(rows)
