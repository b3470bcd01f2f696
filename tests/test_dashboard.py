"""The dashboard shell: who I am, where, as what, and what I may use."""

from django.urls import reverse

from tests.support.personas import PersonaTestCase


class DashboardTests(PersonaTestCase):
    def test_each_persona_lands_on_a_dashboard_showing_name_role_and_establishment(self):
        """Every persona sees their name, current role and establishment on the dashboard."""
        for username, role, establishment in [
            ("lucas.martin", "Élève", "Collège Louis Pasteur"),
            ("claire.martin", "Responsable légale", "Collège Louis Pasteur"),
            ("paul.dupont", "Enseignant", "Collège Louis Pasteur"),
            ("nadia.petit", "Vie scolaire", "Collège Louis Pasteur"),
            ("marc.leroy", "Direction", "Collège Louis Pasteur"),
            ("julie.moreau", "Administratrice ENT", "Collège Louis Pasteur"),
            ("admin.region", "Administratrice régionale", ""),
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


class CachedFragmentTests(PersonaTestCase):
    """Widgets that declare ``cache_for`` are served from the cache until an audited write changes them."""

    def test_a_cached_widget_costs_no_query_on_the_next_visit(self):
        """The news widget's query is paid on the first visit only."""
        self.login("claire.martin")
        url = reverse("dashboard:home")
        from django.db import connection
        from django.test.utils import CaptureQueriesContext

        with CaptureQueriesContext(connection) as first:
            self.client.get(url)
        with CaptureQueriesContext(connection) as second:
            self.client.get(url)
        news = [q for q in first.captured_queries if "news_newsitem" in q["sql"]]
        self.assertEqual(len(news), 1)
        self.assertFalse([q for q in second.captured_queries if "news_newsitem" in q["sql"]])

    def test_an_audited_write_forgets_everyones_copy_at_once(self):
        """News published after Claire's visit is on her dashboard at her next visit, not a minute later."""
        from cartable.news.actions import publish_news
        from cartable.news.models import NewsItem

        self.login("claire.martin")
        url = reverse("dashboard:home")
        self.assertNotContains(self.client.get(url), "Sortie au musée")
        publish_news(
            actor=self.actor("marc.leroy"),
            establishment_id=self.school.college.establishment.pk,
            audience=NewsItem.Audience.FAMILIES,
            title="Sortie au musée",
        )
        self.assertContains(self.client.get(url), "Sortie au musée")

    def test_a_person_never_gets_another_persons_copy(self):
        """Copies are kept per person, role, establishment and child: each is computed for its own viewer."""
        from cartable.core import fragments, registry

        widget = registry.Widget(
            key="tests.whoami", title="?", template="", context=lambda actor: {"id": actor.user_id}, cache_for=60
        )
        computed = []

        def compute(w):
            computed.append(w.key)
            return w.context(viewer)

        for viewer in [self.actor("lucas.martin"), self.actor("paul.dupont"), self.actor("lucas.martin")]:
            contexts = fragments.contexts([widget], viewer, compute)
            self.assertEqual(contexts["tests.whoami"], {"id": viewer.user_id})
        self.assertEqual(len(computed), 2, "lucas's second visit comes from the cache")
        for role in ("teacher", "guardian"):
            viewer = self.actor("sophie.bernard", role=role)
            fragments.contexts([widget], viewer, compute)
        self.assertEqual(len(computed), 4, "each of sophie.bernard's roles has its own copy")
        fragments.forget(["tests.whoami"])
        viewer = self.actor("lucas.martin")
        fragments.contexts([widget], viewer, compute)
        self.assertEqual(len(computed), 5, "forgotten copies are computed again")

    def test_writes_name_the_widgets_they_change(self):
        """A verb forgets the widgets whose prefixes it starts with, and only those."""
        from cartable.core import registry

        self.assertIn("news.latest", registry.widgets_changed_by("news.publish"))
        self.assertIn("discipline.recent", registry.widgets_changed_by("discipline.punishment.create"))
        self.assertEqual(registry.widgets_changed_by("accounts.password_change"), [])
