"""The LTI platform's pages and rules: registering a tool (French form, nothing typed lost, audited), the
activities page, who sees an activity, and the pages' query budgets, the same whatever the data."""

from __future__ import annotations

from django.core.exceptions import PermissionDenied
from django.urls import reverse

from cartable.core.authz import Action, allows
from cartable.core.models import AuditEvent
from cartable.lti import actions
from cartable.lti.models import Deployment, Link, Tool
from tests.support.personas import PersonaTestCase

TOOL = {
    "name": "Exerciseur",
    "login_url": "https://outil.example.fr/login",
    "launch_url": "https://outil.example.fr/launch",
    "redirect_uris": "https://outil.example.fr/launch",
    "jwks_url": "https://outil.example.fr/jwks",
}


class LtiTestCase(PersonaTestCase):
    @classmethod
    def setUpTestData(cls):
        super().setUpTestData()
        cls.college = cls.school.college.establishment
        cls.five_a = cls.school.college.classes["5e A"]
        cls.tool = actions.register_tool(
            actor=cls.actor_of("marc.leroy"), establishment=cls.college, deployment_id="college-1", **TOOL
        )
        cls.link = actions.place_link(
            actor=cls.actor_of("paul.dupont"), tool=cls.tool, title="Fractions", school_class=cls.five_a
        )

    @classmethod
    def actor_of(cls, username):
        from cartable.directory.actor import Actor

        return Actor(cls.people[username])


class RegistrationTests(LtiTestCase):
    def test_the_principal_registers_a_tool_and_gets_the_values_to_copy(self):
        """The form registers the tool with a client id and its deployment, audited; the page then shows the
        issuer, the client id, the deployment id and Cartable's URLs."""
        self.login("marc.leroy")
        data = TOOL | {"name": "Atelier", "establishment": self.college.pk, "deployment_id": "dep-7"}
        data |= {"allow_ags": "on", "enabled": "on"}
        response = self.client.post(reverse("lti:create"), data)
        tool = Tool.objects.get(name="Atelier")
        self.assertRedirects(response, reverse("lti:edit", args=[tool.pk]))
        self.assertEqual(Deployment.objects.get(tool=tool).deployment_id, "dep-7")
        self.assertTrue(AuditEvent.objects.filter(verb="lti.tool.register", target_id=str(tool.pk)).exists())
        page = self.client.get(reverse("lti:edit", args=[tool.pk]))
        for shown in (tool.client_id, "dep-7", "/lti/auth/", "/lti/token/", "/oidc/jwks/"):
            self.assertContains(page, shown)

    def test_a_bad_registration_is_refused_in_french_and_keeps_what_was_typed(self):
        self.login("marc.leroy")
        data = TOOL | {"name": "Atelier", "establishment": self.college.pk, "redirect_uris": "ftp://x", "jwks_url": ""}
        response = self.client.post(reverse("lti:create"), data)
        self.assertEqual(response.status_code, 400)
        self.assertContains(response, "doit commencer par https://", status_code=400)
        self.assertContains(response, "jeu de clés", status_code=400)
        self.assertContains(response, "Atelier", status_code=400)
        self.assertFalse(Tool.objects.filter(name="Atelier").exists())

    def test_a_private_key_is_refused(self):
        from cryptography.hazmat.primitives import serialization
        from cryptography.hazmat.primitives.asymmetric import rsa

        pem = (
            rsa.generate_private_key(public_exponent=65537, key_size=2048)
            .private_bytes(serialization.Encoding.PEM, serialization.PrivateFormat.PKCS8, serialization.NoEncryption())
            .decode()
        )
        self.login("marc.leroy")
        data = TOOL | {"name": "Atelier", "establishment": self.college.pk, "jwks_url": "", "public_key": pem}
        response = self.client.post(reverse("lti:create"), data)
        self.assertContains(response, "clé privée", status_code=400)

    def test_who_reaches_the_registration_pages(self):
        """The region and the establishment's admins; a teacher, a student and charlie get the 404."""
        for who, status in [
            ("marc.leroy", 200),
            ("admin.region", 200),
            ("paul.dupont", 404),
            ("lucas.martin", 404),
            ("charlie.roux", 404),
        ]:
            with self.subTest(who=who):
                self.login(who)
                self.assertEqual(self.client.get(reverse("lti:manage")).status_code, status)
                self.assertEqual(self.client.get(reverse("lti:edit", args=[self.tool.pk])).status_code, status)

    def test_the_tools_list_costs_the_same_with_one_tool_or_three(self):
        self.login("marc.leroy")
        self.client.get(reverse("lti:manage"))
        with self.assertNumQueries(5):
            self.client.get(reverse("lti:manage"))
        for n in range(2):
            actions.register_tool(
                actor=self.actor_of("marc.leroy"), establishment=self.college, **TOOL | {"name": f"Outil {n}"}
            )
        with self.assertNumQueries(5):
            response = self.client.get(reverse("lti:manage"))
        self.assertContains(response, "Outil 1")

    def test_the_form_costs_a_fixed_number_of_queries(self):
        self.login("marc.leroy")
        self.client.get(reverse("lti:edit", args=[self.tool.pk]))
        with self.assertNumQueries(5):
            self.client.get(reverse("lti:edit", args=[self.tool.pk]))


class ActivityTests(LtiTestCase):
    def test_who_sees_an_activity(self):
        """The class's students and teachers, who placed it and the admins; another class, a guardian, charlie: no."""
        for who, expected in [
            ("lucas.martin", True),
            ("lea.bernard", True),
            ("paul.dupont", True),
            ("sophie.bernard", True),
            ("marc.leroy", True),
            ("ines.girard", False),
            ("claire.martin", False),
            ("charlie.roux", False),
        ]:
            with self.subTest(who=who):
                actor = self.actor_of(who)
                self.assertIs(allows(actor, Action.VIEW, self.link), expected)
                self.assertIs(Link.objects.visible_to(actor).filter(pk=self.link.pk).exists(), expected)

    def test_the_activities_page_costs_the_same_with_one_activity_or_three(self):
        self.login("lucas.martin")
        self.client.get(reverse("lti:index"))
        with self.assertNumQueries(5):
            response = self.client.get(reverse("lti:index"))
        self.assertContains(response, "Fractions")
        for n in range(2):
            actions.place_link(
                actor=self.actor_of("paul.dupont"), tool=self.tool, title=f"Activité {n}", school_class=self.five_a
            )
        with self.assertNumQueries(5):
            response = self.client.get(reverse("lti:index"))
        self.assertContains(response, "Activité 1")

    def test_a_teacher_is_offered_the_tools_of_her_establishment(self):
        self.login("paul.dupont")
        response = self.client.get(reverse("lti:index"))
        self.assertContains(response, "Choisir dans l")
        self.assertContains(response, "Exerciseur")

    def test_a_teacher_places_activities_only_for_her_classes(self):
        four_b = self.school.college.classes["4e B"]
        with self.assertRaises(PermissionDenied):
            actions.place_link(actor=self.actor_of("paul.dupont"), tool=self.tool, title="x", school_class=four_b)
        with self.assertRaises(PermissionDenied):
            actions.place_link(actor=self.actor_of("charlie.roux"), tool=self.tool, title="x", school_class=self.five_a)
        self.assertEqual(Link.objects.count(), 1)
