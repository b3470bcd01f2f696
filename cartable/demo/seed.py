"""Synthetic regions for load tests and benchmarks: ``seed_region`` bulk-inserts whole establishments.

Each establishment (collège, lycée général et technologique, now and then a lycée agricole) gets a
valid and unused UAI, a unique name, its school year and periods, subjects, classes of about 28
students, teachers for every subject of every class, a head teacher per class, staff, second-language
groups, and one or two guardians per student. It adds to whatever the database holds, one transaction
per establishment. Accounts get an unusable password unless ``password`` is given.
"""

from __future__ import annotations

import dataclasses
import random
import string
import time
from collections import Counter
from collections.abc import Callable
from dataclasses import dataclass

from django.db import transaction

from cartable.core import audit
from cartable.demo.generate import Plan, RegionBuilder, StaffSpec
from cartable.demo.personas import (
    COLLEGE_UAI,
    LYCEE_UAI,
    OTHER_UAI,
    EstablishmentKit,
    make_establishment,
    school_year_bounds,
)
from cartable.demo.region import COLLEGE, LYCEE
from cartable.directory.models import Academy, Establishment, Role, User
from cartable.directory.names import ACADEMIES, CITIES, EPONYMS, LAST_NAMES, MEN, WOMEN, uai_key

CLASS_SIZE = 28

LYCEE_GT = Plan(
    levels={"2nde": [], "1re": [], "Terminale": []},
    birth_year_offset={"2nde": 15, "1re": 16, "Terminale": 17},
    extra_subjects=[("SES", "Sciences économiques et sociales"), ("PHILO", "Philosophie"), ("ALL", "Allemand"),
                    ("ESP", "Espagnol")],
    classes_per_teacher={
        "FRA": 4, "MATH": 4, "HG": 5, "ANG": 5, "SVT": 6, "PC": 5, "EPS": 5, "SES": 6, "PHILO": 5,
    },
    not_taught={"2nde": {"PHILO"}, "Terminale": {"FRA"}},
    languages=[("ALL", "Allemand"), ("ESP", "Espagnol")],
    language_levels=["2nde", "1re", "Terminale"],
)  # fmt: skip


@dataclass(frozen=True)
class Kind:
    plan: Plan
    kind: str
    ministry: str
    prefix: str
    class_suffixes: str  # letters (6e A, 6e B...) or digits (2nde 1, 2nde 2...)
    direction: tuple[str, str]  # job title of the head of establishment (man, woman)


COLLEGE_KIND = Kind(
    COLLEGE,
    Establishment.Kind.COLLEGE,
    Establishment.Ministry.EDUCATION,
    "Collège",
    string.ascii_uppercase,
    ("Principal", "Principale"),
)
LYCEE_GT_KIND = Kind(
    LYCEE_GT,
    Establishment.Kind.LYCEE_GT,
    Establishment.Ministry.EDUCATION,
    "Lycée",
    string.digits[1:],
    ("Proviseur", "Proviseure"),
)
LYCEE_AGRI_KIND = Kind(
    LYCEE,
    Establishment.Kind.LYCEE_AGRI,
    Establishment.Ministry.AGRICULTURE,
    "Lycée agricole",
    string.digits[1:],
    ("Directeur", "Directrice"),
)


@dataclass
class SeedReport:
    rows: dict[str, int]
    seconds: float
    establishments: list[Establishment]

    @property
    def total(self) -> int:
        return sum(self.rows.values())


def kind_for(index: int) -> Kind:
    """Two collèges for one lycée, as in a French region; every tenth establishment is agricultural."""
    if index % 10 == 9:
        return LYCEE_AGRI_KIND
    return LYCEE_GT_KIND if index % 3 == 2 else COLLEGE_KIND


def plan_for(kind: Kind, students: int, staff: list[StaffSpec]) -> Plan:
    """The kind's plan with ``students`` spread over its levels in classes of about 28."""
    levels, sizes = {}, {}
    level_names = list(kind.plan.levels)
    for position, level in enumerate(level_names):
        in_level = students // len(level_names) + (1 if position < students % len(level_names) else 0)
        count = max(1, round(in_level / CLASS_SIZE))
        names = [f"{level} {kind.class_suffixes[i % len(kind.class_suffixes)]}" for i in range(count)]
        levels[level] = names
        for i, name in enumerate(names):
            sizes[name] = in_level // count + (1 if i < in_level % count else 0)
    return dataclasses.replace(kind.plan, levels=levels, sizes=sizes, staff=staff, persona_assignments=[])


def seed_region(
    *,
    establishments: int,
    students_per_establishment: int,
    seed: int = 0,
    password: str | None = None,
    progress: Callable[[int, int, int], None] | None = None,
) -> SeedReport:
    """Add ``establishments`` full establishments to the region; ``progress(done, total, rows)`` after each."""
    started = time.perf_counter()
    rng = random.Random(seed)
    _label, year_start, _end = school_year_bounds()
    seeder = _Seeder(rng)
    builder = RegionBuilder(rng=rng, year_start=year_start, password=password)
    rows: Counter[str] = Counter()
    created = []
    for index in range(establishments):
        with transaction.atomic():
            kind = kind_for(index)
            kit = seeder.new_establishment(kind)
            plan = plan_for(kind, students_per_establishment, seeder.staff(kind))
            builder.fill(kit, plan)
            rows.update(builder.rows())
            rows.update(
                establishments=1,
                school_years=1,
                periods=len(kit.periods),
                subjects=len(kit.subjects),
                classes=len(kit.classes),
                groups=len(plan.languages) * len(plan.language_levels),
            )
            builder.save()
        created.append(kit.establishment)
        if progress is not None:
            progress(index + 1, establishments, sum(rows.values()))
    report = SeedReport(rows=dict(rows), seconds=time.perf_counter() - started, establishments=created)
    audit.record(
        actor=None,
        verb="directory.seed_region",
        after={"seed": seed, "rows": report.rows, "uais": [e.uai for e in created]},
    )
    return report


class _Seeder:
    """Picks unused UAIs and names, and draws staff names, from one random generator."""

    def __init__(self, rng: random.Random) -> None:
        self.rng = rng
        self.academies = self._academies()
        self.uais = set(Establishment.objects.values_list("uai", flat=True)) | {COLLEGE_UAI, LYCEE_UAI, OTHER_UAI}
        self.names = set(Establishment.objects.values_list("name", flat=True))

    @staticmethod
    def _academies() -> list[tuple[Academy, list[str]]]:
        existing = {a.code: a for a in Academy.objects.filter(code__in=[code for code, _n, _d in ACADEMIES])}
        missing = [Academy(code=code, name=name) for code, name, _d in ACADEMIES if code not in existing]
        for academy in Academy.objects.bulk_create(missing):
            existing[academy.code] = academy
        return [(existing[code], departments) for code, _n, departments in ACADEMIES]

    def new_establishment(self, kind: Kind) -> EstablishmentKit:
        academy, departments = self.rng.choice(self.academies)
        department = self.rng.choice(departments)
        city = self.rng.choice(CITIES[department])
        while True:
            digits = f"{department}{self.rng.randrange(10_000):04d}"
            uai = digits + uai_key(digits)
            if uai not in self.uais:
                break
        self.uais.add(uai)
        name = f"{kind.prefix} {self.rng.choice(EPONYMS)}"
        if name in self.names:
            name = f"{name} ({city})"
        base, n = name, 2
        while name in self.names:
            name, n = f"{base} {n}", n + 1
        self.names.add(name)
        return make_establishment(academy, uai=uai, name=name, kind=kind.kind, ministry=kind.ministry, city=city)

    def staff(self, kind: Kind) -> list[StaffSpec]:
        """The head of establishment, a CPE, a secretary and an ENT administrator, with drawn names."""
        jobs = [
            (Role.DIRECTION, kind.direction),
            (Role.EDUCATION, ("Conseiller principal d'éducation", "Conseillère principale d'éducation")),
            (Role.ADMINISTRATIVE, ("Secrétaire", "Secrétaire")),
            (Role.ESTABLISHMENT_ADMIN, ("Administrateur ENT", "Administratrice ENT")),
        ]
        people: list[StaffSpec] = []
        for role, (man, woman) in jobs:
            female = self.rng.random() < 0.5
            first = self.rng.choice(WOMEN if female else MEN)
            title = User.Title.MME if female else User.Title.M
            people.append((first, self.rng.choice(LAST_NAMES), title, role, woman if female else man))
        return people
