"""The establishment's module switch: who may use it, and what switching a module off does."""

from django.urls import reverse

from cartable.core import registry
from cartable.core.models import AuditEvent
from tests.support.personas import PersonaTestCase


class ModuleSwitchTests(PersonaTestCase):
    def test_who_opens_the_module_settings(self):
        """Only the direction, the ENT administrator and the region manage an establishment's modules."""
        for username, expected in [
            ("marc.leroy", 200),
            ("julie.moreau", 200),
            ("admin.region", 404),  # the region acts on no establishment of its own here
            ("nadia.petit", 404),
            ("paul.dupont", 404),
            ("lucas.martin", 404),
            ("claire.martin", 404),
            ("charlie.roux", 404),
        ]:
            with self.subTest(username=username):
                self.login(username)
                self.assertEqual(self.client.get(reverse("governance:modules")).status_code, expected)

    def test_switching_the_directory_off_hides_its_menu_and_page_for_everyone_there(self):
        """A module switched off leaves the menus and answers 404; it is audited; other schools keep it."""
        self.login("lucas.martin")
        self.assertContains(self.client.get(reverse("dashboard:home")), reverse("directory:people"))

        self.login("julie.moreau")
        response = self.client.post(reverse("governance:modules"), {"modules": []})
        self.assertRedirects(response, reverse("governance:modules"))
        event = AuditEvent.objects.get(verb="governance.set_modules")
        self.assertIs(event.after["directory"], False)
        self.assertEqual(set(event.after), {m.key for m in registry.modules()})
        self.assertEqual(event.actor_id, self.people["julie.moreau"].pk)

        self.login("lucas.martin")
        self.assertNotContains(self.client.get(reverse("dashboard:home")), reverse("directory:people"))
        self.assertEqual(self.client.get(reverse("directory:people")).status_code, 404)

        self.login("charlie.roux")
        self.assertEqual(self.client.get(reverse("directory:people")).status_code, 200)

        self.login("julie.moreau")
        self.client.post(reverse("governance:modules"), {"modules": ["directory"]})
        self.login("lucas.martin")
        self.assertEqual(self.client.get(reverse("directory:people")).status_code, 200)

    def test_menu_shows_the_establishment_entry_only_to_those_who_manage_it(self):
        """The menu asks the policy, not the role."""
        for username, expected in [("marc.leroy", True), ("julie.moreau", True), ("paul.dupont", False)]:
            with self.subTest(username=username):
                self.login(username)
                html = self.client.get(reverse("dashboard:home")).content.decode()
                self.assertIs(reverse("governance:modules") in html, expected)
