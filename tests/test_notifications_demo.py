"""The notification centre's demo: every persona has notices to read, each one true on the day the demo is
loaded (about a thing that exists, with its own dates, nothing already past), claire.martin her own settings."""

import datetime as dt

from django.apps import apps
from django.core.cache import cache
from django.db import connection
from django.test import TestCase
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from cartable.agenda.models import Event
from cartable.core.models import Notification, NotificationPreference, QuietHours
from cartable.core.notify import PARIS
from cartable.demo.region import load_demo_region
from cartable.homework.models import Homework
from cartable.notifications import demo
from cartable.notifications.tasks import EVENT_TOMORROW, HOMEWORK_DUE

HOMEWORK_KINDS = {"homework.published", "homework.changed", HOMEWORK_DUE}


class NotificationsDemoTests(TestCase):
    @classmethod
    def setUpTestData(cls):
        cache.clear()
        cls.region = load_demo_region()
        cls.people = cls.region.personas.people

    def test_every_persona_has_read_and_unread_notices(self):
        """Each persona of the demo finds an unread notice, and a read one (but admin.region, who wrote the
        news the others were told of)."""
        for username, user in self.people.items():
            with self.subTest(username=username):
                mine = Notification.objects.filter(recipient=user)
                self.assertTrue(mine.filter(read_at__isnull=True).exists())
                if username != "admin.region":
                    self.assertTrue(mine.filter(read_at__isnull=False).exists())

    def test_every_notice_is_about_a_thing_that_exists(self):
        """No notice about a room, an event or a homework the demo does not have: each names its target, and
        the target is in the database."""
        for n in Notification.objects.exclude(kind__in=["directory.demo_welcome"]):
            with self.subTest(kind=n.kind, title=n.title):
                self.assertTrue(n.target_type, "a notice names what it is about")
                model = apps.get_model(n.target_type)
                self.assertTrue(model.objects.filter(pk=n.target_id).exists())

    def test_no_notice_is_stale(self):
        """Nothing was sent before it could be, no homework is announced once due (« nouveau devoir pour le
        1er » on the 2nd), and a reminder leaves the day before its event or due date, saying that date."""
        now = timezone.now()
        for n in Notification.objects.all():
            with self.subTest(kind=n.kind, title=n.title):
                self.assertLessEqual(n.created_at, now)
                sent_on = timezone.localtime(n.created_at, PARIS).date()
                if n.kind in HOMEWORK_KINDS:
                    homework = Homework.objects.get(pk=n.target_id)
                    self.assertGreaterEqual(homework.due_date, sent_on)
                    self.assertLessEqual(homework.published_at, n.created_at)
                if n.kind in (HOMEWORK_DUE, EVENT_TOMORROW):
                    thing = (Homework if n.kind == HOMEWORK_DUE else Event).objects.get(pk=n.target_id)
                    day = thing.due_date if n.kind == HOMEWORK_DUE else timezone.localtime(thing.start, PARIS).date()
                    self.assertEqual(day, sent_on + dt.timedelta(days=1))
                    self.assertNotIn("demain", n.title.lower())
                    self.assertIn(str(day.day), n.title)

    def test_claires_notices_name_each_child(self):
        """claire.martin has notices about Lucas and about Emma, each naming the child, its link naming it too."""
        claire = self.people["claire.martin"]
        for child in ("lucas.martin", "emma.martin"):
            with self.subTest(child=child):
                student = self.people[child]
                about = Notification.objects.filter(recipient=claire, about=student)
                self.assertTrue(about.exists())
                for n in about:
                    self.assertIn(student.first_name, n.title)
                    self.assertIn(f"enfant={student.pk}", n.url)

    def test_claire_chooses_per_child_and_keeps_quiet_hours(self):
        """claire.martin has a choice for Lucas, another for Emma, and quiet evenings and weekends."""
        claire = self.people["claire.martin"]
        about = set(NotificationPreference.objects.filter(user=claire).values_list("about__username", flat=True))
        self.assertTrue({"lucas.martin", "emma.martin"} <= about)
        window = QuietHours.objects.get(user=claire)
        self.assertTrue(window.weekends)
        self.assertTrue(QuietHours.objects.filter(establishment_id=self.region.personas.college.establishment.pk))

    def test_loading_again_adds_nothing_and_costs_a_bounded_number_of_queries(self):
        """A second load leaves the data as it is, and a load costs a fixed number of queries (bulk writes)."""
        QuietHours.objects.filter(user=self.people["claire.martin"]).delete()
        QuietHours.objects.filter(user__isnull=True).delete()
        NotificationPreference.objects.all().delete()
        Notification.objects.exclude(kind="directory.demo_welcome").delete()
        demo.ReminderRun.objects.all().delete()
        with CaptureQueriesContext(connection) as load:
            demo.load_demo(self.region.personas)
        self.assertLessEqual(len(load), 220)
        after = Notification.objects.count()
        demo.load_demo(self.region.personas)
        self.assertEqual(Notification.objects.count(), after)
