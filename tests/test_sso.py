"""Applications: who sees and who registers each service, the tiles and the launch count, the managers'
usage page and its CSV, and the CAS server through Django's test client (audience, gates, throttle, golden
XML and JSON, every bad ticket, the matching rules, pinned query counts)."""

from __future__ import annotations

from django.core.cache import cache
from django.core.exceptions import PermissionDenied
from django.urls import reverse

from cartable.core.authz import Action
from cartable.core.models import AuditEvent
from cartable.directory.models import Role
from cartable.sso import actions, matching
from cartable.sso.models import Launch, Service
from cartable.sso.policies import ServicePolicy
from tests.support.personas import EVERYBODY, PersonaTestCase
from tests.support.sso import COLLEGE_STUDENTS, COLLEGE_TEACHERS, DEMO, SsoTestCase


class ServicePolicyTests(SsoTestCase):
    def test_who_sees_and_who_manages_each_service(self):
        """The collège's service: its students and teachers see it, its admins and the region manage it;
        the region's link: every teacher, student and guardian of the region; the two faces agree."""
        policy = ServicePolicy()
        families_and_teachers = set(EVERYBODY) - {"nadia.petit", "marc.leroy", "julie.moreau", "admin.region"}
        cases = {
            "vie scolaire": (
                self.vie_scolaire,
                COLLEGE_STUDENTS | COLLEGE_TEACHERS | {"marc.leroy", "julie.moreau", "admin.region"},
                {"marc.leroy", "julie.moreau", "admin.region"},
            ),
            "médiacentre": (self.region_link, families_and_teachers | {"admin.region"}, {"admin.region"}),
        }
        for label, (service, viewers, managers) in cases.items():
            for who in EVERYBODY:
                with self.subTest(service=label, who=who):
                    actor = self.actor(who)
                    self.assertIs(policy.allows(actor, Action.VIEW, service), who in viewers)
                    self.assertIs(policy.allows(actor, Action.CHANGE, service), who in managers)
                    scoped = set(Service.objects.visible_to(actor).values_list("pk", flat=True))
                    self.assertIs(service.pk in scoped, who in viewers)

    def test_who_registers_where(self):
        """The region registers region-wide services; an establishment's direction and ENT admin theirs."""
        for who, region, college in [
            ("admin.region", True, True),
            ("marc.leroy", False, True),
            ("julie.moreau", False, True),
            ("nadia.petit", False, False),
            ("paul.dupont", False, False),
            ("charlie.roux", False, False),
        ]:
            with self.subTest(who=who):
                for establishment, expected in ((None, region), (self.college, college)):
                    try:
                        actions.register_service(
                            actor=self.actor(who),
                            establishment=establishment,
                            name="X",
                            url="https://x.fr/",
                            kind=Service.Kind.LINK,
                            roles=[Role.STUDENT],
                        )
                        registered = True
                    except PermissionDenied:
                        registered = False
                    self.assertIs(registered, expected)

    def test_a_disabled_service_is_seen_only_by_its_managers(self):
        actions.update_service(
            actor=self.actor("julie.moreau"),
            service=self.vie_scolaire,
            name="Vie scolaire (démo)",
            url=DEMO,
            kind=Service.Kind.CAS,
            addresses=DEMO,
            roles=[Role.STUDENT],
            profile=Service.Profile.UID,
            enabled=False,
        )
        self.vie_scolaire.refresh_from_db()
        self.assertFalse(ServicePolicy().allows(self.actor("lucas.martin"), Action.VIEW, self.vie_scolaire))
        self.assertTrue(ServicePolicy().allows(self.actor("julie.moreau"), Action.VIEW, self.vie_scolaire))
        self.assertTrue(AuditEvent.objects.filter(verb="sso.service.update").exists())


class ApplicationsPageTests(SsoTestCase):
    def test_lucas_sees_both_tiles_and_claire_only_the_regions(self):
        self.login("lucas.martin")
        page = self.client.get(reverse("sso:index")).content.decode()
        self.assertIn("Vie scolaire (démo)", page)
        self.assertIn("Médiacentre", page)
        self.assertNotIn("Gérer les applications", page)
        self.login("claire.martin")
        page = self.client.get(reverse("sso:index")).content.decode()
        self.assertNotIn("Vie scolaire (démo)", page)
        self.assertIn("Médiacentre", page)

    def test_the_page_costs_the_same_with_many_services(self):
        """Pinned: session, person, memberships, the tiles; the same with 30 more services."""
        self.login("lucas.martin")
        self.client.get(reverse("sso:index"))
        with self.assertNumQueries(4):
            self.client.get(reverse("sso:index"))
        for n in range(30):
            Service.objects.create(name=f"S{n}", url="https://s.fr/", kind="link", roles=",student,")
        with self.assertNumQueries(4):
            response = self.client.get(reverse("sso:index"))
        self.assertContains(response, "S29")

    def test_a_tile_is_counted_then_leads_to_cas_login(self):
        self.login("lucas.martin")
        response = self.client.post(reverse("sso:launch", args=[self.vie_scolaire.pk]))
        self.assertEqual(
            response["Location"],
            reverse("sso:cas_login") + "?service=" + "https%3A%2F%2Fservices.cartable.test%2Fvie-scolaire%2F",
        )
        launch = Launch.objects.get()
        self.assertEqual((launch.via, launch.role, launch.establishment_id), ("tile", "student", self.college.pk))
        response = self.client.post(reverse("sso:launch", args=[self.region_link.pk]))
        self.assertEqual(response["Location"], "https://mediacentre.example.fr/")

    def test_out_of_audience_a_tile_is_a_404_and_counts_nothing(self):
        self.login("claire.martin")
        self.assertEqual(self.client.post(reverse("sso:launch", args=[self.vie_scolaire.pk])).status_code, 404)
        self.assertEqual(self.client.get(reverse("sso:launch", args=[self.vie_scolaire.pk])).status_code, 405)
        self.assertFalse(Launch.objects.exists())

    def test_the_dashboard_shows_the_tiles_widget(self):
        cache.clear()
        self.login("lucas.martin")
        self.assertContains(self.client.get(reverse("dashboard:home")), "Toutes mes applications")
        cache.clear()
        self.login("nadia.petit")  # no service for the CPE: no widget
        self.assertNotContains(self.client.get(reverse("dashboard:home")), "Toutes mes applications")


class RegistrationPageTests(SsoTestCase):
    FORM = {
        "name": "Cahier de liaison",
        "description": "",
        "icon": "book",
        "kind": "cas",
        "url": "https://liaison.example.fr/",
        "addresses": "https://liaison.example.fr/",
        "roles": ["guardian"],
        "profile": "identity",
        "enabled": "on",
    }

    def test_the_ent_admin_registers_a_service_for_the_college(self):
        self.login("julie.moreau")
        self.assertEqual(self.client.get(reverse("sso:create")).status_code, 200)
        response = self.client.post(reverse("sso:create"), self.FORM | {"establishment": self.college.pk})
        self.assertRedirects(response, reverse("sso:manage"), fetch_redirect_response=False)
        service = Service.objects.get(name="Cahier de liaison")
        self.assertEqual((service.establishment, service.role_list), (self.college, ["guardian"]))
        self.assertEqual(AuditEvent.objects.filter(verb="sso.service.register", target_id=str(service.pk)).count(), 1)

    def test_she_cannot_register_for_the_region_nor_the_lycee(self):
        self.login("julie.moreau")
        for establishment in ("", self.lycee.pk):
            response = self.client.post(reverse("sso:create"), self.FORM | {"establishment": establishment})
            self.assertEqual(response.status_code, 400)
        self.assertFalse(Service.objects.filter(name="Cahier de liaison").exists())

    def test_bad_addresses_are_refused_and_what_was_typed_is_kept(self):
        self.login("admin.region")
        for bad in (
            {"url": "http://liaison.example.fr/"},
            {"addresses": "http://liaison.example.fr/"},
            {"addresses": "https://autre.example.fr/"},
            {"addresses": ""},
        ):
            with self.subTest(bad=bad):
                response = self.client.post(reverse("sso:create"), self.FORM | {"establishment": ""} | bad)
                self.assertEqual(response.status_code, 400)
                self.assertContains(response, "Cahier de liaison", status_code=400)

    def test_teachers_and_families_have_no_registration_page(self):
        for who in ("paul.dupont", "lucas.martin", "nadia.petit"):
            self.login(who)
            with self.subTest(who=who):
                self.assertEqual(self.client.get(reverse("sso:create")).status_code, 404)
                self.assertEqual(self.client.get(reverse("sso:edit", args=[self.vie_scolaire.pk])).status_code, 404)
                self.assertEqual(self.client.get(reverse("sso:usage")).status_code, 404)

    def test_the_manage_page_costs_the_same_with_many_services(self):
        self.login("admin.region")
        self.client.get(reverse("sso:manage"))
        with self.assertNumQueries(4):
            self.client.get(reverse("sso:manage"))
        for n in range(20):
            Service.objects.create(name=f"S{n}", url="https://s.fr/", kind="link", establishment=self.college)
        with self.assertNumQueries(4):
            self.client.get(reverse("sso:manage"))


class UsageTests(SsoTestCase):
    def test_usage_counts_per_day_role_and_establishment_without_names(self):
        for who in ("lucas.martin", "lea.bernard", "paul.dupont"):
            actions.record_launch(actor=self.actor(who), service=self.vie_scolaire)
        self.login("marc.leroy")
        page = self.client.get(reverse("sso:usage")).content.decode()
        self.assertIn("Vie scolaire (démo)", page)
        self.assertNotIn("Lucas", page)
        response = self.client.get(reverse("sso:usage"), {"format": "csv"})
        self.assertEqual(response["Content-Type"], "text/csv; charset=utf-8")
        lines = response.content.decode().strip().splitlines()
        self.assertEqual(lines[0], "Application;Jour;Rôle;Établissement;Ouvertures")
        rows = sorted(line.split(";")[2:] for line in lines[1:])
        college = self.college.name
        self.assertEqual(rows, [["Enseignant", college, "1"], ["Élève", college, "2"]])
        self.assertNotIn("Lucas", response.content.decode())

    def test_the_principal_sees_only_his_services_usage(self):
        actions.record_launch(actor=self.actor("lucas.martin"), service=self.region_link)
        self.login("marc.leroy")
        self.assertNotIn("Médiacentre", self.client.get(reverse("sso:usage"), {"format": "csv"}).content.decode())

    def test_the_usage_page_costs_the_same_with_many_launches(self):
        self.login("admin.region")
        self.client.get(reverse("sso:usage"))
        with self.assertNumQueries(4):
            self.client.get(reverse("sso:usage"))
        for _n in range(50):
            actions.record_launch(actor=self.actor("lucas.martin"), service=self.vie_scolaire)
        with self.assertNumQueries(4):
            self.client.get(reverse("sso:usage"))


class MatchingTests(PersonaTestCase):
    def test_service_urls_match_as_apereo_matches_them(self):
        """URL-decoded, fragment ignored, case-insensitive, trailing slash significant, nothing climbs out."""
        table = [
            ("https://x.fr/app/", "https://x.fr/app/", True),
            ("https://x.fr/app/", "https://X.FR/App/", True),
            ("https://x.fr/app/", "https%3A%2F%2Fx.fr%2Fapp%2F", True),
            ("https://x.fr/app/", "https://x.fr/app/#section", True),
            ("https://x.fr/app/", "https://x.fr/app/login?next=/notes", True),
            ("https://x.fr/app/", "https://x.fr/app", False),
            ("https://x.fr/app/", "https://x.fr/application/", False),
            ("https://x.fr/app", "https://x.fr/app", True),
            ("https://x.fr/app", "https://x.fr/app/", False),
            ("https://x.fr/app", "https://x.fr/app?x=1", True),
            ("https://x.fr/app/", "https://x.fr.evil.com/app/", False),
            ("https://x.fr/app/", "https://x.fr@evil.com/app/", False),
            ("https://x.fr/app/", "https://x.fr/app/../admin/", False),
            ("https://x.fr/app/", "https://x.fr/app/%2e%2e/admin/", False),
            ("https://x.fr/app/", "http://x.fr/app/", False),
            ("https://x.fr/app/", "javascript:alert(1)//x.fr/app/", False),
            ("https://x.fr/app/", "", False),
        ]
        for address, service, expected in table:
            with self.subTest(address=address, service=service):
                self.assertIs(matching.matches(address, service), expected)

    def test_validation_compares_the_service_as_issued(self):
        table = [
            ("https://x.fr/app/", "https://X.fr/APP/", True),
            ("https://x.fr/app/", "https://x.fr/app/#frag", True),
            ("https://x.fr/app/", "https%3A//x.fr/app/", True),
            ("https://x.fr/app/", "https://x.fr/app", False),
            ("https://x.fr/app/?a=1", "https://x.fr/app/?a=2", False),
        ]
        for issued, presented, expected in table:
            with self.subTest(issued=issued, presented=presented):
                self.assertIs(matching.same_service(issued, presented), expected)
