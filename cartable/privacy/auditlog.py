"""Reads of the audit-log viewer: an establishment's trail, filtered, a page at a time or as a streamed CSV.

Browsing and exporting are themselves recorded (``privacy.view_audit``, ``privacy.export_audit``, with the
filters), from here, as the reads of sensitive data are recorded from the apps' queries."""

from __future__ import annotations

import csv
import datetime as dt
from collections.abc import Iterable, Iterator
from dataclasses import dataclass
from typing import Any

from django.db.models import Q, QuerySet
from django.utils import timezone
from django.utils.translation import gettext as _

from cartable.core import audit, authz, dates
from cartable.core.models import AuditEvent
from cartable.directory.actor import Actor
from cartable.directory.models import Establishment, User

PER_PAGE = 100
CHUNK = 1000
FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r")


@dataclass(frozen=True)
class Filters:
    """What the viewer narrows the trail to (all optional)."""

    start: dt.date | None = None
    end: dt.date | None = None
    subject: str = ""  # a username or a last name
    actor: str = ""
    module: str = ""  # the verb's prefix: "grades", "privacy"...
    kind: str = ""  # "read" or "write"

    def as_audit(self) -> dict[str, Any]:
        return {k: audit.plain(v) for k, v in self.__dict__.items() if v}


def _people(word: str) -> list[int]:
    word = word.strip()
    if not word:
        return []
    return list(
        User.objects.filter(Q(username__iexact=word) | Q(last_name__iexact=word)).values_list("pk", flat=True)[:50]
    )


def events(actor: Actor, establishment: Establishment, filters: Filters) -> QuerySet[AuditEvent]:
    """The establishment's audit rows matching ``filters``, the latest first (checked: 404 for others)."""
    authz.require_or_404(actor, "privacy.view_audit", establishment)
    rows = AuditEvent.objects.filter(establishment_id=establishment.pk)
    zone = timezone.get_current_timezone()
    if filters.start:
        rows = rows.filter(at__gte=dt.datetime.combine(filters.start, dt.time.min, tzinfo=zone))
    if filters.end:
        rows = rows.filter(at__lt=dt.datetime.combine(filters.end + dt.timedelta(days=1), dt.time.min, tzinfo=zone))
    if filters.subject:
        rows = rows.filter(subject_id__in=_people(filters.subject))
    if filters.actor:
        rows = rows.filter(actor_id__in=_people(filters.actor))
    if filters.module:
        rows = rows.filter(verb__startswith=f"{filters.module}.")
    if filters.kind in AuditEvent.Kind.values:
        rows = rows.filter(kind=filters.kind)
    return rows.order_by("-at", "-id")


@dataclass
class Row:
    event: AuditEvent
    actor: User | None
    subject: User | None


def _named(chunk: list[AuditEvent]) -> list[Row]:
    ids = {e.actor_id for e in chunk} | {e.subject_id for e in chunk}
    people = User.objects.only("id", "first_name", "last_name", "username", "title").in_bulk(i for i in ids if i)
    return [Row(e, people.get(e.actor_id or 0), people.get(e.subject_id or 0)) for e in chunk]


def page(actor: Actor, establishment: Establishment, filters: Filters, number: int) -> tuple[list[Row], bool]:
    """One page of the trail and whether another follows (three queries whatever its size); recorded."""
    rows = list(events(actor, establishment, filters)[(number - 1) * PER_PAGE : number * PER_PAGE + 1])
    audit.record(
        actor=actor,
        verb="privacy.view_audit",
        target=establishment,
        after=filters.as_audit() | {"page": number},
        establishment_id=establishment.pk,
    )
    return _named(rows[:PER_PAGE]), len(rows) > PER_PAGE


def safe_cell(value: object) -> str:
    """A CSV cell a spreadsheet will not run: text starting like a formula gets a leading apostrophe."""
    text = "" if value is None else str(value)
    return "'" + text if text.startswith(FORMULA_STARTS) else text


class _Echo:
    def write(self, value: str) -> str:
        return value


def _name(person: User | None) -> str:
    return person.get_full_name() or person.username if person is not None else ""


def csv_lines(actor: Actor, establishment: Establishment, filters: Filters) -> Iterator[str]:
    """The filtered trail as CSV lines, read from the database by chunks (bounded memory); recorded.

    Checked and recorded now, before the first line is streamed (a 404 must not start a download)."""
    rows = events(actor, establishment, filters)
    audit.record(
        actor=actor,
        verb="privacy.export_audit",
        target=establishment,
        after=filters.as_audit(),
        establishment_id=establishment.pk,
    )
    return _lines(rows)


def _lines(rows: QuerySet[AuditEvent]) -> Iterator[str]:
    writer = csv.writer(_Echo(), delimiter=";")
    header = [_("Date"), _("Type"), _("Action"), _("Auteur"), _("Rôle"), _("Personne concernée"), _("Objet")]
    yield "\ufeff" + writer.writerow(header)
    for chunk in _chunks(rows.iterator(chunk_size=CHUNK)):
        for row in _named(chunk):
            e = row.event
            cells = [dates.datetime_iso(e.at), e.kind, e.verb, _name(row.actor), e.role, _name(row.subject)]
            yield writer.writerow([safe_cell(c) for c in [*cells, f"{e.target_type}:{e.target_id}"]])


def _chunks(items: Iterable[AuditEvent]) -> Iterator[list[AuditEvent]]:
    chunk: list[AuditEvent] = []
    for item in items:
        chunk.append(item)
        if len(chunk) == CHUNK:
            yield chunk
            chunk = []
    if chunk:
        yield chunk
