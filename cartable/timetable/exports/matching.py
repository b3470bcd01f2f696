"""Matching an export's courses to the establishment: its teachers, classes, groups and subjects.

* A teacher by the directory jointure the export gives (UDT's ``epj``: the person's AAF
  ``ExternalIdentifier`` in the establishment's académie), else by name: the one current teacher of the
  establishment with that last and first name (accents and case aside). None, or two: reported, never guessed.
* A class or a group by name (accents, case and spaces aside): a class first, then a group, unless the
  export says which. A subject by code, then by label.
* The week pattern: every week, week A or week B (``Weeks``); anything else is reported and the course is
  left out, never approximated (see ``pattern``).
"""

from __future__ import annotations

import datetime as dt
from collections import defaultdict
from dataclasses import dataclass

from django.utils.translation import gettext as _

from cartable.core.french import fold
from cartable.directory.actor import current
from cartable.directory.models import (
    Establishment,
    ExternalIdentifier,
    Group,
    Membership,
    Role,
    SchoolClass,
    Subject,
    User,
)
from cartable.timetable.exports import Course, Problem
from cartable.timetable.models import NonSchoolDay, TimetableSettings, Weeks

EDT_PATTERNS = {"h": Weeks.ALL, "": Weeks.ALL, "q1": Weeks.A, "q2": Weeks.B}
AAF = "aaf"


@dataclass
class Row:
    """A weekly lesson the export asks for, matched to the establishment."""

    file: str
    line: int
    teacher: User
    subject: Subject
    school_class: SchoolClass | None
    group: Group | None
    weekday: int
    start_time: dt.time
    end_time: dt.time
    room: str
    weeks: str

    @property
    def key(self) -> tuple:
        """What identifies a lesson from one import to the next: who teaches what to whom, when, which weeks."""
        return (
            self.teacher.pk,
            self.subject.pk,
            self.school_class.pk if self.school_class else None,
            self.group.pk if self.group else None,
            self.weekday,
            self.start_time,
            self.weeks,
        )


def _name(text: str) -> str:
    return fold(text).replace(" ", "")


class Lookups:
    """The establishment's teachers, jointures, classes, groups, subjects and calendar, loaded once."""

    def __init__(self, establishment: Establishment, on: dt.date) -> None:
        eid = establishment.pk
        teacher_ids = current(Membership.objects.filter(establishment_id=eid, role=Role.TEACHER), on).values(
            "person_id"
        )
        teachers = list(User.objects.filter(pk__in=teacher_ids))
        self.by_name: dict[tuple[str, str], list[User]] = defaultdict(list)
        for teacher in teachers:
            self.by_name[(_name(teacher.last_name), _name(teacher.first_name))].append(teacher)
        by_pk = {t.pk: t for t in teachers}
        self.by_jointure = {
            e.value: by_pk[e.person_id]
            for e in ExternalIdentifier.objects.filter(
                source=AAF, issuer=establishment.academy.code, person_id__in=by_pk
            )
        }
        years = SchoolClass.objects.filter(establishment_id=eid)
        self.classes = {_name(c.name): c for c in years.filter(school_year__end_date__gte=on)}
        self.groups = {
            _name(g.name): g for g in Group.objects.filter(establishment_id=eid, school_year__end_date__gte=on)
        }
        subjects = list(Subject.objects.filter(establishment_id=eid))
        self.subject_codes = {_name(s.code): s for s in subjects}
        self.subject_names = {_name(s.name): s for s in subjects}
        self.settings = TimetableSettings.objects.filter(establishment_id=eid).first()
        self.closed: set[dt.date] = set()
        for day in NonSchoolDay.objects.filter(establishment_id=eid, end_date__gte=on):
            span = (day.end_date - day.start_date).days
            self.closed.update(day.start_date + dt.timedelta(days=n) for n in range(span + 1))

    def teacher(self, course: Course) -> tuple[User | None, str]:
        if course.teacher_jointure:
            found = self.by_jointure.get(course.teacher_jointure)
            if found is not None:
                return found, ""
        matches = self.by_name.get((_name(course.teacher_last), _name(course.teacher_first)), [])
        if len(matches) == 1:
            return matches[0], ""
        if matches:
            return None, _("Plusieurs enseignants de l'établissement s'appellent « %(name)s » : rien n'est choisi.") % {
                "name": course.teacher_label
            }
        return None, _("Enseignant inconnu dans l'établissement « %(name)s ».") % {"name": course.teacher_label}

    def audience(self, course: Course) -> tuple[SchoolClass | None, Group | None]:
        key = _name(course.audience)
        school_class = None if course.audience_is_group else self.classes.get(key)
        group = None if school_class or course.audience_is_group is False else self.groups.get(key)
        return school_class, group

    def subject(self, course: Course) -> Subject | None:
        return self.subject_codes.get(_name(course.subject_code)) or self.subject_names.get(_name(course.subject_label))


def _monday(day: dt.date) -> dt.date:
    return day - dt.timedelta(days=day.weekday())


def pattern(course: Course, lookups: Lookups, valid_from: dt.date) -> tuple[str | None, str]:
    """The course's weeks as the timetable models them (``Weeks``), or None and why, or ("", "") when the
    course is not held at all from ``valid_from`` on (it ended before: nothing to import)."""
    if course.mondays is None:
        weeks = EDT_PATTERNS.get(fold(course.pattern))
        if weeks is None:
            return None, _(
                "Semaines « %(pattern)s » non prises en charge : seuls « H » (toutes les semaines), « Q1 » "
                "(semaine A) et « Q2 » (semaine B) le sont. Le cours n'est pas importé."
            ) % {"pattern": course.pattern}
        return weeks, ""
    first = _monday(valid_from)
    calendar = {m for m in course.calendar or () if m >= first}
    held = {m for m in course.mondays if m >= first}
    if not held:
        return "", ""
    excused = {m for m in calendar if m + dt.timedelta(days=course.weekday) in lookups.closed}
    settings = lookups.settings
    for weeks in (Weeks.ALL, Weeks.A, Weeks.B):
        if weeks != Weeks.ALL and settings is None:
            break
        allowed = {m for m in calendar if weeks == Weeks.ALL or settings.week_of(m) == weeks}
        if allowed - excused <= held <= allowed:
            return weeks, ""
    if settings is None:
        return None, _(
            "Le cours n'a lieu qu'une semaine sur deux mais aucune semaine A n'est réglée (page « Semaines A/B et "
            "jours sans cours ») : il n'est pas importé."
        )
    return None, _(
        "Le cours a lieu %(held)s semaines sur %(total)s sans suivre les semaines A ou B : ce rythme n'est pas "
        "pris en charge et le cours n'est pas importé."
    ) % {"held": len(held), "total": len(calendar)}


def match(
    courses: list[Course], lookups: Lookups, valid_from: dt.date
) -> tuple[list[Row], list[Problem], list[Problem]]:
    """The lessons the courses ask for, the errors (an unknown teacher, class or subject: the file is
    refused) and the warnings (a pattern we cannot model, a course given twice: left out)."""
    rows: list[Row] = []
    errors: list[Problem] = []
    warnings: list[Problem] = []
    seen: dict[tuple, Row] = {}
    for course in courses:
        problems = []
        teacher, why = lookups.teacher(course)
        if teacher is None:
            problems.append(why)
        school_class, group = lookups.audience(course)
        if school_class is None and group is None:
            problems.append(_("Classe ou groupe inconnu « %(value)s ».") % {"value": course.audience})
        subject = lookups.subject(course)
        if subject is None:
            problems.append(
                _("Matière inconnue « %(value)s » (ni code ni libellé de l'établissement).")
                % {"value": course.subject_code or course.subject_label}
            )
        errors.extend(Problem(p, course.file, course.line) for p in problems)
        weeks, why = pattern(course, lookups, valid_from)
        if weeks is None:
            warnings.append(Problem(why, course.file, course.line))
            continue
        if problems or not weeks or teacher is None or subject is None:
            continue
        row = Row(
            course.file,
            course.line,
            teacher,
            subject,
            school_class,
            group,
            course.weekday,
            course.start,
            course.end,
            course.room,
            weeks,
        )
        if row.key in seen:
            warnings.append(
                Problem(
                    _("Cours en double (déjà ligne %(line)s) : il n'est importé qu'une fois.")
                    % {"line": seen[row.key].line},
                    course.file,
                    course.line,
                )
            )
            continue
        seen[row.key] = row
        rows.append(row)
    if lookups.settings is None and any(r.weeks != Weeks.ALL for r in rows):
        warnings.append(
            Problem(
                _(
                    "Aucune semaine A n'est réglée : les cours de semaine B n'apparaîtront qu'une fois la page "
                    "« Semaines A/B et jours sans cours » remplie."
                )
            )
        )
    return rows, errors, warnings
