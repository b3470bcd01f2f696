"""Accommodations (PAP, PPS): who sets them (matrix, both faces of the policy), what is stored (what is
granted, never why), audited, and the attempt's server deadline honouring the extra time, capped by the
quiz's close."""

from __future__ import annotations

import datetime as dt

from django.core.exceptions import PermissionDenied
from django.utils import timezone

from cartable.core import authz
from cartable.core.authz import Action
from cartable.core.models import AuditEvent
from cartable.learning import actions
from cartable.learning.models import Accommodation
from tests.support.personas import EVERYBODY
from tests.test_learning_quizzes import QuizTestCase

SETTERS = {"julie.moreau", "nadia.petit", "marc.leroy"}  # ENT admin, vie scolaire, direction


class AccommodationPolicyTests(QuizTestCase):
    def test_who_sets_an_accommodation(self):
        """The direction, the vie scolaire and the ENT administrator set it; nobody else does."""
        lucas = self.people["lucas.martin"]
        for who in EVERYBODY:
            with self.subTest(who=who):
                actor = self.actor(who)
                self.assertIs(authz.can(actor, "learning.grant_accommodation"), who in SETTERS)
                if who in SETTERS:
                    found = actions.set_accommodation(actor=actor, student=lucas)
                    self.assertEqual((found.extra_minutes_per_hour, found.extra_attempts), (20, 0))
                else:
                    with self.assertRaises(PermissionDenied):
                        actions.set_accommodation(actor=actor, student=lucas)

    def test_who_sees_an_accommodation(self):
        accommodation = actions.set_accommodation(
            actor=self.actor("julie.moreau"), student=self.people["lucas.martin"], extra_attempts=1
        )
        for who in EVERYBODY:
            with self.subTest(who=who):
                actor = self.actor(who)
                sees = who in SETTERS | {"lucas.martin"}
                self.assertIs(authz.allows(actor, Action.VIEW, accommodation), sees)
                self.assertIs(Accommodation.objects.visible_to(actor).filter(pk=accommodation.pk).exists(), sees)
                self.assertIs(authz.allows(actor, Action.CHANGE, accommodation), who in SETTERS)

    def test_only_a_student_of_the_establishment_and_only_what_is_granted(self):
        julie = self.actor("julie.moreau")
        with self.assertRaises(PermissionDenied):
            actions.set_accommodation(actor=julie, student=self.people["paul.dupont"])
        with self.assertRaisesMessage(ValueError, "de 0 à 120 minutes"):
            actions.set_accommodation(actor=julie, student=self.people["lucas.martin"], extra_minutes_per_hour=500)
        actions.set_accommodation(actor=julie, student=self.people["lucas.martin"], extra_minutes_per_hour=30)
        fields = {f.name for f in Accommodation._meta.get_fields()}
        self.assertEqual(
            fields,
            {"id", "establishment", "student", "extra_minutes_per_hour", "extra_attempts", "updated_at"},
        )
        self.assertIsNone(
            actions.set_accommodation(
                actor=julie, student=self.people["lucas.martin"], extra_minutes_per_hour=0, extra_attempts=0
            )
        )
        self.assertFalse(Accommodation.objects.exists())
        events = AuditEvent.objects.filter(verb="learning.set_accommodation").order_by("pk")
        self.assertEqual([e.after["minutes"] for e in events], [30, 0])


class DeadlineTests(QuizTestCase):
    def test_a_tiers_temps_students_deadline_is_four_thirds_of_the_time_limit(self):
        """paul.dupont cannot set it, but his 30-minute quiz gives lucas 40 minutes and lea 30."""
        with self.assertRaises(PermissionDenied):
            actions.set_accommodation(actor=self.teacher(), student=self.people["lucas.martin"])
        actions.set_accommodation(actor=self.actor("nadia.petit"), student=self.people["lucas.martin"])
        now = timezone.now()
        lucas = actions.start_attempt(actor=self.actor("lucas.martin"), quiz=self.quiz, now=now)
        lea = actions.start_attempt(actor=self.actor("lea.bernard"), quiz=self.quiz, now=now)
        self.assertEqual(lucas.deadline - now, dt.timedelta(minutes=30) * 4 / 3)
        self.assertEqual(lea.deadline - now, dt.timedelta(minutes=30))

    def test_the_extra_time_stops_at_the_close(self):
        actions.set_accommodation(actor=self.actor("nadia.petit"), student=self.people["lucas.martin"])
        now = self.quiz.closes_at - dt.timedelta(minutes=35)
        attempt = actions.start_attempt(actor=self.actor("lucas.martin"), quiz=self.quiz, now=now)
        self.assertEqual(attempt.deadline, self.quiz.closes_at)
