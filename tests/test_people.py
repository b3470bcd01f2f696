"""The annuaire of an establishment: who appears for whom, search, and a constant query budget."""

from django.urls import reverse

from cartable.demo.personas import enrol, hashed
from cartable.directory.models import Enrolment, Membership, Role, User
from tests.support.personas import PersonaTestCase


class AnnuaireTests(PersonaTestCase):
    def names(self, username: str, **params) -> str:
        self.login(username)
        response = self.client.get(reverse("directory:people"), params)
        self.assertEqual(response.status_code, 200)
        return response.content.decode()

    def test_who_appears_in_the_annuaire(self):
        """Staff see everyone of their establishment; families see staff and themselves; nobody sees elsewhere."""
        for viewer, present, absent in [
            ("marc.leroy", ["Lucas Martin", "Nadia Petit", "Claire Martin"], ["Charlie Roux", "Emma Martin"]),
            ("paul.dupont", ["Lucas Martin", "Marc Leroy"], ["Hugo Lambert"]),
            ("lucas.martin", ["Paul Dupont", "Nadia Petit", "Lucas Martin"], ["Léa Bernard", "Claire Martin"]),
            ("claire.martin", ["Paul Dupont", "Lucas Martin"], ["Inès Girard", "Thomas Girard"]),
            ("charlie.roux", ["Hugo Lambert"], ["Lucas Martin", "Paul Dupont", "Marc Leroy"]),
        ]:
            with self.subTest(viewer=viewer):
                html = self.names(viewer)
                for name in present:
                    self.assertIn(name, html)
                for name in absent:
                    self.assertNotIn(name, html)

    def test_search_and_role_filters(self):
        """A name search and a role filter narrow the list; an unknown role is ignored."""
        html = self.names("marc.leroy", q="petit")
        self.assertIn("Nadia Petit", html)
        self.assertNotIn("Lucas Martin", html)
        html = self.names("marc.leroy", role=Role.STUDENT)
        self.assertIn("Lucas Martin", html)
        self.assertNotIn("Nadia Petit", html)
        self.assertIn("Nadia Petit", self.names("marc.leroy", role="<script>"))

    def test_htmx_request_gets_only_the_results_fragment(self):
        """The same view serves the page and its htmx fragment."""
        self.login("marc.leroy")
        response = self.client.get(reverse("directory:people"), {"q": "dupont"}, headers={"HX-Request": "true"})
        html = response.content.decode()
        self.assertIn('id="results"', html)
        self.assertNotIn("<html", html)
        self.assertIn("Paul Dupont", html)

    def test_query_count_does_not_grow_with_the_establishment(self):
        """The annuaire costs the same number of queries for 10 or 70 people: 6 for the page (session, person,
        memberships, count, page, roles here), 1 for what the teachers teach, 7 for « Écrire » (the
        communication rules' facts of the page's people, six queries, and the establishment's rules)."""
        self.login("marc.leroy")
        self.client.get(reverse("directory:people"))  # warm the session
        with self.assertNumQueries(6 + 1 + 7) as first:
            self.client.get(reverse("directory:people"))
        college = self.school.college
        five_a = college.classes["5e A"]
        students = User.objects.bulk_create(
            [
                User(username=f"eleve{i}", first_name="Élève", last_name=f"N{i:03}", password=hashed("demo"))
                for i in range(60)
            ]
        )
        Membership.objects.bulk_create(
            [
                Membership(
                    person=s, establishment=college.establishment, role=Role.STUDENT, start_date=college.year.start_date
                )
                for s in students
            ]
        )
        for s in students[:3]:
            enrol(s, five_a)
        self.assertGreater(Enrolment.objects.count(), 3)
        with self.assertNumQueries(len(first.captured_queries)):
            self.client.get(reverse("directory:people"))
