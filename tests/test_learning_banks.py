"""Question banks: who sees which bank and category (matrix, both faces), the audited import and sharing,
the pages (bank, preview, import, export, share) with their pinned query budgets, and the commands."""

from __future__ import annotations

import base64
import datetime as dt
import io
import tempfile
from decimal import Decimal

from django.core.exceptions import PermissionDenied
from django.core.files.uploadedfile import SimpleUploadedFile
from django.core.management import CommandError, call_command
from django.db import connection
from django.test import override_settings
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone

from cartable.core import authz
from cartable.core.authz import Action
from cartable.core.models import AuditEvent
from cartable.learning import actions, formats
from cartable.learning.models import Bank, Category, Question, Quiz
from tests.support.files import tiny_png
from tests.support.markup import HOSTILE, assert_inert
from tests.support.personas import EVERYBODY, PersonaTestCase

GIFT = """$CATEGORY: $course$/top/Algèbre

::Aire::Aire d'un carré de côté 3 ?{#9}

::Vrai::2 + 2 = 4.{T}

$CATEGORY: $course$/top/Algèbre/Fractions

::Moitié::La moitié de 1/2 ?{=1/4 ~1/8 ~2/4}
"""

MEDIA = tempfile.mkdtemp(prefix="cartable-learning-")


def many(n: int) -> str:
    return "\n\n".join(f"::Q{i}::Combien font {i} + 1 ?{{#{i + 1}}}" for i in range(n))


@override_settings(MEDIA_ROOT=MEDIA)
class BankTestCase(PersonaTestCase):
    @classmethod
    def setUpTestData(cls):
        super().setUpTestData()
        cls.college = cls.school.college.establishment
        paul = cls.people["paul.dupont"]
        actions.import_questions(
            actor=None, owner=paul, establishment_id=cls.college.pk, parsed=formats.parse(GIFT.encode())
        )
        cls.algebra = Category.objects.get(bank__owner=paul, path="Algèbre")
        cls.fractions = Category.objects.get(bank__owner=paul, path="Algèbre/Fractions")
        cls.top = Category.objects.get(bank__owner=paul, path="")
        cls.question = Question.objects.get(name="Aire")

    def teacher(self, username: str):
        return self.actor(username, role="teacher", establishment=self.college)


class BankPolicyTests(BankTestCase):
    def assert_matrix(self, category: Category, seers: set[str]) -> None:
        category = Category.objects.select_related("bank").get(pk=category.pk)
        question = category.questions.first()
        for who in EVERYBODY:
            with self.subTest(who=who, category=category.path):
                actor = self.actor(who)
                expected = who in seers
                self.assertIs(authz.allows(actor, Action.VIEW, category), expected)
                self.assertIs(Category.objects.visible_to(actor).filter(pk=category.pk).exists(), expected)
                self.assertIs(authz.allows(actor, Action.VIEW, question), expected)
                self.assertIs(Question.objects.visible_to(actor).filter(pk=question.pk).exists(), expected)
                self.assertIs(authz.allows(actor, Action.MANAGE, category), who == "paul.dupont")

    def test_a_private_bank_is_its_owners_alone(self):
        """Nobody but paul.dupont sees his unshared categories: not colleagues, families, staff, the region."""
        self.assert_matrix(self.algebra, {"paul.dupont"})

    def test_shared_with_the_establishment_reaches_its_teachers(self):
        """Shared with the collège: its teachers (sophie.bernard) see it, charlie.roux and students do not."""
        actions.share_category(actor=self.teacher("paul.dupont"), category=self.algebra, sharing="establishment")
        self.assert_matrix(self.algebra, {"paul.dupont", "sophie.bernard"})
        self.assert_matrix(self.fractions, {"paul.dupont", "sophie.bernard"})  # down the tree

    def test_shared_with_a_subject_reaches_its_teachers_only(self):
        """Shared with French: sophie.bernard (French) sees it; shared with maths: only paul.dupont."""
        subjects = self.school.college.subjects
        actor = self.teacher("paul.dupont")
        actions.share_category(actor=actor, category=self.fractions, sharing="subject", subject=subjects["FRA"])
        self.assert_matrix(self.fractions, {"paul.dupont", "sophie.bernard"})
        self.assert_matrix(self.algebra, {"paul.dupont"})  # not up the tree
        actions.share_category(actor=actor, category=self.fractions, sharing="subject", subject=subjects["MATH"])
        self.assert_matrix(self.fractions, {"paul.dupont"})

    def test_only_the_owner_shares_and_the_sharing_is_audited(self):
        """sophie.bernard cannot share paul.dupont's category; his sharing is one audit row."""
        with self.assertRaises(PermissionDenied):
            actions.share_category(actor=self.teacher("sophie.bernard"), category=self.algebra, sharing="establishment")
        actions.share_category(actor=self.teacher("paul.dupont"), category=self.algebra, sharing="establishment")
        event = AuditEvent.objects.get(verb="learning.share_category")
        self.assertEqual(event.after["categories"], 2)

    def test_the_menu_is_for_teachers(self):
        """« Banque de questions » is offered through a named permission to those who teach."""
        for who in EVERYBODY:
            with self.subTest(who=who):
                teaches = who in {"paul.dupont", "sophie.bernard", "charlie.roux"}
                self.assertIs(authz.can(self.actor(who), "learning.use_bank"), teaches)


class ImportTests(BankTestCase):
    def test_an_import_is_audited_with_its_counts(self):
        event = AuditEvent.objects.get(verb="learning.import")
        self.assertEqual(event.after, {"questions": 3, "categories": 2, "owner": self.people["paul.dupont"].pk})

    def test_a_file_with_an_error_imports_nothing(self):
        """One bad question among good ones: nothing is written, the error names its line."""
        before = Question.objects.count()
        with self.assertRaises(formats.Refused) as refused:
            formats.parse((GIFT + "\n::Aire2::Aire ?{~1 ~2}\n").encode())
        self.assertEqual(refused.exception.messages(), ["Ligne 11 : la question « Aire2 » n'a aucune bonne réponse."])
        self.assertEqual(Question.objects.count(), before)

    def test_images_are_checked_by_their_content(self):
        """A PNG embedded in Moodle XML is kept and served; a script disguised as an image refuses the file."""
        png = base64.b64encode(tiny_png()).decode()
        xml = (
            '<?xml version="1.0"?><quiz><question type="description"><name><text>Figure</text></name>'
            '<questiontext format="html"><text><![CDATA[<p><img src="@@PLUGINFILE@@/f.png" alt="figure">'
            '<img src="https://tracker.example/x.png" alt="x"></p>]]></text>'
            f'<file name="f.png" path="/" encoding="base64">{png}</file></questiontext></question></quiz>'
        )
        paul = self.people["paul.dupont"]
        actions.import_questions(
            actor=None, owner=paul, establishment_id=self.college.pk, parsed=formats.parse(xml.encode())
        )
        question = Question.objects.get(name="Figure")
        self.login("paul.dupont")
        page = self.client.get(reverse("learning:question", args=[question.pk])).content.decode()
        file = question.files.get()
        self.assertIn(f'src="{reverse("learning:file", args=[file.pk])}"', page)
        self.assertNotIn("tracker.example", page)
        response = self.client.get(reverse("learning:file", args=[file.pk]))
        self.assertEqual((response.status_code, response["Content-Type"]), (200, "image/png"))
        bad = xml.replace(png, base64.b64encode(b"<script>alert(1)</script>").decode()).replace("Figure", "Piège")
        with self.assertRaises(formats.Refused):
            actions.import_questions(
                actor=None, owner=paul, establishment_id=self.college.pk, parsed=formats.parse(bad.encode())
            )
        self.assertFalse(Question.objects.filter(name="Piège").exists())


class PageTests(BankTestCase):
    def test_the_pages_answer_the_same_404_to_those_who_may_not_see(self):
        """Students, guardians, other staff and charlie.roux get the same 404 as for a missing question."""
        urls = [
            reverse("learning:question", args=[self.question.pk]),
            reverse("learning:share", args=[self.algebra.pk]),
            reverse("learning:export") + f"?categorie={self.algebra.pk}",
        ]
        for who in ("lucas.martin", "claire.martin", "marc.leroy", "charlie.roux", "sophie.bernard"):
            self.login(who)
            for url in urls:
                with self.subTest(who=who, url=url):
                    self.assertEqual(self.client.get(url).status_code, 404)
        self.login("lucas.martin")
        self.assertEqual(self.client.get(reverse("learning:bank")).status_code, 404)
        self.assertEqual(self.client.get(reverse("learning:question", args=[999999])).status_code, 404)

    def test_the_bank_shows_categories_and_questions_with_their_types(self):
        self.login("paul.dupont")
        page = self.client.get(reverse("learning:bank") + f"?categorie={self.algebra.pk}").content.decode()
        self.assertIn("Aire", page)
        self.assertIn("Numérique", page)
        self.assertIn("Vrai ou faux", page)
        self.assertIn("Fractions", page)

    def test_texts_are_rendered_sanitized_whatever_their_format(self):
        """Hostile markup in any format stays inert in the preview."""
        paul = self.people["paul.dupont"]
        for fmt in formats.FORMATS:
            text = "\n\n".join(
                f"::H{fmt}{i}::[{fmt}]{formats_gift_escape(h)}{{=oui#{formats_gift_escape(h)} ~non}}"
                for i, h in enumerate(HOSTILE)
            )
            actions.import_questions(
                actor=None, owner=paul, establishment_id=self.college.pk, parsed=formats.parse(text.encode())
            )
        self.login("paul.dupont")
        for question in Question.objects.filter(name__startswith="H"):
            with self.subTest(question=question.name):
                assert_inert(self, self.client.get(reverse("learning:question", args=[question.pk])).content.decode())

    def test_the_import_page_refuses_a_bad_file_and_keeps_what_was_typed(self):
        self.login("paul.dupont")
        text = "::Aire::Aire d'un carré ?{~4 ~9}\n"
        response = self.client.post(reverse("learning:import"), {"text": text, "category": self.algebra.pk})
        self.assertEqual(response.status_code, 400)
        page = response.content.decode()
        self.assertIn("Ligne 1 : la question « Aire » n&#x27;a aucune bonne réponse.", page)
        self.assertIn("Aire d&#x27;un carré ?{~4 ~9}", page)  # the text is still in the form
        self.assertEqual(Question.objects.filter(category=self.algebra).count(), 2)

    def test_the_import_page_imports_a_file_into_the_chosen_category(self):
        self.login("paul.dupont")
        upload = SimpleUploadedFile("q.txt", "\ufeff::Nouvelle::Oui ?{T}\r\n".encode())
        response = self.client.post(reverse("learning:import"), {"file": upload, "category": self.fractions.pk})
        self.assertRedirects(response, reverse("learning:bank"))
        self.assertEqual(Question.objects.get(name="Nouvelle").category, self.fractions)

    @override_settings(LEARNING_IMPORT_MAX_BYTES=1024)
    def test_a_huge_file_is_refused_before_it_is_read(self):
        self.login("paul.dupont")
        upload = SimpleUploadedFile("q.txt", b"x" * 2048)
        response = self.client.post(reverse("learning:import"), {"file": upload})
        self.assertContains(response, "trop volumineux", status_code=400)

    def test_export_downloads_the_category_in_either_format(self):
        self.login("paul.dupont")
        url = reverse("learning:export")
        gift = self.client.get(url, {"format": "gift", "categorie": self.algebra.pk})
        self.assertEqual(gift["Content-Type"], "text/plain; charset=utf-8")
        self.assertIn("attachment", gift["Content-Disposition"])
        parsed = formats.parse(gift.content)
        self.assertEqual([i.name for i in parsed.items], ["Aire", "Vrai", "Moitié"])
        xml = self.client.get(url, {"format": "moodlexml", "categorie": self.fractions.pk})
        self.assertEqual([i.name for i in formats.parse(xml.content).items], ["Moitié"])

    def test_sharing_through_the_page(self):
        self.login("paul.dupont")
        url = reverse("learning:share", args=[self.algebra.pk])
        response = self.client.post(url, {"sharing": "subject"})
        self.assertContains(response, "Choisissez la matière", status_code=400)
        maths = self.school.college.subjects["MATH"]
        response = self.client.post(url, {"sharing": "subject", "subject": maths.pk})
        self.assertRedirects(response, reverse("learning:bank") + f"?categorie={self.algebra.pk}")
        self.assertEqual(Category.objects.get(pk=self.fractions.pk).subject, maths)

    def test_query_budgets_do_not_grow_with_the_questions(self):
        """The bank page and the preview cost the same with 3 or 40 questions in the category."""
        self.login("paul.dupont")
        url = reverse("learning:bank") + f"?categorie={self.algebra.pk}"
        self.client.get(url)  # the first page of a session loads what every page then keeps
        counts = []
        for n in (3, 40):
            paul = self.people["paul.dupont"]
            text = f"$CATEGORY: $course$/top/Algèbre\n\n{many(n)}"
            actions.import_questions(
                actor=None, owner=paul, establishment_id=self.college.pk, parsed=formats.parse(text.encode())
            )
            with CaptureQueriesContext(connection) as queries:
                self.assertEqual(self.client.get(url).status_code, 200)
            counts.append(len(queries))
        self.assertEqual(counts[0], counts[1])
        with self.assertNumQueries(BANK_PAGE_QUERIES):
            self.client.get(url)
        with self.assertNumQueries(PREVIEW_QUERIES):
            self.client.get(reverse("learning:question", args=[self.question.pk]))
        with self.assertNumQueries(IMPORT_PAGE_QUERIES):
            self.client.get(reverse("learning:import"))
        with self.assertNumQueries(SHARE_PAGE_QUERIES):
            self.client.get(reverse("learning:share", args=[self.algebra.pk]))

    def test_the_export_costs_the_same_with_3_or_40_questions(self):
        self.login("paul.dupont")
        url = reverse("learning:export") + f"?format=moodlexml&categorie={self.algebra.pk}"
        self.client.get(url)
        paul = self.people["paul.dupont"]
        for n in (3, 40):
            text = f"$CATEGORY: $course$/top/Algèbre\n\n{many(n)}"
            actions.import_questions(
                actor=None, owner=paul, establishment_id=self.college.pk, parsed=formats.parse(text.encode())
            )
            with self.assertNumQueries(EXPORT_QUERIES):
                self.assertEqual(self.client.get(url).status_code, 200)


BANK_PAGE_QUERIES = 7  # 6, and the quizzes the teacher gave
PREVIEW_QUERIES = 7
IMPORT_PAGE_QUERIES = 4
SHARE_PAGE_QUERIES = 5
EXPORT_QUERIES = 10


def formats_gift_escape(text: str) -> str:
    from cartable.learning.formats import gift

    return gift.escape(text)


class GivenQuizzesTests(BankTestCase):
    def give(self, title: str, *, days: int) -> None:
        now = timezone.now()
        actions.create_quiz(
            actor=self.teacher("paul.dupont"),
            category=self.algebra,
            school_class=self.school.college.classes["5e A"],
            title=title,
            opens_at=now - dt.timedelta(hours=1),
            closes_at=now + dt.timedelta(days=days),
        )

    def test_the_bank_lists_the_teachers_quizzes_with_their_results_for_the_same_queries(self):
        """paul.dupont finds each quiz he gave on his bank page, linked to its results, newest closing first;
        another teacher does not see them; the page costs the same with one quiz or three."""
        self.login("paul.dupont")
        url = reverse("learning:bank")
        self.client.get(url)  # the first page of a session loads what every page then keeps
        self.assertContains(self.client.get(url), "Aucun quiz donné pour le moment")
        self.give("Quiz du lundi", days=1)
        with self.assertNumQueries(BANK_PAGE_QUERIES):
            self.client.get(url)
        self.give("Quiz du jeudi", days=3)
        self.give("Quiz du mercredi", days=2)
        with self.assertNumQueries(BANK_PAGE_QUERIES):
            page = self.client.get(url).content.decode()
        titles = [page.index(t) for t in ("Quiz du jeudi", "Quiz du mercredi", "Quiz du lundi")]
        self.assertEqual(titles, sorted(titles))
        quiz = Quiz.objects.get(title="Quiz du mercredi")
        self.assertIn(f'href="{reverse("learning:quiz_results", args=[quiz.pk])}"', page)
        self.assertIn("5e A", page)
        self.login("sophie.bernard")
        self.assertNotContains(self.client.get(url), "Quiz du mercredi")


class RoundTripTests(BankTestCase):
    def test_the_demo_bank_survives_import_export_import_in_both_formats(self):
        """paul.dupont's demo file (every type) read, written to the database, exported from it and read
        again gives the same questions in the same categories, through GIFT and Moodle XML."""
        from cartable.learning import demo, queries

        original = formats.parse(demo.GIFT_FILE.read_bytes()).items
        sophie = self.people["sophie.bernard"]
        actions.import_questions(
            actor=None,
            owner=sophie,
            establishment_id=self.college.pk,
            parsed=formats.parse(demo.GIFT_FILE.read_bytes()),
        )
        categories = list(Category.objects.filter(bank__owner=sophie).order_by("path"))
        exported = queries.export_questions(categories)
        self.assertEqual(sorted(exported, key=lambda i: i.category), sorted(original, key=lambda i: i.category))
        self.assertEqual(len(original), 42)
        for fmt in ("gift", "moodlexml"):
            with self.subTest(fmt=fmt):
                again = formats.parse(queries.write(exported, fmt).encode()).items
                self.assertEqual(again, exported)


class MenuAndDemoTests(BankTestCase):
    def test_the_menu_shows_the_bank_to_teachers_only(self):
        link = f'href="{reverse("learning:bank")}"'
        for who, expected in [("paul.dupont", True), ("lucas.martin", False), ("claire.martin", False)]:
            with self.subTest(who=who):
                self.login(who)
                page = self.client.get(reverse("dashboard:home")).content.decode()
                self.assertIs(link in page, expected)

    def test_the_demo_bank_is_paul_duponts_with_fractions_shared_with_maths(self):
        from cartable.learning import demo

        Bank.objects.filter(owner=self.people["paul.dupont"]).delete()
        self.assertEqual(demo.load_demo(self.school), 42)
        self.assertEqual(demo.load_demo(self.school), 0)  # once
        fractions = Category.objects.get(bank__owner=self.people["paul.dupont"], path="Fractions")
        self.assertEqual((fractions.sharing, fractions.subject.code), ("subject", "MATH"))
        kinds = set(
            Question.objects.filter(category__bank__owner=self.people["paul.dupont"]).values_list("qtype", flat=True)
        )
        self.assertEqual(kinds, set(formats.QTYPES))


class CommandTests(BankTestCase):
    def test_export_then_import_through_the_commands(self):
        """export_questions writes GIFT or XML to standard output; import_questions reads either back."""
        for fmt in ("gift", "moodlexml"):
            out = io.StringIO()
            call_command("export_questions", owner="paul.dupont", fmt=fmt, category="Fractions", stdout=out)
            with tempfile.NamedTemporaryFile(suffix=".dat") as handle:
                handle.write(out.getvalue().encode())
                handle.flush()
                said = io.StringIO()
                call_command("import_questions", handle.name, owner="sophie.bernard", stdout=said)
            self.assertIn("1 questions importées", said.getvalue())
        bank = Bank.objects.get(owner=self.people["sophie.bernard"])
        moities = Question.objects.filter(category__bank=bank, name="Moitié")
        self.assertEqual(moities.count(), 2)
        self.assertEqual(sorted(a.fraction for a in moities[0].answers.all()), [Decimal(0), Decimal(0), Decimal(100)])

    def test_the_import_command_refuses_a_bad_file_with_its_lines(self):
        with tempfile.NamedTemporaryFile(suffix=".txt") as handle:
            handle.write(b"::A::x{~1 ~2}\n\n::B::y{=1 ~2\n")
            handle.flush()
            err = io.StringIO()
            with self.assertRaises(CommandError):
                call_command("import_questions", handle.name, owner="paul.dupont", stderr=err)
        self.assertIn("Ligne 1 : la question « A » n'a aucune bonne réponse.", err.getvalue())
        self.assertIn("Ligne 3 :", err.getvalue())
