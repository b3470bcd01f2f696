"""The dashboard shell's price in SQL queries: pinned per persona, and the same whatever the data size."""

from django.core.cache import cache
from django.db import connection
from django.test import TestCase
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from cartable.demo.region import load_demo_region
from cartable.demo.seed import seed_region
from cartable.directory.models import Establishment

# Queries of a dashboard visit once signed in (the second page of the session), per persona: the session,
# the person, their memberships, their notifications; guardians add their children with their classes and
# groups (one UNION; sophie.bernard, also a guardian, lands in her teacher role and does not pay for her
# children), students their classes and groups (one UNION). Widgets not cached: homework due soon, shared by
# "Devoirs à venir" and "Ma charge" (one query, Actor.memo); "Messagerie" (the unread count, everybody);
# attendance's "Absences à justifier" (students, guardians), "Appels à faire" (teachers) and "Vie scolaire
# aujourd'hui" (vie scolaire, direction). Cached per viewer for a minute and forgotten by the audited writes
# that change them (core/fragments.py), so free on this second visit: "Actualités", "Prochains événements",
# "Aujourd'hui" (lessons), "Dernières notes" and the discipline widgets.
DASHBOARD_QUERIES = {
    "lucas.martin": 8,
    "claire.martin": 9,
    "paul.dupont": 6,
    "sophie.bernard": 6,
    "nadia.petit": 6,
    "marc.leroy": 6,
    "julie.moreau": 5,
    "admin.region": 5,
    "charlie.roux": 6,
}


class DashboardQueryBudgetTests(TestCase):
    @classmethod
    def setUpTestData(cls):
        cache.clear()
        cls.people = load_demo_region().personas.people

    def setUp(self):
        cache.clear()

    def visit(self, username: str) -> tuple[int, int]:
        """Sign in as ``username``; the queries of the first dashboard visit and of the next one."""
        self.client.force_login(self.people[username])
        counts = []
        for _visit in range(2):
            with CaptureQueriesContext(connection) as queries:
                response = self.client.get(reverse("dashboard:home"))
            self.assertEqual(response.status_code, 200, username)
            counts.append(len(queries))
        self.client.logout()
        return counts[0], counts[1]

    def test_each_persona_dashboard_costs_a_pinned_number_of_queries(self):
        """The dashboard of each persona costs exactly its pinned number of queries."""
        for username, expected in DASHBOARD_QUERIES.items():
            with self.subTest(username=username):
                self.client.force_login(self.people[username])
                self.client.get(reverse("dashboard:home"))
                with self.assertNumQueries(expected):
                    self.client.get(reverse("dashboard:home"))
                self.client.logout()

    def test_the_dashboard_costs_the_same_after_seeding_20_establishments(self):
        """The same number of queries on the demo data and after 20 more establishments are seeded."""
        before = {username: self.visit(username) for username in DASHBOARD_QUERIES}
        seed_region(establishments=20, students_per_establishment=60, seed=11)
        self.assertEqual(Establishment.objects.count(), 23)
        cache.clear()
        after = {username: self.visit(username) for username in DASHBOARD_QUERIES}
        self.assertEqual(before, after)
        self.assertEqual({username: steady for username, (_first, steady) in after.items()}, DASHBOARD_QUERIES)
