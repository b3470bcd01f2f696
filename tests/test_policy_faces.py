"""Both faces of every policy agree, and every named permission answers, for every persona.

One generic walk over what the apps registered, on the whole demo region (every app's demo loader has run,
so each model has rows): for each policy, each persona (acting through each of their roles) and a sample
of rows spread over the table, ``allows(actor, VIEW, row)`` is true exactly for the rows ``scope`` keeps.
Each named permission is asked, for each persona, about a few objects of the model it is declared
``about`` (or about nothing). A failure prints the matrix of what disagreed.
"""

from __future__ import annotations

from collections import defaultdict

from django.db import models
from django.test import TestCase

from cartable.core import authz
from cartable.core.authz import Action
from cartable.demo.region import load_demo_region
from cartable.directory.actor import Actor
from cartable.directory.models import User

SAMPLE = 12  # rows per model, spread over the table
ABOUT_SAMPLE = 4  # objects per named permission


def spread(model: type[models.Model], size: int) -> list[models.Model]:
    """Up to ``size`` rows of the table, taken at even steps of its primary keys (first and last included)."""
    pks = list(model._default_manager.order_by("pk").values_list("pk", flat=True))
    if len(pks) > size:
        step = (len(pks) - 1) / (size - 1)
        pks = sorted({pks[round(i * step)] for i in range(size)})
    return list(model._default_manager.filter(pk__in=pks).order_by("pk"))


class PolicyFacesTests(TestCase):
    @classmethod
    def setUpTestData(cls):
        cls.region = load_demo_region()
        people = cls.region.personas.people
        cls.actors: list[tuple[str, Actor]] = []
        for username in sorted(people):
            base = Actor(people[username])
            for membership in base.memberships:
                cls.actors.append((f"{username} ({membership.role})", base.acting_as(membership.pk)))

    def test_allows_view_is_true_exactly_for_the_rows_scope_keeps(self):
        disagreements: dict[str, list[str]] = defaultdict(list)
        checked = 0
        for model, policy in sorted(authz.registered_policies().items(), key=lambda item: item[0].__name__):
            rows = spread(model, SAMPLE)
            if not rows:
                continue
            for label, actor in self.actors:
                kept = set(
                    policy.scope(actor, model._default_manager.filter(pk__in=[r.pk for r in rows])).values_list(
                        "pk", flat=True
                    )
                )
                for row in rows:
                    checked += 1
                    if policy.allows(actor, Action.VIEW, row) != (row.pk in kept):
                        face = "allows only" if row.pk not in kept else "scope only"
                        disagreements[model.__name__].append(f"{label} #{row.pk} ({face})")
        matrix = "\n".join(f"  {name}: {', '.join(cases[:8])}" for name, cases in sorted(disagreements.items()))
        self.assertFalse(disagreements, f"allows(VIEW) and scope disagree:\n{matrix}")
        self.assertGreater(checked, 1000, "the walk saw the demo's rows")

    def examples(self, declared: authz.Permission) -> list:
        """What a permission is asked about: its declared examples, else rows of its model spread over the
        table (a person: every persona, students and guardians included), else nothing."""
        if declared.examples is not None:
            return list(declared.examples())[: ABOUT_SAMPLE * 2] or [None]
        if declared.about is None or not issubclass(declared.about, models.Model):
            return [None]
        if declared.about is User:
            return sorted(self.region.personas.people.values(), key=lambda u: u.pk)
        return spread(declared.about, ABOUT_SAMPLE) or [None]

    def test_every_named_permission_answers_every_persona(self):
        answers: dict[str, dict[str, int]] = {}
        failures: list[str] = []
        for name, declared in sorted(authz.registered_permissions().items()):
            objects = self.examples(declared)
            yes = 0
            for label, actor in self.actors:
                for obj in objects:
                    try:
                        answer = authz.allows(actor, name, obj)
                    except Exception as error:
                        failures.append(f"{name} for {label} about {obj!r}: {type(error).__name__}: {error}")
                        continue
                    if not isinstance(answer, bool):
                        failures.append(f"{name} for {label}: answered {answer!r}, not True or False")
                    yes += bool(answer)
            answers[name] = {"asked": len(self.actors) * len(objects), "yes": yes}
        self.assertFalse(failures, "\n".join(failures[:30]))
        self.assertGreater(len(answers), 50, "every app's permissions are registered")
        # A permission nobody in the demo holds is a permission nobody can test: each is granted to someone.
        never = sorted(name for name, counts in answers.items() if counts["yes"] == 0)
        self.assertEqual(never, [], f"permissions no persona of the demo holds: {never}")
