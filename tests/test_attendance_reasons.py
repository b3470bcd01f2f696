"""The default motifs of absence: pages only read them (the built-in list while an establishment has none of
its own) and the first write that needs one gives the establishment the whole list, once, even when two
first writes meet."""

from __future__ import annotations

import datetime as dt
from unittest import mock
from zoneinfo import ZoneInfo

from django.db import connection
from django.db.models import QuerySet
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone

from cartable.attendance import actions
from cartable.attendance.models import DEFAULT_REASONS, Absence, AbsenceReason, Justification
from tests.support.personas import PersonaTestCase

PARIS = ZoneInfo("Europe/Paris")
WRITES = ("INSERT", "UPDATE", "DELETE")


class DefaultReasonTests(PersonaTestCase):
    @classmethod
    def setUpTestData(cls):
        super().setUpTestData()
        cls.college = cls.school.college.establishment
        cls.lucas = cls.people["lucas.martin"]
        start = dt.datetime.combine(timezone.localdate() - dt.timedelta(days=2), dt.time(8), PARIS)
        cls.record = Absence.objects.create(
            establishment=cls.college,
            student=cls.lucas,
            start=start,
            end=start + dt.timedelta(hours=4),
            source=Absence.Source.STAFF,
        )

    def pages(self):
        return [
            ("nadia.petit", reverse("attendance:absence_new")),
            ("claire.martin", reverse("attendance:absence", args=[self.record.pk])),
            ("claire.martin", reverse("attendance:declare")),
            ("nadia.petit", reverse("attendance:settings")),
        ]

    def test_reading_a_page_with_motifs_writes_nothing_and_shows_the_defaults(self):
        """The four pages that offer motifs write no row of school life (no motif, no audit of one) and
        show the built-in motifs of an establishment that has none of its own."""
        self.assertFalse(AbsenceReason.objects.filter(establishment=self.college).exists())
        for who, url in self.pages():
            with self.subTest(who=who, url=url):
                self.login(who)
                with CaptureQueriesContext(connection) as queries:
                    response = self.client.get(url)
                self.assertEqual(response.status_code, 200)
                writes = [q["sql"] for q in queries.captured_queries if q["sql"].lstrip().upper().startswith(WRITES)]
                self.assertEqual([w for w in writes if "attendance_" in w or "core_auditevent" in w], [])
                for label in DEFAULT_REASONS:
                    self.assertContains(response, str(label))
                self.assertContains(response, 'value="defaut-0"')
        self.assertFalse(AbsenceReason.objects.filter(establishment=self.college).exists())

    def test_the_first_justification_with_a_default_motif_writes_the_whole_list(self):
        """Justifying with a built-in motif gives the establishment the six motifs and links the chosen one."""
        self.login("claire.martin")
        url = reverse("attendance:absence", args=[self.record.pk])
        response = self.client.post(url, {"form": "justify", "reason": "defaut-1", "comment": "Dentiste"})
        self.assertRedirects(response, url)
        labels = list(AbsenceReason.objects.filter(establishment=self.college).values_list("label", flat=True))
        self.assertEqual(labels, [str(label) for label in DEFAULT_REASONS])
        self.assertEqual(Justification.objects.get(absence=self.record).reason.label, str(DEFAULT_REASONS[1]))

    def test_an_unknown_default_motif_is_refused_like_any_wrong_choice(self):
        """A built-in value out of the list is an invalid choice (400), and nothing is written."""
        self.login("claire.martin")
        url = reverse("attendance:absence", args=[self.record.pk])
        response = self.client.post(url, {"form": "justify", "reason": "defaut-99"})
        self.assertEqual(response.status_code, 400)
        self.assertFalse(AbsenceReason.objects.filter(establishment=self.college).exists())

    def test_renaming_a_default_motif_in_the_settings_keeps_the_others(self):
        """The vie scolaire renames a built-in motif: the list is written, with the new name in its place."""
        self.login("nadia.petit")
        url = reverse("attendance:settings")
        response = self.client.post(url, {"form": "reason", "reason": "defaut-5", "label": "Autre motif"})
        self.assertRedirects(response, url)
        labels = list(AbsenceReason.objects.filter(establishment=self.college).values_list("label", flat=True))
        self.assertEqual(labels, [str(label) for label in DEFAULT_REASONS[:5]] + ["Autre motif"])

    def test_two_first_writes_that_meet_keep_one_list(self):
        """Two first writes that both found no motif (a race) keep one copy of each: the second insert is
        ignored under the unique constraint instead of failing."""
        actions.ensure_default_reasons(establishment_id=self.college.pk)
        with mock.patch.object(QuerySet, "exists", return_value=False):  # as if the first had not committed yet
            actions.ensure_default_reasons(establishment_id=self.college.pk)
        self.assertEqual(AbsenceReason.objects.filter(establishment=self.college).count(), len(DEFAULT_REASONS))

    def test_a_default_motif_renamed_meanwhile_is_refused_with_the_form_kept(self):
        """A page read while the defaults were built in, posted after the motif was renamed: the declaration
        is refused with the form shown again (400), not a server error."""
        actions.ensure_default_reasons(establishment_id=self.college.pk)
        AbsenceReason.objects.filter(establishment=self.college, position=0).update(label="Maladie (certificat)")
        self.login("claire.martin")
        day = timezone.localdate() + dt.timedelta(days=7)
        response = self.client.post(
            reverse("attendance:declare"),
            {
                "student": self.lucas.pk,
                "first_day": day.isoformat(),
                "first_half": "am",
                "last_day": day.isoformat(),
                "last_half": "pm",
                "reason": "defaut-0",
                "comment": "Grippe",
            },
        )
        self.assertEqual(response.status_code, 400)
        self.assertContains(response, "Grippe", status_code=400)
        self.assertFalse(Absence.objects.filter(source=Absence.Source.DECLARED).exists())
