"""The report cards' demo: 5e A's first trimester published, lucas.martin's report card and its notice."""

from __future__ import annotations

from collections import Counter

from django.core.cache import cache
from django.test import TestCase
from django.urls import reverse

from cartable.core.models import Delivery, Notification
from cartable.demo.region import load_demo_region
from cartable.directory.models import User
from cartable.reportcards.models import GeneralAppreciation, ReportCard, SubjectAppreciation


class DemoTests(TestCase):
    @classmethod
    def setUpTestData(cls):
        cache.clear()
        cls.region = load_demo_region()

    def test_lucas_has_a_published_first_trimester_report_card(self):
        """Every 5e A student has a published version 1 with appreciations; Lucas and his mother were told."""
        lucas = User.objects.get(username="lucas.martin")
        card = ReportCard.objects.get(student=lucas)
        self.assertEqual((card.version, card.period.position), (1, 1))
        self.assertIsNotNone(card.published_at)
        class_size = ReportCard.objects.filter(school_class=card.school_class).count()
        self.assertGreater(class_size, 10)
        self.assertEqual(ReportCard.objects.filter(published_at__isnull=True).count(), 0)
        self.assertTrue(SubjectAppreciation.objects.filter(student=lucas).exclude(text="").exists())
        self.assertTrue(GeneralAppreciation.objects.filter(student=lucas).exists())
        self.assertTrue(card.data["subjects"])
        for who in ("lucas.martin", "claire.martin"):
            with self.subTest(who=who):
                self.assertTrue(
                    Notification.objects.filter(recipient__username=who, kind="reportcards.published").exists()
                )
        self.assertFalse(Delivery.objects.filter(notification__kind="reportcards.published").exists())  # no e-mail

    def test_claire_downloads_it(self):
        """The mother opens and downloads the demo report card."""
        card = ReportCard.objects.get(student__username="lucas.martin")
        self.client.force_login(User.objects.get(username="claire.martin"))
        self.assertContains(self.client.get(reverse("reportcards:index")), reverse("reportcards:card", args=[card.pk]))
        response = self.client.get(reverse("reportcards:download", args=[card.pk]))
        self.assertEqual(response.status_code, 200)
        self.assertTrue(b"".join(response.streaming_content).startswith(b"%PDF-"))

    def test_the_appreciations_are_varied(self):
        """Not the same sentence for everyone: within a band of average, the wording changes by student."""
        texts = list(SubjectAppreciation.objects.values_list("text", flat=True))
        general = list(GeneralAppreciation.objects.values_list("text", flat=True))
        # One sentence per band (four bands and « not enough marks ») would give five texts at most.
        self.assertGreater(len(set(texts)), 5)
        self.assertGreater(len(set(general)), 5)
        self.assertLess(Counter(texts).most_common(1)[0][1], len(texts) / 5)
