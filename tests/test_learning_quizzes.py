"""Quizzes: who sees a quiz and an attempt (matrix, both faces), no right answer, weight or feedback in the
attempt's HTML, the order kept on resume, the server's deadline, tampered and replayed saves, grading in
exact decimals, overdue attempts submitted with what was saved, and the pages' pinned query budgets;
accommodations (PAP, PPS): who sets and sees them, what is stored, the deadline honouring the extra time."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

from django.core.exceptions import PermissionDenied
from django.urls import reverse
from django.utils import timezone

from cartable.core import authz
from cartable.core.authz import Action
from cartable.core.models import AuditEvent
from cartable.learning import actions, formats
from cartable.learning.models import Accommodation, Attempt, Category, Quiz, QuizQuestion, Response
from tests.support.personas import EVERYBODY, PersonaTestCase

GIFT = """::Aire::Aire d'un carré de côté 3 ?{=9#SECRET-FEEDBACK-1 ~6#SECRET-FEEDBACK-2 ~12}

::Pi::Pi à 0,01 près ?{#3.14:0.01#SECRET-FEEDBACK-3}

::VF::Un carré est un rectangle.{TRUE#SECRET-WRONG#SECRET-RIGHT}

::Capitale::Capitale de la France ?{=Paris =%50%*aris}

::Paires::Associez.{=1/2 -> 0,5 =1/4 -> 0,25}

::Rédaction::Expliquez.{####SECRET-GENERAL}
"""


def many(n: int) -> str:
    return "\n\n".join(f"::Q{i}::{i} + 1 ?{{=r{i} ~x{i} ~y{i}}}" for i in range(n))


class QuizTestCase(PersonaTestCase):
    @classmethod
    def setUpTestData(cls):
        super().setUpTestData()
        cls.college = cls.school.college.establishment
        cls.five_a = cls.school.college.classes["5e A"]
        paul = cls.people["paul.dupont"]
        actions.import_questions(
            actor=None, owner=paul, establishment_id=cls.college.pk, parsed=formats.parse(GIFT.encode())
        )
        cls.top = Category.objects.get(bank__owner=paul, path="")
        now = timezone.now()
        cls.quiz = actions.create_quiz(
            actor=cls.actor(cls, "paul.dupont", role="teacher", establishment=cls.college),
            category=cls.top,
            school_class=cls.five_a,
            title="Contrôle",
            opens_at=now - dt.timedelta(hours=1),
            closes_at=now + dt.timedelta(days=1),
            time_limit=30,
        )

    def teacher(self):
        return self.actor("paul.dupont", role="teacher", establishment=self.college)

    def slot(self, name: str) -> QuizQuestion:
        return QuizQuestion.objects.select_related("question").get(quiz=self.quiz, question__name=name)


class QuizPolicyTests(QuizTestCase):
    def test_who_sees_the_quiz_and_an_attempt(self):
        """The quiz: paul.dupont and 5e A's students; lucas.martin's attempt: lucas and paul. Nobody else."""
        attempt = actions.start_attempt(actor=self.actor("lucas.martin"), quiz=self.quiz)
        students = {"lucas.martin", "lea.bernard"}
        for who in EVERYBODY:
            with self.subTest(who=who):
                actor = self.actor(who)
                sees_quiz = who in students | {"paul.dupont"}
                self.assertIs(authz.allows(actor, Action.VIEW, self.quiz), sees_quiz)
                self.assertIs(Quiz.objects.visible_to(actor).filter(pk=self.quiz.pk).exists(), sees_quiz)
                sees_attempt = who in {"lucas.martin", "paul.dupont"}
                self.assertIs(authz.allows(actor, Action.VIEW, attempt), sees_attempt)
                self.assertIs(Attempt.objects.visible_to(actor).filter(pk=attempt.pk).exists(), sees_attempt)
                self.assertIs(authz.allows(actor, Action.CHANGE, attempt), who == "lucas.martin")

    def test_another_students_attempt_is_the_same_404_as_a_missing_one(self):
        attempt = actions.start_attempt(actor=self.actor("lucas.martin"), quiz=self.quiz)
        self.login("lea.bernard")
        self.assertEqual(self.client.get(reverse("learning:attempt", args=[attempt.pk])).status_code, 404)
        self.assertEqual(self.client.get(reverse("learning:attempt", args=[999999])).status_code, 404)


class AttemptTests(QuizTestCase):
    def test_the_attempt_page_shows_no_right_answer_weight_or_feedback(self):
        self.login("lucas.martin")
        response = self.client.post(reverse("learning:quiz_start", args=[self.quiz.pk]))
        attempt = Attempt.objects.get(student=self.people["lucas.martin"])
        self.assertRedirects(response, reverse("learning:attempt", args=[attempt.pk]))
        page = self.client.get(reverse("learning:attempt", args=[attempt.pk])).content.decode()
        self.assertIn("Aire d'un carré de côté 3 ?", page)
        for secret in ("SECRET", "fraction", "100", "3.14", "Paris", "*aris", "tolerance"):
            self.assertNotIn(secret, page)
        self.assertIn("0,5", page)  # a matching answer is a choice offered to all

    def test_the_order_drawn_at_the_start_is_kept_on_resume(self):
        lucas = self.actor("lucas.martin")
        first = actions.start_attempt(actor=lucas, quiz=self.quiz)
        again = actions.start_attempt(actor=lucas, quiz=self.quiz)
        self.assertEqual((again.pk, again.order), (first.pk, first.order))
        self.assertEqual(len(first.order), 6)
        self.assertEqual(AuditEvent.objects.filter(verb="learning.start_attempt").count(), 1)

    def test_the_deadline_is_the_servers_and_a_late_save_is_refused(self):
        lucas = self.actor("lucas.martin")
        now = timezone.now()
        attempt = actions.start_attempt(actor=lucas, quiz=self.quiz, now=now)
        self.assertEqual(attempt.deadline, now + dt.timedelta(minutes=30))
        pi = self.slot("Pi")
        actions.save_response(actor=lucas, attempt=attempt, slot_id=pi.pk, value="3.14", sequence=1, now=now)
        with self.assertRaisesMessage(ValueError, "Le temps est écoulé"):
            actions.save_response(
                actor=lucas, attempt=attempt, slot_id=pi.pk, value="9", sequence=2, now=now + dt.timedelta(minutes=31)
            )
        self.assertEqual(Response.objects.get(attempt=attempt, slot=pi).value, "3.14")  # nothing saved is lost

    def test_tampered_and_replayed_saves(self):
        lucas = self.actor("lucas.martin")
        attempt = actions.start_attempt(actor=lucas, quiz=self.quiz)
        area = self.slot("Aire")
        other = QuizQuestion.objects.get(quiz=self.quiz, question__name="Pi").question.answers.first()
        with self.assertRaisesMessage(ValueError, "ne correspond pas"):
            actions.save_response(actor=lucas, attempt=attempt, slot_id=area.pk, value=other.pk, sequence=1)
        with self.assertRaisesMessage(ValueError, "pas celle de votre quiz"):
            actions.save_response(actor=lucas, attempt=attempt, slot_id=999999, value="x", sequence=1)
        nine, six = list(area.question.answers.all())[:2]
        actions.save_response(actor=lucas, attempt=attempt, slot_id=area.pk, value=nine.pk, sequence=20)
        actions.save_response(actor=lucas, attempt=attempt, slot_id=area.pk, value=six.pk, sequence=10)  # older
        self.assertEqual(Response.objects.get(attempt=attempt, slot=area).value, nine.pk)
        with self.assertRaises(PermissionDenied):
            actions.save_response(
                actor=self.actor("lea.bernard"), attempt=attempt, slot_id=area.pk, value=nine.pk, sequence=30
            )

    def test_grading_in_exact_decimals_through_the_page(self):
        """Right area (1), pi within tolerance (1), wrong true/false (0), « *aris » (0.5), one pair of two
        (0.5), the essay waits for the teacher (0): 3 points."""
        self.login("lucas.martin")
        self.client.post(reverse("learning:quiz_start", args=[self.quiz.pk]))
        attempt = Attempt.objects.get(student=self.people["lucas.martin"])
        area, pairs = self.slot("Aire"), self.slot("Paires")
        nine = area.question.answers.get(text="9")
        half, quarter = list(pairs.question.pairs.all())
        data = {
            f"q{area.pk}": str(nine.pk),
            f"q{self.slot('Pi').pk}": "3,145",
            f"q{self.slot('VF').pk}": "false",
            f"q{self.slot('Capitale').pk}": "Lutèce-aris",
            f"q{pairs.pk}_{half.pk}": "0,5",
            f"q{pairs.pk}_{quarter.pk}": "0,5",
            f"q{self.slot('Rédaction').pk}": "Parce que.",
            "submit": "",
        }
        self.client.post(reverse("learning:attempt", args=[attempt.pk]), data)
        attempt.refresh_from_db()
        self.assertEqual(attempt.score, Decimal("3"))
        self.assertIsNotNone(attempt.submitted_at)
        self.login("paul.dupont")
        self.assertContains(self.client.get(reverse("learning:quiz_results", args=[self.quiz.pk])), "Lucas")

    def test_an_overdue_attempt_is_submitted_with_what_was_saved(self):
        lucas = self.actor("lucas.martin")
        now = timezone.now()
        attempt = actions.start_attempt(actor=lucas, quiz=self.quiz, now=now)
        area = self.slot("Aire")
        right = area.question.answers.get(text="9")
        actions.save_response(actor=lucas, attempt=attempt, slot_id=area.pk, value=right.pk, sequence=1, now=now)
        self.assertEqual(actions.submit_overdue(now + dt.timedelta(minutes=40)), 1)
        attempt.refresh_from_db()
        self.assertEqual((attempt.score, attempt.submitted_at), (Decimal(1), attempt.deadline))

    def test_the_autosave_answers_without_a_page(self):
        self.login("lucas.martin")
        self.client.post(reverse("learning:quiz_start", args=[self.quiz.pk]))
        attempt = Attempt.objects.get(student=self.people["lucas.martin"])
        url = reverse("learning:attempt", args=[attempt.pk])
        pi = self.slot("Pi")
        response = self.client.post(url, {f"q{pi.pk}": "3.1", "sequence": "5"}, headers={"X-Autosave": "1"})
        self.assertEqual(response.status_code, 204)
        self.assertEqual(Response.objects.get(attempt=attempt, slot=pi).value, "3.1")


class GradebookTests(QuizTestCase):
    def test_results_go_to_the_gradebook_once_with_nr_for_who_did_not_submit(self):
        from cartable.grades.models import Evaluation, Mark

        lucas = self.actor("lucas.martin")
        attempt = actions.start_attempt(actor=lucas, quiz=self.quiz)
        area = self.slot("Aire")
        actions.save_response(
            actor=lucas, attempt=attempt, slot_id=area.pk, value=area.question.answers.get(text="9").pk, sequence=1
        )
        actions.submit_attempt(actor=lucas, attempt=attempt)
        self.login("paul.dupont")
        response = self.client.post(reverse("learning:quiz_publish", args=[self.quiz.pk]))
        self.assertRedirects(response, reverse("learning:quiz_results", args=[self.quiz.pk]))
        self.quiz.refresh_from_db()
        evaluation = Evaluation.objects.get(pk=self.quiz.evaluation_id)
        self.assertEqual(
            (evaluation.title, evaluation.subject.code, evaluation.scale), ("Contrôle", "MATH", Decimal(20))
        )
        marks = {
            m.student.username: (m.value, m.code)
            for m in Mark.objects.filter(evaluation=evaluation).select_related("student")
        }
        self.assertEqual(marks["lucas.martin"], (Decimal("3.33"), ""))  # 1 point of 6, on 20, rounded half up
        self.assertEqual(marks["lea.bernard"], (None, "NR"))
        with self.assertRaisesMessage(ValueError, "déjà dans le carnet"):
            actions.publish_results(
                actor=self.actor("paul.dupont", role="teacher", establishment=self.college), quiz=self.quiz
            )
        self.assertTrue(AuditEvent.objects.filter(verb="learning.publish_results").exists())

    def test_only_the_quizs_teacher_publishes(self):
        self.login("sophie.bernard")
        self.assertEqual(self.client.post(reverse("learning:quiz_publish", args=[self.quiz.pk])).status_code, 404)


class QuizBudgetTests(PersonaTestCase):
    def test_the_attempt_page_costs_the_same_with_3_or_40_questions(self):
        college = self.school.college.establishment
        paul = self.people["paul.dupont"]
        teacher = self.actor("paul.dupont", role="teacher", establishment=college)
        for n in (3, 40):
            text = f"$CATEGORY: $course$/top/Q{n}\n\n{many(n)}"
            actions.import_questions(
                actor=None, owner=paul, establishment_id=college.pk, parsed=formats.parse(text.encode())
            )
            now = timezone.now()
            quiz = actions.create_quiz(
                actor=teacher,
                category=Category.objects.get(bank__owner=paul, path=f"Q{n}"),
                school_class=self.school.college.classes["5e A"],
                title=f"Quiz {n}",
                opens_at=now - dt.timedelta(hours=1),
                closes_at=now + dt.timedelta(hours=1),
            )
            attempt = actions.start_attempt(actor=self.actor("lucas.martin"), quiz=quiz)
            self.login("lucas.martin")
            url = reverse("learning:attempt", args=[attempt.pk])
            self.client.get(url)
            with self.assertNumQueries(ATTEMPT_PAGE_QUERIES):
                self.assertEqual(self.client.get(url).status_code, 200)
            with self.assertNumQueries(QUIZ_LIST_QUERIES):
                self.client.get(reverse("learning:quizzes"))
            answers = {f"q{slot_id}": str(ids[0]) for slot_id, ids in attempt.order}  # every question answered
            for sequence, budget in ((1, SAVE_NEW_QUERIES), (2, SAVE_AGAIN_QUERIES)):
                with self.subTest(n=n, sequence=sequence), self.assertNumQueries(budget):
                    saved = self.client.post(url, answers | {"sequence": str(sequence)}, headers={"X-Autosave": "1"})
                self.assertEqual(saved.status_code, 204)
            self.assertEqual(Response.objects.filter(attempt=attempt).count(), n)


ATTEMPT_PAGE_QUERIES = 9
# An answer save, every question posted: the same with 3 or 40 (inserted together, then updated together).
SAVE_NEW_QUERIES = 18
SAVE_AGAIN_QUERIES = 18
QUIZ_LIST_QUERIES = 7  # with the student's accommodation (how many attempts are left)


# --- accommodations -------------------------------------------------------------------------------------------
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
