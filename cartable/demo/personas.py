"""The persona school: the named people of the demo and of the tests, in a small region.

A collège (Louis Pasteur, Nancy) and a lycée agricole (Metz-Courcelles), plus another collège where
"charlie" teaches and must see nothing of the first two. Tests build it with :func:`build_personas`;
the demo region builds it and then fills the establishments with hundreds of students.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field

from django.contrib.auth.hashers import make_password
from django.utils import timezone

from cartable.directory import actions as directory_actions
from cartable.directory.models import (
    Academy,
    Enrolment,
    Establishment,
    Group,
    GroupMembership,
    Guardianship,
    Membership,
    Period,
    Role,
    SchoolClass,
    SchoolYear,
    Subject,
    TeachingAssignment,
    User,
)

COLLEGE_UAI = "0540042K"
LYCEE_UAI = "0570123F"
OTHER_UAI = "0880007A"


def school_year_bounds(today: dt.date | None = None) -> tuple[str, dt.date, dt.date]:
    """The school year containing ``today``: from 1 September to 4 July, the day classes end.

    The summer (5 July to 31 August) belongs to the year just ended, whose last day is then 31 August:
    until the new year starts on 1 September, families and staff still read the year's grades, report
    cards and log, as in an ENT before its summer switch-over."""
    today = today or timezone.localdate()
    start_year = today.year if today.month >= 9 else today.year - 1
    end = dt.date(start_year + 1, 7, 4)
    if today > end:
        end = dt.date(start_year + 1, 8, 31)
    return f"{start_year}-{start_year + 1}", dt.date(start_year, 9, 1), end


@dataclass
class EstablishmentKit:
    establishment: Establishment
    year: SchoolYear
    periods: list[Period]
    subjects: dict[str, Subject]
    classes: dict[str, SchoolClass] = field(default_factory=dict)


@dataclass
class Personas:
    academy: Academy
    college: EstablishmentKit
    lycee: EstablishmentKit
    other: EstablishmentKit
    people: dict[str, User]

    def __getitem__(self, username: str) -> User:
        return self.people[username]


SUBJECTS = [
    ("FRA", "Français"),
    ("MATH", "Mathématiques"),
    ("HG", "Histoire-géographie"),
    ("ANG", "Anglais"),
    ("SVT", "Sciences de la vie et de la Terre"),
    ("PC", "Physique-chimie"),
    ("EPS", "Éducation physique et sportive"),
]


def make_establishment(
    academy: Academy,
    *,
    uai: str,
    name: str,
    kind: str,
    ministry: str,
    city: str,
    trimesters: bool = True,
    history_weeks: int = 0,
) -> EstablishmentKit:
    """An establishment with its current school year and periods. ``history_weeks`` moves the year's start
    back when fewer weeks than that have passed since it (see :func:`build_personas`)."""
    establishment = directory_actions.open_establishment(
        actor=None,
        establishment=Establishment(academy=academy, uai=uai, name=name, kind=kind, ministry=ministry, city=city),
    )
    label, start, end = school_year_bounds()
    if history_weeks:
        today = timezone.localdate()
        start = min(start, today - dt.timedelta(days=today.weekday(), weeks=history_weeks))
    year = SchoolYear.objects.create(establishment=establishment, label=label, start_date=start, end_date=end)
    if trimesters:
        bounds = [
            (start, dt.date(start.year, 11, 30)),
            (dt.date(start.year, 12, 1), dt.date(end.year, 3, 15)),
            (dt.date(end.year, 3, 16), end),
        ]
        names = ["1er trimestre", "2e trimestre", "3e trimestre"]
    else:
        bounds = [(start, dt.date(end.year, 1, 31)), (dt.date(end.year, 2, 1), end)]
        names = ["1er semestre", "2nd semestre"]
    periods = Period.objects.bulk_create(
        [
            Period(establishment=establishment, school_year=year, name=n, position=i + 1, start_date=s, end_date=e)
            for i, (n, (s, e)) in enumerate(zip(names, bounds, strict=True))
        ]
    )
    subjects = {
        code: s
        for code, s in zip(
            [c for c, _ in SUBJECTS],
            Subject.objects.bulk_create([Subject(establishment=establishment, code=c, name=n) for c, n in SUBJECTS]),
            strict=True,
        )
    }
    return EstablishmentKit(establishment, year, list(periods), subjects)


def add_class(kit: EstablishmentKit, name: str, level: str, head_teacher: User | None = None) -> SchoolClass:
    school_class = SchoolClass.objects.create(
        establishment=kit.establishment, school_year=kit.year, name=name, level=level, head_teacher=head_teacher
    )
    kit.classes[name] = school_class
    return school_class


_PASSWORD_CACHE: dict[str, str] = {}


def hashed(password: str) -> str:
    """Hash once per process: the demo's shared password is hashed a single time."""
    if password not in _PASSWORD_CACHE:
        _PASSWORD_CACHE[password] = make_password(password)
    return _PASSWORD_CACHE[password]


def person(
    username: str,
    first: str,
    last: str,
    *,
    title: str = "",
    password: str | None = "demo",  # noqa: S107  (the demo password)
    birth: dt.date | None = None,
    **extra,
) -> User:
    user = User(
        username=username,
        first_name=first,
        last_name=last,
        title=title,
        email=f"{username}@example.org",
        birth_date=birth,
        activated_at=timezone.now() if password else None,
        **extra,
    )
    user.password = hashed(password) if password else make_password(None)
    user.save()
    return user


def member(user: User, kit: EstablishmentKit | None, role: str, job_title: str = "") -> Membership:
    start = kit.year.start_date if kit else dt.date(2020, 1, 1)
    return Membership.objects.create(
        person=user,
        establishment=kit.establishment if kit else None,
        role=role,
        job_title=job_title,
        start_date=start,
    )


def enrol(student: User, school_class: SchoolClass) -> Enrolment:
    return Enrolment.objects.create(
        establishment_id=school_class.establishment_id,
        student=student,
        school_class=school_class,
        start_date=school_class.school_year.start_date,
    )


def teach(teacher: User, kit: EstablishmentKit, subject: str, *, school_class=None, group=None):
    return TeachingAssignment.objects.create(
        establishment=kit.establishment,
        teacher=teacher,
        subject=kit.subjects[subject],
        school_class=school_class,
        group=group,
        start_date=kit.year.start_date,
    )


def build_personas(password: str = "demo", *, history_weeks: int = 0) -> Personas:  # noqa: S107  (the demo password)
    """Create the academy, the three establishments and every named persona.

    The tests ask for ``history_weeks``: their school year has then run for at least that many weeks
    whatever the day they run (on 1 September it began in the summer), so that last week's lessons, a
    month-old enrolment or a finished assignment exist on every date; the demo keeps the true year."""
    academy, _ = Academy.objects.get_or_create(code="NANCY-METZ", defaults={"name": "Académie de Nancy-Metz"})
    college = make_establishment(
        academy,
        uai=COLLEGE_UAI,
        name="Collège Louis Pasteur",
        kind=Establishment.Kind.COLLEGE,
        ministry=Establishment.Ministry.EDUCATION,
        city="Nancy",
        history_weeks=history_weeks,
    )
    lycee = make_establishment(
        academy,
        uai=LYCEE_UAI,
        name="Lycée agricole de Metz-Courcelles",
        kind=Establishment.Kind.LYCEE_AGRI,
        ministry=Establishment.Ministry.AGRICULTURE,
        city="Courcelles-Chaussy",
        history_weeks=history_weeks,
        trimesters=False,
    )
    other = make_establishment(
        academy,
        uai=OTHER_UAI,
        name="Collège Jules Ferry",
        kind=Establishment.Kind.COLLEGE,
        ministry=Establishment.Ministry.EDUCATION,
        city="Épinal",
        history_weeks=history_weeks,
    )

    p = {}

    def add(username, first, last, **kw):
        p[username] = person(username, first, last, password=password if kw.pop("active", True) else None, **kw)
        return p[username]

    # Staff of the collège
    add("paul.dupont", "Paul", "Dupont", title=User.Title.M)
    add("sophie.bernard", "Sophie", "Bernard", title=User.Title.MME)
    add("nadia.petit", "Nadia", "Petit", title=User.Title.MME)
    add("marc.leroy", "Marc", "Leroy", title=User.Title.M)
    add("julie.moreau", "Julie", "Moreau", title=User.Title.MME)
    add("admin.region", "Alice", "Régnier", title=User.Title.MME, is_superuser=True, is_staff=True)
    # Families
    add("claire.martin", "Claire", "Martin", title=User.Title.MME)
    add("lucas.martin", "Lucas", "Martin", birth=dt.date(2014, 3, 12))
    add("emma.martin", "Emma", "Martin", birth=dt.date(2010, 6, 2))
    add("lea.bernard", "Léa", "Bernard", birth=dt.date(2014, 9, 30))
    add("thomas.girard", "Thomas", "Girard", title=User.Title.M)  # another parent of the collège
    add("ines.girard", "Inès", "Girard", birth=dt.date(2013, 1, 21))
    # The other establishment: must see nothing of the collège and the lycée
    add("charlie.roux", "Charlie", "Roux", title=User.Title.M)
    add("hugo.lambert", "Hugo", "Lambert", birth=dt.date(2014, 5, 5))
    add("nathalie.lambert", "Nathalie", "Lambert", title=User.Title.MME)
    # A provisioned account, not yet activated
    add("zoe.fontaine", "Zoé", "Fontaine", birth=dt.date(2014, 11, 8), active=False)

    # Latin is an option of the collège's 5e: a subject of its own, so that its lessons do not say « Français ».
    college.subjects["LAT"] = Subject.objects.create(establishment=college.establishment, code="LAT", name="Latin")

    five_a = add_class(college, "5e A", "5e", head_teacher=p["paul.dupont"])
    four_b = add_class(college, "4e B", "4e")
    seconde = add_class(lycee, "2nde GT 1", "2nde")
    other_5 = add_class(other, "5e 1", "5e")

    latin = Group.objects.create(establishment=college.establishment, school_year=college.year, name="Latin 5e")
    latin.classes.add(five_a)

    member(p["paul.dupont"], college, Role.TEACHER, "Professeur de mathématiques")
    member(p["paul.dupont"], lycee, Role.TEACHER, "Professeur de mathématiques")
    member(p["sophie.bernard"], college, Role.TEACHER, "Professeure de français")
    member(p["sophie.bernard"], college, Role.GUARDIAN)
    member(p["nadia.petit"], college, Role.EDUCATION, "Conseillère principale d'éducation")
    member(p["marc.leroy"], college, Role.DIRECTION, "Principal")
    member(p["julie.moreau"], college, Role.ESTABLISHMENT_ADMIN, "Administratrice ENT")
    member(p["admin.region"], None, Role.REGIONAL_ADMIN, "Administratrice régionale")
    member(p["claire.martin"], college, Role.GUARDIAN)
    member(p["claire.martin"], lycee, Role.GUARDIAN)
    member(p["thomas.girard"], college, Role.GUARDIAN)
    for student, kit in [
        ("lucas.martin", college),
        ("lea.bernard", college),
        ("ines.girard", college),
        ("zoe.fontaine", college),
        ("emma.martin", lycee),
        ("hugo.lambert", other),
    ]:
        member(p[student], kit, Role.STUDENT)
    member(p["charlie.roux"], other, Role.TEACHER, "Professeur de mathématiques")
    member(p["nathalie.lambert"], other, Role.GUARDIAN)

    enrol(p["lucas.martin"], five_a)
    enrol(p["lea.bernard"], five_a)
    enrol(p["zoe.fontaine"], five_a)
    enrol(p["ines.girard"], four_b)
    enrol(p["emma.martin"], seconde)
    enrol(p["hugo.lambert"], other_5)
    GroupMembership.objects.create(
        establishment=college.establishment, student=p["lucas.martin"], group=latin, start_date=college.year.start_date
    )

    teach(p["paul.dupont"], college, "MATH", school_class=five_a)
    teach(p["paul.dupont"], lycee, "MATH", school_class=seconde)
    teach(p["sophie.bernard"], college, "FRA", school_class=five_a)
    teach(p["sophie.bernard"], college, "FRA", school_class=four_b)
    teach(p["sophie.bernard"], college, "LAT", group=latin)
    teach(p["charlie.roux"], other, "MATH", school_class=other_5)

    for guardian, student, relationship in [
        ("claire.martin", "lucas.martin", Guardianship.Relationship.MOTHER),
        ("claire.martin", "emma.martin", Guardianship.Relationship.MOTHER),
        ("sophie.bernard", "lea.bernard", Guardianship.Relationship.MOTHER),
        ("thomas.girard", "ines.girard", Guardianship.Relationship.FATHER),
        ("nathalie.lambert", "hugo.lambert", Guardianship.Relationship.MOTHER),
    ]:
        Guardianship.objects.create(guardian=p[guardian], student=p[student], relationship=relationship)

    return Personas(academy=academy, college=college, lycee=lycee, other=other, people=p)
