"""The Django admin: open to the regional administrator for every registered model, closed to everyone else."""

from django.conf import settings
from django.contrib import admin
from django.urls import reverse

from cartable.core.models import AuditEvent
from cartable.directory.models import Establishment
from cartable.forums.models import Forum
from tests.support.personas import PersonaTestCase


def admin_url(model, view: str, *args) -> str:
    return reverse(f"admin:{model._meta.app_label}_{model._meta.model_name}_{view}", args=args)


class AdminTests(PersonaTestCase):
    def setUp(self):
        self.login("admin.region")

    def test_the_region_opens_the_admin_index(self):
        """admin.region sees the admin index with the directory's models."""
        response = self.client.get(reverse("admin:index"))
        self.assertEqual(response.status_code, 200)
        self.assertContains(response, admin_url(self.people["lucas.martin"].__class__, "changelist"))

    def test_every_registered_model_has_a_working_list_and_add_page(self):
        """Each model's list (plain and searched) and add page answer 200; read-only models refuse adding."""
        site = admin.site
        self.assertGreaterEqual(len(site._registry), 12)
        for model, model_admin in site._registry.items():
            with self.subTest(model=model._meta.label, view="changelist"):
                self.assertEqual(self.client.get(admin_url(model, "changelist")).status_code, 200)
            if model_admin.search_fields:
                with self.subTest(model=model._meta.label, view="search"):
                    self.assertEqual(self.client.get(admin_url(model, "changelist") + "?q=martin").status_code, 200)
            with self.subTest(model=model._meta.label, view="add"):
                request = self.client.get(admin_url(model, "changelist")).wsgi_request
                expected = 200 if model_admin.has_add_permission(request) else 403
                self.assertEqual(self.client.get(admin_url(model, "add")).status_code, expected)

    def test_an_establishment_added_in_the_admin_opens_with_what_every_app_gives_it(self):
        """Adding an establishment goes through ``open_establishment``: audited, with its standing forums."""
        college = self.school.college.establishment
        response = self.client.post(
            admin_url(Establishment, "add"),
            {
                "academy": college.academy_id,
                "uai": "0549998Y",
                "name": "Collège neuf",
                "kind": "college",
                "ministry": "education",
                "city": "Toul",
            },
        )
        self.assertEqual(
            response.status_code, 302, getattr(response, "context", None) and response.context.get("errors")
        )
        opened = Establishment.objects.get(uai="0549998Y")
        self.assertEqual(Forum.objects.filter(establishment=opened).count(), 2)
        event = AuditEvent.objects.get(verb="directory.open_establishment", establishment_id=opened.pk)
        self.assertEqual(event.actor_id, self.people["admin.region"].pk)

    def test_every_registered_model_has_a_working_change_page(self):
        """The change page of one row of each model (with its inlines) answers 200."""
        for model in admin.site._registry:
            row = model._default_manager.order_by("pk").first()
            if row is None:
                continue
            with self.subTest(model=model._meta.label):
                self.assertEqual(self.client.get(admin_url(model, "change", row.pk)).status_code, 200)

    def test_the_person_list_costs_the_same_whatever_the_page_size(self):
        """The people list does not run one query per row (memberships filter and columns included)."""
        from cartable.directory.models import User

        url = admin_url(User, "changelist")
        self.client.get(url)
        with self.assertNumQueries(self.count_queries(url)):
            User.objects.bulk_create(
                [User(username=f"extra.{i}", first_name="Extra", last_name=str(i)) for i in range(30)]
            )
            self.client.get(url)

    def count_queries(self, url) -> int:
        from django.db import connection
        from django.test.utils import CaptureQueriesContext

        with CaptureQueriesContext(connection) as queries:
            self.client.get(url)
        return len(queries) + 1  # + the bulk insert


class AdminRefusalTests(PersonaTestCase):
    def test_people_without_admin_rights_are_refused(self):
        """Students, families, teachers, even the principal and the ENT administrator: 403 on the admin."""
        for username in ["lucas.martin", "claire.martin", "paul.dupont", "marc.leroy", "julie.moreau", "charlie.roux"]:
            with self.subTest(username=username):
                self.login(username)
                response = self.client.get(reverse("admin:index"), follow=True)
                self.assertEqual(response.status_code, 403)
                self.assertNotContains(response, "/admin/directory/", status_code=403)
                response = self.client.get(reverse("admin:directory_user_changelist"), follow=True)
                self.assertEqual(response.status_code, 403)

    def test_anonymous_visitors_are_sent_to_cartables_login(self):
        """The admin asks anonymous visitors to sign in on Cartable's (throttled) login page."""
        response = self.client.get(reverse("admin:index"), follow=True)
        self.assertEqual(response.redirect_chain[-1][0], reverse(settings.LOGIN_URL) + "?next=/admin/")
        self.assertEqual(response.status_code, 200)
