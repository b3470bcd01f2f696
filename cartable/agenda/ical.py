"""A small RFC 5545 (iCalendar) writer, and the reader the tests use to check what it writes.

What it guarantees: CRLF line ends; content lines folded at 75 octets without ever splitting a UTF-8
character (continuation lines start with one space, which counts in their 75); TEXT values escaped
(backslash, semicolon, comma, newline); local times as ``DTSTART;TZID=Europe/Paris:...`` with the
Europe/Paris ``VTIMEZONE`` (STANDARD and DAYLIGHT rules) included; ``DTSTAMP`` in UTC; all-day entries as
``VALUE=DATE``. We write it ourselves rather than add a dependency: the format we need is about a hundred
lines, and every rule of it is tested.
"""

from __future__ import annotations

import datetime as dt
import re
from dataclasses import dataclass, field
from zoneinfo import ZoneInfo

TZID = "Europe/Paris"
PARIS = ZoneInfo(TZID)
CRLF = "\r\n"
MAX_OCTETS = 75

VTIMEZONE_PARIS = (
    "BEGIN:VTIMEZONE",
    "TZID:Europe/Paris",
    "X-LIC-LOCATION:Europe/Paris",
    "BEGIN:DAYLIGHT",
    "TZOFFSETFROM:+0100",
    "TZOFFSETTO:+0200",
    "TZNAME:CEST",
    "DTSTART:19700329T020000",
    "RRULE:FREQ=YEARLY;BYMONTH=3;BYDAY=-1SU",
    "END:DAYLIGHT",
    "BEGIN:STANDARD",
    "TZOFFSETFROM:+0200",
    "TZOFFSETTO:+0100",
    "TZNAME:CET",
    "DTSTART:19701025T030000",
    "RRULE:FREQ=YEARLY;BYMONTH=10;BYDAY=-1SU",
    "END:STANDARD",
    "END:VTIMEZONE",
)


def escape_text(value: str) -> str:
    """Escape a TEXT value: backslash, semicolon, comma, and newlines as ``\\n`` (RFC 5545 3.3.11)."""
    value = value.replace("\\", "\\\\").replace(";", "\\;").replace(",", "\\,")
    return value.replace("\r\n", "\\n").replace("\r", "\\n").replace("\n", "\\n")


def fold(line: str) -> str:
    """Fold one content line into lines of at most 75 octets, never inside a UTF-8 character."""
    pieces: list[str] = []
    current: list[str] = []
    size = 0
    limit = MAX_OCTETS
    for char in line:
        width = len(char.encode("utf-8"))
        if size + width > limit:
            pieces.append("".join(current))
            current, size, limit = [], 0, MAX_OCTETS - 1  # the leading space of the next line counts
        current.append(char)
        size += width
    pieces.append("".join(current))
    return (CRLF + " ").join(pieces)


def format_utc(moment: dt.datetime) -> str:
    return moment.astimezone(dt.UTC).strftime("%Y%m%dT%H%M%SZ")


def format_local(moment: dt.datetime) -> str:
    """A moment as Paris local time (naive values are taken as Paris time already)."""
    if moment.tzinfo is not None:
        moment = moment.astimezone(PARIS)
    return moment.strftime("%Y%m%dT%H%M%S")


@dataclass
class VEvent:
    """One VEVENT. ``start``/``end`` are datetimes, or dates for all-day entries (``end`` exclusive)."""

    uid: str
    summary: str
    start: dt.datetime | dt.date
    end: dt.datetime | dt.date
    stamp: dt.datetime
    sequence: int = 0
    description: str = ""
    location: str = ""
    status: str = ""  # "", CONFIRMED, TENTATIVE or CANCELLED
    categories: list[str] = field(default_factory=list)
    url: str = ""

    def lines(self) -> list[str]:
        out = ["BEGIN:VEVENT", f"UID:{self.uid}", f"DTSTAMP:{format_utc(self.stamp)}"]
        out += [_when("DTSTART", self.start), _when("DTEND", self.end)]
        out.append(f"SEQUENCE:{int(self.sequence)}")
        out.append(f"SUMMARY:{escape_text(self.summary)}")
        if self.description:
            out.append(f"DESCRIPTION:{escape_text(self.description)}")
        if self.location:
            out.append(f"LOCATION:{escape_text(self.location)}")
        if self.categories:
            out.append("CATEGORIES:" + ",".join(escape_text(c) for c in self.categories))
        if self.status:
            out.append(f"STATUS:{self.status}")
        if self.url:
            out.append(f"URL:{self.url}")
        out.append("END:VEVENT")
        return out


def _when(name: str, value: dt.datetime | dt.date) -> str:
    if isinstance(value, dt.datetime):
        return f"{name};TZID={TZID}:{format_local(value)}"
    return f"{name};VALUE=DATE:{value.strftime('%Y%m%d')}"


@dataclass
class Calendar:
    """A VCALENDAR published to subscribers (METHOD:PUBLISH), with the Paris time zone."""

    name: str
    prodid: str = "-//Cartable//Agenda//FR"
    events: list[VEvent] = field(default_factory=list)

    def to_ical(self) -> str:
        lines = [
            "BEGIN:VCALENDAR",
            "VERSION:2.0",
            f"PRODID:{self.prodid}",
            "CALSCALE:GREGORIAN",
            "METHOD:PUBLISH",
            f"X-WR-CALNAME:{escape_text(self.name)}",
            f"X-WR-TIMEZONE:{TZID}",
            "REFRESH-INTERVAL;VALUE=DURATION:PT1H",
            *VTIMEZONE_PARIS,
        ]
        for event in self.events:
            lines += event.lines()
        lines.append("END:VCALENDAR")
        return "".join(fold(line) + CRLF for line in lines)


# --- the reader (for tests and for anyone checking a feed) ----------------------------------------------
@dataclass
class Property:
    name: str
    params: dict[str, str]
    value: str


@dataclass
class Component:
    name: str
    properties: list[Property] = field(default_factory=list)
    children: list[Component] = field(default_factory=list)

    def get(self, name: str) -> Property | None:
        return next((p for p in self.properties if p.name == name), None)

    def value(self, name: str) -> str | None:
        found = self.get(name)
        return found.value if found else None

    def walk(self, name: str) -> list[Component]:
        found = [self] if self.name == name else []
        for child in self.children:
            found += child.walk(name)
        return found


_CONTENT_LINE = re.compile(r"^(?P<name>[A-Za-z0-9-]+)(?P<params>(?:;[^:]*)?):(?P<value>.*)$")


def unescape_text(value: str) -> str:
    """The inverse of :func:`escape_text`."""
    return re.sub(r"\\([\\;,nN])", lambda m: "\n" if m.group(1) in "nN" else m.group(1), value)


def parse(text: str) -> Component:
    """Parse iCalendar text strictly: CRLF line ends, folded lines, properties and nested components."""
    if "\n" in text.replace(CRLF, ""):
        raise ValueError("A line ends without CR LF.")
    raw = text.split(CRLF)
    if raw and raw[-1] == "":
        raw.pop()
    lines: list[str] = []
    for line in raw:
        if line.startswith((" ", "\t")):
            if not lines:
                raise ValueError("A continuation line comes first.")
            lines[-1] += line[1:]
        else:
            lines.append(line)
    stack: list[Component] = []
    root: Component | None = None
    for line in lines:
        match = _CONTENT_LINE.match(line)
        if match is None:
            raise ValueError(f"Not a content line: {line!r}")
        name, value = match.group("name").upper(), match.group("value")
        params = dict(p.split("=", 1) for p in match.group("params").split(";")[1:])
        if name == "BEGIN":
            component = Component(value.upper())
            if stack:
                stack[-1].children.append(component)
            elif root is None:
                root = component
            else:
                raise ValueError("Two top-level components.")
            stack.append(component)
        elif name == "END":
            if not stack or stack[-1].name != value.upper():
                raise ValueError(f"Unbalanced END:{value}")
            stack.pop()
        elif stack:
            stack[-1].properties.append(Property(name, params, value))
        else:
            raise ValueError("A property outside any component.")
    if root is None or stack:
        raise ValueError("Unterminated calendar.")
    return root
