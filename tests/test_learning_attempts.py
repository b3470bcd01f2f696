"""Several attempts per quiz and which one counts, the extra attempts of an accommodation, essays graded by
hand (their page, who reaches it, the gradebook waiting for them), the review at Moodle's moments (nothing
before its time), the timer's markup, and the accommodations page of the direction, vie scolaire and ENT
admin, with their pinned query budgets."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

from django.core.exceptions import PermissionDenied
from django.urls import reverse
from django.utils import timezone

from cartable.core.models import AuditEvent
from cartable.learning import actions, formats, grading, queries
from cartable.learning.models import Accommodation, Attempt, Category, Quiz, QuizQuestion
from tests.support.personas import EVERYBODY, PersonaTestCase

GIFT = """::Aire::Aire d'un carré de côté 3 ?{=9#BIEN-VU ~6#PERDU ~12####COMMENTAIRE-GENERAL}

::Rédaction::Expliquez pourquoi.{}
"""

SETTERS = {"julie.moreau", "nadia.petit", "marc.leroy"}  # ENT admin, vie scolaire, direction


class AttemptsTestCase(PersonaTestCase):
    @classmethod
    def setUpTestData(cls):
        super().setUpTestData()
        cls.college = cls.school.college.establishment
        paul = cls.people["paul.dupont"]
        actions.import_questions(
            actor=None, owner=paul, establishment_id=cls.college.pk, parsed=formats.parse(GIFT.encode())
        )
        now = timezone.now()
        cls.quiz = actions.create_quiz(
            actor=cls.actor(cls, "paul.dupont", role="teacher", establishment=cls.college),
            category=Category.objects.get(bank__owner=paul, path=""),
            school_class=cls.school.college.classes["5e A"],
            title="Entraînement",
            opens_at=now - dt.timedelta(hours=1),
            closes_at=now + dt.timedelta(days=1),
            max_attempts=2,
            grading=Quiz.Grading.LAST,
        )
        cls.area = QuizQuestion.objects.select_related("question").get(quiz=cls.quiz, question__name="Aire")
        cls.essay = QuizQuestion.objects.get(quiz=cls.quiz, question__name="Rédaction")

    def teacher(self):
        return self.actor("paul.dupont", role="teacher", establishment=self.college)

    def take(self, who: str, *, right: bool, essay: str = "") -> Attempt:
        """One attempt of ``who``, the area answered right or wrong, the essay written or not, submitted."""
        student = self.actor(who)
        attempt = actions.start_attempt(actor=student, quiz=self.quiz)
        answer = self.area.question.answers.get(text="9" if right else "6")
        actions.save_response(actor=student, attempt=attempt, slot_id=self.area.pk, value=answer.pk, sequence=1)
        if essay:
            actions.save_response(actor=student, attempt=attempt, slot_id=self.essay.pk, value=essay, sequence=2)
        return actions.submit_attempt(actor=student, attempt=attempt)


class SeveralAttemptsTests(AttemptsTestCase):
    def test_two_attempts_then_none_and_an_accommodation_gives_one_more(self):
        first = self.take("lucas.martin", right=True)
        second = self.take("lucas.martin", right=False)
        self.assertEqual(
            ([first.number, second.number], first.order != [], second.pk != first.pk), ([1, 2], True, True)
        )
        with self.assertRaisesMessage(ValueError, "toutes vos tentatives"):
            actions.start_attempt(actor=self.actor("lucas.martin"), quiz=self.quiz)
        actions.set_accommodation(
            actor=self.actor("nadia.petit"),
            student=self.people["lucas.martin"],
            extra_minutes_per_hour=0,
            extra_attempts=1,
        )
        third = actions.start_attempt(actor=self.actor("lucas.martin"), quiz=self.quiz)
        self.assertEqual(third.number, 3)
        self.assertEqual(actions.start_attempt(actor=self.actor("lucas.martin"), quiz=self.quiz).pk, third.pk)

    def test_the_student_page_offers_to_start_again_while_attempts_are_left(self):
        self.login("lucas.martin")
        self.take("lucas.martin", right=False)
        page = self.client.get(reverse("learning:quizzes")).content.decode()
        self.assertIn("Recommencer", page)
        self.assertIn("1 tentative restante", page)
        self.take("lucas.martin", right=True)
        page = self.client.get(reverse("learning:quizzes")).content.decode()
        self.assertNotIn("Recommencer", page)
        response = self.client.post(reverse("learning:quiz_start", args=[self.quiz.pk]), follow=True)
        self.assertContains(response, "toutes vos tentatives")
        self.assertEqual(Attempt.objects.filter(quiz=self.quiz).count(), 2)

    def test_which_attempt_counts(self):
        """Against a plain reference: scores 2, 5, 3 in the order taken."""
        scores = [Decimal(2), Decimal(5), Decimal(3)]
        expected = {"best": Decimal(5), "last": Decimal(3), "first": Decimal(2), "average": Decimal(10) / 3}
        for method in Quiz.Grading.values:
            with self.subTest(method=method):
                self.assertEqual(grading.counted(scores, method), expected[method])
                self.assertIsNone(grading.counted([], method))

    def test_the_last_attempt_goes_to_the_gradebook(self):
        from cartable.grades.models import Mark

        self.take("lucas.martin", right=True)
        self.take("lucas.martin", right=False)  # « la dernière » counts: 0 of 2
        self.take("lea.bernard", right=True)
        evaluation = actions.publish_results(actor=self.teacher(), quiz=self.quiz)
        marks = dict(Mark.objects.filter(evaluation_id=evaluation).values_list("student__username", "value"))
        self.assertEqual((marks["lucas.martin"], marks["lea.bernard"]), (Decimal("0.00"), Decimal("10.00")))


class EssayTests(AttemptsTestCase):
    def test_an_essay_waits_for_the_teacher_and_the_gradebook_waits_for_it(self):
        attempt = self.take("lucas.martin", right=True, essay="Parce que le côté est 3.")
        self.assertEqual((attempt.score, attempt.to_grade), (Decimal(1), True))
        with self.assertRaisesMessage(ValueError, "1 tentative a une composition à corriger"):
            actions.publish_results(actor=self.teacher(), quiz=self.quiz)
        self.login("paul.dupont")
        results = self.client.get(reverse("learning:quiz_results", args=[self.quiz.pk]))
        url = reverse("learning:attempt_grade", args=[attempt.pk])
        self.assertContains(results, url)
        page = self.client.get(url)
        self.assertContains(page, "Parce que le côté est 3.")
        refused = self.client.post(url, {f"mark{self.essay.pk}": "3"})  # the essay is worth 1
        self.assertEqual(refused.status_code, 400)
        self.assertContains(refused, "inférieure ou égale à 1", status_code=400)
        self.assertContains(refused, 'value="3"', status_code=400)  # what was typed stays
        self.assertRedirects(
            self.client.post(url, {f"mark{self.essay.pk}": "0,5"}),
            reverse("learning:quiz_results", args=[self.quiz.pk]),
        )
        attempt.refresh_from_db()
        self.assertEqual((attempt.score, attempt.to_grade), (Decimal("1.5"), False))
        event = AuditEvent.objects.get(verb="learning.grade_essays")
        self.assertEqual(event.after[str(self.essay.pk)], "0.5")
        self.assertTrue(AuditEvent.objects.filter(verb="learning.view_attempt", subject_id=attempt.student_id).exists())
        actions.publish_results(actor=self.teacher(), quiz=self.quiz)
        with self.assertRaisesMessage(ValueError, "corrigez la note dans sa grille"):
            actions.grade_essays(actor=self.teacher(), attempt=attempt, marks={self.essay.pk: Decimal(1)})

    def test_an_unanswered_essay_needs_no_grading_and_only_essays_are_graded_by_hand(self):
        attempt = self.take("lucas.martin", right=False)
        self.assertFalse(attempt.to_grade)
        with self.assertRaisesMessage(ValueError, "Seules les compositions"):
            actions.grade_essays(actor=self.teacher(), attempt=attempt, marks={self.area.pk: Decimal(1)})

    def test_who_reaches_the_grading_page(self):
        """The quiz's teacher alone; the student whose attempt it is gets the same 404 as anybody else."""
        attempt = self.take("lucas.martin", right=True, essay="Texte.")
        url = reverse("learning:attempt_grade", args=[attempt.pk])
        for who in EVERYBODY:
            with self.subTest(who=who):
                self.login(who)
                self.assertEqual(self.client.get(url).status_code, 200 if who == "paul.dupont" else 404)
        with self.assertRaises(PermissionDenied):
            actions.grade_essays(actor=self.actor("lucas.martin"), attempt=attempt, marks={self.essay.pk: Decimal(1)})

    def test_the_grading_page_and_the_results_have_a_pinned_budget(self):
        self.login("paul.dupont")
        attempt = self.take("lucas.martin", right=True, essay="Texte.")
        url = reverse("learning:attempt_grade", args=[attempt.pk])
        results = reverse("learning:quiz_results", args=[self.quiz.pk])
        self.client.get(url)
        with self.assertNumQueries(GRADING_PAGE_QUERIES):
            self.client.get(url)
        with self.assertNumQueries(RESULTS_QUERIES):
            self.client.get(results)
        for who in ("lea.bernard", "lucas.martin"):
            self.take(who, right=False, essay="Encore.")
        with self.assertNumQueries(RESULTS_QUERIES):
            self.client.get(results)


GRADING_PAGE_QUERIES = 7
RESULTS_QUERIES = 5


class AccommodationPageTests(AttemptsTestCase):
    def test_who_opens_the_page(self):
        url = reverse("learning:accommodations")
        for who in EVERYBODY:
            with self.subTest(who=who):
                self.login(who)
                self.assertEqual(self.client.get(url).status_code, 200 if who in SETTERS else 404)

    def test_the_vie_scolaire_grants_changes_and_removes_an_accommodation(self):
        self.login("nadia.petit")
        url = reverse("learning:accommodations")
        lucas = self.people["lucas.martin"]
        data = {"student": lucas.pk, "extra_minutes_per_hour": "20", "extra_attempts": "1"}
        self.assertRedirects(self.client.post(url, data), url)
        found = Accommodation.objects.get(student=lucas)
        self.assertEqual((found.extra_minutes_per_hour, found.extra_attempts), (20, 1))
        page = self.client.get(url)
        self.assertContains(page, "20 minutes par heure")
        self.assertTrue(AuditEvent.objects.filter(verb="learning.view_accommodations", subject_id=lucas.pk).exists())
        edit = self.client.get(url, {"eleve": lucas.pk})
        self.assertContains(edit, f'<option value="{lucas.pk}" selected>')
        refused = self.client.post(url, {**data, "extra_minutes_per_hour": "500"})
        self.assertContains(refused, "inférieure ou égale à 120", status_code=400)
        self.assertContains(refused, 'value="500"', status_code=400)
        self.client.post(url, {**data, "extra_minutes_per_hour": "0", "extra_attempts": "0"})
        self.assertFalse(Accommodation.objects.filter(student=lucas).exists())

    def test_a_teacher_or_a_student_of_elsewhere_is_not_offered(self):
        self.login("nadia.petit")
        response = self.client.post(
            reverse("learning:accommodations"),
            {"student": self.people["paul.dupont"].pk, "extra_minutes_per_hour": "20", "extra_attempts": "0"},
        )
        self.assertContains(response, "Sélectionnez un choix valide", status_code=400)
        self.assertFalse(Accommodation.objects.exists())

    def test_the_page_costs_the_same_with_one_or_three_accommodations(self):
        self.login("marc.leroy")
        url = reverse("learning:accommodations")
        setter = self.actor("marc.leroy")
        actions.set_accommodation(actor=setter, student=self.people["lucas.martin"])
        self.client.get(url)
        with self.assertNumQueries(ACCOMMODATIONS_QUERIES):
            self.client.get(url)
        for who in ("lea.bernard", "ines.girard"):
            actions.set_accommodation(actor=setter, student=self.people[who], extra_attempts=2)
        with self.assertNumQueries(ACCOMMODATIONS_QUERIES):
            self.client.get(url)


ACCOMMODATIONS_QUERIES = 6


class ReviewTests(AttemptsTestCase):
    def test_the_moments(self):
        attempt = self.take("lucas.martin", right=True)
        at = attempt.submitted_at
        self.assertEqual(queries.review_moment(attempt, at + dt.timedelta(seconds=119)), "immediately")
        self.assertEqual(queries.review_moment(attempt, at + dt.timedelta(minutes=3)), "open")
        self.assertEqual(queries.review_moment(attempt, self.quiz.closes_at + dt.timedelta(minutes=1)), "closed")
        under_way = actions.start_attempt(actor=self.actor("lucas.martin"), quiz=self.quiz)
        self.assertIsNone(queries.review_moment(under_way))
        self.assertEqual(queries.review_shows(under_way), frozenset())

    def test_nothing_before_its_time_then_what_the_teacher_chose(self):
        """Right after: the mark only (the default); after the close: right answers and feedback too."""
        self.login("lucas.martin")
        attempt = self.take("lucas.martin", right=False)
        url = reverse("learning:attempt", args=[attempt.pk])
        page = self.client.get(url).content.decode()
        self.assertIn("Votre note : 0 sur 2.", page)
        for secret in ("BIEN-VU", "PERDU", "COMMENTAIRE-GENERAL", "Bonne réponse"):
            self.assertNotIn(secret, page)
        now = timezone.now()
        Attempt.objects.filter(pk=attempt.pk).update(submitted_at=now - dt.timedelta(minutes=10))
        Quiz.objects.filter(pk=self.quiz.pk).update(
            closes_at=now - dt.timedelta(minutes=1), review={"closed": ["right", "feedback"]}
        )
        self.client.get(url)
        with self.assertNumQueries(REVIEW_PAGE_QUERIES):
            page = self.client.get(url).content.decode()
        for shown in ("PERDU", "COMMENTAIRE-GENERAL", "Bonne réponse"):
            self.assertIn(shown, page)
        self.assertNotIn("BIEN-VU", page)  # the feedback of an answer not given
        self.assertNotIn("Votre note", page)  # marks not chosen for this moment

    def test_the_teacher_chooses_the_review_in_the_quiz_form(self):
        self.login("paul.dupont")
        category = Category.objects.get(bank__owner=self.people["paul.dupont"], path="")
        url = reverse("learning:quiz_new") + f"?categorie={category.pk}"
        form = self.client.get(url)
        self.assertContains(form, "après la fermeture du quiz")
        now = timezone.localtime()
        data = {
            "title": "Relecture",
            "school_class": self.school.college.classes["5e A"].pk,
            "opens_at": now.strftime("%Y-%m-%dT%H:%M"),
            "closes_at": (now + dt.timedelta(days=1)).strftime("%Y-%m-%dT%H:%M"),
            "max_attempts": "3",
            "grading": "average",
            "review_immediately": ["marks", "feedback"],
            "review_closed": ["right"],
        }
        self.client.post(url, data)
        quiz = Quiz.objects.get(title="Relecture")
        self.assertEqual((quiz.max_attempts, quiz.grading), (3, "average"))
        self.assertEqual(quiz.review, {"immediately": ["marks", "feedback"], "open": [], "closed": ["right"]})
        with self.assertRaisesMessage(ValueError, "options de relecture"):
            actions.create_quiz(
                actor=self.teacher(),
                category=category,
                school_class=self.school.college.classes["5e A"],
                title="x",
                opens_at=now,
                closes_at=now + dt.timedelta(days=1),
                review={"during": ["right"]},
            )

    def test_the_timer_is_there_for_a_timed_quiz_only(self):
        self.login("lucas.martin")
        attempt = actions.start_attempt(actor=self.actor("lucas.martin"), quiz=self.quiz)
        page = self.client.get(reverse("learning:attempt", args=[attempt.pk])).content.decode()
        self.assertNotIn('role="timer"', page)
        Quiz.objects.filter(pk=self.quiz.pk).update(time_limit=30)
        Attempt.objects.filter(pk=attempt.pk).update(deadline=timezone.now() + dt.timedelta(minutes=30))
        page = self.client.get(reverse("learning:attempt", args=[attempt.pk])).content.decode()
        self.assertIn('role="timer"', page)
        self.assertIn('aria-live="polite" id="timer-status"', page)
        self.assertIn("Il reste 5 minutes.", page)
        seconds = int(page.split('data-seconds="')[1].split('"')[0])
        self.assertTrue(1790 <= seconds <= 1800, seconds)


REVIEW_PAGE_QUERIES = 9
