"""The demo's LTI tool: « Moodle (démo) » for the collège, with paul.dupont's activity for his 5e A, which
lucas.martin finds on « Outils pédagogiques » and another class's student does not."""

from __future__ import annotations

from django.test import TestCase
from django.urls import reverse

from cartable.demo.region import load_demo_region
from cartable.lti.models import Deployment, Link, Tool

ACTIVITY = "Les fractions : exercices en ligne"


class DemoToolTests(TestCase):
    @classmethod
    def setUpTestData(cls):
        cls.region = load_demo_region()

    def test_the_principal_registered_moodle_for_the_college_with_its_deployment(self):
        tool = Tool.objects.get(name="Moodle (démo)")
        college = self.region.personas.college.establishment
        self.assertEqual(tool.establishment, college)
        self.assertEqual(tool.created_by, self.region.personas.people["marc.leroy"])
        self.assertTrue(Deployment.objects.filter(tool=tool, establishment=college).exists())
        link = Link.objects.get(tool=tool)
        self.assertEqual((link.title, link.school_class.name), (ACTIVITY, "5e A"))

    def test_the_5e_a_student_finds_the_activity_and_a_lycee_student_does_not(self):
        self.client.force_login(self.region.personas.people["lucas.martin"])
        self.assertContains(self.client.get(reverse("lti:index")), ACTIVITY)
        self.client.force_login(self.region.personas.people["ines.girard"])
        self.assertNotContains(self.client.get(reverse("lti:index")), ACTIVITY)

    def test_loading_the_demo_again_adds_nothing(self):
        from cartable.lti.demo import load_demo

        self.assertEqual(load_demo(self.region.personas), [])
        self.assertEqual(Tool.objects.count(), 1)
