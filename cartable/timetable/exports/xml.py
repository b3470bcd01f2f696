"""Parsing an export's XML safely: no DTD loaded, no entity resolved, no network, in the declared encoding.

A document that declares entities at all is refused: no timetable export needs one, and a declared entity
is how an XML bomb or an external-entity read begins.
"""

from __future__ import annotations

import datetime as dt
import re

from django.utils.translation import gettext as _
from lxml import etree

from cartable.core.xml import safe_parser
from cartable.timetable.exports import Problem


class ExportError(Exception):
    """A problem that stops the reading of a file (malformed XML, entities, a missing table)."""

    def __init__(self, problem: Problem) -> None:
        super().__init__(str(problem))
        self.problem = problem


def parse(name: str, data: bytes) -> etree._Element:
    """The root element of an XML file, in the encoding its declaration names (UTF-8 without one)."""
    if b"<!ENTITY" in data[:65536]:
        raise ExportError(Problem(_("Le fichier déclare des entités XML : refusé par sécurité."), name))
    try:
        root = etree.fromstring(data, safe_parser())
    except etree.XMLSyntaxError as error:
        raise ExportError(
            Problem(_("XML mal formé : %(detail)s") % {"detail": error.msg}, name, error.lineno or 0)
        ) from None
    except (ValueError, LookupError) as error:  # an encoding Python does not know
        raise ExportError(Problem(_("Encodage illisible : %(detail)s") % {"detail": error}, name)) from None
    docinfo = root.getroottree().docinfo
    if docinfo.internalDTD is not None and list(docinfo.internalDTD.iterentities()):
        raise ExportError(Problem(_("Le fichier déclare des entités XML : refusé par sécurité."), name))
    return root


TIME = re.compile(r"^\s*(\d{1,2})\s*[hH:]?\s*(\d{2})?\s*$")


def time_of(value: str) -> dt.time | None:
    """« 08h00 », « 8h », « 08:00 », « 0800 » as a time of day; None when unreadable."""
    value = (value or "").strip()
    if re.fullmatch(r"\d{3,4}", value):  # HHMM
        value = value.zfill(4)
        value = f"{value[:2]}:{value[2:]}"
    match = TIME.match(value)
    if not match:
        return None
    hours, minutes = int(match.group(1)), int(match.group(2) or 0)
    if hours > 23 or minutes > 59:
        return None
    return dt.time(hours, minutes)


def minutes_of(value: str) -> int | None:
    """A duration « 1h00 », « 0h55 », « 1h30 », « 55 » (minutes) in minutes; None when unreadable."""
    value = (value or "").strip().lower().replace(" ", "")
    match = re.fullmatch(r"(\d{1,2})h(\d{2})?", value)
    if match:
        return int(match.group(1)) * 60 + int(match.group(2) or 0)
    if value.isdigit():
        return int(value)
    return None


def add_minutes(start: dt.time, minutes: int) -> dt.time | None:
    """The time ``minutes`` after ``start``, or None past midnight."""
    total = start.hour * 60 + start.minute + minutes
    if total >= 24 * 60:
        return None
    return dt.time(total // 60, total % 60)
