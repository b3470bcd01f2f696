"""The demo region: the personas, then their collège and lycée agricole filled with about 300 students.

``load_demo_region()`` is deterministic: names come from a seeded ``random.Random`` and dates from the
current school year, so two loads give the same people in the same classes. Every demo account has the
password ``demo`` (hashed once). The demo also publishes the usage charter and the privacy notice, has
every activated persona accept them (so signing in goes straight to the dashboard), leaves
``zoe.fontaine`` to be activated with a one-time code, and greets each persona with a notification.

Then every app fills its part: the loaders apps register in their ``hooks.py``
(``registry.register_demo_loader``), each after those it names. The demo is the top layer, the one place
that assembles the whole product: it uses the accounts app (charters, activation codes) and no app
imports it.
"""

from __future__ import annotations

import random
from dataclasses import dataclass, field
from typing import Any

from django.db import transaction
from django.db.models import Count
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from cartable.accounts import charters
from cartable.accounts.actions import accept_charters, issue_activation_code, publish_charter
from cartable.accounts.models import Charter
from cartable.core import audit, registry
from cartable.core.notify import notify
from cartable.demo import demo_texts
from cartable.demo.generate import Plan, RegionBuilder
from cartable.demo.personas import COLLEGE_UAI, LYCEE_UAI, OTHER_UAI, Personas, build_personas
from cartable.directory.models import (
    Enrolment,
    Establishment,
    Group,
    Guardianship,
    Membership,
    Role,
    SchoolClass,
    TeachingAssignment,
    User,
)

DEMO_PASSWORD = "demo"  # noqa: S105  (published: the README and the login page show it)
RANDOM_SEED = 20260901
NOT_ACTIVATED = "zoe.fontaine"

DEMO_LOGINS: list[tuple[str, Any]] = [
    ("lucas.martin", gettext_lazy("élève de 5e A au collège")),
    ("claire.martin", gettext_lazy("mère de Lucas (collège) et d'Emma (lycée agricole)")),
    ("paul.dupont", gettext_lazy("professeur de mathématiques (collège et lycée), professeur principal de 5e A")),
    ("sophie.bernard", gettext_lazy("professeure de français au collège et mère d'une élève")),
    ("nadia.petit", gettext_lazy("CPE (vie scolaire) du collège")),
    ("marc.leroy", gettext_lazy("principal du collège")),
    ("julie.moreau", gettext_lazy("administratrice ENT du collège")),
    ("admin.region", gettext_lazy("administratrice régionale (administration Django)")),
]


COLLEGE = Plan(
    levels={"6e": ["6e A", "6e B"], "5e": ["5e A", "5e B"], "4e": ["4e A", "4e B"], "3e": ["3e A", "3e B"]},
    birth_year_offset={"6e": 11, "5e": 12, "4e": 13, "3e": 14},
    extra_subjects=[
        ("TECH", "Technologie"),
        ("AP", "Arts plastiques"),
        ("EMUS", "Éducation musicale"),
        ("ALL", "Allemand"),
        ("ESP", "Espagnol"),
    ],
    classes_per_teacher={
        "FRA": 4,
        "MATH": 4,
        "HG": 5,
        "ANG": 5,
        "SVT": 8,
        "PC": 8,
        "EPS": 5,
        "TECH": 8,
        "AP": 8,
        "EMUS": 8,
    },
    not_taught={"6e": {"PC"}},
    languages=[("ALL", "Allemand"), ("ESP", "Espagnol")],
    language_levels=["5e", "4e", "3e"],
    persona_assignments=[("paul.dupont", "MATH", "5e B"), ("sophie.bernard", "FRA", "4e A")],
    staff=[
        ("Karim", "Benali", User.Title.M, Role.EDUCATION, "Conseiller principal d'éducation"),
        ("Hélène", "Rousseau", User.Title.MME, Role.DIRECTION, "Principale adjointe"),
        ("Christine", "Masson", User.Title.MME, Role.ADMINISTRATIVE, "Secrétaire de direction"),
        ("Laurent", "Gauthier", User.Title.M, Role.ADMINISTRATIVE, "Gestionnaire"),
    ],
)

LYCEE = Plan(
    levels={"2nde": ["2nde GT 1", "2nde GT 2"], "1re": ["1re STAV"], "Terminale": ["Terminale STAV"]},
    birth_year_offset={"2nde": 15, "1re": 16, "Terminale": 17},
    extra_subjects=[
        ("ESC", "Éducation socioculturelle"),
        ("BIOECO", "Biologie-écologie"),
        ("AGRO", "Agronomie"),
        ("SESG", "Sciences économiques, sociales et de gestion"),
        ("ALL", "Allemand"),
        ("ESP", "Espagnol"),
    ],
    classes_per_teacher={
        "FRA": 4,
        "MATH": 4,
        "HG": 4,
        "ANG": 4,
        "SVT": 4,
        "PC": 4,
        "EPS": 4,
        "ESC": 4,
        "BIOECO": 4,
        "AGRO": 4,
        "SESG": 4,
    },
    not_taught={"2nde": {"AGRO", "SESG"}, "1re": {"SVT"}, "Terminale": {"SVT"}},
    languages=[("ALL", "Allemand"), ("ESP", "Espagnol")],
    language_levels=["2nde", "1re", "Terminale"],
    persona_assignments=[],
    staff=[
        ("Catherine", "Fleury", User.Title.MME, Role.DIRECTION, "Proviseure"),
        ("Olivier", "Renard", User.Title.M, Role.EDUCATION, "Conseiller principal d'éducation"),
        ("Sandrine", "Klein", User.Title.MME, Role.ADMINISTRATIVE, "Secrétaire"),
        ("Yann", "Marchal", User.Title.M, Role.ESTABLISHMENT_ADMIN, "Administrateur ENT"),
    ],
)


class DemoRegionExists(Exception):
    """The database already holds the demo region: it is loaded once, then reused."""


@dataclass
class DemoRegion:
    personas: Personas
    activation_code: str | None = None
    counts: dict[str, int] = field(default_factory=dict)


@transaction.atomic
def load_demo_region() -> DemoRegion:
    """Create the demo region: personas, both establishments filled, charters, welcome notices.

    Refused (``DemoRegionExists``) when the database already holds it: a second run reuses the data.
    """
    if Establishment.objects.filter(uai__in=[COLLEGE_UAI, LYCEE_UAI, OTHER_UAI]).exists():
        raise DemoRegionExists(_("La région de démonstration est déjà chargée."))
    personas = build_personas(password=DEMO_PASSWORD)
    builder = RegionBuilder(
        rng=random.Random(RANDOM_SEED),
        year_start=personas.college.year.start_date,
        password=DEMO_PASSWORD,
        people=personas.people,
    )
    builder.fill(personas.college, COLLEGE)
    builder.fill(personas.lycee, LYCEE)
    builder.add_external_ids(24)
    builder.save()
    _accept_charters(personas, _publish_charters())
    _welcome(personas)
    for loader in registry.demo_loaders():  # each app's, registered in its hooks.py
        loader.load(personas)
    region = DemoRegion(personas=personas, activation_code=issue_demo_activation_code(), counts=region_counts())
    audit.record(actor=None, verb="directory.load_demo_region", after=region.counts)
    return region


def _publish_charters() -> list:
    """Version 1 of the usage charter and of the privacy notice, unless some version already exists."""
    current = []
    for kind, title, body in [
        (Charter.Kind.USAGE, demo_texts.USAGE_CHARTER_TITLE, demo_texts.USAGE_CHARTER_BODY),
        (Charter.Kind.PRIVACY, demo_texts.PRIVACY_NOTICE_TITLE, demo_texts.PRIVACY_NOTICE_BODY),
    ]:
        latest = Charter.objects.filter(kind=kind).order_by("-version").first()
        current.append(latest or publish_charter(actor=None, kind=kind, title=title, body=body))
    charters.forget_current()
    return current


def _accept_charters(personas: Personas, current: list) -> None:
    """Activated personas have accepted the charters already: signing in leads to the dashboard."""
    for user in personas.people.values():
        if user.is_activated:
            accept_charters(actor=None, user=user, charters=current)


def _welcome(personas: Personas) -> None:
    for user in personas.people.values():
        notify(
            recipients=[user],
            kind="directory.demo_welcome",
            title=_("Bienvenue sur Cartable, %(name)s !") % {"name": user.first_name},
            body=_(
                "Vous visitez la région de démonstration : les personnes et les établissements sont "
                "fictifs. Votre tableau de bord rassemble ce qui vous concerne, et le menu mène aux "
                "services que votre rôle permet d'utiliser."
            ),
        )


def issue_demo_activation_code() -> str | None:
    """A fresh one-time code for zoé while her account is not activated (earlier codes stop working)."""
    zoe = User.objects.filter(username=NOT_ACTIVATED, activated_at__isnull=True).first()
    if zoe is None:
        return None
    return issue_activation_code(actor=None, user=zoe, valid_days=365)


def region_counts() -> dict[str, int]:
    """How many establishments, people by role and relations the database holds."""
    people = dict(Membership.objects.values_list("role").annotate(n=Count("person", distinct=True)).order_by())
    return {
        "establishments": Establishment.objects.count(),
        "people": User.objects.count(),
        "students": people.get(Role.STUDENT, 0),
        "guardians": people.get(Role.GUARDIAN, 0),
        "teachers": people.get(Role.TEACHER, 0),
        "classes": SchoolClass.objects.count(),
        "groups": Group.objects.count(),
        "enrolments": Enrolment.objects.count(),
        "assignments": TeachingAssignment.objects.count(),
        "guardianships": Guardianship.objects.count(),
    }
