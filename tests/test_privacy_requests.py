"""Requests to the DPO: made for oneself or a legal child, due in a month, extended once, answered with reasons."""

import datetime as dt

from django.urls import reverse
from django.utils import timezone

from cartable.core.models import AuditEvent, Notification
from cartable.directory.models import Guardianship
from cartable.privacy import actions
from cartable.privacy.models import PrivacyRequest, add_months
from tests.support.personas import PersonaTestCase

SUBMIT = reverse("privacy:submit_request")
QUEUE = reverse("privacy:queue")


class DueDateTests(PersonaTestCase):
    def test_a_month_later_is_the_same_day_or_the_months_last(self):
        self.assertEqual(add_months(dt.date(2027, 1, 31), 1), dt.date(2027, 2, 28))
        self.assertEqual(add_months(dt.date(2026, 12, 3), 1), dt.date(2027, 1, 3))
        self.assertEqual(add_months(dt.date(2026, 11, 30), 3), dt.date(2027, 2, 28))


class RequestTests(PersonaTestCase):
    @classmethod
    def setUpTestData(cls):
        super().setUpTestData()
        cls.lucas, cls.emma = cls.people["lucas.martin"], cls.people["emma.martin"]
        Guardianship.objects.create(
            guardian=cls.people["thomas.girard"], student=cls.lucas, relationship="other", legal_responsibility=False
        )

    def submit(self, username, person, body="Ma note de maths du 12 est fausse.", kind="rectification"):
        self.login(username)
        return self.client.post(SUBMIT, {"subject": person.pk, "kind": kind, "body": body})

    def make(self, person=None, username="claire.martin"):
        self.submit(username, person or self.lucas)
        return PrivacyRequest.objects.latest("id")

    def test_who_may_ask_for_lucas(self):
        """Lucas and his mother; a guardian without legal responsibility (or his teacher) is refused in French,
        the text kept; a parent of another establishment is not even told Lucas exists."""
        for who, expected in [
            ("lucas.martin", 302),
            ("claire.martin", 302),
            ("thomas.girard", 400),
            ("sophie.bernard", 400),  # his teacher: she sees him, but asks only for herself and her daughter
            ("nathalie.lambert", 404),
        ]:
            with self.subTest(who=who):
                response = self.submit(who, self.lucas, body=f"Demande de {who}")
                self.assertEqual(response.status_code, expected)
                if expected == 400:
                    page = response.content.decode()
                    self.assertIn("pour un enfant dont vous êtes responsable légal", page)
                    self.assertIn(f"Demande de {who}", page)
        self.assertEqual(PrivacyRequest.objects.count(), 2)

    def test_a_request_is_due_a_month_later_and_its_head_is_told(self):
        request = self.make()
        self.assertEqual(request.due_on, add_months(timezone.localdate(), 1))
        self.assertEqual(request.establishment, self.school.college.establishment)
        self.assertTrue(
            Notification.objects.filter(recipient=self.people["marc.leroy"], kind="privacy.request_received")
        )
        self.assertTrue(
            Notification.objects.filter(recipient=self.people["claire.martin"], kind="privacy.request_updated")
        )
        self.assertTrue(AuditEvent.objects.filter(verb="privacy.submit_request", subject_id=self.lucas.pk))

    def test_who_sees_the_queue_and_the_request(self):
        """The collège's head and the region; not a teacher, the CPE nor a family; the lycée's request is not
        in the collège head's queue."""
        collège = self.make()
        lycée = self.make(self.emma)
        self.assertEqual(lycée.establishment, self.school.lycee.establishment)
        for who, queue, sees_college, sees_lycee in [
            ("marc.leroy", 200, 200, 404),
            ("admin.region", 200, 200, 200),
            ("claire.martin", 404, 200, 200),
            ("paul.dupont", 404, 404, 404),
            ("nadia.petit", 404, 404, 404),
            ("julie.moreau", 404, 404, 404),
            ("thomas.girard", 404, 404, 404),
        ]:
            with self.subTest(who=who):
                self.login(who)
                self.assertEqual(self.client.get(QUEUE).status_code, queue)
                self.assertEqual(
                    self.client.get(reverse("privacy:request", args=[collège.pk])).status_code, sees_college
                )
                self.assertEqual(self.client.get(reverse("privacy:request", args=[lycée.pk])).status_code, sees_lycee)
        self.login("marc.leroy")
        page = self.client.get(QUEUE).content.decode()
        self.assertIn("Lucas Martin", page)
        self.assertNotIn("Emma Martin", page)

    def test_the_head_extends_once_within_the_first_month_telling_why(self):
        request = self.make()
        self.login("marc.leroy")
        url = reverse("privacy:extend_request", args=[request.pk])
        self.assertEqual(self.client.post(url, {"reason": ""}).status_code, 400)
        self.assertEqual(self.client.post(url, {"reason": "Le professeur est absent."}).status_code, 302)
        request.refresh_from_db()
        self.assertEqual(request.status, "extended")
        self.assertEqual(request.due_on, add_months(timezone.localdate(), 3))
        told = Notification.objects.filter(recipient=self.people["claire.martin"], kind="privacy.request_updated")
        self.assertTrue(told.filter(body__contains="Le professeur est absent."))
        self.assertEqual(self.client.post(url, {"reason": "Encore"}).status_code, 400)  # once only

    def test_no_extension_after_the_first_month(self):
        request = self.make()
        PrivacyRequest.objects.filter(pk=request.pk).update(received_at=timezone.now() - dt.timedelta(days=40))
        self.login("marc.leroy")
        response = self.client.post(reverse("privacy:extend_request", args=[request.pk]), {"reason": "Trop tard"})
        self.assertEqual(response.status_code, 400)
        self.assertIn("premier mois", response.content.decode())

    def test_a_refusal_says_why_and_names_the_cnil(self):
        request = self.make()
        self.login("marc.leroy")
        url = reverse("privacy:answer_request", args=[request.pk])
        self.assertEqual(self.client.post(url, {"decision": "refused", "reply": ""}).status_code, 400)
        self.client.post(url, {"decision": "refused", "reply": "La note est juste : copie vérifiée."})
        request.refresh_from_db()
        self.assertEqual((request.status, request.handled_by), ("refused", self.people["marc.leroy"]))
        notice = Notification.objects.filter(
            recipient=self.people["claire.martin"], kind="privacy.request_updated"
        ).latest("id")
        self.assertIn("CNIL", notice.body)
        self.assertIn("copie vérifiée", notice.body)
        self.login("claire.martin")
        self.assertIn("CNIL", self.client.get(reverse("privacy:request", args=[request.pk])).content.decode())
        self.login("marc.leroy")
        self.assertEqual(self.client.post(url, {"decision": "granted", "reply": ""}).status_code, 400)  # closed

    def test_the_requester_cannot_answer_her_own_request(self):
        request = self.make()
        self.login("claire.martin")
        response = self.client.post(reverse("privacy:answer_request", args=[request.pk]), {"decision": "granted"})
        self.assertEqual(response.status_code, 403)

    def test_overdue_requests_are_flagged_in_the_queue(self):
        request = self.make()
        PrivacyRequest.objects.filter(pk=request.pk).update(due_on=timezone.localdate() - dt.timedelta(days=1))
        self.login("marc.leroy")
        self.assertIn("En retard", self.client.get(QUEUE).content.decode())

    def test_the_queue_and_the_list_cost_the_same_with_more_requests(self):
        self.make()
        self.login("marc.leroy")
        self.client.get(QUEUE)
        with self.assertNumQueries(4):
            self.client.get(QUEUE)
        for _ in range(4):
            actions.submit_request(actor=self.actor("claire.martin"), subject=self.lucas, kind="access", body="Tout")
        with self.assertNumQueries(4):
            self.assertEqual(self.client.get(QUEUE).content.decode().count("Accès à mes données"), 4)
        self.login("claire.martin")
        self.client.get(reverse("privacy:requests"))
        with self.assertNumQueries(6):
            self.client.get(reverse("privacy:requests"))


class ReminderTests(PersonaTestCase):
    def test_the_head_is_reminded_the_day_before_and_the_link_opens_the_request(self):
        """At reminder time, a request due tomorrow reaches marc.leroy, whose notice opens it."""
        from cartable.notifications.tasks import remind

        lucas = self.people["lucas.martin"]
        request = actions.submit_request(actor=self.actor("claire.martin"), subject=lucas, kind="access", body="Tout")
        now = timezone.localtime()
        tomorrow = (now + dt.timedelta(days=1)).date()
        PrivacyRequest.objects.filter(pk=request.pk).update(due_on=tomorrow)
        remind(now.replace(hour=18, minute=0))
        notice = Notification.objects.get(kind="privacy.request_due")
        self.assertEqual(notice.recipient, self.people["marc.leroy"])
        self.login("marc.leroy")
        self.assertIn(request.title, self.client.get(notice.url).content.decode())
        remind(now.replace(hour=19, minute=0))  # once a day
        self.assertEqual(Notification.objects.filter(kind="privacy.request_due").count(), 1)
