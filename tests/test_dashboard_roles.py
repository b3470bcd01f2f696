"""What matters today comes first on each role's dashboard; every menu entry of every persona answers."""

import re

from django.core.cache import cache
from django.urls import reverse

from tests.support.personas import EVERYBODY, PersonaTestCase

MENU = re.compile(r'<nav class="main-nav[^"]*"[^>]*>(.*?)</nav>', re.S)
HREF = re.compile(r'href="([^"]+)"')
WIDGET = re.compile(r'<section class="widget" aria-labelledby="widget-([^"]+)"')

# What each role must do today comes first on its dashboard, in this order.
FIRST_WIDGETS = {
    # CPE: the justifications waiting, the lessons without roll call, the lateness alerts, then discipline
    "nadia.petit": [
        "attendance.to_decide",
        "attendance.today",
        "attendance.lateness_alerts",
        "discipline.to_follow",
        "discipline.procedures",
    ],
    # teacher: the hand-ins to correct, the roll calls, the log to fill, then the day
    "paul.dupont": ["homework.to_correct", "attendance.awaiting", "homework.log_to_fill", "timetable.today"],
    "julie.moreau": ["governance.tasks"],  # establishment ENT admin: her tasks
    "admin.region": ["directory.admin"],  # regional admin: the administration
    "marc.leroy": ["attendance.today"],  # direction: the day's school life
}


class DashboardOrderTests(PersonaTestCase):
    def widgets(self, username: str) -> list[str]:
        self.login(username)
        response = self.client.get(reverse("dashboard:home"))
        self.assertEqual(response.status_code, 200)
        return WIDGET.findall(response.content.decode())

    def test_what_matters_today_comes_first_for_each_role(self):
        """The dashboard's first widgets are the role's tasks of the day, in the role's order."""
        cache.clear()
        for username, expected in FIRST_WIDGETS.items():
            with self.subTest(username=username):
                self.assertEqual(self.widgets(username)[: len(expected)], expected)

    def test_my_profile_is_never_the_first_widget_but_the_last(self):
        """« Mon profil » left the top-left spot: the header already names the person; it closes the page."""
        for username in EVERYBODY:
            with self.subTest(username=username):
                keys = self.widgets(username)
                self.assertEqual(keys[-1], "identity")
                self.assertGreater(len(keys), 1)

    def test_the_order_follows_the_active_role(self):
        """sophie.bernard, teacher and guardian: her roll calls lead as a teacher, not as a parent."""
        from cartable.core import registry

        teacher = [w.key for w in registry.widgets(self.actor("sophie.bernard", role="teacher"))]
        guardian = [w.key for w in registry.widgets(self.actor("sophie.bernard", role="guardian"))]
        self.assertLess(teacher.index("attendance.awaiting"), teacher.index("notifications"))
        self.assertGreater(guardian.index("attendance.awaiting"), guardian.index("notifications"))

    def test_the_ent_admin_tasks_name_the_accounts_to_activate_and_link_the_rules_and_modules(self):
        """julie.moreau's first widget counts zoe.fontaine's account (never activated) and links her pages."""
        self.login("julie.moreau")
        html = self.client.get(reverse("dashboard:home")).content.decode()
        tasks = html[html.index('aria-labelledby="widget-governance.tasks"') :].split("</section>")[0]
        self.assertIn("1 compte à activer", tasks)
        for name in ("governance:accounts", "messaging:rules", "governance:modules"):
            self.assertIn(f'href="{reverse(name)}"', tasks)
        page = self.client.get(reverse("governance:accounts"))
        self.assertContains(page, "zoe.fontaine")
        self.assertNotContains(page, "lucas.martin")  # activated

    def test_accounts_to_activate_are_for_those_who_manage_the_establishment(self):
        """A teacher or a parent gets the same 404 as for a missing page; the direction sees the list."""
        for username, status in [("paul.dupont", 404), ("claire.martin", 404), ("marc.leroy", 200)]:
            with self.subTest(username=username):
                self.login(username)
                self.assertEqual(self.client.get(reverse("governance:accounts")).status_code, status)

    def test_the_communication_rules_are_in_the_ent_admins_menu(self):
        """julie.moreau reaches the rules from her menu; a teacher, who cannot change them, has no entry."""
        for username, expected in [("julie.moreau", True), ("paul.dupont", False)]:
            with self.subTest(username=username):
                self.login(username)
                menu = MENU.search(self.client.get(reverse("dashboard:home")).content.decode()).group(1)
                self.assertIs(f'href="{reverse("messaging:rules")}"' in menu, expected)

    def test_the_regional_admin_has_a_link_to_the_administration(self):
        """admin.region's menu leads to the Django admin (and not to « Notes », which has nothing for her)."""
        self.login("admin.region")
        menu = MENU.search(self.client.get(reverse("dashboard:home")).content.decode()).group(1)
        self.assertIn(f'href="{reverse("admin:index")}"', menu)
        self.assertNotIn(f'href="{reverse("grades:index")}"', menu)


class MenuLinksTests(PersonaTestCase):
    def menu_links(self, html: str) -> list[str]:
        found = MENU.search(html)
        self.assertIsNotNone(found, "no main menu")
        return HREF.findall(found.group(1))

    def test_every_menu_entry_of_every_persona_answers_200(self):
        """No menu entry leads to a 404 (or a redirect, or an error) for any persona of the persona school,
        in each of their roles."""
        walked = 0
        for username in EVERYBODY:
            self.login(username)
            for membership in self.actor(username).memberships:
                self.client.post(reverse("directory:switch_role"), {"membership": membership.pk})
                links = self.menu_links(self.client.get(reverse("dashboard:home")).content.decode())
                for url in links:
                    with self.subTest(username=username, role=membership.role, url=url):
                        self.assertEqual(self.client.get(url).status_code, 200)
                    walked += 1
            self.client.logout()
        self.assertGreater(walked, 100)


class AccountsToActivateBudgetTests(PersonaTestCase):
    def test_the_list_costs_the_same_for_1_or_60_accounts(self):
        """The accounts to activate: session, person, memberships, the establishment, count, page, roles here
        (7 queries) for one account or sixty."""
        from cartable.demo.personas import member, person

        self.login("julie.moreau")
        url = reverse("governance:accounts")
        self.client.get(url)  # warm the session
        with self.assertNumQueries(7):
            self.assertContains(self.client.get(url), "1 compte à activer")
        for i in range(59):
            member(person(f"nouveau{i}", "Nouveau", f"N{i:02}", password=None), self.school.college, "student")
        with self.assertNumQueries(7):
            self.assertContains(self.client.get(url), "60 comptes à activer")


class AccountsToActivateTitleTests(PersonaTestCase):
    def test_the_list_names_the_role_as_the_annuaire_does(self):
        """A newly provisioned teacher, Mme, is « Enseignante » on the list, as in the annuaire."""
        from cartable.demo.personas import member, person

        member(person("anne.vidal", "Anne", "Vidal", title="mme", password=None), self.school.college, "teacher")
        self.login("julie.moreau")
        row = self.client.get(reverse("governance:accounts")).content.decode().split("Anne Vidal")[1].split("</tr>")[0]
        self.assertIn("<td>Enseignante</td>", row)


class HandOutActivationCodeTests(PersonaTestCase):
    def test_the_ent_admin_hands_out_a_code_that_activates_the_account(self):
        """julie.moreau gives zoe.fontaine a code, shown once; with it Zoé activates her account; the
        hand-out is audited under Julie's name."""
        from cartable.accounts.queries import matching_activation_code
        from cartable.core.models import AuditEvent

        self.login("julie.moreau")
        zoe = self.people["zoe.fontaine"]
        response = self.client.post(reverse("governance:accounts"), {"person": zoe.pk})
        self.assertEqual(response.status_code, 200)
        code = re.search(r'<strong class="activation-code">([A-Z0-9-]+)</strong>', response.content.decode()).group(1)
        self.assertEqual(matching_activation_code(username="zoe.fontaine", code=code).user, zoe)
        self.assertNotContains(self.client.get(reverse("governance:accounts")), code)  # shown once
        event = AuditEvent.objects.get(verb="accounts.issue_activation_code")
        self.assertEqual(event.actor_id, self.people["julie.moreau"].pk)

    def test_no_code_for_someone_else(self):
        """No code for an account already active, one of another school, a missing id, or from a teacher:
        the same 404, and no code is made."""
        from cartable.accounts.models import ActivationCode

        zoe = self.people["zoe.fontaine"].pk
        self.login("julie.moreau")
        for person in (self.people["lucas.martin"].pk, self.people["hugo.lambert"].pk, 999999, "x"):
            with self.subTest(person=person):
                self.assertEqual(self.client.post(reverse("governance:accounts"), {"person": person}).status_code, 404)
        self.login("paul.dupont")
        self.assertEqual(self.client.post(reverse("governance:accounts"), {"person": zoe}).status_code, 404)
        self.assertFalse(ActivationCode.objects.exists())
