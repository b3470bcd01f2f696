"""The demo's connected service: « Vie scolaire (démo) » for the collège's students and teachers; the
tiles' price on the dashboard (one query when computed, none while cached)."""

from __future__ import annotations

from urllib.parse import parse_qs, urlsplit

from django.core.cache import cache
from django.db import connection
from django.test import TestCase
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from cartable.demo.region import load_demo_region
from cartable.sso.models import Service

DEMO = "https://services.cartable.test/vie-scolaire/"


class DemoServiceTests(TestCase):
    @classmethod
    def setUpTestData(cls):
        cache.clear()
        cls.people = load_demo_region().personas.people

    def setUp(self):
        cache.clear()

    def test_the_demo_registers_the_vie_scolaire_service_for_the_college(self):
        service = Service.objects.get(url=DEMO)
        self.assertEqual(
            (service.name, service.kind, service.role_list), ("Vie scolaire (démo)", "cas", ["student", "teacher"])
        )
        self.assertEqual(service.establishment.uai, "0540042K")

    def test_lucas_sees_its_tile_and_signs_in_through_cas_login(self):
        self.client.login(username="lucas.martin", password="demo")
        self.assertContains(self.client.get(reverse("sso:index")), "Vie scolaire (démo)")
        self.assertContains(self.client.get(reverse("dashboard:home")), "Vie scolaire (démo)")
        response = self.client.get("/cas/login", {"service": DEMO})
        ticket = parse_qs(urlsplit(response["Location"]).query)["ticket"][0]
        self.assertTrue(ticket.startswith("ST-"))
        self.client.logout()
        body = self.client.get("/cas/p3/serviceValidate", {"service": DEMO, "ticket": ticket}).content.decode()
        self.assertIn("<cas:user>lucas.martin</cas:user>", body)
        self.assertIn("<cas:ENTPersonProfils>National_ELV</cas:ENTPersonProfils>", body)

    def test_claire_sees_no_tile_and_gets_a_refusal(self):
        self.client.login(username="claire.martin", password="demo")
        self.assertNotContains(self.client.get(reverse("sso:index")), "Vie scolaire (démo)")
        self.assertNotContains(self.client.get(reverse("dashboard:home")), "Vie scolaire (démo)")
        self.assertEqual(self.client.get("/cas/login", {"service": DEMO}).status_code, 403)

    def test_the_tiles_cost_one_dashboard_query_when_computed_and_none_when_cached(self):
        self.client.force_login(self.people["lucas.martin"])
        counts = []
        for _visit in range(2):
            with CaptureQueriesContext(connection) as queries:
                self.client.get(reverse("dashboard:home"))
            counts.append(sum('"sso_service"' in q["sql"] for q in queries.captured_queries))
        self.assertEqual(counts, [1, 0])
