"""Reads of the privacy centre: who read a person's data, the people one may look after, one's archives.

Each read is already scoped: the page's person is fetched with ``authz.access`` and checked with the
named permission, so another family's child is the same 404 as a missing one."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field
from typing import Any

from django.db.models import Count, Max
from django.db.models.functions import TruncDate
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy, ngettext

from cartable.core import authz, dates, registry
from cartable.core.models import AuditEvent
from cartable.directory.actor import Actor
from cartable.directory.models import Establishment, Role, User
from cartable.directory.titles import role_title
from cartable.privacy import retention
from cartable.privacy.models import DataExport, Limitation, PrivacyRequest

# The periods « Qui a consulté » offers, in days; the audit trail keeps reads for a year.
PERIODS = (7, 30, 90, 365)
DEFAULT_PERIOD = 30


@dataclass
class ReadDay:
    """What one person read of the subject's data on one day, in words, counted by kind."""

    day: dt.date
    counts: dict[str, int] = field(default_factory=dict)  # label -> times

    @property
    def sentences(self) -> list[str]:
        """« a consulté les notes, 3 fois » for each kind of data read that day."""
        return [
            ngettext("a consulté %(what)s, %(count)s fois", "a consulté %(what)s, %(count)s fois", n)
            % {"what": what, "count": n}
            for what, n in self.counts.items()
        ]

    @property
    def label(self) -> str:
        return dates.date_avis(self.day)


@dataclass
class Reader:
    """A member of staff who read the subject's data, in the role they acted through, day by day."""

    person: User
    role: str
    days: list[ReadDay]
    last: dt.datetime
    times: int


def person_for(actor: Actor, pk: int, permission: str) -> User:
    """The person a privacy page is about: oneself or a child one is legally responsible for (else 404)."""
    person = authz.access(actor, User, pk)
    authz.require_or_404(actor, permission, person)
    return person


def person_seen(actor: Actor, pk: int) -> User:
    """A person the actor may see (oneself, one's children...); anyone else: 404."""
    return authz.access(actor, User, pk)


def _label(verb: str) -> str:
    try:
        return str(registry.read_verb(verb).label)
    except LookupError:  # a verb an app no longer declares: the trail outlives it
        return _("des données")


def people_looked_after(actor: Actor) -> list[dict[str, Any]]:
    """Oneself, then the children one is legally responsible for: whose data one may look at (no query
    beyond the actor's children)."""
    own = [{"id": actor.user_id, "name": actor.user.get_full_name() if actor.user else "", "self": True}]
    return own + [
        {"id": c.id, "name": f"{c.first_name} {c.last_name}", "self": False} for c in actor.children if c.legal
    ]


def with_limitations(people: list[dict[str, Any]]) -> list[dict[str, Any]]:
    """The same people, each with the moment their processing has been limited since, if it is (one query)."""
    limited = dict(
        Limitation.objects.filter(subject_id__in=[p["id"] for p in people], lifted_at__isnull=True).values_list(
            "subject_id", "since"
        )
    )
    return [p | {"limited_since": limited.get(p["id"])} for p in people]


def period_days(raw: str | None) -> int:
    """The chosen period of « Qui a consulté » (``?periode=30``), the default for anything else."""
    return int(raw) if raw in {str(p) for p in PERIODS} else DEFAULT_PERIOD


def who_read(person: User, *, days: int, now: dt.datetime | None = None) -> list[Reader]:
    """The staff who read ``person``'s data over the last ``days`` days, grouped per person and day.

    Aggregated in the database (one row per reader, role, day and verb), then the names: two queries
    whatever the number of reads. The most recent reader comes first; within a reader, the latest day."""
    since = (now or timezone.now()) - dt.timedelta(days=days)
    rows = list(
        AuditEvent.objects.filter(
            kind=AuditEvent.Kind.READ, subject_id=person.pk, at__gte=since, actor_id__isnull=False
        )
        .annotate(day=TruncDate("at", tzinfo=timezone.get_current_timezone()))
        .values("actor_id", "role", "day", "verb")
        .annotate(times=Count("id"), last=Max("at"))
        .order_by("actor_id", "role", "-day", "verb")
    )
    if not rows:
        return []
    people = User.objects.only("id", "first_name", "last_name", "title").in_bulk({r["actor_id"] for r in rows})
    readers: dict[tuple[int, str], Reader] = {}
    for row in rows:
        key = (row["actor_id"], row["role"])
        reader = readers.get(key)
        if reader is None:
            who = people[row["actor_id"]]
            role = role_title(row["role"], who) if row["role"] else _("rôle inconnu")
            reader = readers[key] = Reader(person=who, role=role, days=[], last=row["last"], times=0)
        if not reader.days or reader.days[-1].day != row["day"]:
            reader.days.append(ReadDay(day=row["day"]))
        what = _label(row["verb"])
        counts = reader.days[-1].counts
        counts[what] = counts.get(what, 0) + row["times"]
        reader.last = max(reader.last, row["last"])
        reader.times += row["times"]
    return sorted(readers.values(), key=lambda r: r.last, reverse=True)


def exports_of(actor: Actor) -> list[DataExport]:
    """The archives the actor asked for that are still kept (one query)."""
    return list(DataExport.objects.visible_to(actor).select_related("subject").order_by("-created_at", "-id"))


def export_for(actor: Actor, pk: int) -> DataExport:
    """One of the actor's archives still kept; anyone else's, an expired one or a forged id: the same 404."""
    return authz.access(actor, DataExport.objects.select_related("subject"), pk)


# --- requests to the DPO ----------------------------------------------------------------------------------
REQUEST_RELATED = ("requester", "subject", "establishment", "handled_by")


def my_requests(actor: Actor) -> list[PrivacyRequest]:
    """The requests the actor made, the latest first (one query)."""
    return list(
        PrivacyRequest.objects.filter(requester_id=actor.user_id)
        .select_related(*REQUEST_RELATED)
        .order_by("-received_at", "-id")
    )


def request_queue(actor: Actor, *, closed: bool = False) -> list[PrivacyRequest]:
    """The requests the actor handles (the establishments they head; all for the region), open ones by due
    date (the overdue first), or the closed ones, latest first. One query."""
    authz.require_or_404(actor, "privacy.handle_requests", None)
    rows = PrivacyRequest.objects.visible_to(actor).select_related(*REQUEST_RELATED)
    if not actor.is_regional_admin:
        rows = rows.filter(establishment_id__in=list(actor.direction_ids))
    if closed:
        return list(rows.exclude(status__in=PrivacyRequest.OPEN).order_by("-closed_at", "-id")[:100])
    return list(rows.filter(status__in=PrivacyRequest.OPEN).order_by("due_on", "id"))


def request_for(actor: Actor, pk: int) -> PrivacyRequest:
    """One request the actor made or handles; anything else, or a forged id: the same 404."""
    return authz.access(actor, PrivacyRequest.objects.select_related(*REQUEST_RELATED), pk)


def current_limitation(request: PrivacyRequest) -> Limitation | None:
    """The limitation a granted limitation request set, while it lasts (one query; none for other kinds)."""
    if request.kind != PrivacyRequest.Kind.LIMITATION or request.status != PrivacyRequest.Status.GRANTED:
        return None
    return Limitation.objects.filter(request=request, lifted_at__isnull=True).first()


def limitation_to_lift(actor: Actor, pk: int) -> Limitation:
    """The current limitation of request ``pk`` that the actor handles; anything else: the same 404."""
    from django.http import Http404

    request = request_for(actor, pk)
    authz.require_or_404(actor, authz.Action.CHANGE, request)
    limitation = current_limitation(request)
    if limitation is None:
        raise Http404
    return limitation


def request_subjects(actor: Actor) -> list[tuple[int, str]]:
    """Whom a request may be made for: oneself and the children one is legally responsible for."""
    return [
        (int(p["id"]), _("Moi-même") if p["self"] else str(p["name"]))
        for p in people_looked_after(actor)
        if p["id"] is not None
    ]


def audited_establishments(actor: Actor) -> list[Establishment]:
    """The establishments whose audit log the actor browses as their ENT administrator (from memory)."""
    return [
        m.establishment for m in actor.memberships if m.role == Role.ESTABLISHMENT_ADMIN and m.establishment is not None
    ]


# --- the processing register (art. 30) ---------------------------------------------------------------------
@dataclass(frozen=True)
class Processing:
    """One line of the register: what a model holds on people, why, on what basis, for how long."""

    what: str
    purpose: str
    legal_basis: str
    retention: str
    people: list[str]
    rule: str = ""  # the structured retention rule in words, and what sets it
    rule_source: str = ""


SECURITY = gettext_lazy(
    "Accès nominatif et cloisonné par établissement, droits vérifiés à chaque page, mots de passe hachés (Argon2), "
    "journal des modifications et des consultations de données sensibles, chiffrement des échanges (HTTPS)."
)


def register() -> list[tuple[str, list[Processing]]]:
    """The processing register, generated from the data providers, grouped by app (no query)."""
    from django.apps import apps

    groups: dict[str, list[Processing]] = {}
    for provider in registry.data_providers().values():
        meta = provider.model._meta
        named = [str(getattr(meta.get_field(name), "verbose_name", name)) for name in provider.user_fields]
        # A field left without a French verbose name would show its code name (« student »): said generally.
        people = [n for n, code in zip(named, provider.user_fields, strict=True) if n != code.replace("_", " ")]
        line = Processing(
            what=str(meta.verbose_name_plural).capitalize(),
            purpose=str(provider.purpose),
            legal_basis=str(provider.legal_basis),
            retention=str(provider.retention),
            people=people or [_("les personnes que ces données nomment")],
            rule=retention.describe(provider.retention_rule, provider.model) if provider.retention_rule else "",
            rule_source=str(provider.retention_rule.source) if provider.retention_rule else "",
        )
        groups.setdefault(str(apps.get_app_config(meta.app_label).verbose_name), []).append(line)
    return [(app, sorted(lines, key=lambda p: p.what)) for app, lines in sorted(groups.items())]


def reminders_due_on(day: dt.date) -> list[registry.Reminder]:
    """Tomorrow's reminders: each open request due on ``day``, to its establishment's direction (one query,
    then one per establishment concerned)."""
    from cartable.directory.queries import direction_of

    rows = list(
        PrivacyRequest.objects.filter(status__in=PrivacyRequest.OPEN, due_on=day).select_related("establishment")
    )
    heads: dict[int, list[int]] = {}
    reminders = []
    for row in rows:
        if row.establishment_id not in heads:
            heads[row.establishment_id] = list(direction_of(row.establishment).values_list("pk", flat=True))
        reminders.append(
            registry.Reminder(
                recipients=heads[row.establishment_id],
                title=_("Demande RGPD à rendre demain : %(kind)s") % {"kind": row.title},
                body=_("Réponse due le %(date)s.") % {"date": dates.date_long(row.due_on)},
                url=reverse("privacy:request", args=[row.pk]),
                target=row,
                establishment_id=row.establishment_id,
            )
        )
    return reminders


def retention_report(actor: Actor, now: dt.datetime | None = None) -> list[retention.Due]:
    """The DPO's dry run of the retention rules (one count per rule: a fixed number of queries whatever the
    data); anyone else: 404."""
    authz.require_or_404(actor, "privacy.view_retention", None)
    return retention.report(now)
