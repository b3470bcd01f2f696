"""Dates of school life, short and unambiguous: the year is shown when it is not the current one.

``{{ absence.start|moment }}`` gives « lun. 7/12 08:00 » this year and « lun. 7/12/2025 08:00 » for another
year; ``{{ absence.end|moment_time }}`` only the time. Local to attendance until the project has one place for
its date styles (then these filters fold into it).
"""

from __future__ import annotations

import datetime as dt

from django import template
from django.utils import timezone
from django.utils.formats import date_format

register = template.Library()


def _local(value: dt.datetime | dt.date) -> dt.datetime | dt.date:
    if isinstance(value, dt.datetime) and timezone.is_aware(value):
        return timezone.localtime(value)
    return value


@register.filter
def moment(value: dt.datetime | dt.date | None) -> str:
    """Weekday, day/month (and year when not this year), and the time for a datetime."""
    if value is None or value == "":
        return ""
    value = _local(value)
    this_year = value.year == timezone.localdate().year
    day = date_format(value, "D j/m" if this_year else "D j/m/Y")
    if isinstance(value, dt.datetime):
        return f"{day} {date_format(value, 'H:i')}"
    return day


@register.filter
def short_moment(value: dt.datetime | dt.date | None) -> str:
    """Day/month (and year when not this year) and time, without the weekday (tables' secondary dates)."""
    if value is None or value == "":
        return ""
    value = _local(value)
    this_year = value.year == timezone.localdate().year
    return date_format(value, "j/m H:i" if this_year else "j/m/Y H:i")
