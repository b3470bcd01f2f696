"""School life pages, by audience: the teacher's lessons and the roll call (``teacher``), the vie scolaire's
board, lists, entries, statistics and settings (``school_life``), one absence or lateness with its
justifications (``records``), and the family's page and declarations (``family``)."""

from cartable.attendance.views.family import declare, family
from cartable.attendance.views.records import absence, document, lateness
from cartable.attendance.views.school_life import (
    absence_new,
    absences,
    board,
    lateness_list,
    lateness_new,
    settings,
    statistics,
    student,
)
from cartable.attendance.views.teacher import home, lessons, roll_call

__all__ = [
    "absence",
    "absence_new",
    "absences",
    "board",
    "declare",
    "document",
    "family",
    "home",
    "lateness",
    "lateness_list",
    "lateness_new",
    "lessons",
    "roll_call",
    "settings",
    "statistics",
    "student",
]
