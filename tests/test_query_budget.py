"""The dashboard shell's price in SQL queries: pinned per persona, and the same whatever the data size."""

from django.core.cache import cache
from django.db import connection
from django.test import TestCase
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from cartable.directory.demo import load_demo_region
from cartable.directory.models import Establishment
from cartable.directory.seed import seed_region

# Queries of a dashboard visit once signed in (the second page of the session), per persona: the session,
# the person, their memberships, their notifications; guardians add their children and where they are enrolled
# (sophie.bernard, also a guardian, lands in her teacher role and does not pay for her children). Issue 3's
# widgets add theirs: today's lessons, homework due soon, "Prochains événements" (one query for everybody) and
# "Ma charge de la semaine" (students and guardians: their due work this week; the thresholds are cached).
# "Devoirs à venir" and "Ma charge" share one query (done state annotated, Actor.memo); a student's classes and
# groups are one UNION query.
# Issue 4's attendance widgets cost one query each for the persona shown: "Absences à justifier" (students and
# guardians), "Appels à faire" (teachers: today's roll calls; their lessons of the day are cached) and "Vie
# scolaire aujourd'hui" (vie scolaire and direction: today's absences; lessons without roll call cached a minute).
# Issue 6's "Actualités" widget adds one query for everybody (the news of their audience, pinned first).
# Discipline: "Punitions récentes" costs students and guardians one query; "Punitions à suivre" and
# "Procédures disciplinaires" cost the vie scolaire and the direction one query each.
# Issue 6's "Messagerie" widget (unread messages) costs everybody one count query.
# Issue 5's "Dernières notes" (grades) costs students and guardians one query (their latest published marks).
DASHBOARD_QUERIES = {
    "lucas.martin": 14,
    "claire.martin": 15,
    "paul.dupont": 10,
    "sophie.bernard": 10,
    "nadia.petit": 10,
    "marc.leroy": 10,
    "julie.moreau": 7,
    "admin.region": 7,
    "charlie.roux": 10,
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
