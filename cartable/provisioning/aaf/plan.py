"""The difference between an AAF set and the directory: what to create, change and end, kind by kind.

``Plan.build`` reads the directory in a fixed number of queries (whatever the set's size: rows are
fetched with ``__in`` on the set's keys) and writes nothing; ``actions.import_aaf`` writes the plan.
Rows that an import owns carry ``fed_by="aaf"``; hand-made rows are never changed nor ended.
"""

from __future__ import annotations

import datetime as dt
from collections import Counter, defaultdict
from dataclasses import dataclass, field
from typing import Any

from django.db import models
from django.utils import timezone
from django.utils.translation import gettext as _

from cartable.directory.models import (
    Academy,
    Enrolment,
    Establishment,
    ExternalIdentifier,
    Group,
    GroupMembership,
    Guardianship,
    Membership,
    Role,
    SchoolClass,
    TeachingAssignment,
    User,
)
from cartable.provisioning.aaf import mapping, national, parser, structure
from cartable.provisioning.aaf.reading import AafSet, key
from cartable.provisioning.models import KINDS, ContactDetails, FedEstablishment, FunctionRole

AAF = "aaf"
STAFF = frozenset(r for r in Role.values if r not in (Role.STUDENT, Role.GUARDIAN, Role.REGIONAL_ADMIN))
OWNED_ROLES = {"Eleve": frozenset({Role.STUDENT}), "PersEducNat": STAFF, "PersRelEleve": frozenset()}
IDENTITY = {
    "sn": "last_name",
    "givenName": "first_name",
    "personalTitle": "title",
    "ENTPersonDateNaissance": "birth_date",
    "mail": "email",
}
CONTACT = {
    "ENTPersonAdresse": "address",
    "ENTPersonCodePostal": "postal_code",
    "ENTPersonVille": "city",
    "ENTPersonPays": "country",
    "telephoneNumber": "phone",
    "mobile": "mobile",
    "ENTPersonAdresseDiffusion": "address_shared",
}
PARTS = {
    "ENTPersonFonctions": "roles",
    "ENTPersonStructRattach": "roles",
    "ENTEleveClasses": "classes",
    "ENTEleveGroupes": "groups",
    "ENTElevePersRelEleve": "guardians",
    "ENTAuxEnsClassesMatieres": "teaching_classes",
    "ENTAuxEnsGroupesMatieres": "teaching_groups",
    "ENTAuxEnsClassesPrincipal": "heads",
}


@dataclass
class Line:
    """One difference, as the dry-run prints it and the audit keeps it."""

    kind: str
    outcome: str
    label: str
    before: str = ""
    after: str = ""

    def __str__(self) -> str:
        change = f" : {self.before} → {self.after}" if self.outcome == "changed" else ""
        return f"{self.outcome:8} {self.kind:18} {self.label}{change}"


@dataclass
class Person:
    """What the set says of one person: the parts it defines (all of them for an add)."""

    jointure: str
    request: parser.Request
    user: User
    new: bool
    parts: set[str] = field(default_factory=set)
    roles: dict[tuple[str, str], str] | None = None  # (UAI, role) -> job title, once computed
    guardians: dict[str, tuple[User, bool]] | None = None  # jointure -> (guardian, legal), once computed


@dataclass
class Plan:
    aaf: AafSet
    today: dt.date = field(default_factory=timezone.localdate)
    counts: dict[str, Counter] = field(default_factory=lambda: {k: Counter() for k in KINDS})
    lines: list[Line] = field(default_factory=list)
    creates: dict[type[models.Model], list[models.Model]] = field(default_factory=lambda: defaultdict(list))
    updates: dict[type[models.Model], list[tuple[models.Model, dict[str, Any]]]] = field(
        default_factory=lambda: defaultdict(list)
    )
    removals: list[Guardianship] = field(default_factory=list)
    # Groups and the classes they gather, to link once the rows exist (STS-web's DIVISIONS_APPARTENANCE).
    group_classes: list[tuple[Group, list[SchoolClass]]] = field(default_factory=list)
    new_establishments: list[Establishment] = field(default_factory=list)
    academy: str = ""

    # --- bookkeeping ---------------------------------------------------------------------------------
    def note(self, kind: str, outcome: str, label: str, before: object = "", after: object = "") -> None:
        self.counts[kind][outcome] += 1
        if outcome != "unchanged":
            self.lines.append(Line(kind, outcome, label, str(before), str(after)))

    def create(self, kind: str, obj: models.Model, label: str) -> None:
        self.creates[type(obj)].append(obj)
        self.note(kind, "created", label)

    def change(self, kind: str, obj: models.Model, values: dict[str, Any], label: str) -> bool:
        """Set the fields that differ; note the change (old -> new) or that nothing changed."""
        before = {f: getattr(obj, f) for f, v in values.items() if getattr(obj, f) != v}
        if not before:
            self.note(kind, "unchanged", label)
            return False
        if obj.pk is None:  # created in this plan: the values simply go with it
            for f in before:
                setattr(obj, f, values[f])
            return True
        old = ", ".join(f"{f}={before[f]}" for f in before)
        for f in before:
            setattr(obj, f, values[f])
        self.updates[type(obj)].append((obj, {f: parser_plain(v) for f, v in before.items()}))
        self.note(kind, "changed", label, old, ", ".join(f"{f}={values[f]}" for f in before))
        return True

    def end(self, kind: str, row: Any, label: str, on: dt.date | None = None) -> None:
        """End a row yesterday (or ``on``, a school year's last day)."""
        last = on or self.today - dt.timedelta(days=1)
        before = {"start_date": parser_plain(row.start_date), "end_date": parser_plain(row.end_date)}
        row.end_date = last
        row.start_date = min(row.start_date, last)
        self.updates[type(row)].append((row, before))
        self.note(kind, "ended", label)

    @property
    def feed(self) -> str:
        """The ``fed_by`` of the rows this set owns: "aaf", "siecle" or "sts"."""
        return self.aaf.feed

    @property
    def id_source(self) -> str:
        return ExternalIdentifier.Source.AAF if self.feed == AAF else ExternalIdentifier.Source.OTHER

    @property
    def issuer(self) -> str:
        """Who issued the set's identifiers: the académie (AAF jointures), or the establishment's own base
        (SIECLE's ``ELEVE_ID``/``PERSONNE_ID``, STS's ``INDIVIDU`` id), as ``siecle:UAI``."""
        return self.academy if self.feed == AAF else f"{self.feed}:{self.aaf.uai}"

    @property
    def ok(self) -> bool:
        return not self.aaf.errors

    def error(self, message: str, request: parser.Request) -> None:
        self.aaf.error(message, request)

    def warn(self, message: str, request: parser.Request) -> None:
        self.aaf.warn(message, request)


def parser_plain(value: Any) -> Any:
    if isinstance(value, models.Model):
        return value.pk
    return value.isoformat() if isinstance(value, dt.date) else value


def build(aaf: AafSet) -> Plan:
    """The plan of an AAF set (errors in ``plan.aaf.errors``: then nothing must be written)."""
    plan = Plan(aaf)
    if aaf.errors:
        return plan
    places = structure.Places.load(plan)
    if aaf.errors:
        return plan
    places.listed_units()
    people = _People(plan, places)
    people.load()
    if not aaf.errors:
        people.diff()
    return plan


class _People:
    """The persons of the set against the directory."""

    def __init__(self, plan: Plan, places: structure.Places) -> None:
        self.plan = plan
        self.places = places
        self.persons: dict[str, Person] = {}
        self.functions = {f.code: f for f in FunctionRole.objects.all()}
        self._grouped: dict[int, dict[Any, list[tuple[tuple, Any]]]] = {}

    def mine(self, table: dict[tuple, Any], pid: int | None) -> list[tuple[tuple, Any]]:
        """The rows of a loaded table (keyed by person first) that belong to one person, grouped once, so
        that a set of N people is compared in N steps, not N²."""
        grouped = self._grouped.get(id(table))
        if grouped is None:
            grouped = self._grouped[id(table)] = defaultdict(list)
            for row_key, row in table.items():
                grouped[row_key[0]].append((row_key, row))
        return grouped.get(pid, []) if pid else []

    # --- loading -------------------------------------------------------------------------------------
    def load(self) -> None:
        aaf, plan = self.plan.aaf, self.plan
        jointures = set(aaf.people)
        for request in aaf.people.values():  # guardians named by students, maybe defined elsewhere
            jointures.update(parser.split(v, 6)[0] for v in request.values("ENTElevePersRelEleve"))
        known = {
            e.value: e.person
            for e in ExternalIdentifier.objects.filter(
                source=plan.id_source, issuer=plan.issuer, value__in=jointures
            ).select_related("person")
        }
        self.known = known
        matched = self._match_other_academies(jointures - set(known))
        if plan.feed != AAF:
            matched.update(national.match_students(plan, jointures - set(known)))
        for jointure, request in aaf.people.items():
            user = known.get(jointure) or matched.get(jointure)
            if request.op in ("modify", "delete") and user is None:
                if request.op == "modify":
                    plan.error(_("Modification d'un identifiant inconnu « %(id)s ».") % {"id": jointure}, request)
                else:
                    plan.warn(
                        _("Suppression d'un identifiant inconnu « %(id)s » : ignorée.") % {"id": jointure}, request
                    )
                continue
            person = Person(jointure, request, user or User(), user is None)
            if request.parts is not None:
                person.parts = set(request.parts)
            elif request.op == "add":
                person.parts = set(IDENTITY.values()) | set(CONTACT.values()) | set(PARTS.values())
            elif request.op == "modify":
                person.parts = {IDENTITY.get(a) or CONTACT.get(a) or PARTS.get(a, "") for a in request.attrs} - {""}
            else:
                person.parts = {"roles", "classes", "groups", "teaching_classes", "teaching_groups", "heads"}
            if person.new or jointure in matched:
                plan.creates[ExternalIdentifier].append(
                    ExternalIdentifier(person=person.user, source=plan.id_source, issuer=plan.issuer, value=jointure)
                )
            self.persons[jointure] = person
        ids = [p.user.pk for p in self.persons.values() if p.user.pk]
        self.ids = ids
        if plan.feed != AAF:
            national.keep_ine(plan, self.persons.values())
        self.memberships = {
            (m.person_id, self.places.uai_of.get(m.establishment_id, ""), m.role): m
            for m in Membership.objects.filter(person_id__in=ids)
        }
        year_ids = {year.pk for year in self.places.years.values() if year.pk}
        self.enrolments, self.past_enrolments = _split_years(
            Enrolment.objects.filter(student_id__in=ids).select_related("school_class__school_year"),
            ("student_id", "school_class_id"),
            year_ids,
        )
        self.group_memberships, self.past_group_memberships = _split_years(
            GroupMembership.objects.filter(student_id__in=ids).select_related("group__school_year"),
            ("student_id", "group_id"),
            year_ids,
        )
        self.assignments, self.past_assignments = _split_years(
            TeachingAssignment.objects.filter(teacher_id__in=ids).select_related(
                "school_class__school_year", "group__school_year", "subject"
            ),
            ("teacher_id", "subject_id", "school_class_id", "group_id"),
            year_ids,
        )
        self.guardianships = _index(
            Guardianship.objects.filter(student_id__in=ids) | Guardianship.objects.filter(guardian_id__in=ids),
            ("student_id", "guardian_id"),
        )
        self.contacts = {c.person_id: c for c in ContactDetails.objects.filter(person_id__in=ids)}
        self.headed = defaultdict(set)
        for school_class in self.places.classes.values():
            if school_class.head_teacher_id:
                self.headed[school_class.head_teacher_id].add(school_class)

    def _close_past_years(self) -> None:
        """Last year's rows of the set's people still running past that year's end (no rollover was made):
        ended on its last day, those AAF fed in the establishments the set owns."""
        for kind, rows in (
            ("enrolments", self.past_enrolments),
            ("group_memberships", self.past_group_memberships),
            ("teaching", self.past_assignments),
        ):
            for row in rows:
                year = _unit(row).school_year
                running = row.end_date is None or row.end_date > year.end_date
                if (
                    running
                    and row.fed_by == self.plan.feed
                    and self._owned(self.places.uai_of.get(row.establishment_id, ""))
                ):
                    self.plan.end(kind, row, f"{_unit(row).name} ({year.label})", on=year.end_date)

    def _match_other_academies(self, jointures: set[str]) -> dict[str, User]:
        """Adults new to this académie whom another académie's directory already feeds: matched on name
        and birth date when exactly one person fits, so that they keep one account and both jointures."""
        candidates = {}
        for jointure in jointures:
            request = self.plan.aaf.people.get(jointure)
            if request is None or request.category == "Eleve" or not request.first("ENTPersonDateNaissance"):
                continue
            try:
                born = parser.date(request.first("ENTPersonDateNaissance"))
            except ValueError:
                continue
            candidates[(request.first("sn").upper(), request.first("givenName").upper(), born)] = jointure
        if not candidates:
            return {}
        found: dict[tuple, list[User]] = defaultdict(list)
        others = (
            ExternalIdentifier.objects.filter(
                source__in=(ExternalIdentifier.Source.AAF, ExternalIdentifier.Source.OTHER)
            )
            .exclude(source=self.plan.id_source, issuer=self.plan.issuer)
            .values("person_id")
        )
        births = {b for _s, _g, b in candidates}
        for user in User.objects.filter(pk__in=others, birth_date__in=births):
            found[(user.last_name.upper(), user.first_name.upper(), user.birth_date)].append(user)
        matched = {}
        for identity, jointure in candidates.items():
            users = found.get(identity, [])
            if len(users) == 1:
                matched[jointure] = users[0]
                self.plan.warn(
                    _("« %(id)s » est rapproché de %(name)s, déjà connu d'une autre académie.")
                    % {"id": jointure, "name": users[0].username},
                    self.plan.aaf.people[jointure],
                )
        return matched

    # --- the difference ------------------------------------------------------------------------------
    def diff(self) -> None:
        self._close_past_years()
        new = [p for p in self.persons.values() if p.new]
        structure.name_new_people(self.plan, new)
        for person in self.persons.values():
            self._identity(person)
        for person in self.persons.values():
            if "roles" in person.parts:
                self._roles(person)
        for person in self.persons.values():
            if person.request.category == "Eleve":
                self._schooling(person)
            elif person.request.category == "PersEducNat":
                self._teaching(person)
        if self.plan.aaf.errors:
            return
        self._guardian_memberships()
        if not self.plan.aaf.delta:
            self._end_missing()

    def _label(self, person: Person) -> str:
        first = person.request.first("givenName") or person.user.first_name
        last = person.request.first("sn") or person.user.last_name
        return f"{first} {last} ({person.jointure})"

    def _identity(self, person: Person) -> None:
        request, plan = person.request, self.plan
        if request.op == "delete":
            return
        values: dict[str, Any] = {}
        for attr, name in IDENTITY.items():
            if name not in person.parts:
                continue
            raw = request.first(attr)
            if name == "birth_date":
                try:
                    values[name] = parser.date(raw)
                except ValueError:
                    plan.error(_("Date illisible « %(value)s » : jj/mm/aaaa attendu.") % {"value": raw}, request)
            elif name == "title":
                values[name] = mapping.TITLES.get(raw.upper(), "")
            else:
                values[name] = raw[:254] if name == "email" else raw[:150]
        label = self._label(person)
        if person.new:
            for name, value in values.items():
                setattr(person.user, name, value)
            person.user.set_unusable_password()
            plan.create("people", person.user, label)
        else:
            plan.change("people", person.user, values, label)
        contact: dict[str, Any] = {}
        for attr, name in CONTACT.items():
            if name not in person.parts:
                continue
            raw = request.first(attr)
            if name == "address_shared":
                try:
                    contact[name] = bool(parser.yes_no(raw))
                except ValueError:
                    plan.error(_("Valeur « %(value)s » : O ou N attendu.") % {"value": raw}, request)
            else:
                field_length = getattr(ContactDetails._meta.get_field(name), "max_length", None) or 255
                contact[name] = raw[:field_length]
        if not contact:
            return
        existing = self.contacts.get(person.user.pk) if person.user.pk else None
        if existing is not None:
            plan.change("contacts", existing, contact, label)
        elif any(contact.values()):
            plan.create("contacts", ContactDetails(person=person.user, **contact), label)

    def _owned(self, uai: str | None) -> bool:
        return uai in self.places.owned

    def _roles(self, person: Person) -> None:
        request, plan = person.request, self.plan
        wanted: dict[tuple[str, str], str] = {}
        if request.op != "delete":
            if request.category == "Eleve":
                establishment = self.places.establishment(request.first("ENTPersonStructRattach"), request)
                if establishment is not None:
                    wanted[(establishment.uai, Role.STUDENT)] = ""
            for value in request.values("ENTPersonFonctions"):
                where, code, label, _discipline, discipline_label = parser.split(value, 5)
                establishment = self.places.establishment(where, request)
                function = self.functions.get(code)
                if function is None:
                    plan.warn(
                        _("Code de fonction inconnu « %(code)s » : aucun rôle donné (voir les fonctions AAF).")
                        % {"code": code},
                        request,
                    )
                elif establishment is not None:
                    wanted.setdefault((establishment.uai, function.role), mapping.job_title(discipline_label or label))
        person.roles = wanted
        self._sync_memberships(person, wanted, OWNED_ROLES[request.category])

    def _sync_memberships(self, person: Person, wanted: dict[tuple[str, str], str], owned: frozenset[str]) -> None:
        plan, pid = self.plan, person.user.pk
        label = self._label(person)
        for (uai, role), job in wanted.items():
            row = self.memberships.get((pid, uai, role)) if pid else None
            what = f"{label} — {Role(role).label} — {uai}"
            if row is None:
                plan.create(
                    "memberships",
                    Membership(
                        person=person.user,
                        establishment=self.places.by_uai[uai],
                        role=role,
                        job_title=job,
                        start_date=plan.today,
                        fed_by=plan.feed,
                    ),
                    what,
                )
            elif row.fed_by != plan.feed:
                plan.note("memberships", "unchanged", what)
            elif row.end_date is not None and row.end_date < plan.today:
                plan.change("memberships", row, {"end_date": None, "job_title": job}, what)
            else:
                plan.change("memberships", row, {"job_title": job}, what)
        for (p, uai, role), row in self.mine(self.memberships, pid):
            mine = p == pid and role in owned and row.fed_by == plan.feed and self._owned(uai)
            if mine and (uai, role) not in wanted and _current(row, plan.today):
                plan.end("memberships", row, f"{label} — {Role(role).label}")

    def _schooling(self, person: Person) -> None:
        request, plan = person.request, self.plan
        if "roles" in person.parts:
            student_places = {e for e, _r in person.roles or {}}
        else:
            student_places = {e for (p, e, r), m in self.mine(self.memberships, person.user.pk) if r == Role.STUDENT}
        for part, attr, kind in (
            ("classes", "ENTEleveClasses", "enrolments"),
            ("groups", "ENTEleveGroupes", "group_memberships"),
        ):
            if part not in person.parts:
                continue
            wanted = {}
            if request.op != "delete":
                for value in request.values(attr):
                    where, name = parser.split(value, 2)[:2]
                    establishment = self.places.establishment(where, request)
                    if establishment is None:
                        continue
                    if student_places and establishment.uai not in student_places:
                        plan.error(
                            _("L'élève « %(id)s » est placé dans « %(name)s », d'un autre établissement (%(uai)s).")
                            % {"id": person.jointure, "name": name, "uai": establishment.uai},
                            request,
                        )
                        continue
                    unit = (self.places.school_class if part == "classes" else self.places.group)(
                        establishment, name.strip()
                    )
                    wanted[(establishment.uai, unit.name)] = unit
            self._sync_units(person, kind, wanted)
        if "guardians" in person.parts:
            self._guardians(person)

    def _sync_units(self, person: Person, kind: str, wanted: dict[tuple[str, str], Any]) -> None:
        plan, pid = self.plan, person.user.pk
        label = self._label(person)
        if kind == "enrolments":
            rows = {
                (self.places.uai_of.get(r.establishment_id, ""), r.school_class.name): r
                for (p, _c), r in self.mine(self.enrolments, pid)
                if p == pid
            }
            model: type[Enrolment] | type[GroupMembership] = Enrolment
        else:
            rows = {
                (self.places.uai_of.get(r.establishment_id, ""), r.group.name): r
                for (p, _g), r in self.mine(self.group_memberships, pid)
                if p == pid
            }
            model = GroupMembership
        for unit_key, unit in wanted.items():
            row = rows.get(unit_key) if pid else None
            what = f"{label} — {unit.name}"
            if row is None:
                fields = {"school_class": unit} if kind == "enrolments" else {"group": unit}
                plan.create(
                    kind,
                    model(
                        student=person.user,
                        establishment=unit.establishment,
                        start_date=max(plan.today, unit.school_year.start_date),
                        fed_by=plan.feed,
                        **fields,
                    ),
                    what,
                )
            elif row.fed_by == plan.feed and not _current(row, plan.today):
                plan.change(kind, row, {"end_date": None}, what)
            else:
                plan.note(kind, "unchanged", what)
        for unit_key, row in rows.items():
            if (
                unit_key not in wanted
                and row.fed_by == plan.feed
                and self._owned(unit_key[0])
                and _current(row, plan.today)
            ):
                plan.end(kind, row, f"{label} — {unit_key[1]}")

    def _guardians(self, person: Person) -> None:
        request, plan = person.request, self.plan
        wanted: dict[str, tuple[str, bool]] = {}  # jointure -> (kinship, legal)
        if request.op != "delete":
            for value in request.values("ENTElevePersRelEleve"):
                jointure, kinship, _financial, legal_code, _contact, _payment = parser.split(value, 6)[:6]
                relation = (
                    str(mapping.KINSHIP.get(kinship, Guardianship.Relationship.OTHER)),
                    legal_code.strip() in ("1", "2"),
                )
                seen = wanted.get(jointure)
                if seen is None or (relation[1] and not seen[1]):  # the dominant relation: legal responsibility
                    wanted[jointure] = relation
        person.guardians = guardians = {}  # jointure -> (guardian, legal)
        label = self._label(person)
        pid = person.user.pk
        for jointure, (relationship, legal) in wanted.items():
            guardian = self.persons.get(jointure)
            user = guardian.user if guardian else self.known.get(jointure)
            if user is None:
                plan.error(
                    _("Responsable inconnu « %(id)s » pour l'élève « %(student)s ».")
                    % {"id": jointure, "student": person.jointure},
                    request,
                )
                continue
            guardians[jointure] = (user, legal)
            row = self.guardianships.get((pid, user.pk)) if pid and user.pk else None
            what = f"{user.first_name} {user.last_name} → {label}"
            values = {"relationship": relationship, "legal_responsibility": legal}
            if row is None:
                plan.create(
                    "guardianships",
                    Guardianship(
                        guardian=user, student=person.user, receives_notifications=legal, fed_by=plan.feed, **values
                    ),
                    what,
                )
            elif row.fed_by == plan.feed:
                plan.change("guardianships", row, values, what)
            else:
                plan.note("guardianships", "unchanged", what)
        keep = {u.pk for u, _l in guardians.values()}
        for (student_id, guardian_id), row in self.mine(self.guardianships, pid):
            if student_id == pid and guardian_id not in keep and row.fed_by == plan.feed:
                plan.removals.append(row)
                plan.note("guardianships", "ended", f"{guardian_id} → {label}")

    def _teaching(self, person: Person) -> None:
        structure.teaching(self, person)

    def _guardian_memberships(self) -> None:
        structure.guardian_memberships(self)

    def _end_missing(self) -> None:
        structure.end_missing(self)


def _current(row: Any, today: dt.date) -> bool:
    return row.end_date is None or row.end_date >= today


def _index(queryset: models.QuerySet, fields: tuple[str, ...]) -> dict[tuple, Any]:
    return {tuple(getattr(r, f) for f in fields): r for r in queryset}


def _unit(row: Any) -> Any:
    return row.school_class if getattr(row, "school_class_id", None) else row.group


def _split_years(queryset: models.QuerySet, fields: tuple[str, ...], year_ids: set[int]) -> tuple[dict, list]:
    """The rows of the year the set feeds (compared with it), and those of earlier years (closed on their
    year's last day, as the school-year rollover does, should they still run past it)."""
    this_year, past = {}, []
    for row in queryset:
        if _unit(row).school_year_id in year_ids:
            this_year[tuple(getattr(row, f) for f in fields)] = row
        else:
            past.append(row)
    return this_year, past


__all__ = ["Academy", "FedEstablishment", "Plan", "SchoolClass", "build", "key"]
