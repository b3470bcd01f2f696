"""The notification centre's demo: every persona has notices to read, claire.martin her own settings."""

import time

from django.core.cache import cache
from django.test import TestCase

from cartable.core.models import Notification, NotificationPreference, QuietHours
from cartable.demo.region import load_demo_region
from cartable.notifications import demo


class NotificationsDemoTests(TestCase):
    @classmethod
    def setUpTestData(cls):
        cache.clear()
        cls.region = load_demo_region()
        cls.people = cls.region.personas.people

    def test_every_persona_has_read_and_unread_notices(self):
        """Each persona of the demo finds at least one read and one unread notice."""
        for username, user in self.people.items():
            with self.subTest(username=username):
                mine = Notification.objects.filter(recipient=user)
                self.assertTrue(mine.filter(read_at__isnull=True).exists())
                self.assertTrue(mine.filter(read_at__isnull=False).exists())

    def test_claire_chooses_per_child_and_keeps_quiet_hours(self):
        """claire.martin has a choice for Lucas, another for Emma, and quiet evenings and weekends."""
        claire = self.people["claire.martin"]
        about = set(NotificationPreference.objects.filter(user=claire).values_list("about__username", flat=True))
        self.assertTrue({"lucas.martin", "emma.martin"} <= about)
        window = QuietHours.objects.get(user=claire)
        self.assertTrue(window.weekends)
        self.assertTrue(QuietHours.objects.filter(establishment_id=self.region.personas.college.establishment.pk))

    def test_loading_again_adds_nothing_and_is_fast(self):
        """A second load leaves the data as it is, and the first one took well under a second."""
        before = Notification.objects.count()
        QuietHours.objects.filter(user=self.people["claire.martin"]).delete()
        QuietHours.objects.filter(user__isnull=True).delete()
        NotificationPreference.objects.all().delete()
        started = time.perf_counter()
        demo.load_demo(self.region.personas)
        self.assertLess(time.perf_counter() - started, 1.0)
        demo.load_demo(self.region.personas)
        self.assertEqual(Notification.objects.count(), before + 2 * len(self.people))
