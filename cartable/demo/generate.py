"""Generating people for a region: fill establishments with classes, teachers, students and families.

The demo region and ``cartable seed`` share this generator. It draws every name from a seeded
``random.Random`` and collects the rows in memory, then writes each table with one bulk insert
(``save``), so that thousands of people take seconds. All accounts share one password hash.

Writes: bulk inserts, bypassing the directory's actions on purpose: they save and audit one membership
or guardianship at a time (as the admin does), while a region is thousands of rows written at once; the
load is audited as one event (``directory.load_demo_region``, or the seed's report).
"""

from __future__ import annotations

import datetime as dt
import random
from collections.abc import Sequence
from dataclasses import dataclass, field

from django.contrib.auth.hashers import make_password
from django.db import models
from django.utils import timezone

from cartable.demo.personas import EstablishmentKit, hashed
from cartable.directory.models import (
    Enrolment,
    ExternalIdentifier,
    Group,
    GroupMembership,
    Guardianship,
    Membership,
    Role,
    SchoolClass,
    Subject,
    TeachingAssignment,
    User,
)
from cartable.directory.names import BOYS, GIRLS, LAST_NAMES, MEN, WOMEN, login_for

StaffSpec = tuple[str, str, str, str, str]  # first name, last name, title, role, job title


@dataclass(frozen=True)
class Plan:
    """What to put in an establishment: its classes, subjects, teachers' loads, groups and staff."""

    levels: dict[str, list[str]]  # level -> its classes, in order
    birth_year_offset: dict[str, int]  # level -> age of its students at the start of the school year
    extra_subjects: list[tuple[str, str]]  # (code, name) beyond personas.SUBJECTS
    classes_per_teacher: dict[str, int]  # subject taught to whole classes -> classes one teacher takes
    not_taught: dict[str, set[str]] = field(default_factory=dict)  # level -> subjects it does not have
    languages: list[tuple[str, str]] = field(default_factory=list)  # two second languages, taught to groups
    language_levels: list[str] = field(default_factory=list)
    staff: list[StaffSpec] = field(default_factory=list)
    sizes: dict[str, int] = field(default_factory=dict)  # class -> students (default: 24 to 27)
    persona_assignments: list[tuple[str, str, str]] = field(default_factory=list)  # (login, subject, class)


SUBJECT_WORDS = {
    "FRA": "français",
    "LAT": "latin",
    "MATH": "mathématiques",
    "HG": "histoire-géographie",
    "ANG": "anglais",
    "SVT": "SVT",
    "PC": "physique-chimie",
    "EPS": "EPS",
    "TECH": "technologie",
    "AP": "arts plastiques",
    "EMUS": "éducation musicale",
    "ALL": "allemand",
    "ESP": "espagnol",
    "ESC": "éducation socioculturelle",
    "BIOECO": "biologie-écologie",
    "AGRO": "agronomie",
    "SESG": "SESG",
    "SES": "sciences économiques et sociales",
    "PHILO": "philosophie",
}


@dataclass
class _Family:
    name: str
    guardians: Sequence[tuple[User, str]]  # (guardian, relationship)
    children: list[tuple[User, SchoolClass]] = field(default_factory=list)


class RegionBuilder:
    """Collects generated rows in memory; ``save()`` writes each table with one bulk insert.

    ``password`` is the one password of every activated account (None: nobody can sign in with a
    password). ``people`` are the named persons that ``Plan.persona_assignments`` refer to.
    """

    RECENT_FAMILIES = 300  # siblings are drawn from the latest families only, to stay fast at scale

    def __init__(
        self,
        *,
        rng: random.Random,
        year_start: dt.date,
        password: str | None,
        people: dict[str, User] | None = None,
    ) -> None:
        self.rng = rng
        self.people = people or {}
        self.year_start = year_start
        self.activated_at = timezone.make_aware(dt.datetime.combine(year_start, dt.time(8)))
        self.taken = set(User.objects.values_list("username", flat=True))
        self.next_suffix: dict[str, int] = {}
        self.inactive_password = make_password(None)
        self.active_password = hashed(password) if password else self.inactive_password
        self.families: list[_Family] = []
        self.reset()

    def reset(self) -> None:
        """Forget the rows written by ``save()``; names taken and recent families are kept."""
        self.families = self.families[-self.RECENT_FAMILIES :]
        self.users: list[User] = []
        self.memberships: list[Membership] = []
        self.enrolments: list[Enrolment] = []
        self.group_members: list[GroupMembership] = []
        self.assignments: list[TeachingAssignment] = []
        self.guardianships: list[Guardianship] = []
        self.external_ids: list[ExternalIdentifier] = []
        self.guardians_in: set[tuple[int, int]] = set()  # (id() of the guardian, establishment id)
        self.headed: list[SchoolClass] = []

    # --- people -----------------------------------------------------------------------------------
    def new_user(
        self,
        first: str,
        last: str,
        *,
        title: str = "",
        birth: dt.date | None = None,
        activated: bool = True,
        email: bool = True,
    ) -> User:
        base = login_for(first, last)
        username, n = base, self.next_suffix.get(base, 2)
        while username in self.taken:
            username, n = f"{base}{n}", n + 1
        self.next_suffix[base] = n
        self.taken.add(username)
        user = User(
            username=username,
            first_name=first,
            last_name=last,
            title=title,
            email=f"{username}@example.org" if email else "",
            birth_date=birth,
            activated_at=self.activated_at if activated else None,
            password=self.active_password if activated else self.inactive_password,
            date_joined=self.activated_at,
        )
        self.users.append(user)
        return user

    def join(self, user: User, kit: EstablishmentKit, role: str, job_title: str = "") -> None:
        self.memberships.append(
            Membership(
                person=user,
                establishment=kit.establishment,
                role=role,
                job_title=job_title,
                start_date=self.year_start,
            )
        )

    def assign(self, kit: EstablishmentKit, teacher: User, code: str, *, school_class=None, group=None) -> None:
        self.assignments.append(
            TeachingAssignment(
                establishment=kit.establishment,
                teacher=teacher,
                subject=kit.subjects[code],
                school_class=school_class,
                group=group,
                start_date=self.year_start,
            )
        )

    def new_teacher(self, kit: EstablishmentKit, code: str) -> User:
        woman = self.rng.random() < 0.6
        first = self.rng.choice(WOMEN if woman else MEN)
        teacher = self.new_user(first, self.rng.choice(LAST_NAMES), title=User.Title.MME if woman else User.Title.M)
        word = SUBJECT_WORDS[code]
        of = f"d'{word}" if word[0].lower() in "aeiouyhéè" else f"de {word}"
        self.join(teacher, kit, Role.TEACHER, f"{'Professeure' if woman else 'Professeur'} {of}")
        return teacher

    def new_adult(self, first_names: list[str], last: str, title: str) -> User:
        return self.new_user(self.rng.choice(first_names), last, title=title, activated=self.rng.random() < 0.7)

    # --- one establishment ------------------------------------------------------------------------
    def fill(self, kit: EstablishmentKit, plan: Plan) -> None:
        """Add the plan's subjects and classes to the establishment (now), and its people (in memory)."""
        self.add_subjects(kit, plan)
        classes = self.add_classes(kit, plan)
        for first, last, title, role, job_title in plan.staff:
            self.join(self.new_user(first, last, title=title), kit, role, job_title)
        teachers = self.add_teachers(kit, plan, classes)
        students = self.add_students(kit, plan, classes)
        self.add_groups(kit, plan, classes, students)
        self.choose_head_teachers(classes, teachers)

    def add_subjects(self, kit: EstablishmentKit, plan: Plan) -> None:
        new = [
            Subject(establishment=kit.establishment, code=code, name=name)
            for code, name in plan.extra_subjects
            if code not in kit.subjects
        ]
        for subject in Subject.objects.bulk_create(new):
            kit.subjects[subject.code] = subject

    def add_classes(self, kit: EstablishmentKit, plan: Plan) -> dict[str, list[SchoolClass]]:
        new = [
            SchoolClass(establishment=kit.establishment, school_year=kit.year, name=name, level=level)
            for level, names in plan.levels.items()
            for name in names
            if name not in kit.classes
        ]
        for school_class in SchoolClass.objects.bulk_create(new):
            kit.classes[school_class.name] = school_class
        return {level: [kit.classes[name] for name in names] for level, names in plan.levels.items()}

    def add_teachers(
        self, kit: EstablishmentKit, plan: Plan, classes: dict[str, list[SchoolClass]]
    ) -> dict[int, list[User]]:
        """A teacher for every subject of every class; returns class id -> its demo teachers."""
        covered = set(
            TeachingAssignment.objects.filter(establishment=kit.establishment, school_class__isnull=False).values_list(
                "subject__code", "school_class_id"
            )
        )
        for username, code, class_name in plan.persona_assignments:
            self.assign(kit, self.people[username], code, school_class=kit.classes[class_name])
            covered.add((code, kit.classes[class_name].pk))
        by_class: dict[int, list[User]] = {}
        for code, per_teacher in plan.classes_per_teacher.items():
            teacher, load = None, per_teacher
            for level, level_classes in classes.items():
                if code in plan.not_taught.get(level, ()):
                    continue
                for school_class in level_classes:
                    if (code, school_class.pk) in covered:
                        continue
                    if load >= per_teacher:
                        teacher, load = self.new_teacher(kit, code), 0
                    assert teacher is not None  # load starts at per_teacher: the first class draws one
                    self.assign(kit, teacher, code, school_class=school_class)
                    by_class.setdefault(school_class.pk, []).append(teacher)
                    load += 1
        return by_class

    def add_students(
        self, kit: EstablishmentKit, plan: Plan, classes: dict[str, list[SchoolClass]]
    ) -> dict[str, list[User]]:
        """Fill each class to its size; returns level -> its students (those already enrolled included)."""
        enrolled: dict[int, list[User]] = {}
        for enrolment in Enrolment.objects.filter(establishment=kit.establishment).select_related("student"):
            enrolled.setdefault(enrolment.school_class_id, []).append(enrolment.student)
        by_level: dict[str, list[User]] = {}
        for level, level_classes in classes.items():
            birth_year = self.year_start.year - plan.birth_year_offset[level]
            for school_class in level_classes:
                present = enrolled.get(school_class.pk, [])
                by_level.setdefault(level, []).extend(present)
                name = school_class.name
                size = plan.sizes[name] if name in plan.sizes else self.rng.randint(24, 27)
                for _n in range(size - len(present)):
                    by_level[level].append(self.add_student(kit, school_class, birth_year))
        return by_level

    def add_student(self, kit: EstablishmentKit, school_class: SchoolClass, birth_year: int) -> User:
        family = self.family_for(school_class)
        names = GIRLS if self.rng.random() < 0.5 else BOYS
        first = self.rng.choice(names)
        while any(child.first_name == first for child, _c in family.children):
            first = self.rng.choice(names)
        birth = dt.date(birth_year, 1, 1) + dt.timedelta(days=self.rng.randrange(365))
        student = self.new_user(first, family.name, birth=birth, activated=self.rng.random() < 0.85, email=False)
        self.join(student, kit, Role.STUDENT)
        self.enrolments.append(
            Enrolment(
                establishment=kit.establishment,
                student=student,
                school_class=school_class,
                start_date=self.year_start,
            )
        )
        for guardian, relationship in family.guardians:
            self.guardianships.append(Guardianship(guardian=guardian, student=student, relationship=relationship))
            if (id(guardian), kit.establishment.pk) not in self.guardians_in:
                self.guardians_in.add((id(guardian), kit.establishment.pk))
                self.join(guardian, kit, Role.GUARDIAN)
        family.children.append((student, school_class))
        return student

    def family_for(self, school_class: SchoolClass) -> _Family:
        """Mostly a new family; about one student in nine is the younger sibling of another."""
        if self.rng.random() < 0.11:
            recent = self.families[-self.RECENT_FAMILIES :]
            only_children = [f for f in recent if len(f.children) == 1 and f.children[0][1] is not school_class]
            if only_children:
                return self.rng.choice(only_children)
        rng = self.rng
        name = rng.choice(LAST_NAMES)
        roll = rng.random()
        if roll < 0.72:  # two parents; the mother sometimes kept her own name
            mother = self.new_adult(WOMEN, name if rng.random() < 0.7 else rng.choice(LAST_NAMES), User.Title.MME)
            father = self.new_adult(MEN, name, User.Title.M)
            guardians = [(mother, Guardianship.Relationship.MOTHER), (father, Guardianship.Relationship.FATHER)]
        elif roll < 0.92:
            mother = self.new_adult(WOMEN, name if rng.random() < 0.85 else rng.choice(LAST_NAMES), User.Title.MME)
            guardians = [(mother, Guardianship.Relationship.MOTHER)]
        elif roll < 0.98:
            guardians = [(self.new_adult(MEN, name, User.Title.M), Guardianship.Relationship.FATHER)]
        else:
            tutor = self.new_adult(WOMEN, rng.choice(LAST_NAMES), User.Title.MME)
            guardians = [(tutor, Guardianship.Relationship.TUTOR)]
        family = _Family(name, guardians)
        self.families.append(family)
        return family

    def add_groups(
        self, kit: EstablishmentKit, plan: Plan, classes: dict[str, list[SchoolClass]], students: dict[str, list[User]]
    ) -> None:
        """Second languages per level, and a few more students in the persona school's Latin group."""
        through = Group.classes.through
        links = []
        for group in Group.objects.filter(establishment=kit.establishment).prefetch_related("classes"):
            level = next((sc.level for sc in group.classes.all()), None)
            if level not in classes:
                continue
            links += [
                through(group_id=group.pk, schoolclass_id=sc.pk)
                for sc in classes[level]
                if sc not in group.classes.all()
            ]
            pool = [s for s in students[level] if s.pk is None]
            for student in self.rng.sample(pool, min(7, len(pool))):
                self.add_to_group(kit, student, group)
        by_language: dict[str, dict[str, Group]] = {}
        for code, language in plan.languages:
            teacher = self.new_teacher(kit, code)
            groups = Group.objects.bulk_create(
                [
                    Group(establishment=kit.establishment, school_year=kit.year, name=f"{language} {level}")
                    for level in plan.language_levels
                ]
            )
            by_language[code] = dict(zip(plan.language_levels, groups, strict=True))
            for level, group in by_language[code].items():
                links += [through(group_id=group.pk, schoolclass_id=sc.pk) for sc in classes[level]]
                self.assign(kit, teacher, code, group=group)
        through.objects.bulk_create(links)
        rare, common = (code for code, _language in plan.languages)
        for level in plan.language_levels:
            for student in students[level]:
                code = rare if self.rng.random() < 0.3 else common
                self.add_to_group(kit, student, by_language[code][level])

    def add_to_group(self, kit: EstablishmentKit, student: User, group: Group) -> None:
        self.group_members.append(
            GroupMembership(establishment=kit.establishment, student=student, group=group, start_date=self.year_start)
        )

    def choose_head_teachers(self, classes: dict[str, list[SchoolClass]], teachers: dict[int, list[User]]) -> None:
        """Each class without a head teacher gets one of its own teachers, if possible one heading no other."""
        heads = {id(sc.head_teacher) for level in classes.values() for sc in level if sc.head_teacher_id}
        for school_class in (sc for level in classes.values() for sc in level):
            if school_class.head_teacher_id is not None:
                continue
            own = teachers.get(school_class.pk, [])
            teacher = next((t for t in own if id(t) not in heads), own[0] if own else None)
            if teacher is None:
                continue
            heads.add(id(teacher))
            school_class.head_teacher = teacher
            self.headed.append(school_class)

    # --- writing ----------------------------------------------------------------------------------
    def add_external_ids(self, count: int) -> None:
        """AAF jointure identifiers for a few people, as provisioning from the academic directory gives."""
        sample = self.rng.sample(self.users, count)
        values = self.rng.sample(range(1_000_000, 9_999_999), len(sample))
        self.external_ids = [
            ExternalIdentifier(person=user, source=ExternalIdentifier.Source.AAF, value=f"AAF{value}")
            for user, value in zip(sample, values, strict=True)
        ]

    def save(self) -> None:
        """Write the collected people and relations, one bulk insert per table, then start afresh."""
        User.objects.bulk_create(self.users, batch_size=500)
        tables: list[tuple[type[models.Model], Sequence[models.Model]]] = [
            (Membership, self.memberships),
            (Enrolment, self.enrolments),
            (GroupMembership, self.group_members),
            (TeachingAssignment, self.assignments),
            (Guardianship, self.guardianships),
            (ExternalIdentifier, self.external_ids),
        ]
        for model, rows in tables:
            model._default_manager.bulk_create(rows, batch_size=500)
        SchoolClass.objects.bulk_update(self.headed, ["head_teacher"])
        self.reset()

    def rows(self) -> dict[str, int]:
        """How many rows of each table ``save()`` is about to write."""
        counts = {
            "users": len(self.users),
            "memberships": len(self.memberships),
            "enrolments": len(self.enrolments),
            "group_memberships": len(self.group_members),
            "assignments": len(self.assignments),
            "guardianships": len(self.guardianships),
            "external_ids": len(self.external_ids),
        }
        return {table: n for table, n in counts.items() if n}
