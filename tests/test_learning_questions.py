"""Editing a question in a form: every type, the importers' rules with their French messages, what was typed
kept on an error, answers changed in place (an attempt's order keeps pointing at them), who may edit, and
the page's pinned query budget."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

from django.urls import reverse
from django.utils import timezone

from cartable.core.models import AuditEvent
from cartable.learning import actions, formats
from cartable.learning.models import Category, Question
from tests.support.personas import EVERYBODY, PersonaTestCase

GIFT = """::Aire::Aire d'un carré de côté 3 ?{=9#Bien. ~6#Non. ~12}

::VF::Un carré est un rectangle.{TRUE#Non#Oui}

::Capitale::Capitale de la France ?{=Paris =%50%*aris}

::Pi::Pi à 0,01 près ?{#3.14:0.01}

::Paires::Associez.{=1/2 -> 0,5 =1/4 -> 0,25}

::Rédaction::Expliquez.{}

::Intro::Voici une description.
"""


def rows(prefix: str, lines: list[dict[str, str]], initial: int) -> dict[str, str]:
    """A formset's POST: its management form and its rows."""
    data = {
        f"{prefix}-TOTAL_FORMS": str(len(lines)),
        f"{prefix}-INITIAL_FORMS": str(initial),
        f"{prefix}-MIN_NUM_FORMS": "0",
        f"{prefix}-MAX_NUM_FORMS": "50",
    }
    for i, line in enumerate(lines):
        data |= {f"{prefix}-{i}-{key}": value for key, value in line.items()}
    return data


class QuestionEditTests(PersonaTestCase):
    @classmethod
    def setUpTestData(cls):
        super().setUpTestData()
        cls.college = cls.school.college.establishment
        actions.import_questions(
            actor=None,
            owner=cls.people["paul.dupont"],
            establishment_id=cls.college.pk,
            parsed=formats.parse(GIFT.encode()),
        )

    def setUp(self):
        self.login("paul.dupont")

    def question(self, name: str) -> Question:
        return Question.objects.get(name=name)

    def url(self, name: str) -> str:
        return reverse("learning:question_edit", args=[self.question(name).pk])

    def base(self, name: str, **more) -> dict[str, str]:
        return {"name": name, "text": f"{name} ?", "text_format": "moodle", "default_mark": "2", **more}

    def test_a_multiple_choice_question_changed_in_place(self):
        question = self.question("Aire")
        ids = list(question.answers.values_list("pk", flat=True))
        page = self.client.get(self.url("Aire"))
        self.assertContains(page, 'value="Bien."')
        data = self.base("Aire", single="on", shuffle="on") | rows(
            "answer",
            [
                {"text": "9", "fraction": "100", "feedback": "Oui"},
                {"text": "6", "fraction": "-33,33333", "feedback": ""},
                {"text": "12", "fraction": "0", "feedback": ""},
                {"text": "", "fraction": "", "feedback": ""},
            ],
            3,
        )
        self.assertRedirects(self.client.post(self.url("Aire"), data), reverse("learning:question", args=[question.pk]))
        question.refresh_from_db()
        answers = list(question.answers.all())
        self.assertEqual([a.pk for a in answers], ids)
        self.assertEqual([a.fraction for a in answers], [Decimal(100), Decimal("-33.33333"), Decimal(0)])
        self.assertEqual((question.default_mark, question.text), (Decimal(2), "Aire ?"))
        self.assertTrue(AuditEvent.objects.filter(verb="learning.update_question").exists())

    def test_no_right_answer_is_refused_in_french_and_what_was_typed_stays(self):
        data = self.base("Aire", single="on") | rows(
            "answer",
            [{"text": "neuf", "fraction": "0"}, {"text": "six", "fraction": "0"}, {"text": "douze", "fraction": "50"}],
            3,
        )
        response = self.client.post(self.url("Aire"), data)
        self.assertContains(response, "La question « Aire » n&#x27;a aucune réponse valant 100 %.", status_code=400)
        for typed in ('value="neuf"', 'value="douze"', "Aire ?"):
            self.assertContains(response, typed, status_code=400)
        self.assertEqual(self.question("Aire").answers.first().text, "9")
        bad = self.client.post(self.url("Aire"), data | {"answer-0-fraction": "abc"})
        self.assertContains(bad, "Saisissez un nombre.", status_code=400)

    def test_every_other_type(self):
        cases = {
            "VF": self.base("VF", truth="false", feedback_true="Hélas", feedback_false="Bravo"),
            "Capitale": self.base("Capitale", case_sensitive="on")
            | rows("answer", [{"text": "Paris", "fraction": "100"}, {"text": "Lutèce", "fraction": "50"}], 2),
            "Pi": self.base("Pi") | rows("answer", [{"text": "3.14", "fraction": "100", "tolerance": "0,005"}], 1),
            "Paires": self.base("Paires", shuffle="on")
            | rows("pair", [{"text": "1/2", "answer": "0,5"}, {"text": "3/4", "answer": "0,75"}], 2),
            "Rédaction": self.base("Rédaction"),
            "Intro": {"name": "Intro", "text": "Une autre description.", "text_format": "plain"},
        }
        for name, data in cases.items():
            with self.subTest(name=name):
                response = self.client.post(self.url(name), data)
                self.assertEqual(response.status_code, 302, response.content.decode()[-3000:])
        truth = {a.text: (a.fraction, a.feedback) for a in self.question("VF").answers.all()}
        self.assertEqual(truth, {"true": (Decimal(0), "Hélas"), "false": (Decimal(100), "Bravo")})
        self.assertTrue(self.question("Capitale").case_sensitive)
        self.assertEqual(self.question("Pi").answers.get().tolerance, Decimal("0.005"))
        self.assertEqual([p.answer for p in self.question("Paires").pairs.all()], ["0,5", "0,75"])
        self.assertEqual(self.question("Intro").text_format, "plain")

    def test_the_importers_rules_apply(self):
        one_pair = self.base("Paires") | rows("pair", [{"text": "1/2", "answer": "0,5"}], 2)
        self.assertContains(
            self.client.post(self.url("Paires"), one_pair), "doit avoir au moins deux paires", status_code=400
        )
        no_truth = self.base("VF")
        self.assertContains(self.client.post(self.url("VF"), no_truth), "Ce champ est obligatoire.", status_code=400)
        negative = self.base("Pi") | rows("answer", [{"text": "3.14", "fraction": "100", "tolerance": "-1"}], 1)
        self.assertEqual(self.client.post(self.url("Pi"), negative).status_code, 400)

    def test_in_a_begun_quiz_the_number_of_answers_stays(self):
        teacher = self.actor("paul.dupont", role="teacher", establishment=self.college)
        now = timezone.now()
        top = Category.objects.get(bank__owner=self.people["paul.dupont"], path="")
        quiz = actions.create_quiz(
            actor=teacher,
            category=top,
            school_class=self.school.college.classes["5e A"],
            title="Q",
            opens_at=now - dt.timedelta(hours=1),
            closes_at=now + dt.timedelta(hours=1),
        )
        actions.start_attempt(actor=self.actor("lucas.martin"), quiz=quiz)
        two = self.base("Aire", single="on") | rows(
            "answer", [{"text": "9", "fraction": "100"}, {"text": "6", "fraction": "0"}], 3
        )
        self.assertContains(self.client.post(self.url("Aire"), two), "déjà commencé", status_code=400)
        three = self.base("Aire", single="on") | rows(
            "answer",
            [{"text": "9", "fraction": "100"}, {"text": "6", "fraction": "0"}, {"text": "13", "fraction": "0"}],
            3,
        )
        self.assertEqual(self.client.post(self.url("Aire"), three).status_code, 302)

    def test_only_the_owner_edits(self):
        url = self.url("Aire")
        preview = reverse("learning:question", args=[self.question("Aire").pk])
        self.assertContains(self.client.get(preview), url)
        for who in EVERYBODY:
            with self.subTest(who=who):
                self.login(who)
                self.assertEqual(self.client.get(url).status_code, 200 if who == "paul.dupont" else 404)

    def test_the_page_has_a_pinned_budget(self):
        url, pairs = self.url("Aire"), self.url("Paires")
        self.client.get(url)
        with self.assertNumQueries(EDIT_PAGE_QUERIES):
            self.client.get(url)
        with self.assertNumQueries(EDIT_PAGE_QUERIES):
            self.client.get(pairs)


EDIT_PAGE_QUERIES = 7
