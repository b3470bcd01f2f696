"""The dashboard shell: who I am, where, as what, and what I may use."""

from django.urls import reverse

from tests.base import PersonaTestCase


class DashboardTests(PersonaTestCase):
    def test_each_persona_lands_on_a_dashboard_showing_name_role_and_establishment(self):
        """Every persona sees their name, current role and establishment on the dashboard."""
        for username, role, establishment in [
            ("lucas.martin", "Élève", "Collège Louis Pasteur"),
            ("claire.martin", "Responsable légal", "Collège Louis Pasteur"),
            ("paul.dupont", "Enseignant", "Collège Louis Pasteur"),
            ("nadia.petit", "Vie scolaire", "Collège Louis Pasteur"),
            ("marc.leroy", "Direction", "Collège Louis Pasteur"),
            ("julie.moreau", "Administrateur ENT", "Collège Louis Pasteur"),
            ("admin.region", "Administrateur régional", ""),
        ]:
            with self.subTest(username=username):
                self.login(username)
                response = self.client.get(reverse("dashboard:home"))
                self.assertContains(response, self.people[username].get_full_name())
                self.assertContains(response, role)
                self.assertContains(response, establishment)

    def test_anonymous_visitor_is_sent_to_the_login_page(self):
        """The dashboard is not public."""
        response = self.client.get(reverse("dashboard:home"))
        self.assertRedirects(response, reverse("accounts:login") + "?next=/", fetch_redirect_response=False)
