"""Actualités: who reads and writes each kind of news, the audited actions and their notices, images
checked by content, hostile input kept inert, and the pages with their pinned query budgets."""

from __future__ import annotations

import datetime as dt
import tempfile

from django.core.exceptions import PermissionDenied
from django.core.files.uploadedfile import SimpleUploadedFile
from django.db import connection
from django.test import override_settings
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone

from cartable.core import authz
from cartable.core.authz import Action
from cartable.core.models import AuditEvent, Notification
from cartable.core.uploads import CheckedFile, validate_upload
from cartable.news import actions, queries
from cartable.news.models import NewsItem
from cartable.news.policies import NewsItemPolicy
from tests.support.files import tiny_png
from tests.support.markup import HOSTILE, assert_inert
from tests.support.personas import EVERYBODY, PersonaTestCase

A = NewsItem.Audience
COLLEGE_STAFF = {"paul.dupont", "sophie.bernard", "nadia.petit", "marc.leroy", "julie.moreau"}
AUTHORS = {"nadia.petit", "marc.leroy", "julie.moreau", "admin.region"}


class NewsTestCase(PersonaTestCase):
    @classmethod
    def setUpTestData(cls):
        super().setUpTestData()
        cls.college = cls.school.college.establishment
        cls.lycee = cls.school.lycee.establishment
        cls.five_a = cls.school.college.classes["5e A"]
        cls.four_b = cls.school.college.classes["4e B"]

    def make(self, audience=A.EVERYONE, *, establishment="college", classes=(), **kw) -> NewsItem:
        now = timezone.now()
        establishment = {"college": self.college, "lycee": self.lycee, None: None}[establishment]
        item = NewsItem.objects.create(
            establishment=establishment,
            audience=audience,
            title=kw.pop("title", f"Actualité {audience}"),
            body=kw.pop("body", "<p>Texte</p>"),
            publish_at=kw.pop("publish_at", now - dt.timedelta(hours=1)),
            author=self.people[kw.pop("author", "marc.leroy")],
            **kw,
        )
        item.classes.set(classes)
        return item


class NewsPolicyTests(NewsTestCase):
    def test_who_reads_each_kind_of_news(self):
        """Each audience reaches exactly its people, region news everyone in the region, and the two faces agree."""
        lycee_people = {"emma.martin", "claire.martin", "paul.dupont", "admin.region"}
        cases = {
            "everyone": (self.make(A.EVERYONE), set(EVERYBODY) - {"emma.martin", "charlie.roux"}),
            "5e A": (
                self.make(A.CLASSES, classes=[self.five_a]),
                {"lucas.martin", "lea.bernard", "claire.martin", "sophie.bernard"} | COLLEGE_STAFF | {"admin.region"},
            ),
            "4e B": (
                self.make(A.CLASSES, classes=[self.four_b]),
                {"ines.girard", "thomas.girard"} | COLLEGE_STAFF | {"admin.region"},
            ),
            "staff": (self.make(A.STAFF), COLLEGE_STAFF | {"admin.region"}),
            "families": (
                self.make(A.FAMILIES),
                {"claire.martin", "thomas.girard", "sophie.bernard"} | COLLEGE_STAFF | {"admin.region"},
            ),
            "region": (self.make(establishment=None, author="admin.region"), set(EVERYBODY)),
            "lycée": (self.make(establishment="lycee"), lycee_people),
            "scheduled": (self.make(publish_at=timezone.now() + dt.timedelta(days=2)), AUTHORS),
            "expired": (
                self.make(
                    publish_at=timezone.now() - dt.timedelta(days=9),
                    expires_at=timezone.now() - dt.timedelta(days=1),
                ),
                AUTHORS,
            ),
        }
        policy = NewsItemPolicy()
        for who in EVERYBODY:
            actor = self.actor(who)
            seen = set(policy.scope(actor, NewsItem.objects.all()).values_list("pk", flat=True))
            for label, (item, readers) in cases.items():
                with self.subTest(who=who, news=label):
                    expected = who in readers
                    self.assertIs(authz.allows(actor, Action.VIEW, item), expected)
                    self.assertIs(item.pk in seen, expected)

    def test_who_writes_each_kind_of_news(self):
        """The direction, the ENT administrator and the CPE write their establishment's news; only the region
        writes region-wide news; teachers, families, students and charlie write none."""
        college_news, region_news, lycee_news = (
            self.make(),
            self.make(establishment=None, author="admin.region"),
            self.make(establishment="lycee"),
        )
        for who in EVERYBODY:
            actor = self.actor(who)
            for label, item, writers in [
                ("college", college_news, AUTHORS),
                ("region", region_news, {"admin.region"}),
                ("lycee", lycee_news, {"admin.region"}),
            ]:
                for action in (Action.CREATE, Action.CHANGE, Action.DELETE):
                    with self.subTest(who=who, news=label, action=action):
                        self.assertIs(authz.allows(actor, action, item), who in writers)

    def test_who_may_open_the_news_form(self):
        """The news page offers to publish to the authors and the region (news.publish_somewhere); new news
        opens for an establishment's authors there, and for region-wide news for the region alone (news.publish).
        """
        for who in EVERYBODY:
            actor = self.actor(who)
            with self.subTest(who=who):
                self.assertIs(authz.can(actor, "news.publish_somewhere"), who in AUTHORS)
                self.assertIs(authz.can(actor, "news.publish", self.college), who in AUTHORS - {"admin.region"})
                self.assertIs(authz.can(actor, "news.publish", self.lycee), False)
                self.assertIs(authz.can(actor, "news.publish", None), who == "admin.region")

    def test_writes_are_refused_to_those_who_may_not_publish(self):
        """A teacher, a parent and charlie cannot publish; a CPE cannot target another establishment's class."""
        for who in ("paul.dupont", "claire.martin", "charlie.roux", "lucas.martin"):
            with self.subTest(who=who), self.assertRaises(PermissionDenied):
                actions.publish_news(
                    actor=self.actor(who), establishment_id=self.college.pk, audience=A.EVERYONE, title="x"
                )
        seconde = self.school.lycee.classes["2nde GT 1"]
        with self.assertRaises(PermissionDenied):
            actions.publish_news(
                actor=self.actor("nadia.petit"),
                establishment_id=self.college.pk,
                audience=A.CLASSES,
                title="x",
                class_ids=[seconde.pk],
            )
        with self.assertRaises(PermissionDenied):
            actions.publish_news(actor=self.actor("marc.leroy"), establishment_id=None, audience=A.EVERYONE, title="x")
        self.assertFalse(NewsItem.objects.exists())


class NewsActionTests(NewsTestCase):
    def test_publishing_to_5e_a_notifies_its_students_and_parents_once_and_is_audited(self):
        """One notice to each student and guardian of 5e A (not 4e B's), one audit row, sanitized body."""
        item = actions.publish_news(
            actor=self.actor("marc.leroy"),
            establishment_id=self.college.pk,
            audience=A.CLASSES,
            class_ids=[self.five_a.pk],
            title="Réunion des familles",
            body='<p>Jeudi</p><script>alert("x")</script>',
        )
        self.assertEqual(item.body, "<p>Jeudi</p>")
        notified = set(Notification.objects.filter(kind="news.published").values_list("recipient__username", flat=True))
        self.assertEqual(notified, {"lucas.martin", "lea.bernard", "zoe.fontaine", "claire.martin", "sophie.bernard"})
        self.assertIsNotNone(NewsItem.objects.get(pk=item.pk).notified_at)
        event = AuditEvent.objects.get(verb="news.publish")
        self.assertEqual(event.after["classes"], [self.five_a.pk])
        self.assertEqual(event.establishment_id, self.college.pk)

    def test_each_audience_is_notified_to_its_people(self):
        """Everyone, staff and families reach their members (never the author)."""
        marc = self.actor("marc.leroy")
        for audience, expected in [
            (A.STAFF, COLLEGE_STAFF - {"marc.leroy"}),
            (A.FAMILIES, {"claire.martin", "thomas.girard", "sophie.bernard"}),
        ]:
            with self.subTest(audience=audience):
                Notification.objects.all().delete()
                actions.publish_news(actor=marc, establishment_id=self.college.pk, audience=audience, title="x")
                got = set(Notification.objects.values_list("recipient__username", flat=True))
                self.assertEqual(got, expected)

    def test_news_scheduled_ahead_is_announced_by_the_periodic_job_once(self):
        """Nothing is sent before ``publish_at``; the job announces it once it is due, and only once."""
        item = actions.publish_news(
            actor=self.actor("marc.leroy"),
            establishment_id=self.college.pk,
            audience=A.STAFF,
            title="Plus tard",
            publish_at=timezone.now() + dt.timedelta(hours=2),
        )
        self.assertEqual(actions.announce_due(), 0)
        self.assertFalse(Notification.objects.exists())
        NewsItem.objects.filter(pk=item.pk).update(publish_at=timezone.now() - dt.timedelta(minutes=1))
        self.assertEqual(actions.announce_due(), 4)
        self.assertEqual(actions.announce_due(), 0)
        self.assertEqual(Notification.objects.count(), 4)

    def test_region_news_is_announced_to_the_whole_region_by_a_task(self):
        """Region-wide news reaches every person with a membership, charlie included, through a background task."""
        with self.captureOnCommitCallbacks(execute=True):
            actions.publish_news(
                actor=self.actor("admin.region"), establishment_id=None, audience=A.STAFF, title="Plan numérique"
            )
        item = NewsItem.objects.get()
        self.assertEqual(item.audience, A.EVERYONE)
        notified = set(Notification.objects.values_list("recipient__username", flat=True))
        self.assertIn("charlie.roux", notified)
        self.assertIn("emma.martin", notified)
        self.assertNotIn("admin.region", notified)

    def test_update_and_delete_are_audited(self):
        """A change keeps before and after; a deletion keeps what was deleted; neither notifies again."""
        marc = self.actor("marc.leroy")
        item = actions.publish_news(actor=marc, establishment_id=self.college.pk, audience=A.STAFF, title="Avant")
        sent = Notification.objects.count()
        actions.update_news(
            actor=marc, item=item, audience=A.STAFF, title="Après", publish_at=item.publish_at, pinned=True
        )
        change = AuditEvent.objects.get(verb="news.update")
        self.assertEqual((change.before["title"], change.after["title"]), ("Avant", "Après"))
        self.assertEqual(Notification.objects.count(), sent)
        actions.delete_news(actor=marc, item=NewsItem.objects.get(pk=item.pk))
        self.assertEqual(AuditEvent.objects.get(verb="news.delete").before["title"], "Après")
        self.assertFalse(NewsItem.objects.exists())


class NewsImageTests(NewsTestCase):
    def setUp(self):
        self.media = tempfile.TemporaryDirectory()
        self.override = override_settings(MEDIA_ROOT=self.media.name)
        self.override.enable()

    def tearDown(self):
        self.override.disable()
        self.media.cleanup()

    def post_news(self, image, **extra):
        data = {"title": "Photo", "body": "<p>Texte</p>", "audience": "everyone", "image": image} | extra
        return self.client.post(reverse("news:create"), data)

    def test_an_image_needs_its_alternative_text_and_is_served_to_readers_only(self):
        """Without alt text the form is refused in French with what was typed; with it, readers get the image
        inline and nosniff, and charlie a 404."""
        self.login("marc.leroy")
        response = self.post_news(SimpleUploadedFile("photo.png", tiny_png()), title="Photo du cross")
        self.assertEqual(response.status_code, 400)
        self.assertContains(response, "Décrivez l&#x27;image", status_code=400)
        self.assertContains(response, 'value="Photo du cross"', status_code=400)
        self.assertFalse(NewsItem.objects.exists())
        response = self.post_news(SimpleUploadedFile("photo.png", tiny_png()), image_alt="Le départ du cross")
        item = NewsItem.objects.get()
        self.assertRedirects(response, reverse("news:detail", args=[item.pk]), fetch_redirect_response=False)
        self.assertEqual((item.image_type, item.image_alt), ("image/png", "Le départ du cross"))
        self.assertNotIn("photo", item.image.name)
        self.assertIn("image_sha256", AuditEvent.objects.get(verb="news.publish").after)
        self.login("lucas.martin")
        response = self.client.get(reverse("news:image", args=[item.pk]))
        self.assertEqual(response.status_code, 200)
        self.assertEqual(response["X-Content-Type-Options"], "nosniff")
        self.assertTrue(response["Content-Disposition"].startswith("inline"))
        page = self.client.get(reverse("news:detail", args=[item.pk]))
        self.assertContains(page, 'alt="Le départ du cross"')
        self.login("charlie.roux")
        self.assertEqual(self.client.get(reverse("news:image", args=[item.pk])).status_code, 404)

    def test_svg_html_and_disguised_files_are_refused_as_images(self):
        """An SVG with a script, HTML named .png and a PDF are refused by content, with a French message."""
        self.login("marc.leroy")
        for name, content in [
            ("logo.svg", b'<svg xmlns="http://www.w3.org/2000/svg" onload="alert(1)"><script>alert(1)</script></svg>'),
            ("photo.png", b"<html><script>alert(1)</script></html>"),
            ("photo.png", b"%PDF-1.4\n%%EOF\n"),
        ]:
            with self.subTest(name=name):
                response = self.post_news(SimpleUploadedFile(name, content), image_alt="x")
                self.assertContains(response, "Ce type de fichier n&#x27;est pas accepté", status_code=400)
        self.assertFalse(NewsItem.objects.exists())

    def test_hostile_image_file_names_come_back_inert(self):
        """A file name carrying markup is shown escaped and sent in a safe Content-Disposition."""
        self.login("marc.leroy")
        for hostile in HOSTILE[:4]:
            with self.subTest(name=hostile):
                name = hostile.replace("/", "") + ".png"
                self.post_news(SimpleUploadedFile(name, tiny_png()), image_alt="Une image")
                item = NewsItem.objects.latest("id")
                page = self.client.get(reverse("news:detail", args=[item.pk]))
                assert_inert(self, page.content.decode())
                disposition = self.client.get(reverse("news:image", args=[item.pk]))["Content-Disposition"]
                self.assertNotIn("<", disposition.split(";")[1])

    def test_replacing_or_removing_an_image_keeps_the_alt_text_rule(self):
        """Keeping an image needs its alt text; removing it clears the four fields."""
        marc = self.actor("marc.leroy")
        checked: CheckedFile = validate_upload(SimpleUploadedFile("a.png", tiny_png()), allowed={"png"})
        item = actions.publish_news(
            actor=marc, establishment_id=self.college.pk, audience=A.EVERYONE, title="x", image=checked, image_alt="A"
        )
        self.assertTrue(item.image)
        item = actions.update_news(
            actor=marc, item=item, audience=A.EVERYONE, title="x", publish_at=item.publish_at, remove_image=True
        )
        self.assertEqual((item.image.name, item.image_name, item.image_alt), ("", "", ""))


class NewsPageTests(NewsTestCase):
    def test_hostile_titles_and_bodies_come_back_inert_everywhere(self):
        """Titles and bodies made of XSS payloads are inert on the list, the page, the form and the dashboard."""
        marc = self.actor("marc.leroy")
        for hostile in HOSTILE:
            actions.publish_news(
                actor=marc, establishment_id=self.college.pk, audience=A.EVERYONE, title=hostile, body=hostile
            )
        for who in ("claire.martin", "marc.leroy"):
            self.login(who)
            pages = [reverse("news:index"), reverse("dashboard:home")]
            for item in NewsItem.objects.all():
                pages.append(reverse("news:detail", args=[item.pk]))
                if who == "marc.leroy":
                    pages.append(reverse("news:edit", args=[item.pk]))
            for url in pages:
                with self.subTest(who=who, url=url):
                    response = self.client.get(url)
                    self.assertEqual(response.status_code, 200)
                    assert_inert(self, response.content.decode())

    def test_the_list_costs_the_same_with_3_or_30_items(self):
        """The news page costs a pinned number of queries whatever the number of items: the session, the person,
        the memberships, the items, their classes; a parent's page adds the children and their schools."""
        for count in (3, 30):
            NewsItem.objects.all().delete()
            for n in range(count):
                self.make(A.CLASSES if n % 2 else A.EVERYONE, classes=[self.five_a], title=f"Info {n}")
            for who, budget in [("claire.martin", 7), ("marc.leroy", 5)]:
                with self.subTest(count=count, who=who):
                    self.login(who)
                    self.client.get(reverse("news:index"))
                    with self.assertNumQueries(budget):
                        response = self.client.get(reverse("news:index"))
                    self.assertContains(response, "Info 1")

    def test_the_detail_page_budget(self):
        """One item costs a pinned number of queries: the base page (session, person, memberships, a parent's
        children and their schools), the item with its author, its classes, the class check of the parent."""
        item = self.make(A.CLASSES, classes=[self.five_a, self.four_b])
        self.login("claire.martin")
        self.client.get(reverse("news:detail", args=[item.pk]))
        with self.assertNumQueries(8):
            response = self.client.get(reverse("news:detail", args=[item.pk]))
        self.assertContains(response, item.title)

    def test_the_widget_costs_one_query_and_puts_pinned_news_first(self):
        """The "Actualités" widget is one query, pinned first, without expired, scheduled or others' news, and
        only of the establishment the person acts in (claire's lycée news waits on the news page)."""
        self.make(title="Ancienne épinglée", pinned=True, publish_at=timezone.now() - dt.timedelta(days=30))
        self.make(title="Récente")
        self.make(A.STAFF, title="Pour les personnels")
        self.make(title="Programmée", publish_at=timezone.now() + dt.timedelta(days=1))
        self.make(establishment=None, title="Régionale", author="admin.region")
        self.make(establishment="lycee", title="Au lycée d'Emma")
        actor = self.actor("claire.martin")
        list(actor.memberships)
        with CaptureQueriesContext(connection) as captured:
            items = queries.widget_news(actor)
        self.assertEqual(len(captured), 1)
        self.assertEqual([i.title for i in items], ["Ancienne épinglée", "Régionale", "Récente"])
        self.login("claire.martin")
        self.assertContains(self.client.get(reverse("news:index")), "Au lycée d&#x27;Emma")

    def test_claire_sees_news_for_5e_a_families_on_her_dashboard(self):
        """The dashboard shows the news addressed to Lucas's class, and not to thomas.girard."""
        actions.publish_news(
            actor=self.actor("marc.leroy"),
            establishment_id=self.college.pk,
            audience=A.CLASSES,
            class_ids=[self.five_a.pk],
            title="Sortie des 5e A",
        )
        self.login("claire.martin")
        self.assertContains(self.client.get(reverse("dashboard:home")), "Sortie des 5e A")
        self.login("thomas.girard")
        self.assertNotContains(self.client.get(reverse("dashboard:home")), "Sortie des 5e A")

    def test_publishing_through_the_form(self):
        """The principal publishes to 5e A: saved, redirected, notified; a teacher gets a 403 on the form."""
        self.login("marc.leroy")
        response = self.client.get(reverse("news:create"))
        self.assertContains(response, "5e A")
        response = self.client.post(
            reverse("news:create"),
            {"title": "Cross", "body": "<p>Vendredi</p>", "audience": "classes", "classes": [self.five_a.pk]},
        )
        item = NewsItem.objects.get()
        self.assertRedirects(response, reverse("news:detail", args=[item.pk]), fetch_redirect_response=False)
        self.assertTrue(Notification.objects.filter(recipient=self.people["claire.martin"]).exists())
        response = self.client.post(reverse("news:create"), {"title": "", "audience": "classes"})
        self.assertContains(response, "Choisissez au moins une classe", status_code=400)
        self.login("paul.dupont")
        self.assertEqual(self.client.get(reverse("news:create")).status_code, 403)
        self.assertEqual(self.client.get(reverse("news:edit", args=[item.pk])).status_code, 404)

    def test_the_regional_administrator_publishes_region_wide_news_through_the_form(self):
        """admin.region's form has no audience: the item is region-wide and charlie reads it; an item without
        an image has no image URL."""
        self.login("admin.region")
        response = self.client.get(reverse("news:create"))
        self.assertContains(response, "Actualité régionale")
        self.assertNotContains(response, 'name="audience"')
        self.client.post(reverse("news:create"), {"title": "Plan numérique", "body": "<p>Tablettes</p>"})
        item = NewsItem.objects.get()
        self.assertIsNone(item.establishment_id)
        self.login("charlie.roux")
        self.assertContains(self.client.get(reverse("news:detail", args=[item.pk])), "Plan numérique")
        self.assertEqual(self.client.get(reverse("news:image", args=[item.pk])).status_code, 404)

    def test_an_expiry_before_publication_is_refused(self):
        """The form says in French that expiry must follow publication and keeps the title."""
        self.login("marc.leroy")
        today = timezone.localdate()
        response = self.client.post(
            reverse("news:create"),
            {
                "title": "Dates à l'envers",
                "audience": "everyone",
                "publish_date": (today + dt.timedelta(days=5)).isoformat(),
                "expire_date": today.isoformat(),
            },
        )
        self.assertContains(response, "L&#x27;expiration doit suivre la publication", status_code=400)
        self.assertContains(response, "Dates à l&#x27;envers", status_code=400)

    def test_charlie_and_a_closed_module_get_404(self):
        """charlie gets the same 404 for a collège item as for a missing one; a switched-off module answers 404."""
        item = self.make()
        self.login("charlie.roux")
        self.assertEqual(self.client.get(reverse("news:detail", args=[item.pk])).status_code, 404)
        self.assertEqual(self.client.get(reverse("news:detail", args=[item.pk + 999])).status_code, 404)
        self.college.module_settings = {"news": False}
        self.college.save()
        self.login("lucas.martin")
        self.assertEqual(self.client.get(reverse("news:index")).status_code, 404)
