"""The establishments of an AAF set and what hangs on them (school years, classes, groups, subjects),
teaching, guardians' memberships, the names of new people, and what a complete set ends."""

from __future__ import annotations

import datetime as dt
import re
from collections import defaultdict
from typing import TYPE_CHECKING, Any

from django.utils.translation import gettext as _

from cartable.directory.models import (
    Academy,
    Enrolment,
    Establishment,
    ExternalIdentifier,
    Group,
    GroupMembership,
    Membership,
    Role,
    SchoolClass,
    SchoolYear,
    Subject,
    TeachingAssignment,
    User,
)
from cartable.directory.names import login_for
from cartable.provisioning.aaf import mapping, parser
from cartable.provisioning.aaf.reading import key
from cartable.provisioning.models import FedEstablishment

if TYPE_CHECKING:
    from cartable.provisioning.aaf.plan import Person, Plan, _People

AAF = "aaf"
UAI = re.compile(r"^[0-9]{7}[A-Z]$")


def school_year_bounds(today: dt.date) -> tuple[str, dt.date, dt.date]:
    start_year = today.year if today.month >= 9 else today.year - 1
    return f"{start_year}-{start_year + 1}", dt.date(start_year, 9, 1), dt.date(start_year + 1, 8, 31)


class Places:
    """The set's establishments (by structure jointure and by UAI), with their classes, groups, subjects
    and current school year, loaded once; new ones are planned, not saved."""

    def __init__(self, plan: Plan) -> None:
        self.plan = plan
        self.by_jointure: dict[str, Establishment] = {}
        self.by_uai: dict[str, Establishment] = {}
        self.uai_of: dict[int, str] = {}
        self.owned: set[str] = set()
        self.classes: dict[tuple[str, str], SchoolClass] = {}
        self.groups: dict[tuple[str, str], Group] = {}
        self.subjects: dict[tuple[str, str], Subject] = {}
        self.years: dict[str, SchoolYear] = {}
        self.seen: set[tuple[str, tuple[str, str]]] = set()

    @classmethod
    def load(cls, plan: Plan) -> Places:
        places = cls(plan)
        if plan.feed == AAF:
            places._establishments()
        else:
            places._local_establishment()
        if not plan.aaf.errors:
            places._units()
        return places

    def _referenced(self) -> set[str]:
        found = set()
        for request in self.plan.aaf.people.values():
            found.add(request.first("ENTPersonStructRattach"))
            for attr in ("ENTPersonFonctions", "ENTEleveClasses", "ENTEleveGroupes", "ENTAuxEnsClassesMatieres"):
                found.update(parser.split(v, 2)[0] for v in request.values(attr))
            for attr in ("ENTAuxEnsGroupesMatieres", "ENTAuxEnsClassesPrincipal"):
                found.update(parser.split(v, 2)[0] for v in request.values(attr))
        return found - {""}

    def _establishments(self) -> None:
        plan, aaf = self.plan, self.plan.aaf
        academies = {r.first("ENTServAcAcademie") for r in aaf.structures.values() if r.op != "delete"} - {""}
        referenced = self._referenced()
        if not academies:
            linked = FedEstablishment.objects.filter(jointure__in=referenced | set(aaf.structures))
            academies = set(linked.values_list("academy_code", flat=True))
        if not academies:  # a delta of guardians names no establishment: their jointures tell the académie
            known = ExternalIdentifier.objects.filter(source=AAF, value__in=list(aaf.people)).exclude(issuer="")
            academies = set(known.values_list("issuer", flat=True))
        if len(academies) > 1:
            aaf.errors.append(
                parser.AafError(
                    _("Le lot mêle plusieurs académies (%(codes)s) : un lot par académie.")
                    % {"codes": ", ".join(sorted(academies))}
                )
            )
            return
        plan.academy = academy_code = next(iter(academies), "")
        fed = {
            f.jointure: f
            for f in FedEstablishment.objects.filter(academy_code=academy_code).select_related("establishment")
        }
        uais = {r.first("ENTStructureUAI") or r.first("ENTEtablissementUAI") for r in aaf.structures.values()}
        existing = {e.uai: e for e in Establishment.objects.filter(uai__in=uais)}
        academy = Academy.objects.filter(code=academy_code).first()
        from cartable.provisioning.models import LocalFeed

        local = set(LocalFeed.objects.filter(establishment__uai__in=uais).values_list("establishment__uai", flat=True))
        for jointure, request in aaf.structures.items():
            uai = (request.first("ENTStructureUAI") or request.first("ENTEtablissementUAI")).upper()
            if uai in local:
                plan.error(
                    _("%(uai)s est alimenté par ses propres exports SIECLE et STS-web : l'AAF ne le nourrit pas.")
                    % {"uai": uai},
                    request,
                )
                continue
            self._structure(jointure, request, fed, existing, academy, academy_code)
            academy = academy or self._academy
        for jointure, link in fed.items():
            self.by_jointure.setdefault(jointure, link.establishment)
        for establishment in self.by_jointure.values():
            self.by_uai[establishment.uai] = establishment
            if establishment.pk:
                self.uai_of[establishment.pk] = establishment.uai
        # A complete set is the whole truth for its establishments; a delta touches the académie's.
        if aaf.delta or not aaf.structures:
            self.owned = {e.uai for e in self.by_jointure.values()}
        else:
            self.owned = {self.by_jointure[key(r)].uai for r in aaf.structures.values() if key(r) in self.by_jointure}

    _academy: Academy | None = None

    def _local_establishment(self) -> None:
        """A SIECLE or STS-web export feeds the one establishment its ``UAJ`` names: it must exist, and AAF
        must not feed it (one source per establishment); the first such import marks it as theirs."""
        from cartable.provisioning.models import LocalFeed

        aaf, uai = self.plan.aaf, self.plan.aaf.uai
        establishment = Establishment.objects.filter(uai=uai).first()
        where, line = aaf.uai_at
        if establishment is None:
            aaf.errors.append(
                parser.AafError(
                    _("Établissement inconnu « %(uai)s » (UAJ) : il doit être ouvert avant son premier import.")
                    % {"uai": uai},
                    file=where,
                    line=line,
                )
            )
            return
        if FedEstablishment.objects.filter(establishment=establishment).exists():
            aaf.errors.append(
                parser.AafError(
                    _("%(name)s (%(uai)s) est alimenté par l'AAF : ses exports SIECLE et STS-web ne s'importent pas.")
                    % {"name": establishment.name, "uai": uai},
                    file=where,
                    line=line,
                )
            )
            return
        if not LocalFeed.objects.filter(establishment=establishment).exists():
            self.plan.creates[LocalFeed].append(LocalFeed(establishment=establishment))
        self.by_jointure[uai] = self.by_uai[uai] = establishment
        self.uai_of[establishment.pk] = uai
        self.owned = {uai}

    def listed_units(self) -> None:
        """The classes and groups an export lists, made even if empty; a group's classes kept with it."""
        for kind, name, classes in self.plan.aaf.units:
            establishment = self.by_uai[self.plan.aaf.uai]
            if kind == "class":
                self.school_class(establishment, name)
                continue
            group = self.group(establishment, name)
            have = {c.pk for c in group.classes.all()} if group.pk else set()  # prefetched by _units
            missing = {c: self.school_class(establishment, c) for c in dict.fromkeys(classes)}
            missing = {c: unit for c, unit in missing.items() if unit.pk is None or unit.pk not in have}
            if missing:
                self.plan.group_classes.append((group, list(missing.values())))

    def _structure(
        self, jointure: str, request: parser.Request, fed: dict, existing: dict, academy: Any, code: str
    ) -> None:
        plan = self.plan
        if request.op == "delete":
            plan.warn(_("Un établissement ne se supprime pas par l'AAF : demande ignorée."), request)
            return
        uai = (request.first("ENTStructureUAI") or request.first("ENTEtablissementUAI")).upper()
        link = fed.get(jointure)
        establishment = link.establishment if link else existing.get(uai)
        if request.op == "modify" and establishment is None:
            plan.error(_("Modification d'un identifiant inconnu « %(id)s ».") % {"id": jointure}, request)
            return
        if uai and not UAI.match(uai):
            plan.error(_("UAI invalide « %(uai)s » : sept chiffres et une lettre.") % {"uai": uai}, request)
            return
        values: dict[str, Any] = {}
        if "ENTStructureNomCourant" in request.attrs or request.op == "add":
            values["name"] = (request.first("ENTStructureNomCourant") or uai)[:160]
        if "ENTStructureTypeStruct" in request.attrs or request.op == "add":
            kind = mapping.STRUCTURE_KINDS.get(" ".join(request.first("ENTStructureTypeStruct").upper().split()))
            if kind is None:
                message = _("Type d'établissement inconnu « %(kind)s ».") % {
                    "kind": request.first("ENTStructureTypeStruct")
                }
                if establishment is None:
                    plan.error(message, request)
                    return
                plan.warn(message, request)
            else:
                values["kind"] = kind
        if "ENTEtablissementMinistereTutelle" in request.attrs or request.op == "add":
            values["ministry"] = mapping.ministry(request.first("ENTEtablissementMinistereTutelle"))
        if "l" in request.attrs:
            values["city"] = request.first("l")[:120]
        if establishment is None:
            if academy is None:
                academy = self._academy = Academy(code=code, name=_("Académie %(code)s") % {"code": code})
                plan.creates[Academy].append(academy)
            establishment = Establishment(academy=academy, uai=uai, **values)
            plan.new_establishments.append(establishment)
            plan.note("establishments", "created", f"{uai} {values.get('name', '')}")
        else:
            if uai and uai != establishment.uai:
                values["uai"] = uai
            plan.change("establishments", establishment, values, f"{establishment.uai} {establishment.name}")
        if link is None:
            plan.creates[FedEstablishment].append(
                FedEstablishment(establishment=establishment, academy_code=code, jointure=jointure)
            )
        self.by_jointure[jointure] = establishment

    def _units(self) -> None:
        ids = [e.pk for e in self.by_jointure.values() if e.pk]
        label, start, end = school_year_bounds(self.plan.today)
        # The year a set feeds: the latest one not over yet, the next one once the region has opened it.
        for year in SchoolYear.objects.filter(establishment_id__in=ids, end_date__gte=self.plan.today).order_by(
            "start_date"
        ):
            self.years[self.uai_of[year.establishment_id]] = year
        for school_class in SchoolClass.objects.filter(establishment_id__in=ids, school_year__in=self.years.values()):
            self.classes[(self.uai_of[school_class.establishment_id], school_class.name)] = school_class
        groups = Group.objects.filter(establishment_id__in=ids, school_year__in=self.years.values())
        if self.plan.feed != AAF:  # an export names each group's classes
            groups = groups.prefetch_related("classes")
        for group in groups:
            self.groups[(self.uai_of[group.establishment_id], group.name)] = group
        for subject in Subject.objects.filter(establishment_id__in=ids):
            self.subjects[(self.uai_of[subject.establishment_id], subject.code)] = subject
        self._year_span = (label, start, end)

    def establishment(self, jointure: str, request: parser.Request) -> Establishment | None:
        found = self.by_jointure.get(jointure)
        if found is None:
            self.plan.error(_("Établissement inconnu « %(id)s ».") % {"id": jointure}, request)
        return found

    def year(self, establishment: Establishment) -> SchoolYear:
        year = self.years.get(establishment.uai)
        if year is None:
            label, start, end = self._year_span
            year = self.years[establishment.uai] = SchoolYear(
                establishment=establishment, label=label, start_date=start, end_date=end
            )
            self.plan.creates[SchoolYear].append(year)
        return year

    def school_class(self, establishment: Establishment, name: str) -> SchoolClass:
        found = self.classes.get((establishment.uai, name))
        if found is not None and found.pk and ("classes", (establishment.uai, name)) not in self.seen:
            self.seen.add(("classes", (establishment.uai, name)))
            self.plan.note("classes", "unchanged", str(found))
        if found is None:
            found = self.classes[(establishment.uai, name)] = SchoolClass(
                establishment=establishment, school_year=self.year(establishment), name=name[:40], level=_level(name)
            )
            self.plan.create("classes", found, f"{establishment.uai} {name}")
        return found

    def group(self, establishment: Establishment, name: str) -> Group:
        found = self.groups.get((establishment.uai, name))
        if found is not None and found.pk and ("groups", (establishment.uai, name)) not in self.seen:
            self.seen.add(("groups", (establishment.uai, name)))
            self.plan.note("groups", "unchanged", str(found))
        if found is None:
            found = self.groups[(establishment.uai, name)] = Group(
                establishment=establishment, school_year=self.year(establishment), name=name[:80]
            )
            self.plan.create("groups", found, f"{establishment.uai} {name}")
        return found

    def subject(self, establishment: Establishment, code: str, label: str) -> Subject:
        found = self.subjects.get((establishment.uai, code))
        if found is not None and found.pk and ("subjects", (establishment.uai, code)) not in self.seen:
            self.seen.add(("subjects", (establishment.uai, code)))
            self.plan.note("subjects", "unchanged", str(found))
        if found is None:
            found = self.subjects[(establishment.uai, code)] = Subject(
                establishment=establishment, code=code[:16], name=(mapping.job_title(label) if label else code)[:80]
            )
            self.plan.create("subjects", found, f"{establishment.uai} {code}")
        return found


def _level(name: str) -> str:
    """« 5e A » -> « 5e », « 2NDE3 » -> « 2NDE »: the class's level as its name starts."""
    match = re.match(r"^\s*([0-9]+\s*[A-Za-zèé]*)", name)
    return match.group(1).strip() if match else ""


def _latin(name: str) -> str:
    """The ligatures no decomposition turns into letters: « Cœurdevey » -> « Coeurdevey »."""
    return name.replace("œ", "oe").replace("Œ", "Oe").replace("æ", "ae").replace("Æ", "Ae")


def name_new_people(plan: Plan, new: list[Person]) -> None:
    """Logins ``prenom.nom`` for new people, numbered after any taken (one query)."""
    bases = {
        p.jointure: login_for(_latin(p.request.first("givenName")), _latin(p.request.first("sn"))) or "compte"
        for p in new
    }
    candidates = {f"{b}{n or ''}" for b in bases.values() for n in range(0, 10)}
    taken = set(User.objects.filter(username__in=candidates).values_list("username", flat=True))
    for person in new:
        base = bases[person.jointure][:140]
        for n in range(0, 10):
            username = f"{base}{n or ''}"
            if username not in taken:
                break
        else:
            username = f"{base}.{person.jointure}"[:150]
        taken.add(username)
        person.user.username = username


def teaching(people: _People, person: Person) -> None:
    """A teacher's services (class or group, and subject) and the classes they head."""
    plan, places, request = people.plan, people.places, person.request
    pid = person.user.pk
    label = people._label(person)
    for part, attr, kind in (
        ("teaching_classes", "ENTAuxEnsClassesMatieres", "class"),
        ("teaching_groups", "ENTAuxEnsGroupesMatieres", "group"),
    ):
        if part not in person.parts:
            continue
        wanted: dict[tuple, tuple] = {}
        if request.op != "delete":
            for value in request.values(attr):
                where, name, code, subject_label = parser.split(value, 4)[:4]
                establishment = places.establishment(where, request)
                if establishment is None or not code.strip():
                    if establishment is not None:
                        plan.warn(_("Service sans matière pour « %(name)s » : ignoré.") % {"name": name}, request)
                    continue
                unit = (places.school_class if kind == "class" else places.group)(establishment, name.strip())
                subject = places.subject(establishment, code.strip(), subject_label.strip())
                wanted[(establishment.uai, kind, unit.name, subject.code)] = (establishment, unit, subject)
        rows = {}
        for (teacher_id, _s, class_id, group_id), row in people.mine(people.assignments, pid):
            if teacher_id == pid and (class_id if kind == "class" else group_id):
                unit_name = row.school_class.name if kind == "class" else row.group.name
                rows[(places.uai_of.get(row.establishment_id, ""), kind, unit_name, row.subject.code)] = row
        for item_key, (establishment, unit, subject) in wanted.items():
            row = rows.get(item_key)
            what = f"{label} — {subject.code} — {unit.name}"
            if row is None:
                fields = {"school_class": unit} if kind == "class" else {"group": unit}
                plan.create(
                    "teaching",
                    TeachingAssignment(
                        teacher=person.user,
                        establishment=establishment,
                        subject=subject,
                        start_date=max(plan.today, unit.school_year.start_date),
                        fed_by=plan.feed,
                        **fields,
                    ),
                    what,
                )
            elif row.fed_by == plan.feed and row.end_date is not None and row.end_date < plan.today:
                plan.change("teaching", row, {"end_date": None}, what)
            else:
                plan.note("teaching", "unchanged", what)
        for item_key, row in rows.items():
            if (
                item_key not in wanted
                and row.fed_by == plan.feed
                and people._owned(item_key[0])
                and _current(row, plan.today)
            ):
                plan.end("teaching", row, f"{label} — {item_key[3]} — {item_key[2]}")
    if "heads" in person.parts:
        heads: dict[int, SchoolClass] = {}  # by identity: new classes have no primary key yet
        if request.op != "delete":
            for value in request.values("ENTAuxEnsClassesPrincipal"):
                where, name = parser.split(value, 2)[:2]
                establishment = places.establishment(where, request)
                if establishment is not None:
                    found = places.school_class(establishment, name.strip())
                    heads[id(found)] = found
        for school_class in heads.values():
            plan.change("classes", school_class, {"head_teacher": person.user}, f"{school_class.name} : {label}")
        for school_class in people.headed.get(pid, set()) if pid else set():
            if id(school_class) not in heads and people._owned(places.uai_of.get(school_class.establishment_id, "")):
                plan.change("classes", school_class, {"head_teacher": None}, f"{school_class.name} : {label}")


def guardian_memberships(people: _People) -> None:
    """A guardian holds a membership where a child they are legally responsible for is a student."""
    plan, places = people.plan, people.places
    links: dict[int | str, dict[int | str, bool]] = defaultdict(dict)  # guardian -> student -> legal
    users: dict[int | str, User] = {}
    students_in_set = set()
    for person in people.persons.values():
        if person.guardians is not None:
            student = _ref(person.user)
            students_in_set.add(student)
            for user, legal in person.guardians.values():
                links[_ref(user)][student] = legal
                users[_ref(user)] = user
    guardian_ids = {g for g in links if isinstance(g, int)}
    guardian_ids |= {p.user.pk for p in people.persons.values() if p.request.category == "PersRelEleve" and p.user.pk}
    owned_ids = [e.pk for e in places.by_jointure.values() if e.pk and e.uai in places.owned]
    fed_guardians = Membership.objects.filter(role=Role.GUARDIAN, fed_by=plan.feed, establishment_id__in=owned_ids)
    guardian_ids |= set(fed_guardians.values_list("person_id", flat=True))
    for row in _guardianships_of(guardian_ids):
        if row.student_id not in students_in_set:
            links[row.guardian_id][row.student_id] = row.legal_responsibility
            users.setdefault(row.guardian_id, row.guardian)
    # Where each child is a student after the import.
    student_uais: dict[int | str, set[str]] = defaultdict(set)
    for person in people.persons.values():
        if person.request.category == "Eleve":
            if person.roles is not None:
                student_uais[_ref(person.user)] = {u for u, _r in person.roles}
            else:
                student_uais[_ref(person.user)] = {
                    u
                    for (p, u, r), m in people.mine(people.memberships, person.user.pk)
                    if p == person.user.pk and r == Role.STUDENT and _current(m, plan.today)
                }
    others = {s for children in links.values() for s in children if isinstance(s, int) and s not in student_uais}
    for membership in Membership.objects.filter(
        person_id__in=others, role=Role.STUDENT, establishment_id__in=list(places.uai_of)
    ):
        if _current(membership, plan.today):
            uai = places.uai_of[membership.establishment_id]
            missing = not plan.aaf.delta and uai in places.owned
            if not missing or membership.fed_by != plan.feed:
                student_uais[membership.person_id].add(uai)
    rows = {}
    for m in Membership.objects.filter(person_id__in=guardian_ids, role=Role.GUARDIAN):
        rows[(m.person_id, places.uai_of.get(m.establishment_id, ""))] = m
    by_guardian: dict[int | str, list[tuple[tuple[int, str], Membership]]] = defaultdict(list)
    for row_key, row in rows.items():
        by_guardian[row_key[0]].append((row_key, row))
    for guardian, children in links.items():
        user = users[guardian]
        wanted = {uai for student, legal in children.items() if legal for uai in student_uais.get(student, ())}
        name = f"{user.first_name} {user.last_name}" if user else str(guardian)
        for uai in wanted:
            row = rows.get((guardian, uai)) if isinstance(guardian, int) else None
            what = f"{name} — {Role.GUARDIAN.label} — {uai}"
            if row is None:
                plan.create(
                    "memberships",
                    Membership(
                        person=user,
                        establishment=places.by_uai[uai],
                        role=Role.GUARDIAN,
                        start_date=plan.today,
                        fed_by=plan.feed,
                    ),
                    what,
                )
            elif row.fed_by == plan.feed and not _current(row, plan.today):
                plan.change("memberships", row, {"end_date": None}, what)
            else:
                plan.note("memberships", "unchanged", what)
        for (_g, uai), row in by_guardian.get(guardian, ()):
            if uai not in wanted and row.fed_by == plan.feed and uai in places.owned and _current(row, plan.today):
                plan.end("memberships", row, f"{name} — {Role.GUARDIAN.label} — {uai}")
    for (g, uai), row in rows.items():  # guardians left with no child at all
        if g not in links and row.fed_by == plan.feed and uai in places.owned and _current(row, plan.today):
            plan.end("memberships", row, f"{g} — {Role.GUARDIAN.label} — {uai}")


def _guardianships_of(guardian_ids: set) -> Any:
    from cartable.directory.models import Guardianship

    return Guardianship.objects.filter(guardian_id__in=guardian_ids).select_related("guardian")


def _ref(user: User) -> int | str:
    return user.pk if user.pk else f"new:{id(user)}"


def end_missing(people: _People) -> None:
    """A complete set is the whole truth for its establishments: what AAF fed there for people it no
    longer lists ends (students, staff; guardians follow their children, above)."""
    plan, places = people.plan, people.places
    owned_ids = [e.pk for e in places.by_jointure.values() if e.pk and e.uai in places.owned]
    listed = set(people.ids)
    for model, person_field, kind in (
        (Membership, "person_id", "memberships"),
        (Enrolment, "student_id", "enrolments"),
        (GroupMembership, "student_id", "group_memberships"),
        (TeachingAssignment, "teacher_id", "teaching"),
    ):
        rows = model.objects.filter(establishment_id__in=owned_ids, fed_by=plan.feed).exclude(
            **{f"{person_field}__in": listed}
        )
        if model is Membership:
            rows = rows.exclude(role=Role.GUARDIAN)
        for row in rows:
            if _current(row, plan.today):
                plan.end(kind, row, f"#{getattr(row, person_field)} — {places.uai_of.get(row.establishment_id, '')}")


def _current(row: Any, today: dt.date) -> bool:
    return row.end_date is None or row.end_date >= today
